package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// proveAs runs `verify --as-user` with the browser signing in as username,
// and returns the exit code, the output and the code the browser got.
func (w *opsWorld) proveAs(username string) (int, string, string, string) {
	w.t.Helper()
	var seen, code string
	w.browser = func(url string) string {
		seen = url
		c, err := w.srv.ApproveLoginAs(url, username)
		if err != nil {
			w.t.Error(err)
		}
		code = c
		return c
	}
	defer func() { w.browser = nil }()
	exit, out, errs := w.run("verify", "--as-user")
	if seen == "" || !strings.Contains(out, seen) || !strings.Contains(out, "(sent to your browser") {
		w.t.Errorf("the login address was not shown:\n%s", out)
	}
	return exit, out, errs, code
}

func TestProveUser(t *testing.T) {
	w := newOpsWorld(t)
	w.srv.AddIdentity("eve@example.com", "Eve", "", "")
	tap := tapTokens(w)

	// Without the scope there is nothing the gateway's users could ask for.
	code, out, errs := w.run("verify", "--as-user")
	if code != 1 || !strings.Contains(errs, "what to do:") || strings.Contains(out, "Log in") {
		t.Errorf("before the scope: exit %d\n%s%s", code, out, errs)
	}
	if c, _, errs := w.run("scope", "create"); c != 0 {
		t.Fatal(errs)
	}

	// Over SSH (or --no-browser) the link is shown, not opened; the code
	// comes from the terminal.
	code, out, errs = w.run("verify", "--as-user", "--no-browser")
	if code != 1 || !strings.Contains(out, "/auth/v2/oauth2/authorize?") || strings.Contains(out, "(sent to your browser") ||
		!strings.Contains(errs, "no code was entered") {
		t.Errorf("no browser, no code: exit %d\n%s%s", code, out, errs)
	}

	var printed strings.Builder
	exit, out, errs, aliceCode := w.proveAs("alice@example.org")
	printed.WriteString(out + errs)
	if exit != 0 || !strings.Contains(out, "alice@example.org would be admitted") || strings.Contains(out, "✗") {
		t.Errorf("alice: exit %d\n%s%s", exit, out, errs)
	}
	t.Logf("$ globus-setup verify --as-user   # as alice@example.org\n%s", out)

	// eve signs in through example.com, which the policy does not allow.
	exit, out, errs, eveCode := w.proveAs("eve@example.com")
	printed.WriteString(out + errs)
	if exit != 1 || !strings.Contains(out, "eve@example.com would be refused") || !strings.Contains(out, "✗") {
		t.Errorf("eve: exit %d\n%s%s", exit, out, errs)
	}
	t.Logf("$ globus-setup verify --as-user   # as eve@example.com\n%s", out)

	assertNoSecrets(t, tap, printed.String(), w.apiSecret, w.acctSecret, aliceCode, eveCode)
	// The proof keeps nothing: no token it got lands in the vault.
	doc, err := json.Marshal(w.vault().Doc())
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range tap.tokens() {
		if strings.Contains(string(doc), tok) {
			t.Fatal("a token of the proof was stored in the vault")
		}
	}
}
