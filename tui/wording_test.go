package tui

import (
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/steps"
)

// The tester's wording findings (item 9): no parentheses inside
// parentheses, no "log in" said twice, a check said once.

func TestNoBrowserIsSaidWithoutNestedParentheses(t *testing.T) {
	err := defaultOpen(func(string) string { return "" }, "http://example.org")
	if err == nil {
		t.Skip("a browser may open here")
	}
	note := "The browser did not open (" + err.Error() + ")."
	if strings.Count(note, "(") != 1 {
		t.Errorf("%q", note)
	}
}

func TestAccessibleLoginIsNotSaidTwice(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	if err := steps.Accept(cfg.Vault, "project", map[string]string{"project.id": "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c", "project.name": "Inference Gateway"}); err != nil {
		t.Fatal(err)
	}
	e := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	for _, c := range steps.VerifyAll(t.Context(), e) {
		if c.Status != steps.CheckSkip || !c.NeedsLogin {
			continue
		}
		l := c.LineIn(accessibleWords)
		if strings.Count(l, "log in") > 1 || strings.Contains(l, "((") || strings.Contains(l, "))") {
			t.Fatalf("%q", l)
		}
		return
	}
	t.Fatal("no check waits for the login")
}

func TestFinishSaysTheStartUpCheckOnce(t *testing.T) {
	_, _, m, _ := provable(t)
	drive(m, keys("x"))
	if got := resultText(m.shell.finish.result); strings.Count(got, "The gateway would start") != 1 {
		t.Fatalf("the start-up check is said %d times:\n%s", strings.Count(got, "The gateway would start"), got)
	}
}
