package tui

import (
	"sort"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// valuesModel lists every stored value; secrets stay masked unless revealed.
type valuesModel struct {
	sh       *shellModel
	rows     []valueRow
	sel      int
	revealed map[string]bool
}

type valueRow struct {
	key, label string
	secret     bool
}

func newValues(sh *shellModel) *valuesModel {
	v := &valuesModel{sh: sh, revealed: map[string]bool{}}
	v.reload()
	return v
}

// reload lists the stable keys in DESIGN order, then any groups.* keys.
func (v *valuesModel) reload() {
	v.rows = v.rows[:0]
	seen := map[string]bool{}
	for _, ks := range steps.Keys() {
		v.rows = append(v.rows, valueRow{key: ks.Key, label: ks.Label, secret: ks.Secret})
		seen[ks.Key] = true
	}
	var extra []string
	for k := range v.sh.doc.Values {
		if !seen[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		row := valueRow{key: k, label: k}
		if ks, ok := steps.Spec(k); ok {
			row.label, row.secret = ks.Label, ks.Secret
		}
		v.rows = append(v.rows, row)
	}
	v.sel = min(v.sel, max(len(v.rows)-1, 0))
}

func (v *valuesModel) resize(int)   {}
func (v *valuesModel) typing() bool { return false }

func (v *valuesModel) bindings() []key.Binding {
	k := v.sh.m.keys
	b := []key.Binding{k.Up, k.Down, k.Copy}
	if len(v.rows) > 0 && v.rows[v.sel].secret {
		b = append(b, k.Reveal)
	}
	return b
}

func (v *valuesModel) update(msg tea.Msg) tea.Cmd {
	km, ok := msg.(tea.KeyMsg)
	if !ok || len(v.rows) == 0 {
		return nil
	}
	k := v.sh.m.keys
	row := v.rows[v.sel]
	switch {
	case key.Matches(km, k.Up):
		v.sel = max(v.sel-1, 0)
	case key.Matches(km, k.Down):
		v.sel = min(v.sel+1, len(v.rows)-1)
	case key.Matches(km, k.Reveal) && row.secret:
		v.revealed[row.key] = !v.revealed[row.key]
	case key.Matches(km, k.Copy):
		val, ok := v.sh.doc.Values[row.key]
		if !ok || val == "" {
			v.sh.flash = row.key + " is not set yet"
			return nil
		}
		return v.sh.m.copyCmd(row.key, val)
	}
	return nil
}

func (v *valuesModel) lines(w int) ([]string, int) {
	st := v.sh.m.st
	out := []string{st.title.Render("Stored values"), st.faint.Render(truncate("c copies · r reveals a secret · all kept encrypted in the vault", w)), ""}
	// A key name may come from a teammate's commit (a team vault): shown
	// escaped, like any text from outside.
	names := make([]string, len(v.rows))
	keyW := 0
	for i, r := range v.rows {
		names[i] = termsafe.Line(r.key)
		keyW = max(keyW, lipgloss.Width(names[i]))
	}
	// Two lines per value when a UUID would not fit beside its key.
	stacked := keyW+2+36 > w-2
	keyW = min(keyW, w/2)
	focus := -1
	for i, r := range v.rows {
		val, set := v.sh.doc.Values[r.key]
		shown := st.faint.Render("not set")
		switch {
		case set && r.secret && !v.revealed[r.key]:
			shown = "••••••••"
		case set:
			shown = termsafe.Line(val) // it may have come from Globus
		}
		var lines []string
		if set && r.secret && v.revealed[r.key] && keyW+2+len(val) > w-2 {
			// A revealed secret is shown whole, wrapped, never cut.
			lines = []string{truncate(names[i], w-2)}
			for _, l := range splitLines(ansi.Hardwrap(termsafe.Line(val), max(w-4, 8), false)) {
				lines = append(lines, "  "+l)
			}
		} else if stacked {
			lines = []string{truncate(names[i], w-2), "  " + truncate(shown, w-4)}
		} else {
			k := truncate(names[i], keyW)
			k += strings.Repeat(" ", keyW-lipgloss.Width(k))
			lines = []string{truncate(k+"  "+shown, w-2)}
		}
		for j, l := range lines {
			switch {
			case i == v.sel && j == 0:
				l = st.selected.Render("▸ " + l)
			case i == v.sel:
				l = st.selected.Render("  " + l)
			default:
				l = "  " + l
			}
			out = append(out, l)
		}
		if i == v.sel {
			focus = len(out) - 1
		}
	}
	return out, focus
}
