//go:build unix

package main

import (
	"fmt"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest/browse"
	"github.com/globus-setup/globus-setup/vault"
)

// The names Apply gives when nothing else is typed (assets' defaults).
const (
	autoProject = "Inference Gateway"
	autoDomains = "uchicago.edu example.org"
)

// e2eAutomated: "do it for me" and "prove it". The operator logs in through
// the demo's prefilled thick client, the wizard does steps 1–5 itself (step
// 3 on a 60×20 screen), then proves a user from the policy's domains gets in
// and one from elsewhere does not. The vault and the emulator's console must
// agree afterwards, with nothing made twice.
func e2eAutomated(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "automated", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	tm.waitFor("step 1", "Step 1 of 6 · Create a Globus project")
	// Deriving the key takes seconds under -race: unlock while the wizard
	// runs (Open takes no lock), re-read the document at the end.
	type opened struct {
		v   *vault.Vault
		err error
	}
	unlocked := make(chan opened, 1)
	go func() {
		v, err := vault.Open(vault.PathsFor(vaultFile), []byte(e2ePassphrase), vault.Options{})
		unlocked <- opened{v, err}
	}()

	// No public client is stored yet, so the login names a thick client:
	// the demo fills in the emulator's own.
	tm.key("L")
	tm.waitFor("login page", "Log in to Globus", "Not logged in.", "Client ID to log in with", "its ID is suggested below")
	tm.key("Enter") // enter accepts the suggested client
	tm.waitFor("login started", "Code from the Globus page")
	tm.key("Escape")
	tm.waitFor("login link shown", "enter: paste the code · u: copy the link")
	link := tm.copyLink("login link", "")
	c := consoleAt(t, link)
	linkClient(t, link) // the link names the client it logs in through
	code := c.approve(link)
	tm.key("Enter")
	tm.typeLine(code)
	// Nothing is set up yet, so the login leads to the one form; this test
	// goes step by step instead.
	tm.waitFor("logged in", "Set up everything", "Logged in.", "✓ Login")
	tm.key("Escape")
	tm.waitFor("form left", "enter edit the values")
	tm.goToStep(1, "Create a Globus project")
	tm.applyStep(1, []string{`create  project "` + autoProject + `"`, "contact operator@example.org"},
		`✓ created project "`+autoProject+`"`, "✓ Project exists")
	tm.waitFor("sidebar: step 1 verified", "✓ 1 Globus project")

	tm.goToStep(2, "Register the Service API app")
	tm.applyStep(2, []string{`create  app "` + autoProject + ` Service API"`, "create  client secret", "create  scope"},
		`✓ created app "`+autoProject+` Service API"`, "✓ created client secret", "✓ created scope", "✓ action_all scope has the Groups dependent scope")
	tm.waitFor("sidebar: step 2 verified", "✓ 2 Service API app")

	// Mid-way the terminal shrinks: the wizard must stay usable at 60×20.
	tm.resize(60, 20)
	tm.assertFits(tm.waitFor("step 2 at 60x20", "Step 2/6"), "globus-setup │ DEMO", "Step 2/6", "? more keys")
	tm.goToStep(3, "Register the Service Account app")
	tm.applyStep(3, []string{`create  app "` + autoProject + ` Endpoints"`, "create  client secret"},
		`✓ created app "`+autoProject+` Endpoints"`, "✓ created client secret", "✓ Service Account credentials work")
	tm.resize(100, 30)
	// Back to the sidebar layout, on step 3 (▸).
	tm.waitFor("sidebar: step 3 verified", " Steps ", "▸✓ 3 Service Account app")

	tm.goToStep(4, "Register the public client")
	tm.applyStep(4, []string{`create  app "` + autoProject + ` Public Client"`},
		`✓ created app "`+autoProject+` Public Client"`, "✓ Public client exists and is public")
	tm.waitFor("sidebar: step 4 verified", "✓ 4 Public client")

	// The policy needs its domains typed first: Apply has no default.
	tm.goToStep(5, "Create the high-assurance policy")
	tm.key("Enter")
	tm.waitFor("typing in the policy fields", "esc stop typing")
	tm.key("Tab")
	tm.typeText(autoDomains)
	tm.waitFor("domains typed", "> "+autoDomains)
	tm.key("Escape")
	tm.waitFor("stopped typing", "a do it for me") // before a: ESC then a would read as alt+a
	tm.applyStep(5, []string{`create  policy "` + autoProject + ` High Assurance Policy"`, "domains " + autoDomains},
		`✓ created policy "`+autoProject+` High Assurance Policy"`, "✓ Policy is high assurance with the stored domains")
	tm.waitFor("sidebar: step 5 verified", "✓ 5 High-assurance policy")

	tm.goToStep(6, "Create Globus groups")
	tm.key("s")
	tm.waitFor("sidebar: step 6 skipped", "– 6 Globus groups")
	tm.key("f")
	tm.waitFor("finish", "Every step is done.", "Prove a user gets in")

	// alice signs in from uchicago.edu, one of the policy's domains.
	aliceLink, s := tm.prove(c, link, "alice@uchicago.edu", "✓ alice@uchicago.edu would be admitted")
	for _, want := range []string{"✓ Token is active (for alice@uchicago.edu)", "✓ Identity provider domain is authorised", "✓ Authentication policies pass"} {
		if !strings.Contains(s, want) {
			t.Errorf("the admitted proof lacks %q:\n%s", want, s)
		}
	}
	// bob signs in from anl.gov, which the policy does not include.
	bobLink, s := tm.prove(c, aliceLink, "bob@anl.gov", "✗ bob@anl.gov would be refused")
	if strings.Contains(s, "would be admitted") {
		t.Errorf("the refused proof still shows an admission:\n%s", s)
	}

	// A second a on a done step finds everything and would create nothing.
	tm.goToStep(2, "Register the Service API app")
	tm.key("a")
	again := tm.waitFor("step 2 planned again", "Nothing to create.", `keep    app "`+autoProject+` Service API"`, "enter: do it · esc: back")
	if m := regexp.MustCompile(`(?m)^\s+(create|reuse) +(project|app|client secret|scope|policy) "`).FindString(mainText(again)); m != "" {
		t.Errorf("the second plan for step 2 still has %q:\n%s", strings.TrimSpace(m), again)
	}
	tm.key("Escape")
	tm.waitFor("plan dropped", "a do it for me")
	// The emulator lives in the wizard: read its console before quitting.
	p := c.person(nil)
	front := c.developers(p)
	var console []*browse.Page // the project's Apps and Policies tabs
	if n := projectLinks(front, autoProject); n != 1 {
		t.Fatalf("the console lists %d projects named %q, want 1:\n%s", n, autoProject, front.Body)
	}
	apps := p.b.Follow(front, autoProject)
	console = append(console, apps, p.b.Follow(apps, "Policies"))
	tm.key("q")
	tm.waitExit(vaultFile)

	// The vault holds every ID, each on the emulator's console under the
	// one project, and no creation left half-recorded.
	o := <-unlocked
	if o.err != nil {
		t.Fatalf("opening the vault the wizard wrote: %v", o.err)
	}
	if err := o.v.Reload(); err != nil {
		t.Fatalf("reading the vault the wizard wrote: %v", err)
	}
	doc := o.v.Doc()
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	ids := []string{"project.id", "service_api.client_id", "service_api.scope_id", "service_account.client_id", "public_client.client_id", "policy.id"}
	for _, k := range ids {
		if !uuid.MatchString(doc.Values[k]) {
			t.Errorf("vault %s = %q, want the ID Apply created", k, doc.Values[k])
		}
	}
	for _, k := range []string{"service_api.client_secret", "service_account.client_secret"} {
		secret := doc.Values[k]
		if len(secret) < 16 {
			t.Errorf("vault %s is missing or too short (%d characters)", k, len(secret)) // never the value
		}
		for _, s := range tm.seen {
			if secret != "" && strings.Contains(s, secret) {
				t.Errorf("%s was on the screen", k)
				break
			}
		}
	}
	if got := doc.Values["policy.domains"]; got != autoDomains {
		t.Errorf("vault policy.domains = %q, want %q", got, autoDomains)
	}
	if got, api := doc.Values["service_api.scope_string"], doc.Values["service_api.client_id"]; !strings.HasSuffix(got, "/scopes/"+api+"/action_all") {
		t.Errorf("vault service_api.scope_string = %q, want the action_all scope of %s", got, api)
	}
	for id, want := range map[string]string{"project": "verified", "service_api": "verified", "service_account": "verified",
		"public_client": "verified", "policy": "verified", "groups": "skipped"} {
		if got := doc.Steps[id].State; got != want {
			t.Errorf("vault step %s is %q, want %q", id, got, want)
		}
	}
	for k := range doc.Internal {
		if strings.HasPrefix(k, "apply.intent.") {
			t.Errorf("vault still records an unfinished creation %s", k)
		}
	}

	project := console[0].Body + console[1].Body
	if got := console[0].Text("project-id"); got != doc.Values["project.id"] {
		t.Errorf("the console's project %q has the ID %s, the vault %s", autoProject, got, doc.Values["project.id"])
	}
	for _, k := range ids {
		if k != "service_api.scope_id" && k != "project.id" && !strings.Contains(project, "<code>"+doc.Values[k]+"</code>") {
			t.Errorf("vault %s = %s is not in the console's project %q:\n%s", k, doc.Values[k], autoProject, project)
		}
	}
	for _, app := range []string{" Service API", " Endpoints", " Public Client", " High Assurance Policy"} {
		if n := projectLinks(console[0], autoProject+app) + projectLinks(console[1], autoProject+app); n != 1 {
			t.Errorf("the console's project has %d of %q, want 1:\n%s", n, autoProject+app, project)
		}
	}

	squashed := strings.Join(strings.Fields(mainText(again)), "")
	for _, want := range []string{
		`keep app "` + autoProject + ` Service API" (ID ` + doc.Values["service_api.client_id"],
		`keep client secret "`,
		`keep scope "Inference gateway access" (ID ` + doc.Values["service_api.scope_id"],
	} {
		if !strings.Contains(squashed, strings.Join(strings.Fields(want), "")) {
			t.Errorf("the second plan for step 2 lacks %q:\n%s", want, again)
		}
	}
	// The proofs went through the public client step 4 created, not the
	// thick client of the first login.
	for _, l := range []string{aliceLink, bobLink} {
		if got := linkClient(t, l); got != doc.Values["public_client.client_id"] {
			t.Errorf("a proof's login went through client %s, want the stored public client %s", got, doc.Values["public_client.client_id"])
		}
	}
}

// applyStep presses a on step n, waits for its plan, approves it and waits
// for the results and the step's check passing. On a narrow screen every
// screen on the way must fit.
func (tm *tmuxTerm) applyStep(n int, plan []string, results ...string) {
	tm.t.Helper()
	narrow := tm.w < 80
	fits := func(s string) {
		if narrow {
			tm.assertFits(s, "globus-setup │ DEMO", fmt.Sprintf("Step %d/6", n), "? more keys")
		}
	}
	tm.key("a")
	fits(tm.waitFor(fmt.Sprintf("step %d plan", n), append(plan, "As operator@example.org", "enter: do it · esc: back")...))
	tm.key("Enter")
	fits(tm.waitFor(fmt.Sprintf("step %d done for me", n), append(results, "✓ All good.")...))
}

// prove runs "prove it" on the finish screen with the test user signed in
// as username; prev is the last link copied. It returns the proof's link
// and the screen showing verdict.
func (tm *tmuxTerm) prove(c *consoleClient, prev, username, verdict string) (link, screen string) {
	tm.t.Helper()
	tm.key("p")
	tm.waitFor("proof started for "+username, "Code from the test user's Globus page")
	tm.key("Escape")
	tm.waitFor("proof link shown for "+username, "p: paste the code · u: copy the link")
	link = tm.copyLink("test user's login link", prev)
	code := c.approveAs(link, username)
	tm.key("p")
	tm.typeLine(code)
	return link, tm.waitFor("proof for "+username, verdict)
}

// copyLink presses u and returns the link the wizard put on the clipboard.
// It waits for the buffer to change from prev: the "copied" note of an
// earlier copy may still be on the screen.
func (tm *tmuxTerm) copyLink(what, prev string) string {
	tm.t.Helper()
	tm.key("u")
	tm.waitFor(what+" copied", what+" copied")
	deadline := time.Now().Add(e2eWait)
	for {
		cmd := exec.Command("tmux", "-f", tm.conf, "-L", tm.sock, "show-buffer")
		cmd.Env = tm.env
		out, err := cmd.Output() // fails while no buffer exists yet
		if link := string(out); err == nil && link != prev && strings.HasPrefix(link, "http") {
			return link
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("the %s never reached the terminal's clipboard (still %q)", what, prev)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (tm *tmuxTerm) typeText(text string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", "e2e", "-l", "--", text)
}

// resize changes the terminal's size, as dragging its window does.
func (tm *tmuxTerm) resize(w, h int) {
	tm.t.Helper()
	tm.tmux("resize-window", "-t", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h))
	tm.w, tm.h = w, h
}

// mainText drops the sidebar: the part of each line after its first "│ ".
func mainText(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if _, after, ok := strings.Cut(l, "│ "); ok {
			lines[i] = after
		}
	}
	return strings.Join(lines, "\n")
}

// consoleAt is the emulator behind a login link: the test knows it only
// from what the wizard shows.
func consoleAt(t *testing.T, link string) *consoleClient {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Host == "" {
		t.Fatalf("the login link %q is not a URL: %v", link, err)
	}
	return &consoleClient{t: t, base: u.Scheme + "://" + u.Host}
}

func linkClient(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("client_id") == "" {
		t.Fatalf("the login link %q names no client: %v", link, err)
	}
	return u.Query().Get("client_id")
}

// projectLinks counts the links on a console page shown exactly as name.
func projectLinks(p *browse.Page, name string) int {
	n := 0
	for _, l := range p.Links {
		if l.Text == name {
			n++
		}
	}
	return n
}
