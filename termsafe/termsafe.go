// Package termsafe makes text from outside (Globus answers, files, what a
// user typed or pasted) safe to show on a terminal. A terminal acts on
// control characters: ESC and the C1 controls start sequences that can set
// the clipboard (OSC 52), retitle or clear the screen, or move the cursor
// to overwrite what was printed; CR and backspace overwrite too; the
// text-direction controls make text read differently from what it holds.
// Each such character is shown as a visible escape (\x1b, \u009b,
// \u202e) instead, so tampering is seen rather than obeyed; printable
// Unicode is kept.
//
// It imports nothing of ours, so every layer that shows text can use it.
// Use it once, where the text is shown: Line for one line of a screen,
// Text for several, Writer for a whole output stream.
package termsafe

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Line makes s one safe line: tab and newline become a space, CR is
// dropped, and every other unsafe character is shown escaped.
func Line(s string) string { return clean(s, false) }

// Text makes s safe and keeps its newlines and tabs; CR is dropped (as in
// CRLF), and every other unsafe character is shown escaped.
func Text(s string) string { return clean(s, true) }

// Unsafe reports whether the terminal would act on r, rather than print it.
func Unsafe(r rune) bool {
	switch {
	case r < 0x20 || r == 0x7f: // C0 controls and DEL
		return true
	case r >= 0x80 && r <= 0x9f: // C1 controls: CSI 0x9b, OSC 0x9d, ST 0x9c...
		return true
	case Bidi(r):
		return true
	case r == 0x2028 || r == 0x2029: // line and paragraph separators
		return true
	}
	return false
}

// Bidi reports whether r is one of Unicode's text-direction controls (the
// Bidi_Control property): the marks U+061C, U+200E and U+200F and the
// embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069. Each
// can make text read differently from what it holds ("Trojan Source",
// CVE-2021-42574); a lone mark moves neutral characters across a name.
func Bidi(r rune) bool {
	return r >= 0x061c && r <= 0x2069 && unicode.Is(unicode.Bidi_Control, r) // the bounds spare most text the table
}

func clean(s string, multiline bool) string {
	if isClean(s, multiline) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	write(&b, s, multiline)
	return b.String()
}

func isClean(s string, multiline bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			continue
		}
		if multiline && (c == '\n' || c == '\t') {
			continue
		}
		if c < 0x80 {
			return false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 || Unsafe(r) {
			return false
		}
		i += n - 1
	}
	return true
}

// write appends the safe form of s to b.
func write(b *strings.Builder, s string, multiline bool) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(b, `\x%02x`, s[i]) // a byte that is not UTF-8
		case r == '\r':
			// Dropped: it only moves the cursor back over the line.
		case r == '\n' || r == '\t':
			if multiline {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		case Unsafe(r) && r < 0x80:
			fmt.Fprintf(b, `\x%02x`, r)
		case Unsafe(r):
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// Writer passes what is written through Text, for streams such as a
// command's stdout and stderr. A UTF-8 sequence split between two writes is
// held back until it is whole; Flush writes out anything held at the end.
type Writer struct {
	w    io.Writer
	hold []byte
}

// NewWriter returns a Writer onto w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write reports len(p) written when the safe form was all written.
func (sw *Writer) Write(p []byte) (int, error) {
	data := p
	if len(sw.hold) > 0 {
		data = append(sw.hold, p...)
		sw.hold = nil
	}
	// Hold an incomplete last rune (at most 3 bytes) for the next write.
	if cut := incompleteTail(data); cut > 0 {
		sw.hold = append([]byte(nil), data[len(data)-cut:]...)
		data = data[:len(data)-cut]
	}
	if _, err := io.WriteString(sw.w, Text(string(data))); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Flush writes out a held, incomplete sequence (escaped).
func (sw *Writer) Flush() error {
	if len(sw.hold) == 0 {
		return nil
	}
	s := Text(string(sw.hold))
	sw.hold = nil
	_, err := io.WriteString(sw.w, s)
	return err
}

// incompleteTail is how many bytes at the end of p start a UTF-8 sequence
// that is not finished yet.
func incompleteTail(p []byte) int {
	for n := 1; n <= 3 && n <= len(p); n++ {
		c := p[len(p)-n]
		if c < 0x80 {
			return 0 // ASCII: nothing pending
		}
		if utf8.RuneStart(c) {
			if utf8.FullRune(p[len(p)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}
