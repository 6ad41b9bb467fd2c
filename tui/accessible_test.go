package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

func TestAccessibleRunsStepsAsPrompts(t *testing.T) {
	cfg, _, rec := testConfig(t)
	passFile := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(passFile, []byte(testPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Sources = vault.PassphraseSources{File: passFile, Getenv: func(string) string { return "" }}
	cfg.Accessible = true
	// Step 1: do it in the browser, open it (fails: the link is printed), a
	// mistyped ID (re-asked), then the right values; the input then ends.
	cfg.Input = strings.NewReader("2\ny\nnot-a-uuid\n0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c\nInference Gateway\n\n")
	var out bytes.Buffer
	cfg.Output = &out
	err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "input ended") {
		t.Fatalf("Run: %v", err)
	}
	text := out.String()
	url := steps.Catalogue()[0].ConsoleURL(cfg.Env)
	for _, want := range []string{"Step 1 of 6", "do it yourself in the browser?", "Console page: " + url, "expected a UUID", "Saved.", "Step 2 of 6"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if len(rec.opened) == 0 {
		t.Error("the browser was not tried")
	}
	// A new vault has no saved passphrase to look for; "Saved." is said
	// once, the skipped checks after it without saying it again.
	if strings.Contains(text, "Looking for a saved passphrase") || strings.Count(text, "Saved.") != 1 ||
		!strings.Contains(text, "Some checks could not run yet.") {
		t.Errorf("a new vault's first step, in accessible mode:\n%s", text)
	}
	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Get("project.id"); got != "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c" {
		t.Fatalf("project.id = %q", got)
	}
}

// piped drives the accessible mode through a pipe, so answers can depend on
// what the run has shown (a login link) before they are typed.
type piped struct {
	t     *testing.T
	in    *io.PipeWriter
	inR   *io.PipeReader
	links chan string
	done  chan error
	out   *bytes.Buffer
}

func startPiped(t *testing.T, cfg Config) *piped {
	t.Helper()
	r, w := io.Pipe()
	p := &piped{t: t, in: w, inR: r, links: make(chan string, 8), done: make(chan error, 1), out: &bytes.Buffer{}}
	cfg.Accessible = true
	cfg.Input, cfg.Output = r, p.out
	cfg.OpenBrowser = func(u string) error {
		p.links <- u
		return errors.New("no display") // so the link is read out too
	}
	t.Cleanup(func() { r.Close() })
	go func() { p.done <- Run(context.Background(), cfg) }()
	return p
}

// feed types the lines; it fails the test if the run ends before reading them.
func (p *piped) feed(lines ...string) {
	p.t.Helper()
	wrote := make(chan error, 1)
	go func() {
		_, err := io.WriteString(p.in, strings.Join(lines, "\n")+"\n")
		wrote <- err
	}()
	select {
	case err := <-wrote:
		if err != nil {
			p.t.Fatalf("typing %q: %v", lines, err)
		}
	case err := <-p.done:
		// The run may have read every line and then ended: closing the
		// reader tells a write still waiting apart from one that finished.
		p.inR.CloseWithError(errors.New("the run has ended"))
		if werr := <-wrote; werr != nil {
			p.t.Fatalf("the run ended (%v) before reading %q:\n%s", err, lines, p.out)
		}
		p.done <- err // for end()
	}
}

// link waits for the next link the run tries to open in a browser.
func (p *piped) link() string {
	p.t.Helper()
	select {
	case u := <-p.links:
		return u
	case err := <-p.done:
		p.t.Fatalf("the run ended (%v) without opening a link:\n%s", err, p.out)
		return ""
	case <-time.After(20 * time.Second):
		// The run waits for an answer instead (its output is still being
		// written, so it is not read here).
		p.t.Fatal("no link was opened in 20 s: the run is waiting for something else")
		return ""
	}
}

// end closes the input and returns what the run printed and returned.
func (p *piped) end() (string, error) {
	p.in.Close()
	err := <-p.done
	return p.out.String(), err
}

// secretsOf are the vault's secret values and the operator's tokens: none
// may ever be read out.
func secretsOf(t *testing.T, v *vault.Vault) []string {
	t.Helper()
	doc := v.Doc()
	var out []string
	for k, val := range doc.Values {
		if sp, ok := steps.Spec(k); ok && sp.Secret && val != "" {
			out = append(out, val)
		}
	}
	var login struct {
		Tokens map[string]struct {
			AccessToken  string `json:"access_token"`
			RefreshToken string `json:"refresh_token"`
		} `json:"tokens"`
	}
	if err := json.Unmarshal([]byte(doc.Internal[steps.OperatorTokensKey]), &login); err != nil {
		t.Fatalf("reading the stored login: %v", err)
	}
	for _, tok := range login.Tokens {
		out = append(out, tok.AccessToken)
		if tok.RefreshToken != "" {
			out = append(out, tok.RefreshToken)
		}
	}
	if len(out) == 0 {
		t.Fatal("no secrets to look for")
	}
	return out
}

func assertNoSecrets(t *testing.T, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Fatalf("the output holds a secret or token (%d characters)", len(s))
		}
	}
}

func TestAccessibleAppliesProjectStepFromEmptyVault(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	thick := thickClient(t, srv)
	p := startPiped(t, cfg)
	// The wizard does step 1; no public client is stored, so it asks which
	// client to log in through; the browser is tried.
	p.feed("1", thick, "y")
	url := p.link()
	code, err := srv.ApproveLogin(url)
	if err != nil {
		t.Fatal(err)
	}
	// The code, the default name and e-mail, then the plan is approved.
	p.feed(code, "", "", "y")
	text, err := p.end()
	if err == nil || !strings.Contains(err.Error(), "input ended") {
		t.Fatalf("Run: %v\n%s", err, text)
	}

	projects := operatorProjects(srv)
	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := v.Get("project.id")
	if len(projects) != 1 || projects[0].ID != id {
		t.Fatalf("stored project.id %q, the operator's projects %+v\n%s", id, projects, text)
	}
	if p := projects[0]; p.Name != "Inference Gateway" || p.ContactEmail != operator {
		t.Fatalf("project made with the defaults %+v", p)
	}
	step1, _, ok := strings.Cut(text, "Step 2 of 6")
	if !ok {
		t.Fatalf("the run did not move on to step 2:\n%s", text)
	}
	for _, want := range []string{
		"Let the wizard do this step for you (needs your Globus login), or do it yourself in the browser?",
		"the very first login needs a thick (native) client",
		"Login page: " + url,
		"Logged in through client " + thick,
		`create  project "Inference Gateway"`,
		"Create these?",
		`✓ created project "Inference Gateway" (ID ` + id + ")",
		"Created 1 thing",
		"All good.",
	} {
		if !strings.Contains(step1, want) {
			t.Errorf("step 1 lacks %q:\n%s", want, step1)
		}
	}
	if strings.Contains(step1, "On the Globus console:") {
		t.Errorf("the browser path was read out although the wizard did the step:\n%s", step1)
	}
	if st := steps.Status(v.Doc())[0].State; st != steps.StateVerified {
		t.Errorf("project step %q after applying and checking", st)
	}
	if _, stored := v.Doc().Values["public_client.client_id"]; stored {
		t.Error("the login's thick client was stored as the public client")
	}
	assertNoSecrets(t, text, append(secretsOf(t, v), code)...)
}

func TestAccessibleApplyDeclinedCreatesNothing(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	p := startPiped(t, cfg)
	p.feed("1", "", "y") // enter takes the demo's thick client
	code, err := srv.ApproveLogin(p.link())
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code, "Lab Gateway", "", "n")
	text, _ := p.end()
	if got := operatorProjects(srv); len(got) != 0 {
		t.Fatalf("declining the plan still created %+v", got)
	}
	for _, want := range []string{"enter uses the demo's thick client", "Logged in through client " + cfg.DemoLoginClient,
		`create  project "Lab Gateway"`, "Nothing was created.", "Do this step yourself in the browser, then.", "On the Globus console:"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "Nothing was created.") > strings.Index(text, "On the Globus console:") {
		t.Error("the browser path came before the declined plan")
	}
}

func TestAccessibleApplyProblemFallsBackToBrowser(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	// With step 1 skipped, step 2 has no project to put its app in.
	if err := steps.MarkState(cfg.Vault, "project", steps.StateSkipped, ""); err != nil {
		t.Fatal(err)
	}
	before := len(srv.Clients(""))
	cfg.Accessible = true
	cfg.Input = strings.NewReader("1\n")
	var out bytes.Buffer
	cfg.Output = &out
	if err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "input ended") {
		t.Fatalf("Run: %v", err)
	}
	text := out.String()
	problem := strings.Index(text, "Problem: no project is stored yet (project.id)")
	hint := strings.Index(text, "What to do: do the project step first")
	console := strings.Index(text, "On the Globus console:")
	if !strings.Contains(text, "Step 2 of 6") || problem < 0 || hint < problem || console < hint {
		t.Fatalf("want the problem, its hint, then the browser path:\n%s", text)
	}
	if got := len(srv.Clients("")); got != before {
		t.Fatalf("%d apps after a failed plan, want %d", got, before)
	}
}

func TestAccessibleProvesTestUsers(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	env := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), env, steps.ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	before := cfg.Vault.Doc().Internal
	envPath := filepath.Join(t.TempDir(), ".env")
	p := startPiped(t, cfg)
	// Step 6 (groups): no browser, skipped; then the .env, then the proof.
	p.feed("n", "n", "y", envPath, "y", "y")
	url := p.link()
	alice, err := srv.ApproveLoginAs(url, "alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	p.feed(alice, "y", "y") // then another test user
	mallory, err := srv.ApproveLoginAs(p.link(), "mallory@elsewhere.example")
	if err != nil {
		t.Fatal(err)
	}
	p.feed(mallory, "n")
	text, err := p.end()
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, text)
	}
	for _, want := range []string{"Wrote " + envPath, "Prove a test user gets in?", "Test user's login page: " + url,
		"\nalice@example.org would be admitted\n", "✓ Token is active",
		"\nmallory@elsewhere.example would be refused: ", "✗ Identity provider domain is authorised", "Progress is saved"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if strings.Index(text, "Wrote "+envPath) > strings.Index(text, "Prove a test user gets in?") {
		t.Error("the proof was offered before the .env was written")
	}
	after := cfg.Vault.Doc().Internal
	// Writing the .env remembers it, for rotate; nothing else is new.
	if after[steps.EnvTargetKey] != envPath {
		t.Errorf("the .env written is not remembered: %q", after[steps.EnvTargetKey])
	}
	delete(after, steps.EnvTargetKey)
	if len(after) != len(before) || after[steps.OperatorTokensKey] != before[steps.OperatorTokensKey] {
		t.Fatal("the proof changed what the vault keeps (a user's token stored?)")
	}
	assertNoSecrets(t, text, append(secretsOf(t, cfg.Vault), alice, mallory)...)
}

// Accessible mode names the advice's actions in its own plain words: no
// key of the full screen (there are none here), and the walk's own answers
// rather than a command wherever the walk has one.
func TestAccessibleNamesActionsInItsOwnWords(t *testing.T) {
	for _, a := range []steps.Action{
		{Kind: steps.ActSet, Key: "project.id"},
		{Kind: steps.ActLogin},
		{Kind: steps.ActLogin, Run: true, Args: []string{"run"}},
		{Kind: steps.ActApply, Step: "project"},
		{Kind: steps.ActApply},
		{Kind: steps.ActCheck, Step: "service_api"},
		{Kind: steps.ActRedrive},
		{Kind: steps.ActWords, Args: []string{"run apply again", "press a again"}},
	} {
		got := accessibleWords.Name(a)
		if got == "" || strings.Contains(got, "press ") || strings.Contains(got, "`") {
			t.Errorf("%+v is named %q", a, got)
		}
		if wiz := wizardWords.Name(a); got == wiz {
			t.Errorf("%+v is named as the wizard names it: %q", a, got)
		}
	}
	if got := accessibleWords.Name(steps.Action{Kind: steps.ActSet, Key: "project.id"}); !strings.Contains(got, "Project ID") || !strings.Contains(got, "step 1") {
		t.Errorf("a key to give is named %q", got)
	}
	// What the walk cannot do is named as the command that does it, to
	// run in a shell.
	if got := accessibleWords.Name(steps.Action{Kind: steps.ActCommand, Args: []string{"rotate", "service_api"}}); got != "`globus-setup rotate service_api` in a shell" {
		t.Errorf("a command is named %q", got)
	}
}

// A throwaway demo's vault is not kept: the input ending does not say
// what was accepted is saved.
func TestAccessibleDemoInputEndedSaysItIsThrownAway(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Accessible, cfg.Demo, cfg.Ephemeral = true, true, true
	cfg.Input = strings.NewReader("2\n")
	var out bytes.Buffer
	cfg.Output = &out
	err := Run(context.Background(), cfg)
	if err == nil || !strings.Contains(err.Error(), "input ended") || strings.Contains(err.Error(), "saved") || !strings.Contains(err.Error(), "thrown away") {
		t.Fatalf("Run: %v, want the input's end said, and the demo's vault thrown away", err)
	}
}

// The wizard's suggestions reach accessible mode: step 1's name is
// offered, and enter takes it (tester item 4).
func TestAccessibleOffersTheSuggestedProjectName(t *testing.T) {
	cfg, _, _ := testConfig(t)
	passFile := filepath.Join(t.TempDir(), "pass")
	if err := os.WriteFile(passFile, []byte(testPass+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.Sources = vault.PassphraseSources{File: passFile, Getenv: func(string) string { return "" }}
	cfg.Accessible = true
	cfg.Input = strings.NewReader("2\nn\n0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c\n\n\n")
	var out bytes.Buffer
	cfg.Output = &out
	if err := Run(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "input ended") {
		t.Fatalf("Run: %v", err)
	}
	if text := out.String(); !strings.Contains(text, "Project name (enter for the default, Inference Gateway):") || strings.Contains(text, "Project name is required") {
		t.Fatalf("the suggested name is not offered:\n%s", text)
	}
	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Get("project.name"); got != "Inference Gateway" {
		t.Fatalf("enter stored the project's name as %q:\n%s", got, out.String())
	}
}

// Step 2 done by the wizard says its scope once: created, not then
// "reused" by a check that runs the action again (tester item 5).
func TestAccessibleAppliedScopeIsSaidOnce(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.DemoLoginClient = thickClient(t, srv)
	p := startPiped(t, cfg)
	p.feed("1", "", "y") // enter takes the demo's thick client
	code, err := srv.ApproveLogin(p.link())
	if err != nil {
		t.Fatal(err)
	}
	p.feed(code, "", "", "y") // step 1 with its defaults
	p.feed("1", "y")          // step 2 by the wizard
	text, _ := p.end()
	_, step2, ok := strings.Cut(text, "Step 2 of 6")
	if !ok || !strings.Contains(step2, "created scope") {
		t.Fatalf("step 2 was not done by the wizard:\n%s", text)
	}
	if strings.Contains(step2, "Reused the existing action_all scope") {
		t.Errorf("the scope just created is said to be reused:\n%s", step2)
	}
}

// A throwaway demo says at the start that its vault goes at quit, as the
// full screen does; a browser that does not open is said so before the
// link (t3 item 10).
func TestAccessibleSaysDemoIsThrownAwayAndBrowserDidNotOpen(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Accessible, cfg.Demo, cfg.Ephemeral = true, true, true
	cfg.OpenBrowser = func(string) error { return errors.New("no browser on this machine") }
	cfg.Input = strings.NewReader("2\ny\n")
	var out bytes.Buffer
	cfg.Output = &out
	Run(context.Background(), cfg)
	text := out.String()
	start, ask := strings.Index(text, "Demo: this vault is thrown away at quit."), strings.Index(text, "Open the console page")
	if start < 0 || ask < 0 || start > ask {
		t.Errorf("the start does not say the demo's vault is thrown away:\n%s", text)
	}
	if !strings.Contains(text, "The browser did not open (no browser on this machine).") || strings.Contains(text, "Opened http") {
		t.Errorf("no browser opened, and nothing says so:\n%s", text)
	}
}
