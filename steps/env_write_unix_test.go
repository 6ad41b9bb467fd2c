//go:build unix

package steps

import (
	"os"
	"path/filepath"
	"strconv"
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

// Another user's file with other links is rewritten in place by root,
// keeping its owner (as a rename does), but refused to an ordinary user,
// whose write would hand the secrets to someone new: nothing changes, and
// the error says what to do.
func TestWriteInPlaceIntoAnotherUsersFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "A=old\n", 0o640)
	if err := os.Link(path, filepath.Join(dir, "other")); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 4242, 4243); err != nil {
		t.Skipf("changing the owner needs root: %v", err)
	}
	defer func(f func() int) { geteuid = f }(geteuid)
	geteuid = func() int { return 4241 } // an ordinary user
	_, err := WriteFileAtomic(path, []byte("A=new\n"), 0o600)
	if err == nil || !strings.Contains(err.Error(), "belongs to another user (uid 4242)") || !strings.Contains(err.Error(), "nothing was changed") {
		t.Fatalf("err = %v", err)
	}
	if got := mustReadFile(t, path); got != "A=old\n" {
		t.Errorf("file holds %q", got)
	}
	assertMode(t, path, 0o640)
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // no backup either
		t.Errorf("files: %v", entries)
	}

	geteuid = os.Geteuid // root, as the tests run here
	w, err := WriteFileAtomic(path, []byte("A=new\n"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if got := mustReadFile(t, filepath.Join(dir, "other")); got != "A=new\n" || w.InPlace == "" {
		t.Errorf("the other link holds %q (%+v)", got, w)
	}
	assertOwner(t, path, 4242, 4243)
	assertOwner(t, path+".bak", 4242, 4243)
	assertMode(t, path, 0o600)
	if w.ModeWas != 0o640 || w.OwnerKept != "uid 4242" {
		t.Errorf("write %+v", w)
	}
}

func assertOwner(t *testing.T, path string, uid, gid int) {
	t.Helper()
	st := mustStat(t, path).Sys().(*syscall.Stat_t)
	if int(st.Uid) != uid || int(st.Gid) != gid {
		t.Errorf("%s is owned by %d:%d, want %d:%d", path, st.Uid, st.Gid, uid, gid)
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

// A merge run as root into the gateway's own .env leaves it the gateway's,
// mode 0600, and says both; the backup is the gateway's too. (Before, the
// renamed file was root's and the gateway could no longer read it.)
func TestMergeAsRootKeepsTheOwner(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "SECRET_KEY=\"x\"\nGLOBUS_APPLICATION_SECRET=\"old-secret-value\"\n", 0o644)
	if err := os.Chown(path, 4242, 4243); err != nil {
		t.Skipf("changing the owner needs root: %v", err)
	}
	if os.Geteuid() != 0 {
		t.Skip("the merge must run as root")
	}
	w, err := mergeEnvFile(path, fullDoc(), EnvOptions{NoSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	assertOwner(t, path, 4242, 4243)
	assertOwner(t, path+".bak", 4242, 4243)
	assertMode(t, path, 0o600)
	if w.InPlace != "" || w.ModeWas != 0o644 || w.Mode != 0o600 || w.OwnerKept != "uid 4242" || w.OwnerWas != "" {
		t.Errorf("write %+v", w)
	}
	text := strings.Join(w.Lines("updated the gateway's variables in"), "\n")
	for _, want := range []string{
		"its mode changed from 0644 to 0600",
		"it is still owned by uid 4242, as before",
		"without GLOBUS_APPLICATION_SECRET or SERVICE_ACCOUNT_SECRET: start the gateway with `globus-setup exec -- COMMAND`",
		path + ".bak, the previous version, still holds them in plaintext",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("lines lack %q:\n%s", want, text)
		}
	}
	// Merged again: nothing changes, nothing more to say about the owner.
	w, err = mergeEnvFile(path, fullDoc(), EnvOptions{NoSecrets: true})
	if err != nil || !w.Unchanged || w.ModeWas != 0 {
		t.Errorf("again: %+v %v", w, err)
	}
}

// Where the owner could not be kept (an ordinary user writing another's
// file), the change is said, with what it means.
func TestOwnerChangeIsSaid(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	mustWriteFile(t, path, "A=1\n", 0o600)
	if err := os.Chown(path, 4242, 4242); err != nil {
		t.Skipf("changing the owner needs root: %v", err)
	}
	before := mustStat(t, path)
	if err := os.Chown(path, os.Geteuid(), os.Getegid()); err != nil { // as a rename by its writer leaves it
		t.Fatal(err)
	}
	w := FileWrite{Path: path, Target: path}
	w.noteChanges(before)
	if w.OwnerWas != "uid 4242" || !strings.Contains(w.OwnerNow, "uid "+strconv.Itoa(os.Geteuid())) {
		t.Fatalf("%+v", w)
	}
	if l := strings.Join(w.Lines("wrote"), "\n"); !strings.Contains(l, "its owner changed from uid 4242 to ") || !strings.Contains(l, "may no longer read it") {
		t.Errorf("lines:\n%s", l)
	}
}
