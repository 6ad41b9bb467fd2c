package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/globus-setup/globus-setup/globus"
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
	// A demo keeps its vault only when --vault names one (to try resuming).
	ephemeral := demo && a.vaultFile == ""
	var demoLoginClient string
	if demo {
		stop, thick, err := a.startDemo()
		if err != nil {
			return err
		}
		defer stop()
		demoLoginClient = thick
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
	// Warnings go out now: a line written under the full screen would
	// garble it. The alternate screen hides this one; it shows at exit.
	src := a.sources()
	if msg := vault.PassphraseFileWarning(src); msg != "" {
		fmt.Fprintln(a.stderr, "globus-setup:", msg)
	}
	a.warnFolder(p)
	src.Warn = nil
	return tui.Run(ctx, tui.Config{
		Paths:           p,
		Sources:         src,
		VaultOptions:    a.vaultOptions,
		Globus:          client,
		Env:             env,
		Demo:            demo,
		DemoLoginClient: demoLoginClient,
		Ephemeral:       ephemeral,
		Accessible:      accessible,
		Input:           os.Stdin,
		Output:          os.Stdout,
		Force:           a.force,
		OpenBrowser:     a.browse,
		Getenv:          a.getenv,
		// Clipboard stays nil: the wizard writes OSC 52 through its own
		// renderer, so the sequence never lands in the middle of a frame.
	})
}

// startDemo points this run at a fresh emulator on loopback and a throwaway
// vault, both gone when the wizard exits.
//
// An explicit --vault PATH is kept instead of the throwaway one, so a demo
// can be quit and resumed (the end-to-end test does this). Only the flag
// counts, not GLOBUS_SETUP_VAULT: a variable set for real use must never
// receive emulator values. The emulator itself is always fresh.
func (a *app) startDemo() (stop func(), thickClient string, err error) {
	srv, err := startEmulator("127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	a.demoOverlay(srv.Env(), srv.base)
	if a.vaultFile != "" {
		return func() { srv.Close() }, srv.thickClient, nil
	}
	dir, err := os.MkdirTemp("", "globus-setup-demo-")
	if err != nil {
		srv.Close()
		return nil, "", err
	}
	if a.vaultFile == "" {
		a.vaultFile = filepath.Join(dir, "vault.age")
	}
	return func() {
		srv.Close()
		os.RemoveAll(dir)
	}, srv.thickClient, nil
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
