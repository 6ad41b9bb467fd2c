//go:build unix

package atomicfile

import (
	"os"
	"syscall"
)

// OwnerOf is fi's owner and group; false where the system does not say.
func OwnerOf(fi os.FileInfo) (Owner, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return Owner{UID: int(st.Uid), GID: int(st.Gid)}, true
	}
	return Owner{}, false
}
