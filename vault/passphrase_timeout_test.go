//go:build !windows

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A passphrase command that never exits is stopped at the deadline, with
// its children, and the error names the variables to look at.
func TestPassphraseCommandDeadline(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	// The shell starts a child that would outlive it, then waits forever.
	command := "sleep 1000 & echo $! > " + pidFile + "; echo leaked-secret; wait"
	env := map[string]string{EnvPassphraseCommand: command, EnvPassphraseTimeout: "300ms"}
	type result struct {
		pass []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		pass, _, err := ReadPassphrase(PassphraseSources{Getenv: func(k string) string { return env[k] }})
		done <- result{pass, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("ReadPassphrase still waiting on a command that never exits")
	}
	if r.err == nil {
		t.Fatalf("want an error, got %q", r.pass)
	}
	msg := r.err.Error()
	for _, want := range []string{EnvPassphraseCommand, "did not finish within 300ms", EnvPassphraseTimeout} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "leaked-secret") {
		t.Errorf("error shows the command's output: %q", msg)
	}
	waitGone(t, pidFile)
}

// waitGone fails unless the process whose ID is in pidFile ends.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	raw, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	// The killed child is reaped by init; poll until it is gone.
	for range 200 {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("the command's child %d was left running", pid)
}

// A shell that prints the passphrase and exits is not held up by a child it
// left in the background with our pipe open, and that child is stopped.
func TestPassphraseCommandBackgroundChild(t *testing.T) {
	pidFile := filepath.Join(t.TempDir(), "pid")
	env := map[string]string{EnvPassphraseCommand: "echo from-cmd; sleep 1000 & echo $! > " + pidFile}
	pass, ok, err := ReadPassphrase(PassphraseSources{Getenv: func(k string) string { return env[k] }})
	if err != nil || !ok || string(pass) != "from-cmd" {
		t.Fatalf("got %q, %v, %v", pass, ok, err)
	}
	waitGone(t, pidFile)
}

func TestPassphraseTimeoutSetting(t *testing.T) {
	for v, want := range map[string]time.Duration{"": DefaultPassphraseTimeout, "90": 90 * time.Second, "2m": 2 * time.Minute, " 5s ": 5 * time.Second} {
		if got, err := passphraseTimeout(v); err != nil || got != want {
			t.Errorf("%q: got %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"0", "-3", "soon", "0s"} {
		_, err := passphraseTimeout(v)
		if err == nil || !strings.Contains(err.Error(), EnvPassphraseTimeout) {
			t.Errorf("%q: got %v, want an error naming %s", v, err, EnvPassphraseTimeout)
		}
	}
	// A bad setting is reported before anything runs.
	marker := filepath.Join(t.TempDir(), "ran")
	env := map[string]string{EnvPassphraseCommand: "touch " + marker + "; echo p", EnvPassphraseTimeout: "soon"}
	if _, _, err := ReadPassphrase(PassphraseSources{Getenv: func(k string) string { return env[k] }}); err == nil {
		t.Fatal("want an error for a bad timeout")
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran despite a bad timeout setting")
	}
}
