package clipboard

import (
	"bytes"
	"encoding/base64"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type fakeBackend struct {
	available bool
	value     string
}

func (f *fakeBackend) Read() (string, error) { return f.value, nil }
func (f *fakeBackend) Write(s string) error  { f.value = s; return nil }
func (f *fakeBackend) Available() bool       { return f.available }

func useFake(t *testing.T, available bool) *fakeBackend {
	t.Helper()
	f := &fakeBackend{available: available}
	old := Native
	Native = f
	t.Cleanup(func() { Native = old })
	return f
}

func TestCopyWritesOSC52AndNative(t *testing.T) {
	t.Setenv("TMUX", "")
	t.Setenv("TERM", "xterm-256color")
	f := useFake(t, true)
	var term bytes.Buffer
	r, err := Copy("s3cret-value", &term)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OSC52 || !r.Native {
		t.Fatalf("result %+v, want both", r)
	}
	if f.value != "s3cret-value" {
		t.Fatalf("native clipboard holds %q", f.value)
	}
	want := base64.StdEncoding.EncodeToString([]byte("s3cret-value"))
	if !strings.Contains(term.String(), "\x1b]52;c;"+want) {
		t.Fatalf("terminal got %q, want an OSC 52 sequence carrying the value", term.String())
	}
}

func TestCopyInsideTmuxSendsPlainAndWrapped(t *testing.T) {
	t.Setenv("TMUX", "/tmp/tmux-0/default,1,0")
	useFake(t, false)
	var term bytes.Buffer
	if _, err := Copy("v", &term); err != nil {
		t.Fatal(err)
	}
	plain := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte("v"))
	if !strings.HasPrefix(term.String(), plain) {
		t.Fatalf("sequence %q does not start with the plain form tmux's set-clipboard takes", term.String())
	}
	if !strings.Contains(term.String(), "\x1bPtmux;") {
		t.Fatalf("sequence %q is not also wrapped for tmux passthrough", term.String())
	}
}

func TestCopyWithNoClipboardFails(t *testing.T) {
	useFake(t, false)
	r, err := Copy("v", nil)
	if err != ErrNoClipboard || r.Any() {
		t.Fatalf("got %+v, %v; want ErrNoClipboard", r, err)
	}
}

func TestClearLeavesANewerValueAlone(t *testing.T) {
	f := useFake(t, true)
	f.value = "something the operator copied later"
	ClearIfUnchanged("old secret", nil)
	if f.value != "something the operator copied later" {
		t.Fatalf("clipboard cleared a value we did not put there")
	}
	f.value = "old secret"
	ClearIfFingerprint(Fingerprint("old secret"), nil)
	if f.value != "" {
		t.Fatalf("clipboard still holds our value")
	}
}

func TestClearWritesOSC52Clear(t *testing.T) {
	t.Setenv("TMUX", "")
	t.Setenv("TERM", "xterm")
	useFake(t, false)
	var term bytes.Buffer
	ClearIfUnchanged("x", &term)
	if !strings.Contains(term.String(), "\x1b]52;c;!") {
		t.Fatalf("no OSC 52 clear in %q", term.String())
	}
}

// Inside tmux the copied value is deleted from tmux's paste buffers (OSC 52
// "clear" is ignored there); other buffers stay.
func TestClearDeletesTheTmuxBuffer(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("tmux is needed for this test (.ci/run installs it): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "sock")
	run := func(args ...string) string {
		out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
		return string(out)
	}
	run("-f", "/dev/null", "new-session", "-d", "-s", "clip", "sleep 30")
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	t.Setenv("TMUX", sock+",1,0")
	run("set-buffer", "-b", "mine", "s3cret-value")
	run("set-buffer", "-b", "other", "something else")
	useFake(t, false)
	ClearIfUnchanged("s3cret-value", nil)
	names := run("list-buffers", "-F", "#{buffer_name}")
	if strings.Contains(names, "mine") || !strings.Contains(names, "other") {
		t.Fatalf("tmux buffers after clearing: %q", names)
	}
}

// Inside a tmux whose set-clipboard is not "on" (tmux's default is
// "external") and which passes nothing through, a program's OSC 52 goes
// nowhere: the copy is said to be unconfirmed, naming the command that
// enables it, unless the local clipboard took it.
func TestCopyInTmuxThatDropsItIsUnconfirmed(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Fatalf("tmux is needed for this test (.ci/run installs it): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "sock")
	run := func(args ...string) {
		if out, err := exec.Command(tmux, append([]string{"-S", sock}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("tmux %v: %v %s", args, err, out)
		}
	}
	run("-f", "/dev/null", "new-session", "-d", "-s", "clip", "sleep 30")
	t.Cleanup(func() { _ = exec.Command(tmux, "-S", sock, "kill-server").Run() })
	t.Setenv("TMUX", sock+",1,0")
	t.Setenv("TMUX_PANE", "")
	f := useFake(t, false)
	copyIt := func() Result {
		t.Helper()
		var term bytes.Buffer
		r, err := Copy("v", &term)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	r := copyIt() // tmux's defaults: set-clipboard external, no passthrough
	if !r.Unconfirmed() || r.TmuxDrops != "external" {
		t.Fatalf("default tmux: %+v, want unconfirmed (set-clipboard external)", r)
	}
	if d := r.Describe(); !strings.Contains(d, "unconfirmed") || !strings.Contains(d, EnableTmux) || strings.Contains(d, "copied") {
		t.Errorf("described as %q: want it unconfirmed and how to enable it", d)
	}

	run("set", "-s", "set-clipboard", "on")
	if r := copyIt(); r.Unconfirmed() || r.Describe() != "copied through the terminal (OSC 52)" {
		t.Errorf("set-clipboard on: %+v %q, want a copy", r, r.Describe())
	}
	run("set", "-s", "set-clipboard", "external")
	run("set", "-g", "allow-passthrough", "on")
	if r := copyIt(); r.Unconfirmed() {
		t.Errorf("allow-passthrough on (the wrapped copy reaches the outer terminal): %+v, want a copy", r)
	}
	run("set", "-g", "allow-passthrough", "off")
	f.available = true
	if r := copyIt(); r.Unconfirmed() || r.Describe() != "copied to the local clipboard" {
		t.Errorf("with a local clipboard: %+v %q, want it copied there", r, r.Describe())
	}
}
