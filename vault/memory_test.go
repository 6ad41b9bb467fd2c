package vault

import (
	"path/filepath"
	"runtime"
	"testing"
)

// After unlocking, scrypt's working memory is handed back: the process does
// not keep 128·r·N bytes (64 MiB at work factor 16) resident.
func TestUnlockFreesScryptMemory(t *testing.T) {
	p := PathsFor(filepath.Join(t.TempDir(), "vault.age"))
	o := Options{WorkFactor: 16}
	if _, err := Create(p, []byte("a long passphrase"), o); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p, []byte("the wrong passphrase"), o); err == nil {
		t.Fatal("the wrong passphrase opened the vault")
	}
	if _, err := Open(p, []byte("a long passphrase"), o); err != nil {
		t.Fatal(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	if held := ms.HeapSys - ms.HeapReleased; held > 32<<20 {
		t.Fatalf("the heap keeps %d MiB from the Go runtime after unlocking (scrypt's 64 MiB not handed back)", held>>20)
	}
}
