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

// A .env with another hard link is rewritten in place: a rename would leave
// the other name holding the old settings (and old secrets) while the
// operator is told it was written.
func TestWriteKeepsHardLinksInStep(t *testing.T) {
	for _, merge := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, ".env")
		other := filepath.Join(dir, "gateway.env")
		mustWriteFile(t, path, "GLOBUS_CLIENT_SECRET=old\n", 0o644)
		if err := os.Link(path, other); err != nil {
			t.Fatal(err)
		}
		var w FileWrite
		var err error
		if merge {
			w, err = MergeEnvFile(path, docWith(map[string]string{"service_api.client_secret": "new-secret"}))
		} else {
			w, err = WriteFileAtomic(path, []byte("GLOBUS_CLIENT_SECRET=new-secret\n"), 0o600)
		}
		if err != nil {
			t.Fatalf("merge %v: %v", merge, err)
		}
		got, gotOther := mustReadFile(t, path), mustReadFile(t, other)
		if !strings.Contains(got, "new-secret") || gotOther != got {
			t.Errorf("merge %v: %s holds %q, its other link %s holds %q", merge, path, got, other, gotOther)
		}
		if a, b := mustStat(t, path), mustStat(t, other); !os.SameFile(a, b) {
			t.Errorf("merge %v: the two names are no longer one file", merge)
		}
		assertMode(t, path, 0o600)
		if w.Backup == "" || mustReadFile(t, w.Backup) != "GLOBUS_CLIENT_SECRET=old\n" {
			t.Errorf("merge %v: backup %q", merge, w.Backup)
		}
		lines := strings.Join(w.Lines("wrote"), "\n")
		if w.InPlace != "it has 2 hard links" || !strings.Contains(lines, "rewritten in place rather than replaced, as it has 2 hard links") {
			t.Errorf("merge %v: InPlace %q, lines %q", merge, w.InPlace, lines)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 3 { // .env, gateway.env, .env.bak
			t.Errorf("merge %v: files left: %v", merge, entries)
		}
	}
}

// Another user's file is not rewritten in place: they could read the
// secrets. Nothing changes, and the error says what to do.
func TestWriteInPlaceRefusesAnotherUsersFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "A=old\n", 0o600)
	if err := os.Link(path, filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 4242, 4242); err != nil {
		t.Skipf("changing the owner needs root: %v", err)
	}
	_, err := WriteFileAtomic(path, []byte("A=new\n"), 0o600)
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 4242)") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if got := mustReadFile(t, path); got != "A=old\n" {
		t.Errorf("file holds %q", got)
	}
	assertMode(t, path, 0o600)
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // no backup either
		t.Errorf("files: %v", entries)
	}
}

// A rename refused as onto a mount point (EBUSY, EXDEV) falls back to an
// in-place write; any other rename failure is an error, nothing faked.
func TestWriteFallsBackWhenRenameRefused(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.EBUSY, syscall.EXDEV, syscall.EACCES} {
		dir := t.TempDir()
		path := filepath.Join(dir, ".env")
		mustWriteFile(t, path, "A=old\n", 0o644)
		before := mustStat(t, path)
		renameFile = func(from, to string) error {
			if to == path {
				return &os.LinkError{Op: "rename", Old: from, New: to, Err: errno}
			}
			return os.Rename(from, to)
		}
		w, err := WriteFileAtomic(path, []byte("A=new\n"), 0o600)
		renameFile = os.Rename
		got := mustReadFile(t, path)
		if errno == syscall.EACCES {
			if err == nil || got != "A=old\n" || w.InPlace != "" {
				t.Errorf("%v: err %v, file %q, %+v", errno, err, got, w)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", errno, err)
		}
		if got != "A=new\n" || !os.SameFile(before, mustStat(t, path)) {
			t.Errorf("%v: file holds %q (same inode: %v)", errno, got, os.SameFile(before, mustStat(t, path)))
		}
		assertMode(t, path, 0o600)
		if !strings.Contains(w.InPlace, "cannot be replaced by a rename ("+errno.Error()) {
			t.Errorf("%v: InPlace %q", errno, w.InPlace)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 2 { // .env and .env.bak: no temp file left
			t.Errorf("%v: files left: %v", errno, entries)
		}
	}
}

func mustStat(t *testing.T, path string) os.FileInfo {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi
}
