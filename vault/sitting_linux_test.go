//go:build linux

package vault

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// kernelTestStore is the real kernel keyring under a namespace of this test
// run's own (so ending every sitting ends only ours), or nil where this
// process cannot reach it: then the error must be the clear one the
// commands show, and the tests run on the memory store alone.
func kernelTestStore(t testing.TB) SittingStore {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	store := NewSittingStore(fmt.Sprintf("globus-setup-test-%d-%s:", os.Getpid(), hex.EncodeToString(b)))
	err := store.Check()
	if err != nil {
		if !errors.Is(err, ErrSittingUnavailable) || !strings.Contains(err.Error(), "kernel keyring is not available") {
			t.Fatalf("the kernel keyring fails without the clear error: %v", err)
		}
		t.Logf("no kernel keyring here, the memory store only: %v", err)
		return nil
	}
	t.Cleanup(func() { _, _ = EndAllSittings(Options{Sittings: store}) })
	return store
}

func TestKernelSittingKey(t *testing.T) {
	store := kernelTestStore(t)
	if store == nil {
		return // asserted and logged by kernelTestStore
	}
	ks := store.(kernelSittings)
	if err := store.Put("sitting-probe", []byte("payload"), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	id, err := ks.find("sitting-probe")
	if err != nil {
		t.Fatal(err)
	}
	desc, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
	if err != nil {
		t.Fatal(err)
	}
	// user;uid;gid;perm;description: group and others get nothing.
	parts := strings.SplitN(desc, ";", 5)
	if len(parts) != 5 || parts[3] != "3f0b0000" || parts[1] != fmt.Sprint(os.Getuid()) {
		t.Fatalf("key described as %q, want perm 3f0b0000 owned by uid %d", desc, os.Getuid())
	}
	// The kernel holds its own timeout: /proc/keys shows it, not "perm".
	line := procKeysLine(t, id)
	if f := strings.Fields(line); len(f) < 4 || f[3] == "perm" || !strings.HasSuffix(f[3], "s") && !strings.HasSuffix(f[3], "m") {
		t.Fatalf("no kernel timeout on the key: %q", line)
	}
	// Putting again replaces it: one key of that name.
	if err := store.Put("sitting-probe", []byte("second"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := store.Get("sitting-probe"); err != nil || string(got) != "second" {
		t.Fatalf("after replace: %q %v", got, err)
	}
	if _, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id); err == nil {
		t.Error("the replaced key is still there")
	}
	// Nothing is left in this process's own keyring.
	if _, err := unix.KeyctlSearch(unix.KEY_SPEC_PROCESS_KEYRING, "user", ks.ns+"sitting-probe", 0); err == nil {
		t.Error("the key is still linked from the process keyring")
	}
}

func procKeysLine(t *testing.T, id int) string {
	t.Helper()
	data, err := os.ReadFile("/proc/keys")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, fmt.Sprintf("%08x ", id)) {
			return l
		}
	}
	t.Fatalf("key %08x not in /proc/keys", id)
	return ""
}

// The kernel's timeout, not only the tool's check, ends the key: read
// straight from the store, past the payload's own end.
func TestKernelSittingTimesOut(t *testing.T) {
	store := kernelTestStore(t)
	if store == nil {
		return
	}
	if err := store.Put("sitting-short", []byte("x"), time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := store.Get("sitting-short"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if _, err := store.Get("sitting-short"); !errors.Is(err, ErrNoSitting) {
		t.Fatalf("after its timeout: %v", err)
	}
}

const sittingChildEnv = "VAULT_TEST_SITTING_CHILD"

// A child reads one entry of the kernel store, after joining a fresh
// session keyring (as a container or `keyctl new_session` does) when told.
func init() {
	role := os.Getenv(sittingChildEnv)
	if role == "" {
		return
	}
	ns, name, _ := strings.Cut(os.Getenv("VAULT_TEST_SITTING_NAME"), "|")
	if role == "new-session" {
		if _, err := unix.KeyctlJoinSessionKeyring("globus-setup-test-fresh"); err != nil {
			fmt.Println("error: join:", err)
			os.Exit(0)
		}
	}
	data, err := NewSittingStore(ns).Get(name)
	if err != nil {
		fmt.Println("error:", err)
	} else {
		fmt.Printf("read %q\n", data)
	}
	os.Exit(0)
}

func readInChild(t *testing.T, role string, store kernelSittings, name string, cred *syscall.Credential) string {
	t.Helper()
	bin := os.Args[0]
	if cred != nil {
		bin = binaryFor(t)
	}
	c := exec.Command(bin, "-test.run=^$")
	c.Env = append(os.Environ(), sittingChildEnv+"="+role, "VAULT_TEST_SITTING_NAME="+store.ns+"|"+name)
	if cred != nil {
		c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	out, err := c.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v %s", err, out)
	}
	return strings.TrimSpace(string(out))
}

// binaryFor copies the test binary where another user may run it (go
// test's build folder is the builder's own).
func binaryFor(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sitting-child-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "vault.test")
	mustWrite(t, bin, mustRead(t, os.Args[0]), 0o755)
	return bin
}

// Who can read a sitting: any process of this user, whatever its session
// keyring (the README says so); not another user.
func TestKernelSittingReaders(t *testing.T) {
	store := kernelTestStore(t)
	if store == nil {
		return
	}
	ks := store.(kernelSittings)
	if err := store.Put("sitting-readers", []byte("the key"), time.Minute); err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"same-session", "new-session"} {
		if got := readInChild(t, role, ks, "sitting-readers", nil); got != `read "the key"` {
			t.Errorf("%s: %s", role, got)
		}
	}
	if os.Geteuid() != 0 {
		t.Log("not root: another user's child is not tried (it needs setuid)")
		return
	}
	got := readInChild(t, "same-session", ks, "sitting-readers", &syscall.Credential{Uid: 65534, Gid: 65534})
	if !strings.Contains(got, ErrNoSitting.Error()) {
		t.Errorf("another user: %s", got)
	}
}

func TestKernelErrorsSayWhatToDo(t *testing.T) {
	for _, errno := range []error{unix.EPERM, unix.ENOSYS, unix.EACCES} {
		err := kernelError("add_key", errno)
		if !errors.Is(err, ErrSittingUnavailable) || !strings.Contains(err.Error(), "containers usually block it") {
			t.Errorf("%v: %v", errno, err)
		}
	}
	if err := kernelError("add_key", unix.EDQUOT); errors.Is(err, ErrSittingUnavailable) || !strings.Contains(err.Error(), "/proc/key-users") {
		t.Errorf("EDQUOT: %v", err)
	}
}

func TestKernelNamespacesAreApart(t *testing.T) {
	one, two := kernelTestStore(t), kernelTestStore(t)
	if one == nil {
		return
	}
	if err := two.Put(sittingPrefix+"other", []byte("x"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := EndAllSittings(Options{Sittings: one}); err != nil {
		t.Fatal(err)
	}
	if _, err := two.Get(sittingPrefix + "other"); err != nil {
		t.Fatalf("ending one namespace ended another's: %v", err)
	}
}
