package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

const testPass = "correct horse battery staple"

var testOpts = vault.Options{WorkFactor: 10}

type recorder struct {
	mu     sync.Mutex
	copied []string
	opened []string
}

func (r *recorder) copy(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.copied = append(r.copied, s)
	return nil
}

func (r *recorder) open(u string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.opened = append(r.opened, u)
	return errors.New("no display")
}

func (r *recorder) lastCopied() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.copied) == 0 {
		return ""
	}
	return r.copied[len(r.copied)-1]
}

// testConfig is a config with a fresh vault folder and the emulator.
func testConfig(t *testing.T) (Config, *globustest.Server, *recorder) {
	t.Helper()
	srv, base := globustest.NewTestServer(t)
	env := globus.Environment{Name: "custom", AuthURL: base + "/auth/", GroupsURL: base + "/groups/", AppURL: base + "/app/", Timeout: 10 * time.Second}
	client, err := globus.New(env)
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	cfg := Config{
		Paths:        vault.PathsFor(filepath.Join(t.TempDir(), "vault.age")),
		Sources:      vault.PassphraseSources{Getenv: func(string) string { return "" }},
		VaultOptions: testOpts,
		Globus:       client,
		Env:          env,
		OpenBrowser:  rec.open,
		Clipboard:    rec.copy,
		Getenv:       func(string) string { return "" },
	}
	return cfg, srv, rec
}

// unlocked creates the vault and hands it to the config (skips the unlock screen).
func unlocked(t *testing.T, cfg Config) Config {
	t.Helper()
	v, err := vault.Create(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Vault = v
	return cfg
}

func start(t *testing.T, cfg Config, w, h int) *teatest.TestModel {
	t.Helper()
	tm := teatest.NewTestModel(t, NewModel(cfg), teatest.WithInitialTermSize(w, h))
	t.Cleanup(func() { _ = tm.Quit() })
	return tm
}

// waitFor waits until every string has appeared in the output since the last wait.
func waitFor(t *testing.T, tm *teatest.TestModel, want ...string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		for _, w := range want {
			if !bytes.Contains(b, []byte(w)) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func press(tm *teatest.TestModel, t tea.KeyType) { tm.Send(tea.KeyMsg{Type: t}) }

func runes(tm *teatest.TestModel, s string) {
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s)})
}

func TestCreateVaultOpensFirstStep(t *testing.T) {
	cfg, _, _ := testConfig(t)
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Create the vault", "Passphrase")
	runes(tm, testPass)
	waitFor(t, tm, "strength: strong")
	press(tm, tea.KeyEnter)
	runes(tm, "something else entirely")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "The two passphrases differ. The first is kept")
	runes(tm, testPass)
	press(tm, tea.KeyEnter)
	first := steps.Catalogue()[0]
	waitFor(t, tm, "Step 1 of 6", first.Title)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	if _, err := vault.Open(cfg.Paths, []byte(testPass), testOpts); err != nil {
		t.Fatalf("the created vault does not open with the passphrase: %v", err)
	}
}

func TestWrongPassphraseThenRight(t *testing.T) {
	cfg, _, _ := testConfig(t)
	if _, err := vault.Create(cfg.Paths, []byte(testPass), testOpts); err != nil {
		t.Fatal(err)
	}
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Unlock the vault", "Passphrase")
	runes(tm, "not the passphrase")
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Wrong passphrase")
	runes(tm, testPass)
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Step 1 of 6")
}

func TestNavigation(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cat := steps.Catalogue()
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyTab)
	waitFor(t, tm, "Step 2 of 6", cat[1].Title)
	runes(tm, "]")
	waitFor(t, tm, "Step 3 of 6")
	runes(tm, "[")
	waitFor(t, tm, "Step 2 of 6")
	press(tm, tea.KeyDown)
	waitFor(t, tm, "Step 3 of 6")
	press(tm, tea.KeyShiftTab)
	waitFor(t, tm, "Step 2 of 6")
	runes(tm, "v")
	waitFor(t, tm, "Stored values")
	runes(tm, "f")
	waitFor(t, tm, "Finish", ".env")
	runes(tm, "]") // wraps round to the first step
	waitFor(t, tm, "Step 1 of 6")
}

// stepWithKind finds a step field of the given kind.
func stepWithKind(t *testing.T, kind steps.Kind) (int, int) {
	t.Helper()
	for i, s := range steps.Catalogue() {
		for j, f := range s.Fields {
			if f.Kind == kind {
				return i, j
			}
		}
	}
	t.Fatalf("no field of kind %v", kind)
	return 0, 0
}

func TestValidationMessages(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	si, fi := stepWithKind(t, steps.KindUUID)
	st := steps.Catalogue()[si]
	f := st.Fields[fi]

	_, errUUID := steps.Validate(f.Key, "1234-not-a-uuid")
	if errUUID == nil {
		t.Fatal("the validator accepted a mistyped UUID")
	}
	secretish := "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
	_, errSecret := steps.Validate(f.Key, secretish)
	if errSecret == nil {
		t.Fatal("the validator accepted a secret in an ID field")
	}

	tm := start(t, cfg, 200, 40)
	// The pane's text is capped at the reading width: a message wraps, so
	// its first words are looked for.
	head := func(err error) string { return string([]rune(err.Error())[:min(50, len([]rune(err.Error())))]) }
	waitFor(t, tm, "Step 1 of 6")
	if si > 0 {
		for i := 0; i < si; i++ {
			press(tm, tea.KeyTab)
		}
		waitFor(t, tm, st.Title)
	}
	press(tm, tea.KeyEnter)
	for i := 0; i < fi; i++ {
		press(tm, tea.KeyTab)
	}
	runes(tm, "1234-not-a-uuid")
	waitFor(t, tm, "✗ "+head(errUUID))
	// Clear the field and paste a secret instead.
	for range "1234-not-a-uuid" {
		press(tm, tea.KeyBackspace)
	}
	tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(secretish), Paste: true})
	waitFor(t, tm, "✗ That looked like a client secret, so it was cleared")

	tm.Quit()
	out, _ := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	if bytes.Contains(out, []byte("✗ "+secretish)) {
		t.Fatal("a secret was echoed in a message")
	}
}

// validValue is a value the validators accept for a field's kind.
func validValue(t *testing.T, f steps.Field, n int) string {
	t.Helper()
	var v string
	switch f.Kind {
	case steps.KindUUID:
		v = []string{"0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c", "1c5e6b2f-3a6d-4d2b-8b68-2e3f4a5b6c7d", "2d6f7c3a-4b7e-4e3c-9c79-3f4a5b6c7d8e"}[n%3]
	case steps.KindSecret:
		v = "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
	case steps.KindEmail:
		v = "ops@example.org"
	case steps.KindDomains:
		v = "example.org"
	case steps.KindUsernames:
		v = "alice@example.org"
	case steps.KindDuration:
		v = "8h"
	default:
		v = "Inference gateway"
	}
	if _, err := steps.Validate(f.Key, v); err != nil {
		t.Fatalf("test value for %s rejected: %v", f.Key, err)
	}
	return v
}

// stepValues is a valid set of values for a step's fields.
func stepValues(t *testing.T, s steps.Step) map[string]string {
	vals := map[string]string{}
	for i, f := range s.Fields {
		vals[f.Key] = validValue(t, f, i)
	}
	return vals
}

func TestResumeOpensOnFirstUnfinishedStep(t *testing.T) {
	cfg, _, _ := testConfig(t)
	v, err := vault.Create(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	cat := steps.Catalogue()
	for _, s := range cat[:2] {
		if err := steps.Accept(v, s.ID, stepValues(t, s)); err != nil {
			t.Fatalf("accept %s: %v", s.ID, err)
		}
	}
	// Step 2 is done with its action_all scope, which its check stores.
	if steps.ResumeIndex(v.Doc()) != 1 {
		t.Fatalf("step 2 without its scope is not where the wizard resumes")
	}
	if err := steps.SetValues(v, map[string]string{"service_api.scope_id": "1c5e6b2f-3a6d-4d2b-8b68-2e3f4a5b6c7d",
		"service_api.scope_string": "https://auth.globus.org/scopes/" + v.Doc().Values["service_api.client_id"] + "/action_all"}); err != nil {
		t.Fatal(err)
	}
	want := steps.ResumeIndex(v.Doc())
	if want != 2 {
		t.Fatalf("resume index %d, want 2", want)
	}
	tm := start(t, cfg, 100, 30) // through the unlock screen, as a restart would
	waitFor(t, tm, "Unlock the vault")
	runes(tm, testPass)
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Step 3 of 6", cat[2].Title)
}

func TestQuitKeepsAcceptedValues(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	s := steps.Catalogue()[0]
	vals := stepValues(t, s)
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyEnter)
	for i, f := range s.Fields {
		runes(tm, vals[f.Key])
		if i < len(s.Fields)-1 {
			press(tm, tea.KeyTab)
		}
	}
	press(tm, tea.KeyEnter)
	waitFor(t, tm, "Step 2 of 6", "✓ Step 1 saved") // saved, then checked, then on
	// Typed but not accepted: lost on quit, by design.
	runes(tm, "q")
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))

	v, err := vault.Open(cfg.Paths, []byte(testPass), testOpts)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range vals {
		if got, _ := v.Get(k); got == "" {
			t.Errorf("%s not kept after quitting (want %q)", k, want)
		}
	}
	if st := steps.Status(v.Doc())[0].State; st != steps.StateDone && st != steps.StateVerified {
		t.Errorf("step 1 state %q after accepting", st)
	}
}

func TestCopyAndRevealValues(t *testing.T) {
	cfg, _, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	secretKey := ""
	for _, ks := range steps.Keys() {
		if ks.Secret {
			secretKey = ks.Key
			break
		}
	}
	const secret = "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
	if err := cfg.Vault.Set(secretKey, secret); err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("v")})
	vm := m.shell.values
	for i, r := range vm.rows {
		if r.key == secretKey {
			vm.sel = i
		}
	}
	if strings.Contains(m.View(), secret) {
		t.Fatal("secret shown before reveal")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	if !strings.Contains(m.View(), secret) {
		t.Fatal("secret not shown after reveal")
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("r")})
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("c")})
	msg := runCmd(cmd)
	m.Update(msg)
	if rec.lastCopied() != secret {
		t.Fatal("copy did not reach the clipboard")
	}
	if !strings.Contains(m.View(), "clipboard clears in 45s") || strings.Contains(m.View(), secret) {
		t.Fatal("copy message wrong or secret shown")
	}
}

// runCmd runs a command and any batch inside it, returning the first message.
func runCmd(cmd tea.Cmd) tea.Msg {
	if cmd == nil {
		return nil
	}
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			if c == nil {
				continue
			}
			if m := runCmd(c); m != nil {
				if _, tick := m.(spinner.TickMsg); !tick {
					return m
				}
			}
		}
		return nil
	}
	return msg
}

func TestBrowserFailureShowsLink(t *testing.T) {
	cfg, _, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	url := steps.Catalogue()[0].ConsoleURL(cfg.Env)
	_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("o")})
	m.Update(runCmd(cmd))
	if len(rec.opened) != 1 || rec.opened[0] != url {
		t.Fatalf("opened %v, want %s", rec.opened, url)
	}
	view := m.View()
	if !strings.Contains(view, "\x1b]8;;"+url+"\x1b\\") {
		t.Fatal("no OSC 8 link after the browser failed")
	}
	_, cmd = m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("u")})
	m.Update(runCmd(cmd))
	if rec.lastCopied() != url {
		t.Fatal("u did not copy the link")
	}
}

func TestViewFits(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	for _, size := range [][2]int{{60, 20}, {100, 30}, {80, 24}, {40, 12}} {
		w, h := size[0], size[1]
		m := NewModel(cfg).(*Model)
		m.Update(tea.WindowSizeMsg{Width: w, Height: h})
		check := func(name string) {
			t.Helper()
			v := m.View()
			if got := lipgloss.Height(v); got != h {
				t.Errorf("%s at %dx%d: height %d", name, w, h, got)
			}
			for i, l := range strings.Split(v, "\n") {
				if lw := lipgloss.Width(l); lw > w {
					t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, w, h, i, lw, l)
				}
			}
		}
		for i := range steps.Catalogue() {
			check("step " + steps.Catalogue()[i].ID)
			m.Update(tea.KeyMsg{Type: tea.KeyEnter}) // editing mode too
			check("editing " + steps.Catalogue()[i].ID)
			m.Update(tea.KeyMsg{Type: tea.KeyEsc})
			m.Update(tea.KeyMsg{Type: tea.KeyTab})
		}
		check("values")
		m.Update(tea.KeyMsg{Type: tea.KeyTab})
		check("login")
		m.Update(tea.KeyMsg{Type: tea.KeyTab})
		check("finish")
		m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("?")})
		check("finish with full help")

		u := NewModel(Config{Paths: cfg.Paths, VaultOptions: testOpts, Getenv: cfg.Getenv}).(*Model)
		u.Update(tea.WindowSizeMsg{Width: w, Height: h})
		u.unlock.ready = true
		uv := u.View()
		if lipgloss.Height(uv) != h || lipgloss.Width(uv) > w {
			t.Errorf("unlock at %dx%d: %dx%d", w, h, lipgloss.Width(uv), lipgloss.Height(uv))
		}
	}
}

func TestNarrowShowsProgressLine(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	if v := m.View(); !strings.Contains(v, "Step 1/6 ○○○○○○") {
		t.Fatalf("no progress line at 60 columns:\n%s", v)
	}
}

func BenchmarkViewStep(b *testing.B) {
	cfg := benchConfig(b)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = m.View()
	}
}

func BenchmarkStartup(b *testing.B) {
	cfg := benchConfig(b)
	b.Run("unlocked", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			m := NewModel(cfg)
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			_ = m.View()
		}
	})
	b.Run("unlock-screen", func(b *testing.B) {
		c := Config{Paths: cfg.Paths, VaultOptions: testOpts, Getenv: cfg.Getenv}
		b.ReportAllocs()
		for b.Loop() {
			m := NewModel(c)
			m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
			_ = m.View()
		}
	})
}

func benchConfig(b *testing.B) Config {
	b.Helper()
	p := vault.PathsFor(filepath.Join(b.TempDir(), "vault.age"))
	v, err := vault.Create(p, []byte(testPass), testOpts)
	if err != nil {
		b.Fatal(err)
	}
	env := globus.Environment{Name: "production", AuthURL: "https://auth.globus.org/", GroupsURL: "https://groups.api.globus.org/", AppURL: "https://app.globus.org/"}
	return Config{Paths: p, VaultOptions: testOpts, Vault: v, Env: env, Getenv: func(string) string { return "" }}
}

func assertMode0600(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600", path, fi.Mode().Perm())
	}
}

func TestGroupedKeysAreSplit(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("vjj")})
	if m.shell.sel != m.shell.valuesIndex() || m.shell.values.sel != 2 {
		t.Fatalf("screen %d row %d", m.shell.sel, m.shell.values.sel)
	}
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("]]]eabc")}) // login, set up all, finish, edit path, type
	if got := inputValue(m.shell.finish.path); got != absPath(".env")+"abc" {
		t.Fatalf("path %q", got)
	}
}

func TestDamagedVaultNamesFileAndRepair(t *testing.T) {
	cfg, _, _ := testConfig(t)
	if _, err := vault.Create(cfg.Paths, []byte(testPass), testOpts); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Paths.Vault, []byte("not an age file"), 0o600); err != nil {
		t.Fatal(err)
	}
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 40})
	drive(m, runCmd(m.Init()))
	m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(testPass)})
	drive(m, tea.KeyMsg{Type: tea.KeyEnter})
	v := m.View()
	if !strings.Contains(v, "vault.age") || !strings.Contains(v, "--force") || !strings.Contains(v, "damaged") {
		t.Fatalf("damaged vault not explained:\n%s", v)
	}
	if data, _ := os.ReadFile(cfg.Paths.Vault); string(data) != "not an age file" {
		t.Fatal("the damaged file was changed")
	}
}

func TestEverySizeFits(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	for w := 20; w <= 130; w += 7 {
		for h := 8; h <= 40; h += 5 {
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			for screen := 0; screen < 9; screen++ {
				for _, full := range []bool{false, true} {
					m.shell.fullHelp = full
					v := m.View()
					if lipgloss.Height(v) != h || lipgloss.Width(v) > w {
						t.Fatalf("screen %d at %dx%d (full help %v): %dx%d", screen, w, h, full, lipgloss.Width(v), lipgloss.Height(v))
					}
				}
				m.shell.goTo(m.shell.sel + 1)
			}
		}
	}
}

// linkParam is one query parameter of a login link.
func linkParam(link, name string) string {
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	return u.Query().Get(name)
}

// written is what the wizard wrote to out so far (its writes take the lock).
func written(out *lockedWriter) string {
	out.mu.Lock()
	defer out.mu.Unlock()
	return out.w.(*bytes.Buffer).String()
}

// ctrl+c while the one form's setup is mid-way (Globus has not answered
// the policy's create yet): Run returns ErrInterrupted, for the command to
// exit 130, and says what is kept; what was made is stored.
func TestInterruptMidApplyReturnsErrInterrupted(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	srv.FailNext("POST", "/auth/v2/api/policies", 1, globustest.Failure{Delay: time.Minute})
	in, typed := io.Pipe()
	t.Cleanup(func() { typed.Close() })
	out := &lockedWriter{w: &bytes.Buffer{}}
	cfg.Input, cfg.Output = in, out
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), cfg) }()
	waitOut := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(written(out), what); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q not shown:\n%s", what, written(out))
			}
		}
	}
	waitOut("Step 1 of 6")
	io.WriteString(typed, "A") // set up everything: the form, filled in
	waitOut("Identity provider domains")
	io.WriteString(typed, "\r") // the plan
	waitOut("enter: do it all")
	io.WriteString(typed, "\r") // do it all
	for deadline := time.Now().Add(15 * time.Second); srv.CountRequests("POST", "/v2/api/policies") == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the setup never reached the policy:\n%s", written(out))
		}
	}
	io.WriteString(typed, "\x03") // ctrl+c: asked first, mid-way
	waitOut("Quit while setting everything up?")
	io.WriteString(typed, "y")
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Run after ctrl+c mid-apply: %v, want ErrInterrupted", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ctrl+c did not end the wizard")
	}
	if !strings.Contains(written(out), "Interrupted: what was made before is stored in the vault") {
		t.Errorf("the interrupt is not said:\n%s", written(out))
	}
	doc := cfg.Vault.Doc()
	for _, k := range []string{"project.id", "service_api.client_id", "service_account.client_id", "public_client.client_id"} {
		if doc.Values[k] == "" {
			t.Errorf("%s made before the interrupt is not stored", k)
		}
	}
}

// ctrl+c with nothing in flight is quitting, not an interrupt.
func TestCtrlCWhileIdleQuits(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 1 of 6")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.interrupted {
		t.Fatal("ctrl+c with nothing running counted as an interrupt")
	}
}

// A kept demo's emulator state is saved before the last words say it is
// beside the vault, and only then: nothing is written after them. A state
// that could not be saved is said not to be.
func TestKeptDemoSavesBeforeItsLastWords(t *testing.T) {
	for _, fails := range []bool{false, true} {
		cfg, _, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		cfg.Demo = true
		in, typed := io.Pipe()
		out := &lockedWriter{w: &bytes.Buffer{}}
		cfg.Input, cfg.Output = in, out
		var before string
		saves := 0
		cfg.SaveDemo = func() error {
			saves++
			before = written(out)
			if fails {
				return errors.New("disk full")
			}
			return nil
		}
		done := make(chan error, 1)
		go func() { done <- Run(context.Background(), cfg) }()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(written(out), "Step 1 of 6"); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("the wizard did not start:\n%s", written(out))
			}
		}
		io.WriteString(typed, "q")
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		typed.Close()
		after := written(out)
		switch {
		case saves != 1:
			t.Errorf("saved %d times, want once", saves)
		case strings.Contains(before, "Demo progress is saved"):
			t.Errorf("the last words came before the state was saved:\n%s", before)
		case !fails && !strings.Contains(after, "with the demo emulator's state beside it"):
			t.Errorf("the last words do not say where the demo is:\n%s", after)
		case fails && (strings.Contains(after, "with the demo emulator's state beside it") || !strings.Contains(after, "could not be saved beside it (disk full)")):
			t.Errorf("a state not saved is said to be:\n%s", after)
		}
	}
}

// ctrl+c while a task runs asks; the task ending before the answer does
// not drop the question: it stays, as a plain quit question, and y quits
// (t3 item 3).
func TestQuitQuestionOutlivesTheTask(t *testing.T) {
	cfg, srv, _, _ := provable(t)
	srv.FailNext("GET", "/v2/oauth2/userinfo", 1, globustest.Failure{Delay: 2 * time.Second})
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 6 of 6")
	runes(tm, "f")
	waitFor(t, tm, "Prove a user gets in")
	runes(tm, "x")
	waitFor(t, tm, "Checking everything with Globus")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	waitFor(t, tm, "Quit while checking everything with Globus?")
	waitFor(t, tm, "Checking everything with Globus ended before you answered. Quit?")
	runes(tm, "y")
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.interrupted {
		t.Fatal("y after the task ended counted as an interrupt")
	}
}
