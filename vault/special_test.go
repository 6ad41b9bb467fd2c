//go:build unix

package vault

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// returnsOrRelease runs f; if it has not returned after a generous while (it
// is stuck opening or reading the named pipe fifo), it opens the pipe's other
// end until f finishes, and fails the test. A liveness guard, not a timing
// assertion: a fixed build returns at once.
func returnsOrRelease(t *testing.T, fifo string, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
	}
	// Stuck: keep opening the other end (f may read the pipe more than once).
	for {
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
		select {
		case <-done:
			t.Fatalf("blocked on the named pipe %s", fifo)
			return nil
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func TestNonRegularVaultFilesRefused(t *testing.T) {
	opens := map[string]func(p Paths) error{
		"Open": func(p Paths) error { _, err := Open(p, testPass, testOpts()); return err },
		// --force must not "repair" a pipe away either.
		"OpenForce": func(p Paths) error { _, err := OpenForce(p, testPass, testOpts()); return err },
		"Unlock": func(p Paths) error {
			pf := filepath.Join(filepath.Dir(p.Dir), "pass")
			mustWrite(t, pf, append(testPass, '\n'), 0o600)
			_, err := Unlock(p, PassphraseSources{File: pf}, testOpts())
			return err
		},
	}
	for _, file := range []string{"vault.age", IdentityFileName} {
		for _, kind := range []string{"fifo", "folder"} {
			for name, open := range opens {
				t.Run(file+"/"+kind+"/"+name, func(t *testing.T) {
					_, p := newTestVault(t)
					target := filepath.Join(p.Dir, file)
					if err := os.Remove(target); err != nil {
						t.Fatal(err)
					}
					var err error
					if kind == "fifo" {
						err = syscall.Mkfifo(target, 0o600)
					} else {
						err = os.Mkdir(target, 0o700)
					}
					if err != nil {
						t.Fatal(err)
					}
					before, _ := os.ReadDir(p.Dir)
					err = returnsOrRelease(t, target, func() error { return open(p) })
					var nr *NotRegularError
					if !errors.As(err, &nr) || nr.Path != target {
						t.Fatalf("err = %v, want a NotRegularError for %s", err, target)
					}
					want := map[string]string{"fifo": "a named pipe", "folder": "a folder"}[kind]
					if msg := err.Error(); !strings.Contains(msg, target+" is "+want) || !strings.Contains(msg, "move it away") {
						t.Errorf("message %q", msg)
					}
					after, _ := os.ReadDir(p.Dir)
					if len(after) != len(before) {
						t.Errorf("folder changed: %d entries → %d", len(before), len(after))
					}
					fi, err := os.Lstat(target)
					if err != nil || fi.Mode().IsRegular() {
						t.Errorf("%s was replaced or set aside: %v %v", target, fi, err)
					}
				})
			}
		}
	}
}

func TestOpenWithIdentityRefusesFIFO(t *testing.T) {
	v, p := newTestVault(t)
	if err := os.Remove(p.Vault); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(p.Vault, 0o600); err != nil {
		t.Fatal(err)
	}
	err := returnsOrRelease(t, p.Vault, func() error {
		_, err := OpenWithIdentity(p, v.id.String(), testOpts())
		return err
	})
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Fatalf("err = %v", err)
	}
	// An unlocked vault whose file became a pipe: a save refuses, no hang.
	if err := returnsOrRelease(t, p.Vault, func() error { return v.Set("k", "v") }); !errors.As(err, &nr) {
		t.Fatalf("Set: %v", err)
	}
}

func TestFolderWarning(t *testing.T) {
	_, p := newTestVault(t)
	if err := os.Chmod(p.Dir, 0o777); err != nil {
		t.Fatal(err)
	}
	// Only vault files: globus-setup's own folder, tightened on open, no warning.
	if msg := FolderWarning(p); msg != "" {
		t.Errorf("dedicated folder: %q", msg)
	}
	mustWrite(t, filepath.Join(p.Dir, "notes"), []byte("x"), 0o600)
	if msg := FolderWarning(p); !strings.Contains(msg, p.Dir+" can be written by other users (mode 0777)") {
		t.Errorf("shared folder: %q", msg)
	}
	if err := os.Chmod(p.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if msg := FolderWarning(p); msg != "" {
		t.Errorf("0755 folder: %q", msg)
	}
}

// A named pipe or folder at vault.lock (or any lock file) is refused without
// blocking: opening a pipe for reading would wait for a writer forever.
func TestNonRegularLockRefused(t *testing.T) {
	for _, kind := range []string{"fifo", "folder"} {
		t.Run(kind, func(t *testing.T) {
			v, p := newTestVault(t)
			if err := os.Remove(p.Lock); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
			var err error
			if kind == "fifo" {
				err = syscall.Mkfifo(p.Lock, 0o600)
			} else {
				err = os.Mkdir(p.Lock, 0o700)
			}
			if err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(p.Vault)
			err = returnsOrRelease(t, p.Lock, func() error { return v.Set("k", "v") })
			var nr *NotRegularError
			if !errors.As(err, &nr) || nr.Path != p.Lock {
				t.Fatalf("Set: err = %v, want a NotRegularError for %s", err, p.Lock)
			}
			if !strings.Contains(err.Error(), "lock") {
				t.Errorf("message does not say it is the lock: %q", err)
			}
			if after, _ := os.ReadFile(p.Vault); string(after) != string(before) {
				t.Error("vault.age changed")
			}
			if fi, err := os.Lstat(p.Lock); err != nil || fi.Mode().IsRegular() {
				t.Errorf("%s was replaced: %v %v", p.Lock, fi, err)
			}
			// The exported helper others use for their locks (apply.lock).
			err = returnsOrRelease(t, p.Lock, func() error {
				_, _, err := LockFile(p.Lock, -1)
				return err
			})
			if !errors.As(err, &nr) {
				t.Fatalf("LockFile: %v", err)
			}
		})
	}
}

// A lock file swapped for a pipe after the check but before the open is
// still caught: the open does not block and the opened file is checked.
func TestLockOpensWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "x.lock")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	err := returnsOrRelease(t, fifo, func() error {
		release, _, err := lockOpened(fifo, -1)
		if release != nil {
			release()
		}
		return err
	})
	var nr *NotRegularError
	if !errors.As(err, &nr) {
		t.Fatalf("err = %v", err)
	}
}
