package flow

import (
	"context"

	"github.com/globus-setup/globus-setup/steps"
)

// The rotation of an app's secret (steps.Rotate and its halves), as one
// task for every front-end: what is under way is said, and Globus asking
// for a new sign-in before a delete is answered through the UI (e.Reauth,
// flow.Env).

// RotateSecret makes a new secret for app (or carries on a rotation left
// half done), stores it, proves it and writes it into the gateway's .env.
func RotateSecret(ctx context.Context, ui UI, e *steps.Env, app string, o steps.RotateOptions) (steps.RotateResult, error) {
	ui.Progress(Progress{Doing: "Rotating the " + app + " secret…"})
	return steps.Rotate(ctx, e, app, o)
}

// FinishRotation deletes the old secret at Globus once the gateway runs
// with the new one (the operator's word: nothing can see which it holds).
func FinishRotation(ctx context.Context, ui UI, e *steps.Env, app string) (steps.RotateResult, error) {
	ui.Progress(Progress{Doing: "Deleting the old secret…"})
	return steps.FinishRotation(ctx, e, app)
}

// UndoRotation puts the old secret back and deletes the new one.
func UndoRotation(ctx context.Context, ui UI, e *steps.Env, app string) (steps.RotateResult, error) {
	ui.Progress(Progress{Doing: "Going back to the old secret…"})
	return steps.UndoRotation(ctx, e, app)
}
