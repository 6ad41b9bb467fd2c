//go:build windows

package vault

import "os/exec"

// ownProcessGroup: Windows has no process groups to kill at once; Cancel's
// default kills the shell, and WaitDelay closes pipes its children hold.
func ownProcessGroup(*exec.Cmd) {}

func killGroup(*exec.Cmd) error { return nil }
