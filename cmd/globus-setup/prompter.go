package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// cliUI is flow.UI for the commands, as cli/cli's Prompter is for its
// login: results on stdout (failures on stderr), questions on the
// terminal. Where there is no terminal, flags answer (answers, by the
// question's key; --yes for confirmations), a login code may still come
// on stdin, and any other question is an error naming its flag.
type cliUI struct {
	a         *app
	answers   map[string]string
	yes       bool
	noBrowser bool
	// inTerminal is how to run the command where it can ask, for errors:
	// "`globus-setup login` in a terminal".
	inTerminal string
}

func (a *app) ui(inTerminal string) *cliUI {
	return &cliUI{a: a, answers: map[string]string{}, inTerminal: inTerminal}
}

func (u *cliUI) Words() steps.Namer { return steps.CLI }

// prompt reads a line as promptLine does, returning at once when ctx ends
// (an interrupt): the read itself cannot be stopped, and the process is
// about to exit.
func (u *cliUI) prompt(ctx context.Context, label string) (string, error) {
	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	go func() {
		s, err := u.a.promptLine(label)
		got <- line{s, err}
	}()
	select {
	case l := <-got:
		return l.s, l.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (u *cliUI) Ask(ctx context.Context, q flow.Question) (string, error) {
	if v, ok := u.answers[q.Key]; ok {
		v = strings.TrimSpace(v)
		if q.Validate != nil && v != "" {
			if err := q.Validate(v); err != nil {
				return "", fmt.Errorf("%s: %w", q.Flag, err)
			}
		}
		return v, nil
	}
	terminal := u.a.isTerminal()
	// A code from a login page may be piped in: the page is shown, the
	// code read from stdin (scripts and tests answer so).
	piped := q.Link != nil
	if !terminal && (!piped || q.Again != nil) {
		how := ""
		if q.Flag != "" {
			how = "give it with " + q.Flag
		}
		if q.Again != nil {
			how = q.AgainDo
		}
		what := q.Label
		if what == "" {
			what = "an answer"
		}
		return "", flow.NotAsked(strings.ToLower(what[:1])+what[1:], how)
	}
	out := u.a.stdout
	if q.Again != nil {
		fmt.Fprintln(u.a.stderr, "globus-setup:", q.Again)
		if q.AgainDo != "" {
			fmt.Fprintln(u.a.stderr, "  what to do:", q.AgainDo)
		}
	}
	for _, l := range q.Intro {
		fmt.Fprintln(out, l)
	}
	if l := q.Link; l != nil {
		for _, s := range l.Intro {
			fmt.Fprintln(out, s)
		}
		fmt.Fprintln(out, "  "+l.URL)
		if !u.noBrowser && u.a.openBrowser(l.URL) {
			fmt.Fprintln(out, "(sent to your browser; if no page opened, use the link above)") // $BROWSER is started, not awaited: its failure is not seen
		}
	}
	label := q.Label
	if q.Suggestion != "" && !q.Secret {
		label += " (enter for " + q.Suggestion + ")"
	}
	for tries := 0; ; tries++ {
		v, err := u.prompt(ctx, label+": ")
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			if piped {
				return "", fmt.Errorf("no code was entered (%w): run %s", err, u.inTerminal)
			}
			return "", err
		}
		if v == "" && q.Suggestion != "" {
			v = q.Suggestion
		}
		var bad error
		switch {
		case v == "" && !q.Optional:
			bad = errors.New(q.Label + " is required")
		case v != "" && q.Validate != nil:
			bad = q.Validate(v)
		}
		if bad == nil {
			return v, nil
		}
		if !terminal || tries == 2 {
			return "", bad
		}
		fmt.Fprintln(u.a.stderr, "globus-setup:", bad)
	}
}

func (u *cliUI) Confirm(ctx context.Context, c flow.Confirm) (bool, error) {
	for _, l := range c.About {
		fmt.Fprintln(u.a.stdout, l)
	}
	if c.Harmless || (c.Flag == "--yes" && u.yes) {
		return true, nil
	}
	if !u.a.isTerminal() {
		if c.Offer {
			if !c.OfferNote.Empty() {
				fmt.Fprintln(u.a.stderr, c.OfferNote.In(steps.CLI))
			}
			return false, nil
		}
		how := ""
		if c.Flag != "" {
			how = "add " + c.Flag
		}
		return false, flow.NotAsked("a yes", how)
	}
	opts := " [y/N] "
	if c.Default {
		opts = " [Y/n] "
	}
	ans, err := u.prompt(ctx, c.Ask+opts)
	if err != nil {
		return false, err
	}
	if strings.TrimSpace(ans) == "" {
		return c.Default, nil
	}
	return isYes(ans), nil
}

// Show prints a link and opens it in a browser unless told not to.
func (u *cliUI) Show(l flow.Link) {
	for _, s := range l.Intro {
		fmt.Fprintln(u.a.stdout, s)
	}
	fmt.Fprintln(u.a.stdout, "  "+l.URL)
	if !u.noBrowser && u.a.openBrowser(l.URL) {
		fmt.Fprintln(u.a.stdout, "(sent to your browser; if no page opened, use the link above)")
	}
}

// Progress prints results and notes; what is under way goes unsaid (a
// command's output is its results).
func (u *cliUI) Progress(p flow.Progress) {
	switch {
	case p.Line != "" && p.Failed:
		fmt.Fprintln(u.a.stderr, p.Line)
	case p.Line != "":
		fmt.Fprintln(u.a.stdout, p.Line)
	case p.Note != "":
		fmt.Fprintln(u.a.stdout, p.Note)
	}
}

// Outcome prints the report and summary on stdout, a problem on stderr
// with what to do.
func (u *cliUI) Outcome(o flow.Outcome) {
	for _, l := range o.Report {
		fmt.Fprintln(u.a.stdout, l)
	}
	w := u.a.stdout
	if !o.OK && o.Problem != nil {
		w = u.a.stderr
	}
	for _, l := range o.Summary {
		fmt.Fprintln(w, l)
	}
	if o.Problem != nil {
		fmt.Fprintln(u.a.stderr, "globus-setup:", o.Problem)
		if h := globus.Hint(o.Problem); h != "" {
			fmt.Fprintln(u.a.stderr, "  what to do:", h)
		}
	}
}
