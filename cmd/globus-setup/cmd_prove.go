package main

import (
	"context"

	"github.com/globus-setup/globus-setup/flow"
)

// proveUser logs a test user in through the stored public client and reports
// whether the gateway would admit them; exit 1 when it would not.
func (a *app) proveUser(ctx context.Context, noBrowser bool) error {
	e, err := a.opsEnv()
	if err != nil {
		return err
	}
	ui := a.ui("`globus-setup verify --as-user` in a terminal")
	ui.noBrowser = noBrowser
	proof, err := flow.Prove(ctx, ui, e)
	if err != nil {
		return a.opsFail(err)
	}
	if !proof.Admitted {
		return exitError{code: 1}
	}
	return nil
}
