package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/globus-setup/globus-setup/vault"
)

const passFileVar = "GLOBUS_SETUP_PASSPHRASE_FILE"

// sittingWorld is an opsWorld whose app keeps sittings in the test's store.
func sittingWorld(t *testing.T) *opsWorld {
	t.Helper()
	w := newOpsWorld(t)
	store, _ := testSittingStore(t)
	w.vaultOptions = vault.Options{Sittings: store}
	return w
}

// withoutPassphrase runs a command with no passphrase source at all: only a
// sitting can open the vault.
func (w *opsWorld) withoutPassphrase(args ...string) (int, string, string) {
	w.t.Helper()
	pf := w.env[passFileVar]
	delete(w.env, passFileVar)
	defer func() { w.env[passFileVar] = pf }()
	return w.run(args...)
}

func (w *opsWorld) mustUnlock(args ...string) string {
	w.t.Helper()
	code, out, errs := w.run(append([]string{"unlock"}, args...)...)
	if code != 0 {
		w.t.Fatalf("unlock: %d %s %s", code, out, errs)
	}
	return out
}

func (w *opsWorld) assertAsks(when string) {
	w.t.Helper()
	if code, out, errs := w.withoutPassphrase("get", "service_api.client_id"); code != 1 || !strings.Contains(errs, "no terminal to ask for the passphrase") {
		w.t.Fatalf("%s: get without a passphrase gave %d %q %q, want the no-passphrase error", when, code, out, errs)
	}
}

func (w *opsWorld) assertOpens(when string) {
	w.t.Helper()
	code, out, errs := w.withoutPassphrase("get", "service_api.client_id")
	if code != 0 || out != w.apiID+"\n" {
		w.t.Fatalf("%s: get in the sitting gave %d %q %q", when, code, out, errs)
	}
}

func TestUnlockLockStatus(t *testing.T) {
	w := sittingWorld(t)
	w.assertAsks("before unlock")
	_, before, _ := w.run("status")
	if strings.Contains(before, "Sitting") {
		t.Fatalf("status speaks of a sitting before any:\n%s", before)
	}

	out := w.mustUnlock("--for", "10m")
	if !strings.Contains(out, "Unlocked "+w.paths.Vault+" until ") || !strings.Contains(out, "(10m)") || !strings.Contains(out, "any program you run meanwhile can read the key") {
		t.Errorf("unlock said:\n%s", out)
	}
	w.assertOpens("in the sitting")
	_, status, _ := w.withoutPassphrase("status")
	if !strings.Contains(status, "Sitting open until ") || !strings.Contains(status, "left)") || !strings.Contains(status, "`globus-setup lock` ends it") {
		t.Errorf("status in the sitting:\n%s", status)
	}
	// Writes go through the sitting too.
	if code, _, errs := w.withoutPassphrase("set", "project.name", "Gateway"); code != 0 {
		t.Fatalf("set in the sitting: %s", errs)
	}

	// Another vault (a profile) still asks.
	other := filepath.Join(t.TempDir(), "other", "vault.age")
	if _, err := vault.Create(vault.PathsFor(other), []byte("test passphrase"), vault.Options{WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	mine := w.env["GLOBUS_SETUP_VAULT"]
	w.env["GLOBUS_SETUP_VAULT"] = other
	if code, _, errs := w.withoutPassphrase("status"); code != 1 || !strings.Contains(errs, "no terminal to ask for the passphrase") {
		t.Errorf("another vault opened without a passphrase: %d %s", code, errs)
	}
	w.env["GLOBUS_SETUP_VAULT"] = mine

	code, out, _ := w.run("lock")
	if code != 0 || !strings.Contains(out, "Locked "+w.paths.Vault) {
		t.Fatalf("lock: %d %q", code, out)
	}
	w.assertAsks("after lock")
	if _, out, _ := w.run("lock"); !strings.Contains(out, "No sitting was open for "+w.paths.Vault) {
		t.Errorf("lock twice: %q", out)
	}
}

func TestUnlockLength(t *testing.T) {
	w := sittingWorld(t)
	for _, bad := range []string{"0s", "-5m", "9h", "500ms"} {
		code, _, errs := w.run("unlock", "--for", bad)
		if code != 1 || !strings.Contains(errs, "a sitting lasts from 1s to 8h") {
			t.Errorf("--for %s: %d %s", bad, code, errs)
		}
	}
	w.assertAsks("after refused lengths")
	if out := w.mustUnlock(); !strings.Contains(out, "(15m)") {
		t.Errorf("default length: %s", out)
	}
}

// unlock always takes the passphrase: a sitting is never renewed from itself.
func TestUnlockAgainAsks(t *testing.T) {
	w := sittingWorld(t)
	w.mustUnlock()
	if code, _, errs := w.withoutPassphrase("unlock"); code != 1 || !strings.Contains(errs, "no terminal to ask for the passphrase") {
		t.Fatalf("unlock renewed from the sitting: %d %s", code, errs)
	}
}

func TestLogoutEndsTheSitting(t *testing.T) {
	w := sittingWorld(t)
	w.login()
	w.mustUnlock()
	code, out, errs := w.withoutPassphrase("logout")
	// "Logged out" once: the sitting's line follows it, not repeats it.
	if code != 0 || !strings.Contains(errs, "The sitting on this vault is over too; the next command asks for the passphrase.") ||
		strings.Count(strings.ToLower(out+errs), "logged out") != 1 {
		t.Fatalf("logout: %d %s", code, errs)
	}
	w.assertAsks("after logout")
}

func TestRecipientsChangeEndsTheSitting(t *testing.T) {
	w := sittingWorld(t)
	w.mustUnlock()
	mate, _ := age.GenerateX25519Identity()
	if code, _, errs := w.withoutPassphrase("recipients", "add", mate.Recipient().String()); code != 0 {
		t.Fatalf("recipients add: %s", errs)
	}
	w.assertAsks("after recipients add")
}

// runWith is run with the app adjusted first (exec's execve).
func (w *opsWorld) runWith(adjust func(*app), args ...string) (int, string, string) {
	w.t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		getenv:       func(k string) string { return w.env[k] },
		openTTY:      func() (*os.File, error) { return nil, errors.New("no terminal in tests") },
		isTerminal:   func() bool { return false },
		browse:       func(string) error { return errors.New("no browser in tests") },
		vaultOptions: w.vaultOptions,
	}
	adjust(a)
	code := run(context.Background(), args, a)
	return code, out.String(), errb.String()
}

func TestExecEndsEverySitting(t *testing.T) {
	w := sittingWorld(t)
	w.mustUnlock()
	// A second vault's sitting: the command could read that key too.
	other := filepath.Join(t.TempDir(), "other", "vault.age")
	if _, err := vault.Create(vault.PathsFor(other), []byte("test passphrase"), vault.Options{WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	mine := w.env["GLOBUS_SETUP_VAULT"]
	w.env["GLOBUS_SETUP_VAULT"] = other
	w.mustUnlock()
	w.env["GLOBUS_SETUP_VAULT"] = mine

	var given []string
	started := false
	pf := w.env[passFileVar]
	delete(w.env, passFileVar) // exec itself opens through the sitting
	code, _, errs := w.runWith(func(a *app) {
		a.execve = func(path string, argv, env []string) error {
			started, given = true, env
			return nil
		}
	}, "exec", "--", "true")
	w.env[passFileVar] = pf
	if code != 0 || !started {
		t.Fatalf("exec: %d %s", code, errs)
	}
	if !strings.Contains(errs, "ended the sitting on ") || !strings.Contains(errs, w.paths.Vault) || !strings.Contains(errs, other) {
		t.Errorf("exec did not say which sittings it ended: %s", errs)
	}
	if !containsVar(given, "GLOBUS_APPLICATION_ID="+w.apiID) {
		t.Error("the command lacks the gateway's variables")
	}
	w.assertAsks("after exec")
	w.env["GLOBUS_SETUP_VAULT"] = other
	if code, _, _ := w.withoutPassphrase("status"); code != 1 {
		t.Error("the other vault's sitting outlived exec")
	}
}

func containsVar(env []string, kv string) bool {
	for _, e := range env {
		if e == kv {
			return true
		}
	}
	return false
}

// A sitting that no longer fits is said, ended and passed over; explicit
// flags are obeyed rather than the sitting.
func TestSittingPassedOver(t *testing.T) {
	w := sittingWorld(t)
	w.mustUnlock()
	wrong := filepath.Join(t.TempDir(), "wrong")
	if err := os.WriteFile(wrong, []byte("not it\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := w.run("--passphrase-file", wrong, "get", "service_api.client_id"); code != 1 || !strings.Contains(errs, "wrong passphrase") {
		t.Errorf("--passphrase-file went through the sitting: %d %s", code, errs)
	}
	w.assertOpens("after the explicit flag")

	// The vault re-created at the same path: the sitting must not open it.
	for _, f := range []string{w.paths.Vault, w.paths.Identity} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := vault.Create(w.paths, []byte("test passphrase"), vault.Options{WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	code, _, errs := w.run("status")
	if code != 0 || !strings.Contains(errs, "the sitting for "+w.paths.Vault+" was ended: identity.age changed since the unlock") || !strings.Contains(errs, "unlocking as usual") {
		t.Fatalf("re-created vault: %d %s", code, errs)
	}
	w.assertAsks("after the stale sitting")
}
