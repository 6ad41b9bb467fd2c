//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// What a new operator tripped on, seen where the operator saw it: the real
// binary in a terminal.

const e2eSecret = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789+/abcde="

// e2eTesterQuit: a secret pasted on step 2 and q: the wizard asks, naming
// it masked; s stores it, the last words say so, and it is there on resume.
func e2eTesterQuit(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "testerquit", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	tm.waitFor("step 1", "Step 1 of 6")
	tm.goToStep(2, "Register the Service API app")
	tm.paste(e2eSecret)
	tm.waitFor("the secret pasted", "Pasted into Service API client secret")
	tm.key("q")
	s := tm.waitFor("q asks", "Not saved: Service API client secret (••••••••). Quit?", "s store the valid ones, then quit")
	if strings.Contains(s, exitedPrefix) || strings.Contains(s, e2eSecret[:12]) {
		t.Fatalf("q quit, or shows the secret:\n%s", s)
	}
	tm.key("n")
	tm.waitFor("n stays", "▸○ 2 Service API app", "q quit") // the pasted field in view, the title above it
	tm.key("q")
	tm.waitFor("q asks again", "Not saved: Service API client secret")
	tm.key("s")
	tm.waitExit(vaultFile)
	if last := tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e"); !strings.Contains(last, "Stored at quit: Service API client secret.") {
		t.Fatalf("the last words do not say the secret was stored:\n%s", last)
	}

	tm2 := startWizard(t, bin, "testerquit-again", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm2.unlock()
	tm2.waitFor("reopened", "Step 1 of 6")
	tm2.assertSidebar(map[int]string{1: "○", 2: "◐", 3: "○", 4: "○", 5: "○", 6: "○"}, "")
	tm2.key("q") // nothing typed: no question
	tm2.waitExit(vaultFile)
}

// e2eTesterAccessible: accessible mode in a throwaway demo offers no OS
// keychain, suggests step 1's name (enter takes it), and never echoes a
// secret pasted at a client ID's prompt.
func e2eTesterAccessible(t *testing.T, bin string) {
	dir := t.TempDir()
	tm := startWizardWith(t, bin, "testeraccessible", dir, 100, 30, termOptions{env: []string{"TMPDIR=" + dir}}, "--demo", "--accessible")
	tm.waitFor("passphrase asked", "Passphrase:")
	tm.typeLine(e2ePassphrase)
	tm.waitFor("asked again", "Passphrase again:")
	tm.typeLine(e2ePassphrase)
	if s := tm.waitForAny("unlocked", "Remember the vault in the OS keychain", "Step 1 of 6"); strings.Contains(s, "keychain") {
		t.Fatalf("the OS keychain is offered for a throwaway demo's vault:\n%s", s)
	}
	tm.waitFor("how", "Enter a number between 1 and 2")
	tm.typeLine("2")
	tm.waitFor("open it?", "Open the console page in a browser?")
	tm.typeLine("n")
	tm.waitFor("the project's ID", "Project ID:")
	tm.typeLine("1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d")
	tm.waitFor("the name suggested", "Project name (enter for the default, Inference Gateway):")
	tm.key("Enter")
	tm.waitFor("contact", "Contact e-mail (optional):")
	tm.key("Enter")
	s := tm.waitFor("step 2", "Step 2 of 6", "Enter a number between 1 and 2")
	if strings.Contains(s, "Project name is required") {
		t.Errorf("the suggested name was refused:\n%s", s)
	}
	tm.typeLine("2")
	tm.waitFor("open it?", "Open the console page in a browser?")
	tm.typeLine("n")
	tm.waitFor("the app's ID", "Service API client ID:")
	tm.paste(e2eSecret)
	tm.key("Enter")
	s = tm.waitFor("the secret refused", "looks like a client secret, not an ID")
	if strings.Contains(s, e2eSecret[:12]) {
		t.Fatalf("the secret pasted at the ID's prompt is on the screen:\n%s", s)
	}
	tm.typeLine("6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b")
	tm.waitFor("the ID said back", "Service API client ID: 6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b", "Service API client secret:")
	tm.key("C-c")
	if code, last := tm.exited(); code != 130 || strings.Contains(last, e2eSecret[:12]) {
		t.Errorf("interrupted: exit %d\n%s", code, last)
	}
}

// e2eTesterThrowawayKeychain: the full screen offers no OS keychain for a
// throwaway demo's vault either: the entry would outlive the vault.
func e2eTesterThrowawayKeychain(t *testing.T, bin string) {
	dir := t.TempDir()
	tm := startWizardWith(t, bin, "testerkeychain", dir, 100, 30, termOptions{env: []string{"TMPDIR=" + dir}}, "--demo")
	s := tm.waitFor("create the vault", "Create the vault", "Passphrase again")
	if strings.Contains(s, "keychain") {
		t.Fatalf("the OS keychain is offered for a throwaway demo's vault:\n%s", s)
	}
	tm.key("C-c")
	tm.exited()
}

// e2eTesterApplyLogsIn: a before logging in is no failure: it starts the
// login, as A does, and comes back to the step with its plan.
func e2eTesterApplyLogsIn(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "testerapply", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	tm.waitFor("step 1", "Step 1 of 6", "(needs login)")
	tm.key("a")
	s := tm.waitFor("a starts the login", "Step 1 done for you needs your login; then back to step 1.", "open the Globus login page")
	if strings.Contains(s, "✗") {
		t.Fatalf("a without a login marked something failed:\n%s", s)
	}
	link := tm.shownLink("open the Globus login page")
	tm.paste(consoleAt(t, link).approve(link))
	tm.waitFor("back on step 1 with its plan", "▸○ 1 Globus project", `create  project "Inference Gateway"`, "enter: do it")
	tm.key("Escape") // the plan declined: the step's keys again
	for range 3 {
		tm.key("PageUp")
	}
	s = tm.waitFor("the step's keys", "Step 1 of 6", "do this step for you")
	if strings.Contains(s, "(needs login)") {
		t.Errorf("logged in, a still says it needs a login:\n%s", s)
	}
}
