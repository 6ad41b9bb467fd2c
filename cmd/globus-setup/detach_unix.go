//go:build !windows

package main

import (
	"os/exec"
	"syscall"
)

// detach puts the child in its own session so the shell's Ctrl+C or hang-up
// does not stop the pending clipboard clear.
func detach(c *exec.Cmd) { c.SysProcAttr = &syscall.SysProcAttr{Setsid: true} }
