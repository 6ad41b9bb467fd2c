package tui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

func TestAccessibleRunsStepsAsPrompts(t *testing.T) {
	cfg, _, rec := testConfig(t)
	passFile := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(passFile, []byte(testPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Sources = vault.PassphraseSources{File: passFile, Getenv: func(string) string { return "" }}
	cfg.Accessible = true
	// Step 1: open the browser (fails: the link is printed), a mistyped ID
	// (re-asked), then the right values; the input then ends.
	cfg.Input = strings.NewReader("y\nnot-a-uuid\n0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c\nInference Gateway\n\n")
	var out bytes.Buffer
	cfg.Output = &out
	err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "input ended") {
		t.Fatalf("Run: %v", err)
	}
	text := out.String()
	url := steps.Catalogue()[0].ConsoleURL(cfg.Env)
	for _, want := range []string{"Step 1 of 6", "Console page: " + url, "expected a UUID", "Saved.", "Step 2 of 6"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if len(rec.opened) == 0 {
		t.Error("the browser was not tried")
	}
	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Get("project.id"); got != "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c" {
		t.Fatalf("project.id = %q", got)
	}
}
