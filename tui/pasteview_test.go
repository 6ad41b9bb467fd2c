package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// A paste on a step's screen scrolls the field it filled into view: the
// status line alone would say what happened (t3 item 6).
func TestPasteScrollsTheFilledFieldIntoView(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 1) // step 2: its guide fills a small screen
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	const id = "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"
	if strings.Contains(m.View(), "> "+id) {
		t.Fatal("the field is in view before the paste: the test shows nothing")
	}
	drive(m, paste(id))
	if v := m.View(); !strings.Contains(v, "> "+id) {
		t.Fatalf("the field the paste filled is not in view:\n%s", v)
	}
}
