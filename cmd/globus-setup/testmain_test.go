package main

import (
	"os"
	"testing"
)

// childEnv makes the test binary run the real main with its arguments: the
// crash test starts it as a globus-setup it can kill mid-way.
const childEnv = "GLOBUS_SETUP_TEST_MAIN"

// TestMain lets the test binary stand in for globus-setup when `copy` starts
// itself (os.Executable) as the clipboard-clear helper, or when a test starts
// it with childEnv=1: the child then runs the real main, instead of the
// whole test suite again.
func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" || len(os.Args) > 1 && os.Args[1] == "clipboard-clear" {
		main()
	}
	os.Exit(m.Run())
}
