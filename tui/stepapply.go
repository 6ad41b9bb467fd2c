package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// "Do it for me": a step's plan (reads only), then, once approved, Apply.

// applyDone is what "do it for me" came to, and the check after it.
type applyDone struct {
	a     flow.Applied
	err   error
	check *flow.Checked
}

// applyValues are the typed inputs Apply may use (names, e-mail, domains,
// timeout): IDs and secrets are what Apply finds or makes itself. ok is false
// when one is invalid: planning with the stored value instead would create
// something other than what the screen shows.
func (p *stepModel) applyValues() (map[string]string, bool) {
	values := map[string]string{}
	ok := true
	for _, f := range p.fields {
		if f.f.Kind == steps.KindUUID || f.f.Secret {
			continue
		}
		raw := strings.TrimSpace(inputValue(f.in))
		if raw == "" {
			continue
		}
		if !p.validateField(f, false) {
			ok = false
			continue
		}
		if v, err := steps.Validate(f.f.Key, raw); err == nil {
			values[f.f.Key] = v
		}
	}
	return values, ok
}

// makePlan asks what Apply would do for this step (flow.PlanAndApply): the
// plan comes back to approve; approved, the same task carries it out and
// checks the step.
func (p *stepModel) makePlan() tea.Cmd {
	m := p.sh.m
	p.plan, p.applied, p.approved = nil, outcome{}, false
	if m.cfg.Globus == nil {
		p.result = outcome{summary: []string{"No Globus client is configured, so the wizard cannot do this step."}}
		return nil
	}
	values, ok := p.applyValues()
	if !ok {
		p.result = outcome{summary: []string{"Fix the value marked ✗ (or clear it), then press a again."}}
		return nil
	}
	p.result = outcome{}
	p.planValues = values
	base, st := m.env(), p.step
	return m.run(&p.job, p, "Looking at what is there already… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		e := flow.Env(ui, base) // Globus may ask for a new sign-in (reauth.go)
		a, err := flow.PlanAndApply(ctx, ui, e, flow.PlanOptions{Step: st.ID, Values: values})
		done := applyDone{a: a, err: err}
		if err == nil && !a.Declined {
			// What "do it for me" did is what the step's action does: its
			// checks alone follow.
			c := flow.CheckStep(ctx, ui, e, st, false)
			done.check = &c
		}
		return done
	})
}

// apply approves the plan on screen; each result is shown as it arrives.
func (p *stepModel) apply() tea.Cmd {
	p.result = outcome{}
	return p.approve(&p.job, "Doing it… (esc stops)")
}

// appliedDone shows the plan's problem, or what was done and the check.
func (p *stepModel) appliedDone(msg applyDone) tea.Cmd {
	if !p.settled() {
		switch {
		case msg.a.Declined:
		case errors.Is(msg.err, context.Canceled):
			p.result = outcome{summary: []string{"Cancelled. Nothing was changed."}}
		case msg.err != nil:
			p.result = outcome{summary: append(applyProblem(msg.err), p.missingHint(msg.err)...)}
			for k, e := range fieldErrors(msg.err) {
				for _, f := range p.fields {
					if f.f.Key == k {
						f.err = safeMessage(e, inputValue(f.in))
					}
				}
			}
		}
		return nil
	}
	o := outcome{}
	for _, r := range msg.a.Results {
		o.report = append(o.report, r.LineIn(wizardWords))
	}
	p.sh.refresh()
	switch {
	case errors.Is(msg.err, context.Canceled):
		o.summary = []string{"Stopped. What was created is stored in the vault; anything Globus made as you pressed esc is found and adopted when you press a to carry on."}
	case errors.Is(msg.err, steps.ErrPlanChanged):
		o.summary = append(explain(msg.err), "Nothing was created. Press a to see the new plan.")
	case msg.err != nil:
		o.summary = append(applyProblem(msg.err), "Press a to carry on: what was already made is stored and is not made twice.")
	}
	if msg.err != nil {
		p.prefill(false) // keep what the operator typed
		p.applied = o
		return nil
	}
	p.prefill(true)
	o.ok = true
	switch created := msg.a.Created(); created {
	case 0:
		o.summary = []string{"Nothing needed creating; what was found is stored in the vault."}
	case 1:
		o.summary = []string{"Created 1 thing and stored it in the vault."}
	default:
		o.summary = []string{fmt.Sprintf("Created %d things and stored them in the vault.", created)}
	}
	p.applied = o
	if msg.check == nil {
		return nil
	}
	return p.checked(*msg.check)
}

// missingHint points at this step's empty field that the plan says it
// needs: the Problem's advice is written for the command line too.
func (p *stepModel) missingHint(err error) []string {
	for _, f := range p.fields {
		if f.f.Kind == steps.KindUUID || f.f.Secret || strings.TrimSpace(inputValue(f.in)) != "" {
			continue
		}
		if strings.Contains(err.Error(), f.f.Key) {
			return []string{"Here: press enter, type the " + strings.ToLower(f.f.Label) + ", esc, then a again."}
		}
	}
	return nil
}

// applyProblem is explain, with the login advice in the wizard's words.
func applyProblem(err error) []string {
	if !errors.Is(err, steps.ErrNotLoggedIn) {
		return explain(err)
	}
	out := []string{"The wizard needs your own Globus login to do this for you. Press L to log in, then come back and press a."}
	var pr *steps.Problem
	if errors.As(err, &pr) && pr.What != "" && !strings.HasPrefix(pr.What, "not logged in") {
		out = append(out, "("+pr.What+".)")
	}
	return out
}

// planLines renders the plan awaiting approval.
func (p *stepModel) planLines(w int) []string {
	st := p.sh.m.st
	out := []string{"", st.heading.Render("Plan")}
	lines, creates := p.plan.Lines(), p.plan.Creates()
	for _, l := range lines {
		out = append(out, planLine(l, w)...)
	}
	if creates == 0 {
		out = append(out, styledWrap(st.faint, "Nothing to create.", w)...)
	}
	out = append(out, "", st.key.Render("enter")+": do it · "+st.key.Render("esc")+": back")
	return out
}

// planLine wraps one plan line with its continuation under the object,
// past the action column ("  create  ").
func planLine(l string, w int) []string {
	l = termsafe.Line(l) // names from Globus
	if strings.HasPrefix(l, "  ") && w > 40 {
		return hanging(l, 10, w)
	}
	return hanging(l, 2, w)
}
