package tui

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/steps"
)

// A resumed wizard's Finish looks at the remembered .env (no write): one
// already holding what is stored is said to, not asked to be written; once
// a value changes, the write is asked for again.
func TestResumedFinishSaysTheEnvAlreadyHoldsIt(t *testing.T) {
	m, policy := guidedWorld(t)
	drive(m, paste(policy))
	drive(m, keys("alice@example.org"))
	drive(m, enter)
	if m.shell.sel != m.shell.finishIndex() {
		t.Fatalf("step 6 did not move on to Finish (screen %d)", m.shell.sel)
	}
	gateway := filepath.Join(t.TempDir(), ".env")
	setInput(m.shell.finish.path, gateway)
	drive(m, keys("w"))
	if !m.shell.finish.result.ok {
		t.Fatalf("write failed: %+v", m.shell.finish.result)
	}
	view := func(f *finishModel) string {
		lines, _ := f.lines(200)
		return strings.Join(lines, "\n")
	}
	m.shell.refresh()
	resumed := newFinish(m.shell) // as a new session opens it: nothing written yet
	m.shell.finish = resumed
	if got := inputValue(resumed.path); got != gateway {
		t.Fatalf("the resumed Finish offers %q, want the remembered %s", got, gateway)
	}
	v := view(resumed)
	if strings.Contains(v, "Write the gateway's .env") || !strings.Contains(v, "The gateway's .env already holds what is stored") ||
		!strings.Contains(v, "already holds what is stored: nothing needs writing") {
		t.Fatalf("a resumed Finish with the .env up to date says:\n%s", v)
	}
	if err := steps.SetValues(m.cfg.Vault, map[string]string{"policy.domains": "example.org example.edu"}); err != nil {
		t.Fatal(err)
	}
	m.shell.refresh()
	m.shell.goTo(0)
	m.shell.goTo(m.shell.finishIndex())
	if v := view(resumed); strings.Contains(v, "already holds") || !strings.Contains(v, "exists: merged") {
		t.Fatalf("with a value changed since, Finish still says the .env holds it:\n%s", v)
	}
}
