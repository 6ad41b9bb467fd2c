package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// set of an app's ID or secret checks the pair live (one client-credentials
// grant), as the wizard checks a step after its save: accepted, refused
// (stored, exit 1, the rotate that makes a new one named) or plainly not
// checked when the other half is missing. verify's advice for a refused
// pair names rotate too.
func TestSetChecksAnAppsPairLive(t *testing.T) {
	w := newOpsWorld(t)
	w.pasted <- w.apiSecret
	code, out, errs := w.run("set", "service_api.client_secret", "-")
	if code != 0 || !strings.Contains(errs, "✓ Globus accepts the Service API client ID and secret (client-credentials grant)") {
		t.Fatalf("a working pair: %d\n%s%s", code, out, errs)
	}
	noLeak(t, "set", out, errs)

	// A refused secret never replaces a working one unasked (a typo would
	// lose the only working copy): exit 2 off a terminal, the working one kept.
	wrong := "d3Jvbmctc2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcnMuLg=="
	w.pasted <- wrong
	code, out, errs = w.run("set", "service_api.client_secret", "-")
	if code != 2 || strings.Contains(errs, "stored service_api.client_secret") || !strings.Contains(errs, "Globus refuses this secret for service_api.client_id") ||
		!strings.Contains(errs, "--store-refused stores it anyway") || w.value("service_api.client_secret") != w.apiSecret || strings.Contains(errs, wrong) {
		t.Fatalf("a refused secret over a working one: %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup set service_api.client_secret - (refused over a working one)\n%s", errs)
	w.terminal = true
	w.pasted <- wrong
	code, out, errs = w.run("set", "service_api.client_secret", "-")
	if code != 1 || !strings.Contains(errs, "the working one is kept") || w.value("service_api.client_secret") != w.apiSecret {
		t.Fatalf("no at the question: %d\n%s%s", code, out, errs)
	}
	w.terminal = false
	w.pasted <- wrong
	code, out, errs = w.run("set", "--store-refused", "service_api.client_secret", "-")
	if code != 1 || !strings.Contains(errs, "stored service_api.client_secret") || !strings.Contains(errs, "✗ Globus refuses the Service API client ID and secret now stored") ||
		!strings.Contains(errs, "`globus-setup rotate service_api`") || strings.Contains(errs, wrong) {
		t.Fatalf("a refused pair: %d\n%s%s", code, out, errs)
	}
	if w.value("service_api.client_secret") != wrong {
		t.Fatal("the refused secret was not stored (set stores, then checks)")
	}
	_, out, _ = w.run("verify")
	if !strings.Contains(out, "make a new secret by API with `globus-setup rotate service_api`") || !strings.Contains(out, "developers console") {
		t.Errorf("verify's advice for a refused secret:\n%s", out)
	}

	if code, _, errs := w.run("unset", "--yes", "service_account.client_id"); code != 0 {
		t.Fatal(errs)
	}
	w.pasted <- w.acctSecret
	code, _, errs = w.run("set", "service_account.client_secret", "-")
	if code != 0 || !strings.Contains(errs, "not checked with Globus: service_account.client_id is not stored yet") {
		t.Fatalf("half a pair: %d\n%s", code, errs)
	}
	if code, _, errs = w.run("set", "service_account.client_id", w.acctID); code != 0 || !strings.Contains(errs, "✓ Globus accepts the Service Account client ID and secret") {
		t.Fatalf("the ID completing the pair: %d\n%s", code, errs)
	}
}

// A value set asks for is asked after the vault's passphrase, as every
// other command asks it first: where the passphrase cannot be had, the
// value is never asked for (before, the secret's prompt came first, and a
// passphrase typed there was stored as the secret).
func TestSetAsksThePassphraseFirst(t *testing.T) {
	w := newOpsWorld(t)
	w.env["GLOBUS_SETUP_PASSPHRASE_FILE"] = ""
	code, _, errs := w.run("set", "service_api.client_secret")
	if code == 0 || !strings.Contains(errs, "no terminal to ask for the passphrase") || strings.Contains(errs, "no terminal to ask for service_api.client_secret") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	// A value on the command line is still checked before any passphrase.
	w.env["GLOBUS_SETUP_PASSPHRASE_FILE"] = filepath.Join(t.TempDir(), "none")
	if code, _, errs := w.run("set", "policy.id", "not-a-uuid"); code == 0 || !strings.Contains(errs, "policy.id not stored") {
		t.Fatalf("a bad value: %d %s", code, errs)
	}
}

// unset of a secret says what it loses (Globus shows a secret once; rotate
// makes a new one) and asks, or needs --yes where nobody can be asked; a
// no removes nothing. A copy in the gateway's .env is named.
func TestUnsetOfASecretAsks(t *testing.T) {
	w := newOpsWorld(t)
	code, _, errs := w.run("unset", "service_api.client_secret")
	if code != 2 || !strings.Contains(errs, "Globus shows a secret only once") || !strings.Contains(errs, "this is its last copy") ||
		!strings.Contains(errs, "`globus-setup rotate service_api` makes a new one") || !strings.Contains(errs, "add --yes") {
		t.Fatalf("not at a terminal: %d %s", code, errs)
	}
	if w.value("service_api.client_secret") != w.apiSecret {
		t.Fatal("removed without a yes")
	}
	w.terminal = true
	w.pasted <- "n"
	if code, _, errs := w.run("unset", "service_api.client_secret"); code != 1 || !strings.Contains(errs, "Cancelled: nothing was removed.") || w.value("service_api.client_secret") == "" {
		t.Fatalf("answered no: %d %s", code, errs)
	}
	env := filepath.Join(t.TempDir(), ".env")
	if code, _, errs := w.run("export", "--out", env); code != 0 {
		t.Fatal(errs)
	}
	w.pasted <- "y"
	if code, _, errs := w.run("unset", "service_api.client_secret"); code != 0 || !strings.Contains(errs, "a copy is left in plaintext in "+env) || w.value("service_api.client_secret") != "" {
		t.Fatalf("answered yes: %d %s", code, errs)
	}
	w.terminal = false
	if code, _, errs := w.run("unset", "service_api.client_id"); code != 0 { // not a secret: no question
		t.Fatalf("unset of an ID: %d %s", code, errs)
	}
}
