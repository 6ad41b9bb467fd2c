package vault

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// testWF keeps scrypt cheap in tests; the default (18) is checked without
// running it (see TestOptionsDefaults and TestCreateRecordsWorkFactor).
const testWF = 10

var testPass = []byte("correct horse battery staple")

func testOpts() Options { return Options{WorkFactor: testWF, LockTimeout: 10 * time.Second} }

// TestMain lets the test binary re-exec itself as a child process (crash and
// multi-writer tests) selected by VAULT_TEST_CHILD.
func TestMain(m *testing.M) {
	if role := os.Getenv(childEnv); role != "" {
		os.Exit(runChild(role))
	}
	os.Exit(m.Run())
}

func newTestPaths(t testing.TB) Paths {
	t.Helper()
	return PathsFor(filepath.Join(t.TempDir(), "globus-setup", "vault.age"))
}

func newTestVault(t testing.TB) (*Vault, Paths) {
	t.Helper()
	p := newTestPaths(t)
	v, err := Create(p, testPass, testOpts())
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	return v, p
}

type fileState struct {
	data  []byte
	mtime time.Time
	mode  os.FileMode
}

// snapshot records every file of the vault folder, to prove nothing changed.
func snapshot(t testing.TB, dir string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = fileState{data, fi.ModTime(), fi.Mode()}
	}
	return out
}

func assertUnchanged(t testing.TB, before, after map[string]fileState) {
	t.Helper()
	if len(before) != len(after) {
		t.Fatalf("folder changed: %v → %v", names(before), names(after))
	}
	for name, b := range before {
		a, ok := after[name]
		switch {
		case !ok:
			t.Errorf("%s disappeared", name)
		case !bytes.Equal(a.data, b.data):
			t.Errorf("%s bytes changed", name)
		case !a.mtime.Equal(b.mtime):
			t.Errorf("%s mtime changed", name)
		case a.mode != b.mode:
			t.Errorf("%s mode changed %v → %v", name, b.mode, a.mode)
		}
	}
}

func names(m map[string]fileState) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

func tempFiles(t testing.TB, p Paths) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(p.Dir, ".*.tmp-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func mustWrite(t testing.TB, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
