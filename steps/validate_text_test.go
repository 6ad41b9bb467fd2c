package steps

import (
	"strings"
	"testing"
	"unicode"
)

func TestValidateDescription(t *testing.T) {
	ok := map[string]string{
		"":                          "",
		"  gateway users  ":         "gateway users",
		"line one\r\nline two\tend": "line one\nline two\tend",
		"Groupe des utilisateurs ✓": "Groupe des utilisateurs ✓",
		"مستخدمو البوابة":           "مستخدمو البوابة",
	}
	for in, want := range ok {
		if got, err := ValidateDescription(in); err != nil || got != want {
			t.Errorf("%q: got %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"a\x1b]52;c;eA==\x07", "a\x1b[2J", "a\u009b1m", "a\u009d0;t\u009c", "a\rb", "a\x08b", "a\x7f", "a\u202eb", "a\u2066b", "\xff\xfe", strings.Repeat("x", maxDescription+1)} {
		if got, err := ValidateDescription(in); err == nil {
			t.Errorf("%q accepted as %q", in, got)
		}
	}
}

func TestValidateTextRefusesBidiOverrides(t *testing.T) {
	for _, in := range []string{"Users \u202egpj.exe", "a\u2067b\u2069", "a\x1b[31mred"} {
		if _, err := ValidateText(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
	if _, err := ValidateText("Gateway \u200fRLM mark"); err == nil {
		t.Errorf("a right-to-left mark is a text-direction control too (issue 23.2)")
	}
}

// What ValidateDescription accepts carries no control character but newline
// and tab, and no direction override.
func FuzzValidateDescription(f *testing.F) {
	for _, s := range []string{"users", "a\nb", "\x1b]52;c;x\x07", "\u202e", "\u009b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ValidateDescription(s)
		if err != nil {
			return
		}
		if strings.ContainsFunc(got, func(r rune) bool {
			return (unicode.IsControl(r) && r != '\n' && r != '\t') || isBidiControl(r) || r == unicode.ReplacementChar && !strings.ContainsRune(s, r)
		}) {
			t.Fatalf("%q accepted as %q", s, got)
		}
	})
}
