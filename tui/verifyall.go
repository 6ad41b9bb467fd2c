package tui

import "strings"

// loginHint is how a note says a check waits for the login.
const loginHint = "L — optional"

// needsLogin: a report line, in the wizard's words, of a check skipped
// only because the operator is not logged in ("log in to check (L)"), or
// a group's members that wait for it (steps.GroupLinesIn).
func needsLogin(line string) bool {
	if !strings.HasPrefix(line, "- ") {
		return false
	}
	for _, end := range []string{"log in to check", "log in again to check", "are added after you log in"} {
		if strings.HasSuffix(line, end+" (L)") {
			return true
		}
	}
	return false
}
