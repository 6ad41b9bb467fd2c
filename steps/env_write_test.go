package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/vault"
)

func mustWriteFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func mustReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode() != want {
		t.Errorf("%s: mode %v (%v), want %v", path, fi.Mode(), err, want)
	}
}

// Every change keeps the previous content in one .bak, replacing the one
// before: rotated secrets do not pile up on disk.
func TestWriteFileAtomicKeepsOneBackup(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "ORIGINAL=1\n", 0o644)
	prev := "ORIGINAL=1\n"
	for _, content := range []string{"A=1\n", "B=1\n", "C=1\n"} {
		w, err := WriteFileAtomic(path, []byte(content), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if w.Backup != path+".bak" || w.Unchanged || w.Target != path {
			t.Fatalf("write of %q: %+v", content, w)
		}
		if got := mustReadFile(t, w.Backup); got != prev {
			t.Fatalf("backup holds %q, want the previous %q", got, prev)
		}
		if got := mustReadFile(t, path); got != content {
			t.Fatalf("file holds %q", got)
		}
		prev = content
	}
	assertMode(t, path, 0o600)
	assertMode(t, path+".bak", 0o600)
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("folder holds %v, want .env and .env.bak only", entries)
	}
}

// Writing what is already there writes nothing, backup included.
func TestWriteFileAtomicUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "A=1\n", 0o600)
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	w, err := WriteFileAtomic(path, []byte("A=1\n"), 0o600)
	if err != nil || !w.Unchanged || w.Backup != "" {
		t.Fatalf("%+v, %v", w, err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("the unchanged file was rewritten")
	}
	if _, err := os.Lstat(path + ".bak"); !os.IsNotExist(err) {
		t.Errorf("a backup was written for no change: %v", err)
	}
	if l := w.Lines("wrote"); l[0] != path+" already holds these settings: nothing was written" {
		t.Errorf("lines %q", l)
	}
	// The same for a merge that changes nothing.
	doc := vault.Doc{Values: map[string]string{"service_api.client_id": "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c"}}
	if _, err := MergeEnvFile(path, doc); err != nil {
		t.Fatal(err)
	}
	if w, err := MergeEnvFile(path, doc); err != nil || !w.Unchanged || w.Backup != "" {
		t.Fatalf("second merge: %+v, %v", w, err)
	}
	if got := mustReadFile(t, path+".bak"); got != "A=1\n" {
		t.Errorf("backup holds %q, want the state before the first merge", got)
	}
}

// A .env that is a symbolic link (the gateway's real file elsewhere) is
// updated through the link, which stays a link.
func TestWriteThroughSymlink(t *testing.T) {
	doc := vault.Doc{Values: map[string]string{"service_api.client_id": "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c"}}
	for _, tc := range []struct {
		name     string
		relative bool
		merge    bool
	}{{"absolute/out", false, false}, {"relative/out", true, false}, {"absolute/merge", false, true}, {"relative/merge", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.MkdirAll(filepath.Join(root, "srv", "gateway"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Join(root, "deploy"), 0o700); err != nil {
				t.Fatal(err)
			}
			real := filepath.Join(root, "srv", "gateway", ".env")
			mustWriteFile(t, real, "KEEP=1\n", 0o600)
			dest := real
			if tc.relative {
				dest = filepath.Join("..", "srv", "gateway", ".env")
			}
			link := filepath.Join(root, "deploy", ".env")
			if err := os.Symlink(dest, link); err != nil {
				t.Fatal(err)
			}
			var w FileWrite
			var err error
			if tc.merge {
				w, err = MergeEnvFile(link, doc)
			} else {
				w, err = WriteFileAtomic(link, []byte("NEW=1\n"), 0o600)
			}
			if err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
				t.Fatalf("the link was replaced: %v %v", fi, err)
			}
			got := mustReadFile(t, link)
			if !strings.Contains(got, "NEW=1") && !strings.Contains(got, "GLOBUS_APPLICATION_ID=") {
				t.Fatalf("reading through the link gives %q", got)
			}
			if tc.merge && !strings.Contains(got, "KEEP=1") {
				t.Errorf("merge lost a line: %q", got)
			}
			wantTarget, _ := filepath.EvalSymlinks(real)
			if w.Target != wantTarget || w.Backup != wantTarget+".bak" || mustReadFile(t, w.Backup) != "KEEP=1\n" {
				t.Errorf("%+v", w)
			}
			if l := w.Lines("wrote")[0]; !strings.Contains(l, wantTarget+" (through the symbolic link "+link+")") {
				t.Errorf("says %q", l)
			}
			if left, _ := os.ReadDir(filepath.Join(root, "deploy")); len(left) != 1 {
				t.Errorf("files left beside the link: %v", left)
			}
		})
	}
}

// A link made ahead of its file: --out creates the file, keeps the link.
func TestWriteThroughDanglingSymlink(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "real.env")
	link := filepath.Join(root, "link.env")
	if err := os.Symlink("real.env", link); err != nil {
		t.Fatal(err)
	}
	w, err := WriteFileAtomic(link, []byte("NEW=1\n"), 0o600)
	if err != nil || w.Backup != "" {
		t.Fatalf("%+v, %v", w, err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced: %v", err)
	}
	if mustReadFile(t, real) != "NEW=1\n" {
		t.Error("the link's target was not written")
	}
	// A loop is an error naming the fix, not a hang.
	loop := filepath.Join(root, "loop.env")
	if err := os.Symlink("loop.env", loop); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteFileAtomic(loop, []byte("X=1\n"), 0o600); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("link loop: %v", err)
	}
}

// Backups written by earlier versions are reported, never deleted.
func TestOldTimestampedBackupsReported(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	mustWriteFile(t, path, "A=1\n", 0o600)
	old := []string{path + ".bak-20261101T101010Z", path + ".bak-20261101T101010Z-2"}
	for _, o := range old {
		mustWriteFile(t, o, "SECRET=old\n", 0o600)
	}
	mustWriteFile(t, path+".bak-notes", "mine\n", 0o600) // not ours
	for _, content := range []string{"B=1\n", "B=1\n"} {
		w, err := WriteFileAtomic(path, []byte(content), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(w.OldBackups, " ") != strings.Join(old, " ") {
			t.Errorf("old backups %v", w.OldBackups)
		}
		lines := w.Lines("wrote")
		if len(lines) != 2 || !strings.Contains(lines[1], "2 older backup(s)") || !strings.Contains(lines[1], old[0]) || !strings.Contains(lines[1], "plaintext") {
			t.Errorf("lines %q", lines)
		}
	}
	for _, o := range append(old, path+".bak-notes") {
		if _, err := os.Stat(o); err != nil {
			t.Errorf("%s was removed", o)
		}
	}
}
