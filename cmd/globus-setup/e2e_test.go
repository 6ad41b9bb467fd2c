//go:build unix

package main

// End-to-end test of the built binary: the wizard runs in a private tmux
// server against the built-in emulator (--demo), driven with send-keys and
// read with capture-pane, as a person at a terminal would use it. The
// "browser" is this test: it reads the console's address off the screen and
// posts the emulator's console forms over HTTP, then types the IDs and
// secrets the console shows back into the wizard.
//
// Set GLOBUS_SETUP_E2E_SCREENS=DIR to keep the text of every screen passed
// through (for documentation); nothing is written otherwise.

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

const (
	e2eWait       = 20 * time.Second // per expected screen; the whole test takes seconds
	e2ePassphrase = "correct horse battery staple"
	e2eProject    = "E2E Gateway"
	e2eEmail      = "ops@example.org"
	exitedPrefix  = "[globus-setup exited with status "
)

func TestE2E(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if testing.Short() {
			t.Skip("tmux is not installed; the end-to-end test drives the wizard in tmux")
		}
		t.Fatalf("install tmux to run the end-to-end test (e.g. apt-get install tmux, brew install tmux): %v", err)
	}
	bin := filepath.Join(t.TempDir(), "globus-setup")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Run("FirstRunToFinish", func(t *testing.T) { t.Parallel(); e2eFirstRun(t, bin) })
	t.Run("QuitAndResume", func(t *testing.T) { t.Parallel(); e2eResume(t, bin) })
	t.Run("NarrowScreen", func(t *testing.T) { t.Parallel(); e2eNarrow(t, bin) })
	t.Run("Automated", func(t *testing.T) { t.Parallel(); e2eAutomated(t, bin) })
	t.Run("ActionCounts", func(t *testing.T) { t.Parallel(); e2eCounts(t, bin) })
	t.Run("HostileVault", func(t *testing.T) { t.Parallel(); e2eHostileVault(t, bin) })
	t.Run("WizardGuided", func(t *testing.T) { t.Parallel(); e2eWizardGuided(t, bin) })
	t.Run("WizardInterrupt", func(t *testing.T) { t.Parallel(); e2eWizardInterrupt(t, bin) })
	t.Run("WizardCopyInTmux", func(t *testing.T) { t.Parallel(); e2eWizardCopyInTmux(t, bin) })
	t.Run("WizardAccessibleLink", func(t *testing.T) { t.Parallel(); e2eWizardAccessibleLink(t, bin) })
	t.Run("TesterQuit", func(t *testing.T) { t.Parallel(); e2eTesterQuit(t, bin) })
	t.Run("TesterAccessible", func(t *testing.T) { t.Parallel(); e2eTesterAccessible(t, bin) })
	t.Run("TesterThrowawayKeychain", func(t *testing.T) { t.Parallel(); e2eTesterThrowawayKeychain(t, bin) })
	t.Run("TesterApplyLogsIn", func(t *testing.T) { t.Parallel(); e2eTesterApplyLogsIn(t, bin) })
	t.Run("TesterGroupBeforeLogin", func(t *testing.T) { t.Parallel(); e2eTesterGroupBeforeLogin(t, bin) })
}

// e2eFirstRun: create the vault, all six steps with the console, log in,
// copy a value, write the .env, quit, and reopen on the finish screen.
func e2eFirstRun(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "first", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	c := tm.console()

	tm.doProject(c)
	apiID, _ := tm.doServiceAPI(c)
	acctID := tm.doServiceAccount(c)
	tm.doPublicClient(c)
	tm.login(c)
	policyID := tm.doPolicy(c)

	// Step 6 (the wizard moved on to it): the group, created by the
	// logged-in operator with two members.
	// No group ID: enter opens the form at the members, and the wizard
	// creates the group.
	tm.waitFor("step 6", "Step 6 of 6 · Create Globus groups")
	tm.key("Enter")
	tm.waitFor("typing in the group fields", "ctrl+s save")
	tm.typeLine("alice@uchicago.edu bob@anl.gov")
	s := tm.resultOf(6, "Every step is done.", "✓ All good.")
	for _, want := range []string{"alice@uchicago.edu", "bob@anl.gov"} {
		if !strings.Contains(s, want) {
			t.Errorf("the group's report does not name member %s:\n%s", want, s)
		}
	}
	tm.waitFor("sidebar: step 6 verified", "✓ 6 Globus groups")
	// Step 4 was only saved: its check needs the login, which came after it.
	tm.assertSidebar(map[int]string{1: "✓", 2: "✓", 3: "✓", 4: "●", 5: "✓", 6: "✓"}, "")

	// Values: copy the Service API client ID; the OSC 52 reaches tmux.
	tm.key("v")
	tm.waitFor("values", "Stored values")
	tm.selectValue("service_api.client_id")
	tm.key("c")
	tm.waitFor("copied", "service_api.client_id copied; clipboard clears in 45s")
	if got := tm.buffer(); got != apiID {
		t.Errorf("the terminal's clipboard (tmux buffer) holds %q, want the Service API client ID %q", got, apiID)
	}
	tm.selectValue("groups.users.id")
	groupID := regexp.MustCompile(`groups\.users\.id +([0-9a-f-]{36})`).FindStringSubmatch(tm.last)
	if groupID == nil {
		t.Fatalf("the values screen shows no group ID:\n%s", tm.last)
	}

	// Finish: write the .env into the wizard's working folder.
	// Finish: verify everything (now with the login), then write the .env
	// into the wizard's working folder.
	tm.key("f")
	tm.waitFor("finish", "Finish", "Every step is done.")
	tm.key("x")
	// The checks scroll the finish screen's header away; "finish" saw it.
	tm.waitFor("verified all", "✓ Everything checks out.")
	tm.assertSidebar(map[int]string{1: "✓", 2: "✓", 3: "✓", 4: "✓", 5: "✓", 6: "✓"}, "")
	tm.key("w")
	envFile := filepath.Join(dir, "vault", ".env") // a demo's .env goes beside its vault
	tm.waitFor("env written", "✓ Wrote "+envFile)
	fi, err := os.Stat(envFile)
	if err != nil {
		t.Fatalf("the finish screen says it wrote the .env, but: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf(".env mode = %o, want 600", fi.Mode().Perm())
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	env := string(data)
	for _, want := range []string{
		`GLOBUS_APPLICATION_ID="` + apiID + `"`,
		`SERVICE_ACCOUNT_ID="` + acctID + `"`,
		"GLOBUS_POLICIES=\"\n" + policyID + "\n\"",
		"AUTHORIZED_IDP_DOMAINS=\"\nuchicago.edu\nanl.gov\n\"",
		"GLOBUS_GROUPS=\"\n" + groupID[1] + "\n\"",
	} {
		if !strings.Contains(env, want) {
			t.Errorf(".env lacks %q; it is:\n%s", want, env)
		}
	}

	tm.key("q")
	tm.waitExit(vaultFile)

	// Everything is done, so the next run opens on the finish screen.
	tm2 := startWizard(t, bin, "first-again", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm2.unlock()
	tm2.waitFor("reopened on finish", "Every step is done.")
	tm2.key("q")
	tm2.waitExit(vaultFile)
}

// e2eResume: steps 1–3, quit, start again on the same vault: it opens on step 4.
func e2eResume(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "resume", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	c := tm.console()
	tm.doProject(c)
	tm.doServiceAPI(c)
	tm.doServiceAccount(c)
	tm.waitFor("step 4 before quitting", "Step 4 of 6 · Register the public client")
	tm.key("q")
	tm.waitExit(vaultFile)

	tm2 := startWizard(t, bin, "resume-again", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm2.waitFor("unlock screen", "Unlock the vault")
	tm2.typeLine("not the passphrase")
	tm2.waitFor("wrong passphrase", "Wrong passphrase. Nothing was changed; try again.")
	tm2.unlock()
	tm2.waitFor("opened on step 4", "Step 4 of 6 · Register the public client")
	tm2.assertSidebar(map[int]string{1: "●", 2: "✓", 3: "✓", 4: "○", 5: "○", 6: "○"}, "")
	tm2.key("q")
	tm2.waitExit(vaultFile)
}

// e2eNarrow: at 60×20 the first screen and the first step fit.
func e2eNarrow(t *testing.T, bin string) {
	dir := t.TempDir()
	tm := startWizard(t, bin, "narrow", dir, 60, 20, "--demo", "--vault", filepath.Join(dir, "v", "vault.age"))
	s := tm.waitFor("create screen", "Create the vault", "Passphrase again", "enter continue")
	tm.assertFits(s, "globus-setup │ DEMO", "Passphrase", "esc quit")
	tm.typeLine(e2ePassphrase)
	tm.typeLine(e2ePassphrase)
	s = tm.waitFor("step 1 at 60x20", "Step 1/6 ○○○○○○", "Step 1 of 6")
	tm.assertFits(s, "globus-setup │ DEMO", "Step 1/6", "? more keys")
	tm.key("q")
	tm.waitExit(filepath.Join(dir, "v", "vault.age"))
}

// ---- the steps, as an operator does them ----

func (tm *tmuxTerm) doProject(c *consoleClient) string {
	tm.waitFor("step 1", "Step 1 of 6 · Create a Globus project", "○ 1 Globus project")
	p := c.person(nil)
	id := p.addProject(c.developers(p), e2eProject, e2eEmail)
	tm.key("Enter")
	tm.typeLine(id)
	tm.typeLine(e2eProject)
	tm.typeLine(e2eEmail)
	// Not logged in yet: the check says so instead of failing.
	tm.resultOf(1, "Step 2 of 6", "- Project exists: skipped: log in to check", "Saved. Some checks could not run yet")
	tm.waitFor("sidebar: step 1 done", "● 1 Globus project")
	return id
}

// resultOf: after step n is saved and its check passes, the wizard moves on
// (to the screen showing next) with a note; shift+tab shows step n's check
// in full (wants), and tab moves on again. It returns step n's screen.
func (tm *tmuxTerm) resultOf(n int, next string, wants ...string) string {
	tm.t.Helper()
	note := fmt.Sprintf("✓ Step %d saved", n)
	if s := tm.waitFor(fmt.Sprintf("moved on after step %d", n), next, note); strings.Contains(s, "esc stop typing") {
		tm.key("Escape") // the next step opened its form; close it to move
		tm.waitFor("form closed", "enter fill in")
	}
	tm.key("BTab")
	s := tm.waitFor(fmt.Sprintf("step %d's check", n), wants...)
	if !regexp.MustCompile(fmt.Sprintf(`▸\S %d `, n)).MatchString(s) {
		tm.t.Fatalf("shift+tab did not show step %d:\n%s", n, s)
	}
	tm.key("Tab")
	tm.waitChange(s)
	return s
}

func (tm *tmuxTerm) doServiceAPI(c *consoleClient) (id, secret string) {
	tm.waitFor("step 2", "Step 2 of 6 · Register the Service API app", "○ 2 Service API app")
	id, secret = c.registerApp("Register a service API", e2eProject+" Service API", "http://localhost:8000")
	tm.key("Enter")
	tm.typeLine(id)
	tm.typeLine(secret)
	s := tm.resultOf(2, "Step 3 of 6", "Created the action_all scope", "✓ action_all scope has the Groups dependent scope", "✓ All good.")
	if strings.Contains(s, secret) {
		tm.t.Errorf("the Service API secret is on the screen:\n%s", s)
	}
	tm.waitFor("sidebar: step 2 verified", "✓ 2 Service API app")
	return id, secret
}

func (tm *tmuxTerm) doServiceAccount(c *consoleClient) string {
	tm.waitFor("step 3", "Step 3 of 6 · Register the Service Account app")
	id, secret := c.registerApp("Register a service account", e2eProject+" Endpoints", "")
	tm.key("Enter")
	tm.typeLine(id)
	tm.typeLine(secret)
	tm.resultOf(3, "Step 4 of 6", "✓ Service Account credentials work", "✓ All good.")
	tm.waitFor("sidebar: step 3 verified", "✓ 3 Service Account app")
	return id
}

func (tm *tmuxTerm) doPublicClient(c *consoleClient) string {
	tm.waitFor("step 4", "Step 4 of 6 · Register the public client")
	id, _ := c.registerApp("Register a thick client", e2eProject+" Public Client", c.base+"/auth/v2/web/auth-code")
	tm.key("Enter")
	tm.typeLine(id)
	tm.resultOf(4, "Step 5 of 6", "Saved. Some checks could not run yet")
	tm.waitFor("sidebar: step 4 done", "● 4 Public client")
	return id
}

func (tm *tmuxTerm) doPolicy(c *consoleClient) string {
	tm.goToStep(5, "Create the high-assurance policy")
	p := c.person(nil)
	id := p.addPolicy(c.developers(p), e2eProject, e2eProject+" High Assurance Policy",
		"Who may use the inference gateway", "28800", "uchicago.edu", "anl.gov")
	tm.key("Enter")
	tm.typeLine(id)
	tm.typeLine("uchicago.edu anl.gov")
	tm.typeLine("8h")
	tm.resultOf(5, "▸○ 6 Globus groups", "✓ Policy is high assurance with the stored domains", "✓ All good.")
	tm.waitFor("sidebar: step 5 verified", "✓ 5 High-assurance policy")
	return id
}

// login signs the operator in: the wizard shows a link (copied with u, as
// over SSH), the "browser" allows on the emulator's page and the code shown
// there is pasted back.
func (tm *tmuxTerm) login(c *consoleClient) {
	tm.key("L")
	tm.waitFor("login page", "Log in to Globus", "Not logged in.")
	tm.key("Enter")
	tm.waitFor("login started", "Code from the Globus page")
	tm.key("Escape")
	tm.waitFor("login link shown", "enter: paste the code · u: copy the link")
	tm.key("u")
	tm.waitFor("login link copied", "login link copied")
	authorize := tm.buffer()
	code := c.approve(authorize)
	tm.key("Enter")
	tm.typeLine(code)
	tm.waitFor("logged in", "✓ Logged in through client", "✓ Login")
	// The project check needs the login: run it again on step 1.
	tm.goToStep(1, "Create a Globus project")
	tm.key("x")
	tm.waitFor("project exists", "✓ Project exists")
	tm.waitFor("sidebar: step 1 verified", "✓ 1 Globus project")
}

// ---- tmux ----

type tmuxTerm struct {
	t          *testing.T
	sock, name string
	conf       string
	env        []string
	w, h       int
	shots      int
	last       string
	seen       []string // every screen waitFor matched, to look for secrets
}

// startWizard runs bin in a new private tmux server (never the developer's:
// -L with a unique name, -f with our configuration, not theirs) in a clean
// environment, so no passphrase file, vault variable or display of the
// developer reaches the wizard.
func startWizard(t *testing.T, bin, name, workDir string, w, h int, args ...string) *tmuxTerm {
	t.Helper()
	return startWizardWith(t, bin, name, workDir, w, h, termOptions{}, args...)
}

// termOptions change the terminal startWizard gives the wizard.
type termOptions struct {
	// nested: the wizard runs as in a tmux of the operator's (TMUX set),
	// which it then asks about its clipboard setting.
	nested bool
	// tmuxConf is appended to the configuration (e.g. set-clipboard).
	tmuxConf string
	// env is added to the wizard's clean environment (NAME=value).
	env []string
}

// startWizardWith is startWizard with a terminal of o's.
func startWizardWith(t *testing.T, bin, name, workDir string, w, h int, o termOptions, args ...string) *tmuxTerm {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	home := filepath.Join(workDir, "home-"+name)
	if err := os.MkdirAll(home, 0o700); err != nil {
		t.Fatal(err)
	}
	// Options before the first frame: no status line (the pane is the whole
	// w×h), the last screen kept after exit, OSC 52 kept as a paste buffer.
	conf := filepath.Join(home, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g status off\nset -g remain-on-exit on\nset -g set-clipboard on\n"+o.tmuxConf), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := &tmuxTerm{t: t, sock: "globus-setup-e2e-" + hex.EncodeToString(b), name: name, w: w, h: h, conf: conf,
		env: append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TERM=xterm-256color", "LANG=C.UTF-8"}, o.env...)}
	// tmux plays the operator's terminal emulator, so the wizard must not
	// think it is nested in tmux (TMUX unset): its OSC 52 then reaches tmux
	// itself, which with set-clipboard on keeps it as a paste buffer.
	// The inner shell writes its PID and becomes the wizard, so the clean-up
	// knows which process to wait for.
	pidFile := filepath.Join(home, "wizard.pid")
	unset := " env -u TMUX "
	if o.nested {
		unset = " env "
	}
	command := `sh -c 'echo $$ >"$0"; exec "$@"' ` + shellQuote(pidFile) + unset + shellQuote(bin)
	for _, a := range args {
		command += " " + shellQuote(a)
	}
	command += `; echo "` + exitedPrefix + `$?]"`
	tm.tmux("new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-c", workDir, command)
	socket := strings.TrimSpace(tm.tmux("display-message", "-p", "#{socket_path}"))
	t.Cleanup(func() {
		kill := exec.Command("tmux", "-L", tm.sock, "kill-server")
		kill.Env = tm.env
		kill.Run()
		os.Remove(socket) // tmux leaves it behind
		// Closing its terminal stops a wizard still running, but it still
		// writes on its way out (a kept demo saves its emulator's state):
		// the test's folders are removed only once it is gone.
		waitGone(t, pidFile)
	})
	return tm
}

// waitGone waits for the process whose PID is in pidFile to end (a zombie
// has ended: only its parent's wait is left), killing it after e2eWait.
func waitGone(t *testing.T, pidFile string) {
	t.Helper()
	data, err := os.ReadFile(pidFile)
	if err != nil {
		return // never started
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		t.Errorf("the wizard's PID file holds %q", data)
		return
	}
	gone := func() bool {
		if stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
			// "pid (comm) S ...": the state follows the last ')'.
			i := bytes.LastIndexByte(stat, ')')
			return i >= 0 && i+2 < len(stat) && stat[i+2] == 'Z'
		}
		return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH)
	}
	for deadline := time.Now().Add(e2eWait); !gone(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("the wizard (PID %d) was still running %v after its terminal closed", pid, e2eWait)
			return
		}
	}
}

func (tm *tmuxTerm) tmux(args ...string) string {
	tm.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-f", tm.conf, "-L", tm.sock}, args...)...)
	cmd.Env = tm.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %s: %v\n%s\nlast screen:\n%s", strings.Join(args, " "), err, out, tm.last)
	}
	return string(out)
}

func (tm *tmuxTerm) capture() string {
	tm.t.Helper()
	tm.last = tm.tmux("capture-pane", "-p", "-J", "-t", "e2e")
	return tm.last
}

// key sends named keys (Enter, Tab, Escape) or single characters.
func (tm *tmuxTerm) key(keys ...string) {
	tm.t.Helper()
	tm.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// typeLine types text literally, then Enter. The values are the
// emulator's throwaway test secrets, so tmux's argv may show them.
func (tm *tmuxTerm) typeLine(text string) {
	tm.t.Helper()
	tm.tmux("send-keys", "-t", "e2e", "-l", "--", text) // codes and secrets may start with "-"
	tm.key("Enter")
}

// waitFor polls the screen until every want is on it, and keeps the screen.
func (tm *tmuxTerm) waitFor(what string, wants ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for {
		s := tm.capture()
		missing := ""
		for _, w := range wants {
			if !strings.Contains(s, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			tm.seen = append(tm.seen, s)
			tm.save(what, s)
			return s
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("%s: %q not on the screen after %v; the screen:\n%s", what, missing, e2eWait, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitExit waits for the wizard to exit with status 0 and its last words.
// The status comes from the shell around it (see startWizard): tmux's own
// pane_dead_status is unreliable where processes are not always reaped.
func (tm *tmuxTerm) waitExit(vaultFile string) {
	tm.t.Helper()
	tm.waitFor("", exitedPrefix)
	// The last words are printed after the full screen ends, at the bottom:
	// some may have scrolled into the history.
	s := tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e")
	tm.save("exited", s)
	m := regexp.MustCompile(regexp.QuoteMeta(exitedPrefix) + `(\d+)\]`).FindStringSubmatch(s)
	if m == nil || m[1] != "0" {
		tm.t.Fatalf("the wizard did not exit with status 0; the screen:\n%s", s)
	}
	// The message is plain text after the full screen ends, so the terminal
	// wraps it: compare without the white space.
	squash := func(s string) string { return strings.Join(strings.Fields(s), "") }
	// The program is named as it was started (here by its path).
	if saved := "globus-setup --demo --vault " + vaultFile; !strings.Contains(squash(s), squash(saved)) || !strings.Contains(s, "Resume with: /") {
		tm.t.Fatalf("after quitting, %q is not on the screen:\n%s", saved, s)
	}
}

// buffer is what the wizard last put on the terminal's clipboard (OSC 52).
func (tm *tmuxTerm) buffer() string {
	tm.t.Helper()
	return tm.tmux("show-buffer")
}

func (tm *tmuxTerm) createVault() {
	tm.t.Helper()
	tm.waitFor("create the vault", "Create the vault", "Passphrase again")
	tm.typeLine(e2ePassphrase)
	tm.typeLine(e2ePassphrase)
}

func (tm *tmuxTerm) unlock() {
	tm.t.Helper()
	tm.waitFor("unlock screen", "Unlock the vault", "Passphrase")
	tm.typeLine(e2ePassphrase)
}

// console reads the developers console's address off step 1, as the
// operator would before opening it.
func (tm *tmuxTerm) console() *consoleClient {
	tm.t.Helper()
	// The link sits at the top of the step, under "o opens the console".
	tm.waitFor("step 1", "Step 1 of 6")
	link := tm.shownLink("opens the console, or click the link")
	m := regexp.MustCompile(`^(http://127\.0\.0\.1:\d+)/app/settings/developers$`).FindStringSubmatch(link)
	if m == nil {
		tm.t.Fatalf("the developers console link shown is %q", link)
	}
	return &consoleClient{t: tm.t, base: m[1]}
}

// goToStep moves through the screens with tab until step n's title shows.
func (tm *tmuxTerm) goToStep(n int, title string) {
	tm.t.Helper()
	want := fmt.Sprintf("Step %d of 6 · %s", n, title)
	for range 12 {
		if strings.Contains(tm.capture(), want) {
			tm.save(fmt.Sprintf("step %d", n), tm.last)
			return
		}
		// One tab per screen: wait for the screen's title to change, not
		// for any change (a status line clearing), or a second tab could
		// go out before the first is shown and skip the step.
		before := screenTitle(tm.last)
		tm.key("Tab")
		for deadline := time.Now().Add(e2eWait); screenTitle(tm.capture()) == before && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
		}
	}
	tm.t.Fatalf("step %d never showed; the screen:\n%s", n, tm.last)
}

// screenTitle names the wizard's page on screen: its "Step N of 6" title
// and the sidebar's selected entry (▸), one of which every page changes.
func screenTitle(screen string) string {
	return screenStepTitle.FindString(screen) + "|" + sidebarSelected.FindString(screen)
}

var (
	screenStepTitle = regexp.MustCompile(`Step \d+ of \d+`)
	sidebarSelected = regexp.MustCompile(`▸[^│\n]*`)
)

// selectValue moves the values list down to key.
func (tm *tmuxTerm) selectValue(key string) {
	tm.t.Helper()
	for range 30 {
		if strings.Contains(tm.capture(), "▸ "+key) {
			return
		}
		before := tm.last
		tm.key("j")
		tm.waitChange(before)
	}
	tm.t.Fatalf("could not select %s on the values screen:\n%s", key, tm.last)
}

func (tm *tmuxTerm) waitChange(before string) {
	tm.t.Helper()
	deadline := time.Now().Add(e2eWait)
	for tm.capture() == before {
		if time.Now().After(deadline) {
			tm.t.Fatalf("the screen did not change after a key:\n%s", before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// assertSidebar checks each step's marker; alt lists other accepted markers.
func (tm *tmuxTerm) assertSidebar(want map[int]string, alt string) {
	tm.t.Helper()
	s := tm.capture()
	for n, g := range want {
		re := regexp.MustCompile(`(?m)^[ ▸](\S) ` + fmt.Sprint(n) + ` `) // ▸ marks the selected step
		m := re.FindStringSubmatch(s)
		switch {
		case m == nil:
			tm.t.Errorf("step %d is not in the sidebar:\n%s", n, s)
		case m[1] != g && !strings.Contains(alt, m[1]):
			tm.t.Errorf("step %d is marked %s in the sidebar, want %s:\n%s", n, m[1], g, s)
		}
	}
}

// assertFits checks that no line is wider than the terminal (capture-pane -J
// joins wrapped lines) and that the header and key texts are visible.
func (tm *tmuxTerm) assertFits(s string, wants ...string) {
	tm.t.Helper()
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > tm.h {
		tm.t.Errorf("%d lines on a %d-line screen:\n%s", len(lines), tm.h, s)
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > tm.w {
			tm.t.Errorf("line %d is %d runes wide on a %d-column screen: %q", i+1, n, tm.w, l)
		}
	}
	if !strings.HasPrefix(lines[0], " globus-setup") {
		tm.t.Errorf("the header is not on the first line:\n%s", s)
	}
	for _, w := range wants {
		if !strings.Contains(s, w) {
			tm.t.Errorf("%q is not visible:\n%s", w, s)
		}
	}
}

func (tm *tmuxTerm) save(what, s string) {
	dir := os.Getenv("GLOBUS_SETUP_E2E_SCREENS")
	if dir == "" || what == "" {
		return
	}
	tm.shots++
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tm.t.Log(err)
		return
	}
	file := fmt.Sprintf("%s-%dx%d-%02d-%s.txt", tm.name, tm.w, tm.h, tm.shots, strings.NewReplacer(" ", "-", "/", "-", ":", "").Replace(what))
	if err := os.WriteFile(filepath.Join(dir, file), []byte(s), 0o644); err != nil {
		tm.t.Log(err)
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// ---- the emulator's web pages, as a browser uses them ----

type consoleClient struct {
	t    *testing.T
	base string
}

func (c *consoleClient) post(path string, form url.Values) string {
	c.t.Helper()
	resp, err := http.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.body(resp)
}

func (c *consoleClient) body(resp *http.Response) string {
	c.t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s %s: %s\n%s", resp.Request.Method, resp.Request.URL, resp.Status, b)
	}
	return string(b)
}

// match returns the first group of re in page, HTML-unescaped.
func (c *consoleClient) match(page, re string) string {
	c.t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(page)
	if m == nil {
		c.t.Fatalf("%s not on the page:\n%s", re, page)
	}
	return html.UnescapeString(m[1])
}

// registerApp registers an app in e2eProject as the guide says, from the
// developers page's "Register a …" link (kind), and reads its Client UUID
// and, but for a thick client, a secret from Add Client Secret (shown once).
func (c *consoleClient) registerApp(kind, name, redirect string) (id, secret string) {
	c.t.Helper()
	p := c.person(nil)
	id, app := p.registerApp(c.developers(p), kind, e2eProject, name, redirect)
	if kind != "Register a thick client" {
		secret = p.addSecret(app, name+" secret")
	}
	return id, secret
}

// approve opens the login link, presses Allow and reads the code.
func (c *consoleClient) approve(authorize string) string {
	c.t.Helper()
	return c.approveAs(authorize, "")
}

// approveAs is approve signed in as username ("" = the emulator's
// operator), chosen with the sign-in page's emulator-only select.
func (c *consoleClient) approveAs(authorize, username string) string {
	c.t.Helper()
	if !strings.HasPrefix(authorize, c.base+"/auth/") {
		c.t.Fatalf("the login link %q is not the emulator's", authorize)
	}
	resp, err := http.Get(authorize)
	if err != nil {
		c.t.Fatal(err)
	}
	page := c.body(resp)
	action := c.match(page, `<form method="post" action="([^"]+)"`)
	form := url.Values{"decision": {"allow"}}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Add(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	if username != "" {
		if !strings.Contains(page, `<option value="`+html.EscapeString(username)+`"`) {
			c.t.Fatalf("the sign-in page offers no %s to sign in as:\n%s", username, page)
		}
		form.Set("emulator_sign_in_as", username)
	}
	return c.match(c.post(action, form), `<pre id="auth-code">([^<]+)</pre>`)
}
