package main

import (
	"context"
	"fmt"

	"github.com/globus-setup/globus-setup/steps"
)

// proveUser logs a test user in through the stored public client and reports
// whether the gateway would admit them; exit 1 when it would not.
func (a *app) proveUser(ctx context.Context, noBrowser bool) error {
	e, err := a.opsEnv()
	if err != nil {
		return err
	}
	flow, err := steps.StartProof(e)
	if err != nil {
		return a.opsFail(err)
	}
	// The browser may already hold the operator's Globus session, which would
	// prove the operator instead of the user meant.
	pasted, err := a.askLoginCode("Log in as the user to test at this address (a private browser window keeps your own Globus\nsession out of it), then paste the code Globus shows:", flow.URL, noBrowser)
	if err != nil {
		return a.opsFail(fmt.Errorf("no code was entered (%w): run `globus-setup verify --as-user` in a terminal", err))
	}
	proof, err := steps.ProveLogin(ctx, e, flow, pasted)
	if err != nil {
		return a.opsFail(err)
	}
	for _, l := range proof.Lines() {
		fmt.Fprintln(a.stdout, l)
	}
	if !proof.Admitted {
		return exitError{code: 1}
	}
	return nil
}
