package tui

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

const operator = "op@example.org"

// drive sends msg and feeds back every message its commands produce, as the
// program would, until nothing more comes. A text cursor's blink is dropped:
// it would blink for ever.
func drive(m *Model, msg tea.Msg) {
	for i := 0; msg != nil && i < 50; i++ {
		_, cmd := m.Update(msg)
		msg = runCmd(cmd)
		if msg != nil && reflect.TypeOf(msg).PkgPath() == "github.com/charmbracelet/bubbles/cursor" {
			return
		}
	}
}

func keys(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)} }

var (
	enter = tea.KeyMsg{Type: tea.KeyEnter}
	esc   = tea.KeyMsg{Type: tea.KeyEsc}
	tab   = tea.KeyMsg{Type: tea.KeyTab}
)

func paste(s string) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true} }

// thickClient is the operator and a thick client to log in with, in a
// project the operator does not administer (so it is never the operator's).
func thickClient(t *testing.T, srv *globustest.Server) string {
	t.Helper()
	srv.AddIdentity(operator, "Op", operator, "")
	srv.SetOperator(operator)
	other := srv.AddProject("Someone else's", "else@example.com", "else@example.com")
	id, _ := srv.RegisterClient(other, "CLI", globustest.PublicInstalledClient)
	return id
}

// logIn logs the operator in through clientID without the screens.
func logIn(t *testing.T, cfg Config, srv *globustest.Server, clientID string) {
	t.Helper()
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	flow, err := steps.StartLogin(env, clientID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := srv.ApproveLogin(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := steps.FinishLogin(context.Background(), env, flow, code); err != nil {
		t.Fatal(err)
	}
}

func operatorProjects(srv *globustest.Server) []globustest.ProjectInfo {
	var out []globustest.ProjectInfo
	for _, p := range srv.Projects() {
		if slices.Contains(p.Admins, operator) {
			out = append(out, p)
		}
	}
	return out
}

// assertFits checks the frame at 100x30 and 60x20, then restores 200x60.
func assertFits(t *testing.T, m *Model, what string) {
	t.Helper()
	for _, size := range [][2]int{{100, 30}, {60, 20}} {
		w, h := size[0], size[1]
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		v := m.View()
		if got := lipgloss.Height(v); got != h {
			t.Errorf("%s at %dx%d: %d lines", what, w, h, got)
		}
		for i, l := range strings.Split(v, "\n") {
			if lw := lipgloss.Width(l); lw > w {
				t.Errorf("%s at %dx%d: line %d is %d wide: %q", what, w, h, i, lw, l)
			}
		}
	}
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
}

func resultText(o outcome) string {
	return strings.Join(append(append([]string{}, o.report...), o.summary...), "\n")
}

func TestApplyProjectCreatesThenKeeps(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := openOn(t, cfg, 0)
	p := m.shell.stepPage("project")
	if !strings.Contains(m.View(), "a: let the wizard do this step for you") {
		t.Fatal("the step does not offer to do it for the operator")
	}

	drive(m, keys("a"))
	if p.plan == nil {
		t.Fatalf("no plan: %s", resultText(p.result))
	}
	v := m.View()
	for _, want := range []string{"Plan", "create  project", "enter: do it · esc: back"} {
		if !strings.Contains(v, want) {
			t.Fatalf("the plan view lacks %q:\n%s", want, v)
		}
	}
	if len(operatorProjects(srv)) != 0 {
		t.Fatal("planning created a project")
	}
	assertFits(t, m, "plan")

	drive(m, enter)
	id := cfg.Vault.Doc().Values["project.id"]
	projects := operatorProjects(srv)
	if len(projects) != 1 || projects[0].ID != id {
		t.Fatalf("after enter: vault project.id %q, the operator's projects %+v", id, projects)
	}
	if !p.applied.ok || !strings.Contains(resultText(p.applied), "created") {
		t.Fatalf("apply outcome: %+v", p.applied)
	}
	if !p.result.ok {
		t.Fatalf("the check after applying failed: %s", resultText(p.result))
	}
	if got := inputValue(p.fields[0].in); got != id {
		t.Fatalf("project ID field %q, want the stored %q", got, id)
	}
	if st := steps.Status(cfg.Vault.Doc())[0].State; st != steps.StateVerified {
		t.Fatalf("project step %q after applying and checking", st)
	}
	assertFits(t, m, "applied")

	drive(m, keys("a"))
	if p.plan == nil || p.plan.Creates() != 0 {
		t.Fatalf("second plan: %+v (%s)", p.plan, resultText(p.result))
	}
	v = m.View()
	if !strings.Contains(v, "keep    project") || strings.Contains(v, "create  project") || !strings.Contains(v, "Nothing to create.") {
		t.Fatalf("the second plan does not say keep:\n%s", v)
	}
	drive(m, enter)
	if got := len(operatorProjects(srv)); got != 1 {
		t.Fatalf("%d projects after the second run, want 1", got)
	}
	if !p.applied.ok {
		t.Fatalf("second apply: %s", resultText(p.applied))
	}
}

func TestApplyEscLeavesPlan(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := openOn(t, cfg, 0)
	drive(m, keys("a"))
	p := m.shell.stepPage("project")
	if p.plan == nil {
		t.Fatalf("no plan: %s", resultText(p.result))
	}
	drive(m, keys("e")) // not a plan key: ignored rather than editing
	if p.editing || p.plan == nil {
		t.Fatal("a stray key changed the plan screen")
	}
	drive(m, esc)
	if p.plan != nil || strings.Contains(m.View(), "create  project") {
		t.Fatal("esc did not leave the plan")
	}
	drive(m, enter) // now enter edits the fields again
	if !p.editing {
		t.Fatal("enter after esc did not open the fields")
	}
	if len(operatorProjects(srv)) != 0 {
		t.Fatal("a project was created without enter on the plan")
	}
}

func TestApplyWithoutLoginSaysLogIn(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thickClient(t, srv)
	m := openOn(t, cfg, 0)
	drive(m, keys("a"))
	p := m.shell.stepPage("project")
	if p.plan != nil {
		t.Fatal("a plan without a login")
	}
	// A login missing is no failure of the step: a starts the login, which
	// says it goes back to step 1.
	if v := m.View(); m.shell.sel != m.shell.loginIndex() || !strings.Contains(v, "goes back to step 1") || p.failed() {
		t.Fatalf("a without a login did not start it:\n%s", v)
	}
	if len(srv.Projects()) != 1 {
		t.Fatal("something was created without a login")
	}
	assertFits(t, m, "the login a started")
}

func TestApplyPolicyWithTypedDomains(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := openOn(t, cfg, 0)
	drive(m, keys("a"))
	drive(m, enter)
	projectID := cfg.Vault.Doc().Values["project.id"]
	if projectID == "" {
		t.Fatalf("project not created: %s", resultText(m.shell.stepPage("project").applied))
	}

	m.shell.goTo(4)
	p := m.shell.stepPage("policy")
	if p.fields[1].f.Key != "policy.domains" || p.fields[2].f.Key != "policy.assurance_timeout" {
		t.Fatalf("policy fields moved: %s %s", p.fields[1].f.Key, p.fields[2].f.Key)
	}
	// Nothing typed: the domains are suggested (the contact e-mail's) and
	// said to be, so a plans at once instead of failing for want of them.
	if got := inputValue(p.fields[1].in); got != "example.org" {
		t.Fatalf("suggested domains %q, want the contact e-mail's domain", got)
	}
	if v := m.View(); !strings.Contains(v, "(suggested: the contact e-mail's domain)") {
		t.Fatalf("the suggestion is not labelled:\n%s", v)
	}
	drive(m, keys("a"))
	if p.plan == nil || p.planValues["policy.domains"] != "example.org" {
		t.Fatalf("no plan with the suggested domains: %s %v", resultText(p.result), p.planValues)
	}
	drive(m, esc)
	drive(m, enter) // edit, on the policy ID
	drive(m, tab)
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	drive(m, paste("example.org example.edu"))
	drive(m, tab)
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	drive(m, paste("2h"))
	drive(m, esc)
	drive(m, keys("a"))
	if p.plan == nil {
		t.Fatalf("no plan: %s", resultText(p.result))
	}
	if p.planValues["policy.domains"] != "example.org example.edu" || p.planValues["policy.assurance_timeout"] != "7200" {
		t.Fatalf("plan values %v", p.planValues)
	}
	if _, ok := p.planValues["policy.id"]; ok {
		t.Fatal("the (empty) ID field was passed to the plan")
	}
	if v := m.View(); !strings.Contains(v, "create  policy") || !strings.Contains(v, "example.org") {
		t.Fatalf("plan view:\n%s", v)
	}
	drive(m, enter)
	pols := srv.Policies(projectID)
	if len(pols) != 1 {
		t.Fatalf("%d policies, want 1 (%s)", len(pols), resultText(p.applied))
	}
	if got := strings.Join(pols[0].Domains, " "); got != "example.org example.edu" || pols[0].Timeout != 7200 {
		t.Fatalf("policy domains %q timeout %d", got, pols[0].Timeout)
	}
	doc := cfg.Vault.Doc()
	if doc.Values["policy.id"] != pols[0].ID || doc.Values["policy.domains"] != "example.org example.edu" {
		t.Fatalf("vault policy.id %q domains %q", doc.Values["policy.id"], doc.Values["policy.domains"])
	}
	if inputValue(p.fields[0].in) != pols[0].ID {
		t.Fatal("the policy ID was not filled in after applying")
	}
}

func TestApplyRefusesInvalidTypedValue(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := openOn(t, cfg, 4)
	p := m.shell.stepPage("policy")
	drive(m, enter)
	drive(m, tab)
	drive(m, paste("not a domain!"))
	drive(m, esc)
	before := len(srv.Requests())
	drive(m, keys("a"))
	if p.plan != nil || p.fields[1].err == "" {
		t.Fatalf("planned with an invalid domain (field error %q)", p.fields[1].err)
	}
	if len(srv.Requests()) != before {
		t.Fatal("Globus was asked anything with an invalid value typed")
	}
	if !strings.Contains(m.View(), "Fix the value marked ✗") {
		t.Fatal("no advice to fix the value")
	}
}

func TestApplySecretsStayMasked(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := openOn(t, cfg, 0)
	drive(m, keys("a"))
	drive(m, enter)
	m.shell.goTo(1)
	drive(m, keys("a"))
	p := m.shell.stepPage("service_api")
	if p.plan == nil {
		t.Fatalf("no plan: %s", resultText(p.result))
	}
	drive(m, enter)
	secret := cfg.Vault.Doc().Values["service_api.client_secret"]
	if secret == "" || !p.applied.ok {
		t.Fatalf("no secret stored: %s", resultText(p.applied))
	}
	if inputValue(p.fields[1].in) != secret {
		t.Fatal("the stored secret was not prefilled (masked)")
	}
	if v := m.View(); strings.Contains(v, secret) {
		t.Fatal("the new secret is on screen")
	}
	if strings.Contains(resultText(p.applied)+resultText(p.result), secret) {
		t.Fatal("the new secret is in a result")
	}
	// The check after "do it for me" only verifies: the scope just created
	// is not reported a second time as reused.
	if r := resultText(p.applied) + resultText(p.result); !strings.Contains(r, "created scope") || strings.Contains(r, "Reused the existing") {
		t.Fatalf("the scope is reported twice (or not at all):\n%s", r)
	}
}

// TestApplyStreamsAndStops runs the real program: each result shows as it
// arrives, esc stops a call in flight, and a's next plan carries on.
func TestApplyStreamsAndStops(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), env, steps.ApplyOptions{Steps: []string{"project"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	// The app is created; its secret hangs until esc.
	srv.FailNext("POST", "/v2/api/clients/", 1, globustest.Failure{Delay: 10 * time.Minute})
	// Only esc may end the hanging call: a slow (race-enabled) run must not
	// see the HTTP timeout first.
	cfg.Env.Timeout = 10 * time.Minute
	slow, err := globus.New(cfg.Env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Globus = slow

	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "a")
	waitFor(t, tm, "create  app", "enter: do it")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "✓ created app")
	// esc must land while the secret's request hangs, not before it is sent
	// (then the hang would catch the next run instead).
	for deadline := time.Now().Add(15 * time.Second); srv.CountRequests("POST", "/v2/api/clients/") == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the secret's request never reached the emulator")
		}
		time.Sleep(10 * time.Millisecond)
	}
	press(tm, tea.KeyEsc)
	waitFor(t, tm, "Stopped.")
	appID, _ := cfg.Vault.Get("service_api.client_id")
	if appID == "" {
		t.Fatal("the app created before esc is not stored")
	}
	if secret, _ := cfg.Vault.Get("service_api.client_secret"); secret != "" {
		t.Fatal("a secret was stored although its creation was stopped")
	}
	runes(tm, "a")
	waitFor(t, tm, "keep    app", "create  client secret")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "✓ All good.")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if !m.shell.stepsPg["service_api"].applied.ok {
		t.Fatalf("carrying on failed: %s", resultText(m.shell.stepsPg["service_api"].applied))
	}
	if n := len(srv.Clients(cfg.Vault.Doc().Values["project.id"])); n != 1 {
		t.Fatalf("%d apps in the project, want 1", n)
	}
	if got := cfg.Vault.Doc().Values["service_api.client_id"]; got != appID {
		t.Fatalf("the app changed: %s → %s", appID, got)
	}
}
