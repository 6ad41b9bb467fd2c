package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// hostile is what a compromised Globus, or anything on the path to a
// loopback emulator, could put in any string: OSC 52 sets the clipboard,
// OSC 0 retitles the terminal, CSI clears it, the same again through C1
// controls, CR and backspace overwrite, a bidi override reorders.
const hostile = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x07\x1b[2J\u009b2J\u009d0;t\u009c\rFAKE\b\b\u202egpj.exe"

// shown is how the start of hostile looks once made safe.
const shown = `\x1b]52;c;cm0gLXJmIH4K\x07`

func jsonBody(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Globus's two error shapes, every field hostile.
var (
	hostileAPIError = jsonBody(map[string]any{
		"errors":            []map[string]any{{"status": "403", "code": hostile, "detail": hostile, "title": hostile, "id": hostile}},
		"request_id":        hostile,
		"error_description": hostile,
	})
	hostileOAuthError = jsonBody(map[string]any{"error": "invalid_client", "error_description": hostile, "request_id": hostile})
)

// firstUnsafe returns what a terminal would act on in s, if anything.
func firstUnsafe(s string) (string, bool) {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return s[i : i+1], true
		}
		if termsafe.Unsafe(r) && r != '\n' && r != '\t' {
			return string(r), true
		}
	}
	return "", false
}

// No command lets a hostile string from Globus, a pasted address or the
// vault reach the terminal raw: every output shows it escaped instead.
func TestNoOutputCarriesTerminalEscapes(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *opsWorld)
		args  []string
	}{
		{"verify: credentials refused with a hostile OAuth error", func(w *opsWorld) {
			w.srv.FailNext(http.MethodPost, "/v2/oauth2/token", 100, globustest.Failure{Status: 401, Body: hostileOAuthError})
		}, []string{"verify"}},
		{"scope create: a hostile API error", func(w *opsWorld) {
			w.srv.FailNext(http.MethodGet, "/v2/api/clients/", 100, globustest.Failure{Status: 403, Body: hostileAPIError})
		}, []string{"scope", "create"}},
		{"group create: a hostile Groups error", func(w *opsWorld) {
			w.srv.FailNext(http.MethodPost, "/v2/groups", 100, globustest.Failure{Status: 403, Body: hostileAPIError})
		}, []string{"group", "create", "users", "--member", "alice@example.org"}},
		{"apply: a hostile operator name in the plan header", func(w *opsWorld) {
			info := jsonBody(map[string]any{"sub": "2b5c8a1e-0d3f-4e6a-9b7c-1d2e3f4a5b6c", "preferred_username": hostile, "name": hostile, "email": "op@example.org"})
			w.srv.FailNext(http.MethodGet, "/v2/oauth2/userinfo", 100, globustest.Failure{Status: 200, Body: info})
		}, []string{"apply", "--dry-run"}},
		{"login: a pasted address carrying a hostile error_description", func(w *opsWorld) {
			w.browser = func(string) string {
				return "https://auth.globus.org/v2/web/auth-code?error=access_denied&error_description=" + url.QueryEscape(hostile)
			}
		}, []string{"login"}},
		{"get: a value Globus handed back", func(w *opsWorld) {
			if err := w.vault().Update(func(d *vault.Doc) error { d.Values["project.name"] = hostile; return nil }); err != nil {
				t.Fatal(err)
			}
		}, []string{"get", "project.name"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newOpsWorld(t)
			w.login()
			c.setup(w)
			_, out, errs := w.run(c.args...)
			for name, s := range map[string]string{"stdout": out, "stderr": errs} {
				if r, bad := firstUnsafe(s); bad {
					t.Errorf("%s carries %q:\n%q", name, r, s)
				}
			}
			if !strings.Contains(out+errs, shown) {
				t.Errorf("the hostile text never reached the output, so this proves nothing:\n%s%s", out, errs)
			}
		})
	}
}
