//go:build unix

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/vault"
)

// e2eHostileVault: a teammate's commit put a key holding OSC 0 (retitle)
// and OSC 52 (set the clipboard) into the team vault's document. The
// wizard refuses the document at unlock, shows the key escaped, and the
// terminal is neither retitled nor given a clipboard; no file changes.
func e2eHostileVault(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	p := vault.PathsFor(vaultFile)
	v, err := vault.Create(p, []byte(e2ePassphrase), vault.Options{WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Set("project.name", e2eProject); err != nil {
		t.Fatal(err)
	}
	plantValue(t, p, e2ePassphrase, hostileKeyName, "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b")
	before := map[string][]byte{}
	for _, f := range []string{p.Vault, p.Identity} {
		before[f], _ = os.ReadFile(f)
	}

	tm := startWizard(t, bin, "hostile", dir, 100, 30, "--demo", "--vault", vaultFile)
	title := tm.paneTitle()
	tm.unlock()
	s := tm.waitFor("the document refused", "tampered")
	squash := strings.Join(strings.Fields(s), "") // the message wraps
	for _, want := range []string{"wasnotopened", `"groups.x\x1b]0;PWNED\a\x1b]52;c;SGVsbG8gZnJvbSBtYWxsb3J5\a.id"`, "nothingwaschanged"} {
		if !strings.Contains(squash, want) {
			t.Errorf("the refusal does not say %s:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Step 1 of 6") {
		t.Errorf("the wizard opened the document:\n%s", s)
	}
	if got := tm.paneTitle(); got != title || strings.Contains(got, "PWNED") {
		t.Errorf("the terminal was retitled: %q (was %q)", got, title)
	}
	if bufs := strings.TrimSpace(tm.tmux("list-buffers")); bufs != "" {
		t.Errorf("the terminal's clipboard was set (OSC 52): %s", bufs)
	}
	// At 60×20 the refusal is still shown whole, to its last words.
	tm.resize(60, 20)
	tm.assertFits(tm.waitFor("the refusal at 60x20", "tampered", "(git log -p"), "globus-setup │ DEMO", "esc quit")
	tm.key("Escape")
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(50 * time.Millisecond) {
		// The words after the full screen may have scrolled into the history.
		if strings.Contains(tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"), exitedPrefix) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the wizard did not quit on esc:\n%s", tm.capture())
		}
	}
	for f, b := range before {
		if now, _ := os.ReadFile(f); !bytes.Equal(now, b) {
			t.Errorf("%s changed", f)
		}
	}
}

// paneTitle is the title the program set on the terminal (OSC 0/2).
func (tm *tmuxTerm) paneTitle() string {
	tm.t.Helper()
	return strings.TrimSpace(tm.tmux("display-message", "-p", "-t", "e2e", "#{pane_title}"))
}
