package tui

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/vault"
)

// The wizard opened in an unlock sitting says so where the vault is
// unlocked, and that `lock` ends it (t3 item 8); without one it says
// nothing of sittings.
func TestWizardInASittingSaysSo(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 0)
	if strings.Contains(m.View(), "sitting") {
		t.Fatalf("no sitting is open, yet the wizard speaks of one:\n%s", m.View())
	}
	opts := testOpts
	opts.Sittings = vault.NewMemorySittingStore()
	cfg.VaultOptions = opts
	v, err := vault.Open(cfg.Paths, []byte(testPass), opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.StartSitting(time.Hour); err != nil {
		t.Fatal(err)
	}
	cfg.Vault = v
	m = NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := strings.Join(strings.Fields(m.View()), " "); !strings.Contains(got, "This vault's sitting (globus-setup unlock) is open until") || !strings.Contains(got, "`globus-setup lock` ends it.") {
		t.Fatalf("in a sitting, the wizard does not say so:\n%s", m.View())
	}

	cfg.Accessible, cfg.Input = true, strings.NewReader("")
	var out bytes.Buffer
	cfg.Output = &out
	Run(context.Background(), cfg)
	if !strings.Contains(out.String(), "`globus-setup lock` ends it.") {
		t.Errorf("accessible mode in a sitting does not say so:\n%s", out.String())
	}
}
