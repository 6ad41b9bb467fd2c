//go:build !windows

package main

import (
	"strconv"
	"strings"
	"syscall"

	"github.com/globus-setup/globus-setup/vault"
)

// keepSourcesFromChild closes to the command exec starts a descriptor the
// passphrase or key was read from (--passphrase-file /dev/fd/3, with 3
// inherited from the shell): the command would inherit it, and could read
// it again. 0–2 are the command's own stdin, stdout and stderr.
func (a *app) keepSourcesFromChild() {
	for _, f := range []string{a.passphraseFile, a.getenv(vault.EnvPassphraseFile), a.identityFile, a.getenv(vault.EnvIdentity)} {
		if fd, ok := inheritedFD(f); ok {
			syscall.CloseOnExec(fd)
		}
	}
}

// inheritedFD reads /dev/fd/N or /proc/self/fd/N, N > 2.
func inheritedFD(path string) (int, bool) {
	for _, dir := range []string{"/dev/fd/", "/proc/self/fd/"} {
		if rest, ok := strings.CutPrefix(path, dir); ok {
			n, err := strconv.Atoi(rest)
			return n, err == nil && n > 2
		}
	}
	return 0, false
}
