package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/tui"
	"github.com/globus-setup/globus-setup/vault"
)

const notATerminal = `globus-setup: the wizard needs a terminal, and stdin or stdout is not one.
Use the commands instead, for example:
  globus-setup status              the steps and their state
  globus-setup set KEY VALUE|-     store a value (secrets from stdin: set KEY -)
  globus-setup get KEY             print a value
  globus-setup scope create        create or reuse the action_all scope
  globus-setup verify              check everything stored against Globus
  globus-setup export --merge .env write the gateway's variables
Run 'globus-setup --help' for all of them.
`

func (a *app) runWizard(ctx context.Context, demo, accessible bool) error {
	if !a.isTerminal() {
		fmt.Fprint(a.stderr, notATerminal)
		return exitError{code: 2}
	}
	if demo && a.profile != "" {
		return errors.New("--demo runs on a throwaway vault (or --vault PATH): --profile is for real gateways")
	}
	// A demo keeps its vault only when --vault names one (to try resuming).
	ephemeral := demo && a.vaultFile == ""
	var demoLoginClient string
	var saveDemo func() error
	if demo {
		d, err := a.startDemo()
		if err != nil {
			return err
		}
		defer d.stop()
		demoLoginClient, saveDemo = d.thickClient, d.save
	}
	env, err := globus.EnvironmentFromEnv(a.getenv)
	if err != nil {
		return err
	}
	client, err := globus.New(env)
	if err != nil {
		return err
	}
	p, err := a.paths()
	if err != nil {
		return err
	}
	// Recorded even before the vault exists: the wizard is about to create
	// it for this environment.
	if env.Name == "production" || env.Name == "preview" {
		if err := vault.CheckEnvironment(p, env.Name); err != nil {
			return err
		}
	}
	budget, err := globus.NetworkBudgetFromEnv(a.getenv)
	if err != nil {
		return err
	}
	// Warnings go out now: a line written under the full screen would
	// garble it. The alternate screen hides this one; it shows at exit.
	src := a.sources()
	if msg := vault.PassphraseFileWarning(src); msg != "" {
		fmt.Fprintln(a.stderr, "globus-setup:", msg)
	}
	a.warnFolder(p)
	src.Warn = nil
	// An --identity is unlocked here, on the terminal, before the screen
	// starts (a protected SSH key asks its passphrase).
	var unlocked *vault.Vault
	if id, err := a.identity(); err != nil {
		return err
	} else if id != nil {
		if unlocked, err = vault.OpenWith(p, id, a.vaultOptions); err != nil {
			return err
		}
	}
	if unlocked == nil {
		unlocked, _ = a.fromSitting(p)
	}
	profile, _, _ := a.profileName()
	return tui.Run(ctx, tui.Config{
		Vault:           unlocked,
		Profile:         profile,
		Paths:           p,
		Sources:         src,
		VaultOptions:    a.vaultOptions,
		Globus:          client,
		Env:             env,
		Demo:            demo,
		DemoLoginClient: demoLoginClient,
		DemoUsers:       demoUsernames(demo),
		SaveDemo:        saveDemo,
		Ephemeral:       ephemeral,
		Invocation:      thisInvocation(),
		Accessible:      accessible,
		Input:           os.Stdin,
		Output:          os.Stdout,
		Force:           a.force,
		OpenBrowser:     a.browse,
		Getenv:          a.getenv,
		NetworkBudget:   budget,
		// Clipboard stays nil: the wizard writes OSC 52 through its own
		// renderer, so the sequence never lands in the middle of a frame.
	})
}

// demoRun is a demo's emulator for one run of the wizard.
type demoRun struct {
	thickClient string
	// save writes a kept demo's emulator state beside its vault (nil for a
	// throwaway demo), before the wizard's last words say it is there.
	save func() error
	// stop ends the emulator (saving a kept demo's state if save was not
	// called) and deletes a throwaway demo's vault.
	stop func()
}

// startDemo points this run at a fresh emulator on loopback and a throwaway
// vault, both gone when the wizard exits.
//
// An explicit --vault PATH is kept instead of the throwaway one, so a demo
// can be quit and resumed (the end-to-end test does this). Only the flag
// counts, not GLOBUS_SETUP_VAULT: a variable set for real use must never
// receive emulator values. With --vault the emulator's state is kept beside
// the vault (startKeptDemo), so the stored IDs are still known on resuming.
func (a *app) startDemo() (demoRun, error) {
	if a.vaultFile != "" {
		return a.startKeptDemo()
	}
	srv, err := startEmulator("127.0.0.1:0")
	if err != nil {
		return demoRun{}, err
	}
	if err := a.demoFaults(srv); err != nil {
		srv.Close()
		return demoRun{}, err
	}
	a.demoOverlay(srv.Env(), srv.base)
	dir, err := os.MkdirTemp("", "globus-setup-demo-")
	if err != nil {
		srv.Close()
		return demoRun{}, err
	}
	if a.vaultFile == "" {
		a.vaultFile = filepath.Join(dir, "vault.age")
	}
	return demoRun{thickClient: srv.thickClient, stop: func() {
		srv.Close()
		os.RemoveAll(dir)
	}}, nil
}

// demoOverlay points the Globus settings at the emulator for this run.
func (a *app) demoOverlay(overlay map[string]string, base string) {
	overlay["GLOBUS_SETUP_DEMO_URL"] = base
	parent := a.getenv
	a.getenv = func(k string) string {
		if v, ok := overlay[k]; ok {
			return v
		}
		return parent(k)
	}
}

// demoUsernames are the emulator's users a demo can add to a group.
func demoUsernames(demo bool) []string {
	if !demo {
		return nil
	}
	var out []string
	for _, u := range demoUsers[1:] { // not the operator: they own the group
		out = append(out, u.username)
	}
	return out
}

// demoStateFile holds a kept demo's emulator state, beside its vault.
const demoStateFile = "demo-emulator.json"

// demoState is what a kept demo saves at exit: the emulator's state, its
// address (the public client's redirect URI names it) and the thick client.
type demoState struct {
	Addr        string          `json:"addr"`
	ThickClient string          `json:"thick_client"`
	Emulator    json.RawMessage `json:"emulator"`
}

// startKeptDemo starts the emulator from the state saved beside the vault,
// if any, on the address it had, and saves it again when the demo ends.
func (a *app) startKeptDemo() (demoRun, error) {
	dir := filepath.Dir(a.vaultFile)
	path := filepath.Join(dir, demoStateFile)
	var saved *demoState
	if data, err := os.ReadFile(path); err == nil {
		var st demoState
		if err := json.Unmarshal(data, &st); err != nil {
			return demoRun{}, fmt.Errorf("reading the demo emulator's state %s: %w (delete it to start the demo afresh)", path, err)
		}
		saved = &st
	} else if !errors.Is(err, fs.ErrNotExist) {
		return demoRun{}, err
	}
	restore := func(s *globustest.Server) error {
		if saved == nil {
			return nil
		}
		return s.LoadState(bytes.NewReader(saved.Emulator))
	}
	addr := "127.0.0.1:0"
	if saved != nil && saved.Addr != "" {
		addr = saved.Addr
	}
	srv, err := startEmulatorWith(addr, restore)
	if err != nil && addr != "127.0.0.1:0" {
		// The old port is taken: the IDs still resume; only the proof's
		// redirect URI (which names the port) differs.
		srv, err = startEmulatorWith("127.0.0.1:0", restore)
	}
	if err != nil {
		return demoRun{}, err
	}
	if err := a.demoFaults(srv); err != nil {
		srv.Close()
		return demoRun{}, err
	}
	if saved != nil && saved.ThickClient != "" {
		srv.thickClient = saved.ThickClient
	}
	a.demoOverlay(srv.Env(), srv.base)
	// Saved once, when the wizard is about to say so (or, if it never got
	// that far, as the emulator stops): nothing is written after the
	// program's last words.
	var once sync.Once
	var saveErr error
	save := func() error {
		once.Do(func() { saveErr = saveDemoState(srv, dir, path) })
		return saveErr
	}
	return demoRun{thickClient: srv.thickClient, save: save, stop: func() {
		_ = save()
		srv.Close()
	}}, nil
}

// saveDemoState writes the emulator's state, its address and thick client
// to path in dir.
func saveDemoState(srv *demoEmulator, dir, path string) error {
	var buf bytes.Buffer
	if err := srv.SaveState(&buf); err != nil {
		return err
	}
	st := demoState{Addr: strings.TrimPrefix(srv.base, "http://"), ThickClient: srv.thickClient, Emulator: buf.Bytes()}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	_, err = steps.WriteFileAtomic(path, data, 0o600)
	return err
}
