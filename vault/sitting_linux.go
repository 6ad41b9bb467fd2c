//go:build linux

package vault

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// kernelSittings keeps sittings as "user" keys in the caller's user keyring
// (keyrings(7), keyctl(2)): kernel memory, never swapped or written out,
// gone at reboot, and refused by the kernel itself once the key's timeout
// (KEYCTL_SET_TIMEOUT) passes. 99designs/keyring's keyctl backend has no
// timeout, hence these few syscalls of our own.
type kernelSittings struct{ ns string }

func newOSSittingStore(ns string) SittingStore { return kernelSittings{ns} }

// sittingKeyPerm: the possessor may do everything; the user (this uid,
// whatever its session keyring: a container's or `keyctl new_session`
// reaches the user keyring too, and may link it) view, read and search it;
// group and others nothing. KEY_POS_* << 24 | KEY_USR_* << 16.
const sittingKeyPerm = 0x3f<<24 | 0x0b<<16

func (kernelSittings) Where() string { return "the kernel keyring" }

func (kernelSittings) Check() error {
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, true); err != nil {
		return kernelError("keyctl", err)
	}
	return nil
}

func (k kernelSittings) Put(name string, data []byte, ttl time.Duration) error {
	secs := int((ttl + time.Second - 1) / time.Second)
	desc := k.ns + name
	// Made in this process's own keyring, given its timeout and
	// permissions, and only then linked into the user keyring: a crash on
	// the way leaves no key without a timeout (the process keyring goes
	// with the process). One OS thread throughout: credentials, and so
	// the process keyring a thread sees, are per thread in Linux.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	id, err := unix.AddKey("user", desc, data, unix.KEY_SPEC_PROCESS_KEYRING)
	if err != nil {
		return kernelError("add_key", err)
	}
	defer func() { _, _ = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_PROCESS_KEYRING, 0, 0) }()
	fail := func(op string, err error) error {
		_, _ = unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
		return kernelError(op, err)
	}
	if _, err := unix.KeyctlInt(unix.KEYCTL_SET_TIMEOUT, id, secs, 0, 0); err != nil {
		return fail("keyctl set_timeout", err)
	}
	if err := unix.KeyctlSetperm(id, sittingKeyPerm); err != nil {
		return fail("keyctl setperm", err)
	}
	old, oldErr := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", desc, 0)
	// Linking displaces a key of the same description from the keyring.
	if _, err := unix.KeyctlInt(unix.KEYCTL_LINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0); err != nil {
		return fail("keyctl link", err)
	}
	if oldErr == nil && old != id {
		invalidateKey(old)
	}
	return nil
}

func (k kernelSittings) find(name string) (int, error) {
	id, err := unix.KeyctlSearch(unix.KEY_SPEC_USER_KEYRING, "user", k.ns+name, 0)
	if noKey(err) {
		return 0, ErrNoSitting
	}
	if err != nil {
		return 0, kernelError("keyctl search", err)
	}
	return id, nil
}

func (k kernelSittings) Get(name string) ([]byte, error) {
	id, err := k.find(name)
	if err != nil {
		return nil, err
	}
	data, err := readKey(id)
	if noKey(err) {
		return nil, ErrNoSitting
	}
	if err != nil {
		return nil, kernelError("keyctl read", err)
	}
	return data, nil
}

func (k kernelSittings) Remove(name string) (bool, error) {
	id, err := k.find(name)
	if errors.Is(err, ErrNoSitting) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := invalidateKey(id); err != nil && !noKey(err) {
		return false, kernelError("keyctl invalidate", err)
	}
	return true, nil
}

func (k kernelSittings) Names() ([]string, error) {
	ring, err := readKey(unix.KEY_SPEC_USER_KEYRING)
	if err != nil {
		return nil, kernelError("keyctl read", err)
	}
	defer clear(ring)
	var names []string
	for i := 0; i+4 <= len(ring); i += 4 {
		id := int(int32(binary.NativeEndian.Uint32(ring[i:])))
		// "type;uid;gid;perm;description"
		d, err := unix.KeyctlString(unix.KEYCTL_DESCRIBE, id)
		if err != nil {
			continue // expired, or not ours to see
		}
		parts := strings.SplitN(d, ";", 5)
		if len(parts) == 5 && parts[0] == "user" && strings.HasPrefix(parts[4], k.ns) {
			names = append(names, strings.TrimPrefix(parts[4], k.ns))
		}
	}
	return names, nil
}

// invalidateKey removes a key at once from every keyring (Linux 3.5+),
// else unlinks it from the user keyring.
func invalidateKey(id int) error {
	_, err := unix.KeyctlInt(unix.KEYCTL_INVALIDATE, id, 0, 0, 0)
	if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EINVAL) {
		_, err = unix.KeyctlInt(unix.KEYCTL_UNLINK, id, unix.KEY_SPEC_USER_KEYRING, 0, 0)
	}
	return err
}

// readKey reads a key's payload (or a keyring's list of key IDs).
func readKey(id int) ([]byte, error) {
	var buf []byte
	for {
		n, err := unix.KeyctlBuffer(unix.KEYCTL_READ, id, buf, 0)
		if err != nil {
			clear(buf)
			return nil, err
		}
		if n <= len(buf) {
			return buf[:n], nil
		}
		clear(buf)
		buf = make([]byte, n)
	}
}

// noKey: no such key, or one the kernel has expired or revoked.
func noKey(err error) bool {
	return errors.Is(err, unix.ENOKEY) || errors.Is(err, unix.EKEYEXPIRED) || errors.Is(err, unix.EKEYREVOKED)
}

// kernelError says what a failed keyctl means for the operator.
func kernelError(op string, err error) error {
	switch {
	case errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		return fmt.Errorf("%w: the kernel keyring is not available to this process (%s: %v); containers usually block it (Docker's default seccomp profile does)", ErrSittingUnavailable, op, err)
	case errors.Is(err, unix.EDQUOT):
		return fmt.Errorf("the kernel keyring quota of this user is full (%s: %v): see /proc/key-users and /proc/sys/kernel/keys/maxbytes", op, err)
	}
	return fmt.Errorf("the kernel keyring: %s: %w", op, err)
}
