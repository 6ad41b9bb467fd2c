package tui

import (
	"strings"

	"github.com/globus-setup/globus-setup/termsafe"
)

// outcome is the plain-words result of an operation: the report's own lines
// (each already marked ✓ ✗ or -) and a summary marked by success.
type outcome struct {
	report  []string
	summary []string
	ok      bool
}

func (o outcome) empty() bool { return len(o.report) == 0 && len(o.summary) == 0 }

func (o outcome) render(st styles, w int) []string {
	var out []string
	for _, l := range o.report {
		l = wizardWords(l)
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
		l = wizardWords(l)
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
