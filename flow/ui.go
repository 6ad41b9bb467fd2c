// Package flow is each operator task written once: unlock the vault, log
// in, save a step and check it, suggest the setup's inputs, plan and apply,
// write the .env, sign in again when Globus asks, rotate a secret, prove a
// user gets in. A task asks a person for what it needs only through UI,
// which each front-end implements: the commands (a terminal, or flags and
// --yes where there is none), the full-screen wizard (questions arrive as
// messages, answers go back on a channel) and accessible mode (Huh's
// accessible prompts). So a behaviour fixed here is fixed in all three.
//
// Layering: cmd → tui → flow → steps → {globus, vault}.
package flow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// UI is what a task needs from the person it works for.
type UI interface {
	// Ask asks for one value; the answer is trimmed and has passed
	// q.Validate. An error wrapping ErrNotAsked means nobody could be
	// asked (no terminal, no flag) or the front-end asks it in its own
	// form; a cancelled context ends the question.
	Ask(ctx context.Context, q Question) (string, error)
	// Confirm asks a yes or no.
	Confirm(ctx context.Context, c Confirm) (bool, error)
	// Show offers a link: to open in a browser, to read whole, to copy.
	Show(l Link)
	// Progress says what is under way, or one result as it arrives.
	Progress(p Progress)
	// Outcome shows what a task came to.
	Outcome(o Outcome)
	// Words names advice's actions in this front-end's words (its keys,
	// its command lines, plain words).
	Words() steps.Namer
}

// ErrNotAsked: the question was not put to anyone. errors.Is finds it in
// what a UI returns.
var ErrNotAsked = errors.New("not asked")

// Question is one value to ask for.
type Question struct {
	// Key says which question it is, so a front-end can answer it from
	// what the person already gave (a flag, a form's field) or show it
	// its own way: one of the Key… constants, or a vault key.
	Key   string
	Label string
	// Intro is said before the question (what Globus asks, why).
	Intro []string
	// Link is a page to visit before answering (the login page).
	Link *Link
	// Suggestion is what a blank answer takes; From says where it comes
	// from ("the demo's thick client").
	Suggestion, From string
	Secret           bool
	Optional         bool // a blank answer (and no suggestion) is fine
	// Options, when set, are the answers to choose from (the answer is
	// one of their values).
	Options []Option
	// Validate checks a non-blank answer (nil: anything).
	Validate func(string) error
	// Flag is the command-line flag that answers it ("" none).
	Flag string
	// Again is why the previous answer was refused, when the question is
	// asked again, and AgainDo what to do now ("paste a new code").
	Again   error
	AgainDo string
	// Offer is a confirmation the task asks next (remember the key): a
	// front-end with a form may show it beside this question and answer
	// it from there.
	Offer *Confirm
}

// Option is one answer to choose.
type Option struct{ Label, Value string }

// Confirm is a yes or no.
type Confirm struct {
	Key string
	Ask string
	// About is what the question is about, shown before it (a plan's
	// lines); Plan is that plan, for a front-end that lays it out itself.
	About   []string
	Plan    *steps.SetupPlan
	Default bool
	// Flag answers yes on the command line ("--yes"); "" none.
	Flag string
	// Harmless: a yes changes nothing (a plan with nothing to create), so
	// a front-end that asks only before a change answers it itself.
	Harmless bool
	// Offer: a no changes nothing and is safe, so where nobody can be
	// asked the answer is no (OfferNote says so) rather than an error.
	Offer     bool
	OfferNote steps.Advice
}

// Link is a page for the person to open.
type Link struct {
	Key  string
	What string // "login page"
	URL  string
	// Intro says what to do there, in one or two sentences.
	Intro []string
}

// Progress is what is under way, or one result as it arrives.
type Progress struct {
	// Doing is what is under way ("Looking at what is there already…"):
	// the wizard's busy label, said in accessible mode; the commands stay
	// quiet about it.
	Doing string
	// Note is a sentence every front-end shows (the commands on stdout).
	Note string
	// Line is one result as it arrives ("✓ created project …").
	Line string
	// Failed marks Line as a failure (the commands print it on stderr).
	Failed bool
}

// Outcome is what a task came to: its own report lines (each marked ✓ ✗
// or -), a summary whose first line is the verdict, and, when it failed,
// the problem, which each front-end words its own way (its advice too).
type Outcome struct {
	Report  []string
	Summary []string
	OK      bool
	Problem error
}

// Task keys of the questions the tasks ask (vault keys name the rest).
const (
	KeyPassphrase      = "vault.passphrase"       // unlock an existing vault
	KeyNewPassphrase   = "vault.new_passphrase"   // create one
	KeyPassphraseAgain = "vault.passphrase_again" // the new one, again
	KeyRemember        = "vault.remember"         // keep the key in the OS keychain
	KeyLoginClient     = "login.client"           // the thick client to log in through
	KeyLoginCode       = "login.code"             // the code Globus shows after the login
	KeyAdoptClient     = "login.adopt"            // the login's client is step 4's
	KeyReauthCode      = "reauth.code"            // the code after signing in again
	KeyProofCode       = "proof.code"             // the test user's code
	KeyPlan            = "apply.plan"             // create what the plan shows
	KeyHow             = "step.how"               // the wizard does a step, or the person
	KeyDoStep          = "step.do"                // do an optional step now
	KeyEnvPath         = "env.path"               // where the .env goes
	KeyRetry           = "retry"                  // try again after a problem
	KeyProveAnother    = "proof.another"          // prove (another) test user
)

// Words is advice whose words differ by front-end where no action names
// the difference: the command line's, the wizard's, accessible mode's.
func Words(cli, wizard, accessible string) steps.Action {
	return steps.Action{Kind: steps.ActWords, Args: []string{cli, wizard, accessible}}
}

// say renders advice built from words and actions in ui's words.
func say(ui UI, parts ...any) string { return steps.Say(parts...).In(ui.Words()) }

// required is a validator for an answer that must be given.
func required(msg string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(msg)
		}
		return nil
	}
}

// valid validates an answer as the value of a vault key.
func valid(key string) func(string) error {
	return func(v string) error {
		_, err := steps.Validate(key, v)
		return err
	}
}

// notAskedError says which question could not be asked and how to give
// its answer instead.
type notAskedError struct {
	what, how string
}

func (e *notAskedError) Error() string {
	if e.how == "" {
		return "no terminal to ask for " + e.what
	}
	return fmt.Sprintf("no terminal to ask for %s: %s", e.what, e.how)
}

func (e *notAskedError) Unwrap() error { return ErrNotAsked }

// NotAsked is the error a UI returns for a question nobody could answer:
// what it asked, and how to give the answer instead (a flag).
func NotAsked(what, how string) error { return &notAskedError{what: what, how: how} }
