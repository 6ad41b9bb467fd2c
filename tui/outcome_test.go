package tui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/globus-setup/globus-setup/steps"
)

// words is the text of rendered lines, as words, marks and styles gone.
func words(lines []string) string {
	var all []string
	for _, l := range lines {
		all = append(all, strings.Fields(ansi.Strip(l))...)
	}
	return strings.Join(all, " ")
}

// The rotation's Compute hint, once seen cut at 100x30 ("`globus-setup
// exe…"), wraps whole at the wizard's widths: every word is there and no
// line is wider than the pane, so fit has nothing to cut.
func TestOutcomeWrapsRotationHintWhole(t *testing.T) {
	st := newStyles()
	hint := steps.ComputeRestartHint
	for _, term := range []struct{ w, h int }{{100, 30}, {60, 20}} {
		sh := &shellModel{m: &Model{w: term.w}}
		w := sh.mainWidth()
		for _, typing := range []bool{false, true} {
			o := outcome{report: []string{"- " + hint}, summary: []string{hint}, ok: true}
			lines := o.renderKeys(st, w, typing)
			for _, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Errorf("%dx%d: line %d cells wide in a %d-cell pane: %q", term.w, term.h, n, w, ansi.Strip(l))
				}
			}
			want := strings.Join(strings.Fields(hint), " ")
			got := words(splitLines(fit(lines, w, len(lines))))
			if got != "- "+want+" ✓ "+want {
				t.Errorf("%dx%d (typing %v): rendered\n%s\nwant the hint whole:\n%s", term.w, term.h, typing, got, want)
			}
		}
	}
}

// wrap breaks only at spaces, keeps every word, and never returns a line
// wider than asked, whatever hyphens, "--", wide characters or over-long
// words the text holds.
func TestWrapKeepsWordsWithinWidth(t *testing.T) {
	texts := []string{
		steps.ComputeRestartHint,
		"run `globus-setup exec --compute -- python3 -m endpoint` — then well-known re-run",
		"a very-long-hyphenated-word-that-goes-on-and-on and /a/path/with/no/spaces/at/all/in/it/whatsoever done",
		"  1 Indented: value that runs on past the width of the pane by some way",
		"日本語のテキスト と ひらがな の 長い 文 です",
	}
	for _, s := range texts {
		for w := 8; w <= 100; w++ {
			lines := wrap(s, w)
			for _, l := range lines {
				if n := ansi.StringWidth(l); n > w {
					t.Fatalf("width %d: line %d wide: %q", w, n, l)
				}
			}
			long := false
			for _, f := range strings.Fields(s) {
				long = long || ansi.StringWidth(f) > w
			}
			if got, want := strings.Join(strings.Fields(strings.Join(lines, " ")), " "), strings.Join(strings.Fields(s), " "); !long && got != want {
				t.Fatalf("width %d: words changed:\n%q\n%q", w, got, want)
			} else if long && strings.Join(strings.Fields(strings.Join(lines, "")), "") != strings.Join(strings.Fields(s), "") {
				t.Fatalf("width %d: characters lost: %q", w, lines)
			}
		}
	}
	if got := wrap("  1 Label: value", 80); len(got) != 1 || got[0] != "  1 Label: value" {
		t.Errorf("indent lost: %q", got)
	}
}

// wrapWhole (accessible mode's) never breaks a word: a link longer than a
// line, hyphens and all, is one line of its own, the words around it kept.
func TestWrapWholeKeepsALinkInOnePiece(t *testing.T) {
	link := "http://127.0.0.1:4000/auth/v2/oauth2/authorize?client_id=ad126d3e-2d5f-4e85-a1e5-45bc60534f08&code_challenge=AH-BO4itl&state=P2ZJ"
	for _, w := range []int{20, 40, 99} {
		lines := wrapWhole("Login page: "+link+" then paste the code", w)
		if !slices.Contains(lines, link) {
			t.Errorf("width %d: the link is not one line of its own: %q", w, lines)
		}
		if got := strings.Join(lines, " "); got != "Login page: "+link+" then paste the code" {
			t.Errorf("width %d: words changed: %q", w, got)
		}
	}
}

// hanging uses the whole width for the first line; only continuation lines
// give up the indent.
func TestHangingFirstLineTakesTheWholeWidth(t *testing.T) {
	s := `  create  app "Inference Gateway Service API" (a service API, redirect URI http://localhost:8000 (the form wants one; unused))`
	out := hanging(s, 10, 69)
	if w := len(out[0]); w < 60 || w > 69 {
		t.Fatalf("first line is %d wide: %q", w, out[0])
	}
	for i, l := range out[1:] {
		if !strings.HasPrefix(l, strings.Repeat(" ", 10)) || len(l) > 69 {
			t.Errorf("line %d: %q", i+1, l)
		}
	}
	if got := strings.Join(strings.Fields(strings.Join(out, " ")), " "); got != strings.Join(strings.Fields(s), " ") {
		t.Errorf("text changed: %q", got)
	}
}

// urlLines breaks at the address's own separators and never loses a byte.
func TestURLLinesBreakAtSeparators(t *testing.T) {
	url := "https://app.globus.org/settings/developers/registration/public_installed_client?x=1&y=2"
	for _, w := range []int{10, 30, 56, 67, 200} {
		out := urlLines(url, w)
		if strings.Join(out, "") != url {
			t.Fatalf("width %d: %q", w, out)
		}
		for _, l := range out {
			if len(l) > w {
				t.Fatalf("width %d: line %q too long", w, l)
			}
		}
	}
	if got := urlLines(url, 56); got[0] != "https://app.globus.org/settings/developers/registration/" {
		t.Errorf("first line %q does not end at a separator", got[0])
	}
}

// A word longer than the pane (an address with an ID in it) starts a line
// of its own and breaks after a "/", never inside the ID, which stays
// whole on one line to copy (t3 item 7).
func TestWrapBreaksALongAddressBetweenItsParts(t *testing.T) {
	const id = "5f9e8e0a-9481-491d-9f77-6ca0535d484a"
	line := "✓ action_all scope has the Groups dependent scope (https://auth.globus.org/scopes/" + id + "/action_all)"
	for _, w := range []int{40, 60, 68, 80} {
		lines := wrap(line, w)
		whole := false
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Fatalf("width %d: line %q is wider", w, l)
			}
			whole = whole || strings.Contains(l, id)
		}
		if !whole {
			t.Errorf("width %d: the scope's ID is cut in two: %q", w, lines)
		}
	}
}
