package tui

import (
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
)

// A check of everything (Finish's x) is each step's latest check: a step
// whose own older check failed is no longer marked ✗ once it passes there.
func TestCheckAllReplacesAStepsOlderFailure(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 0)
	p := m.shell.stepPage("project")
	p.result = outcome{report: []string{"✗ Project exists: Globus answered 404"}, summary: []string{"Something needs fixing"}}
	if !p.failed() || m.shell.stepGlyph("project") != "✗" {
		t.Fatal("a failed check is not shown as failed")
	}
	v := flow.Verified{
		Checks: []steps.Check{{Step: "project", Name: "Project exists", Status: steps.CheckPass}},
		Lines:  []string{"✓ Project exists"},
	}
	m.shell.finish.verified(verifyDone{v: v})
	if p.failed() || m.shell.stepGlyph("project") == "✗" {
		t.Fatalf("after the check of everything passed, step 1 still shows its older failure: %+v", p.result)
	}
	if !strings.Contains(strings.Join(p.result.report, "\n"), "✓ Project exists") {
		t.Errorf("step 1 does not show the check of everything's line: %+v", p.result)
	}
	// One that fails there is shown failed, on its page too.
	v.Checks[0].Status, v.Lines[0] = steps.CheckFail, "✗ Project exists: gone"
	m.shell.finish.verified(verifyDone{v: v})
	if !p.failed() {
		t.Fatalf("the check of everything failed, step 1 does not say so: %+v", p.result)
	}
}
