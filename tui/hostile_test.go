package tui

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// hostile is what a compromised Globus (or a pasted address, or a file
// name) could hold: OSC 52 sets the clipboard, OSC 0 retitles, CSI clears,
// the same through C1 controls, CR and backspace overwrite, bidi reorders.
const hostile = "\x1b]52;c;cm0gLXJmIH4K\x07\x1b]0;pwned\x07\x1b[2J\u009b2J\u009d0;t\u009c\rFAKE\b\b\u202egpj.exe"

// shown is how the start of hostile looks once made safe.
const shown = `\x1b]52;c;cm0gLXJmIH4K\x07`

func hostileJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

var (
	hostileAPIError = hostileJSON(map[string]any{
		"errors":     []map[string]any{{"status": "403", "code": hostile, "detail": hostile, "title": hostile, "id": hostile}},
		"request_id": hostile,
	})
	hostileOAuthError = hostileJSON(map[string]any{"error": "invalid_client", "error_description": hostile, "request_id": hostile})
)

// Our own styling: SGR colours and OSC 8 links. Nothing else may carry ESC.
var ownSequences = regexp.MustCompile(`\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b\x07]*\x1b\\`)

// assertSafeView fails if the view holds anything a terminal would act on
// besides our own styling, or if the hostile text never reached it.
func assertSafeView(t *testing.T, m *Model, what string) {
	t.Helper()
	v := m.View()
	rest := ownSequences.ReplaceAllString(v, "")
	for _, r := range rest {
		if termsafe.Unsafe(r) && r != '\n' && r != '\t' {
			t.Errorf("%s: the screen carries %q:\n%q", what, r, v)
			return
		}
	}
	if !strings.Contains(v, shown) {
		t.Errorf("%s: the hostile text never reached the screen, so this proves nothing:\n%s", what, v)
	}
}

func TestNoScreenCarriesTerminalEscapes(t *testing.T) {
	t.Run("a step's check refused with a hostile OAuth error", func(t *testing.T) {
		cfg, srv, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		project := srv.AddProject("Inference Gateway", "ops@example.org")
		id, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
		if err := steps.SetValues(cfg.Vault, map[string]string{"service_api.client_id": id, "service_api.client_secret": secret}); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(http.MethodPost, "/v2/oauth2/token", 100, globustest.Failure{Status: 401, Body: hostileOAuthError})
		m := openOn(t, cfg, 1)
		drive(m, keys("x"))
		assertSafeView(t, m, "step check")
	})
	t.Run("the plan header names a hostile operator; the apply fails with a hostile error", func(t *testing.T) {
		cfg, srv, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		logIn(t, cfg, srv, thickClient(t, srv))
		info := hostileJSON(map[string]any{"sub": "2b5c8a1e-0d3f-4e6a-9b7c-1d2e3f4a5b6c", "preferred_username": hostile, "email": "op@example.org"})
		srv.FailNext(http.MethodGet, "/v2/oauth2/userinfo", 100, globustest.Failure{Status: 200, Body: info})
		m := openOn(t, cfg, 0)
		drive(m, keys("a"))
		if m.shell.stepPage("project").plan == nil {
			t.Fatalf("no plan:\n%s", m.View())
		}
		assertSafeView(t, m, "plan")
		srv.FailNext(http.MethodPost, "/v2/api/projects", 1, globustest.Failure{Status: 403, Body: hostileAPIError})
		drive(m, enter)
		assertSafeView(t, m, "apply result")
	})
	t.Run("verify all on the finish screen", func(t *testing.T) {
		cfg, srv, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		if err := steps.SetValues(cfg.Vault, map[string]string{"service_api.client_id": "11111111-2222-4333-8444-555555555555", "service_api.client_secret": "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="}); err != nil {
			t.Fatal(err)
		}
		srv.FailNext(http.MethodPost, "/v2/oauth2/token", 100, globustest.Failure{Status: 401, Body: hostileAPIError})
		m := openOn(t, cfg, 0)
		m.shell.goTo(m.shell.finishIndex())
		drive(m, keys("x"))
		assertSafeView(t, m, "verify all")
	})
	t.Run("a pasted login address with a hostile error_description", func(t *testing.T) {
		cfg, srv, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		client := thickClient(t, srv)
		m := openOn(t, cfg, 0)
		m.shell.goTo(m.shell.loginIndex())
		drive(m, enter) // type the client ID
		drive(m, paste(client))
		drive(m, enter) // start: the code field is next
		drive(m, paste("https://auth.globus.org/v2/web/auth-code?error=access_denied&error_description="+url.QueryEscape(hostile)))
		drive(m, enter)
		assertSafeView(t, m, "login")
	})
	t.Run("a stored value Globus handed back, in the values browser", func(t *testing.T) {
		cfg, _, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		if err := cfg.Vault.Update(func(d *vault.Doc) error { d.Values["project.name"] = hostile; return nil }); err != nil {
			t.Fatal(err)
		}
		m := openOn(t, cfg, 0)
		m.shell.goTo(m.shell.valuesIndex())
		assertSafeView(t, m, "values")
	})
	t.Run("a vault path holding escapes, on the unlock screen", func(t *testing.T) {
		cfg, _, _ := testConfig(t)
		cfg.Paths = vault.PathsFor(filepath.Join(t.TempDir(), hostile, "vault.age"))
		m := NewModel(cfg).(*Model)
		m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
		assertSafeView(t, m, "unlock")
	})
}

// Accessible mode prints through say: nothing raw gets out there either.
func TestAccessibleSayIsSafe(t *testing.T) {
	var out bytes.Buffer
	a := &access{out: &out}
	a.say("Problem: %s", hostile)
	for _, r := range out.String() {
		if termsafe.Unsafe(r) && r != '\n' && r != '\t' {
			t.Fatalf("accessible output carries %q: %q", r, out.String())
		}
	}
	if !strings.Contains(out.String(), shown) {
		t.Fatalf("said %q", out.String())
	}
}
