package termsafe

import (
	"fmt"
	"slices"
	"testing"
)

// bidiControls are Unicode's Bidi_Control characters: the marks, then the
// embeddings and overrides, then the isolates.
var bidiControls = []rune{0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069}

// Every text-direction control is shown escaped, the marks too; nothing
// else is taken for one.
func TestEveryTextDirectionControlEscaped(t *testing.T) {
	for _, r := range bidiControls {
		s := "users" + string(r) + "gpj.exe"
		want := fmt.Sprintf(`users\u%04xgpj.exe`, r)
		if got := Line(s); got != want {
			t.Errorf("Line(%U) = %q, want %q", r, got, want)
		}
		if got := Text(s); got != want {
			t.Errorf("Text(%U) = %q, want %q", r, got, want)
		}
	}
	for r := rune(0); r <= 0x10ffff; r++ {
		if got, want := Bidi(r), slices.Contains(bidiControls, r); got != want {
			t.Errorf("Bidi(%U) = %v, want %v", r, got, want)
		}
	}
	// Joiners and the like are ordinary text (emoji sequences need them).
	for _, s := range []string{"\u200d", "\u200c", "👩\u200d💻"} {
		if Line(s) != s {
			t.Errorf("%q escaped as %q", s, Line(s))
		}
	}
}
