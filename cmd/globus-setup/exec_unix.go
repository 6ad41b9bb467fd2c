//go:build !windows

package main

import (
	"fmt"
	"syscall"
)

// execCommand replaces this process with the command (execve): its signals
// and exit status are the caller's directly, and nothing of globus-setup
// stays behind holding the secrets. It returns only on failure.
func execCommand(path string, argv, env []string) error {
	if err := syscall.Exec(path, argv, env); err != nil {
		return fmt.Errorf("exec %s: %w", path, err)
	}
	return nil
}
