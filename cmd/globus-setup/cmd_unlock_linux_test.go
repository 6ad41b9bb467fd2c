//go:build linux

package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/globus-setup/globus-setup/vault"
)

// Environment of the test binary when it stands in for globus-setup:
// the kernel-keyring namespace its sittings use, and whether to block the
// keyring syscalls first, as Docker's default seccomp profile does.
const (
	childSittingsNS = "GLOBUS_SETUP_TEST_SITTINGS_NS"
	childNoKeyctl   = "GLOBUS_SETUP_TEST_NO_KEYCTL"
)

func init() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	if os.Getenv(childNoKeyctl) == "1" {
		if err := blockKeyctl(); err != nil {
			fmt.Fprintln(os.Stderr, "test child: blocking keyctl:", err)
			os.Exit(99)
		}
	}
	ns := os.Getenv(childSittingsNS)
	if ns == "" {
		ns = "globus-setup-test-child:"
	}
	childSittings = vault.NewSittingStore(ns)
}

// blockKeyctl makes add_key, request_key and keyctl fail with EPERM in this
// process and its children, for every thread (seccomp, with TSYNC).
func blockKeyctl() error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return err
	}
	const (
		ld   = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret  = unix.BPF_RET | unix.BPF_K
		deny = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	)
	prog := []unix.SockFilter{
		{Code: ld, K: 0}, // seccomp_data.nr
		{Code: jeq, Jt: 3, K: unix.SYS_KEYCTL},
		{Code: jeq, Jt: 2, K: unix.SYS_ADD_KEY},
		{Code: jeq, Jt: 1, K: unix.SYS_REQUEST_KEY},
		{Code: ret, K: unix.SECCOMP_RET_ALLOW},
		{Code: ret, K: deny},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	if errno != 0 {
		return errno
	}
	return nil
}

// testSittingStore is the real kernel keyring under a namespace of this
// test's own, or where this process cannot reach it the memory store, once
// the kernel's error is asserted to be the clear one `unlock` shows.
func testSittingStore(t testing.TB) (vault.SittingStore, string) {
	t.Helper()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	ns := fmt.Sprintf("globus-setup-test-%d-%s:", os.Getpid(), hex.EncodeToString(b))
	store := vault.NewSittingStore(ns)
	if err := store.Check(); err != nil {
		if !errors.Is(err, vault.ErrSittingUnavailable) || !strings.Contains(err.Error(), "kernel keyring is not available") {
			t.Fatalf("the kernel keyring fails without the clear error: %v", err)
		}
		t.Logf("no kernel keyring here, the memory store instead: %v", err)
		return vault.NewMemorySittingStore(), ""
	}
	t.Cleanup(func() { _, _ = vault.EndAllSittings(vault.Options{Sittings: store}) })
	return store, ns
}

// The real binary, one process per command, as a script runs them.
func TestSittingAcrossProcesses(t *testing.T) {
	w := newOpsWorld(t)
	_, ns := testSittingStore(t)
	if ns == "" {
		// No kernel keyring here: the real unlock must say so.
		_, errs, st := w.runChild("unlock")
		if st.ExitCode() != 1 || !strings.Contains(errs, "the kernel keyring is not available") {
			t.Fatalf("unlock without a keyring: %d %s", st.ExitCode(), errs)
		}
		return
	}
	w.env[childSittingsNS] = ns
	if out, errs, st := w.runChild("unlock", "--for", "2m"); st.ExitCode() != 0 || !strings.Contains(out, "the kernel keyring") {
		t.Fatalf("unlock: %d %s %s", st.ExitCode(), out, errs)
	}
	pf := w.env[passFileVar]
	delete(w.env, passFileVar)
	for range 2 {
		if out, errs, st := w.runChild("get", "service_api.client_id"); st.ExitCode() != 0 || out != w.apiID+"\n" {
			t.Fatalf("get in the sitting: %d %q %s", st.ExitCode(), out, errs)
		}
	}
	if out, _, st := w.runChild("lock"); st.ExitCode() != 0 || !strings.Contains(out, "Locked") {
		t.Fatalf("lock: %s", out)
	}
	if _, errs, st := w.runChild("get", "service_api.client_id"); st.ExitCode() != 1 || !strings.Contains(errs, "no terminal to ask for the passphrase") {
		t.Fatalf("get after lock: %d %s", st.ExitCode(), errs)
	}
	w.env[passFileVar] = pf
}

// Where the keyring syscalls are blocked (a container), unlock fails
// clearly before asking anything, and every other command works as before.
func TestSittingWhereTheKeyringIsBlocked(t *testing.T) {
	w := newOpsWorld(t)
	w.env[childNoKeyctl] = "1"
	_, errs, st := w.runChild("unlock")
	if st.ExitCode() != 1 || !strings.Contains(errs, "no sitting can be kept here: the kernel keyring is not available to this process (keyctl: operation not permitted)") || !strings.Contains(errs, "Nothing was kept: each command unlocks as before") {
		t.Fatalf("unlock: %d %s", st.ExitCode(), errs)
	}
	if out, errs, st := w.runChild("get", "service_api.client_id"); st.ExitCode() != 0 || out != w.apiID+"\n" {
		t.Fatalf("get: %d %q %s", st.ExitCode(), out, errs)
	}
	if out, errs, st := w.runChild("status"); st.ExitCode() != 0 || strings.Contains(out, "Sitting") || errs != "" {
		t.Fatalf("status: %d %s %s", st.ExitCode(), out, errs)
	}
	if out, _, st := w.runChild("lock"); st.ExitCode() != 0 || !strings.Contains(out, "Nothing to lock: no sitting can be kept here") {
		t.Fatalf("lock: %d %s", st.ExitCode(), out)
	}
	if _, errs, st := w.runChild("exec", "--", "true"); st.ExitCode() != 0 || errs != "" {
		t.Fatalf("exec: %d %s", st.ExitCode(), errs)
	}
}
