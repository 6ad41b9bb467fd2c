package tui

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

// boostedLink waits for the wizard to open a sign-in link that asks for MFA.
func boostedLink(t *testing.T, rec *recorder) string {
	t.Helper()
	var boosted string
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(boosted, "session_required_mfa"); boosted = rec.lastOpened() {
		if time.Now().After(deadline) {
			t.Fatalf("the boosted link was not opened: %q", boosted)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if u, _ := url.Parse(boosted); u == nil || u.Query().Get("session_required_mfa") != "True" {
		t.Fatalf("boosted URL %s", boosted)
	}
	return boosted
}

// stepCheckWorld: the operator logged in and the project made, so step 1's
// check reads the operator's projects; that read then demands d.
func stepCheckWorld(t *testing.T, d globustest.Demand) (Config, *globustest.Server, *recorder) {
	t.Helper()
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), env, steps.ApplyOptions{Steps: []string{"project"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	srv.DemandSession(d)
	return cfg, srv, rec
}

// A step's own check (x) that Globus refuses until the operator signs in
// with MFA asks on the login screen, as "do it for me" does, and once the
// code is pasted runs again and passes: no hint to go and run a command.
func TestStepCheckAsksToSignInAgain(t *testing.T) {
	cfg, srv, rec := stepCheckWorld(t, globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true, Message: "MFA within 30 minutes"})
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "[")
	waitFor(t, tm, "Step 1 of 6")
	runes(tm, "x")
	waitFor(t, tm, "Sign in again", "Globus needs you to sign in again with MFA (a second factor) to read", "your projects.",
		"Globus says: MFA within 30 minutes")
	code, err := srv.ApproveLogin(boostedLink(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(paste(code))
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "✓ Project exists", "All good.")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	p := m.shell.stepsPg["project"]
	if !p.result.ok || strings.Contains(resultText(p.result), "globus-setup login") {
		t.Fatalf("check: %s", resultText(p.result))
	}
	if m.shell.login.ask != nil {
		t.Error("the answered request is still open")
	}
	if n := srv.Refusals(); n != 1 {
		t.Errorf("%d refusals, want 1 (the check, then its retry after the sign-in)", n)
	}
	if st := m.shell.status["project"].State; st != steps.StateVerified {
		t.Errorf("step 1 is %s, want verified", st)
	}
}

// When Globus still refuses after the new sign-in, the check is not asked
// about again: it fails, naming what Globus asked.
func TestStepCheckRefusedAfterSignIn(t *testing.T) {
	cfg, srv, rec := stepCheckWorld(t, globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true, Always: true})
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "[")
	waitFor(t, tm, "Step 1 of 6")
	runes(tm, "x")
	waitFor(t, tm, "Sign in again")
	code, err := srv.ApproveLogin(boostedLink(t, rec))
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(paste(code))
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Something needs fixing")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	p := m.shell.stepsPg["project"]
	text := resultText(p.result)
	if p.result.ok || !strings.Contains(text, "Globus still refuses to read your projects after the new sign-in: it asks to sign in with MFA (a second factor)") {
		t.Fatalf("check:\n%s", text)
	}
	// Shown in the wizard's words: it opens that sign-in on the next try.
	if shown := text; strings.Contains(shown, "globus-setup") || !strings.Contains(shown, "when you try again here") {
		t.Errorf("shown:\n%s", shown)
	}
	if m.shell.login.ask != nil || m.shell.sel == m.shell.loginIndex() {
		t.Error("asked a second time")
	}
	if n := srv.Refusals(); n != 2 {
		t.Errorf("%d refusals, want 2 (the check and its one retry)", n)
	}
}

// Declining the sign-in (x on the login screen) stops the check; the step
// keeps its state, as the check judged nothing.
func TestStepCheckSignInDeclined(t *testing.T) {
	cfg, srv, _ := stepCheckWorld(t, globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true})
	if err := steps.MarkState(cfg.Vault, "project", steps.StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "[")
	waitFor(t, tm, "Step 1 of 6")
	runes(tm, "x")
	waitFor(t, tm, "Sign in again")
	press(tm, tea.KeyEsc) // out of the code field
	runes(tm, "x")
	waitFor(t, tm, "Cancelled.")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.shell.login.ask != nil {
		t.Error("the declined request is still open")
	}
	if st := m.shell.status["project"].State; st != steps.StateVerified {
		t.Errorf("step 1 is %s after a declined sign-in, want verified still", st)
	}
	if n := srv.Refusals(); n != 1 {
		t.Errorf("%d refusals", n)
	}
}

// The accessible mode's check after saving a step reads out what Globus
// asks and takes the code in line, then checks once more.
func TestAccessibleStepCheckAsksToSignInAgain(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	pid := srv.AddProject("Inference Gateway", operator, operator)
	srv.DemandSession(globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true})
	p := startPiped(t, cfg)
	p.feed("2", "y") // do it yourself; open the console
	if console := p.link(); strings.Contains(console, "session_required") {
		t.Fatalf("console link %s", console)
	}
	p.feed(pid, "Inference Gateway", "", "y") // ID, name, no e-mail; open the sign-in page
	boosted := p.link()
	if !strings.Contains(boosted, "session_required_mfa=True") {
		t.Fatalf("boosted link %s", boosted)
	}
	code, err := srv.ApproveLogin(boosted)
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code)
	text, _ := p.end()
	for _, want := range []string{"Globus needs you to sign in again with MFA (a second factor) to read your projects.",
		"Signing in again and trying once more…", "✓ Project exists", "All good.", "Step 2 of 6"} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "globus-setup login") {
		t.Errorf("still names the command:\n%s", text)
	}
	if n := srv.Refusals(); n != 1 {
		t.Errorf("%d refusals", n)
	}
}
