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

func (r *recorder) lastOpened() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.opened) == 0 {
		return ""
	}
	return r.opened[len(r.opened)-1]
}

// The wizard's "do it for me" meets an MFA demand mid-way (the app is made,
// its secret is refused): the login screen says what Globus asks and shows
// the boosted link; the pasted code carries the run on, nothing made twice.
func TestApplyAsksToSignInAgain(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), env, steps.ApplyOptions{Steps: []string{"project"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/clients/*/credentials", MFA: true, Message: "MFA within 30 minutes"})

	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "a")
	waitFor(t, tm, "create  app", "enter: do it")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Sign in again", "Globus needs you to sign in again with MFA", "Globus says: MFA within 30 minutes")
	var boosted string
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(boosted, "session_required_mfa"); boosted = rec.lastOpened() {
		if time.Now().After(deadline) {
			t.Fatalf("the boosted link was not opened: %q", boosted)
		}
		time.Sleep(10 * time.Millisecond)
	}
	u, _ := url.Parse(boosted)
	if u.Query().Get("session_required_mfa") != "True" {
		t.Fatalf("boosted URL %s", boosted)
	}
	code, err := srv.ApproveLogin(boosted)
	if err != nil {
		t.Fatal(err)
	}
	tm.Send(paste(code))
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "✓ All good.")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if p := m.shell.stepsPg["service_api"]; !p.applied.ok {
		t.Fatalf("apply: %s", resultText(p.applied))
	}
	pid := cfg.Vault.Doc().Values["project.id"]
	if n := len(srv.Clients(pid)); n != 1 {
		t.Fatalf("%d apps, want 1", n)
	}
	if n := len(srv.Credentials(cfg.Vault.Doc().Values["service_api.client_id"])); n != 1 || srv.Refusals() != 1 {
		t.Fatalf("%d secrets, %d refusals", n, srv.Refusals())
	}
}

// The accessible mode reads out what Globus asks and the boosted link, and
// takes the code in line.
func TestAccessibleAsksToSignInAgain(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/projects", MFA: true})
	p := startPiped(t, cfg)
	p.feed("1", thick, "y")
	code, err := srv.ApproveLogin(p.link())
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code, "", "", "y", "y")
	boosted := p.link()
	if !strings.Contains(boosted, "session_required_mfa=True") {
		t.Fatalf("boosted link %s", boosted)
	}
	code, err = srv.ApproveLogin(boosted)
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code)
	text, _ := p.end()
	for _, want := range []string{"Globus needs you to sign in again with MFA (a second factor) to create a project.",
		"Signing in again and trying once more…", `✓ created project "Inference Gateway"`, "All good."} {
		if !strings.Contains(text, want) {
			t.Errorf("lacks %q:\n%s", want, text)
		}
	}
	if n := len(operatorProjects(srv)); n != 1 {
		t.Errorf("%d projects", n)
	}
}

// Declining the sign-in (x) stops the work; the request does not linger.
func TestApplySignInDeclined(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/projects", MFA: true})
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 1 of 6")
	runes(tm, "a")
	waitFor(t, tm, "create  project", "enter: do it")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Sign in again")
	press(tm, tea.KeyEsc)
	runes(tm, "x")
	waitFor(t, tm, "Stopped.")
	runes(tm, "L")
	waitFor(t, tm, "Log in to Globus")
	tm.Quit()
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.shell.login.ask != nil {
		t.Error("the declined request is still open")
	}
	if n := len(operatorProjects(srv)); n != 0 {
		t.Errorf("%d projects", n)
	}
}
