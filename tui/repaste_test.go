package tui

import (
	"context"
	"regexp"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// A second policy pasted on step 5 (the first had the wrong domain, and
// policies made on the console are fixed by making another) replaces the
// stored one, and the domains stored are the new policy's, not the old.
func TestSecondPolicyPastedReplacesTheFirstWithItsDomains(t *testing.T) {
	m, cfg, srv, first := policyWorld(t, []string{"example.org"})
	drive(m, paste(first))
	if got := cfg.Vault.Doc().Values["policy.domains"]; got != "example.org" {
		t.Fatalf("the first policy stored domains %q", got)
	}
	project := cfg.Vault.Doc().Values["project.id"]
	second := srv.AddPolicy(project, "Console-made, again", []string{"uchicago.edu", "anl.gov"}, 28800)
	drive(m, esc)
	m.shell.goTo(4)
	drive(m, paste(second))
	doc := cfg.Vault.Doc()
	if doc.Values["policy.id"] != second || doc.Values["policy.domains"] != "uchicago.edu anl.gov" || doc.Values["policy.assurance_timeout"] != "28800" {
		t.Fatalf("stored %q %q %q; flash %q", doc.Values["policy.id"], doc.Values["policy.domains"], doc.Values["policy.assurance_timeout"], m.shell.flash)
	}
	if m.shell.sel != 5 {
		t.Fatalf("on screen %d after the second policy saved, want step 6", m.shell.sel)
	}
	// Pasting the stored one again changes nothing and says so.
	drive(m, esc)
	m.shell.goTo(4)
	drive(m, paste(second))
	if !strings.Contains(m.shell.flash, "already holds the pasted value") {
		t.Errorf("re-pasting the stored policy says %q", m.shell.flash)
	}
}

// Clearing the domains and saving reads them from the policy again; the
// field is not called required while a readable policy holds them.
func TestClearedDomainsAreReadFromThePolicy(t *testing.T) {
	m, cfg, _, policy := policyWorld(t, []string{"ANL.gov"})
	drive(m, paste(policy))
	drive(m, esc)
	m.shell.goTo(4)
	p := m.shell.stepPage("policy")
	drive(m, enter)
	setInput(p.fields[1].in, "")
	p.fields[1].touched = true
	if err := steps.Accept(cfg.Vault, "policy", map[string]string{"policy.id": policy, "policy.domains": "wrong.example", "policy.assurance_timeout": "5400"}); err != nil {
		t.Fatal(err)
	}
	p.domainsFor = "" // as if the domains had been typed, never read
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlS})
	if e := p.fields[1].err; e != "" {
		t.Fatalf("the cleared domains field says %q", e)
	}
	if got := cfg.Vault.Doc().Values["policy.domains"]; got != "ANL.gov" {
		t.Fatalf("stored domains %q after clearing and saving; flash %q", got, m.shell.flash)
	}
}

// A secret pasted over a stored one is put in the form, not saved: the
// stored secret cannot be seen again, so esc must get it back.
func TestSecretPastedOverAStoredOneWaitsForSave(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	project := srv.AddProject("Inference Gateway", "ops@example.org")
	api, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
	if err := steps.Accept(cfg.Vault, "service_api", map[string]string{"service_api.client_id": api, "service_api.client_secret": secret}); err != nil {
		t.Fatal(err)
	}
	fresh, err := srv.AddClientSecret(api, "another")
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(1)
	drive(m, paste(fresh))
	p := m.shell.stepPage("service_api")
	if !p.editing || inputValue(p.fields[1].in) != fresh {
		t.Fatalf("the pasted secret is not waiting in the form (editing %t)", p.editing)
	}
	if cfg.Vault.Doc().Values["service_api.client_secret"] != secret {
		t.Fatal("the stored secret was replaced before ctrl+s")
	}
	if strings.Contains(m.View(), fresh) || strings.Contains(m.shell.flash, fresh) {
		t.Fatal("the pasted secret is on screen")
	}
	drive(m, esc)
	if inputValue(p.fields[1].in) != secret || cfg.Vault.Doc().Values["service_api.client_secret"] != secret {
		t.Fatal("esc did not put the stored secret back")
	}
	// Pasted again and saved, it replaces the stored one.
	drive(m, paste(fresh))
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlS})
	if cfg.Vault.Doc().Values["service_api.client_secret"] != fresh {
		t.Fatal("ctrl+s did not store the pasted secret")
	}
}

// refusedMemberWorld is step 6 reached after step 5 saved with the policy's
// domain example.org, the Service API stored, and bob@anl.gov known to
// Globus: a member the gateway will refuse.
func refusedMemberWorld(t *testing.T) *Model {
	t.Helper()
	m, cfg, srv, policy := policyWorld(t, []string{"example.org"})
	project := cfg.Vault.Doc().Values["project.id"]
	api, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
	if err := steps.Accept(cfg.Vault, "service_api", map[string]string{"service_api.client_id": api, "service_api.client_secret": secret}); err != nil {
		t.Fatal(err)
	}
	srv.AddIdentity("bob@anl.gov", "Bob", "bob@anl.gov", "anl.gov")
	drive(m, paste(policy))
	return m
}

// A check that passes with a warning (members the gateway will refuse)
// keeps the operator on the step, warning in view, instead of moving on.
func TestWarningStaysOnTheStep(t *testing.T) {
	m := refusedMemberWorld(t)
	if m.shell.sel != 5 {
		t.Fatalf("screen %d, want step 6", m.shell.sel)
	}
	drive(m, keys("bob@anl.gov"))
	drive(m, enter)
	p := m.shell.stepPage("groups")
	if m.shell.sel != 5 {
		t.Fatalf("moved on to screen %d past a warning: %s", m.shell.sel, resultText(p.result))
	}
	text := strings.Join(strings.Fields(mainPane(m.View())), " ")
	for _, want := range []string{"the gateway will refuse bob@anl.gov", "Saved and checked, with a warning"} {
		if !strings.Contains(text, want) {
			t.Errorf("step 6 does not say %q:\n%s", want, m.View())
		}
	}
}

func TestDemoDomainsAreOfferedOnThePolicyStep(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoUsers = []string{"alice@uchicago.edu", "bob@anl.gov", "carol@anl.gov"}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	p := m.shell.stepPage("policy")
	var got string
	for _, cv := range p.copyValues() {
		if strings.HasPrefix(cv.Label, "Included Domains") {
			got = cv.Value
		}
	}
	if got != "uchicago.edu\nanl.gov" {
		t.Fatalf("the copy panel offers domains %q", got)
	}
	if !strings.Contains(p.fields[1].f.Help, "uchicago.edu anl.gov") {
		t.Errorf("the domains field's help does not name the demo's domains: %q", p.fields[1].f.Help)
	}
}

// The groups warning's advice names the wizard's field, not a command.
func TestOutsideDomainsAdviceNamesTheField(t *testing.T) {
	m := refusedMemberWorld(t)
	drive(m, keys("bob@anl.gov"))
	drive(m, enter)
	text := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(text, "Identity provider domains field of step 5") || strings.Contains(text, "globus-setup set") {
		t.Errorf("the advice does not name step 5's field:\n%s", m.View())
	}
}

// ownThickClient is a thick client the operator registered by hand in a
// project of their own, as the login screen tells a new operator to do
// (with Globus's code page as its redirect URI unless redirect is false).
func ownThickClient(t *testing.T, cfg Config, srv *globustest.Server, redirect bool) (id, project string) {
	t.Helper()
	logIn(t, cfg, srv, thickClient(t, srv))
	project = srv.AddProject("My GW", "ops@example.org", operator)
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	auth, err := steps.OperatorToken(context.Background(), env, steps.AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	req := globus.ClientCreate{Name: "GW Public", Project: project, ClientType: globus.ClientTypePublicThick}
	if redirect {
		req.RedirectURIs = []string{cfg.Globus.Environment().AuthCodeRedirectURI()}
	}
	cl, err := cfg.Globus.CreateClient(context.Background(), auth, req)
	if err != nil {
		t.Fatal(err)
	}
	return cl.ID, project
}

// logInThrough logs in again on the login screen through a typed client ID.
func logInThrough(t *testing.T, m *Model, srv *globustest.Server, rec *recorder, id string) {
	t.Helper()
	m.shell.goTo(m.shell.loginIndex())
	drive(m, keys("n"))
	setInput(m.shell.login.client, "")
	drive(m, paste(id))
	drive(m, enter)
	if l := m.shell.login; l.link == "" || linkParam(l.link, "client_id") != id {
		t.Fatalf("no login through %s", id)
	}
	code, err := srv.ApproveLogin(rec.opened[len(rec.opened)-1])
	if err != nil {
		t.Fatal(err)
	}
	drive(m, paste(code))
}

// Logged in through the public client registered by hand for the first
// login, the wizard asks whether it is step 4's; y stores it, and the one
// plan then keeps it and its project instead of making both again.
func TestLoginOffersItsThickClientAsStep4(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	pub, project := ownThickClient(t, cfg, srv, true)
	m := openOn(t, cfg, 0)
	logInThrough(t, m, srv, rec, pub)
	text := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(text, "Is it the gateway's public client (step 4)?") || !strings.Contains(text, "My GW") {
		t.Fatalf("no question after logging in through the operator's own thick client:\n%s", m.View())
	}
	assertFits(t, m, "the question about the login's client")
	drive(m, keys("y"))
	if got := cfg.Vault.Doc().Values["public_client.client_id"]; got != pub {
		t.Fatalf("stored public client %q, want %s", got, pub)
	}
	if !strings.Contains(m.shell.flash, "the setup goes into its project, My GW") {
		t.Errorf("flash %q", m.shell.flash)
	}
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	plan, err := steps.MakeSetupPlan(context.Background(), env, map[string]string{"policy.domains": "example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Items) == 0 || plan.Items[0].ID != project || plan.Items[0].Action != steps.PlanReuse {
		t.Fatalf("the plan does not reuse My GW:\n%s", strings.Join(plan.Lines(), "\n"))
	}
}

// n keeps it as a login client only; a client without the code page as a
// redirect URI is not offered at all.
func TestLoginClientNotOfferedOrDeclined(t *testing.T) {
	for _, redirect := range []bool{true, false} {
		cfg, srv, rec := testConfig(t)
		cfg = unlocked(t, cfg)
		pub, _ := ownThickClient(t, cfg, srv, redirect)
		m := openOn(t, cfg, 0)
		logInThrough(t, m, srv, rec, pub)
		asked := strings.Contains(strings.Join(strings.Fields(mainPane(m.View())), " "), "Is it the gateway's public client")
		if asked != redirect {
			t.Fatalf("redirect %t: asked %t:\n%s", redirect, asked, m.View())
		}
		drive(m, keys("n"))
		if _, ok := cfg.Vault.Doc().Values["public_client.client_id"]; ok {
			t.Fatalf("redirect %t: stored the login client as step 4's", redirect)
		}
		if info, ok := steps.LoggedIn(cfg.Vault); !ok || info.ClientID != pub {
			t.Fatalf("redirect %t: not logged in through %s", redirect, pub)
		}
	}
}

// Accessible mode offers the login's own thick client as step 4's too.
func TestAccessibleOffersTheLoginClientAsStep4(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	pub, _ := ownThickClient(t, cfg, srv, true)
	if _, err := steps.Logout(cfg.Vault); err != nil {
		t.Fatal(err)
	}
	p := startPiped(t, cfg)
	p.feed("1", pub, "y")
	code, err := srv.ApproveLogin(p.link())
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code, "y")
	text, _ := p.end()
	if !strings.Contains(text, "Is it the gateway's public client (step 4)?") {
		t.Fatalf("not asked:\n%s", text)
	}
	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Doc().Values["public_client.client_id"]; got != pub {
		t.Fatalf("stored public client %q, want %s\n%s", got, pub, text)
	}
}

// In the one form, members typed extend a suggested domains value with
// their domains (the operator's own domain would lock them out); typed
// domains that leave a member out get a warning under the members.
func TestSetupDomainsFollowTheMembers(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(m.shell.loginIndex())
	drive(m, enter) // logged in: enter opens the one form
	s := m.shell.setup
	if !s.editing {
		drive(m, enter)
	}
	d, mf := s.field("policy.domains"), s.field(steps.SetupGroupMembers)
	if d == nil || mf == nil || inputValue(d.in) != "example.org" {
		t.Fatalf("the form is not open with the operator's domain suggested")
	}
	for s.all()[s.focus] != mf {
		drive(m, tab)
	}
	drive(m, paste("alice@uchicago.edu bob@anl.gov"))
	if got := inputValue(d.in); got != "example.org uchicago.edu anl.gov" {
		t.Fatalf("domains %q after typing the members", got)
	}
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); !strings.Contains(v, "(suggested: your Globus login and the members')") || strings.Contains(v, "would refuse") {
		t.Fatalf("the extended suggestion is not labelled, or a warning shows:\n%s", m.View())
	}
	// Domains typed by the operator are theirs: a member outside gets a warning.
	for s.all()[s.focus] != d {
		drive(m, tab)
	}
	drive(m, keys("anl.gov"))
	if got := inputValue(d.in); got != "anl.gov" {
		t.Fatalf("typing did not replace the suggestion: %q", got)
	}
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); !strings.Contains(v, "the gateway would refuse alice@uchicago.edu") {
		t.Fatalf("no warning for a member outside the typed domains:\n%s", m.View())
	}
}

// With no thick client anywhere, the login screen shows no example ID that
// reads as a client already there, and 4 goes to step 4 to register one.
func TestLoginWithoutAnyClientPointsToStep4(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.loginIndex())
	v := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-`).MatchString(v) || !strings.Contains(v, "4 goes to step 4") {
		t.Fatalf("the login screen shows an ID or no way to step 4:\n%s", m.View())
	}
	assertFits(t, m, "login without a client")
	drive(m, keys("4"))
	if m.shell.sel != 3 {
		t.Fatalf("4 went to screen %d, not step 4", m.shell.sel)
	}
}

// The unlock screen's help bar wraps rather than cut a key at 60 columns.
func TestUnlockHelpHidesNoKey(t *testing.T) {
	cfg, _, _ := testConfig(t)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	v := m.View()
	for _, want := range []string{"enter", "esc", "tab/↓"} {
		if !strings.Contains(v, want) {
			t.Errorf("the unlock screen at 60x20 hides %q:\n%s", want, v)
		}
	}
	lines := strings.Split(v, "\n")
	if bar := strings.Join(lines[len(lines)-2:], "\n"); strings.Contains(bar, "…") {
		t.Errorf("the help bar is cut:\n%s", bar)
	}
	assertFits(t, m, "unlock screen")
}

// A, with no client to log in through, opens the login screen without
// putting the keys in an empty field, so 4 (step 4) works at once.
func TestSetUpWithoutAnyClientLeavesTheKeysFree(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 0)
	drive(m, keys("A"))
	if m.shell.sel != m.shell.loginIndex() || m.shell.login.clientEditing {
		t.Fatalf("A: screen %d, typing in the client field %t", m.shell.sel, m.shell.login.clientEditing)
	}
	drive(m, keys("4"))
	if m.shell.sel != 3 {
		t.Fatalf("4 went to screen %d, not step 4", m.shell.sel)
	}
}

// The policy edited on the console (its domains fixed), the operator
// empties the domains and saves: the same policy is read again.
func TestEditedPolicyIsReadAgain(t *testing.T) {
	m, cfg, srv, policy := policyWorld(t, []string{"example.org"})
	drive(m, paste(policy))
	if err := srv.SetPolicyDomains(policy, []string{"uchicago.edu", "anl.gov"}); err != nil {
		t.Fatal(err)
	}
	drive(m, esc)
	m.shell.goTo(4)
	p := m.shell.stepPage("policy")
	drive(m, enter)
	setInput(p.fields[1].in, "")
	p.fields[1].touched = true
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlS})
	if got := cfg.Vault.Doc().Values["policy.domains"]; got != "uchicago.edu anl.gov" {
		t.Fatalf("stored domains %q after emptying and saving; field error %q; flash %q", got, p.fields[1].err, m.shell.flash)
	}
}
