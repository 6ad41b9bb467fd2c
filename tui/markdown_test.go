package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
)

func TestMarkdown(t *testing.T) {
	src := "## Why\n\nA **bold** and `code` [link](https://x.org)\nsame paragraph.\n\n" +
		"1. First item that is long enough to wrap around the width\n   continued here.\n" +
		"   - nested **item**\n2. Second\n"
	got := markdown(src, 30)
	want := []string{
		"WHY",
		"",
		"A bold and code link",
		"(https://x.org) same",
		"paragraph.",
		"",
		"1. First item that is long",
		"   enough to wrap around the",
		"   width continued here.",
		"  • nested item",
		"2. Second",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, l := range got {
		if lipgloss.Width(l) > 30 {
			t.Fatalf("line wider than 30: %q", l)
		}
	}
}
