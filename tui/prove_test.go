package tui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

func TestLoginAsksForClientWithoutPublicClient(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.loginIndex())
	l := m.shell.login
	v := m.View()
	for _, want := range []string{"Client ID to log in with", "thick (native) client", "step 4"} {
		if !strings.Contains(v, want) {
			t.Fatalf("login screen lacks %q:\n%s", want, v)
		}
	}
	assertFits(t, m, "login asking for a client")

	drive(m, enter)
	if !l.clientEditing {
		t.Fatal("enter did not open the client ID field")
	}
	drive(m, paste("1234-not-a-uuid"))
	if l.clientErr == "" || !strings.Contains(m.View(), "✗ ") {
		t.Fatal("a malformed client ID was not flagged as typed")
	}
	drive(m, enter)
	if l.link != "" || len(rec.opened) != 0 {
		t.Fatal("a login started with a malformed client ID")
	}

	setInput(l.client, "")
	drive(m, paste(strings.ToUpper(thick)))
	if l.clientErr != "" {
		t.Fatalf("a valid client ID was flagged: %s", l.clientErr)
	}
	drive(m, enter)
	if l.link == "" || linkParam(l.link, "client_id") != thick {
		t.Fatalf("login link %q, want one through %s", l.link, thick)
	}
	code, err := srv.ApproveLogin(rec.opened[len(rec.opened)-1])
	if err != nil {
		t.Fatal(err)
	}
	drive(m, paste(code))
	drive(m, enter)
	info, ok := steps.LoggedIn(cfg.Vault)
	if !ok || info.ClientID != thick {
		t.Fatalf("logged in %v through %q (%s)", ok, info.ClientID, resultText(l.result))
	}
	if _, stored := cfg.Vault.Doc().Values["public_client.client_id"]; stored {
		t.Fatal("the thick client was stored as the guide's public client")
	}
}

func TestLoginWithStoredPublicClientAsksNothing(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	if err := steps.SetValue(cfg.Vault, "public_client.client_id", thick); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.loginIndex())
	if strings.Contains(m.View(), "Client ID to log in with") {
		t.Fatal("asked for a client ID with a public client stored")
	}
	drive(m, enter)
	if l := m.shell.login; l.link == "" || linkParam(l.link, "client_id") != thick || len(rec.opened) != 1 {
		t.Fatal("enter did not start the login through the stored public client")
	}
}

// provable sets everything up by Apply, as the operator would with `a`, with
// example.org as the policy's only domain.
func provable(t *testing.T) (Config, *globustest.Server, *Model, func(user string) string) {
	t.Helper()
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), env, steps.ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.finishIndex())
	approveAs := func(user string) string {
		t.Helper()
		rec.mu.Lock()
		url := rec.opened[len(rec.opened)-1]
		rec.mu.Unlock()
		code, err := srv.ApproveLoginAs(url, user)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	return cfg, srv, m, approveAs
}

func TestProveAdmittedUser(t *testing.T) {
	cfg, _, m, approveAs := provable(t)
	f := m.shell.finish
	before := cfg.Vault.Doc()
	drive(m, keys("p"))
	if f.pr.link == "" || !f.pr.editing {
		t.Fatalf("p did not start the proof: %s", resultText(f.result))
	}
	assertFits(t, m, "proof link")
	code := approveAs("alice@example.org")
	drive(m, paste(code)) // a pasted code needs no enter
	if !f.result.ok {
		t.Fatalf("alice refused: %s", resultText(f.result))
	}
	v := m.View()
	if !strings.Contains(v, "✓ alice@example.org would be admitted") || !strings.Contains(v, "✓ Token is active") {
		t.Fatalf("proof view:\n%s", v)
	}
	if strings.Contains(v, code) || inputValue(f.pr.code) != "" {
		t.Fatal("the used code is still on screen")
	}
	if f.pr.link != "" {
		t.Fatal("the used login link is still offered")
	}
	after := cfg.Vault.Doc()
	if len(after.Internal) != len(before.Internal) || after.Internal[steps.OperatorTokensKey] != before.Internal[steps.OperatorTokensKey] {
		t.Fatal("the proof changed what the vault keeps (a user's token stored?)")
	}
	assertFits(t, m, "proof admitted")
}

func TestProveRefusedUser(t *testing.T) {
	_, _, m, approveAs := provable(t)
	f := m.shell.finish
	m.shell.flash = "Set up and checked: everything checks out."
	drive(m, keys("p"))
	code := approveAs("mallory@elsewhere.example")
	drive(m, paste(code))
	if f.result.ok || len(f.result.report) < 2 {
		t.Fatalf("mallory admitted or no report: %s", resultText(f.result))
	}
	v := m.View()
	if !strings.Contains(v, "✗ mallory@elsewhere.example would be refused") || !strings.Contains(v, "✗ Identity provider domain is authorised") {
		t.Fatalf("proof view:\n%s", v)
	}
	if strings.Contains(m.shell.flash, "checks out") || !strings.HasPrefix(m.shell.flash, "Latest: ✗") {
		t.Fatalf("the status line disagrees with the refused proof: %q", m.shell.flash)
	}
	assertFits(t, m, "proof refused")
}

func TestProveNeedsSetupFirst(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.finishIndex())
	drive(m, keys("p"))
	f := m.shell.finish
	if f.pr.link != "" {
		t.Fatal("a proof started with nothing stored")
	}
	if v := m.View(); !strings.Contains(v, "public_client.client_id") {
		t.Fatalf("the missing values are not named:\n%s", v)
	}
}

func TestProveEscStopsTypingThenDropsLink(t *testing.T) {
	_, _, m, _ := provable(t)
	f := m.shell.finish
	drive(m, keys("p"))
	drive(m, esc) // stop typing the code
	if f.pr.editing || f.pr.link == "" {
		t.Fatal("esc in the code field should only stop typing")
	}
	if !strings.Contains(m.View(), "p: paste the code") {
		t.Fatal("no way back to the code shown")
	}
	drive(m, esc) // drop the link
	if f.pr.link != "" {
		t.Fatal("esc did not drop the proof link")
	}
}

func TestProveEscCancelsRunningProof(t *testing.T) {
	cfg, srv, _, approveAs := provable(t)
	srv.FailNext("POST", "/v2/oauth2/token/introspect", 1, globustest.Failure{Delay: time.Minute})
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 6 of 6")
	runes(tm, "f")
	waitFor(t, tm, "Prove a user gets in")
	runes(tm, "p")
	waitFor(t, tm, "Code from the test user")
	tm.Send(paste(approveAs("alice@example.org")))
	waitFor(t, tm, "Checking the test user")
	press(tm, tea.KeyEsc)
	waitFor(t, tm, "Cancelled. Press p")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if f := m.shell.finish; f.job.busy || f.result.ok {
		t.Fatalf("after esc: busy %v, result %+v", f.job.busy, f.result)
	}
}

// x on Finish shows the gateway's own start-up check first: a policy whose
// domains differ in case from the stored ones stops the gateway.
func TestFinishShowsGatewayStartCheck(t *testing.T) {
	cfg, _, m, _ := provable(t)
	f := m.shell.finish
	drive(m, keys("x"))
	if got := resultText(f.result); !strings.Contains(got, "Gateway start-up: ✓ The gateway would start") {
		t.Fatalf("finish after x:\n%s", got)
	}
	if err := steps.SetValue(cfg.Vault, "policy.domains", "Example.org"); err != nil {
		t.Fatal(err)
	}
	drive(m, keys("x"))
	got := resultText(f.result)
	if !strings.Contains(got, "Gateway start-up: ✗ The gateway would start: the domains differ in case") {
		t.Fatalf("finish after x with Example.org:\n%s", got)
	}
	assertFits(t, m, "finish with the start-up check")
}

// A user in none of the allowed groups is told how to add them in the
// wizard's words, the group named as Globus names it: no command line,
// nor the vault's key for the group (tester item 2).
func TestProveRefusedByGroupSaysItInTheWizardsWords(t *testing.T) {
	cfg, srv, m, approveAs := provable(t)
	group := srv.AddGroup("Gateway Users", operator)
	if err := steps.SetValue(cfg.Vault, "groups."+steps.DefaultGroup+".id", group); err != nil {
		t.Fatal(err)
	}
	m.shell.refresh()
	f := m.shell.finish
	drive(m, keys("p"))
	drive(m, paste(approveAs("alice@example.org")))
	got := strings.Join(strings.Fields(resultText(f.result)), " ")
	if !strings.Contains(got, `type alice@example.org in the Members field of step 6 (group "Gateway Users"), then press a there`) {
		t.Fatalf("the refusal does not say how to add alice in the wizard:\n%s", got)
	}
	if strings.Contains(got, "globus-setup ") || strings.Contains(got, "`") {
		t.Fatalf("a command line reached the wizard's proof:\n%s", got)
	}
}

// Finish after a fix (tester item 8): a failed proof found with values
// since changed is not shown as if current; L from Finish comes back to
// it; once the .env is written it is not asked for again.
func TestFinishHintsFollowWhatChanged(t *testing.T) {
	cfg, srv, m, approveAs := provable(t)
	group := srv.AddGroup("Gateway Users", operator)
	if err := steps.SetValue(cfg.Vault, "groups."+steps.DefaultGroup+".id", group); err != nil {
		t.Fatal(err)
	}
	m.shell.refresh()
	drive(m, keys("p"))
	drive(m, paste(approveAs("alice@example.org")))
	if v := m.View(); !strings.Contains(v, "would be refused") {
		t.Fatalf("alice was not refused:\n%s", v)
	}
	// Step 6 fixed: alice is a member, stored with the group.
	if err := srv.AddMember(group, "alice@example.org", "member"); err != nil {
		t.Fatal(err)
	}
	if err := steps.SetValue(cfg.Vault, "groups."+steps.DefaultGroup+".members", "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	m.shell.refresh()
	m.shell.goTo(0)
	m.shell.goTo(m.shell.finishIndex())
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); strings.Contains(v, "would be refused") || !strings.Contains(v, "values changed since: x checks again, p proves again") {
		t.Fatalf("the old refusal is shown after step 6 changed:\n%s", v)
	}

	setInput(m.shell.finish.path, filepath.Join(t.TempDir(), ".env"))
	drive(m, keys("w"))
	v := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(v, "written just now") || strings.Contains(v, "Write the gateway's .env") || !strings.Contains(v, "restart the gateway") {
		t.Fatalf("the .env written is still asked for:\n%s", m.View())
	}

	drive(m, keys("L"))
	if m.shell.sel != m.shell.loginIndex() {
		t.Fatalf("L from Finish:\n%s", m.View())
	}
	drive(m, keys("n")) // log in again
	drive(m, paste(approveAs(operator)))
	if m.shell.sel != m.shell.finishIndex() {
		t.Fatalf("logged in again from Finish, the wizard is on screen %d:\n%s", m.shell.sel, m.View())
	}
}

// The proof's link note names the key that copies the link as the screen
// stands: ctrl+l while the code field has the keys (u would be typed).
func TestProveLinkNoteNamesTheKeyThatCopies(t *testing.T) {
	_, _, m, _ := provable(t)
	f := m.shell.finish
	drive(m, keys("p"))
	f.proveBrowser(browserOpenedMsg{url: f.pr.link, err: errors.New("no browser here")})
	v := strings.Join(strings.Fields(m.View()), " ")
	if !f.pr.editing || !strings.Contains(v, "Give the test user the link below (ctrl+l copies it).") || strings.Contains(v, "(u copies it)") {
		t.Fatalf("typing the code, the note does not name ctrl+l:\n%s", v)
	}
	drive(m, esc) // stop typing: u copies again
	if v := strings.Join(strings.Fields(m.View()), " "); !strings.Contains(v, "(u copies it).") {
		t.Fatalf("not typing, the note does not name u:\n%s", v)
	}
}

// w on a .env that already holds everything says one true thing: nothing
// was written, never "written just now" beside it (t3 item 9).
func TestFinishWriteUnchangedSaysOneThing(t *testing.T) {
	_, _, m, _ := provable(t)
	setInput(m.shell.finish.path, filepath.Join(t.TempDir(), ".env"))
	drive(m, keys("w"))
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); !strings.Contains(v, "written just now") {
		t.Fatalf("the first write is not said:\n%s", m.View())
	}
	drive(m, keys("w"))
	v := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(v, "nothing was written") || strings.Contains(v, "written just now") {
		t.Fatalf("the second write, which changed nothing, says two things:\n%s", m.View())
	}
}

// A pasted code runs the proof at once: the help no longer offers enter
// to prove it, and a stray enter after the proof says what enter does now
// rather than open the .env path field.
func TestProveStrayEnterAfterAPastedCode(t *testing.T) {
	_, _, m, approveAs := provable(t)
	f := m.shell.finish
	drive(m, keys("p"))
	_, cmd := m.Update(paste(approveAs("alice@example.org")))
	if v := m.View(); strings.Contains(v, "enter prove it") {
		t.Fatalf("with the pasted code sent, the help still offers enter:\n%s", v)
	}
	drive(m, runCmd(cmd)) // the proof's events, to its end
	if !f.result.ok || strings.Contains(m.View(), "enter prove it") {
		t.Fatalf("after the proof: %s\n%s", resultText(f.result), m.View())
	}
	drive(m, enter)
	if f.editing {
		t.Fatal("a stray enter after the proof opened the .env path field")
	}
	if !strings.Contains(m.shell.flash, "enter again edits the .env path") {
		t.Fatalf("a stray enter after the proof says %q", m.shell.flash)
	}
	drive(m, enter)
	if !f.editing {
		t.Fatal("a second enter did not open the .env path field")
	}
}
