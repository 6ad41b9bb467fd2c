package termsafe

import "testing"

func TestInline(t *testing.T) {
	for in, want := range map[string]string{
		"verification failed: Project exists":     "verification failed: Project exists",
		"ok\n3. Public client           verified": `ok\n3. Public client           verified`,
		"a\r\nb\tc":                `a\r\nb\tc`,
		"x\x1b]0;PWNED\x07":        `x\x1b]0;PWNED\x07`,
		"line\u2028sep \u202eevil": `line\u2028sep \u202eevil`,
		"café ✓":                   "café ✓",
		"\xff":                     `\xff`,
	} {
		if got := Inline(in); got != want {
			t.Errorf("Inline(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkInlineClean(b *testing.B) {
	s := "verification failed: Project exists; Public client exists and is public"
	for b.Loop() {
		_ = Inline(s)
	}
}
