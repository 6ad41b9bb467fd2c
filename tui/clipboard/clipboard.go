// Package clipboard copies a value to the operator's clipboard in the two ways
// that matter for a tool often run over SSH: OSC 52, which asks the terminal
// emulator on the operator's own machine to set its clipboard, and the native
// clipboard of the machine we run on (xclip/xsel/wl-copy, pbcopy, Windows)
// where one exists. Either may be missing; Copy says which worked.
package clipboard

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	native "github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
)

// DefaultClearAfter matches `pass -c`: long enough to paste, short enough
// that a secret does not linger.
const DefaultClearAfter = 45 * time.Second

// Result says where the value went, so the caller can tell the operator.
type Result struct {
	OSC52  bool // the escape sequence was written to the terminal
	Native bool // the local clipboard holds the value
	// TmuxDrops is tmux's set-clipboard setting ("external", "off") when
	// the terminal is a tmux that drops a program's OSC 52 (and does not
	// pass it through either): the sequence went nowhere. "" otherwise.
	TmuxDrops string
}

// Any reports whether the value reached at least one clipboard.
func (r Result) Any() bool { return r.OSC52 || r.Native }

// Unconfirmed: only the terminal was given the value, and the terminal
// is a tmux known to drop it.
func (r Result) Unconfirmed() bool { return r.TmuxDrops != "" && !r.Native }

// EnableTmux is the command that lets tmux take a program's copy.
const EnableTmux = "tmux set -s set-clipboard on"

// Describe is a short phrase for the operator: where the value went.
func (r Result) Describe() string {
	switch {
	case r.Unconfirmed():
		return "sent to the terminal (OSC 52), unconfirmed: tmux's set-clipboard is " + r.TmuxDrops +
			", which drops a program's copy; enable it with: " + EnableTmux
	case r.OSC52 && r.Native && r.TmuxDrops == "":
		return "copied to the clipboard (terminal and local)"
	case r.OSC52 && !r.Native:
		return "copied through the terminal (OSC 52)"
	case r.Native:
		return "copied to the local clipboard"
	}
	return "no clipboard could be reached"
}

// ErrNoClipboard is returned when neither OSC 52 nor a native clipboard worked.
var ErrNoClipboard = errors.New("no clipboard available: no terminal for OSC 52 and no native clipboard tool (install xclip, xsel or wl-clipboard)")

// Backend is the native clipboard; a variable so tests can replace it.
type Backend interface {
	Read() (string, error)
	Write(string) error
	Available() bool
}

type atottoBackend struct{}

func (atottoBackend) Read() (string, error) { return native.ReadAll() }
func (atottoBackend) Write(s string) error  { return native.WriteAll(s) }
func (atottoBackend) Available() bool       { return !native.Unsupported }

// Native is the local clipboard used by Copy and Clear.
var Native Backend = atottoBackend{}

// Copy writes text to the terminal w as OSC 52 (when w is not nil) and to the
// native clipboard. The text itself never appears in any error.
func Copy(text string, w io.Writer) (Result, error) {
	var r Result
	if w != nil && writeAll(w, osc52.New(text)) == nil {
		r.OSC52 = true
		r.TmuxDrops = tmuxDrops()
	}
	if Native.Available() && Native.Write(text) == nil {
		r.Native = true
	}
	if !r.Any() {
		return r, ErrNoClipboard
	}
	return r, nil
}

// ClearIfUnchanged empties the native clipboard only if it still holds text,
// so a value the operator copied since is left alone. OSC 52 cannot be read
// back reliably, so the terminal's clipboard is cleared unconditionally when
// w is given: our value was the last one we put there.
func ClearIfUnchanged(text string, w io.Writer) {
	if Native.Available() {
		if cur, err := Native.Read(); err == nil && SameValue(cur, text) {
			_ = Native.Write("")
		}
	}
	if w != nil {
		_ = writeAll(w, osc52.Clear())
	}
	clearTmux(Fingerprint(text))
}

// Fingerprint identifies a value without revealing it, so a helper process
// can be told what to clear without being handed the secret.
func Fingerprint(text string) [32]byte { return sha256.Sum256([]byte(text)) }

// SameValue compares in constant time, as the values may be secrets.
func SameValue(a, b string) bool {
	fa, fb := Fingerprint(a), Fingerprint(b)
	return subtle.ConstantTimeCompare(fa[:], fb[:]) == 1
}

// ClearIfFingerprint is ClearIfUnchanged for a process that knows only the
// fingerprint of what was copied.
func ClearIfFingerprint(fp [32]byte, w io.Writer) {
	if Native.Available() {
		if cur, err := Native.Read(); err == nil {
			got := Fingerprint(cur)
			if subtle.ConstantTimeCompare(got[:], fp[:]) == 1 {
				_ = Native.Write("")
			}
		}
	}
	if w != nil {
		_ = writeAll(w, osc52.Clear())
	}
	clearTmux(fp)
}

// clearTmux deletes tmux's paste buffers holding the value: tmux keeps what
// OSC 52 sets as a paste buffer and ignores OSC 52's "clear" (an empty or
// invalid payload adds nothing), so the buffer must be deleted by name.
// Values are compared by fingerprint, read through a pipe, never argv.
func clearTmux(fp [32]byte) {
	if os.Getenv("TMUX") == "" {
		return
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		return
	}
	names, err := exec.Command(tmux, "list-buffers", "-F", "#{buffer_name}").Output()
	if err != nil {
		return
	}
	for _, name := range strings.Fields(string(names)) {
		data, err := exec.Command(tmux, "show-buffer", "-b", name).Output()
		if err != nil {
			continue
		}
		got := Fingerprint(string(data))
		if subtle.ConstantTimeCompare(got[:], fp[:]) == 1 {
			_ = exec.Command(tmux, "delete-buffer", "-b", name).Run()
		}
	}
}

// tmuxDrops is tmux's set-clipboard setting when the tmux we run in drops
// a program's OSC 52: set-clipboard other than "on" ignores it (tmux(1):
// "external" only sets the outer terminal's clipboard from tmux's own
// copies) and, with allow-passthrough off, the wrapped form is dropped
// too. "" outside tmux, where it takes the copy, or where tmux cannot be
// asked (said as a copy, as before).
func tmuxDrops() string {
	if os.Getenv("TMUX") == "" {
		return ""
	}
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		return ""
	}
	ask := func(args ...string) (string, error) {
		out, err := exec.Command(tmux, args...).Output()
		return strings.TrimSpace(string(out)), err
	}
	setting, err := ask("show-options", "-sv", "set-clipboard")
	if err != nil || setting == "" || setting == "on" {
		return ""
	}
	// allow-passthrough is a pane option from tmux 3.3; before it, the
	// wrapped sequence always passed (an error asking: not dropped).
	pane := []string{"show-options", "-pvA", "allow-passthrough"} // -A: as inherited from the window, session or global
	if p := os.Getenv("TMUX_PANE"); p != "" {
		pane = append(pane[:2], "-t", p, "allow-passthrough")
	}
	if pass, err := ask(pane...); err != nil || pass == "on" || pass == "all" {
		return ""
	}
	return setting
}

// writeAll sends the sequence as is and, inside tmux or screen, wrapped for
// passthrough too: tmux takes the plain form with `set-clipboard on` and the
// wrapped one with `allow-passthrough on`, and neither is on everywhere.
func writeAll(w io.Writer, s osc52.Sequence) error {
	if _, err := s.WriteTo(w); err != nil {
		return err
	}
	switch {
	case os.Getenv("TMUX") != "":
		_, err := s.Tmux().WriteTo(w)
		return err
	case strings.HasPrefix(os.Getenv("TERM"), "screen"):
		_, err := s.Screen().WriteTo(w)
		return err
	}
	return nil
}
