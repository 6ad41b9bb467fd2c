package tui

import (
	"context"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// opContext is the context of one operation of the wizard: Esc cancels it,
// and it has its own network budget, as one command of the CLI has, so a
// Globus that never answers ends in an error rather than a spinner.
func (m *Model) opContext() (context.Context, context.CancelFunc) {
	return context.WithCancel(withNetworkBudget(m.ctx, m.cfg.NetworkBudget))
}

// op is opContext for the accessible mode, whose operations run in line.
func (a *access) op() context.Context { return withNetworkBudget(a.ctx, a.cfg.NetworkBudget) }

func withNetworkBudget(ctx context.Context, d time.Duration) context.Context {
	if d <= 0 {
		d = globus.DefaultNetworkBudget
	}
	return globus.WithBudget(ctx, globus.NewBudget(d))
}
