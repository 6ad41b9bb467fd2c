package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteReplacesWithModeAndStages(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stages []Stage
	if err := Write(path, []byte("new content"), Options{Perm: 0o640, Stage: func(s Stage) { stages = append(stages, s) }}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new content" {
		t.Errorf("file holds %q", got)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", fi.Mode())
	}
	want := []Stage{StageTempCreated, StageTempPartial, StageTempWritten, StageTempSynced, StageTempClosed, StageRenamed, StageDirSynced}
	if !slices.Equal(stages, want) {
		t.Errorf("stages %v", stages)
	}
	// A zero Perm is 0600.
	if err := Write(path, []byte("x"), Options{}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", fi.Mode())
	}
}

func TestWriteFailingRenameLeavesTheOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	refused := errors.New("refused")
	err := Write(path, []byte("new"), Options{Rename: func(string, string) error { return refused }})
	if !errors.Is(err, refused) {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Errorf("file holds %q", got)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// Root gives the new file the old one's owner; what only root may do is
// not an error for anyone else (the file stays the writer's).
func TestWriteKeepsTheOwner(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 4242, 4243); err != nil {
		t.Skipf("changing the owner needs root: %v", err)
	}
	fi, _ := os.Stat(path)
	owner, ok := OwnerOf(fi)
	if !ok || owner != (Owner{4242, 4243}) {
		t.Fatalf("OwnerOf = %v %v", owner, ok)
	}
	if err := Write(path, []byte("new"), Options{Owner: &owner}); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	if got, _ := OwnerOf(fi); got != owner {
		t.Errorf("owner %v, want %v", got, owner)
	}
	if err := Write(path, []byte("newer"), Options{}); err != nil {
		t.Fatal(err)
	}
	fi, _ = os.Stat(path)
	if got, _ := OwnerOf(fi); got.UID != os.Geteuid() {
		t.Errorf("without Owner the file is %v's, want the writer's", got)
	}
}
