package tui

import (
	"context"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// runVerifyAll runs every live check (it never stops early) and records
// which steps are now verified.
func runVerifyAll(ctx context.Context, env *steps.Env) verifyAllMsg {
	checks := steps.VerifyAll(ctx, env)
	if err := ctx.Err(); err != nil {
		return verifyAllMsg{err: err}
	}
	lines := make([]string, 0, len(checks))
	start := ""
	for _, c := range checks {
		lines = append(lines, c.LineIn(wizardWords))
		if c.Name == steps.GatewayStartName {
			start = c.LineIn(wizardWords)
		}
	}
	return verifyAllMsg{lines: lines, start: start, ok: !steps.AnyFailed(checks), needLogin: waitingForLogin(checks),
		loginOnly: skippedForLogin(checks), err: steps.RecordChecks(env, checks)}
}

// skippedForLogin: every check skipped was skipped for want of the
// operator's login (the login's own line included).
func skippedForLogin(checks []steps.Check) bool {
	for _, c := range checks {
		if c.Status == steps.CheckSkip && !c.NeedsLogin && (c.Step != "" || c.Name != "Operator login") {
			return false
		}
	}
	return true
}

// waitingForLogin is the steps left unverified only because the operator
// is not logged in: each of their checks passed or needs the login.
func waitingForLogin(checks []steps.Check) map[string]bool {
	login, other := map[string]bool{}, map[string]bool{}
	for _, c := range checks {
		switch {
		case c.Step == "" || c.Status == steps.CheckPass:
		case c.Status == steps.CheckSkip && c.NeedsLogin:
			login[c.Step] = true
		default:
			other[c.Step] = true
		}
	}
	for id := range other {
		delete(login, id)
	}
	return login
}

// loginHint is how a note says a check waits for the login.
const loginHint = "L — optional"

// needsLogin: a report line, in the wizard's words, of a check skipped
// only because the operator is not logged in ("log in to check (L)").
func needsLogin(line string) bool {
	if !strings.HasPrefix(line, "- ") {
		return false
	}
	for _, end := range []string{"log in to check", "log in again to check"} {
		if strings.HasSuffix(line, end+" (L)") {
			return true
		}
	}
	return false
}
