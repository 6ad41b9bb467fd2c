package steps

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWriteFileAtomicKeepsEveryBackup(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, []byte("ORIGINAL=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Three writes within one second must leave three distinct backups,
	// the first of them holding the original.
	var backups []string
	for _, content := range []string{"A=1\n", "B=1\n", "C=1\n"} {
		b, err := WriteFileAtomic(path, []byte(content), 0o600)
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, b)
	}
	seen := map[string]bool{}
	for _, b := range backups {
		if b == "" || seen[b] {
			t.Fatalf("backups %v are not distinct", backups)
		}
		seen[b] = true
	}
	first, err := os.ReadFile(backups[0])
	if err != nil || string(first) != "ORIGINAL=1\n" {
		t.Fatalf("first backup holds %q (%v), want the original", first, err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "C=1\n" {
		t.Fatalf("file holds %q", got)
	}
	for _, name := range append([]string{path}, backups...) {
		fi, err := os.Stat(name)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v, %v", name, fi.Mode(), err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp-*"))
	if len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}
