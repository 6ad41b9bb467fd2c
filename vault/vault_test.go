package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"
)

func TestOptionsDefaults(t *testing.T) {
	tests := []struct {
		name    string
		in      Options
		wantWF  int
		wantTO  time.Duration
		wantErr bool
	}{
		{"zero is production", Options{}, DefaultWorkFactor, DefaultLockTimeout, false},
		{"test work factor", Options{WorkFactor: 10}, 10, DefaultLockTimeout, false},
		{"max age accepts", Options{WorkFactor: MaxWorkFactor}, MaxWorkFactor, DefaultLockTimeout, false},
		{"above what stock age reads", Options{WorkFactor: MaxWorkFactor + 1}, 0, 0, true},
		{"negative work factor", Options{WorkFactor: -1}, 0, 0, true},
		{"no wait", Options{LockTimeout: -1}, DefaultWorkFactor, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.in.normalized()
			if tt.wantErr {
				if err == nil {
					t.Fatalf("want error, got %+v", got)
				}
				return
			}
			if err != nil || got.WorkFactor != tt.wantWF || got.LockTimeout != tt.wantTO {
				t.Fatalf("got %+v, %v", got, err)
			}
		})
	}
	if DefaultWorkFactor < 18 {
		t.Fatalf("DefaultWorkFactor %d below 18", DefaultWorkFactor)
	}
}

var scryptStanza = regexp.MustCompile(`(?m)^-> scrypt \S+ (\d+)$`)

// TestCreateRecordsWorkFactor: the work factor of Options reaches identity.age
// (so the default 18 does too, by TestOptionsDefaults), without paying 18 here.
func TestCreateRecordsWorkFactor(t *testing.T) {
	for _, wf := range []int{9, 11} {
		p := newTestPaths(t)
		if _, err := Create(p, testPass, Options{WorkFactor: wf}); err != nil {
			t.Fatal(err)
		}
		m := scryptStanza.FindSubmatch(mustRead(t, p.Identity))
		if m == nil || string(m[1]) != fmt.Sprint(wf) {
			t.Fatalf("identity.age stanza %q, want work factor %d", m, wf)
		}
		if _, err := Open(p, testPass, Options{}); err != nil { // default options read it
			t.Fatal(err)
		}
	}
}

func TestCreateOpenRoundTrip(t *testing.T) {
	v, p := newTestVault(t)
	if !Exists(p) {
		t.Fatal("Exists false after Create")
	}
	if d := v.Doc(); d.Version != FormatVersion || len(d.Values) != 0 || d.Steps == nil || d.Internal == nil {
		t.Fatalf("fresh doc %+v", d)
	}
	at := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	steps := []error{
		v.Set("project.id", "6f1c..."),
		v.SetMany(map[string]string{"service_api.client_id": "abc", "service_api.client_secret": "s3cret"}),
		v.SetStep("project", StepRecord{State: "done", UpdatedAt: at, Note: "why"}),
		v.SetStep("service_api", StepRecord{State: "in_progress"}),
		v.SetInternal("token", "tok"),
		v.Set("gone", "x"),
		v.Delete("gone"),
	}
	if err := errors.Join(steps...); err != nil {
		t.Fatal(err)
	}
	w, err := Open(p, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	d := w.Doc()
	want := map[string]string{"project.id": "6f1c...", "service_api.client_id": "abc", "service_api.client_secret": "s3cret"}
	if fmt.Sprint(d.Values) != fmt.Sprint(want) {
		t.Fatalf("values %v", d.Values)
	}
	if r := d.Steps["project"]; r.State != "done" || !r.UpdatedAt.Equal(at) || r.Note != "why" {
		t.Fatalf("step %+v", r)
	}
	if r := d.Steps["service_api"]; r.UpdatedAt.IsZero() {
		t.Fatal("SetStep did not stamp the time")
	}
	if s, ok := w.Internal("token"); !ok || s != "tok" {
		t.Fatal("internal lost")
	}
	if s, ok := w.Get("service_api.client_id"); !ok || s != "abc" {
		t.Fatal("Get")
	}
	if _, ok := w.Get("gone"); ok {
		t.Fatal("Delete did not delete")
	}
	if d.UpdatedAt.IsZero() || d.Version != FormatVersion {
		t.Fatalf("doc header %+v", d)
	}
	if w.Paths() != p {
		t.Fatal("Paths")
	}
	// Doc is a copy.
	d.Values["project.id"] = "mutated"
	if s, _ := w.Get("project.id"); s != "6f1c..." {
		t.Fatal("Doc() shares maps with the vault")
	}
	if err := w.SetInternal("token", ""); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Internal("token"); ok {
		t.Fatal(`SetInternal("") did not delete`)
	}
}

func TestNoOpUpdatesDoNotWrite(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("a", "1"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, p.Dir)
	for name, op := range map[string]func() error{
		"same value":         func() error { return v.Set("a", "1") },
		"delete absent":      func() error { return v.Delete("nope") },
		"clear absent token": func() error { return v.SetInternal("nope", "") },
	} {
		if err := op(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
}

func TestUpdateFnErrorWritesNothing(t *testing.T) {
	v, p := newTestVault(t)
	before := snapshot(t, p.Dir)
	boom := errors.New("boom")
	err := v.Update(func(d *Doc) error {
		d.Values["x"] = "y"
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("got %v", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
	if _, ok := v.Get("x"); ok {
		t.Fatal("aborted change visible")
	}
	// Update hands fn non-nil maps, and survives fn setting them to nil.
	err = v.Update(func(d *Doc) error {
		if d.Values == nil || d.Steps == nil || d.Internal == nil {
			return errors.New("nil map")
		}
		d.Internal = nil
		d.Steps["s"] = StepRecord{State: "done"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.SetInternal("k", "v"); err != nil {
		t.Fatal(err)
	}
}

func TestBadKeys(t *testing.T) {
	v, _ := newTestVault(t)
	for name, err := range map[string]error{
		"Set":         v.Set("", "x"),
		"SetMany":     v.SetMany(map[string]string{"": "x"}),
		"SetStep":     v.SetStep("", StepRecord{}),
		"SetInternal": v.SetInternal("", "x"),
	} {
		if err == nil {
			t.Errorf("%s accepted an empty key", name)
		}
	}
}

func TestUpdateRereadsUnderLock(t *testing.T) {
	v1, p := newTestVault(t)
	v2, err := Open(p, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := v1.Set("a", "1"); err != nil {
		t.Fatal(err)
	}
	if err := v2.Set("b", "2"); err != nil { // v2's cached doc has no "a"
		t.Fatal(err)
	}
	if _, ok := v2.Get("a"); !ok {
		t.Fatal("Update did not refresh the cached document")
	}
	if err := v1.Reload(); err != nil {
		t.Fatal(err)
	}
	if d := v1.Doc(); d.Values["a"] != "1" || d.Values["b"] != "2" {
		t.Fatalf("values %v", d.Values)
	}
}

// Goroutines too (the process test is TestEightProcesses): one shared handle
// and separate handles, different keys, nothing lost.
func TestConcurrentGoroutines(t *testing.T) {
	v, p := newTestVault(t)
	other, err := OpenWithIdentity(p, v.id.String(), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		h := v
		if i%2 == 1 {
			h = other
		}
		wg.Go(func() { errs <- h.Set(fmt.Sprintf("k%d", i), "v") })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	if n := len(v.Doc().Values); n != 16 {
		t.Fatalf("%d values, want 16", n)
	}
}

func TestConcurrentCreate(t *testing.T) {
	p := newTestPaths(t)
	var wg sync.WaitGroup
	results := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			_, err := Create(p, testPass, testOpts())
			results <- err
		})
	}
	wg.Wait()
	close(results)
	ok := 0
	for err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrExists):
			t.Fatalf("unexpected %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d Creates succeeded, want 1", ok)
	}
	if _, err := Open(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
}

func TestCreateRefuses(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		pass  []byte
		want  error
	}{
		{"vault.age exists", []string{"vault.age"}, testPass, ErrExists},
		{"identity.age exists", []string{"identity.age"}, testPass, ErrExists},
		{"both exist", []string{"vault.age", "identity.age"}, testPass, ErrExists},
		{"empty passphrase", nil, nil, ErrEmptyPassphrase},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newTestPaths(t)
			if err := os.MkdirAll(p.Dir, 0o700); err != nil {
				t.Fatal(err)
			}
			for _, f := range tt.files {
				mustWrite(t, filepath.Join(p.Dir, f), []byte("precious"), 0o600)
			}
			before := snapshot(t, p.Dir)
			_, err := Create(p, tt.pass, testOpts())
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			assertUnchanged(t, before, snapshot(t, p.Dir))
		})
	}
}

func TestOpenNotFound(t *testing.T) {
	p := newTestPaths(t)
	if Exists(p) {
		t.Fatal("Exists on nothing")
	}
	for name, open := range map[string]func() error{
		"Open":             func() error { _, err := Open(p, testPass, testOpts()); return err },
		"OpenForce":        func() error { _, err := OpenForce(p, testPass, testOpts()); return err },
		"OpenWithIdentity": func() error { _, err := OpenWithIdentity(p, mustIdentity(t).String(), testOpts()); return err },
		"Unlock":           func() error { _, err := Unlock(p, PassphraseSources{}, testOpts()); return err },
	} {
		if err := open(); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: got %v, want ErrNotFound", name, err)
		}
	}
	if fileExists(p.Dir) {
		t.Fatal("a failed open created the folder")
	}
}

func mustIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWrongPassphrase(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	// Loosen the modes: a failed open must not even tighten them.
	if runtime.GOOS != "windows" {
		for _, f := range []string{p.Vault, p.Identity} {
			if err := os.Chmod(f, 0o640); err != nil {
				t.Fatal(err)
			}
		}
	}
	before := snapshot(t, p.Dir)
	for _, pass := range []string{
		"Correct horse battery staple",
		"correct horse battery stapl",
		string(testPass) + "\n",
		" ",
	} {
		for name, open := range map[string]func([]byte) error{
			"Open":      func(b []byte) error { _, err := Open(p, b, testOpts()); return err },
			"OpenForce": func(b []byte) error { _, err := OpenForce(p, b, testOpts()); return err },
		} {
			err := open([]byte(pass))
			if err != ErrWrongPassphrase { //nolint:errorlint // exactly the sentinel
				t.Errorf("%s(%q): got %v, want exactly ErrWrongPassphrase", name, pass, err)
			}
		}
	}
	if _, err := Open(p, nil, testOpts()); !errors.Is(err, ErrEmptyPassphrase) {
		t.Errorf("empty passphrase: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
	if got := ErrWrongPassphrase.Error(); got != "wrong passphrase: the vault was not changed" {
		t.Errorf("message %q", got)
	}
}

// damage is one way a file gets broken.
type damage struct {
	name   string
	file   string // "vault" or "identity"
	break_ func(t *testing.T, p Paths, v *Vault)
}

func encryptTo(t *testing.T, r age.Recipient, plain string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func damages() []damage {
	rewrite := func(file string, f func([]byte) []byte) func(*testing.T, Paths, *Vault) {
		return func(t *testing.T, p Paths, _ *Vault) {
			path := p.Vault
			if file == "identity" {
				path = p.Identity
			}
			mustWrite(t, path, f(mustRead(t, path)), 0o600)
		}
	}
	flipLast := func(b []byte) []byte { b[len(b)-1] ^= 1; return b }
	flipMAC := func(b []byte) []byte {
		i := bytes.Index(b, []byte("\n--- ")) + 6
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return b
	}
	var out []damage
	for _, file := range []string{"vault", "identity"} {
		out = append(out,
			damage{"truncated to half", file, rewrite(file, func(b []byte) []byte { return b[:len(b)/2] })},
			damage{"truncated by one byte", file, rewrite(file, func(b []byte) []byte { return b[:len(b)-1] })},
			damage{"empty", file, rewrite(file, func([]byte) []byte { return nil })},
			damage{"payload bit flip", file, rewrite(file, flipLast)},
			damage{"header MAC altered", file, rewrite(file, flipMAC)},
			damage{"garbage", file, rewrite(file, func([]byte) []byte { return []byte("\x00\xffs3cret not age at all") })},
			damage{"plaintext in place", file, rewrite(file, func([]byte) []byte { return []byte(`{"version":1,"values":{"k":"s3cret"}}`) })},
			damage{"age header then plaintext", file, rewrite(file, func([]byte) []byte { return []byte("age-encryption.org/v1\n-> s3cret\n") })},
			damage{"trailing junk", file, rewrite(file, func(b []byte) []byte { return append(b, "junk"...) })},
		)
	}
	out = append(out,
		damage{"encrypted to another key", "vault", func(t *testing.T, p Paths, _ *Vault) {
			mustWrite(t, p.Vault, encryptTo(t, mustIdentity(t).Recipient(), `{"version":1}`), 0o600)
		}},
		damage{"decrypts to non-JSON", "vault", func(t *testing.T, p Paths, v *Vault) {
			mustWrite(t, p.Vault, encryptTo(t, v.id.Recipient(), "s3cret-not-json"), 0o600)
		}},
		damage{"JSON without version", "vault", func(t *testing.T, p Paths, v *Vault) {
			mustWrite(t, p.Vault, encryptTo(t, v.id.Recipient(), `{"values":{"a":"s3cret"}}`), 0o600)
		}},
		damage{"JSON of the wrong shape", "vault", func(t *testing.T, p Paths, v *Vault) {
			mustWrite(t, p.Vault, encryptTo(t, v.id.Recipient(), `{"version":1,"values":["s3cret"]}`), 0o600)
		}},
		damage{"identity not passphrase-encrypted", "identity", func(t *testing.T, p Paths, v *Vault) {
			mustWrite(t, p.Identity, encryptTo(t, mustIdentity(t).Recipient(), v.id.String()), 0o600)
		}},
		damage{"identity file holds no key", "identity", func(t *testing.T, p Paths, _ *Vault) {
			r, _ := age.NewScryptRecipient(string(testPass))
			r.SetWorkFactor(testWF)
			mustWrite(t, p.Identity, encryptTo(t, r, "# nothing here\n"), 0o600)
		}},
		damage{"identity missing", "identity", func(t *testing.T, p Paths, _ *Vault) {
			if err := os.Remove(p.Identity); err != nil {
				t.Fatal(err)
			}
		}},
	)
	return out
}

func TestCorruptFiles(t *testing.T) {
	for _, dm := range damages() {
		t.Run(dm.file+"/"+dm.name, func(t *testing.T) {
			v, p := newTestVault(t)
			if err := v.Set("k", "s3cret"); err != nil {
				t.Fatal(err)
			}
			dm.break_(t, p, v)
			wantFile := p.Vault
			if dm.file == "identity" {
				wantFile = p.Identity
			}
			before := snapshot(t, p.Dir)

			_, err := Open(p, testPass, testOpts())
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open: got %v, want *CorruptError", err)
			}
			if ce.File != wantFile {
				t.Fatalf("CorruptError.File %q, want %q", ce.File, wantFile)
			}
			msg := err.Error()
			if !strings.Contains(msg, wantFile) || !strings.Contains(msg, "--force") || !strings.Contains(msg, "backup") {
				t.Fatalf("message does not say which file and what to do: %s", msg)
			}
			if strings.Contains(msg, "s3cret") || strings.Contains(msg, string(testPass)) {
				t.Fatalf("secret in error: %s", msg)
			}
			// A vault unlocked before the damage must not overwrite it either.
			if dm.file == "vault" {
				if err := v.Set("k2", "v2"); !errors.As(err, &ce) {
					t.Fatalf("Update over a damaged file: %v", err)
				}
				if err := v.Reload(); !errors.As(err, &ce) {
					t.Fatalf("Reload of a damaged file: %v", err)
				}
			} else if err := v.Set("k2", "v2"); err == nil {
				t.Fatal("Update went on with identity.age damaged")
			}
			assertUnchanged(t, before, snapshot(t, p.Dir))

			// Repair.
			damaged := map[string][]byte{}
			for name, st := range before {
				damaged[name] = st.data
			}
			r, err := OpenForce(p, testPass, testOpts())
			if err != nil {
				t.Fatalf("OpenForce: %v", err)
			}
			if n := len(r.Doc().Values); n != 0 {
				t.Fatalf("repaired vault has %d values", n)
			}
			for _, f := range []string{"vault.age", "identity.age"} {
				moved, _ := filepath.Glob(filepath.Join(p.Dir, f+".damaged-*"))
				keep := f == filepath.Base(wantFile) || dm.file == "identity"
				if _, existed := damaged[f]; !existed {
					keep = false
				}
				if keep != (len(moved) == 1) {
					t.Fatalf("%s kept aside: %v (want %v)", f, moved, keep)
				}
				if keep {
					if !regexp.MustCompile(`\.damaged-\d{8}T\d{6}Z$`).MatchString(moved[0]) {
						t.Fatalf("kept-aside name %s", moved[0])
					}
					if !bytes.Equal(mustRead(t, moved[0]), damaged[f]) {
						t.Fatalf("%s kept aside is not the damaged bytes", f)
					}
				}
			}
			if err := r.Set("fresh", "1"); err != nil {
				t.Fatal(err)
			}
			again, err := Open(p, testPass, testOpts())
			if err != nil {
				t.Fatalf("open after repair: %v", err)
			}
			if s, _ := again.Get("fresh"); s != "1" {
				t.Fatal("value after repair lost")
			}
		})
	}
}

func TestOpenForceOnHealthyVaultChangesNothing(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, p.Dir)
	w, err := OpenForce(p, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Get("k"); s != "v" {
		t.Fatal("OpenForce lost data of a healthy vault")
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
}

func TestNewerFormat(t *testing.T) {
	for _, doc := range []string{
		`{"version":2,"values":{"a":"b"},"steps":{}}`,
		`{"version":7,"values":[{"key":"a"}],"steps":"renamed"}`,
	} {
		v, p := newTestVault(t)
		mustWrite(t, p.Vault, encryptTo(t, v.id.Recipient(), doc), 0o600)
		before := snapshot(t, p.Dir)
		for name, op := range map[string]func() error{
			"Open":      func() error { _, err := Open(p, testPass, testOpts()); return err },
			"OpenForce": func() error { _, err := OpenForce(p, testPass, testOpts()); return err },
			"Update":    func() error { return v.Set("x", "y") },
		} {
			err := op()
			var ce *CorruptError
			if !errors.Is(err, ErrNewerFormat) || errors.As(err, &ce) {
				t.Fatalf("%s: got %v, want ErrNewerFormat and not corrupt", name, err)
			}
			if !strings.Contains(err.Error(), "written by a newer globus-setup") {
				t.Fatalf("%s: message %q", name, err)
			}
		}
		assertUnchanged(t, before, snapshot(t, p.Dir))
	}
}

func TestOpenWithIdentity(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	w, err := OpenWithIdentity(p, v.id.String()+"\n", testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := w.Get("k"); s != "v" {
		t.Fatal("value")
	}
	if err := w.Set("k2", "v2"); err != nil {
		t.Fatal(err)
	}
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	if s, _ := v.Get("k2"); s != "v2" {
		t.Fatal("save through the identity not readable with the passphrase")
	}
	for name, id := range map[string]string{
		"other key":  mustIdentity(t).String(),
		"not a key":  "AGE-SECRET-KEY-1NOPE",
		"empty":      "",
		"two keys":   mustIdentity(t).String() + "\n" + mustIdentity(t).String(),
		"public key": v.id.Recipient().String(),
	} {
		_, err := OpenWithIdentity(p, id, testOpts())
		if !errors.Is(err, ErrWrongIdentity) {
			t.Errorf("%s: got %v, want ErrWrongIdentity", name, err)
		} else if strings.Contains(err.Error(), "AGE-SECRET-KEY-1") {
			t.Errorf("%s: key material in error %q", name, err)
		}
	}
	// vault.age gone: the identity cannot be checked, so it is not trusted.
	if err := os.Remove(p.Vault); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWithIdentity(p, v.id.String(), testOpts()); !errors.Is(err, ErrWrongIdentity) {
		t.Fatalf("missing vault.age: %v", err)
	}
	if err := w.Set("k3", "x"); !errors.Is(err, ErrWrongIdentity) {
		t.Fatalf("save through identity with vault.age missing: %v", err)
	}
}

// A Create cut short after identity.age: the vault opens empty and saves.
func TestIdentityAloneOpensEmpty(t *testing.T) {
	_, p := newTestVault(t)
	if err := os.Remove(p.Vault); err != nil {
		t.Fatal(err)
	}
	if !Exists(p) {
		t.Fatal("Exists false with identity.age present")
	}
	v, err := Open(p, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(p, testPass, testOpts()); !errors.Is(err, ErrExists) {
		t.Fatalf("Create over identity.age: %v", err)
	}
}

func TestRecreatedUnderneath(t *testing.T) {
	v, p := newTestVault(t)
	for _, f := range []string{p.Vault, p.Identity} {
		if err := os.Remove(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := Create(p, []byte("another passphrase"), testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Set("theirs", "1"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, p.Dir)
	if err := v.Set("mine", "1"); !errors.Is(err, ErrChanged) {
		t.Fatalf("got %v, want ErrChanged", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
}

func TestStaleTempFiles(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{".vault.age.tmp-123", ".identity.age.tmp-9", ".vault.age.tmp-"} {
		mustWrite(t, filepath.Join(p.Dir, name), []byte("half-written"), 0o600)
	}
	w, err := Open(p, testPass, testOpts())
	if err != nil {
		t.Fatalf("stale temp broke Open: %v", err)
	}
	if s, _ := w.Get("k"); s != "v" {
		t.Fatal("value")
	}
	if err := w.Set("k2", "v2"); err != nil {
		t.Fatal(err)
	}
	if left := tempFiles(t, p); len(left) != 0 {
		t.Fatalf("left: %v", left)
	}
}

func TestPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Log("POSIX modes do not apply on Windows; checked elsewhere")
		return
	}
	v, p := newTestVault(t)
	mode := func(path string) os.FileMode {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Mode().Perm()
	}
	if err := v.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		if m := mode(p.Dir); m != 0o700 {
			t.Errorf("%s: folder %v", when, m)
		}
		for _, f := range []string{p.Vault, p.Identity, p.Lock} {
			if m := mode(f); m != 0o600 {
				t.Errorf("%s: %s %v", when, filepath.Base(f), m)
			}
		}
	}
	check("after create")
	for _, f := range []string{p.Dir, p.Vault, p.Identity, p.Lock} {
		if err := os.Chmod(f, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	check("after open tightened")
	// A folder that is not only ours is the operator's: left alone.
	if err := os.Chmod(p.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, filepath.Join(p.Dir, "notes.txt"), nil, 0o644)
	if _, err := Open(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	if m := mode(p.Dir); m != 0o755 {
		t.Errorf("shared folder changed to %v", m)
	}
}

func TestPathsFor(t *testing.T) {
	p := PathsFor(filepath.Join("some", "where", "my.age"))
	if !filepath.IsAbs(p.Vault) || filepath.Base(p.Vault) != "my.age" {
		t.Fatalf("vault %q", p.Vault)
	}
	if p.Identity != filepath.Join(p.Dir, "identity.age") || p.Lock != filepath.Join(p.Dir, "vault.lock") || filepath.Dir(p.Vault) != p.Dir {
		t.Fatalf("%+v", p)
	}
}

func TestDefaultVaultFile(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "x", "vault.age")
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"GLOBUS_SETUP_VAULT wins", map[string]string{"GLOBUS_SETUP_VAULT": abs, "XDG_CONFIG_HOME": "/cfg"}, abs},
	}
	if runtime.GOOS == "linux" {
		tests = append(tests,
			struct {
				name string
				env  map[string]string
				want string
			}{"XDG_CONFIG_HOME", map[string]string{"XDG_CONFIG_HOME": "/cfg", "HOME": "/home/u"}, "/cfg/globus-setup/vault.age"},
			struct {
				name string
				env  map[string]string
				want string
			}{"HOME/.config", map[string]string{"HOME": "/home/u"}, "/home/u/.config/globus-setup/vault.age"},
			struct {
				name string
				env  map[string]string
				want string
			}{"relative XDG ignored", map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "/home/u"}, "/home/u/.config/globus-setup/vault.age"},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultVaultFile(env(tt.env))
			if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
	got, err := DefaultVaultFile(nil)
	if err != nil || filepath.Base(got) != "vault.age" {
		t.Fatalf("os.Getenv default: %q %v", got, err)
	}
}

// TestStockAgeCanDecrypt reads the vault the way `age -d -i identity.age
// vault.age` does, with the age library only: the passphrase decrypts
// identity.age (scrypt), whose text is an identities file, which decrypts
// vault.age into the JSON document.
func TestStockAgeCanDecrypt(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.SetMany(map[string]string{"project.id": "p-1", "service_api.client_secret": "s3cret"}); err != nil {
		t.Fatal(err)
	}
	si, err := age.NewScryptIdentity(string(testPass))
	if err != nil {
		t.Fatal(err)
	}
	idReader, err := age.Decrypt(bytes.NewReader(mustRead(t, p.Identity)), si)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := age.ParseIdentities(idReader)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := age.Decrypt(bytes.NewReader(mustRead(t, p.Vault)), ids...)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.NewDecoder(plain).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	values, _ := doc["values"].(map[string]any)
	if doc["version"] != float64(FormatVersion) || values["project.id"] != "p-1" || values["service_api.client_secret"] != "s3cret" {
		t.Fatalf("document %v", doc)
	}
	for _, k := range []string{"version", "values", "steps", "updated_at"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("JSON has no %q", k)
		}
	}
}

// Secrets never on disk in plaintext, never in errors.
func TestNoPlaintextAnywhere(t *testing.T) {
	const secret = "sup3r-s3cret-value"
	v, p := newTestVault(t)
	if err := v.SetMany(map[string]string{"service_api.client_secret": secret}); err != nil {
		t.Fatal(err)
	}
	if err := v.SetInternal("refresh_token", secret+"-token"); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenForce(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	idText := v.id.String()
	for name, st := range snapshot(t, p.Dir) {
		for _, s := range []string{secret, string(testPass), idText, "AGE-SECRET-KEY"} {
			if bytes.Contains(st.data, []byte(s)) {
				t.Errorf("%s holds %q in plaintext", name, s[:6])
			}
		}
	}
	// Errors from every failure path.
	var errs []error
	_, err := Open(p, []byte("wrong "+secret), testOpts())
	errs = append(errs, err)
	mustWrite(t, p.Vault, encryptTo(t, v.id.Recipient(), "{"+secret), 0o600)
	_, err = Open(p, testPass, testOpts())
	errs = append(errs, err, v.Set("k", secret))
	_, err = OpenWithIdentity(p, "AGE-SECRET-KEY-1"+secret, testOpts())
	errs = append(errs, err)
	for _, err := range errs {
		if err == nil {
			t.Fatal("expected an error")
		}
		if msg := err.Error(); strings.Contains(msg, secret) || strings.Contains(msg, string(testPass)) {
			t.Errorf("secret in error: %s", msg)
		}
	}
}

func TestLockBusy(t *testing.T) {
	v, p := newTestVault(t)
	holder := flock.New(p.Lock)
	if ok, err := holder.TryLock(); !ok || err != nil {
		t.Fatal("could not take the lock", err)
	}
	before := snapshot(t, p.Dir)
	for _, timeout := range []time.Duration{-1, 30 * time.Millisecond} {
		w, err := Open(p, testPass, Options{WorkFactor: testWF, LockTimeout: timeout})
		if err != nil {
			t.Fatal(err) // reading needs no lock
		}
		err = w.Set("k", "v")
		if !errors.Is(err, ErrBusy) || !strings.HasPrefix(err.Error(), "vault busy") {
			t.Fatalf("timeout %v: got %v, want ErrBusy", timeout, err)
		}
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
	// A writer waits for the lock and then succeeds.
	done := make(chan error, 1)
	go func() { done <- v.Set("waited", "yes") }()
	time.Sleep(50 * time.Millisecond)
	if err := holder.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, _ := v.Get("waited"); s != "yes" {
		t.Fatal("value")
	}
}

func TestCorruptErrorMessages(t *testing.T) {
	for _, tt := range []struct {
		file string
		want []string
	}{
		{"/x/vault.age", []string{"/x/vault.age", "truncated", "--force", "vault.age.damaged-"}},
		{"/x/identity.age", []string{"/x/identity.age", "truncated", "--force", "cannot be read without it"}},
	} {
		msg := (&CorruptError{File: tt.file, Reason: "truncated"}).Error()
		for _, w := range tt.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%q lacks %q", msg, w)
			}
		}
	}
}
