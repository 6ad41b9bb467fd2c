package flow

import (
	"context"

	"github.com/globus-setup/globus-setup/steps"
)

// SignInAgain is how a task answers Globus asking for a new sign-in
// (steps.Redrive): say what Globus asks, show the sign-in link that asks
// for exactly that, and take the code pasted back. steps.Redrive then keeps
// the new login and tries once more.
func SignInAgain(ui UI) steps.ReauthFunc {
	return func(ctx context.Context, r *steps.Reauth) (string, error) {
		code, err := ui.Ask(ctx, Question{
			Key:   KeyReauthCode,
			Label: "Code from the Globus page (or the page's address)",
			Intro: r.Lines(),
			Link: &Link{Key: KeyReauthCode, What: "sign-in page (it asks Globus for exactly that)", URL: r.Flow.URL,
				Intro: []string{"Sign in at this address as asked, then paste the code Globus shows. Nothing made so far is made again."}},
			Validate: required("Paste the code Globus showed after you signed in."),
		})
		if err != nil {
			return "", err
		}
		ui.Progress(Progress{Note: say(ui, Words("Signed in again; trying once more.", "Signing in again and trying once more…",
			"Signing in again and trying once more…"))})
		return code, nil
	}
}

// Env is the steps environment a task works in for ui: Globus asking for
// a new sign-in is answered through ui.
func Env(ui UI, e *steps.Env) *steps.Env {
	c := *e
	c.Reauth = SignInAgain(ui)
	return &c
}
