package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// Typing in another field after a paste clears the paste's note; a UUID
// cut short is not scolded while typed, only once the field is left, but a
// character that can never be right is said at once.
func TestTypingClearsThePasteNoteAndWaitsWithALengthComplaint(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := newModel(t.Context(), cfg, nil)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(1)
	drive(m, paste(pastedSecret))
	if !strings.HasPrefix(m.shell.flash, "Pasted into Service API client secret. Next: Service API client ID") {
		t.Fatalf("the paste note: %q", m.shell.flash)
	}
	p := m.shell.stepPage("service_api")
	drive(m, enter)
	if !p.editing || p.fields[p.focus].f.Key != "service_api.client_id" {
		t.Fatalf("enter did not open the client ID (editing %v, focus %d)", p.editing, p.focus)
	}
	drive(m, keys("0b4d5a1e"))
	if strings.Contains(m.shell.flash, "Pasted into") {
		t.Errorf("typing in another field kept the paste note: %q", m.shell.flash)
	}
	f := p.fields[p.focus]
	if f.err != "" || strings.Contains(m.View(), "got 8 characters") {
		t.Errorf("a UUID being typed is scolded: %q", f.err)
	}
	drive(m, keys("-2g"))
	if !strings.Contains(f.err, `"g", is not a hex digit`) {
		t.Errorf("a non-hex digit in a UUID is not said at once: %q", f.err)
	}
	drive(m, tea.KeyMsg{Type: tea.KeyBackspace})
	if f.err != "" {
		t.Errorf("with the wrong character gone, the short UUID is scolded: %q", f.err)
	}
	drive(m, tea.KeyMsg{Type: tea.KeyTab})
	if !strings.Contains(f.err, "got 10 characters") {
		t.Errorf("leaving the field with a UUID cut short says %q", f.err)
	}
}
