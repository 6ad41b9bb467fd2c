package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
)

// The whole setup from the login screen: enter opens the one form, filled
// with suggestions; enter plans steps 1–6 and the .env; enter does it all
// and lands on Finish with the .env written. Three keys after the login.
func TestSetUpEverythingInThreeKeys(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	srv.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	logIn(t, cfg, srv, thickClient(t, srv))
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(m.shell.loginIndex())

	drive(m, enter) // logged in: enter sets up everything
	s := m.shell.setup
	if m.shell.sel != m.shell.setupIndex() || !s.loaded {
		t.Fatalf("enter on the login screen did not open the filled form (screen %d, loaded %t, %s)", m.shell.sel, s.loaded, resultText(s.result))
	}
	want := map[string]string{"project.name": "Inference Gateway", "project.contact_email": operator,
		"policy.domains": "example.org", "policy.assurance_timeout": "8h", "group.name": "Inference Gateway Users"}
	for _, f := range s.fields {
		if w, ok := want[f.s.Key]; ok && inputValue(f.in) != w {
			t.Errorf("%s suggested %q, want %q", f.s.Key, inputValue(f.in), w)
		}
	}
	if v := m.View(); !strings.Contains(v, "(suggested: your Globus login)") {
		t.Fatalf("suggestions are not labelled as such:\n%s", v)
	}
	// The operator changes what differs: the members and the .env's path.
	envPath := filepath.Join(t.TempDir(), "gateway.env")
	setInput(s.envPath.in, envPath)
	for _, f := range s.fields {
		if f.s.Key == "group.members" {
			setInput(f.in, "alice@uchicago.edu")
		}
	}

	drive(m, enter) // the plan
	if s.plan == nil {
		t.Fatalf("no plan: %s", resultText(s.result))
	}
	pv := m.View()
	for _, w := range []string{`create  project "Inference Gateway"`, `create  group "Inference Gateway Users"`, "write   .env"} {
		if !strings.Contains(strings.Join(strings.Fields(pv), " "), strings.Join(strings.Fields(w), " ")) {
			t.Errorf("the plan lacks %q:\n%s", w, pv)
		}
	}
	if len(srv.Projects()) != 1 { // the thick client's project only
		t.Fatal("something was created before the plan was confirmed")
	}

	drive(m, enter) // do it all
	if m.shell.sel != m.shell.finishIndex() {
		t.Fatalf("not on Finish after the setup: %s", resultText(s.applied))
	}
	doc := cfg.Vault.Doc()
	for _, k := range []string{"project.id", "service_api.client_id", "service_api.client_secret", "service_account.client_id",
		"public_client.client_id", "policy.id", "groups.users.id"} {
		if doc.Values[k] == "" {
			t.Errorf("%s not stored: %s", k, resultText(s.applied))
		}
	}
	if got := doc.Values["groups.users.members"]; got != "alice@uchicago.edu" {
		t.Errorf("group members %q", got)
	}
	for _, id := range []string{"project", "service_api", "service_account", "public_client", "policy", "groups"} {
		if st := doc.Steps[id].State; st != "verified" && st != "done" {
			t.Errorf("step %s is %q after the setup", id, st)
		}
	}
	data, err := os.ReadFile(envPath)
	if err != nil || !strings.Contains(string(data), doc.Values["service_api.client_id"]) {
		t.Fatalf("the .env was not written with the new IDs: %v", err)
	}
	if v := m.View(); strings.Contains(v, "old one backed up") || !strings.Contains(v, "written just now") {
		t.Fatalf("Finish describes the file just written as an old one:\n%s", v)
	}
}

// The login shows its link as plain text and as an OSC 8 hyperlink even
// when the browser opened, starts with the suggested client on enter, and
// takes the whole address of the code page as well as the code.
func TestLoginShowsLinkAndTakesTheAddress(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	m.shell.goTo(m.shell.loginIndex())
	if v := m.View(); !strings.Contains(v, "(suggested: the demo's thick client)") {
		t.Fatalf("the prefilled client is not labelled as suggested:\n%s", v)
	}
	drive(m, enter) // the suggested client is accepted as it is
	l := m.shell.login
	if l.link == "" {
		t.Fatalf("enter did not start the login through the suggested client: %s", resultText(l.result))
	}
	v := m.View()
	if !strings.Contains(v, "\x1b]8;;"+l.link+"\x1b\\") {
		t.Error("no OSC 8 hyperlink to the login page")
	}
	plain := strings.Join(strings.Fields(strings.ReplaceAll(mainPane(v), "\n", "")), "")
	if !strings.Contains(plain, l.link) {
		t.Errorf("the login link is not on screen as plain text:\n%s", v)
	}
	code, err := srv.ApproveLogin(l.link)
	if err != nil {
		t.Fatal(err)
	}
	state := linkParam(l.link, "state")
	drive(m, paste(cfg.Env.AuthCodeRedirectURI()+"?code="+code+"&state="+state))
	drive(m, enter)
	if !m.shell.loggedIn {
		t.Fatalf("the pasted address did not log in: %s", resultText(l.result))
	}
	if v := m.View(); strings.Count(v, "Logged in") != 1 || strings.Contains(v, "No public client is stored") {
		t.Fatalf("after the login the screen repeats itself or still asks for a client:\n%s", v)
	}
}

// mainPane keeps what is right of the sidebar's border on each line.
func mainPane(v string) string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if _, after, ok := strings.Cut(l, "│ "); ok {
			l = after
		}
		out = append(out, strings.TrimRight(l, " "))
	}
	return strings.Join(out, "\n")
}

// The sidebar never shows ✓ beside a failed check, and a step's note mark
// stands apart from its name.
func TestSidebarAgreesWithTheStep(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	if err := steps.MarkState(cfg.Vault, "groups", steps.StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	if err := steps.MarkState(cfg.Vault, "project", steps.StateDone, "values changed: check again"); err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(5)
	p := m.shell.stepPage("groups")
	p.result = outcome{summary: []string{"Something needs fixing (see above)."}}
	v := m.View()
	if !strings.Contains(v, "✗ 6 Globus groups") || strings.Contains(v, "✓ 6 Globus groups") {
		t.Errorf("the sidebar disagrees with the failed check:\n%s", v)
	}
	if !strings.Contains(v, "! 1 Globus project") || strings.Contains(v, "!Globus") {
		t.Errorf("the note mark is missing or glued to the name:\n%s", v)
	}
}

// At 60×20 ? lists every key, q and x included, within the width.
func TestFullHelpFitsNarrowScreens(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	before := m.View()
	m.Update(keys("?"))
	v := m.View()
	if v == before {
		t.Fatal("? changed nothing at 60x20")
	}
	for _, want := range []string{"q quit", "x run check", "A set up everything", "f finish"} {
		if !strings.Contains(strings.Join(strings.Fields(v), " "), want) {
			t.Errorf("the full help at 60x20 lacks %q:\n%s", want, v)
		}
	}
}

// In the demo, where members are typed the demo's own users are named.
func TestDemoNamesItsUsersWhereMembersAreTyped(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoUsers = []string{"alice@uchicago.edu", "bob@anl.gov"}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	m.shell.goTo(5)
	drive(m, enter) // no group ID yet: straight to the members
	v := m.View()
	if !strings.Contains(v, "The demo's users: alice@uchicago.edu bob@anl.gov") || !strings.Contains(v, "> e.g. alice@uchicago.edu bob@anl.gov") {
		t.Fatalf("the members field does not name the demo's users:\n%s", v)
	}
}

// A revealed secret is shown whole on a narrow screen, and the "clears in
// 45s" note goes when the clipboard is cleared.
func TestRevealWholeAndCopiedNoteGoes(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	secret := "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
	if err := steps.SetValue(cfg.Vault, "service_api.client_secret", secret); err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 30})
	m.shell.goTo(m.shell.valuesIndex())
	v := m.shell.values
	for i, r := range v.rows {
		if r.key == "service_api.client_secret" {
			v.sel = i
		}
	}
	m.Update(keys("r"))
	if got := strings.Join(strings.Fields(m.View()), ""); !strings.Contains(got, secret) {
		t.Fatalf("the revealed secret is cut:\n%s", m.View())
	}
	m.Update(copiedMsg{label: "service_api.client_secret"})
	if !strings.Contains(m.View(), "clears in 45s") {
		t.Fatal("no copied note")
	}
	m.Update(clipboardClearMsg{text: secret})
	if strings.Contains(m.View(), "clears in 45s") {
		t.Fatal("the copied note outlives the clipboard's clearing")
	}
}

// A guide names the panel of values to type by the title it has on the
// step's screen, never by another name.
func TestGuidesNameTheConsolePanelByItsTitle(t *testing.T) {
	named := 0
	for _, s := range steps.Catalogue() {
		for _, l := range markdown(s.Guide, 1<<16) {
			if strings.Contains(l, "panel") {
				t.Errorf("step %s's guide names a panel the screen does not title so: %q", s.ID, l)
			}
			if strings.Contains(l, `"`+consolePanelTitle+`"`) {
				named++
			}
		}
	}
	if named == 0 {
		t.Error("no guide names the panel by its title")
	}
}

// Accessible mode names nothing it lacks (the o key, the copy panel), and
// a throwaway demo's goodbye does not name its deleted vault.
func TestAccessibleWordsAndGoodbye(t *testing.T) {
	for _, s := range steps.Catalogue() {
		for _, l := range markdown(s.Guide, 1<<16) {
			if g := accessibleGuide(l); strings.Contains(g, "press o") || strings.Contains(g, "copy panel") || strings.Contains(g, consolePanelTitle) {
				t.Errorf("step %s's guide in accessible mode: %q", s.ID, g)
			}
		}
	}
	cfg := Config{Demo: true, Ephemeral: true}
	cfg.Paths.Vault = "/tmp/globus-setup-demo-1/vault.age"
	if n := exitNote(cfg); strings.Contains(n, cfg.Paths.Vault) {
		t.Errorf("the goodbye names the deleted demo vault: %q", n)
	}
	if n := exitNote(cfg); !strings.Contains(n, "globus-setup --demo --vault "+DemoKeepPath) || strings.Contains(n, "PATH") {
		t.Errorf("a throwaway demo's goodbye lacks a command to paste: %q", n)
	}
	cfg.Invocation = "go run ./cmd/globus-setup"
	if n := exitNote(cfg); !strings.Contains(n, "go run ./cmd/globus-setup --demo --vault "+DemoKeepPath) {
		t.Errorf("the goodbye does not run the program as it was run: %q", n)
	}
	cfg.Ephemeral = false
	if n := exitNote(cfg); !strings.Contains(n, "go run ./cmd/globus-setup --demo --vault "+cfg.Paths.Vault) {
		t.Errorf("a kept demo's goodbye lacks the resuming command: %q", n)
	}
}

// Pasting what the console shows straight onto a step's screen fills the
// right field, and the step is saved once nothing required is missing.
func TestPasteOnAStepFillsAndSaves(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(0)
	p := m.shell.stepPage("project")
	id := "3f2a6c1e-5b0e-4b8f-8a57-2b0f3d6c1e99"
	drive(m, paste(id)) // the project name is suggested: nothing else is required
	if got := cfg.Vault.Doc().Values["project.id"]; got != id {
		t.Fatalf("project.id = %q after pasting it on the step (%s; %s)", got, m.shell.flash, resultText(p.result))
	}
	if got := cfg.Vault.Doc().Values["project.name"]; got != "Inference Gateway" {
		t.Fatalf("project.name = %q, want the suggested name kept", got)
	}
	m.shell.goTo(1)
	q := m.shell.stepPage("service_api")
	drive(m, paste("c0ffee00-5b0e-4b8f-8a57-2b0f3d6c1e01"))
	if inputValue(q.fields[0].in) != "c0ffee00-5b0e-4b8f-8a57-2b0f3d6c1e01" || !strings.Contains(m.shell.flash, "Next: Service API client secret") {
		t.Fatalf("the ID did not land in its field, or the secret is not asked next (%s)", m.shell.flash)
	}
	drive(m, paste("kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="))
	if got := cfg.Vault.Doc().Values["service_api.client_secret"]; got == "" {
		t.Fatalf("pasting the secret did not save the step (%s)", m.shell.flash)
	}
}

// Set up everything before logging in: the form says to log in, and the
// login comes back to it with the login's own e-mail suggested.
func TestSetUpBeforeLoginComesBack(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	if err := steps.MarkState(cfg.Vault, "groups", steps.StateSkipped, ""); err != nil {
		t.Fatal(err) // not a fresh start: only the form brings the login back
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	drive(m, keys("A"))
	if m.shell.sel != m.shell.loginIndex() {
		t.Fatalf("A without a login did not go to the login (screen %d)", m.shell.sel)
	}
	if v := m.View(); !strings.Contains(v, "goes back to the set-up form") {
		t.Fatalf("the login does not say it comes back to the form:\n%s", v)
	}
	logIn(t, cfg, srv, thick) // as the login screen does, then its result:
	drive(m, loginFinished(m, thick))
	s := m.shell.setup
	if m.shell.sel != m.shell.setupIndex() || !s.loaded {
		t.Fatalf("the login did not come back to the form (screen %d)", m.shell.sel)
	}
	for _, f := range s.fields {
		if f.s.Key == "project.contact_email" && inputValue(f.in) != operator {
			t.Fatalf("contact e-mail %q after the login, want %s", inputValue(f.in), operator)
		}
	}
}

// A with a known client starts the login at once; a refused code leaves the
// field ready for a new one and names no key that would be typed into it.
func TestSetUpStartsLoginAndBadCodeKeepsTheField(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	drive(m, keys("A"))
	l := m.shell.login
	if l.link == "" || !l.editing {
		t.Fatalf("A did not start the login (flow %v, editing %v)", l.link != "", l.editing)
	}
	drive(m, paste("not-a-real-code"))
	v := m.View()
	if !l.editing || inputValue(l.code) != "" {
		t.Fatalf("after a refused code the field is not ready for a new one (editing %v, %q)", l.editing, inputValue(l.code))
	}
	if strings.Contains(v, "press L") || strings.Contains(v, "Press L") || !strings.Contains(v, "paste a new code") {
		t.Fatalf("the advice after a refused code names the wrong key:\n%s", v)
	}
}

// Values typed in the form before the login survive the suggestions read
// again after it; untouched suggestions are replaced.
func TestSetUpKeepsTypedValuesAcrossLogin(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	drive(m, runCmd(m.shell.goTo(m.shell.setupIndex())))
	drive(m, enter)
	s := m.shell.setup
	if !s.loaded || !s.editing {
		t.Fatalf("the form did not open for typing (loaded %v, editing %v)", s.loaded, s.editing)
	}
	if v := m.View(); strings.Contains(v, "press L") || !strings.Contains(v, "esc, then L") {
		t.Fatalf("while the form has the keys, the advice must say esc first:\n%s", v)
	}
	for i, f := range s.fields {
		if f.s.Key == "project.contact_email" {
			s.focus = i
		}
	}
	s.focusCmd()
	drive(m, keys("me@example.org"))
	logIn(t, cfg, srv, thick)
	s.afterLogin = true
	drive(m, loginFinished(m, thick))
	for _, f := range s.fields {
		if f.s.Key == "project.contact_email" && inputValue(f.in) != "me@example.org" {
			t.Fatalf("the typed contact e-mail became %q after the login", inputValue(f.in))
		}
	}
}

// PgDn scrolls the pane while the code field has the keys: on a small
// screen the login link runs past the bottom.
func TestPageDownScrollsWhileTyping(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	drive(m, keys("A"))
	if !m.shell.login.typing() {
		t.Fatal("the code field does not have the keys")
	}
	m.View()
	before := m.shell.scroll[m.shell.sel]
	drive(m, tea.KeyMsg{Type: tea.KeyPgUp})
	drive(m, tea.KeyMsg{Type: tea.KeyPgUp})
	m.View()
	if after := m.shell.scroll[m.shell.sel]; after >= before {
		t.Fatalf("pgup while typing did not scroll (offset %d → %d)", before, after)
	}
}

// A demo's .env is suggested beside its vault, never in the folder the
// wizard was started from; real use suggests ./.env, shown absolute.
func TestDemoEnvBesideTheVault(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	for _, demo := range []bool{true, false} {
		cfg.Demo = demo
		m := NewModel(cfg).(*Model)
		m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
		want, _ := filepath.Abs(".env")
		if demo {
			want = filepath.Join(filepath.Dir(cfg.Paths.Vault), ".env")
		}
		if got := absPath(m.shell.finish.target()); got != want {
			t.Errorf("demo %v: the .env goes to %s, want %s", demo, got, want)
		}
		drive(m, runCmd(m.shell.goTo(m.shell.setupIndex())))
		if s := m.shell.setup; s.envPath == nil || inputValue(s.envPath.in) != want {
			t.Errorf("demo %v: the form suggests the .env at %v, want %s", demo, s.envPath != nil && true, want)
		}
	}
}

// The full help names each key once (the values browser's ↑/↓ are the
// shell's keys too).
func TestFullHelpNamesEachKeyOnce(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	m.shell.goTo(m.shell.valuesIndex())
	drive(m, keys("?"))
	help := strings.Join(m.shell.helpLines(), "\n")
	for _, k := range []string{"↑/k", "↓/j"} {
		if n := strings.Count(help, k); n != 1 {
			t.Errorf("the full help names %s %d times:\n%s", k, n, help)
		}
	}
}

// Passing by the set-up screen (tab) before logging in does not make a
// later login, started from a step, jump to the form: only the operator's
// asking for the form (A, or enter on it) brings the login back there.
func TestPassingBySetUpDoesNotCaptureTheLogin(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	if err := steps.MarkState(cfg.Vault, "groups", steps.StateSkipped, ""); err != nil {
		t.Fatal(err) // not a fresh start
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	m.shell.goTo(m.shell.setupIndex() - 1)
	drive(m, tab) // onto the set-up screen, and its suggestions are read
	if m.shell.sel != m.shell.setupIndex() {
		t.Fatalf("tab did not reach the set-up screen (screen %d)", m.shell.sel)
	}
	if !m.shell.setup.loaded {
		t.Fatal("passing by did not read the suggestions (the case this test is about)")
	}
	m.shell.goTo(5) // step 6, as on the guided path
	drive(m, keys("L"))
	logIn(t, cfg, srv, thick)
	drive(m, loginFinished(m, thick))
	if m.shell.sel == m.shell.setupIndex() {
		t.Fatal("a login started from a step went to the set-up form because the form had been passed by")
	}
}

// loginFinished is the login screen's task ending in a login through
// clientID, as after logIn.
func loginFinished(m *Model, clientID string) tea.Msg {
	l := m.shell.login
	return flowEvent{owner: l, job: &l.job, seq: l.job.seq, done: true,
		res: loginDone{r: flow.LoginResult{Info: steps.LoginInfo{ClientID: clientID}}}}
}

// The set-up form read while logged out (passing by it with tab) is read
// again after a login from the login page: its suggestions come from who
// the login says the operator is, and its "needs your login" note is gone.
func TestSetUpReadLoggedOutIsReadAgainAfterALogin(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 40})
	drive(m, runCmd(m.shell.goTo(m.shell.setupIndex())))
	if !m.shell.setup.loaded || !strings.Contains(m.View(), "needs your own Globus login") {
		t.Fatalf("the form read logged out does not say it needs the login:\n%s", m.View())
	}
	drive(m, runCmd(m.shell.goTo(m.shell.loginIndex())))
	logIn(t, cfg, srv, thick)
	drive(m, loginFinished(m, thick))
	v := m.View()
	if m.shell.sel != m.shell.setupIndex() || strings.Contains(v, "needs your own Globus login") || !strings.Contains(v, "(suggested: your Globus login)") {
		t.Fatalf("after the login the form still holds what it read logged out:\n%s", v)
	}
}
