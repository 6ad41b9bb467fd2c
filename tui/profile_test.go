package tui

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/vault"
)

// ctrl+n on the unlock screen starts the wizard on a new profile: a bad
// name is refused with nothing created, a good one gets its own vault, the
// header names it, and the Globus environment is recorded for it.
func TestStartOnNewProfile(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Vault = nil // the unlock screen of an existing vault
	home := t.TempDir()
	cfg.Getenv = func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return home
		}
		return ""
	}
	cfg.Env.Name = "preview"
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Unlock the vault", "ctrl+n")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlN})
	waitFor(t, tm, "Start a new profile")
	runes(tm, "a/b")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "bad profile name")
	if _, err := os.Stat(filepath.Join(home, "globus-setup")); !os.IsNotExist(err) {
		t.Fatalf("a bad name created something: %v", err)
	}
	for range 3 {
		press(tm, tea.KeyBackspace)
	}
	runes(tm, "staging")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "profile staging", "Create the vault")
	runes(tm, testPass)
	press(tm, tea.KeyEnter)
	runes(tm, testPass)
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Step 1 of 6")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	p := vault.PathsFor(filepath.Join(home, "globus-setup", "profiles", "staging", "vault.age"))
	if _, err := vault.Open(p, []byte(testPass), testOpts); err != nil {
		t.Fatalf("the new profile's vault: %v", err)
	}
	if env, _ := vault.RecordedEnvironment(p); env != "preview" {
		t.Errorf("recorded environment %q", env)
	}
}
