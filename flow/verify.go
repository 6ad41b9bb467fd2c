package flow

import (
	"context"

	"github.com/globus-setup/globus-setup/steps"
)

// Verified is what checking everything found.
type Verified struct {
	Checks []steps.Check
	Lines  []string // one per check, in the UI's words
	// Start is the gateway's own start-up check, as its line ("": not run).
	Start string
	// NeedLogin: steps left unverified only because the operator is not
	// logged in; LoginOnly: every check skipped waits for that login.
	NeedLogin map[string]bool
	LoginOnly bool
	Failed    bool
	// Passed, FailedN and Skipped count the checks.
	Passed, FailedN, Skipped int
}

// Verify checks everything stored against Globus, live (it never stops
// early), and records which steps are now verified. The error is only a
// cancellation or a failure to record the results.
func Verify(ctx context.Context, ui UI, e *steps.Env) (Verified, error) {
	ui.Progress(Progress{Doing: "Checking everything with Globus…"})
	checks := steps.VerifyAll(ctx, e)
	if err := ctx.Err(); err != nil {
		return Verified{}, err
	}
	v := Verified{Checks: checks, Failed: steps.AnyFailed(checks), NeedLogin: waitingForLogin(checks), LoginOnly: skippedForLogin(checks)}
	for _, c := range checks {
		l := c.LineIn(ui.Words())
		v.Lines = append(v.Lines, l)
		if c.Name == steps.GatewayStartName {
			v.Start = l
		}
		switch c.Status {
		case steps.CheckPass:
			v.Passed++
		case steps.CheckFail:
			v.FailedN++
		default:
			v.Skipped++
		}
	}
	return v, steps.RecordChecks(e, checks)
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
