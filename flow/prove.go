package flow

import (
	"context"
	"errors"

	"github.com/globus-setup/globus-setup/steps"
)

// Prove has a test user log in through the stored public client, as the
// gateway's users do, and runs the gateway's admission checks on their
// token (steps.ProveLogin: the token stays there, never stored or shown).
// The verdict and the checks are the outcome; an error is why no proof was
// made (nothing set up yet, the code refused).
func Prove(ctx context.Context, ui UI, e *steps.Env) (steps.Proof, error) {
	f, err := steps.StartProof(e)
	if err != nil {
		return steps.Proof{}, notStarted{err}
	}
	code, err := ui.Ask(ctx, Question{
		Key:   KeyProofCode,
		Label: "Code from the test user's Globus page (or the page's address)",
		Intro: []string{"A test user signs in through the gateway's public client, as the gateway's users will. " +
			"Their tokens are used for this check only, never kept, and revoked at Globus when it ends."},
		Link: &Link{Key: KeyProofCode, What: "test user's login page", URL: f.URL,
			Intro: []string{"Log in as the user to test at this address (a private browser window keeps your own Globus session out of it) and allow access; then paste the code Globus shows."}},
		Validate: required("Paste the code Globus showed the test user after they allowed access."),
	})
	if err != nil {
		return steps.Proof{}, err
	}
	ui.Progress(Progress{Doing: "Checking the test user the way the gateway will…"})
	proof, err := steps.ProveLogin(ctx, e, f, code)
	if err != nil {
		return steps.Proof{}, err
	}
	// The verdict is the summary, the checks its report.
	lines := proof.LinesIn(ui.Words())
	ui.Outcome(Outcome{Summary: lines[:1], Report: lines[1:], OK: proof.Admitted})
	return proof, nil
}

// ErrNotStarted: the proof could not begin (what it needs is not stored);
// errors.Is finds it in Prove's error, whose words are the cause's.
var ErrNotStarted = errors.New("the proof could not start")

type notStarted struct{ err error }

func (n notStarted) Error() string        { return n.err.Error() }
func (n notStarted) Unwrap() error        { return n.err }
func (n notStarted) Is(target error) bool { return target == ErrNotStarted }
