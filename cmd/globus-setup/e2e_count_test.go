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

// e2eCounts drives both paths from a fresh start to the .env written, as a
// new operator at 100×30, and counts every decision: a key, a typed or
// pasted value, a click or a copy on a web page. The counts are reported
// (t.Log, and GLOBUS_SETUP_E2E_COUNTS=FILE writes them) and may not grow
// beyond what each path took when last measured.
func e2eCounts(t *testing.T, bin string) {
	auto := countAutomated(t, bin)
	guided := countGuided(t, bin)
	report := fmt.Sprintf("automated (set up everything): %d actions\n  %s\nguided (by hand on the console): %d actions\n  %s\n",
		len(auto.list), strings.Join(auto.list, "\n  "), len(guided.list), strings.Join(guided.list, "\n  "))
	t.Log("\n" + report)
	if f := os.Getenv("GLOBUS_SETUP_E2E_COUNTS"); f != "" {
		if err := os.WriteFile(f, []byte(report), 0o600); err != nil {
			t.Error(err)
		}
	}
	if len(auto.list) > 11 {
		t.Errorf("the automated path took %d actions, more than the 11 it took when last measured", len(auto.list))
	}
	// 61 since the demo console has one page per screen, as the gateway's
	// guide walks the real one (its one flat page before counted 45), and
	// steps 3 and 4 link straight to their registration pages.
	if len(guided.list) > 61 {
		t.Errorf("the guided path took %d actions, more than the 61 it took when last measured", len(guided.list))
	}
}

// actions is the operator's tally.
type actions struct{ list []string }

func (a *actions) add(what string) { a.list = append(a.list, what) }

// paste puts text into the wizard as a terminal paste (bracketed), which
// is one action however long the text is.
func (tm *tmuxTerm) paste(text string) {
	tm.t.Helper()
	tm.tmux("set-buffer", "-b", "count", "--", text)
	tm.tmux("paste-buffer", "-p", "-d", "-b", "count", "-t", "e2e")
}

// shownLink reads a link the wizard prints as plain text after label,
// hard-wrapped over several lines, as an operator would click or copy it.
func (tm *tmuxTerm) shownLink(label string) string {
	tm.t.Helper()
	// Read until two captures agree: one taken while the terminal is
	// still drawing the frame holds only part of the link.
	link := tm.linkOnScreen(label)
	for deadline := time.Now().Add(e2eWait); time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		again := tm.linkOnScreen(label)
		if again == link {
			return link
		}
		link = again
	}
	return link
}

// linkOnScreen is the link shown after label in one capture.
func (tm *tmuxTerm) linkOnScreen(label string) string {
	tm.t.Helper()
	s := mainText(tm.capture())
	i := strings.Index(s, label)
	if i < 0 {
		tm.t.Fatalf("no %q on the screen:\n%s", label, tm.last)
	}
	var link strings.Builder
	for _, l := range strings.Split(s[i:], "\n")[1:] {
		l = strings.TrimSpace(strings.TrimRight(l, "│"))
		if link.Len() == 0 && !strings.HasPrefix(l, "http") {
			continue // the rest of a wrapped label
		}
		if l == "" || strings.Contains(l, " ") {
			break
		}
		link.WriteString(l)
	}
	if !strings.HasPrefix(link.String(), "http") {
		tm.t.Fatalf("no link after %q:\n%s", label, tm.last)
	}
	return link.String()
}

func (tm *tmuxTerm) countVault(a *actions) {
	tm.waitFor("create the vault", "Create the vault", "Passphrase again")
	tm.typeText(e2ePassphrase)
	a.add("type the passphrase")
	tm.key("Enter")
	a.add("enter")
	tm.typeText(e2ePassphrase)
	a.add("type it again")
	tm.key("Enter")
	a.add("enter")
	tm.waitFor("step 1", "Step 1 of 6 · Create a Globus project")
}

// countLoginStarted: click the link shown, allow, copy and paste the code.
func (tm *tmuxTerm) countLoginStarted(a *actions) *consoleClient {
	tm.waitFor("login started", "open the Globus login page")
	link := tm.shownLink("open the Globus login page")
	a.add("click the login link")
	c := consoleAt(tm.t, link)
	code := c.approve(link)
	a.add("click Allow on the Globus page")
	a.add("copy the code")
	tm.paste(code)
	a.add("paste the code (no enter needed)")
	return c
}

func countAutomated(t *testing.T, bin string) *actions {
	a := &actions{}
	dir := t.TempDir()
	tm := startWizard(t, bin, "count-auto", dir, 100, 30, "--demo", "--vault", filepath.Join(dir, "vault", "vault.age"))
	tm.countVault(a)
	// A without a login starts it at once (the demo's thick client).
	tm.key("A")
	a.add("A (set up everything: the login starts)")
	c := tm.countLoginStarted(a)
	form := tm.waitFor("the one form", "Set up everything", "(suggested: your Globus login)", "operator@example.org")
	tm.save("one form 100x30", form)
	tm.key("Enter")
	a.add("enter (plan with the suggested values)")
	plan := tm.waitFor("the one plan", "enter: do it all", `create  project "Inference Gateway"`, `create  group "Inference Gateway Users"`)
	tm.savePlan("100x30", plan)
	tm.resize(60, 20)
	tm.savePlan("60x20", tm.waitFor("the one plan at 60x20", "Set up all ○○○○○○", "enter do it"))
	tm.resize(100, 30)
	tm.key("Enter")
	a.add("enter (do it all)")
	envFile := filepath.Join(dir, "vault", ".env") // a demo's .env goes beside its vault
	done := tm.waitFor("finish", "Finish", "✓ Wrote "+envFile)
	tm.save("finish after the one plan", done)
	if _, err := os.Stat(filepath.Join(dir, ".env")); err == nil {
		t.Error("the demo wrote a .env into the folder it was started from")
	}
	env, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatalf("the .env was not written: %v", err)
	}
	for _, k := range []string{"GLOBUS_APPLICATION_ID=", "GLOBUS_APPLICATION_SECRET=", "SERVICE_ACCOUNT_ID=", "GLOBUS_POLICIES=", "GLOBUS_GROUPS="} {
		if !strings.Contains(string(env), k) {
			t.Errorf("the .env lacks %s", k)
		}
	}
	if n := projectLinks(c.developers(c.person(nil)), "Inference Gateway"); n != 1 {
		t.Errorf("the console has %d projects named Inference Gateway, want 1", n)
	}
	tm.key("q")
	tm.waitExit(filepath.Join(dir, "vault", "vault.age")) // it saves the emulator's state as it goes
	return a
}

// countGuided does every step by hand on the emulator's console, as the
// gateway's setup guide walks it page by page, pasting what the console
// shows back into the wizard. Each step starts from the link the wizard
// shows on it (the step says to open the console), then follows the
// console's own links and forms.
func countGuided(t *testing.T, bin string) *actions {
	a := &actions{}
	dir := t.TempDir()
	tm := startWizard(t, bin, "count-guided", dir, 100, 30, "--demo", "--vault", filepath.Join(dir, "vault", "vault.age"))
	tm.countVault(a)

	var (
		c *consoleClient
		p *consolePerson
	)
	openConsole := func(n int) *browse.Page {
		t.Helper()
		link := tm.shownLink("opens the console, or click the link")
		if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/app/settings/developers(/registration/[a-z_]+)?$`).MatchString(link) {
			t.Fatalf("the console link shown on step %d is %q", n, link)
		}
		if p == nil {
			c = consoleAt(t, link)
			p = c.person(a)
		}
		a.add(fmt.Sprintf("click the console link shown on step %d", n))
		return p.b.Get(link)
	}

	// Step 1: the project is named as the wizard suggests, so pasting its
	// ID on the step's screen is all the wizard needs (it saves then).
	tm.save("guided step 1", tm.capture())
	const project = "Inference Gateway"
	projectID := p.addProject(openConsole(1), project, e2eEmail)
	tm.paste(projectID)
	a.add("paste the Project ID (saved: the name is the suggested one)")

	// After each save whose check passes the wizard moves on by itself,
	// saying on the next step what was checked.
	registerAndPaste := func(n int, title, kind, name, redirect, secret string) {
		tm.waitFor(fmt.Sprintf("step %d", n), fmt.Sprintf("Step %d of 6 · %s", n, title), fmt.Sprintf("✓ Step %d saved", n-1))
		id, app := p.registerApp(openConsole(n), kind, project, name, redirect)
		tm.paste(id)
		a.add("paste the client ID")
		if secret != "" {
			s := p.addSecret(app, secret)
			tm.waitFor("ID pasted", "Next: ")
			tm.paste(s)
			a.add("paste the secret (saved)")
		}
	}
	registerAndPaste(2, "Register the Service API app", "Register a service API", project+" Service API", "http://localhost:8000", "inference token introspection")
	tm.save("guided step 2 arrived", tm.capture())
	registerAndPaste(3, "Register the Service Account app", "Register a service account", project+" Endpoints", "", "inference compute endpoints")
	registerAndPaste(4, "Register the public client", "Register a thick client", project+" Public Client", c.base+"/auth/v2/web/auth-code", "")

	// Step 5: the policy's domains and timeout are read from Globus with
	// the Service Account (as the gateway reads them), so the pasted ID
	// saves the step.
	tm.waitFor("step 5", "Step 5 of 6 · Create the high-assurance policy", "✓ Step 4 saved")
	policyID := p.addPolicy(openConsole(5), project, project+" High Assurance Policy",
		"Who may use the inference gateway", "28800", "uchicago.edu")
	tm.paste(policyID)
	a.add("paste the policy ID (its domains read from Globus: saved)")
	// The page scrolls to the members field it opened: the sidebar says
	// which step this is.
	tm.save("guided step 6 arrived", tm.waitFor("step 6", "▸○ 6 Globus groups", "┃ > ",
		"✓ Step 5 saved and checked", "Read from the policy on Globus: domains", "esc stop typing"))

	// Step 6: the wizard creates the group with a member typed; arriving
	// there, its form is open at the members (no group ID: the wizard
	// creates it).
	tm.typeText("alice@uchicago.edu")
	a.add("type a member")
	tm.key("Enter")
	a.add("enter (save)")
	tm.save("guided finish arrived", tm.waitFor("finish", "Finish", "✓ Step 6 saved and checked"))
	tm.key("w")
	a.add("w (write the .env)")
	tm.waitFor("env written", "✓ Wrote "+filepath.Join(dir, "vault", ".env"))
	env, err := os.ReadFile(filepath.Join(dir, "vault", ".env"))
	if err != nil {
		t.Fatalf("the .env was not written: %v", err)
	}
	// The domains the wizard read from the policy are the ones typed on
	// the console, as the gateway compares them.
	for _, k := range []string{`GLOBUS_POLICIES="\s*` + policyID + `\s*"`, `AUTHORIZED_IDP_DOMAINS="\s*uchicago\.edu\s*"`, `GLOBUS_GROUPS="\s*[0-9a-f-]{36}\s*"`} {
		if !regexp.MustCompile(k).Match(env) {
			t.Errorf("the .env does not match %s; its names:\n%s", k, strings.Join(envKeys(string(env)), "\n"))
		}
	}
	tm.key("q")
	tm.waitExit(filepath.Join(dir, "vault", "vault.age"))
	return a
}

// envKeys lists a .env's names only (its values hold secrets).
func envKeys(env string) []string {
	var out []string
	for _, l := range strings.Split(env, "\n") {
		if k, _, ok := strings.Cut(l, "="); ok {
			out = append(out, k)
		}
	}
	return out
}

// savePlan keeps a capture of the one-plan screen when
// GLOBUS_SETUP_E2E_SCREENS is set (the note shows them).
func (tm *tmuxTerm) savePlan(size, s string) {
	tm.save("one plan "+size, s)
}
