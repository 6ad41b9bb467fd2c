//go:build unix

package steps

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/vault"
)

// A named pipe or folder where the .env should be is refused before it is
// opened for reading (which would block) or replaced.
func TestWriteRefusesNonRegularTarget(t *testing.T) {
	for _, kind := range []string{"fifo", "folder", "link to fifo"} {
		for _, merge := range []bool{false, true} {
			dir := t.TempDir()
			path := filepath.Join(dir, ".env")
			special := path
			if kind == "link to fifo" {
				special = filepath.Join(dir, "pipe")
				if err := os.Symlink("pipe", path); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			if kind == "folder" {
				err = os.Mkdir(special, 0o700)
			} else {
				err = syscall.Mkfifo(special, 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() {
				if merge {
					_, err := MergeEnvFile(path, vault.Doc{})
					done <- err
				} else {
					_, err := WriteFileAtomic(path, []byte("A=1\n"), 0o600)
					done <- err
				}
			}()
			select {
			case err = <-done:
			case <-time.After(20 * time.Second): // liveness guard only
				for err == nil {
					if w, werr := os.OpenFile(special, os.O_WRONLY|syscall.O_NONBLOCK, 0); werr == nil {
						w.Close()
					}
					select {
					case <-done:
						t.Fatalf("%s (merge %v): blocked on the pipe", kind, merge)
					case <-time.After(100 * time.Millisecond):
					}
				}
			}
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("%s (merge %v): %v", kind, merge, err)
			}
			if fi, lerr := os.Lstat(special); lerr != nil || fi.Mode().IsRegular() {
				t.Errorf("%s was replaced", special)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != map[bool]int{true: 2, false: 1}[kind == "link to fifo"] {
				t.Errorf("%s (merge %v): files written: %v", kind, merge, entries)
			}
		}
	}
}

// A named pipe at apply.lock is refused at once, not waited on forever.
func TestApplyLockRefusesFIFO(t *testing.T) {
	v := newVault(t)
	path := filepath.Join(v.Paths().Dir, "apply.lock")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		release, err := lockApply(v)
		if release != nil {
			release()
		}
		done <- err
	}()
	var err error
	select {
	case err = <-done:
	case <-time.After(20 * time.Second): // liveness guard only
		for {
			if w, werr := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); werr == nil {
				w.Close()
			}
			select {
			case <-done:
				t.Fatal("blocked on the pipe at apply.lock")
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	if err == nil || !strings.Contains(err.Error(), path+" is a named pipe (FIFO), not a regular file") || !strings.Contains(err.Error(), "rm "+path) {
		t.Fatalf("err = %v", err)
	}
}
