//go:build !unix

package steps

import (
	"errors"
	"os"
)

// geteuid: no numeric users here.
func geteuid() int { return -1 }

// getegid: no numeric groups here.
func getegid() int { return -1 }

// linkCount: hard links are not counted here; a rename replaces the file.
func linkCount(string) uint64 { return 1 }

func inPlaceRefusal(string) error { return nil }

func writeInPlace(string, []byte, os.FileMode) error {
	return errors.New("it cannot be replaced by a rename, and rewriting it in place is supported only on Unix: nothing was changed")
}
