package tui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

// fillStep opens the step's fields and types values in order, then submits.
func fillStep(tm *teatest.TestModel, vals ...string) {
	press(tm, tea.KeyEnter)
	for i, v := range vals {
		tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(v), Paste: true})
		if i < len(vals)-1 {
			press(tm, tea.KeyTab)
		}
	}
	press(tm, tea.KeyEnter)
}

func TestServiceAPIStepCreatesScopeAndVerifies(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	project := srv.AddProject("Inference Gateway", "ops@example.org")
	id, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)

	tm := start(t, cfg, 200, 50)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyTab)
	waitFor(t, tm, "Step 2 of 6")
	fillStep(tm, id, secret)
	// Saved and checked: the wizard moves on, saying so on step 3.
	waitFor(t, tm, "Step 3 of 6", "✓ Step 2 saved and checked")
	runes(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	doc := cfg.Vault.Doc()
	if doc.Values["service_api.scope_id"] == "" || !strings.HasSuffix(doc.Values["service_api.scope_string"], "/action_all") {
		t.Fatalf("scope not stored: %q %q", doc.Values["service_api.scope_id"], doc.Values["service_api.scope_string"])
	}
	if st := steps.Status(doc)[1].State; st != steps.StateVerified {
		t.Fatalf("service_api state %q, want verified", st)
	}
	if got := len(srv.ClientScopes(id)); got != 1 {
		t.Fatalf("%d scopes on the client, want 1", got)
	}
}

func TestBadSecretSaysWhatToFixAndKeepsValues(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	project := srv.AddProject("Inference Gateway", "ops@example.org")
	id, _ := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
	wrong := "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="

	tm := start(t, cfg, 200, 50)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyTab)
	waitFor(t, tm, "Step 2 of 6")
	fillStep(tm, id, wrong)
	waitFor(t, tm, "✗ ")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	p := m.shell.stepsPg["service_api"]
	if p.result.ok {
		t.Fatal("a wrong secret passed the check")
	}
	if m.shell.sel != 1 {
		t.Fatalf("a failed check moved on to screen %d", m.shell.sel)
	}
	if got := inputValue(p.fields[0].in); got != id {
		t.Fatalf("typed ID lost: %q", got)
	}
	if got := inputValue(p.fields[1].in); got != wrong {
		t.Fatal("typed secret lost")
	}
	if strings.Contains(strings.Join(p.result.report, "\n")+strings.Join(p.result.summary, "\n"), wrong) {
		t.Fatal("the secret appears in the result")
	}
	if st := steps.Status(cfg.Vault.Doc())[1].State; st == steps.StateVerified {
		t.Fatal("verified with a wrong secret")
	}
}

func TestEscCancelsCheck(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	project := srv.AddProject("Inference Gateway", "ops@example.org")
	id, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
	srv.FailNext("POST", "/v2/oauth2/token", 10, globustest.Failure{Delay: time.Minute})

	tm := start(t, cfg, 200, 50)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyTab)
	waitFor(t, tm, "Step 2 of 6")
	fillStep(tm, id, secret)
	waitFor(t, tm, "Talking to Globus")
	press(tm, tea.KeyEsc)
	waitFor(t, tm, "Cancelled")
	if v, _ := cfg.Vault.Get("service_api.client_id"); v != id {
		t.Fatal("cancelling lost the accepted ID")
	}
}

func TestLoginScreen(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	srv.AddIdentity("op@example.org", "Op", "op@example.org", "")
	srv.SetOperator("op@example.org")
	project := srv.AddProject("Inference Gateway", "ops@example.org", "op@example.org")
	public, _ := srv.RegisterClient(project, "Public", globustest.PublicInstalledClient)
	if err := steps.SetValue(cfg.Vault, "public_client.client_id", public); err != nil {
		t.Fatal(err)
	}
	tm := start(t, cfg, 200, 50)
	waitFor(t, tm, "Step 1 of 6")
	runes(tm, "L")
	waitFor(t, tm, "Log in to Globus", "Not logged in")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "did not open")
	rec.mu.Lock()
	url := rec.opened[len(rec.opened)-1]
	rec.mu.Unlock()
	code, err := srv.ApproveLogin(url)
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(code), Paste: true})
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Logged in through client")
	if _, ok := steps.LoggedIn(cfg.Vault); !ok {
		t.Fatal("login not kept in the vault")
	}
}

func TestFinishWritesEnv(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	if err := steps.SetValues(cfg.Vault, map[string]string{
		"service_api.client_id": "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c",
		"policy.domains":        "example.org example.edu",
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := dir + "/gateway.env"
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("f")})
	f := m.shell.finish
	setInput(f.path, path)
	drive(m, keys("w"))
	if !f.result.ok || !strings.Contains(m.View(), "gateway.env") {
		t.Fatalf("write failed: %+v", f.result)
	}
	// Again, nothing changed: nothing is written, no backup.
	drive(m, keys("w"))
	if !f.result.ok || !strings.Contains(strings.Join(f.result.summary, " "), "already holds these settings") {
		t.Fatalf("an unchanged merge: %+v", f.result)
	}
	// A changed value: merged, the previous file kept as the one .bak.
	if err := steps.SetValues(cfg.Vault, map[string]string{"policy.domains": "example.org"}); err != nil {
		t.Fatal(err)
	}
	drive(m, keys("w"))
	if !f.result.ok || !strings.Contains(strings.Join(f.result.summary, " "), "kept as "+path+".bak ") {
		t.Fatalf("merge did not keep a backup: %+v", f.result)
	}
	assertMode0600(t, path)
}

// Finish warns, naming its own check (x), while the stored domains were
// typed and never read from the stored policy; once read (or checked) it
// does not.
func TestFinishWarnsDomainsNeverRead(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	if err := steps.SetValues(cfg.Vault, map[string]string{
		"policy.id": "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c", "policy.domains": "anl.gov",
	}); err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, keys("f"))
	f := m.shell.finish
	setInput(f.path, filepath.Join(t.TempDir(), "gateway.env"))
	drive(m, keys("w"))
	got := strings.Join(f.result.report, "\n")
	if !f.result.ok || !strings.Contains(got, "not read from the policy on Globus") || !strings.Contains(got, "press x on Finish to compare") {
		t.Fatalf("Finish does not warn about typed domains: %+v", f.result)
	}
	if err := steps.MarkState(cfg.Vault, "policy", steps.StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	drive(m, keys("w"))
	if strings.Contains(strings.Join(f.result.report, "\n"), "not read from the policy") {
		t.Fatalf("Finish warns about checked domains: %+v", f.result)
	}
}
