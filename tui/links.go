package tui

import "github.com/charmbracelet/x/ansi"

// linkLines shows a URL twice: as plain text, hard-wrapped so every
// character is on screen to select or read (no terminal feature needed),
// and as an OSC 8 hyperlink that terminals which know it make clickable.
// The hyperlink is one short line: an OSC 8 sequence must not be split by
// wrapping.
func linkLines(st styles, url, label string, w int) []string {
	out := []string{"  " + st.key.Render(hyperlink(url, truncate(label, max(w-2, 1))))}
	for _, l := range splitLines(ansi.Hardwrap(url, max(w-2, 10), false)) {
		out = append(out, "  "+l)
	}
	return out
}
