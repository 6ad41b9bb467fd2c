//go:build windows

package main

import (
	"errors"
	"os"
	"os/exec"
)

// execCommand runs the command as a child (Windows has no execve) and exits
// with its status; Ctrl+C reaches both through the console.
func execCommand(path string, argv, env []string) error {
	c := exec.Command(path, argv[1:]...)
	c.Env, c.Stdin, c.Stdout, c.Stderr = env, os.Stdin, os.Stdout, os.Stderr
	err := c.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		os.Exit(ee.ExitCode())
	}
	if err != nil {
		return err
	}
	os.Exit(0)
	return nil
}
