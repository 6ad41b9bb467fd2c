//go:build linux

package steps

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// The real thing: a file bind-mounted on its own, as Docker mounts a
// single-file volume. Needs a private mount namespace (root or user
// namespaces); the rename onto it then fails with EBUSY.
func TestWriteIntoSingleFileBindMount(t *testing.T) {
	dir := t.TempDir()
	src, path := filepath.Join(dir, "host.env"), filepath.Join(dir, ".env")
	mustWriteFile(t, src, "A=old\n", 0o600)
	mustWriteFile(t, path, "", 0o600)
	type result struct {
		w            FileWrite
		err, skip    error
		got, gotHost string
	}
	done := make(chan result, 1)
	go func() {
		// This thread alone enters a new mount namespace; it is never
		// unlocked, so it ends with the goroutine and the mount with it.
		runtime.LockOSThread()
		if err := syscall.Unshare(syscall.CLONE_NEWNS); err != nil {
			done <- result{skip: err}
			return
		}
		if err := syscall.Mount("", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
			done <- result{skip: err}
			return
		}
		if err := syscall.Mount(src, path, "", syscall.MS_BIND, ""); err != nil {
			done <- result{skip: err}
			return
		}
		w, err := WriteFileAtomic(path, []byte("A=new\n"), 0o600)
		got, _ := os.ReadFile(path)
		host, _ := os.ReadFile(src)
		done <- result{w: w, err: err, got: string(got), gotHost: string(host)}
	}()
	r := <-done
	if r.skip != nil {
		t.Skipf("no private mount namespace here: %v", r.skip)
	}
	if r.err != nil {
		t.Fatal(r.err)
	}
	if r.got != "A=new\n" || r.gotHost != "A=new\n" {
		t.Errorf("through the mount %q, on the host %q", r.got, r.gotHost)
	}
	if !strings.Contains(r.w.InPlace, "device or resource busy") {
		t.Errorf("InPlace %q", r.w.InPlace)
	}
}
