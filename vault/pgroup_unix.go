//go:build !windows

package vault

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts c in a new process group and makes its Cancel kill
// that whole group, so a shell's children (sh -c 'pass show x | head') go
// with it rather than keep the passphrase pipe open.
func ownProcessGroup(c *exec.Cmd) {
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return killGroup(c) }
}

func killGroup(c *exec.Cmd) error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
