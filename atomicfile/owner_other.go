//go:build !unix

package atomicfile

import "os"

// OwnerOf: files have no numeric owner here.
func OwnerOf(os.FileInfo) (Owner, bool) { return Owner{}, false }
