package tui

import (
	"strings"
	"testing"
)

// a on a step before logging in is no failure: it starts the login, as A
// does, and the login goes back to the step with its plan (tester item 7).
func TestApplyWithoutLoginLogsInThenPlans(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	m := openOn(t, cfg, 0)
	p := m.shell.stepPage("project")
	if !strings.Contains(m.View(), "do this step for you (needs login)") {
		t.Fatalf("before the login, a does not say it needs one:\n%s", m.View())
	}
	drive(m, keys("a"))
	if p.failed() || strings.Contains(m.View(), "✗ 1 Globus project") {
		t.Fatalf("a without a login marked step 1 failed:\n%s", m.View())
	}
	if m.shell.sel != m.shell.loginIndex() || m.shell.login.link == "" {
		t.Fatalf("a without a login did not start the login (on screen %d):\n%s", m.shell.sel, m.View())
	}
	if v := m.View(); !strings.Contains(v, "goes back to step 1") {
		t.Fatalf("the login does not say where it goes back to:\n%s", v)
	}
	rec.mu.Lock()
	link := rec.opened[len(rec.opened)-1]
	rec.mu.Unlock()
	code, err := srv.ApproveLogin(link)
	if err != nil {
		t.Fatal(err)
	}
	drive(m, paste(code))
	if m.shell.sel != 0 {
		t.Fatalf("logged in, the wizard is on screen %d, not step 1:\n%s", m.shell.sel, m.View())
	}
	if p.plan == nil || p.failed() || !strings.Contains(m.View(), `create  project "Inference Gateway"`) {
		t.Fatalf("back on step 1 without its plan:\n%s", m.View())
	}
	drive(m, esc) // the plan declined: the step's keys again
	if v := m.View(); !strings.Contains(v, "do this step for you ·") || strings.Contains(v, "(needs login)") {
		t.Fatalf("logged in, a still says it needs a login:\n%s", v)
	}
}
