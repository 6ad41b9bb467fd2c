package tui

import (
	"context"

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
		lines = append(lines, c.Line())
		if c.Name == steps.GatewayStartName {
			start = c.Line()
		}
	}
	return verifyAllMsg{lines: lines, start: start, ok: !steps.AnyFailed(checks), err: steps.RecordChecks(env, checks)}
}
