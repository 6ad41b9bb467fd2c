package tui

import (
	"strings"

	"github.com/globus-setup/globus-setup/termsafe"
)

// keysWhileTyping names the wizard's own "press L" for a screen whose text
// field has the keys: a letter would be typed in, so esc comes first.
var keysWhileTyping = strings.NewReplacer(
	"press L", "press esc, then L", "Press L", "Press esc, then L",
	"press a", "press esc, then a", "Press a", "Press esc, then a",
	"press x", "press esc, then x", "press v", "press esc, then v",
).Replace

// outcome is the plain-words result of an operation: the report's own lines
// (each already marked ✓ ✗ or -) and a summary marked by success.
type outcome struct {
	report  []string
	summary []string
	ok      bool
}

func (o outcome) empty() bool { return len(o.report) == 0 && len(o.summary) == 0 }

func (o outcome) render(st styles, w int) []string {
	return o.renderKeys(st, w, false)
}

// renderKeys renders; typing says a text field has the keys, so a hint's
// "press L" becomes "esc, then L" (a bare L would be typed into the field).
func (o outcome) renderKeys(st styles, w int, typing bool) []string {
	words := func(s string) string { return s }
	if typing {
		words = keysWhileTyping
	}
	var out []string
	for _, l := range o.report {
		l = words(l)
		sty := st.faint
		switch {
		case strings.HasPrefix(l, "✓"):
			sty = st.ok
		case strings.HasPrefix(l, "✗"):
			sty = st.bad
		}
		// Hanging indent: a wrapped check line stays visibly one line.
		// Reports and errors carry Globus's words: shown safe (termsafe).
		for _, b := range hanging(termsafe.Line(l), 2, w) {
			out = append(out, sty.Render(b))
		}
	}
	mark, sty := "✓ ", st.ok
	if !o.ok {
		mark, sty = "✗ ", st.bad
	}
	for i, l := range o.summary {
		l = words(l)
		prefix := "  "
		if i == 0 {
			prefix = mark
		}
		for _, b := range hanging(prefix+termsafe.Line(l), 2, w) {
			out = append(out, sty.Render(b))
		}
	}
	return out
}
