//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest/browse"
)

// What issue 23 found the wizard getting wrong, each seen where an operator
// sees it: on the real binary in a terminal.

// e2eWizardGuided walks a demo as a new operator at 100×30: the first
// passphrase, a mistaken paste, a note at 60 columns, the login, the one
// form without a group, L once every step is saved, then the group made and
// its member invited on the console, checked and proved before and after
// the invitation is accepted, and a secret rotated.
func e2eWizardGuided(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "guided23", dir, 100, 30, "--demo", "--vault", vaultFile)

	// An empty passphrase is refused at the first enter, as a short one is.
	tm.waitFor("create the vault", "Create the vault", "Passphrase again")
	tm.key("Enter")
	tm.waitFor("empty passphrase at the first enter", "✗ Type a passphrase.")
	tm.typeText("short")
	tm.key("Enter")
	tm.waitFor("short passphrase at the first enter", "✗ Use at least 8 characters")
	tm.key("C-u")
	tm.typeLine(e2ePassphrase)
	tm.typeLine(e2ePassphrase)
	tm.waitFor("step 1", "Step 1 of 6 · Create a Globus project")

	// The full help lists every key whole, never "A set up" / "everything".
	for _, size := range [][2]int{{80, 24}, {60, 20}} {
		tm.resize(size[0], size[1])
		tm.key("?")
		tm.assertWholeHelp(tm.waitFor(fmt.Sprintf("full help at %dx%d", size[0], size[1]), "shift+tab/[ previous screen"))
		tm.key("?")
		tm.waitFor("help closed", "? more keys")
	}
	tm.resize(100, 30)

	// A malformed UUID pasted on an empty step 2 is refused as the client
	// ID, as it is typed there, not taken as the secret.
	tm.goToStep(2, "Register the Service API app")
	tm.paste("not-a-uuid-9513ec77")
	s := tm.waitFor("malformed UUID pasted", "Service API client ID refuses the pasted text", "> not-a-uuid-9513ec77", "✗ expected a UUID")
	if strings.Contains(s, "Pasted into Service API client secret") || regexp.MustCompile(`> \*{19}\s`).MatchString(s) {
		t.Errorf("the malformed UUID went into the secret field:\n%s", s)
	}
	tm.key("Escape")
	tm.waitFor("the form closed", "enter fill in") // a key right after esc would read as alt+key

	// At 60 columns the status line wraps: the note ends with its key.
	tm.goToStep(3, "Register the Service Account app")
	tm.resize(60, 20)
	tm.waitFor("step 3 at 60x20", "Step 3/6")
	tm.paste("6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b")
	tm.waitFor("the paste note at 60x20", "Pasted into Service account client ID.", "or enter to type it.")
	// Read without -J: tmux's reflow on the resize leaves rows marked
	// wrapped, which -J would join.
	tm.assertFits(tm.tmux("capture-pane", "-p", "-t", "e2e"), "Step 3/6", "? more keys")
	tm.resize(100, 30)

	// The login: its link at the whole width, ctrl+l copying it while the
	// code field has the keys (u would be typed in there).
	tm.key("L")
	tm.waitFor("login page", "Log in to Globus", "Client ID to log in with")
	tm.key("Enter")
	s = tm.waitFor("login started", "Code from the Globus page", "copy it with ctrl+l", "ctrl+l copy link")
	if strings.Contains(s, " Steps ") || !strings.Contains(s, "Login ○○○○○○") {
		t.Errorf("the login link is shown beside the sidebar, not at the whole width:\n%s", s)
	}
	link := tm.shownLink("open the Globus login page")
	if widest := widestLinkLine(s); widest <= 100-29-2 {
		t.Errorf("the link's widest line is %d columns, no wider than the pane beside the sidebar:\n%s", widest, s)
	}
	tm.key("C-l")
	tm.waitFor("login link copied while typing", "login link copied")
	if got := tm.buffer(); got != link {
		t.Errorf("ctrl+l put %q on the clipboard, want the link shown %q", got, link)
	}
	if s := tm.capture(); strings.Contains(s, "> \x0c") || strings.Contains(s, "> l") {
		t.Errorf("ctrl+l was typed into the code field:\n%s", s)
	}
	c := consoleAt(t, link)
	tm.paste(c.approve(link))

	// Logged in with nothing set up: the one form, with the policy's
	// domains the demo's users log in from, and no group.
	tm.waitFor("the one form", "Set up everything", "(suggested: your Globus login)", "operator@example.org")
	tm.key("Tab", "Tab", "C-u")
	tm.typeText("uchicago.edu anl.gov")
	tm.key("Tab", "Tab", "C-u")
	tm.waitFor("no group", "Group name (blank: no group)")
	tm.key("Enter")
	tm.waitFor("the plan", "enter: do it all", "domains uchicago.edu anl.gov")
	tm.key("Enter")
	envFile := filepath.Join(dir, "vault", ".env")
	tm.waitFor("set up", "Finish", "✓ Wrote "+envFile)

	// L with every step saved offers what is left: Finish and its check.
	tm.key("L")
	s = tm.waitFor("login with every step saved", "Every step is saved.", "enter finish, then x checks")
	if strings.Contains(s, "set up everything — one form") {
		t.Errorf("the login offers to set everything up again:\n%s", s)
	}
	tm.key("Enter")
	tm.waitFor("finish from the login", "Every step is done.")

	// Step 6 by hand: the group made on the console, alice invited.
	p := c.person(nil)
	groupID := p.addGroup(c.base, "Gateway Users")
	p.invite(c.base, groupID, "alice@uchicago.edu")
	tm.goToStep(6, "Create Globus groups")
	tm.key("Enter")
	tm.waitFor("step 6's form", "esc stop typing")
	tm.paste(groupID) // at the members: it goes to the group's ID, which ctrl+s saves
	tm.waitFor("the group's ID pasted", "Pasted into Group ID", "ctrl+s saves")
	tm.key("C-s")
	// An invitation not accepted: the gateway refuses alice, so x must not
	// say ✓, and the proof agrees.
	tm.waitFor("step 6 checked with alice invited", `✗ Group "Gateway Users" exists: alice@uchicago.edu invited`, "they accept it (Globus e-mailed it to them)")
	tm.key("f")
	tm.waitFor("finish", "Prove a user gets in")
	proofLink, s := tm.prove(c, link, "alice@uchicago.edu", "✗ alice@uchicago.edu would be refused")
	if !strings.Contains(strings.Join(strings.Fields(s), " "), `in none of the allowed groups: "Gateway Users" (`+groupID+")") {
		t.Errorf("the proof does not name the group by its name on Globus:\n%s", s)
	}
	// alice accepts (the console's page for it): she is a member; x and
	// the proof agree again.
	p.accept(c.base, groupID, "alice@uchicago.edu")
	tm.goToStep(6, "Create Globus groups")
	tm.key("x")
	tm.waitFor("step 6 checked with alice a member", `✓ Group "Gateway Users" exists (`)
	tm.key("f")
	tm.waitFor("finish", "Prove a user gets in")
	tm.prove(c, proofLink, "alice@uchicago.edu", "✓ alice@uchicago.edu would be admitted")

	// A rotation's y checks the gateway would start before deleting.
	tm.key("R")
	tm.waitFor("rotate panel", "1 Service API", "2 Service Account")
	tm.key("1")
	tm.waitFor("rotated, waiting for the restart", "press y here", "y first runs the gateway's whole start-up check", "nothing is deleted")
	tm.key("q")
	tm.waitExit(vaultFile)
}

// e2eWizardInterrupt: a throwaway demo at 40 columns names itself whole;
// ctrl+c while the one plan is carried out asks first (n goes on), then
// exits 130 saying what becomes of the demo's vault: it is thrown away.
func e2eWizardInterrupt(t *testing.T, bin string) {
	dir := t.TempDir()
	tmp := filepath.Join(dir, "tmp") // where the throwaway vault goes
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	// The policy's create waits: the setup is mid-way when ctrl+c comes.
	tm := startWizardWith(t, bin, "interrupt23", dir, 100, 30, termOptions{env: []string{
		"TMPDIR=" + tmp, EnvEmulatorFailures + "=POST /v2/api/policies ok wait=10m times=1"}}, "--demo")
	tm.createVault()
	tm.waitFor("step 1", "Step 1 of 6")

	tm.resize(40, 20)
	s := tm.waitFor("step 1 at 40 columns", "Step 1/6")
	if header := strings.Split(s, "\n")[0]; !strings.Contains(header, "DEMO – throwaway") || strings.Contains(header, "…") {
		t.Errorf("the header at 40 columns is %q: want its label whole (DEMO – throwaway)", header)
	}
	tm.resize(100, 30)

	tm.key("A")
	tm.countLoginStarted(&actions{})
	tm.waitFor("the one form", "Set up everything", "(suggested: your Globus login)", "operator@example.org")
	tm.key("Enter")
	tm.waitFor("the plan", "enter: do it all")
	tm.key("Enter")
	tm.waitFor("mid-way, at the policy", `✓ created app "Inference Gateway Public Client"`, "Setting everything up")
	tm.key("C-c")
	s = tm.waitFor("ctrl+c asks", "Quit while setting everything up?", "thrown away", "y quit now (exit 130)")
	if strings.Contains(s, exitedPrefix) {
		t.Fatalf("ctrl+c quit without asking:\n%s", s)
	}
	tm.key("n")
	s = tm.waitFor("n goes on", "Setting everything up", "esc cancel")
	if strings.Contains(s, "Quit while") {
		t.Errorf("n left the question open:\n%s", s)
	}
	tm.key("C-c")
	tm.waitFor("ctrl+c asks again", "Quit while setting everything up?")
	tm.key("y")
	code, last := tm.exited()
	if code != 130 {
		t.Errorf("quitting mid-apply exited %d, want 130:\n%s", code, last)
	}
	squash := strings.Join(strings.Fields(last), " ")
	if !strings.Contains(squash, "Interrupted: what was made went into the demo's vault, which is thrown away now") ||
		strings.Contains(squash, "stored in the vault, and is not made twice") {
		t.Errorf("the interrupted demo does not tell its truth:\n%s", last)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "globus-setup-demo-*")); len(left) > 0 {
		t.Errorf("the throwaway demo left %v behind", left)
	}
}

// e2eWizardCopyInTmux: in a tmux of the operator's with its default
// set-clipboard (external), the wizard's copy does not land: it says so,
// and how to enable it; enabled, the copy lands and is said to.
func e2eWizardCopyInTmux(t *testing.T, bin string) {
	dir := t.TempDir()
	tm := startWizardWith(t, bin, "copy23", dir, 100, 30, termOptions{nested: true, tmuxConf: "set -s set-clipboard external\n"},
		"--demo", "--vault", filepath.Join(dir, "v", "vault.age"))
	tm.createVault()
	tm.waitFor("step 1", "Step 1 of 6")
	tm.key("1")
	s := tm.waitFor("copy in tmux with set-clipboard external", "unconfirmed", "tmux set -s set-clipboard on")
	if strings.Contains(s, "Project Name copied") {
		t.Errorf("the copy is said to be made:\n%s", s)
	}
	if bufs := strings.TrimSpace(tm.tmux("list-buffers")); bufs != "" {
		t.Errorf("tmux holds a buffer although it drops a program's copy: %s", bufs)
	}
	tm.tmux("set", "-s", "set-clipboard", "on")
	tm.key("1")
	tm.waitFor("copy with set-clipboard on", "Project Name copied; clipboard clears in 45s")
	if got := tm.buffer(); got != "Inference Gateway" {
		t.Errorf("the clipboard holds %q, want the project's name", got)
	}
	tm.key("q")
	tm.waitExit(filepath.Join(dir, "v", "vault.age"))
}

// e2eWizardAccessibleLink: accessible mode says a login link whole, on
// one line (the terminal folds it), never with line breaks at its hyphens.
// ctrl+c in a throwaway demo says the vault is thrown away.
func e2eWizardAccessibleLink(t *testing.T, bin string) {
	dir := t.TempDir()
	tm := startWizardWith(t, bin, "accessible23", dir, 100, 30, termOptions{env: []string{"TMPDIR=" + dir}}, "--demo", "--accessible")
	tm.waitFor("passphrase asked", "Passphrase:")
	tm.typeLine(e2ePassphrase)
	tm.waitFor("asked again", "Passphrase again:")
	tm.typeLine(e2ePassphrase)
	if s := tm.waitForAny("unlocked", "Remember the vault in the OS keychain", "Step 1 of 6"); strings.Contains(s, "Remember the vault") && !strings.Contains(s, "Step 1 of 6") {
		tm.typeLine("n")
	}
	tm.waitFor("how", "Enter a number between 1 and 2")
	tm.typeLine("1")
	tm.waitFor("the login's client", "Client ID to log in with")
	tm.key("Enter")
	tm.waitFor("open it?", "Open the login page in a browser?")
	tm.typeLine("n")
	s := tm.waitFor("the link said", "Login page:", "Code from the Globus page")
	var line string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "/auth/v2/oauth2/authorize?") {
			line = strings.TrimSpace(l)
		}
	}
	if !strings.HasPrefix(line, "http://127.0.0.1:") || !strings.Contains(line, "&state=") || strings.Contains(line, " ") {
		t.Errorf("the login link is not said whole on one line (%q):\n%s", line, s)
	}
	tm.key("C-c")
	code, last := tm.exited()
	if code != 130 || !strings.Contains(last, "This demo's vault and emulator are thrown away now") || strings.Contains(last, "saved in the vault") {
		t.Errorf("interrupted: exit %d\n%s", code, last)
	}
}

// assertWholeHelp checks that the full help shows each key with its words
// on one line.
func (tm *tmuxTerm) assertWholeHelp(s string) {
	tm.t.Helper()
	for _, item := range []string{"q quit", "enter fill in", "a do it for me", "o open console", "1-9 copy value", "x run check",
		"tab/] next screen", "A set up everything", "v values", "L log in", "f finish", "shift+tab/[ previous screen",
		"pgup scroll up", "pgdn scroll down"} {
		if !strings.Contains(s, item) {
			tm.t.Errorf("the full help at %dx%d splits or drops %q:\n%s", tm.w, tm.h, item, s)
		}
	}
}

// widestLinkLine is the widest line of a link shown hard-wrapped (one
// word of an address: "http…", or a piece with & or %).
func widestLinkLine(s string) int {
	n := 0
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if !strings.Contains(l, " ") && (strings.HasPrefix(l, "http") || strings.ContainsAny(l, "&%")) {
			n = max(n, len([]rune(l)))
		}
	}
	return n
}

// waitForAny waits for one of wants.
func (tm *tmuxTerm) waitForAny(what string, wants ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		s := tm.capture()
		for _, w := range wants {
			if strings.Contains(s, w) {
				tm.save(what, s)
				return s
			}
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s: none of %q on the screen after %v:\n%s", what, wants, e2eWait, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// exited waits for the wizard to end and returns its exit status and the
// whole pane, history included (its last words follow the full screen).
func (tm *tmuxTerm) exited() (int, string) {
	tm.t.Helper()
	for deadline := time.Now().Add(e2eWait); ; time.Sleep(50 * time.Millisecond) {
		s := tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e")
		if m := regexp.MustCompile(regexp.QuoteMeta(exitedPrefix) + `(\d+)\]`).FindStringSubmatch(s); m != nil {
			tm.save("exited", s)
			var code int
			fmt.Sscan(m[1], &code)
			return code, s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the wizard did not exit:\n%s", s)
		}
	}
}

// ---- the console's groups pages ----

// addGroup is app.globus.org/groups → Create new group → its form →
// Create Group, returning the Group UUID.
func (p *consolePerson) addGroup(base, name string) string {
	p.t.Helper()
	form := p.click(p.b.Get(base+"/app/groups"), "Create new group")
	page := p.press(form, "Create Group", func(f *browse.Form) { p.fill(f, "Group Name", name) })
	return p.copy(page, "group-id", "Group UUID")
}

// invite is the group's Members tab → Invite Others → Send invitation.
func (p *consolePerson) invite(base, groupID, username string) {
	p.t.Helper()
	form := p.click(p.b.Get(base+"/app/groups/"+groupID+"/members"), "Invite Others")
	p.press(form, "Send invitation", func(f *browse.Form) { p.fill(f, "Search for a Globus identity", username) })
}

// accept accepts username's invitation as the demo lets one (on Globus
// the invitee accepts from the e-mail).
func (p *consolePerson) accept(base, groupID, username string) {
	p.t.Helper()
	p.press(p.b.Get(base+"/app/groups/"+groupID+"/members"), "Accept the invitation as "+username, nil)
}
