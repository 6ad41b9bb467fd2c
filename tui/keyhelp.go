package tui

import (
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// shortDescs are the help bar's descriptions in fewer cells, used when the
// full ones do not fit the screen.
var shortDescs = map[string]string{
	"do it for me":      "do it",
	"open console":      "console",
	"copy link":         "link",
	"copy value":        "copy",
	"run check":         "check",
	"skip step":         "skip",
	"next screen":       "next",
	"set up everything": "set up all",
	"stop typing":       "done",
	"next field":        "next",
	"show/hide secret":  "show/hide",
	"verify all":        "verify",
	"edit path":         "path",
	"merge/replace":     "merge",
	"scroll up":         "up",
	"scroll down":       "down",
}

// keyLines lays out the short help within the screen's width, hiding no
// key it lists (a key cut off at the edge is a key the operator never
// learns): on one line if it fits, else on two, then with shorter
// descriptions, then without the last `optional` bindings (the shell's,
// which the full help lists); only then on a third line. bindings[0]
// comes first, so "?" stays in view.
func (m *Model) keyLines(bindings []key.Binding, optional int) []string {
	type item struct{ key, desc string }
	var items []item
	for i, b := range bindings {
		if h := b.Help(); b.Enabled() && h.Key != "" {
			items = append(items, item{h.Key, h.Desc})
		} else if i >= len(bindings)-optional {
			optional-- // a disabled optional key is not there to drop
		}
	}
	w := max(m.w, 1)
	st := m.help.Styles
	sep := st.ShortSeparator.Inline(true).Render(m.help.ShortSeparator)
	layout := func(items []item, short bool) []string {
		var lines []string
		line := ""
		for _, it := range items {
			d := it.desc
			if s, ok := shortDescs[d]; ok && short {
				d = s
			}
			text := st.ShortKey.Inline(true).Render(it.key) + " " + st.ShortDesc.Inline(true).Render(d)
			switch {
			case line == "":
				line = text
			case lipgloss.Width(line+sep+text) <= w:
				line += sep + text
			default:
				lines = append(lines, line)
				line = text
			}
		}
		return append(lines, line)
	}
	if l := layout(items, false); len(l) <= 2 {
		return l
	}
	for drop := 0; drop <= optional; drop++ {
		if l := layout(items[:len(items)-drop], true); len(l) <= 2 || drop == optional {
			if len(l) > 3 {
				// A screen too narrow for even this: cut, "?" still first.
				l = append(l[:2], l[2]+" …")
			}
			for i := range l {
				l[i] = truncate(l[i], w)
			}
			return l
		}
	}
	return nil // not reached: drop == optional returns
}
