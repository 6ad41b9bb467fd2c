package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/tui/clipboard"
	"github.com/globus-setup/globus-setup/vault"
)

const (
	vcPass    = "correct horse battery staple"
	apiID     = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	acctID    = "2b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	publicID  = "3b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	policyID  = "4b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	groupID   = "5b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	projectID = "6b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	// Shaped like Globus client secrets (44 characters of base64).
	apiSecret  = "k3Jq9xZ0bWx1UHd2Q0ZtR2hYa1pQcXJzdFV2d3h5ejA="
	acctSecret = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
)

// vcli is one operator's shell: a vault path and passphrase file in a temp
// folder, the environment the commands see, and no terminal unless a test
// gives one. Each run builds a fresh app, as each real command is a process.
type vcli struct {
	t        *testing.T
	dir      string
	paths    vault.Paths
	passFile string
	env      map[string]string
	tty      func() (*os.File, error)
	terminal bool
	// startChild records the clipboard-clear helpers copy starts; tests that
	// want the real helper replace it.
	startChild func(*exec.Cmd) error
	started    []*exec.Cmd
}

func newVCLI(t *testing.T) *vcli {
	t.Helper()
	dir := t.TempDir()
	c := &vcli{
		t:        t,
		dir:      dir,
		paths:    vault.PathsFor(filepath.Join(dir, "config", "globus-setup", "vault.age")),
		passFile: filepath.Join(dir, "passphrase"),
		tty:      func() (*os.File, error) { return nil, errors.New("no terminal in tests") },
	}
	writeFile(t, c.passFile, vcPass+"\n", 0o600)
	c.env = map[string]string{"GLOBUS_SETUP_VAULT": c.paths.Vault, "GLOBUS_SETUP_PASSPHRASE_FILE": c.passFile}
	// A command that asks Globus (set checks an app's pair) asks an
	// emulator knowing none of these IDs, never the real Globus.
	srv, _ := globustest.NewTestServer(t)
	for k, v := range srv.Env() {
		c.env[k] = v
	}
	c.startChild = func(cmd *exec.Cmd) error {
		c.started = append(c.started, cmd)
		return nil
	}
	return c
}

// newVaultCLI is newVCLI with a vault made by `init`.
func newVaultCLI(t *testing.T) *vcli {
	t.Helper()
	c := newVCLI(t)
	c.ok("", "init")
	return c
}

func (c *vcli) runCtx(ctx context.Context, stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	a := &app{
		stdin:        strings.NewReader(stdin),
		stdout:       &out,
		stderr:       &errb,
		getenv:       func(k string) string { return c.env[k] },
		vaultOptions: vault.Options{WorkFactor: 10},
		openTTY:      c.tty,
		isTerminal:   func() bool { return c.terminal },
		browse:       func(string) error { return errors.New("no browser in tests") },
		startChild:   c.startChild,
	}
	code := run(ctx, args, a)
	return code, out.String(), errb.String()
}

func (c *vcli) run(stdin string, args ...string) (int, string, string) {
	c.t.Helper()
	return c.runCtx(context.Background(), stdin, args...)
}

// ok runs a command that must succeed and returns its stdout and stderr.
func (c *vcli) ok(stdin string, args ...string) (string, string) {
	c.t.Helper()
	code, out, errs := c.run(stdin, args...)
	if code != 0 {
		c.t.Fatalf("%q: exit %d\nstdout: %s\nstderr: %s", args, code, out, errs)
	}
	return out, errs
}

// fails runs a command that must fail: non-zero exit, nothing on stdout, an
// explanation on stderr, which it returns.
func (c *vcli) fails(stdin string, args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(stdin, args...)
	if code == 0 {
		c.t.Fatalf("%q: exit 0, want a failure\nstdout: %s\nstderr: %s", args, out, errs)
	}
	if out != "" {
		c.t.Errorf("%q failed but wrote to stdout: %q", args, out)
	}
	if !strings.HasPrefix(errs, "globus-setup: ") {
		c.t.Errorf("%q: stderr does not start with the error: %q", args, errs)
	}
	return errs
}

// seed stores values directly (already tested paths), for the tests about
// reading them out.
func (c *vcli) seed(values map[string]string) {
	c.t.Helper()
	v, err := vault.Open(c.paths, []byte(vcPass), vault.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := steps.SetValues(v, values); err != nil {
		c.t.Fatal(err)
	}
}

func (c *vcli) seedAll() {
	c.seed(map[string]string{
		"project.id": projectID, "project.name": "Demo Gateway",
		"service_api.client_id": apiID, "service_api.client_secret": apiSecret,
		"service_account.client_id": acctID, "service_account.client_secret": acctSecret,
		"public_client.client_id": publicID,
		"policy.id":               policyID, "policy.domains": "anl.gov uchicago.edu", "policy.assurance_timeout": "8h",
		"groups.users.id": groupID,
	})
	// A setup checked since (as `verify` leaves it): the policy's domains
	// are known to be the policy's, so export has nothing to warn about
	// (TestExportWarnsDomainsNeverRead is the warning's own test).
	v, err := vault.Open(c.paths, []byte(vcPass), vault.Options{})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := steps.MarkState(v, "policy", steps.StateVerified, ""); err != nil {
		c.t.Fatal(err)
	}
}

// snapshot is every file of the vault's folder, by name.
func (c *vcli) snapshot() map[string]string {
	c.t.Helper()
	entries, err := os.ReadDir(c.paths.Dir)
	if err != nil {
		c.t.Fatal(err)
	}
	snap := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(c.paths.Dir, e.Name()))
		if err != nil {
			c.t.Fatal(err)
		}
		snap[e.Name()] = string(b)
	}
	return snap
}

func (c *vcli) assertUnchanged(before map[string]string, what string) {
	c.t.Helper()
	after := c.snapshot()
	if len(after) != len(before) {
		c.t.Errorf("%s: the vault folder went from %d to %d files", what, len(before), len(after))
	}
	for name, data := range before {
		if after[name] != data {
			c.t.Errorf("%s: %s changed", what, name)
		}
	}
}

func writeFile(t *testing.T, path, data string, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// noLeak fails if a secret, or its base64 form (as in OSC 52), is in any output.
func noLeak(t *testing.T, what string, outputs ...string) {
	t.Helper()
	for _, s := range []string{apiSecret, acctSecret} {
		b64 := base64.StdEncoding.EncodeToString([]byte(s))
		for _, o := range outputs {
			if strings.Contains(o, s) || strings.Contains(o, b64) {
				t.Errorf("%s printed a secret: %q", what, o)
			}
		}
	}
}

func TestInitCreatesPrivateVaultAndNeverOverwrites(t *testing.T) {
	c := newVCLI(t)
	out, errs := c.ok("", "init")
	if !strings.Contains(out, "created vault "+c.paths.Vault) || errs != "" {
		t.Errorf("init said %q / %q", out, errs)
	}
	if m := mode(t, c.paths.Dir); m != 0o700 {
		t.Errorf("vault folder mode %o, want 700", m)
	}
	for _, f := range []string{c.paths.Vault, c.paths.Identity} {
		if m := mode(t, f); m != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(f), m)
		}
	}
	if _, err := vault.Open(c.paths, []byte(vcPass), vault.Options{}); err != nil {
		t.Fatalf("the new vault does not open with its passphrase: %v", err)
	}

	before := c.snapshot()
	errs = c.fails("", "init")
	if !strings.Contains(errs, "already exists at "+c.paths.Vault) || !strings.Contains(errs, "not touched") {
		t.Errorf("second init said %q", errs)
	}
	// Another passphrase changes nothing either.
	writeFile(t, c.passFile, "another passphrase", 0o600)
	c.fails("", "init")
	c.assertUnchanged(before, "init over an existing vault")
}

func TestInitWithPassphraseFileFlag(t *testing.T) {
	c := newVCLI(t)
	delete(c.env, "GLOBUS_SETUP_PASSPHRASE_FILE")
	flagFile := filepath.Join(c.dir, "flag-pass")
	writeFile(t, flagFile, "from the flag\n", 0o600)
	c.ok("", "--passphrase-file", flagFile, "init")
	if _, err := vault.Open(c.paths, []byte("from the flag"), vault.Options{}); err != nil {
		t.Fatalf("vault does not open with the --passphrase-file passphrase: %v", err)
	}
}

// A passphrase file others can read is used, with a warning on stderr, as
// ssh warns about a private key; a 0600 one says nothing.
func TestPassphraseFileReadableByOthersWarns(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.name", "Gateway")
	warning := "globus-setup: WARNING: passphrase file " + c.passFile + " can be read by other users (mode 0644)"
	if _, errs := c.ok("", "get", "project.name"); strings.Contains(errs, "WARNING") {
		t.Errorf("a 0600 passphrase file was warned about: %q", errs)
	}
	for _, mode := range []os.FileMode{0o644, 0o640} {
		if err := os.Chmod(c.passFile, mode); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"get", "project.name"},
			{"--passphrase-file", c.passFile, "status"},
			{"--force", "get", "project.name"},
		} {
			out, errs := c.ok("", args...)
			want := strings.Replace(warning, "0644", fmt.Sprintf("%04o", mode), 1)
			if !strings.HasPrefix(errs, want) || !strings.Contains(errs, "chmod 600 "+c.passFile) || strings.Count(errs, "WARNING") != 1 {
				t.Errorf("%q with a %o passphrase file: stderr %q", args, mode, errs)
			}
			if strings.Contains(out+errs, vcPass) {
				t.Errorf("%q printed the passphrase", args)
			}
		}
	}
}

// A vault in a folder others can write to (one holding other files, so not
// tightened) is made and used, with a warning each time.
func TestVaultInSharedFolderWarns(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		warn bool
	}{{0o777, true}, {0o770, true}, {0o755, false}} {
		c := newVCLI(t)
		shared := filepath.Join(c.dir, "shared")
		if err := os.Mkdir(shared, 0o700); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(shared, "notes.txt"), "someone's\n", 0o644)
		if err := os.Chmod(shared, tc.mode); err != nil {
			t.Fatal(err)
		}
		c.env["GLOBUS_SETUP_VAULT"] = filepath.Join(shared, "vault.age")
		warning := fmt.Sprintf("globus-setup: WARNING: the vault folder %s can be written by other users (mode %04o)", shared, tc.mode)
		for _, args := range [][]string{{"init"}, {"status"}, {"set", "project.name", "G"}} {
			_, errs := c.ok("", args...)
			if got := strings.Contains(errs, warning); got != tc.warn {
				t.Errorf("%o %q: warned %v, want %v: %q", tc.mode, args, got, tc.warn, errs)
			}
		}
		if m := mode(t, shared); m != tc.mode {
			t.Errorf("the operator's folder was changed to %o", m)
		}
	}
}

func TestInitRefusesEmptyPassphrase(t *testing.T) {
	c := newVCLI(t)
	writeFile(t, c.passFile, "\n", 0o600)
	errs := c.fails("", "init")
	if !strings.Contains(errs, "empty passphrase") {
		t.Errorf("init said %q", errs)
	}
	if vault.Exists(c.paths) {
		t.Error("a vault was created with an empty passphrase")
	}
}

func TestInitWithoutPassphraseSourceOrTerminal(t *testing.T) {
	c := newVCLI(t)
	delete(c.env, "GLOBUS_SETUP_PASSPHRASE_FILE")
	errs := c.fails("", "init")
	for _, want := range []string{"no terminal", "--passphrase-file", "GLOBUS_SETUP_PASSPHRASE_FILE", "GLOBUS_SETUP_PASSPHRASE_COMMAND"} {
		if !strings.Contains(errs, want) {
			t.Errorf("init without a passphrase source does not mention %q: %q", want, errs)
		}
	}
	if vault.Exists(c.paths) {
		t.Error("a vault was created without a passphrase")
	}
}

func TestSetAndGet(t *testing.T) {
	c := newVaultCLI(t)
	for _, tc := range []struct{ key, in, want string }{
		{"project.name", "Demo Inference Gateway", "Demo Inference Gateway"},
		{"project.id", "  " + strings.ToUpper(projectID) + " ", projectID},
		{"policy.domains", "ANL.gov, uchicago.edu", "ANL.gov uchicago.edu"}, // case kept: the gateway compares exactly
		{"policy.assurance_timeout", "8h", "28800"},
		{"groups.users.members", "alice@anl.gov bob@uchicago.edu", "alice@anl.gov bob@uchicago.edu"},
	} {
		out, errs := c.ok("", "set", tc.key, tc.in)
		if out != "" || errs != "stored "+tc.key+"\n" {
			t.Errorf("set %s said %q / %q", tc.key, out, errs)
		}
		out, errs = c.ok("", "get", tc.key)
		if out != tc.want+"\n" || errs != "" {
			t.Errorf("get %s = %q / %q, want %q", tc.key, out, errs, tc.want+"\n")
		}
	}
	// A value from stdin, with the newline echo adds.
	c.ok("Renamed Gateway\n", "set", "project.name", "-")
	if out, _ := c.ok("", "get", "project.name"); out != "Renamed Gateway\n" {
		t.Errorf("get after set from stdin = %q", out)
	}
}

func TestSetSecretFromStdin(t *testing.T) {
	c := newVaultCLI(t)
	out, errs := c.ok(apiSecret+"\n", "set", "service_api.client_secret", "-")
	noLeak(t, "set KEY -", out, errs)
	if errs != "stored service_api.client_secret\nnot checked with Globus: service_api.client_id is not stored yet (`globus-setup set service_api.client_id`); the pair is checked once both are\n" {
		t.Errorf("set said %q", errs)
	}
	if out, _ := c.ok("", "get", "service_api.client_secret"); out != apiSecret+"\n" {
		t.Errorf("get returned %q", out)
	}
}

func TestSetRefusesSecretOnCommandLine(t *testing.T) {
	c := newVaultCLI(t)
	before := c.snapshot()
	errs := c.fails("", "set", "service_api.client_secret", apiSecret)
	noLeak(t, "refused set", errs)
	for _, want := range []string{"is a secret and was not stored", "globus-setup set service_api.client_secret -", "reads stdin"} {
		if !strings.Contains(errs, want) {
			t.Errorf("refusal lacks %q:\n%s", want, errs)
		}
	}
	// No value and no terminal to ask on: point at stdin, not at the
	// vault passphrase.
	errs = c.fails("", "set", "service_account.client_secret")
	if !strings.Contains(errs, "no terminal to ask for service_account.client_secret") || !strings.Contains(errs, "set service_account.client_secret -") {
		t.Errorf("set without a value or terminal said %q", errs)
	}
	c.assertUnchanged(before, "refused secrets")
}

func TestSetRefusesInvalidValues(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.id", projectID)
	before := c.snapshot()
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"project.id", "6b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5"}, "", "35 characters"},
		{[]string{"public_client.client_id", "3b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5g"}, "", `"g"`},
		{[]string{"service_api.client_id", "1b2c3d4e5f604a7b8c9d0e1f2a3b4c5d"}, "", "dashes"},
		// The commonest mistake: the secret pasted into the ID field, from a pipe.
		{[]string{"service_api.client_id", "-"}, apiSecret + "\n", "looks like a client secret"},
		{[]string{"project.name", "-"}, acctSecret, "looks like a client secret"},
		{[]string{"service_api.client_secret", "-"}, apiID, "client ID"},
		{[]string{"policy.domains", "*.anl.gov"}, "", "wildcard"},
		{[]string{"project.contact_email", "ops at anl.gov"}, "", "address"},
	} {
		errs := c.fails(tc.stdin, append([]string{"set"}, tc.args...)...)
		if !strings.Contains(errs, tc.args[0]+" not stored") || !strings.Contains(errs, tc.want) {
			t.Errorf("set %q said %q, want %q", tc.args, errs, tc.want)
		}
		noLeak(t, "refused set", errs)
	}
	c.assertUnchanged(before, "invalid values")
	if out, _ := c.ok("", "get", "project.id"); out != projectID+"\n" {
		t.Errorf("project.id is now %q", out)
	}
}

// More than the 1 MiB `set KEY -` reads is refused whole: cutting it would
// store a list without its last items and say "stored".
func TestSetRefusesOverlongStdin(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "policy.domains", "anl.gov")
	before := c.snapshot()
	var b strings.Builder
	for i := 0; b.Len() <= maxStdinValue; i++ {
		fmt.Fprintf(&b, "d%06d.example.org\n", i)
	}
	b.WriteString("last.example.org\n")
	errs := c.fails(b.String(), "set", "policy.domains", "-")
	if !strings.Contains(errs, "policy.domains not stored: stdin holds more than 1024 KiB") {
		t.Errorf("overlong stdin said %q", errs)
	}
	c.assertUnchanged(before, "overlong stdin")
	if out, _ := c.ok("", "get", "policy.domains"); out != "anl.gov\n" {
		t.Errorf("policy.domains is now %.80q", out)
	}
	// Exactly the limit is still read whole.
	at := strings.Repeat("x", maxStdinValue-len("\n")) + "\n"
	if errs := c.fails(at, "set", "project.name", "-"); strings.Contains(errs, "stdin holds more") {
		t.Errorf("a value of exactly 1 MiB was called too long: %q", errs)
	}
}

func TestSetUnknownKeyListsKeys(t *testing.T) {
	c := newVaultCLI(t)
	before := c.snapshot()
	errs := c.fails("", "set", "project.uuid", projectID)
	for _, want := range []string{`unknown key "project.uuid"`, "known keys:", "project.id", "service_api.client_secret", "policy.domains", "groups.<name>.members"} {
		if !strings.Contains(errs, want) {
			t.Errorf("unknown key error lacks %q: %q", want, errs)
		}
	}
	c.assertUnchanged(before, "unknown key")
}

func TestGetUnknownOrUnset(t *testing.T) {
	c := newVaultCLI(t)
	if errs := c.fails("", "get", "nope"); !strings.Contains(errs, `unknown key "nope"`) || !strings.Contains(errs, "project.id") {
		t.Errorf("get nope said %q", errs)
	}
	if errs := c.fails("", "get", "policy.id"); !strings.Contains(errs, "policy.id is not set yet") {
		t.Errorf("get of an unset key said %q", errs)
	}
}

func TestStatusSixSteps(t *testing.T) {
	c := newVaultCLI(t)
	lines := func() []string {
		out, errs := c.ok("", "status")
		if errs != "" {
			t.Errorf("status wrote to stderr: %q", errs)
		}
		l := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(l) != 6 {
			t.Fatalf("status printed %d lines, want 6:\n%s", len(l), out)
		}
		for i, s := range steps.Catalogue() {
			if !strings.HasPrefix(l[i], fmt.Sprintf("%d. %s", i+1, s.Title)) {
				t.Errorf("line %d is %q, want step %q", i+1, l[i], s.Title)
			}
		}
		return l
	}
	for i, l := range lines() {
		if !strings.HasSuffix(l, " pending") {
			t.Errorf("fresh vault, line %d: %q", i+1, l)
		}
	}
	c.ok("", "set", "public_client.client_id", publicID)
	l := lines()
	if !strings.HasSuffix(l[3], " done") {
		t.Errorf("after setting the public client's ID: %q", l[3])
	}
	for _, i := range []int{0, 1, 2, 4, 5} {
		if !strings.HasSuffix(l[i], " pending") {
			t.Errorf("line %d changed: %q", i+1, l[i])
		}
	}
	v, err := vault.Open(c.paths, []byte(vcPass), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := steps.Accept(v, "project", map[string]string{"project.id": projectID, "project.name": "Demo"}); err != nil {
		t.Fatal(err)
	}
	if l := lines(); !strings.HasSuffix(l[0], " done") {
		t.Errorf("after accepting the project step: %q", l[0])
	}
}

// keyLines are the lines of the "Keys" part of status --keys, by key.
func keyLines(t *testing.T, out string) (head string, byKey map[string]string, order []string) {
	t.Helper()
	_, part, ok := strings.Cut(out, "Keys (")
	if !ok {
		t.Fatalf("no Keys part:\n%s", out)
	}
	l := strings.Split(strings.TrimSuffix("Keys ("+part, "\n"), "\n")
	byKey = map[string]string{}
	for _, line := range l[1:] {
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Fatalf("key line %q", line)
		}
		byKey[f[0]] = line
		order = append(order, f[0])
	}
	return l[0], byKey, order
}

func TestStatusKeys(t *testing.T) {
	c := newVCLI(t) // no vault: the keys are listed, none stored
	out, _ := c.ok("", "status", "--keys")
	if !strings.HasPrefix(out, "No vault at "+c.paths.Vault+" yet: nothing is stored.") {
		t.Errorf("no vault:\n%s", out)
	}
	keys := steps.Keys()
	head, byKey, order := keyLines(t, out)
	if head != fmt.Sprintf("Keys (0 of %d stored):", len(keys)) || len(order) != len(keys) {
		t.Fatalf("%q, %d lines for %d keys:\n%s", head, len(order), len(keys), out)
	}
	for i, k := range keys {
		if order[i] != k.Key {
			t.Errorf("line %d is %q, want key %s", i+1, byKey[order[i]], k.Key)
		}
		if l := byKey[k.Key]; strings.HasSuffix(l, "(secret)") != k.Secret || !strings.Contains(l, " not set ") {
			t.Errorf("line %q: secret or stored marker wrong", l)
		}
	}

	// With a vault: the step table first, as status prints it, then every
	// key marked, a stored group of another name included; no value shown.
	c.ok("", "init")
	const secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA=="
	adminsID := "4c3d2e1f-6a5b-4c7d-8e9f-0a1b2c3d4e5f"
	c.ok("", "set", "public_client.client_id", publicID)
	c.ok(secret+"\n", "set", "service_api.client_secret", "-")
	c.ok("", "set", "groups.admins.id", adminsID)
	plain, _ := c.ok("", "status")
	out, _ = c.ok("", "status", "--keys")
	if !strings.HasPrefix(out, plain) {
		t.Errorf("status --keys does not start with status's own table:\n%s\nvs\n%s", out, plain)
	}
	if strings.Contains(out, secret) || strings.Contains(out, publicID) {
		t.Fatalf("a value is shown:\n%s", out)
	}
	head, byKey, order = keyLines(t, out)
	if head != fmt.Sprintf("Keys (3 of %d stored):", len(keys)+2) || len(order) != len(keys)+2 {
		t.Errorf("%q with %d lines:\n%s", head, len(order), out)
	}
	for key, want := range map[string]string{
		"public_client.client_id":   " stored ",
		"service_api.client_secret": " stored ",
		"groups.admins.id":          " stored ",
		"groups.admins.members":     " not set ",
		"project.id":                " not set ",
		"groups.users.id":           " not set ",
	} {
		if !strings.Contains(byKey[key], want) {
			t.Errorf("%s: %q, want %q", key, byKey[key], want)
		}
	}
}

// fakeClipboard is the native clipboard, in memory.
type fakeClipboard struct {
	mu    sync.Mutex
	value string
}

func (f *fakeClipboard) Read() (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.value, nil
}

func (f *fakeClipboard) Write(s string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.value = s
	return nil
}

func (f *fakeClipboard) Available() bool { return true }

func (f *fakeClipboard) get() string {
	v, _ := f.Read()
	return v
}

func useFakeClipboard(t *testing.T) *fakeClipboard {
	t.Helper()
	f := &fakeClipboard{}
	old := clipboard.Native
	clipboard.Native = f
	t.Cleanup(func() { clipboard.Native = old })
	return f
}

// useTTYFile makes the "terminal" a file, so what copy writes to the
// terminal (OSC 52) can be read back.
func (c *vcli) useTTYFile() string {
	// Plain OSC 52, as outside tmux and screen (which wrap it), here and in
	// the helper processes, which inherit the environment.
	c.t.Setenv("TMUX", "")
	c.t.Setenv("TERM", "xterm-256color")
	path := filepath.Join(c.dir, "tty")
	writeFile(c.t, path, "", 0o600)
	c.tty = func() (*os.File, error) { return os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0) }
	return path
}

func TestCopyKeep(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	native := useFakeClipboard(t)
	tty := c.useTTYFile()

	out, errs := c.ok("", "copy", "service_api.client_secret", "--keep")
	noLeak(t, "copy", out, errs)
	if out != "" || errs != "service_api.client_secret copied to the clipboard (terminal and local)\n" {
		t.Errorf("copy said %q / %q", out, errs)
	}
	if native.get() != apiSecret {
		t.Error("the native clipboard does not hold the value")
	}
	seq := readFile(t, tty)
	if !strings.Contains(seq, "\x1b]52;c;"+base64.StdEncoding.EncodeToString([]byte(apiSecret))+"\x07") {
		t.Errorf("no OSC 52 sequence with the value on the terminal: %q", seq)
	}
	if len(c.started) != 0 {
		t.Errorf("--keep started %d clipboard-clear helpers", len(c.started))
	}

	// Nothing set, nothing copied.
	if errs := c.fails("", "copy", "groups.users.members", "--keep"); !strings.Contains(errs, "not set yet") {
		t.Errorf("copy of an unset key said %q", errs)
	}
}

func TestCopyWithoutAnyClipboard(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	old := clipboard.Native
	clipboard.Native = noClipboard{}
	t.Cleanup(func() { clipboard.Native = old })
	errs := c.fails("", "copy", "service_api.client_id")
	if !strings.Contains(errs, "no clipboard available") {
		t.Errorf("copy said %q", errs)
	}
	if len(c.started) != 0 {
		t.Error("a clear was scheduled for a copy that did not happen")
	}
}

type noClipboard struct{}

func (noClipboard) Read() (string, error) { return "", errors.New("none") }
func (noClipboard) Write(string) error    { return errors.New("none") }
func (noClipboard) Available() bool       { return false }

func TestCopySchedulesClear(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	useFakeClipboard(t)
	c.useTTYFile()

	out, errs := c.ok("", "copy", "service_account.client_secret", "--clear-after", "200ms")
	noLeak(t, "copy", out, errs)
	if !strings.HasSuffix(errs, "; it clears in 200ms if unchanged\n") {
		t.Errorf("copy said %q", errs)
	}
	if len(c.started) != 1 {
		t.Fatalf("%d helpers started, want 1", len(c.started))
	}
	child := c.started[0]
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if child.Path != self || strings.Join(child.Args[1:], " ") != "clipboard-clear --after 200ms" {
		t.Errorf("helper is %s %q", child.Path, child.Args)
	}
	// The helper is told the fingerprint, never the value.
	stdin, err := io.ReadAll(child.Stdin)
	if err != nil {
		t.Fatal(err)
	}
	fp := clipboard.Fingerprint(acctSecret)
	if string(stdin) != hex.EncodeToString(fp[:]) {
		t.Errorf("helper's stdin is %q, want the value's fingerprint", stdin)
	}
	noLeak(t, "helper's command line", strings.Join(child.Args, " "), strings.Join(child.Env, " "))
	if child.Stdout == nil {
		t.Error("the helper cannot reach the terminal to clear OSC 52")
	}
}

// TestCopyClearHelperRuns starts the real helper (this test binary, which
// TestMain turns into globus-setup) and waits for it: it must clear the
// terminal's clipboard after the delay.
func TestCopyClearHelperRuns(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	useFakeClipboard(t)
	tty := c.useTTYFile()
	done := make(chan error, 1)
	c.startChild = func(cmd *exec.Cmd) error {
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		detach(cmd)
		if err := cmd.Start(); err != nil {
			return err
		}
		go func() {
			err := cmd.Wait()
			if err != nil {
				err = fmt.Errorf("%w: %s", err, stderr.String())
			}
			done <- err
		}()
		return nil
	}
	c.ok("", "copy", "project.id", "--clear-after", "200ms")
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("clipboard-clear helper: %v", err)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assert
		t.Fatal("the clipboard-clear helper did not finish")
	}
	seq := readFile(t, tty)
	copied := strings.Index(seq, "52;c;"+base64.StdEncoding.EncodeToString([]byte(projectID)))
	cleared := strings.LastIndex(seq, "\x1b]52;c;!\x07")
	if copied < 0 || cleared < copied {
		t.Errorf("terminal did not get the copy then the clear: %q", seq)
	}
}

func TestClipboardClearCommand(t *testing.T) {
	c := newVCLI(t) // the helper needs no vault
	native := useFakeClipboard(t)
	fp := clipboard.Fingerprint(apiSecret)
	fpHex := hex.EncodeToString(fp[:])

	native.value = apiSecret
	out, errs := c.ok(fpHex, "clipboard-clear", "--after", "1ms")
	if native.get() != "" {
		t.Error("the clipboard still holds the copied value")
	}
	if !strings.Contains(out, "52;c;!") || errs != "" {
		t.Errorf("helper wrote %q / %q, want an OSC 52 clear on stdout", out, errs)
	}

	native.value = "copied since by the operator"
	c.ok(fpHex, "clipboard-clear", "--after", "1ms")
	if native.get() != "copied since by the operator" {
		t.Error("the helper cleared a value it did not put there")
	}

	// Stopped (e.g. SIGTERM) before the delay: nothing is cleared.
	native.value = apiSecret
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code, _, errs := c.runCtx(ctx, fpHex, "clipboard-clear", "--after", "1h"); code != 0 || native.get() != apiSecret {
		t.Errorf("cancelled helper: exit %d, %q; clipboard %q", code, errs, native.get())
	}

	if errs := c.fails(apiSecret, "clipboard-clear", "--after", "1ms"); !strings.Contains(errs, "64-hex-digit fingerprint") {
		t.Errorf("helper given a non-fingerprint said %q", errs)
	} else {
		noLeak(t, "helper", errs)
	}
}

func TestExportFormats(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()

	env, errs := c.ok("", "export")
	if errs != "" {
		t.Errorf("export wrote to stderr: %q", errs)
	}
	if env2, _ := c.ok("", "export", "--format", "env"); env2 != env {
		t.Error("--format env differs from the default")
	}
	for _, want := range []string{
		"\nGLOBUS_APPLICATION_ID=\"" + apiID + "\"\n",
		"\nGLOBUS_APPLICATION_SECRET=\"" + apiSecret + "\"\n",
		"\nSERVICE_ACCOUNT_ID=\"" + acctID + "\"\n",
		"\nSERVICE_ACCOUNT_SECRET=\"" + acctSecret + "\"\n",
		"\nGLOBUS_POLICIES=\"\n" + policyID + "\n\"\n",
		"\nAUTHORIZED_IDP_DOMAINS=\"\nanl.gov\nuchicago.edu\n\"\n",
		"\nGLOBUS_GROUPS=\"\n" + groupID + "\n\"\n",
		"\nAUTHORIZED_GROUPS_PER_IDP='{}'\n",
	} {
		if !strings.Contains(env, want) {
			t.Errorf("env export lacks %q:\n%s", want, env)
		}
	}
	if strings.Contains(env, "anl.gov,") {
		t.Errorf("a list is comma-separated:\n%s", env)
	}

	js, _ := c.ok("", "export", "--format", "json")
	var got map[string]any
	if err := json.Unmarshal([]byte(js), &got); err != nil {
		t.Fatalf("json export: %v\n%s", err, js)
	}
	if got["GLOBUS_APPLICATION_ID"] != apiID || got["SERVICE_ACCOUNT_SECRET"] != acctSecret {
		t.Errorf("json export: %v", got)
	}
	if d, _ := json.Marshal(got["AUTHORIZED_IDP_DOMAINS"]); string(d) != `["anl.gov","uchicago.edu"]` {
		t.Errorf("json domains %s", d)
	}

	sh, _ := c.ok("", "export", "--format", "shell")
	for _, want := range []string{"export GLOBUS_APPLICATION_ID='" + apiID + "'\n", "export AUTHORIZED_IDP_DOMAINS='anl.gov uchicago.edu'\n"} {
		if !strings.Contains(sh, want) {
			t.Errorf("shell export lacks %q:\n%s", want, sh)
		}
	}

	if errs := c.fails("", "export", "--format", "yaml"); !strings.Contains(errs, `unknown format "yaml": use env, json, shell, compute or users`) {
		t.Errorf("bad format said %q", errs)
	}
	gw := filepath.Join(c.dir, "gw.env")
	if errs := c.fails("", "export", "--out", gw, "--merge", gw); !strings.Contains(errs, "--out and --merge are alternatives") {
		t.Errorf("--out with --merge said %q", errs)
	}
	if errs := c.fails("", "export", "--format", "json", "--merge", gw); !strings.Contains(errs, "--merge updates a .env file") {
		t.Errorf("--merge with json said %q", errs)
	}
	if _, err := os.Stat(gw); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a refused export wrote a file")
	}
}

func TestExportOut(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	want, _ := c.ok("", "export")
	gw := filepath.Join(c.dir, "deploy", "gateway.env")
	writeFile(t, gw, "OLD=1\n", 0o644)

	out, errs := c.ok("", "export", "--out", gw)
	noLeak(t, "export --out", out, errs)
	if out != "" || errs != "wrote "+gw+" (previous version: "+gw+".bak)\nits mode changed from 0644 to 0600, so that only its owner can read it (a .env holds secrets)\n" {
		t.Errorf("export --out said %q / %q", out, errs)
	}
	if got := readFile(t, gw); got != want {
		t.Errorf("file holds:\n%s\nwant:\n%s", got, want)
	}
	if m := mode(t, gw); m != 0o600 {
		t.Errorf("exported file mode %o, want 600", m)
	}
	backups, _ := filepath.Glob(gw + ".bak*")
	if len(backups) != 1 || readFile(t, gw+".bak") != "OLD=1\n" {
		t.Fatalf("backups %v", backups)
	}
	if m := mode(t, gw+".bak"); m != 0o600 {
		t.Errorf("backup mode %o", m)
	}
	// Again with nothing changed: nothing written, the backup still the
	// state before the last change.
	if _, errs := c.ok("", "export", "--out", gw); errs != gw+" already holds these settings: nothing was written\n" {
		t.Errorf("unchanged export said %q", errs)
	}
	if backups, _ := filepath.Glob(gw + ".bak*"); len(backups) != 1 || readFile(t, gw+".bak") != "OLD=1\n" {
		t.Fatalf("after an unchanged export: backups %v", backups)
	}

	// A new file: no backup mentioned.
	fresh := filepath.Join(c.dir, "deploy", "new.env")
	if _, errs := c.ok("", "export", "--format", "json", "--out", fresh); errs != "wrote "+fresh+"\n" {
		t.Errorf("export to a new file said %q", errs)
	}
	if m := mode(t, fresh); m != 0o600 {
		t.Errorf("new file mode %o", m)
	}
}

// block returns the text from the line starting with start through the end
// of the line starting with end.
func block(t *testing.T, text, start, end string) string {
	t.Helper()
	i := strings.Index(text, start)
	j := strings.Index(text, "\n"+end)
	if i < 0 || j < i {
		t.Fatalf("no block %q..%q in:\n%s", start, end, text)
	}
	k := strings.IndexByte(text[j+1:], '\n')
	if k < 0 {
		return text[i:]
	}
	return text[i : j+1+k+1]
}

func TestExportMerge(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	fixture := readFile(t, filepath.Join("..", "..", "steps", "testdata", "gateway-env.example"))
	gw := filepath.Join(c.dir, ".env")
	writeFile(t, gw, fixture, 0o600)

	out, errs := c.ok("", "export", "--merge", gw)
	noLeak(t, "export --merge", out, errs)
	if out != "" || errs != "updated the gateway's variables in "+gw+" (previous version: "+gw+".bak)\n" {
		t.Errorf("merge said %q / %q", out, errs)
	}
	merged := readFile(t, gw)
	if m := mode(t, gw); m != 0o600 {
		t.Errorf("merged file mode %o", m)
	}

	// The gateway's variables, lists one item per line.
	for _, want := range []string{
		"\nGLOBUS_APPLICATION_ID=\"" + apiID + "\"\n",
		"\nGLOBUS_APPLICATION_SECRET=\"" + apiSecret + "\"\n",
		"\nSERVICE_ACCOUNT_SECRET=\"" + acctSecret + "\"\n",
		"\nGLOBUS_POLICIES=\"\n" + policyID + "\n\"\n",
		"\nAUTHORIZED_IDP_DOMAINS=\"\nanl.gov\nuchicago.edu\n\"\n",
		"\nGLOBUS_GROUPS=\"\n" + groupID + "\n\"\n",
		"\nAUTHORIZED_GROUPS_PER_IDP='{}'\n",
	} {
		if !strings.Contains(merged, want) {
			t.Errorf("merged file lacks %q", want)
		}
	}
	if strings.Contains(merged, "anl.gov,uchicago.edu") || strings.Contains(merged, "<Your-") {
		t.Errorf("placeholders or comma lists left:\n%s", merged)
	}

	// Everything else byte-identical.
	for _, b := range [][2]string{
		{"# --- Postgres Database ---", "PGDATABASE="},
		{"# --- Redis Cache ---", "USE_REDIS_CACHE="},
		{"# --- Core Django Settings ---", "RUNNING_AUTOMATED_TEST_SUITE="},
		{"# --- Globus Groups ---", "#          \""},
	} {
		if got, want := block(t, merged, b[0], b[1]), block(t, fixture, b[0], b[1]); got != want {
			t.Errorf("block %q changed:\n%s\nwant:\n%s", b[0], got, want)
		}
	}
	// The public client's ID, which no gateway variable holds, is added as a
	// comment after the last line (which had no line break).
	if !strings.Contains(merged, "\nINTERNAL_STREAMING_SECRET=\"your-internal-streaming-secret-key\"\n\n# --- Globus settings added by globus-setup ---\n"+
		"# globus-setup: public client ID for users' token helpers: "+publicID+"\n") {
		t.Errorf("the end of the file:\n%s", merged[len(merged)-300:])
	}
	mergedLines := map[string]bool{}
	for _, l := range strings.Split(merged, "\n") {
		mergedLines[l] = true
	}
	for _, l := range strings.Split(fixture, "\n") {
		if name, _, ok := strings.Cut(l, "="); ok && isGatewayVar(name) {
			continue
		}
		if !mergedLines[l] {
			t.Errorf("line %q was lost", l)
		}
	}

	// The backup is the file as it was; no temporary files are left.
	backups, _ := filepath.Glob(gw + ".bak*")
	if len(backups) != 1 || readFile(t, gw+".bak") != fixture {
		t.Fatalf("backups %v", backups)
	}
	entries, _ := os.ReadDir(c.dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}

	// A file that is not there is an error, not a new file.
	missing := filepath.Join(c.dir, "missing.env")
	if errs := c.fails("", "export", "--merge", missing); !strings.Contains(errs, missing) || !strings.Contains(errs, "--out") {
		t.Errorf("merge into a missing file said %q", errs)
	}
}

// The gateway's .env is often a link to the real file: export updates the
// file the link points to and keeps the link, so the gateway sees the change.
func TestExportThroughSymlink(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	want, _ := c.ok("", "export")
	real := filepath.Join(c.dir, "srv", "gateway.env")
	writeFile(t, real, "DJANGO_SECRET=keep\n", 0o600)
	link := filepath.Join(c.dir, ".env")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	realPath, _ := filepath.EvalSymlinks(real)
	for _, args := range [][]string{{"export", "--merge", link}, {"export", "--out", link}} {
		_, errs := c.ok("", args...)
		if !strings.Contains(errs, realPath+" (through the symbolic link "+link+")") || !strings.Contains(errs, "(previous version: "+realPath+".bak)") {
			t.Errorf("%q said %q", args, errs)
		}
		if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%q replaced the link with a file", args)
		}
	}
	if got := readFile(t, link); got != want {
		t.Errorf("the gateway reads:\n%s\nwant:\n%s", got, want)
	}
	if _, err := os.Lstat(link + ".bak"); err == nil {
		t.Error("a backup was written beside the link instead of the file")
	}
}

// Backups from earlier versions (.bak-<time>) are pointed out, not deleted.
func TestExportReportsOldBackups(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	gw := filepath.Join(c.dir, ".env")
	writeFile(t, gw, "OLD=1\n", 0o600)
	old := gw + ".bak-20261101T101010Z"
	writeFile(t, old, "GLOBUS_APPLICATION_SECRET=rotated\n", 0o600)
	_, errs := c.ok("", "export", "--merge", gw)
	if !strings.Contains(errs, "1 older backup(s) by an earlier globus-setup hold old secrets in plaintext: "+old) || !strings.Contains(errs, "rm "+gw+".bak-*") {
		t.Errorf("merge said %q", errs)
	}
	if readFile(t, old) != "GLOBUS_APPLICATION_SECRET=rotated\n" {
		t.Error("an old backup was changed")
	}
}

func isGatewayVar(name string) bool {
	for _, g := range steps.GatewayVariables() {
		if g == name {
			return true
		}
	}
	return false
}

func TestWrongPassphraseChangesNothing(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.name", "Demo")
	before := c.snapshot()
	writeFile(t, c.passFile, "not the passphrase\n", 0o600)
	for _, args := range [][]string{
		{"set", "project.name", "Other"},
		{"get", "project.name"},
		{"status"},
		{"export"},
		{"--force", "set", "project.name", "Other"},
	} {
		errs := c.fails("", args...)
		if !strings.HasPrefix(errs, "globus-setup: wrong passphrase") {
			t.Errorf("%q said %q", args, errs)
		}
	}
	c.assertUnchanged(before, "wrong passphrase")
}

func TestDamagedVault(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.name", "Before")
	data := readFile(t, c.paths.Vault)
	damaged := data[:len(data)/2]
	writeFile(t, c.paths.Vault, damaged, 0o600)
	before := c.snapshot()

	for _, args := range [][]string{{"get", "project.name"}, {"set", "project.name", "After"}} {
		errs := c.fails("", args...)
		for _, want := range []string{c.paths.Vault + " is damaged", "--force"} {
			if !strings.Contains(errs, want) {
				t.Errorf("%q on a damaged vault: no %q in %q", args, want, errs)
			}
		}
	}
	c.assertUnchanged(before, "damaged vault without --force")

	out, errs := c.ok("", "--force", "set", "project.name", "After")
	if out != "" || !strings.Contains(errs, c.paths.Vault+" is damaged; opening anyway, the damaged file is kept aside") {
		t.Errorf("--force said %q / %q", out, errs)
	}
	kept, _ := filepath.Glob(c.paths.Vault + ".damaged-*")
	if len(kept) != 1 || readFile(t, kept[0]) != damaged {
		t.Fatalf("damaged file kept as %v", kept)
	}
	if out, _ := c.ok("", "get", "project.name"); out != "After\n" {
		t.Errorf("after the repair get says %q", out)
	}
}

func TestNoTerminalNoWizard(t *testing.T) {
	c := newVCLI(t)
	for _, args := range [][]string{nil, {"--demo"}} {
		code, out, errs := c.run("", args...)
		if code != 2 || out != "" {
			t.Errorf("%q: exit %d, stdout %q", args, code, out)
		}
		for _, want := range []string{"needs a terminal", "globus-setup status", "globus-setup set KEY", "globus-setup get KEY", "globus-setup export", "--help"} {
			if !strings.Contains(errs, want) {
				t.Errorf("%q: the explanation lacks %q:\n%s", args, want, errs)
			}
		}
	}
	if vault.Exists(c.paths) {
		t.Error("a vault was created")
	}
}

// TestEightProcessesSetAtOnce runs the real binary: eight processes, each
// setting its own key at the same time, must all keep their value.
func TestEightProcessesSetAtOnce(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "globus-setup")
	goTool, err := exec.LookPath("go")
	if err != nil { // go test sets GOROOT for the test binary
		goTool = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	build := exec.Command(goTool, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	passFile := filepath.Join(dir, "pass")
	writeFile(t, passFile, vcPass+"\n", 0o600)
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	env := append(os.Environ(),
		"GLOBUS_SETUP_VAULT="+vaultFile,
		"GLOBUS_SETUP_PASSPHRASE_FILE="+passFile,
		"GLOBUS_SETUP_PASSPHRASE_COMMAND=",
	)
	cmd := func(stdin string, args ...string) *exec.Cmd {
		c := exec.Command(bin, args...)
		c.Env = env
		c.Stdin = strings.NewReader(stdin)
		return c
	}
	// The vault is made at a low work factor: sixteen unlocks at the real
	// one cost most of a minute on two cores, and the lock, not scrypt, is
	// what is under test. The binary opens it at the factor it was made with.
	if _, err := vault.Create(vault.PathsFor(vaultFile), []byte(vcPass), vault.Options{WorkFactor: 10}); err != nil {
		t.Fatal(err)
	}

	values := map[string]string{
		"project.id":                projectID,
		"project.name":              "Eight At Once",
		"project.contact_email":     "ops@anl.gov",
		"service_api.client_secret": apiSecret, // from stdin
		"public_client.client_id":   publicID,
		"policy.domains":            "anl.gov uchicago.edu",
		"policy.assurance_timeout":  "28800",
		"groups.g1.members":         "alice@anl.gov",
	}
	type result struct {
		key      string
		out, err []byte
		runErr   error
	}
	results := make(chan result, len(values))
	startGate := make(chan struct{})
	for key, val := range values {
		c := cmd("", "set", key, val)
		if key == "service_api.client_secret" {
			c = cmd(val+"\n", "set", key, "-")
		}
		var out, errb bytes.Buffer
		c.Stdout, c.Stderr = &out, &errb
		go func() {
			<-startGate
			err := c.Run()
			results <- result{key, out.Bytes(), errb.Bytes(), err}
		}()
	}
	close(startGate)
	for range values {
		r := <-results
		if r.runErr != nil || !strings.HasPrefix(string(r.err), "stored "+r.key+"\n") {
			t.Errorf("set %s: %v\nstdout: %s\nstderr: %s", r.key, r.runErr, r.out, r.err)
		}
		noLeak(t, "set", string(r.out), string(r.err))
	}

	var wg sync.WaitGroup
	for key, want := range values {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := cmd("", "get", key).Output()
			if err != nil || string(out) != want+"\n" {
				t.Errorf("get %s = %q, %v; want %q", key, out, err, want)
			}
		}()
	}
	wg.Wait()
}

// Step 2 is done with its ID, its secret and its action_all scope: status
// says "in progress", naming the scope, until it is stored (issue 23, item 7).
func TestStatusStepTwoNeedsItsScope(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "service_api.client_id", apiID)
	c.seed(map[string]string{"service_api.client_secret": apiSecret}) // set would check the pair: Globus knows neither
	out, _ := c.ok("", "status")
	line := strings.Split(out, "\n")[1]
	if !strings.HasPrefix(line, "2. ") || !strings.HasSuffix(line, " in progress  (missing: service_api.scope_id)") {
		t.Fatalf("step 2 with its ID and secret but no scope: %q", line)
	}
	c.seed(map[string]string{"service_api.scope_id": projectID,
		"service_api.scope_string": "https://auth.globus.org/scopes/" + apiID + "/action_all"})
	out, _ = c.ok("", "status")
	if line := strings.Split(out, "\n")[1]; !strings.HasSuffix(line, " done") {
		t.Fatalf("step 2 with its scope: %q", line)
	}
}

// unset removes a stored value, secrets too, with what was derived from it;
// the step goes back as its done rule says (issue 20).
func TestUnsetClearsAValue(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "service_api.client_id", apiID)
	c.seed(map[string]string{"service_api.client_secret": apiSecret}) // set would check the pair: Globus knows neither
	c.seed(map[string]string{"service_api.scope_id": projectID,
		"service_api.scope_string": "https://auth.globus.org/scopes/" + apiID + "/action_all"})
	_, errs := c.ok("", "unset", "--yes", "service_api.client_secret")
	if !strings.Contains(errs, "removed service_api.client_secret") {
		t.Fatalf("unset said %q", errs)
	}
	if got := c.fails("", "get", "service_api.client_secret"); !strings.Contains(got, "not set") {
		t.Fatalf("the secret is still there: %q", got)
	}
	out, _ := c.ok("", "status")
	if line := strings.Split(out, "\n")[1]; !strings.HasSuffix(line, " in progress  (missing: service_api.client_secret)") {
		t.Fatalf("step 2 after unsetting its secret: %q", line)
	}
	c.ok("", "unset", "service_api.client_id") // the scope goes with it
	if got := c.fails("", "get", "service_api.scope_id"); !strings.Contains(got, "not set") {
		t.Fatalf("the scope of a removed client ID is still stored: %q", got)
	}
	out, _ = c.ok("", "status")
	if line := strings.Split(out, "\n")[1]; !strings.HasSuffix(line, " pending") {
		t.Fatalf("step 2 with nothing stored: %q", line)
	}
	if got := c.fails("", "unset", "nope.key"); !strings.Contains(got, "unknown key") {
		t.Fatalf("unknown key: %q", got)
	}
}

// export --out writes the .env that rotate then updates (issue 20: every
// front-end that writes the .env remembers it).
func TestExportOutIsRememberedForRotate(t *testing.T) {
	c := newVaultCLI(t)
	c.seedAll()
	path := filepath.Join(t.TempDir(), "gateway.env")
	c.ok("", "export", "--out", path)
	v, err := vault.Open(c.paths, []byte(vcPass), vault.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := v.Internal(steps.EnvTargetKey); got != path {
		t.Fatalf("rotate's .env after export --out: %q, want %q", got, path)
	}
}
