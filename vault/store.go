package vault

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/gofrs/flock"

	"github.com/globus-setup/globus-setup/atomicfile"
)

// Stages of a save, in order: the lock taken, then atomicfile's. saveHook
// (tests only) is called as each is reached, so a test can kill the process
// at every point of a save.
const (
	stageLocked      = 0 // lock held, stale temp files removed, nothing written
	stageTempCreated = int(atomicfile.StageTempCreated)
	stageTempPartial = int(atomicfile.StageTempPartial)
	stageTempWritten = int(atomicfile.StageTempWritten)
	stageTempSynced  = int(atomicfile.StageTempSynced)
	stageTempClosed  = int(atomicfile.StageTempClosed)
	stageRenamed     = int(atomicfile.StageRenamed)
	stageDirSynced   = int(atomicfile.StageDirSynced)
	numStages        = stageDirSynced + 1
)

var saveHook func(stage int)

func hook(stage int) {
	if saveHook != nil {
		saveHook(stage)
	}
}

const lockRetry = 10 * time.Millisecond

// heldLock releases a lock taken by lock.
type heldLock func()

// lock takes the writers' lock, waiting up to timeout (negative: one try).
// The key derivation is always done before, so the lock is held for
// milliseconds and 30 s of waiting means something is stuck.
func lock(p Paths, timeout time.Duration) (heldLock, error) {
	release, ok, err := lockFile(p.Lock, timeout, p.Vault, p.Identity)
	if errors.Is(err, context.DeadlineExceeded) || (err == nil && !ok) {
		return nil, fmt.Errorf("%w (waited %s for %s)", ErrBusy, max(timeout, 0), p.Lock)
	}
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("locking %s: %w", p.Lock, err)
	}
	return release, nil
}

func unlock(h heldLock) { h() }

// LockFile takes an exclusive flock(2) on path, created (0600) if missing,
// waiting up to timeout (negative: one try); ok is false when another process
// holds it. Anything but a regular file at path is a *NotRegularError, and
// nothing blocks on it: opening a named pipe for reading would wait for a
// writer forever, hanging every command of the vault.
// A lock it creates gets the owner of the vault's files beside it (the
// identity file), else the folder's (owner.go).
func LockFile(path string, timeout time.Duration) (release func(), ok bool, err error) {
	return lockFile(path, timeout, filepath.Join(filepath.Dir(path), IdentityFileName))
}

// lockFile is LockFile whose new lock gets the owner of refs (ownerFor).
func lockFile(path string, timeout time.Duration, refs ...string) (release func(), ok bool, err error) {
	// Stat first, so a device is never opened (opening some has effects).
	fi, err := os.Stat(path)
	if err == nil && !fi.Mode().IsRegular() {
		return nil, false, lockNotRegular(path, fi.Mode())
	}
	var owner *atomicfile.Owner
	created := errors.Is(err, fs.ErrNotExist)
	if created {
		owner = ownerFor(path, refs...) // before the open makes it the writer's
	}
	release, ok, err = lockOpened(path, timeout)
	if created && err == nil {
		giveNewFile(path, owner)
	}
	return release, ok, err
}

// lockOpened is LockFile without the first check. Something swapped in
// between that check and the open cannot hang or fool it: the open does not
// block (O_NONBLOCK, which a regular file ignores), and what was opened is
// checked again through the descriptor (fstat), which no rename can change.
func lockOpened(path string, timeout time.Duration) (release func(), ok bool, err error) {
	flags := os.O_CREATE | os.O_RDONLY | syscall.O_NONBLOCK
	switch runtime.GOOS {
	case "aix", "solaris", "illumos": // as flock.New: no write lock on a read-only file there
		flags = os.O_CREATE | os.O_RDWR | syscall.O_NONBLOCK
	}
	fl := flock.New(path, flock.SetFlag(flags), flock.SetPermissions(0o600))
	if timeout < 0 {
		ok, err = fl.TryLock()
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		ok, err = fl.TryLockContext(ctx, lockRetry)
		cancel()
	}
	if err != nil || !ok {
		_ = fl.Close()
		return nil, ok, err
	}
	fi, err := fl.Stat() // fstat of the descriptor the lock is on
	if err == nil && !fi.Mode().IsRegular() {
		err = lockNotRegular(path, fi.Mode())
	}
	if err != nil {
		_ = fl.Unlock()
		return nil, false, err
	}
	return func() { _ = fl.Unlock() }, true, nil
}

func lockNotRegular(path string, m fs.FileMode) error {
	return &NotRegularError{Path: path, Kind: fileKind(m),
		Fix: "it is a lock file, and nothing was changed; remove it (rm " + path + ") and globus-setup makes a new one"}
}

// tempPattern is the pattern of target's temporary files; stale ones are
// removed by the next save (under the lock, so none is live).
func tempPattern(target string) string { return atomicfile.TempPattern(target) }

func cleanStaleTemps(p Paths) {
	for _, target := range []string{p.Vault, p.Identity, p.RecipientsFile(), environmentFile(p)} {
		matches, _ := filepath.Glob(filepath.Join(p.Dir, tempPattern(target)))
		for _, m := range matches {
			_ = os.Remove(m)
		}
	}
}

// writeAtomic replaces target with data (ciphertext) so that a crash at any
// instant leaves either the old or the new file (atomicfile). The caller
// holds the lock.
func writeAtomic(p Paths, target string, data []byte) error {
	cleanStaleTemps(p)
	hook(stageLocked)
	err := atomicfile.Write(target, data, atomicfile.Options{Perm: 0o600, Owner: vaultOwnerFor(p, target), Stage: func(s atomicfile.Stage) { hook(int(s)) }})
	if err != nil {
		return fmt.Errorf("saving %s: %w", target, err)
	}
	return nil
}

// readFile reads at most maxFileSize+1 bytes, so callers can call it too large.
// Anything but a regular file is refused (*NotRegularError) before a byte is
// read: a named pipe there would otherwise block every command forever.
func readFile(path string) ([]byte, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxFileSize+1))
}

// readError wraps a failed read of path; a *NotRegularError already names it.
func readError(path string, err error) error {
	var nr *NotRegularError
	if errors.As(err, &nr) {
		return err
	}
	return fmt.Errorf("reading %s: %w", path, err)
}

// NotRegularError: a file we read or replace is a named pipe, a device, a
// folder or a socket. Nothing was read from it or written.
type NotRegularError struct {
	Path string
	Kind string // "a named pipe (FIFO)", "a folder", ...
	Fix  string // what to do, when not the default (move it away, put the real file there)
}

func (e *NotRegularError) Error() string {
	if e.Fix != "" {
		return fmt.Sprintf("%s is %s, not a regular file: %s", e.Path, e.Kind, e.Fix)
	}
	return fmt.Sprintf("%s is %s, not a regular file: it was not read and nothing was changed; move it away and put the real file there", e.Path, e.Kind)
}

// fileKind names what a non-regular mode is, for errors.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "not a plain file (" + m.Type().String() + ")"
}

// OpenRegular opens path (following symbolic links) for reading only if it
// is a regular file; anything else is a *NotRegularError. It checks before
// opening, so a device is never opened, and opens without blocking and checks
// again, so a named pipe swapped in between cannot hang the caller.
func OpenRegular(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Kind: fileKind(fi.Mode())}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err != nil {
			return nil, err
		}
		return nil, &NotRegularError{Path: path, Kind: fileKind(fi.Mode())}
	}
	return f, nil
}

// ensureDir creates the vault folder with mode 0700, or tightens an existing
// one that holds nothing but vault files.
func ensureDir(p Paths) error {
	if _, err := os.Stat(p.Dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(p.Dir, 0o700); err != nil {
			return fmt.Errorf("creating the vault folder: %w", err)
		}
		return os.Chmod(p.Dir, 0o700) // MkdirAll's mode is filtered by the umask
	} else if err != nil {
		return fmt.Errorf("vault folder: %w", err)
	}
	tightenDir(p)
	return nil
}

// tightenDir sets the folder to 0700 if it is group/world accessible and
// dedicated to the vault (every entry is one of our files). A folder with other
// things in it (say $HOME or /tmp) is the operator's and is left alone: the
// vault files themselves are 0600 and encrypted.
func tightenDir(p Paths) {
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(p.Dir)
	if err != nil || fi.Mode().Perm()&0o077 == 0 || !dedicatedDir(p) {
		return
	}
	_ = os.Chmod(p.Dir, 0o700)
}

// dedicatedDir: every entry of the folder is one of the vault's files.
func dedicatedDir(p Paths) bool {
	entries, err := os.ReadDir(p.Dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !isVaultFile(p, e.Name()) {
			return false
		}
	}
	return true
}

// FolderWarning is a warning for the operator when the vault's folder can be
// written by other users and is not one globus-setup tightens (it holds other
// files, so it is the operator's: $HOME, /tmp...): they could delete or swap
// the vault's files or hold its lock. "" when there is nothing to say.
func FolderWarning(p Paths) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	fi, err := os.Stat(p.Dir)
	if err != nil || fi.Mode().Perm()&0o022 == 0 || dedicatedDir(p) {
		return ""
	}
	return fmt.Sprintf("WARNING: the vault folder %s can be written by other users (mode %04o): they could delete or replace the vault's files or block it; keep the vault in a folder only you can write (e.g. --vault ~/.config/globus-setup/vault.age)", p.Dir, fi.Mode().Perm())
}

func isVaultFile(p Paths, name string) bool {
	for _, target := range []string{p.Vault, p.Identity, p.Lock, p.RecipientsFile(), environmentFile(p)} {
		base := filepath.Base(target)
		if name == base || strings.HasPrefix(name, base+".damaged-") || strings.HasPrefix(name, "."+base+".tmp-") {
			return true
		}
	}
	return false
}

// tightenFiles makes our files 0600 if something loosened them. Best effort:
// failing means we do not own them, and the content is encrypted anyway.
func tightenFiles(p Paths) {
	if runtime.GOOS == "windows" {
		return
	}
	for _, f := range []string{p.Vault, p.Identity, p.Lock} {
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o077 != 0 {
			_ = os.Chmod(f, 0o600)
		}
	}
}

// setAside renames a damaged file to <name>.damaged-<UTC time> (never over an
// existing one) and returns the new path.
func setAside(path string) (string, error) {
	stamp := now().UTC().Format("20060102T150405Z")
	dst := path + ".damaged-" + stamp
	for i := 1; fileExists(dst); i++ {
		dst = fmt.Sprintf("%s.damaged-%s-%d", path, stamp, i)
	}
	if err := os.Rename(path, dst); err != nil {
		return "", fmt.Errorf("keeping the damaged file aside: %w", err)
	}
	return dst, nil
}
