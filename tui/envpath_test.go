package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/steps"
)

// Finish offers the gateway's .env the vault remembers, shown absolute,
// and w writes into it as it was written: a secret-free file stays
// secret-free, and no second plaintext .env appears in the folder the
// wizard was started from.
func TestFinishOffersTheRememberedEnv(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	secret := "c2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcmFjdGVycy4uLg=="
	if err := steps.SetValues(cfg.Vault, map[string]string{
		"service_api.client_id":     "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c",
		"service_api.client_secret": secret,
		"policy.domains":            "example.org",
	}); err != nil {
		t.Fatal(err)
	}
	gateway := filepath.Join(t.TempDir(), "srv", ".env")
	if err := os.MkdirAll(filepath.Dir(gateway), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := steps.ExportFileWith(cfg.Vault, gateway, steps.FormatEnv, steps.SecretsOmit); err != nil {
		t.Fatal(err)
	}
	started := t.TempDir()
	t.Chdir(started)

	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	drive(m, keys("f"))
	f := m.shell.finish
	if got := inputValue(f.path); got != gateway {
		t.Fatalf("Finish offers %q, want the remembered %s", got, gateway)
	}
	if err := steps.SetValues(cfg.Vault, map[string]string{"policy.domains": "example.org example.edu"}); err != nil {
		t.Fatal(err)
	}
	drive(m, keys("w"))
	if !f.result.ok {
		t.Fatalf("write failed: %+v", f.result)
	}
	data, err := os.ReadFile(gateway)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), secret) || !strings.Contains(string(data), "example.edu") {
		t.Fatalf("the remembered .env was not merged as written (secret-free):\n%s", data)
	}
	if entries, _ := os.ReadDir(started); len(entries) != 0 {
		t.Fatalf("w wrote into the folder the wizard started from: %v", entries)
	}
	if got := cfg.Vault.Doc().Internal[steps.EnvTargetKey]; got != gateway {
		t.Fatalf("the remembered .env became %q", got)
	}
	if sum := strings.Join(f.result.summary, " "); strings.Contains(sum, "it holds client secrets") || !strings.Contains(sum, "without") {
		t.Errorf("Finish's words for a secret-free file: %q", sum)
	}
}

// With nothing remembered, real use suggests ./.env as its absolute path.
func TestFinishShowsTheDefaultEnvAbsolute(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	want, _ := filepath.Abs(".env")
	if got := inputValue(m.shell.finish.path); got != want {
		t.Fatalf("Finish's path field shows %q, want %s", got, want)
	}
}
