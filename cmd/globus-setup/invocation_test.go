package main

import "testing"

// The goodbye's command must paste and run: go run's binary sits in a
// deleted build folder, and a program started by path is not on the PATH.
func TestInvocation(t *testing.T) {
	for _, c := range []struct{ arg0, exe, want string }{
		{"/tmp/go-build123/b001/exe/globus-setup", "/tmp/go-build123/b001/exe/globus-setup", "go run ./cmd/globus-setup"},
		{"./globus-setup", "/home/op/src/globus-setup", "./globus-setup"},
		{"/opt/my tools/globus-setup", "/opt/my tools/globus-setup", "'/opt/my tools/globus-setup'"},
		{"globus-setup", "/usr/local/bin/globus-setup", "globus-setup"},
	} {
		if got := invocation(c.arg0, c.exe); got != c.want {
			t.Errorf("invocation(%q, %q) = %q, want %q", c.arg0, c.exe, got, c.want)
		}
	}
}
