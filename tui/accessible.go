package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/term"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// Accessible mode: the wizard as plain sequential prompts on Huh's
// accessible fields, which read a line and print plain text, so nothing
// redraws and a screen reader reads every line once. It runs the same
// tasks as the full screen (package flow), through its own flow.UI; what
// is here is only the order of the walk and its words.

// runAccessible walks the steps from the first not done, then writes the
// .env and offers the proof.
func runAccessible(ctx context.Context, cfg Config) error {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	in := cfg.Input
	if in == nil {
		in = os.Stdin
	}
	out := cfg.Output
	if out == nil {
		out = os.Stdout
	}
	a := &access{ctx: ctx, cfg: cfg, in: &lineReader{r: in}, out: out}
	// The prompts block on a line read that a signal cannot interrupt, so
	// the run goes on aside and an interrupt returns at once.
	done := make(chan error, 1)
	go func() { done <- a.run() }()
	select {
	case err := <-done:
		if errors.Is(err, errInputEnded) && cfg.Ephemeral {
			return errDemoInputEnded
		}
		return err
	case <-ctx.Done():
		if cfg.Ephemeral {
			fmt.Fprintln(out, "\nInterrupted. This demo's vault and emulator are thrown away now.")
		} else {
			fmt.Fprintln(out, "\nInterrupted. Everything accepted so far is saved in the vault.")
			printLines(out, lastWords(cfg))
		}
		return ErrInterrupted
	}
}

type access struct {
	ctx context.Context
	cfg Config
	in  *lineReader
	out io.Writer
	v   *vault.Vault
}

// lineReader reads one byte at a time, so each prompt's scanner takes only
// its own line from a pipe; Fd keeps passphrase prompts on the terminal. It
// remembers the end of input: huh's prompts would otherwise ask forever.
type lineReader struct {
	r   io.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	n, err := l.r.Read(p)
	if err == io.EOF {
		l.eof = true
	}
	return n, err
}

func (l *lineReader) Fd() uintptr {
	if f, ok := l.r.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// say is where accessible mode prints text that may come from outside
// (Globus's answers, values, paths), made safe once (termsafe), and
// wrapped between words at the terminal's width, so no word is cut in two
// by the terminal (a screen reader reads it whole). Only at spaces: never
// at a hyphen or inside a word, so a link longer than a line is printed
// whole on a line of its own (the terminal folds it, adding no line break
// to a copy).
func (a *access) say(format string, args ...any) {
	s := termsafe.Text(fmt.Sprintf(format, args...)) // text from outside is made safe here
	if w := a.width(); w > 0 {
		s = strings.Join(wrapWhole(s, w), "\n")
	}
	fmt.Fprintln(a.out, s)
}

// width is the output terminal's width less one, or 0 (no wrapping) when
// the output is not a terminal.
func (a *access) width() int {
	f, ok := a.out.(term.File)
	if !ok {
		return 0
	}
	w, _, err := term.GetSize(f.Fd())
	if err != nil || w < 20 {
		return 0
	}
	return w - 1
}

// ask runs fields as an accessible form: each prompts in turn and is asked
// again until its answer is valid.
func (a *access) ask(fields ...huh.Field) error {
	if err := a.ctx.Err(); err != nil {
		return err
	}
	err := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(true).
		WithInput(a.in).WithOutput(a.out).RunWithContext(a.ctx)
	if err == nil && a.in.eof {
		err = errInputEnded
	}
	return err
}

var (
	errInputEnded     = errors.New("the input ended before the wizard did; everything accepted so far is saved")
	errDemoInputEnded = errors.New("the input ended before the wizard did; this demo's vault and emulator are thrown away")
)

// confirm asks a question of the walk's own; the input ending, or the run
// interrupted, is a no (callers then look at ended).
func (a *access) confirm(q string, def bool) bool {
	ok, err := a.Confirm(a.ctx, flow.Confirm{Ask: q, Default: def})
	return err == nil && ok
}

// ended is the reason to stop asking: the input ran out or the run was
// interrupted; nil otherwise.
func (a *access) ended() error {
	if a.in.eof {
		return errInputEnded
	}
	return a.ctx.Err()
}

// ---- flow.UI ----

func (a *access) Words() steps.Namer { return accessibleWords }

func (a *access) Ask(_ context.Context, q flow.Question) (string, error) {
	if q.Again != nil {
		if q.AgainDo != "" {
			a.problem(q.Again)
			a.say("What to do: %s.", q.AgainDo)
		} else {
			a.say("%s", q.Again)
		}
	}
	for _, l := range q.Intro {
		a.say("%s", l)
	}
	if l := q.Link; l != nil {
		for _, s := range l.Intro {
			a.say("%s", s)
		}
		a.offerLink(l.What, l.URL)
	}
	if len(q.Options) > 0 {
		choice := q.Suggestion
		var opts []huh.Option[string]
		for _, o := range q.Options {
			opts = append(opts, huh.NewOption(o.Label, o.Value))
		}
		if err := a.ask(huh.NewSelect[string]().Title(q.Label).Options(opts...).Value(&choice)); err != nil {
			return "", err
		}
		return choice, nil
	}
	title := q.Label
	switch {
	case q.Suggestion == "":
	case q.From == "stored":
		title += " (enter keeps the stored value)"
	case q.Secret:
		title += " (enter keeps the value offered)"
	case strings.HasPrefix(q.From, "read from "):
		title += " (enter keeps " + q.Suggestion + ", " + q.From + ")"
	case q.From == "default":
		title += " (enter for the default, " + q.Suggestion + ")"
	case q.From != "":
		title += " (enter uses " + q.From + ": " + q.Suggestion + ")"
	default:
		title += " (enter for " + q.Suggestion + ")"
	}
	var v string
	in := huh.NewInput().Title(title + ":").Value(&v).Validate(func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" && (q.Optional || q.Suggestion != "") {
			return nil
		}
		if s == "" && q.Validate == nil {
			return errors.New(q.Label + " is required")
		}
		if q.Validate != nil {
			if err := q.Validate(s); err != nil {
				return errors.New(safeMessage(err.Error(), s))
			}
		}
		return nil
	})
	// An ID asked beside a secret is read without echo too: a secret
	// pasted into it by mistake would stay in the scrollback (a line
	// already printed cannot be taken back, as the full screen clears its
	// field). Validated, the ID is said back, so it is still heard.
	hidden := !q.Secret && besideSecret(q.Key) && term.IsTerminal(a.in.Fd())
	if q.Secret || hidden {
		in.EchoMode(huh.EchoModePassword)
	}
	if err := a.ask(in); err != nil {
		return "", err
	}
	if v = strings.TrimSpace(v); v == "" {
		v = q.Suggestion
	}
	if hidden && v != "" {
		a.say("%s: %s", q.Label, v)
	}
	return v, nil
}

// besideSecret: key is of a step that holds a secret (an app's client ID),
// where a secret is pasted.
func besideSecret(key string) bool {
	spec, ok := steps.Spec(key)
	if !ok {
		return false
	}
	st, ok := steps.StepByID(spec.Step)
	return ok && slices.ContainsFunc(st.Fields, func(f steps.Field) bool { return f.Secret })
}

func (a *access) Confirm(_ context.Context, c flow.Confirm) (bool, error) {
	if len(c.About) > 0 && c.Key == flow.KeyPlan {
		a.say("The plan:")
	}
	for _, l := range c.About {
		a.say("%s", l)
	}
	if c.Harmless {
		return true, nil // asked only before a change
	}
	ok := c.Default
	if err := a.ask(huh.NewConfirm().Title(c.Ask).Value(&ok)); err != nil {
		return false, err
	}
	return ok, nil
}

func (a *access) Show(l flow.Link) {
	for _, s := range l.Intro {
		a.say("%s", s)
	}
	a.offerLink(l.What, l.URL)
}

func (a *access) Progress(p flow.Progress) {
	for _, l := range []string{p.Doing, p.Note, p.Line} {
		if l != "" {
			a.say("%s", l)
		}
	}
}

func (a *access) Outcome(o flow.Outcome) {
	for _, l := range append(slices.Clone(o.Report), o.Summary...) {
		a.say("%s", l)
	}
	if o.Problem != nil {
		a.problem(o.Problem)
	}
}

// problem says what went wrong and what to do, in the mode's words.
func (a *access) problem(err error) {
	a.say("Problem: %s", err)
	if h := steps.AdviceOf(err).In(accessibleWords); h != "" && !strings.Contains(err.Error(), h) {
		a.say("What to do: %s", h)
	}
}

func (a *access) open(url string) error {
	if a.cfg.OpenBrowser != nil {
		return a.cfg.OpenBrowser(url)
	}
	return defaultOpen(a.cfg.Getenv, url)
}

// offerLink opens url in a browser if the operator wants and one opens;
// otherwise the link is read out to open elsewhere (over SSH, say).
func (a *access) offerLink(what, url string) {
	if a.confirm("Open the "+what+" in a browser?", true) {
		err := a.open(url)
		if err == nil {
			a.say("Opened %s", url)
			return
		}
		// As the full screen says it: the page is not open, so the link
		// follows to open yourself.
		a.say("The browser did not open (%s). Open the link below yourself.", termsafe.Line(err.Error()))
	}
	a.say("%s: %s", strings.ToUpper(what[:1])+what[1:], url)
}

// ---- the walk ----

func (a *access) env() *steps.Env {
	return flow.Env(a, &steps.Env{Vault: a.v, Globus: a.cfg.Globus})
}

func (a *access) run() error {
	env := a.cfg.Env.Name
	if a.cfg.Demo {
		env = "demo, against the built-in emulator"
	}
	if a.cfg.Profile != "" {
		a.say("globus-setup, accessible mode. Profile: %s. Globus environment: %s. Vault: %s.", a.cfg.Profile, env, a.cfg.Paths.Vault)
	} else {
		a.say("globus-setup, accessible mode. Globus environment: %s. Vault: %s.", env, a.cfg.Paths.Vault)
	}
	if a.cfg.Ephemeral {
		// As the full screen's header and unlock screen say it.
		a.say("Demo: this vault is thrown away at quit. To keep one, start with --demo --vault %s.", DemoKeepPath)
	}
	if err := a.unlock(); err != nil {
		return err
	}
	if rs, err := a.v.Recipients(); err == nil && len(rs) > 1 {
		a.say("The vault opens for %d keys: %s.", len(rs), vault.RecipientsSummary(rs))
	}
	cat := steps.Catalogue()
	for i := steps.ResumeIndex(a.v.Doc()); i < len(cat); i++ {
		if err := a.step(cat[i], len(cat)); err != nil {
			return err
		}
	}
	a.say("All steps are done or skipped.")
	if a.confirm("Write the gateway's .env file now?", true) {
		if _, err := flow.WriteEnv(a.ctx, a, a.v, flow.EnvOptions{Suggest: defaultEnvPath(a.cfg, a.v.Doc())}); err != nil {
			if a.ended() != nil {
				return a.ended()
			}
			a.say("Could not write the .env: %v", err)
		}
	}
	if err := a.offerProof(); err != nil {
		return err
	}
	a.say("%s", lastWords(a.cfg))
	return nil
}

func (a *access) unlock() error {
	if a.cfg.Vault != nil {
		a.v = a.cfg.Vault
		if n := sittingNote(a.cfg); n != "" {
			a.say("%s", n)
		}
		return nil
	}
	u, err := flow.Unlock(a.ctx, a, flow.UnlockOptions{Paths: a.cfg.Paths, Sources: a.cfg.Sources, Options: a.cfg.VaultOptions, Force: a.cfg.Force, Throwaway: a.cfg.Ephemeral})
	if err != nil {
		return err
	}
	a.v = u.Vault
	if u.Note != "" {
		a.say("%s.", strings.ToUpper(u.Note[:1])+u.Note[1:])
	}
	return nil
}

// accessibleGuide drops what only the full-screen wizard has: the o key and
// its panel of values to copy (read out after the guide here).
func accessibleGuide(l string) string {
	for _, r := range [][2]string{
		{" (press o)", ""},
		{"under \"" + consolePanelTitle + "\"", "read out below"},
	} {
		l = strings.ReplaceAll(l, r[0], r[1])
	}
	return l
}

// step walks one step: the wizard may do it (flow.PlanAndApply), else the
// console's guide, then its values asked, saved and checked (flow.AskStep,
// SaveStep, CheckStep).
func (a *access) step(s steps.Step, total int) error {
	a.say("")
	a.say("Step %d of %d: %s.", s.Number, total, s.Title)
	for _, l := range markdown(s.Why, 1<<16) {
		a.say("%s", l)
	}
	if done, err := a.offerApply(s); err != nil || done {
		return err
	}
	if s.Guide != "" {
		a.say("On the Globus console:")
		for _, l := range markdown(s.Guide, 1<<16) {
			a.say("%s", accessibleGuide(l))
		}
	}
	if s.ConsoleURL != nil {
		a.offerLink("console page", s.ConsoleURL(a.cfg.Env))
	}
	if s.CopyValues != nil {
		for _, c := range s.CopyValues(a.v.Doc(), a.cfg.Env) {
			a.say("Type on the console, %s: %s", c.Label, c.Value)
		}
	}
	if s.Optional && !a.confirm("This step is optional. Do it now?", true) {
		if err := a.ended(); err != nil {
			return err
		}
		return steps.MarkState(a.v, s.ID, steps.StateSkipped, "")
	}
	for {
		ctx := a.op()
		o, err := flow.AskStep(ctx, a, a.env(), s)
		if err != nil {
			return err
		}
		o.Check = false // said after "Saved."
		if _, err := flow.SaveStep(ctx, a, a.env(), o); err != nil {
			a.say("Not saved: %v", err)
			if a.confirm("Try again?", true) {
				continue
			}
			return a.ended()
		}
		a.say("Saved.")
		if a.check(s, true) {
			return nil
		}
		if !a.confirm("Fix it and try this step again?", true) {
			return a.ended()
		}
	}
}

// check runs the step's action (withAction: after a save; an apply has
// just done it, and would say it again as reused) and checks, as the full
// screen does, saying what they found; false when something is wrong.
func (a *access) check(s steps.Step, withAction bool) bool {
	if a.cfg.Globus == nil || !flow.Checks(s) {
		return true
	}
	c := flow.CheckStep(a.op(), a, a.env(), s, withAction)
	for _, l := range c.Lines {
		a.say("%s", l)
	}
	switch {
	case c.Err != nil:
		a.problem(c.Err)
	case c.OK && skipped(c.Lines):
		a.say("Some checks could not run yet.") // "Saved." is said before, once
		return true
	case c.OK:
		a.say("All good.")
		return true
	default:
		a.say("The check found a problem.")
	}
	return false
}

// offerApply lets the wizard do an API-capable step. done is true when the
// step needs nothing more; false sends the operator to the browser path.
func (a *access) offerApply(s steps.Step) (done bool, err error) {
	if a.cfg.Globus == nil || !slices.Contains(steps.ApplyStepIDs(), s.ID) {
		return false, nil
	}
	choice, err := a.Ask(a.ctx, flow.Question{Key: flow.KeyHow, Suggestion: "wizard",
		Label:   "Let the wizard do this step for you (needs your Globus login), or do it yourself in the browser?",
		Options: []flow.Option{{Label: "Let the wizard do it", Value: "wizard"}, {Label: "Do it yourself in the browser", Value: "browser"}}})
	if err != nil || choice != "wizard" {
		return false, err
	}
	done, err = a.applyStep(s)
	if err == nil && !done {
		a.say("Do this step yourself in the browser, then.")
	}
	return done, err
}

// applyStep logs in if needed, asks the inputs not stored, shows the plan,
// and once approved creates what is missing and checks the step.
func (a *access) applyStep(s steps.Step) (bool, error) {
	if _, ok := steps.LoggedIn(a.v); !ok {
		a.say("The wizard works as you, so it needs your own Globus login first.")
		if !a.login() {
			return false, a.ended()
		}
	}
	values, err := flow.StepInputs(a.ctx, a, a.env(), s)
	if err != nil {
		return false, err
	}
	var res flow.Applied
	for relogged := false; ; relogged = true {
		res, err = flow.PlanAndApply(a.op(), a, a.env(), flow.PlanOptions{Steps: []string{s.ID}, Values: values})
		if err == nil || res.Plan.Operator != "" || len(res.Plan.Items) > 0 {
			break // planned: what became of it follows
		}
		if a.ended() != nil {
			return false, a.ended()
		}
		a.problem(err)
		// A stored login may have expired or lack a scope: one fresh login.
		if relogged || !errors.Is(err, steps.ErrNotLoggedIn) || !a.confirm("Log in again now?", true) {
			return false, a.ended()
		}
		if !a.login() {
			return false, a.ended()
		}
	}
	switch {
	case res.Declined:
		a.say("Nothing was created.")
		return false, a.ended()
	case err != nil:
		if a.ended() != nil {
			return false, a.ended()
		}
		// A failed item's line already said what went wrong and what to do.
		if n := len(res.Results); n == 0 || res.Results[n-1].Err == nil {
			a.problem(err)
		}
		if res.Started() {
			a.say("Whatever was created is stored in the vault, and is not made twice when the wizard tries again.")
		}
		return false, nil
	}
	switch n := res.Created(); n {
	case 0:
		a.say("Nothing needed creating; what was found is stored in the vault.")
	case 1:
		a.say("Created 1 thing and stored it in the vault.")
	default:
		a.say("Created %d things and stored them in the vault.", n)
	}
	if a.check(s, false) {
		return true, nil
	}
	if a.confirm("Fix it yourself in the browser now?", true) {
		return false, nil
	}
	return true, a.ended()
}

// login is the operator's login in line (flow.Login); false when it did
// not work out (what went wrong is said).
func (a *access) login() bool {
	o := flow.LoginOptions{NotOffered: a.cfg.DemoLoginClient}
	if id := a.cfg.DemoLoginClient; id != "" {
		o.Suggested, o.SuggestedFrom = id, "the demo's thick client"
		o.SuggestedNote = "Demo: the emulator's operator already has a thick client (\"Operator's own CLI\")."
	}
	if _, err := flow.Login(a.op(), a, a.env(), o); err != nil {
		if a.ended() == nil {
			a.problem(err)
		}
		return false
	}
	return true
}

// offerProof lets a test user log in through the public client and runs the
// gateway's admission checks on their token (flow.Prove: the token stays
// there; only the verdict and the checks are read out). Input ending at
// its question is the end of the run, not an error.
func (a *access) offerProof() error {
	if a.cfg.Globus == nil {
		return nil
	}
	q := "Prove a test user gets in?"
	for a.confirm(q, true) {
		q = "Prove another test user?"
		if _, err := flow.Prove(a.op(), a, a.env()); err != nil {
			if a.ended() != nil {
				return a.ended()
			}
			a.problem(err)
			if errors.Is(err, flow.ErrNotStarted) {
				return nil
			}
		}
	}
	return a.ctx.Err()
}

// accessibleRedrive words "sign in as Globus asks, then try again" by where
// it stands in a sentence (steps.Redrive…): the walk asks itself.
var accessibleRedrive = map[string]string{
	"":                 "try again and sign in as asked on the page the wizard offers",
	steps.RedriveParen: " when you try again (the wizard then offers that sign-in page)",
	steps.RedriveHint:  "",
	steps.RedriveHere:  "try again and sign in as asked on the page the wizard offers",
}

// accessibleWords names actions in accessible mode's words: what to answer
// or choose in its walk, and the commands (which work beside it) for what
// the walk does not do.
var accessibleWords steps.Namer = accessibleNamer{}

type accessibleNamer struct{}

func (accessibleNamer) Name(a steps.Action) string {
	number := func(id string) string {
		if s, ok := steps.StepByID(id); ok {
			return fmt.Sprintf("step %d", s.Number)
		}
		return "its step"
	}
	switch a.Kind {
	case steps.ActSet:
		spec, ok := steps.Spec(a.Key)
		if !ok {
			break
		}
		return "the " + spec.Label + " answer of " + number(spec.Step) + " (run the wizard again to reach it)"
	case steps.ActLogin:
		if a.Req != nil {
			return "a new try (the wizard then asks you to sign in as Globus asks)"
		}
		if a.Run {
			return "log in: the wizard asks for your login before it does a step for you"
		}
		// Said inside a sentence ("log in to check (…)"): no "log in" again.
		return "the wizard asks for your login before it does a step for you"
	case steps.ActRedrive:
		return accessibleRedrive[a.Value]
	case steps.ActApply:
		if a.Step != "" {
			return "letting the wizard do " + number(a.Step)
		}
		return "letting the wizard do each step"
	case steps.ActCheck:
		if a.Step != "" {
			return "the check after saving " + number(a.Step)
		}
	case steps.ActWords:
		if len(a.Args) > 2 {
			return a.Args[2]
		}
		return a.Args[0]
	case steps.ActRotate, steps.ActCommand:
		// The walk rotates nothing and runs nothing: a command to run in a shell.
		return steps.InAShell(a)
	}
	// What the walk has no answer for: the command line's words, which
	// work beside it.
	return steps.CLI.Name(a)
}
