//go:build !windows

package tui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/tui/clipboard"
)

func TestDefaultOpenHonoursBrowser(t *testing.T) {
	dir := t.TempDir()
	got := filepath.Join(dir, "url")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$1\" > "+got+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"BROWSER": "/nonexistent/browser:" + script, "SSH_TTY": "/dev/pts/1"}
	if err := defaultOpen(func(k string) string { return env[k] }, "https://app.globus.org/x"); err != nil {
		t.Fatal(err)
	}
	// The browser is started, not waited for: wait for it here instead.
	var b []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, _ = os.ReadFile(got); len(b) > 0 && b[len(b)-1] == '\n' {
			break
		}
	}
	if string(b) != "https://app.globus.org/x\n" {
		t.Fatalf("browser got %q", b)
	}
}

func TestDefaultOpenRefusesOverSSH(t *testing.T) {
	env := map[string]string{"SSH_CONNECTION": "1 2 3 4", "DISPLAY": ":0"}
	if err := defaultOpen(func(k string) string { return env[k] }, "https://x"); !errors.Is(err, errNoBrowser) {
		t.Fatalf("got %v", err)
	}
}

// A copy a tmux dropped (set-clipboard external) is not said to be made.
func TestCopiedTextUnconfirmed(t *testing.T) {
	msg := copiedMsg{label: "login link", res: clipboard.Result{OSC52: true, TmuxDrops: "external"}}
	if got := copiedText(msg); strings.Contains(got, "copied") || !strings.Contains(got, "unconfirmed") || !strings.Contains(got, clipboard.EnableTmux) {
		t.Errorf("copiedText = %q: want it unconfirmed and how to enable it", got)
	}
	msg.res = clipboard.Result{OSC52: true}
	if got := copiedText(msg); got != "login link copied"+clearsNote {
		t.Errorf("copiedText = %q for a copy that landed", got)
	}
}
