package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// opsWorld is a vault (low work factor), an emulator seeded as after the
// console steps, and an app wired to both, as the real binary would be.
type opsWorld struct {
	t                  *testing.T
	srv                *globustest.Server
	env                map[string]string
	paths              vault.Paths
	apiID, apiSecret   string
	acctID, acctSecret string
	publicID           string
	// browser, when set, plays the operator in the browser: it gets the
	// authorize URL and returns what the operator pastes back.
	browser func(url string) string
	pasted  chan string
	// terminal is what isTerminal answers: true plays an operator at a
	// terminal, whose answers to prompts come through pasted.
	terminal bool
	// stdoutTTY is what stdoutTerminal answers: stdout is a terminal.
	stdoutTTY bool
	// onPrompt, when set, runs as the first prompt is read: the world
	// changing while the operator reads the question.
	onPrompt func()
	// vaultOptions are the app's: the sitting tests give their own store.
	vaultOptions vault.Options
}

func newOpsWorld(t *testing.T) *opsWorld {
	t.Helper()
	w := newBareWorld(t)
	srv := w.srv
	pid := srv.AddProject("Demo Inference Gateway", "ops@example.org", "operator@example.org")
	w.apiID, w.apiSecret = srv.RegisterClient(pid, "Service API", globustest.HybridConfidentialRS)
	w.acctID, w.acctSecret = srv.RegisterClient(pid, "Endpoints", globustest.ClientIdentity)
	w.publicID, _ = srv.RegisterClient(pid, "Public Client", globustest.PublicInstalledClient)
	policyID := srv.AddPolicy(pid, "HA", []string{"example.org", "example.edu"}, 28800)
	err := steps.SetValues(w.vault(), map[string]string{
		"project.id": pid, "project.name": "Demo Inference Gateway",
		"service_api.client_id": w.apiID, "service_api.client_secret": w.apiSecret,
		"service_account.client_id": w.acctID, "service_account.client_secret": w.acctSecret,
		"public_client.client_id": w.publicID,
		"policy.id":               policyID, "policy.domains": "example.org example.edu", "policy.assurance_timeout": "28800",
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// newBareWorld is the emulator with its people and nothing else, an empty
// vault, and an app wired to both.
func newBareWorld(t *testing.T) *opsWorld {
	t.Helper()
	srv, _ := globustest.NewTestServer(t)
	w := &opsWorld{t: t, srv: srv, pasted: make(chan string, 1)}
	srv.AddIdentity("operator@example.org", "Op", "operator@example.org", "")
	srv.AddIdentity("alice@example.org", "Alice", "", "")
	srv.AddIdentity("bob@example.edu", "Bob", "", "")
	srv.SetOperator("operator@example.org")

	dir := t.TempDir()
	passFile := filepath.Join(dir, "passphrase")
	if err := os.WriteFile(passFile, []byte("test passphrase\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.paths = vault.PathsFor(filepath.Join(dir, "v", "vault.age"))
	if _, err := vault.Create(w.paths, []byte("test passphrase"), vault.Options{WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}
	w.env = map[string]string{"GLOBUS_SETUP_VAULT": w.paths.Vault, "GLOBUS_SETUP_PASSPHRASE_FILE": passFile}
	for k, val := range srv.Env() {
		w.env[k] = val
	}
	return w
}

// lazyReader hands out what the "operator" pastes once the browser step ran.
type lazyReader struct {
	once   sync.Once
	ch     chan string
	r      io.Reader
	before func()
}

func (l *lazyReader) Read(p []byte) (int, error) {
	l.once.Do(func() {
		if l.before != nil {
			l.before()
		}
		select {
		case s := <-l.ch:
			l.r = strings.NewReader(s + "\n")
		default:
			l.r = strings.NewReader("")
		}
	})
	return l.r.Read(p)
}

// run runs the CLI with args and returns the exit code, stdout and stderr.
func (w *opsWorld) run(args ...string) (int, string, string) {
	w.t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin:  &lazyReader{ch: w.pasted, before: w.onPrompt},
		stdout: &out, stderr: &errb,
		getenv:         func(k string) string { return w.env[k] },
		openTTY:        func() (*os.File, error) { return nil, errors.New("no terminal in tests") },
		isTerminal:     func() bool { return w.terminal },
		stdoutTerminal: func() bool { return w.stdoutTTY },
		browse: func(url string) error {
			if w.browser == nil {
				return errors.New("no browser in tests")
			}
			w.pasted <- w.browser(url)
			return nil
		},
		vaultOptions: w.vaultOptions,
	}
	code := run(context.Background(), args, a)
	return code, out.String(), errb.String()
}

func (w *opsWorld) vault() *vault.Vault {
	w.t.Helper()
	v, err := vault.Open(w.paths, []byte("test passphrase"), vault.Options{})
	if err != nil {
		w.t.Fatal(err)
	}
	return v
}

func (w *opsWorld) login() {
	w.t.Helper()
	w.browser = func(url string) string {
		code, err := w.srv.ApproveLogin(url)
		if err != nil {
			w.t.Error(err)
		}
		return code
	}
	if code, out, errs := w.run("login"); code != 0 {
		w.t.Fatalf("login: %d\n%s%s", code, out, errs)
	}
}

func TestScopeCreateTwice(t *testing.T) {
	w := newOpsWorld(t)
	code, out, errs := w.run("scope", "create")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "Created the action_all scope") || !strings.Contains(out, "Scope string: https://auth.globus.org/scopes/"+w.apiID+"/action_all") {
		t.Errorf("first run said:\n%s", out)
	}
	code, out, errs = w.run("scope", "create")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.HasPrefix(out, "Reused the existing action_all scope") {
		t.Errorf("second run said:\n%s", out)
	}
	if n := w.srv.CountRequests(http.MethodPost, "/v2/api/clients/"+w.apiID+"/scopes"); n != 1 {
		t.Errorf("%d scope POSTs", n)
	}
	if id, _ := w.vault().Get("service_api.scope_id"); id == "" || !strings.Contains(out, id) {
		t.Errorf("stored scope %q", id)
	}
}

func TestScopeCreateBadSecret(t *testing.T) {
	w := newOpsWorld(t)
	bad := "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
	if err := steps.SetValues(w.vault(), map[string]string{"service_api.client_secret": bad}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := w.run("scope", "create")
	if code == 0 {
		t.Fatal("exit 0 with a bad secret")
	}
	if out != "" {
		t.Errorf("stdout: %q", out)
	}
	for _, want := range []string{"globus-setup: ", "did not accept the stored Service API client ID and secret", "401", "\n  what to do: ", "generate a new secret"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, bad) {
		t.Fatal("the secret was printed")
	}
}
