package main

import (
	"encoding/json"
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
	if !strings.Contains(out, seen) || !strings.Contains(out, "(sent to your browser") {
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
	// The tokens live only in Internal: no command that prints values shows them.
	var login struct {
		Tokens map[string]struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(raw), &login); err != nil || len(login.Tokens) == 0 {
		t.Fatalf("stored login %v: %d tokens", err, len(login.Tokens))
	}
	var printedOut []string
	for _, args := range [][]string{
		{"get", "tokens.operator"}, {"get", "internal.tokens.operator"}, {"get", "groups.tokens.operator"},
		{"export"}, {"export", "--format", "json"}, {"export", "--format", "shell"},
		{"status"}, {"status", "--keys"},
	} {
		_, o, e := w.run(args...)
		printedOut = append(printedOut, o, e)
	}
	for _, k := range []string{"project.id", "service_api.client_id", "service_api.client_secret", "public_client.client_id", "policy.id"} {
		_, o, e := w.run("get", k)
		printedOut = append(printedOut, o, e)
	}
	for rs, tok := range login.Tokens {
		for _, s := range []string{tok.AccessToken, tok.RefreshToken} {
			if s == "" {
				continue
			}
			for _, o := range printedOut {
				if strings.Contains(o, s) {
					t.Errorf("a %s token was printed: %q", rs, o)
				}
			}
		}
	}

	// A first login through another thick client, without a browser.
	w.browser = nil
	exit, _, errs = w.run("login", "--client-id", "not-a-uuid")
	if exit == 0 || !strings.Contains(errs, "what to do:") {
		t.Errorf("bad --client-id: %d %s", exit, errs)
	}
	exit, out, errs = w.run("login", "--no-browser")
	if exit == 0 || !strings.Contains(errs, "no code was entered") {
		t.Errorf("no code: %d\n%s%s", exit, out, errs)
	}

	revokes := w.srv.CountRequests(http.MethodPost, "/v2/oauth2/token/revoke")
	exit, out, _ = w.run("logout")
	// Two resource servers, each an access and a refresh token.
	if exit != 0 || !strings.Contains(out, "Logged out: 4 token(s) revoked at Globus and deleted from the vault.") {
		t.Errorf("logout: %d %s", exit, out)
	}
	if n := w.srv.CountRequests(http.MethodPost, "/v2/oauth2/token/revoke") - revokes; n != 4 {
		t.Errorf("%d revocations, want 4", n)
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
