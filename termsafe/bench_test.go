package termsafe

import (
	"strings"
	"testing"
)

// Text runs on every line the wizard shows from outside; a clean line (the
// common case) should cost next to nothing, a hostile one stays linear.
func BenchmarkTextClean(b *testing.B) {
	s := strings.Repeat("✓ Policy is high assurance with the stored domains (anl.gov uchicago.edu) ", 4)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Text(s)
	}
}

func BenchmarkTextHostile(b *testing.B) {
	s := strings.Repeat("Globus said \x1b]52;c;cm0gLXJmIH4K\a\x1b[2J\u202egpj.exe ", 4)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Text(s)
	}
}
