package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/globus-setup/globus-setup/tui"
)

// invocation is how to run this program again, for the wizard's goodbye:
// `go run ./cmd/globus-setup` when it runs from go run's build folder (the
// binary there is deleted at exit), the path it was started by when that
// names a file (./globus-setup), else "globus-setup" from the PATH.
func invocation(arg0, exe string) string {
	if strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return "go run ./cmd/globus-setup"
	}
	if strings.ContainsRune(arg0, filepath.Separator) || strings.ContainsRune(arg0, '/') {
		return tui.ShellQuote(arg0)
	}
	return "globus-setup"
}

// thisInvocation is invocation for this process.
func thisInvocation() string {
	exe, _ := os.Executable()
	arg0 := ""
	if len(os.Args) > 0 {
		arg0 = os.Args[0]
	}
	return invocation(arg0, exe)
}
