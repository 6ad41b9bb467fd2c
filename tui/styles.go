package tui

import (
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"github.com/globus-setup/globus-setup/termsafe"
)

// styles uses adaptive colours only: the renderer drops them under NO_COLOR
// or on a dumb terminal, and bold/faint/reverse keep the hierarchy readable.
type styles struct {
	header, headerDemo lipgloss.Style
	title, heading     lipgloss.Style
	faint, bold        lipgloss.Style
	ok, bad, warn      lipgloss.Style
	selected, key      lipgloss.Style
	box                lipgloss.Style
	theme              *huh.Theme
}

func newStyles() styles {
	accent := lipgloss.AdaptiveColor{Light: "#5A4FCF", Dark: "#9D8CFF"}
	green := lipgloss.AdaptiveColor{Light: "#1B7F3B", Dark: "#5FD787"}
	red := lipgloss.AdaptiveColor{Light: "#B3261E", Dark: "#FF6B6B"}
	amber := lipgloss.AdaptiveColor{Light: "#8A5A00", Dark: "#FFD166"}
	return styles{
		header:     lipgloss.NewStyle().Bold(true).Reverse(true),
		headerDemo: lipgloss.NewStyle().Bold(true).Foreground(amber),
		title:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		heading:    lipgloss.NewStyle().Bold(true),
		faint:      lipgloss.NewStyle().Faint(true),
		bold:       lipgloss.NewStyle().Bold(true),
		ok:         lipgloss.NewStyle().Foreground(green),
		bad:        lipgloss.NewStyle().Foreground(red),
		warn:       lipgloss.NewStyle().Foreground(amber),
		selected:   lipgloss.NewStyle().Bold(true).Reverse(true),
		key:        lipgloss.NewStyle().Bold(true).Foreground(accent),
		box:        lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		theme:      huh.ThemeBase(),
	}
}

// wrap word-wraps s to width at its spaces; only a word longer than a whole
// line is broken, and nothing is ever dropped. Not ansi.Wrap: it breaks at
// hyphens too and, around "--" or a wide character, can return a line wider
// than width, which fit then cuts off with "…" (seen: "`globus-setup exe…").
func wrap(s string, width int) []string {
	return wrapAll(s, width, true)
}

// wrapWhole wraps as wrap does but never breaks a word: one longer than a
// line (a link, a path) stands whole on its own line, for the terminal to
// fold. Accessible mode says text so: a screen reader and a copy both need
// a link in one piece.
func wrapWhole(s string, width int) []string {
	return wrapAll(s, width, false)
}

func wrapAll(s string, width int, breakLong bool) []string {
	if width < 1 {
		width = 1
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapLineAt(para, width, breakLong)...)
	}
	return out
}

// wrapLine wraps one line (no "\n"). Runs of spaces inside a line, and those
// leading it (an indent), are kept; the space at a break is dropped.
func wrapLine(s string, width int) []string { return wrapLineAt(s, width, true) }

// wrapLineAt is wrapLine; breakLong says whether a word longer than a line
// is broken (else it is left whole on its own line).
func wrapLineAt(s string, width int, breakLong bool) []string {
	if ansi.StringWidth(s) <= width {
		return []string{s}
	}
	var out []string
	cur, curW := "", 0
	fresh, atBreak := true, false
	for _, word := range strings.Split(s, " ") {
		ww := ansi.StringWidth(word)
		switch {
		case fresh:
			cur, curW, fresh = word, ww, false
		case atBreak && word == "":
			continue // no spaces leading a continuation line
		case atBreak:
			cur, curW, atBreak = word, ww, false
		case curW+1+ww <= width:
			cur, curW = cur+" "+word, curW+1+ww
		default:
			out = append(out, cur)
			cur, curW, atBreak = word, ww, word == ""
		}
		if curW > width && breakLong { // a word longer than a line: break it, keep it all
			parts := breakWord(cur, width)
			out = append(out, parts[:len(parts)-1]...)
			cur = parts[len(parts)-1]
			curW = ansi.StringWidth(cur)
		}
	}
	if atBreak {
		return out // only spaces after the last break
	}
	return append(out, cur)
}

// breakWord breaks a word longer than a line (it starts a line of its
// own): a plain one, an address or an ID, after a "/", "?" or "&" where it
// can (urlLines), so no UUID or secret ID is cut in two on screen; styled
// text anywhere.
func breakWord(word string, width int) []string {
	if !strings.ContainsRune(word, '\x1b') && ansi.StringWidth(word) == len(word) {
		return urlLines(word, width)
	}
	return strings.Split(ansi.Hardwrap(word, width, true), "\n")
}

// indent wraps s to width-n and indents every line by n spaces.
func indent(s string, n, width int) []string {
	pad := strings.Repeat(" ", n)
	out := wrap(s, width-n)
	for i := range out {
		out[i] = pad + out[i]
	}
	return out
}

// styledWrap wraps plain text, then styles each line: a style must not
// span a line break, or its colour bleeds into the sidebar beside it.
func styledWrap(sty lipgloss.Style, s string, width int) []string {
	out := wrap(s, width)
	for i := range out {
		out[i] = sty.Render(out[i])
	}
	return out
}

// hanging wraps s to width with continuation lines indented by n, so a
// wrapped item still reads as one item.
func hanging(s string, n, width int) []string {
	if strings.Contains(s, "\n") || width-n < 1 {
		out := indent(s, n, width)
		out[0] = strings.TrimPrefix(out[0], strings.Repeat(" ", n))
		return out
	}
	// The first line takes the whole width; only the rest are indented.
	first := wrapLine(s, width)[0]
	rest := strings.TrimLeft(strings.TrimPrefix(s, first), " ")
	if rest == "" {
		return []string{first}
	}
	return append([]string{first}, indent(rest, n, width)...)
}

// fit makes exactly h lines, each at most w cells wide, so a frame never
// overflows the terminal whatever the content.
// A line wider than w is cut with "…": a last guard, as every screen wraps
// its text to w first.
func fit(lines []string, w, h int) string {
	out := make([]string, 0, h)
	for _, l := range lines {
		if len(out) == h {
			break
		}
		out = append(out, truncate(l, w))
	}
	for len(out) < h {
		out = append(out, "")
	}
	return strings.Join(out, "\n")
}

func truncate(s string, w int) string {
	if ansi.StringWidth(s) <= w {
		return s
	}
	return ansi.Truncate(s, w, "…")
}

// hyperlink is an OSC 8 link: terminals that know it make text clickable,
// the others print text alone.
func hyperlink(url, text string) string {
	if strings.ContainsFunc(url+text, termsafe.Unsafe) {
		return termsafe.Line(text) // never let a link end its own sequence early
	}
	return "\x1b]8;;" + url + "\x1b\\" + text + "\x1b]8;;\x1b\\"
}

// splitLines splits a rendered block into lines.
func splitLines(s string) []string { return strings.Split(strings.TrimRight(s, "\n"), "\n") }
