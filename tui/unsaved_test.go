package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

const pastedSecret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde="

// quits: cmd is the wizard quitting.
func quits(cmd tea.Cmd) bool {
	if cmd == nil {
		return false
	}
	_, ok := cmd().(tea.QuitMsg)
	return ok
}

// A secret pasted on step 2 and not saved is named (masked) before q
// quits; s stores it, and the last words say so.
func TestQuitAsksAboutAPastedSecretAndStoresIt(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := newModel(t.Context(), cfg, nil)
	m.shell.goTo(1)
	drive(m, paste(pastedSecret))
	if !strings.Contains(m.shell.flash, "Pasted into Service API client secret") {
		t.Fatalf("the paste went elsewhere: %q", m.shell.flash)
	}
	_, cmd := m.Update(keys("q"))
	if quits(cmd) {
		t.Fatal("q quit at once with a pasted secret not saved")
	}
	v := m.View()
	if !strings.Contains(v, "Not saved: Service API client secret (••••••••)") || !strings.Contains(v, "s store the valid ones") {
		t.Fatalf("the quit question does not name the secret masked:\n%s", v)
	}
	if strings.Contains(v, pastedSecret[:12]) {
		t.Fatalf("the quit question shows the secret:\n%s", v)
	}
	_, cmd = m.Update(keys("s"))
	if !quits(cmd) {
		t.Fatal("s did not quit")
	}
	if got := cfg.Vault.Doc().Values["service_api.client_secret"]; got != pastedSecret {
		t.Errorf("s stored the secret as %q", got)
	}
	if !strings.Contains(m.quitNote, "Stored at quit: Service API client secret.") {
		t.Errorf("the last words say %q", m.quitNote)
	}
}

// ctrl+c in an open form with a value that does not validate asks too: y
// loses it and the last words say it was lost, never "saved"; n stays.
func TestCtrlCInAFormAsksAndSaysWhatIsLost(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := newModel(t.Context(), cfg, nil)
	drive(m, enter) // step 1's form
	drive(m, keys("not-a-uuid"))
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if quits(cmd) {
		t.Fatal("ctrl+c quit at once with a typed ID not saved")
	}
	v := m.View()
	if !strings.Contains(v, "Not saved: Project ID (not-a-uuid)") || !strings.Contains(v, "It is not valid to store") || strings.Contains(v, "s store") {
		t.Fatalf("the quit question:\n%s", v)
	}
	drive(m, keys("n"))
	if m.quitUnsaved != nil || !m.typing() {
		t.Fatal("n did not go back to the form")
	}
	if _, cmd = m.Update(tea.KeyMsg{Type: tea.KeyCtrlC}); quits(cmd) {
		t.Fatal("the second ctrl+c quit without asking")
	}
	if _, cmd = m.Update(keys("y")); !quits(cmd) {
		t.Fatal("y did not quit")
	}
	if m.quitNote != "Not saved, lost at quit: Project ID." {
		t.Errorf("the last words say %q", m.quitNote)
	}
	if got := cfg.Vault.Doc().Values["project.id"]; got != "" {
		t.Errorf("y stored %q", got)
	}
}

// Nothing typed, or a suggestion left as it is: q quits without asking.
func TestQuitWithNothingTypedDoesNotAsk(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := newModel(t.Context(), cfg, nil)
	drive(m, enter) // step 1's form, its name suggested
	drive(m, esc)
	if u := m.shell.unsaved(); u != nil {
		t.Fatalf("unsaved: %v", u)
	}
	if _, cmd := m.Update(keys("q")); !quits(cmd) {
		t.Fatal("q asked with nothing typed")
	}
}

// The set-up form's values changed from their suggestions are named too.
func TestQuitNamesTheSetUpFormsValues(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := newModel(t.Context(), cfg, nil)
	drive(m, runCmd(m.shell.goTo(m.shell.setupIndex())))
	drive(m, enter)
	su := m.shell.setup
	if !su.loaded || !su.editing {
		t.Fatalf("the set-up form did not open:\n%s", m.View())
	}
	drive(m, tea.KeyMsg{Type: tea.KeyCtrlU})
	drive(m, keys("Lab Gateway"))
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyCtrlC})
	if quits(cmd) {
		t.Fatal("ctrl+c quit at once with the set-up form changed")
	}
	if v := m.View(); !strings.Contains(v, "Not saved: set-up form's "+su.fields[su.focus].s.Label+" (Lab Gateway)") {
		t.Fatalf("the quit question:\n%s", v)
	}
}

// A throwaway demo's quit question speaks of one value not saved in the
// singular, of two in the plural.
func TestDemoQuitQuestionCountsTheValues(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Ephemeral = true
	m := newModel(t.Context(), cfg, nil)
	m.shell.goTo(1)
	drive(m, paste(pastedSecret))
	m.Update(keys("q"))
	v := strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(v, "(••••••••). It goes with this demo's vault.") || !strings.Contains(v, "y quit, losing it") {
		t.Fatalf("one value not saved, in the demo's quit question:\n%s", v)
	}
	drive(m, keys("n"))
	m.shell.goTo(2)
	drive(m, paste(pastedSecret)) // step 3's secret: two steps' values unsaved
	m.Update(keys("q"))
	v = strings.Join(strings.Fields(m.View()), " ")
	if !strings.Contains(v, "They go with this demo's vault.") || !strings.Contains(v, "losing them") {
		t.Fatalf("two values not saved, in the demo's quit question:\n%s", v)
	}
}
