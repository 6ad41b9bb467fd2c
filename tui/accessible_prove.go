package tui

import (
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/steps"
)

// offerProof lets a test user log in through the public client and runs the
// gateway's admission checks on their token. The token stays inside
// steps.ProveLogin: only the verdict and the checks are read out. Input
// ending at its question is the end of the run, not an error.
func (a *access) offerProof() error {
	if a.cfg.Globus == nil {
		return nil
	}
	q := "Prove a test user gets in?"
	for a.confirm(q, true) {
		q = "Prove another test user?"
		flow, err := steps.StartProof(a.env())
		if err != nil {
			a.problem(err)
			return a.ctx.Err()
		}
		a.say("A test user signs in through the gateway's public client, as the gateway's users will. Their tokens are used for this check only, never kept, and revoked at Globus when it ends.")
		a.offerLink("test user's login page", flow.URL)
		a.say("Sign in there as the test user and allow access; Globus then shows a code to paste here.")
		var code string
		if err := a.ask(huh.NewInput().Title("Code from the test user's Globus page (or the page's address):").Value(&code).
			Validate(required("Paste the code Globus showed the test user after they allowed access."))); err != nil {
			return err
		}
		a.say("Checking the test user the way the gateway will…")
		proof, err := steps.ProveLogin(a.op(), a.env(), flow, strings.TrimSpace(code))
		if err != nil {
			if a.ctx.Err() != nil {
				return a.ctx.Err()
			}
			a.problem(err)
			continue
		}
		for _, l := range proof.Lines() {
			a.say("%s", l)
		}
	}
	return a.ctx.Err()
}
