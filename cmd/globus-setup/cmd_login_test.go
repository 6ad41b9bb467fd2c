package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestLoginLogout(t *testing.T) {
	w := newOpsWorld(t)
	var seen string
	var code string
	w.browser = func(url string) string {
		seen = url
		c, err := w.srv.ApproveLogin(url)
		if err != nil {
			t.Error(err)
		}
		code = c
		// Pasting the whole address of the code page works too.
		return w.srv.AuthURL() + "v2/web/auth-code?code=" + c
	}
	exit, out, errs := w.run("login")
	if exit != 0 {
		t.Fatalf("exit %d\n%s%s", exit, out, errs)
	}
	if !strings.Contains(out, seen) || !strings.Contains(out, "(opened in your browser)") {
		t.Errorf("the address was not shown:\n%s", out)
	}
	if !strings.Contains(out, "Logged in through client "+w.publicID[:8]) || !strings.Contains(out, "auth.globus.org, groups.api.globus.org") {
		t.Errorf("stdout:\n%s", out)
	}
	if strings.Contains(out+errs, code) {
		t.Error("the code was printed")
	}
	raw, ok := w.vault().Internal("tokens.operator")
	if !ok {
		t.Fatal("no tokens kept")
	}
	for _, v := range w.vault().Doc().Values {
		if strings.Contains(raw, v) && len(v) > 40 {
			t.Error("token material in Values")
		}
	}

	// A first login through another thick client, without a browser.
	w.browser = nil
	exit, out, errs = w.run("login", "--client-id", "not-a-uuid")
	if exit == 0 || !strings.Contains(errs, "what to do:") {
		t.Errorf("bad --client-id: %d %s", exit, errs)
	}
	exit, out, errs = w.run("login", "--no-browser")
	if exit == 0 || !strings.Contains(errs, "no code was entered") {
		t.Errorf("no code: %d\n%s%s", exit, out, errs)
	}

	exit, out, _ = w.run("logout")
	if exit != 0 || !strings.Contains(out, "Logged out") {
		t.Errorf("logout: %d %s", exit, out)
	}
	if _, ok := w.vault().Internal("tokens.operator"); ok {
		t.Error("tokens left after logout")
	}
	exit, out, _ = w.run("logout")
	if exit != 0 || !strings.Contains(out, "Not logged in") {
		t.Errorf("second logout: %d %s", exit, out)
	}
	exit, _, errs = w.run("group", "create", "users")
	if exit == 0 || !strings.Contains(errs, "run `globus-setup login`, or add --as-client") {
		t.Errorf("group without login: %d %s", exit, errs)
	}
	if n := w.srv.CountRequests(http.MethodPost, "/v2/groups"); n != 0 {
		t.Errorf("%d group POSTs without a login", n)
	}
}
