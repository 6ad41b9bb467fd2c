// Package atomicfile replaces a file so that a crash at any instant leaves
// either the old file or the new one, never half of each: a temporary file
// in the same folder, fsync, rename over the target, fsync of the folder.
// The vault's files and the gateway's .env are both written through it. It
// imports nothing of ours.
package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// Stage is how far a write has got; Options.Stage is called as each is
// reached, so a test can stop the process at every point of a write.
type Stage int

// The stages of a write, in order. They start at 1, so a caller can number
// its own stage 0 before the write (the vault: its lock taken).
const (
	StageTempCreated Stage = iota + 1 // empty temporary file exists
	StageTempPartial                  // half of the data written
	StageTempWritten                  // all written, not synced
	StageTempSynced                   // synced, still open
	StageTempClosed                   // closed
	StageRenamed                      // the new file in place, folder not yet synced
	StageDirSynced                    // done
)

// Owner is a file's owner and group (numeric IDs).
type Owner struct{ UID, GID int }

// Options say how the new file is made.
type Options struct {
	// Perm is the new file's mode; zero means 0600.
	Perm os.FileMode
	// Owner, when set, is given to the new file (fchown) before it takes
	// the target's place. Only root may give a file to another user: when
	// the change is not permitted the file stays the writer's, and the
	// caller, which compares owners before and after, says so.
	Owner *Owner
	// Rename is os.Rename when nil; tests make it fail as onto a mount point.
	Rename func(oldpath, newpath string) error
	// Stage, when set, is called as each stage is reached (tests).
	Stage func(Stage)
}

// TempPattern is the os.CreateTemp pattern of target's temporary files, so
// that a caller holding a lock can remove those a crash left behind.
func TempPattern(target string) string { return "." + filepath.Base(target) + ".tmp-*" }

// Write replaces path (never following a link there: the link itself is
// replaced) with data.
func Write(path string, data []byte, o Options) (err error) {
	stage := func(s Stage) {
		if o.Stage != nil {
			o.Stage(s)
		}
	}
	perm := o.Perm
	if perm == 0 {
		perm = 0o600
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, TempPattern(path)) // mode 0600 from the start
	if err != nil {
		return fmt.Errorf("%w (the file is replaced atomically, so its folder must be writable)", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	stage(StageTempCreated)
	if err = f.Chmod(perm); err != nil {
		return err
	}
	if o.Owner != nil {
		if cerr := f.Chown(o.Owner.UID, o.Owner.GID); cerr != nil && !notPermitted(cerr) {
			return cerr
		}
	}
	half := len(data) / 2
	if _, err = f.Write(data[:half]); err != nil {
		return err
	}
	stage(StageTempPartial)
	if _, err = f.Write(data[half:]); err != nil {
		return err
	}
	stage(StageTempWritten)
	if err = f.Sync(); err != nil {
		return err
	}
	stage(StageTempSynced)
	if err = f.Close(); err != nil {
		return err
	}
	stage(StageTempClosed)
	rename := o.Rename
	if rename == nil {
		rename = os.Rename
	}
	if err = rename(tmp, path); err != nil {
		return err
	}
	stage(StageRenamed)
	// The rename is done and visible; the folder's fsync only makes it
	// survive a power loss. Some filesystems refuse to fsync a folder
	// (EINVAL): not an error.
	if serr := syncDir(dir); serr != nil && !errors.Is(serr, syscall.EINVAL) && !errors.Is(serr, errors.ErrUnsupported) {
		return fmt.Errorf("%s is in place, but its folder could not be synced to disk: %w", path, serr)
	}
	stage(StageDirSynced)
	return nil
}

// notPermitted: a chown only root may do (or one the filesystem cannot
// keep, such as a FAT mount's).
func notPermitted(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EACCES) ||
		errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EINVAL)
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // a folder cannot be opened for fsync there; the rename is durable enough
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
