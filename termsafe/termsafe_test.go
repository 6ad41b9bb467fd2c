package termsafe

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	cases := map[string]string{
		"plain text": "plain text",
		"Grüße, 東京, مرحبا, 🙂👩‍💻":              "Grüße, 東京, مرحبا, 🙂👩‍💻",
		"clip\x1b]52;c;cm0gLXJmIH4K\x07":      `clip\x1b]52;c;cm0gLXJmIH4K\x07`,
		"title\x1b]0;pwned\x1b\\":             `title\x1b]0;pwned\x1b\`,
		"clear\x1b[2J\x1b[H":                  `clear\x1b[2J\x1b[H`,
		"c1 csi \u009b2J osc \u009d0;x\u009c": `c1 csi \u009b2J osc \u009d0;x\u009c`,
		"raw c1 byte \x9b2J":                  `raw c1 byte \x9b2J`,
		"ok\rFAKE":                            "okFAKE",
		"back\b\b\bspace":                     `back\x08\x08\x08space`,
		"del\x7f":                             `del\x7f`,
		"nul\x00":                             `nul\x00`,
		"bidi \u202egpj.exe\u202c":            `bidi \u202egpj.exe\u202c`,
		"isolate \u2066x\u2069":               `isolate \u2066x\u2069`,
		"two\nlines\tand tab\r\n":             "two lines and tab ",
		"sep\u2028here":                       `sep\u2028here`,
		"bad utf8 \xff\xfe":                   `bad utf8 \xff\xfe`,
	}
	for in, want := range cases {
		if got := Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestText(t *testing.T) {
	in := "line one\r\n\tline two\x1b[31m\n"
	want := "line one\n\tline two\\x1b[31m\n"
	if got := Text(in); got != want {
		t.Errorf("Text(%q) = %q, want %q", in, got, want)
	}
}

// dangerous reports whether s holds anything a terminal would act on.
func dangerous(s string, multiline bool) bool {
	for _, r := range s {
		if Unsafe(r) && !(multiline && (r == '\n' || r == '\t')) {
			return true
		}
	}
	return !utf8.ValidString(s)
}

func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;x\x07", "\u009b31m", "\xc2\x9b", "a\rb", "\u202e", "\xff", "日本", "\xe6\x97"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		line, text := Line(s), Text(s)
		if dangerous(line, false) {
			t.Fatalf("Line(%q) = %q is not safe", s, line)
		}
		if dangerous(text, true) {
			t.Fatalf("Text(%q) = %q is not safe", s, text)
		}
		if Line(line) != line || Text(text) != text {
			t.Fatalf("not idempotent on %q", s)
		}
		// Safe text passes through unchanged.
		if !dangerous(s, true) && !strings.Contains(s, "\r") && text != s {
			t.Fatalf("Text changed safe text %q to %q", s, text)
		}
		// Through a Writer, in pieces of every size, the result is Text's.
		for _, step := range []int{1, 2, 3, 7} {
			var out bytes.Buffer
			w := NewWriter(&out)
			for i := 0; i < len(s); i += step {
				if _, err := w.Write([]byte(s[i:min(i+step, len(s))])); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			if dangerous(out.String(), true) {
				t.Fatalf("Writer(%q) in steps of %d wrote %q", s, step, out.String())
			}
			if utf8.ValidString(s) && out.String() != text {
				t.Fatalf("Writer(%q) in steps of %d wrote %q, Text gives %q", s, step, out.String(), text)
			}
		}
	})
}

func TestWriterHoldsSplitRunes(t *testing.T) {
	var out bytes.Buffer
	w := NewWriter(&out)
	msg := []byte("東京 \x1b]52;c;x\x07 ok\n")
	for i := range msg {
		if n, err := w.Write(msg[i : i+1]); n != 1 || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if got, want := out.String(), "東京 \\x1b]52;c;x\\x07 ok\n"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// An unfinished sequence at the end is written escaped by Flush.
	out.Reset()
	_, _ = w.Write([]byte("end \xe6\x97"))
	_ = w.Flush()
	if got := out.String(); got != `end \xe6\x97` {
		t.Errorf("flushed %q", got)
	}
}
