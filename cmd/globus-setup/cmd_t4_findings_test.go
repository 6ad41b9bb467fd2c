package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/steps"
)

// A rotation in progress keeps its secret: `import .env.bak --replace`
// (the old secret back), `set` and `unset` of it are refused before
// anything is asked or stored, naming the rotation and --finish/--undo;
// the rotation then finishes with its own new secret, which verify accepts.
func TestRotationInProgressKeepsItsSecret(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	id := w.value("service_api.client_id")
	if code, _, errs := w.run("export", "--merge", env, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	if code, out, errs := w.run("rotate", "service_api"); code != 0 {
		t.Fatalf("rotate: %d\n%s%s", code, out, errs)
	}
	made := w.value("service_api.client_secret")

	code, out, errs := w.run("import", env+".bak", "--replace")
	t.Logf("$ globus-setup import .env.bak --replace\n%s%s", out, errs)
	if code == 0 || !strings.Contains(errs, "service_api.client_secret was not changed: the Service API secret rotation started") ||
		!strings.Contains(errs, "`globus-setup rotate service_api --undo`") || strings.Contains(out, "Imported") {
		t.Fatalf("import of the old secret mid-rotation: exit %d", code)
	}
	w.pasted <- "d3Jvbmctc2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcnMuLg=="
	if code, _, errs := w.run("set", "service_api.client_secret", "-"); code == 0 || !strings.Contains(errs, "was not changed: the Service API secret rotation") || strings.Contains(errs, "stored") {
		t.Fatalf("set mid-rotation: exit %d\n%s", code, errs)
	}
	w.terminal = true
	code, _, errs = w.run("unset", "service_api.client_secret")
	t.Logf("$ globus-setup unset service_api.client_secret\n%s", errs)
	if code == 0 || !strings.Contains(errs, "was not changed: the Service API secret rotation") || !strings.Contains(errs, "then remove it") || strings.Contains(errs, "last copy") {
		t.Fatalf("unset mid-rotation: exit %d", code)
	}
	w.terminal = false
	if w.value("service_api.client_secret") != made {
		t.Fatal("the rotation's new secret is not the vault's any more")
	}
	if code, out, errs := w.run("rotate", "service_api", "--finish"); code != 0 {
		t.Fatalf("--finish: %d\n%s%s", code, out, errs)
	}
	if !w.secretWorks(id, made) {
		t.Fatal("the secret the rotation made no longer works")
	}
	if code, out, _ := w.run("verify"); code != 0 {
		t.Fatalf("verify after the rotation: %d\n%s", code, out)
	}
}

// verify fails (exit 1) when the gateway could not start for want of a
// stored value, naming exactly the key, once the setup is begun.
func TestVerifyFailsWithoutTheServiceAccountSecret(t *testing.T) {
	w, _ := newRotateCmdWorld(t)
	if code, _, errs := w.run("unset", "--yes", "service_account.client_secret"); code != 0 {
		t.Fatal(errs)
	}
	code, out, _ := w.run("verify")
	t.Logf("$ globus-setup verify\n%s", out)
	if code == 0 || !strings.Contains(out, "✗ The gateway would start: service_account.client_secret not stored") ||
		strings.Contains(out, "client_id and client_secret not stored yet") {
		t.Fatalf("verify without the Service Account secret: exit %d", code)
	}
}

// export --out/--merge into another file keeps the remembered gateway .env
// (the one rotate writes into) unless asked at a terminal or
// --remember-file, and says which happened.
func TestExportKeepsTheRememberedEnv(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	target := func() string { return w.vault().Doc().Internal[steps.EnvTargetKey] }
	other := filepath.Join(t.TempDir(), "look.env")
	code, _, errs := w.run("export", "--out", other, "--no-secrets")
	t.Logf("$ globus-setup export --out look.env --no-secrets\n%s", errs)
	if code != 0 || target() != env || strings.Contains(errs, "in place of") ||
		!strings.Contains(errs, "the gateway's .env remembered (rotate writes into it) is still "+env+"; --remember-file makes "+other+" the one") {
		t.Fatalf("export --out another file: exit %d, remembered %s", code, target())
	}
	if code, _, errs := w.run("export", "--merge", other); code != 0 || target() != env {
		t.Fatalf("export --merge another file: exit %d, remembered %s\n%s", code, target(), errs)
	}
	w.terminal = true
	w.pasted <- "n"
	if code, _, errs := w.run("export", "--merge", other); code != 0 || target() != env || !strings.Contains(errs, "Remember "+other+" as the gateway's .env instead?") {
		t.Fatalf("no at a terminal: exit %d, remembered %s\n%s", code, target(), errs)
	}
	w.pasted <- "y"
	if code, _, errs := w.run("export", "--merge", other); code != 0 || target() != other || !strings.Contains(errs, "in place of "+env) {
		t.Fatalf("yes at a terminal: exit %d, remembered %s\n%s", code, target(), errs)
	}
	w.terminal = false
	if code, _, errs := w.run("export", "--merge", env, "--remember-file"); code != 0 || target() != env {
		t.Fatalf("--remember-file: exit %d, remembered %s\n%s", code, target(), errs)
	}
}

// The README's adopt path without a login: import reads the project and
// the action_all scope as the Service API app (client credentials), as
// `scope create` does, so verify passes.
func TestImportNotLoggedInReadsTheScopeAsTheApp(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("logout"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := w.run("import", path)
	t.Logf("$ globus-setup import .env (not logged in)\n%s%s", out, errs)
	if code != 0 || !strings.Contains(out, "service_api.scope_id") || !strings.Contains(out, "[the Service API app's scopes at Globus]") ||
		!strings.Contains(out, "(the project and the action_all scope were, as the Service API app)") {
		t.Fatalf("import not logged in: exit %d", code)
	}
	code, out, _ = w.run("verify")
	t.Logf("$ globus-setup verify\n%s", out)
	if code != 0 || strings.Contains(out, "no action_all scope is stored") {
		t.Fatalf("verify after the import: exit %d", code)
	}
}

// Logged in, import compares the file's domains with the policy's as the
// gateway does (exactly, case included) and stores nothing when they differ.
func TestImportRefusesDomainsThePolicyDoesNotHold(t *testing.T) {
	w, path := importWorld(t)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), "\nexample.org\n", "\nExample.org\n", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := w.run("import", path)
	t.Logf("$ globus-setup import .env\n%s%s", out, errs)
	if code == 0 || !strings.Contains(errs, "cannot be imported, so nothing was stored") ||
		!strings.Contains(errs, "line 47: AUTHORIZED_IDP_DOMAINS: the domains differ in case (the policy holds example.org, AUTHORIZED_IDP_DOMAINS Example.org)") ||
		strings.Contains(out, "Next:") || w.value("policy.domains") != "" {
		t.Fatalf("import of domains the policy does not hold: exit %d", code)
	}
}

// init holds a new passphrase to the wizard's rule, in its words.
func TestInitRefusesAShortPassphrase(t *testing.T) {
	w := newBareWorld(t)
	dir := t.TempDir()
	short := filepath.Join(dir, "short")
	if err := os.WriteFile(short, []byte("abc\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.env["GLOBUS_SETUP_VAULT"] = filepath.Join(dir, "v", "vault.age")
	w.env["GLOBUS_SETUP_PASSPHRASE_FILE"] = short
	code, _, errs := w.run("init")
	if code == 0 || !strings.Contains(errs, "the passphrase is too short: Use at least 8 characters; a short sentence is easy to remember.") {
		t.Fatalf("init with \"abc\": exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(w.env["GLOBUS_SETUP_VAULT"]); err == nil {
		t.Fatal("a vault was created")
	}
}

// unset names the values made from a client ID that went with it, and a
// secret's warning names the .env.bak that still holds a copy.
func TestUnsetNamesWhatGoesAndWhatIsLeft(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	if code, _, errs := w.run("export", "--merge", env, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	code, _, errs := w.run("unset", "service_api.client_secret")
	t.Logf("$ globus-setup unset service_api.client_secret\n%s", errs)
	if code != 2 || !strings.Contains(errs, "a copy is left in plaintext in "+env+".bak") || strings.Contains(errs, "last copy") {
		t.Fatalf("unset of a secret the .env.bak holds: exit %d", code)
	}
	code, _, errs = w.run("unset", "service_api.client_id")
	t.Logf("$ globus-setup unset service_api.client_id\n%s", errs)
	if code != 0 || !strings.Contains(errs, "removed service_api.client_id, and service_api.scope_id and service_api.scope_string made from it") {
		t.Fatalf("unset of a client ID: exit %d", code)
	}
}
