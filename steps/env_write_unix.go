//go:build unix

package steps

import (
	"fmt"
	"os"
	"syscall"
)

// linkCount is how many hard links target has (st_nlink); 1 when unknown.
func linkCount(target string) uint64 {
	fi, err := os.Stat(target)
	if err != nil || !fi.Mode().IsRegular() {
		return 1
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Nlink)
	}
	return 1
}

// inPlaceRefusal says why path cannot be rewritten in place; nil when it can.
func inPlaceRefusal(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	return othersFile(path, fi)
}

// geteuid is os.Geteuid; tests play an ordinary user with it.
var geteuid = os.Geteuid

// getegid is os.Getegid: the group a file the writer makes gets.
var getegid = os.Getegid

// othersFile refuses to write in place into another user's file unless
// root writes it: a replaced file would be root's to give back to its
// owner (as a rename keeps the owner), where an ordinary user's would be
// theirs, so only an ordinary user would hand the secrets to someone new.
func othersFile(path string, fi os.FileInfo) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != geteuid() && geteuid() != 0 {
		return fmt.Errorf("%s must be rewritten in place (a rename would leave its other links or mounts with the old secrets), but it belongs to another user (uid %d), who could then read the new ones: nothing was changed; make it yours (chown) or remove its other links, then try again", path, st.Uid)
	}
	return nil
}

// writeInPlace rewrites the existing regular file path with data, mode perm,
// keeping its inode, so every hard link to it and every bind mount of it see
// the new content. It is not atomic: a crash mid-write leaves a short file,
// which is why the caller first keeps the previous content in path.bak. It
// refuses, with nothing changed:
//   - anything but a regular file (opened without following a link and
//     without blocking, then checked through the descriptor, so nothing
//     swapped in can hang it or be written through);
//   - a file owned by another user: they could read the secrets written
//     into it, where a replaced file would be ours.
func writeInPlace(path string, data []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is no longer a regular file (nothing was changed)", path)
	}
	if err := othersFile(path, fi); err != nil {
		return err
	}
	// Mode first, so the secrets never sit in a file others can read.
	if err := f.Chmod(perm); err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}
