package main

import (
	"strings"
	"testing"
)

// verify with a login whose token Globus ended early: renewed once with the
// refresh token, and every check runs; no login is asked for.
func TestVerifyWithATokenGlobusEnded(t *testing.T) {
	w, _ := newRotateCmdWorld(t)
	if n := w.srv.EndAccessTokens("operator@example.org"); n == 0 {
		t.Fatal("nothing ended")
	}
	code, out, errs := w.run("verify")
	t.Logf("$ globus-setup verify\n%s%s", out, errs)
	if code != 0 || strings.Contains(out+errs, "log in again") || strings.Contains(out+errs, "globus-setup login") {
		t.Fatalf("exit %d", code)
	}
	if n := countRefreshes(w); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

func countRefreshes(w *opsWorld) int {
	n := 0
	for _, r := range w.srv.Requests() {
		if r.Method == "POST" && r.Path == "/v2/oauth2/token" && r.Auth == "" && r.Status == 200 {
			n++ // public client: a code exchange or a refresh
		}
	}
	return n - 1 // the login's code exchange
}

// With the refresh token revoked too, the refresh fails: verify names the
// login to run, after one refresh Globus refused, not one per check.
func TestVerifyWithALoginGlobusEnded(t *testing.T) {
	w, _ := newRotateCmdWorld(t)
	w.srv.RevokeTokens("operator@example.org")
	before := len(w.srv.Requests())
	code, out, errs := w.run("verify")
	t.Logf("$ globus-setup verify\n%s%s", out, errs)
	if code == 0 || !strings.Contains(out, "the login was ended at Globus before it expired") || !strings.Contains(out, "run `globus-setup login`") {
		t.Fatalf("exit %d", code)
	}
	refused := 0
	for _, r := range w.srv.Requests()[before:] {
		if r.Method == "POST" && r.Path == "/v2/oauth2/token" && r.Auth == "" {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d refresh attempts, want 1", refused)
	}
}
