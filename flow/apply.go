package flow

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// Suggest reads the whole setup's inputs, each with the value suggested
// for it and where that comes from (the operator's login gives the contact
// e-mail and the identity domain): what the wizard's one form holds, and
// what apply uses for inputs not given. Without a login the stored values
// and defaults come back, with the error saying why.
func Suggest(ctx context.Context, ui UI, e *steps.Env) ([]steps.Suggestion, error) {
	ui.Progress(Progress{Doing: "Reading who you are and what is stored…"})
	return steps.Suggest(ctx, e)
}

// PlanOptions say what to plan and carry out.
type PlanOptions struct {
	// Setup: the whole setup, steps 1–6 and the group (the one form's
	// values, steps.Suggestion keys). Else Step: one step's "do it for
	// me" (its own plan for the groups). Else Steps: apply's steps of 1–5
	// (none: all five).
	Setup bool
	Step  string
	Steps []string
	// Values are inputs that override the vault (names, e-mail, domains,
	// the re-authentication window; the group's with Setup).
	Values map[string]string
	// Suggest fills the inputs not given (nor stored) with what the one
	// form would suggest, said as suggestions beside the plan; Flags names
	// the flag that gives each (the commands').
	Suggest bool
	Flags   map[string]string
	// DryRun shows the plan and stops.
	DryRun bool
	// Extra are lines shown after the plan's own (the .env's, for Setup).
	Extra []string
}

// Applied is what PlanAndApply did.
type Applied struct {
	Plan      steps.SetupPlan
	Values    map[string]string // the inputs planned with, suggestions included
	Suggested []steps.Suggestion
	Results   []steps.ApplyResult
	Declined  bool // the plan was shown and not approved
	DryRun    bool
}

// Created counts what was made; Kept what was kept or reused.
func (a Applied) Created() int { return count(a.Results, true) }
func (a Applied) Kept() int    { return count(a.Results, false) }

func count(rs []steps.ApplyResult, created bool) int {
	n := 0
	for _, r := range rs {
		if r.Err == nil && (r.Item.Action == steps.PlanCreate) == created {
			n++
		}
	}
	return n
}

// Started: something was carried out, so something may have been made.
func (a Applied) Started() bool { return len(a.Results) > 0 }

// PlanAndApply plans (reads only), shows the plan and asks before
// creating anything (a plan with nothing to create asks only where the
// front-end always does), then carries it out, each result shown as it
// comes. The plan shown is the plan approved: steps.Apply refuses one that
// changed meanwhile so that it would create more (steps.ErrPlanChanged).
// Everything made is stored at once; after a failure a new run carries
// on without making anything twice.
func PlanAndApply(ctx context.Context, ui UI, e *steps.Env, o PlanOptions) (Applied, error) {
	res := Applied{Values: maps.Clone(o.Values), DryRun: o.DryRun}
	if res.Values == nil {
		res.Values = map[string]string{}
	}
	if o.Suggest {
		res.Suggested = suggestInputs(ctx, ui, e, o, res.Values)
	}
	ui.Progress(Progress{Doing: "Looking at what is there already…"})
	plan, err := makePlan(ctx, e, o, res.Values)
	if err != nil {
		return res, err
	}
	res.Plan = plan
	lines := append(plan.Lines(), o.Extra...)
	lines = append(lines, suggestedLines(res.Suggested, o.Flags)...)
	nothing := say(ui, Words("Nothing to create: everything is in place.", "Nothing to create.", "Nothing to create: what was found is kept and stored."))
	if plan.Creates() == 0 {
		lines = append(lines, nothing)
	}
	if o.DryRun {
		ui.Outcome(Outcome{OK: true, Report: lines, Summary: []string{"Dry run: nothing was created or stored."}})
		return res, nil
	}
	yes, err := ui.Confirm(ctx, Confirm{Key: KeyPlan, Ask: "Create these?", About: lines, Plan: &plan,
		Flag: "--yes", Harmless: plan.Creates() == 0})
	if err != nil {
		return res, err
	}
	if !yes {
		res.Declined = true
		return res, nil
	}
	ui.Progress(Progress{Doing: "Doing it…"})
	progress := func(r steps.ApplyResult) {
		if signInAsked(r.Err) {
			return // the question to sign in again says it in words
		}
		if plan.Creates() == 0 && r.Err == nil && r.Item.Action == steps.PlanKeep {
			return // the plan listed every keep already
		}
		ui.Progress(Progress{Line: r.LineIn(ui.Words()), Failed: r.Err != nil})
	}
	res.Results, err = carryOut(ctx, e, o, res.Values, plan, progress)
	if err != nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	return res, err
}

func makePlan(ctx context.Context, e *steps.Env, o PlanOptions, values map[string]string) (steps.SetupPlan, error) {
	switch {
	case o.Setup:
		return steps.MakeSetupPlan(ctx, e, values)
	case o.Step != "":
		return steps.PlanStep(ctx, e, o.Step, values)
	}
	p, err := steps.MakePlan(ctx, e, steps.ApplyOptions{Steps: o.Steps, Values: values})
	return steps.SetupPlan{Plan: p}, err
}

func carryOut(ctx context.Context, e *steps.Env, o PlanOptions, values map[string]string, plan steps.SetupPlan, progress func(steps.ApplyResult)) ([]steps.ApplyResult, error) {
	switch {
	case o.Setup:
		return steps.ApplySetup(ctx, e, values, plan, progress)
	case o.Step != "":
		return steps.ApplyStep(ctx, e, o.Step, values, plan, progress)
	}
	_, results, err := steps.Apply(ctx, e, steps.ApplyOptions{Steps: o.Steps, Values: values}, &plan.Plan, progress)
	return results, err
}

// suggestInputs fills the planned steps' inputs neither given nor stored
// with the one form's suggestions, and returns those it used.
func suggestInputs(ctx context.Context, ui UI, e *steps.Env, o PlanOptions, values map[string]string) []steps.Suggestion {
	sugg, _ := Suggest(ctx, ui, e) // without a login the plan says so
	var used []steps.Suggestion
	for _, s := range sugg {
		spec, ok := steps.Spec(s.Key)
		switch {
		case !ok, s.Value == "", s.From == "stored", strings.TrimSpace(values[s.Key]) != "":
			continue
		case len(o.Steps) > 0 && !slices.Contains(o.Steps, spec.Step):
			continue // an input of a step not planned
		}
		values[s.Key] = s.Value
		used = append(used, s)
	}
	return used
}

// suggestedLines mark the inputs the plan used that nobody gave.
func suggestedLines(used []steps.Suggestion, flags map[string]string) []string {
	if len(used) == 0 {
		return nil
	}
	out := []string{"Suggested, as the wizard's one form would (not given; give them to change them):"}
	for _, s := range used {
		l := "  " + s.Label + ": " + steps.ShowValue(s.Key, s.Value) + " (suggested: " + s.From
		if f := flags[s.Key]; f != "" {
			l += "; " + f + " gives another"
		}
		out = append(out, l+")")
	}
	return out
}

// StepInputs asks for a step's inputs Apply can use that are not stored
// (names, e-mail, domains, the re-authentication window), each with what a
// blank answer means; IDs and secrets are what Apply finds or makes. With
// the step's object stored already, Apply takes its values from Globus, so
// nothing is asked.
func StepInputs(ctx context.Context, ui UI, e *steps.Env, s steps.Step) (map[string]string, error) {
	doc := e.Vault.Doc()
	var ask []steps.Field
	for _, f := range s.Fields {
		f = steps.FieldIn(doc, f)
		switch {
		case f.Kind == steps.KindUUID && doc.Values[f.Key] != "":
			return nil, nil
		case f.Kind == steps.KindUUID, f.Secret, doc.Values[f.Key] != "":
		default:
			ask = append(ask, f)
		}
	}
	values := map[string]string{}
	for _, f := range ask {
		def, optional := applyDefaults[f.Key]
		q := Question{Key: f.Key, Label: f.Label, Optional: optional, Validate: valid(f.Key)}
		if optional {
			q.Label += " (enter for " + def + ")"
		} else {
			q.Validate = func(v string) error {
				if strings.TrimSpace(v) == "" {
					return errors.New(f.Label + " is required: the wizard cannot make it up")
				}
				return valid(f.Key)(v)
			}
		}
		v, err := ui.Ask(ctx, q)
		if err != nil {
			return nil, err
		}
		if v != "" {
			values[f.Key] = v
		}
	}
	return values, nil
}

// applyDefaults say what a blank answer to an optional input of Apply
// means: Apply fills it in itself.
var applyDefaults = map[string]string{
	"project.name":             "the name " + assets.DefaultProjectName,
	"project.contact_email":    "the e-mail of your Globus login",
	"policy.assurance_timeout": humanTimeout(assets.DefaultAssuranceTimeout),
}

func humanTimeout(secs string) string {
	n, err := strconv.Atoi(secs)
	if err == nil && n > 0 && n%3600 == 0 {
		return fmt.Sprintf("%d hours", n/3600)
	}
	return secs + " seconds"
}

// signInAsked: err is Globus asking for a new sign-in, which the task's
// own question answers (its refused result is not a failure to show).
func signInAsked(err error) bool {
	_, _, ok := globus.RequirementsOf(err)
	return ok
}
