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
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s must be rewritten in place, but it belongs to another user (uid %d), who could then read the secrets: nothing was changed; make it yours (chown) or remove its other links and try again", path, st.Uid)
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
