package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// What a step screen's tasks hand back.
type (
	skipDone struct{ err error }
	saveDone struct {
		saved flow.Saved
		err   error
	}
	checkDone struct{ c flow.Checked }
)

// field is one huh input with its own validation message.
type field struct {
	f        steps.Field
	in       *huh.Input
	err      string
	revealed bool
	// suggested is the default offered when nothing is stored (enter
	// accepts it); the title says so while the value is unchanged.
	suggested, from string
	touched         bool // typed in since it was filled: the suggestion is no longer replaced
}

// stagedValue is a field's value before a paste replaced it, kept until
// the form is saved or left.
type stagedValue struct {
	f   *field
	old string
}

// stepModel shows one step: why, what to do on the console, values to copy
// there, the fields to paste back, and the result of its action and check.
type stepModel struct {
	sh      *shellModel
	step    steps.Step
	fields  []*field
	focus   int
	editing bool
	// pasted is the field a paste just filled, kept in view (the note on
	// the status line alone says what happened) until the form is saved.
	pasted *field

	job job
	// approval is "do it for me": its plan on screen, then what it did,
	// kept above the check that follows.
	approval
	// afterSave: the check running follows a save (not x).
	afterSave bool

	formErr     string
	result      outcome
	planValues  map[string]string
	linkShown   bool
	browserNote string
	// readNote says what was read from Globus into the fields (step 5),
	// added to the note shown on the next step.
	readNote string
	// domainsFor is the policy whose domains and timeout step 5's fields
	// hold (stored with it, or read from it): pasting another policy reads
	// that one's instead of keeping the old policy's; read is what was read
	// from it, not read again.
	domainsFor string
	read       steps.ReadBack
	// staged is a secret pasted over a stored one, in the form but not
	// saved; esc puts the stored one back.
	staged *stagedValue

	// The step texts rendered for mdWidth: markdown is parsed once per width,
	// not once per frame.
	mdWidth        int
	whyMD, guideMD []string
}

func newStep(sh *shellModel, st steps.Step) *stepModel {
	p := &stepModel{sh: sh, step: st}
	for _, f := range st.Fields {
		f = p.named(f)
		in := huh.NewInput().Title(fieldTitle(f)).Placeholder(examplePlaceholder(f))
		if f.Secret {
			in.EchoMode(huh.EchoModePassword)
		}
		in.WithKeyMap(huh.NewDefaultKeyMap())
		in.WithTheme(sh.m.st.theme)
		p.fields = append(p.fields, &field{f: f, in: in})
	}
	p.prefill(true)
	p.resize(sh.mainWidth())
	return p
}

// named is the step's field f as this screen shows it: a group named by its
// display name on Globus, as verify names it (steps.FieldIn), and the demo's
// own users as the example.
func (p *stepModel) named(f steps.Field) steps.Field {
	f = steps.FieldIn(p.sh.doc, f)
	if strings.HasPrefix(f.Key, "groups."+steps.DefaultGroup+".") {
		// A stored ID whose group was not read yet (before the login) has
		// no name on Globus to show: the form's one group needs none, and
		// its key, which the operator never typed, is not one (as fieldOf).
		f.Label = strings.TrimSuffix(f.Label, " ("+steps.DefaultGroup+")")
		f.Help = strings.ReplaceAll(f.Help, "the group '"+steps.DefaultGroup+"'", "the group")
	}
	if u := p.sh.m.cfg.DemoUsers; f.Kind == steps.KindUsernames && len(u) > 0 {
		// The generic example names people the demo does not know.
		f.Placeholder = strings.Join(u, " ")
		f.Help = "The demo's users: " + strings.Join(u, " ") + ". " + f.Help
	}
	if d := demoDomains(p.sh.m.cfg.DemoUsers); f.Kind == steps.KindDomains && d != "" {
		// Without them in the policy the demo's users are refused.
		f.Help = "The demo's users log in from " + d + ". " + f.Help
	}
	return f
}

// examplePlaceholder marks an example as one ("e.g. …"): grey text alone
// looks like a stored value where there is no colour (NO_COLOR, a screen
// reader). A placeholder that is a sentence already reads as one.
func examplePlaceholder(f steps.Field) string {
	if f.Placeholder == "" || f.Secret {
		return f.Placeholder
	}
	return "e.g. " + f.Placeholder
}

func fieldTitle(f steps.Field) string {
	if f.Optional {
		return f.Label + " (optional)"
	}
	return f.Label
}

// prefill loads stored values; all=false only fills fields still empty (an
// action may have stored a value the operator has not typed). A field with
// nothing stored gets its suggested value, if there is one.
func (p *stepModel) prefill(all bool) {
	for i, f := range p.fields {
		f.f = p.named(p.step.Fields[i]) // the project's name may have changed
		v, ok := p.sh.doc.Values[f.f.Key]
		if ok && (all || inputValue(f.in) == "") {
			setInput(f.in, v)
			f.touched = false
		}
		if !ok && inputValue(f.in) == "" {
			f.touched = false
			f.suggested, f.from = steps.SuggestValue(p.sh.doc, f.f.Key)
			if f.suggested != "" {
				setInput(f.in, f.suggested)
			}
		}
		p.retitle(f)
	}
	if all {
		p.domainsFor = p.sh.doc.Values["policy.id"]
	}
}

// relabel names the fields anew after the vault changed (the project's
// name, which the default group's display name is made from).
func (p *stepModel) relabel() {
	for i, f := range p.fields {
		f.f = p.named(p.step.Fields[i])
		p.retitle(f)
	}
}

// retitle marks an unchanged suggested value in words (readable without
// colour), so it is not mistaken for one typed or stored.
func (p *stepModel) retitle(f *field) {
	t := fieldTitle(f.f)
	if v := strings.TrimSpace(inputValue(f.in)); f.suggested != "" && v == f.suggested {
		t += "  (suggested: " + f.from + ")"
	}
	f.in.Title(t)
}

func (p *stepModel) resize(w int) {
	for _, f := range p.fields {
		f.in.WithWidth(max(w-2, 10))
	}
}

func (p *stepModel) typing() bool { return p.editing }

func (p *stepModel) cancel() tea.Cmd { return p.job.cancel() }

func (p *stepModel) bindings() []key.Binding {
	k := p.sh.m.keys
	if p.job.busy {
		return []key.Binding{k.Cancel}
	}
	if p.editing {
		b := []key.Binding{k.Submit, k.NextField, k.Save, k.Done}
		if p.focus < len(p.fields) && p.fields[p.focus].f.Secret {
			b = append(b, k.RevealIn)
		}
		return b
	}
	if p.plan != nil {
		return []key.Binding{k.DoIt, k.Back}
	}
	var b []key.Binding
	if len(p.fields) > 0 {
		b = append(b, k.Edit)
	}
	if p.step.CanApply() {
		b = append(b, k.Apply)
	}
	if p.step.ConsoleURL != nil {
		b = append(b, k.Open)
		if p.linkShown {
			b = append(b, k.CopyURL)
		}
	}
	if len(p.copyValues()) > 0 {
		b = append(b, k.CopyN)
	}
	if p.step.Action != nil || p.step.Verify != nil {
		b = append(b, k.Check)
	}
	if p.step.Optional {
		b = append(b, k.Skip)
	}
	return b
}

func (p *stepModel) copyValues() []steps.CopyValue {
	if p.step.CopyValues == nil {
		return nil
	}
	cv := p.step.CopyValues(p.sh.doc, p.sh.m.cfg.Env)
	if d := demoDomains(p.sh.m.cfg.DemoUsers); d != "" && p.domainsEmpty() {
		// The policy made on the demo's console must let its users in.
		cv = append(cv, steps.CopyValue{Label: "Included Domains (the demo's users', one per line)", Value: strings.ReplaceAll(d, " ", "\n")})
	}
	return cv
}

// domainsEmpty: the step has an identity-domains field with nothing stored.
func (p *stepModel) domainsEmpty() bool {
	for _, f := range p.step.Fields {
		if f.Kind == steps.KindDomains && p.sh.doc.Values[f.Key] == "" {
			return true
		}
	}
	return false
}

// demoDomains are the identity domains of the demo's users, "" outside
// the demo.
func demoDomains(users []string) string {
	return strings.Join(steps.UsernameDomains(strings.Join(users, " ")), " ")
}

func (p *stepModel) consoleURL() string {
	if p.step.ConsoleURL == nil {
		return ""
	}
	return p.step.ConsoleURL(p.sh.m.cfg.Env)
}

func (p *stepModel) update(msg tea.Msg) tea.Cmd {
	m := p.sh.m
	switch msg := msg.(type) {
	case tea.KeyMsg:
		if p.job.busy {
			if key.Matches(msg, m.keys.Cancel) {
				p.job.label = "Cancelling…"
				return p.cancel()
			}
			return nil
		}
		if p.editing {
			return p.editKey(msg)
		}
		return p.browseKey(msg)
	case browserOpenedMsg:
		if msg.url != p.consoleURL() {
			return nil
		}
		if msg.err != nil {
			p.linkShown = true
			p.browserNote = "The browser did not open (" + termsafe.Line(msg.err.Error()) + "). Open the link above yourself, or press u to copy it."
		} else {
			p.browserNote = "Opened in your browser."
		}
		return nil
	}
	if p.editing && p.focus < len(p.fields) {
		_, cmd := p.fields[p.focus].in.Update(msg)
		return cmd
	}
	return nil
}

// onFlow takes the step's tasks' events: what is under way, the plan to
// approve, each result as it comes, then what the task came to.
func (p *stepModel) onFlow(ev flowEvent) tea.Cmd {
	if cmd, ok := p.approval.event(ev); ok {
		return cmd
	}
	if !ev.done {
		if !p.approved {
			p.job.doing(ev)
		}
		return ev.next
	}
	switch res := ev.res.(type) {
	case skipDone:
		if res.err != nil {
			p.result = outcome{summary: []string{"Could not skip: " + res.err.Error()}}
			return nil
		}
		p.sh.refresh()
		return p.sh.goToNextStep(p.step.Number - 1)
	case saveDone:
		return p.saved(res)
	case checkDone:
		return p.checked(res.c)
	case applyDone:
		return p.appliedDone(res)
	}
	return nil
}

func (p *stepModel) browseKey(msg tea.KeyMsg) tea.Cmd {
	m := p.sh.m
	k := m.keys
	if p.plan != nil {
		// Only the plan's own keys: a stray key must not approve or edit it.
		switch {
		case key.Matches(msg, k.DoIt):
			return p.apply()
		case key.Matches(msg, k.Back):
			return p.decline(&p.job)
		}
		return nil
	}
	if msg.Paste && len(p.fields) > 0 {
		return p.pasteIn(strings.TrimSpace(string(msg.Runes)))
	}
	switch {
	case key.Matches(msg, k.Apply) && p.step.CanApply() && !p.sh.loggedIn && m.cfg.Globus != nil:
		// A login missing is not the step failing: log in, as A does,
		// then back here to plan.
		return p.sh.loginForStep(p.sh.sel)
	case key.Matches(msg, k.Apply) && p.step.CanApply():
		return p.makePlan()
	case key.Matches(msg, k.Edit) && len(p.fields) > 0:
		p.editing = true
		p.focus = p.startField() // straight to what is missing
		return p.focusCmd()
	case key.Matches(msg, k.Open) && p.step.ConsoleURL != nil:
		return m.openCmd(p.consoleURL())
	case key.Matches(msg, k.CopyURL) && p.step.ConsoleURL != nil:
		return m.copyCmd("console link", p.consoleURL())
	case key.Matches(msg, k.CopyN):
		cv := p.copyValues()
		n := int(msg.Runes[0] - '1')
		if n < len(cv) {
			return m.copyCmd(cv[n].Label, cv[n].Value)
		}
	case key.Matches(msg, k.Check) && (p.step.Action != nil || p.step.Verify != nil):
		return p.runCheck()
	case key.Matches(msg, k.Skip) && p.step.Optional:
		v, id := m.vault, p.step.ID
		return m.run(&p.job, p, "Skipping…", func(context.Context, flow.UI) any {
			return skipDone{err: steps.MarkState(v, id, steps.StateSkipped, "")}
		})
	}
	return nil
}

func (p *stepModel) editKey(msg tea.KeyMsg) tea.Cmd {
	k := p.sh.m.keys
	f := p.fields[p.focus]
	switch {
	case msg.Type == tea.KeyEsc:
		p.editing = false
		if st := p.staged; st != nil {
			setInput(st.f.in, st.old)
			st.f.touched = false
			p.validateField(st.f, false)
			p.retitle(st.f)
			p.staged = nil
			p.sh.flash = st.f.f.Label + ": the stored value is kept."
		}
		return p.focusCmd()
	case key.Matches(msg, k.Save):
		if strings.Contains(p.sh.flash, "; ctrl+s saves.") {
			p.sh.flash = "" // done as it said
		}
		return p.submit()
	case key.Matches(msg, k.RevealIn):
		if f.f.Secret {
			f.revealed = !f.revealed
			if f.revealed {
				f.in.EchoMode(huh.EchoModeNormal)
			} else {
				f.in.EchoMode(huh.EchoModePassword)
			}
		}
		return nil
	case msg.Type == tea.KeyEnter:
		if p.focus == len(p.fields)-1 {
			return p.submit()
		}
		return p.moveFocus(1)
	case msg.Type == tea.KeyTab || msg.Type == tea.KeyDown:
		return p.moveFocus(1)
	case msg.Type == tea.KeyShiftTab || msg.Type == tea.KeyUp:
		return p.moveFocus(-1)
	}
	if msg.Paste && strings.TrimSpace(inputValue(f.in)) == "" {
		if i := p.pasteTarget(strings.TrimSpace(string(msg.Runes))); i >= 0 && i != p.focus {
			// Not valid here but valid in another empty field (a group ID
			// pasted at the members): put it there, as on the step's screen.
			p.focus = i
			why := "It fits there, not in " + f.f.Label + "."
			if f.f.Kind == steps.KindUsernames {
				// A member's identity UUID would fit the members too: say
				// how to add one, so the guess is never silent.
				why = "A UUID at the members is taken as the group made on the console; add a member's identity UUID after it."
			}
			// The form stays open: say how it is saved (enter moves on).
			p.sh.flash = "Pasted into " + p.fields[i].f.Label + "; ctrl+s saves. " + why
			p.pasted = p.fields[i]
			cmd := p.focusCmd()
			return tea.Batch(cmd, p.editKey(msg))
		}
	}
	if !f.touched && replacesSuggestion(msg, f.suggested, inputValue(f.in)) {
		setInput(f.in, "")
	}
	f.touched = true
	if !msg.Paste && p.pasted != f && strings.HasPrefix(p.sh.flash, "Pasted into ") {
		p.sh.flash = "" // the operator has moved on from the paste
	}
	_, cmd := f.in.Update(msg)
	p.validateField(f, false)
	if !msg.Paste && f.err != "" {
		f.err = whileTyping(f.f.Key, strings.TrimSpace(inputValue(f.in)), f.err)
	}
	p.retitle(f)
	return cmd
}

// replacesSuggestion: typing or pasting into a field still holding its
// suggested value replaces it, as a selected default does; enter keeps it
// and the arrow keys or backspace edit it.
func replacesSuggestion(msg tea.KeyMsg, suggested, value string) bool {
	return suggested != "" && msg.Type == tea.KeyRunes && strings.TrimSpace(value) == suggested
}

func (p *stepModel) moveFocus(d int) tea.Cmd {
	p.validateField(p.fields[p.focus], false)
	p.focus = (p.focus + d + len(p.fields)) % len(p.fields)
	return p.focusCmd()
}

// focusCmd focuses one field; only that field shows its help, to save lines.
func (p *stepModel) focusCmd() tea.Cmd {
	var cmd tea.Cmd
	for i, f := range p.fields {
		if i == p.focus && p.editing {
			f.in.Description(f.f.Help)
			cmd = f.in.Focus()
		} else {
			f.in.Description("")
			f.in.Blur()
		}
	}
	return cmd
}

// validateField checks as typed; an empty required field only complains on
// submit so the operator is not scolded before starting.
func (p *stepModel) validateField(f *field, submitting bool) bool {
	v := strings.TrimSpace(inputValue(f.in))
	f.err = ""
	if v == "" {
		if submitting && !f.f.Optional {
			f.err = f.f.Label + " is required."
		}
		return f.err == ""
	}
	if _, err := steps.Validate(f.f.Key, v); err != nil {
		f.err = fieldProblem(f.in, err, v)
	}
	return f.err == ""
}

// safeMessage never lets a typed value (maybe a secret) reach the screen
// through an error message, nor any terminal escape it holds.
func safeMessage(msg, value string) string {
	if len(value) >= 4 && strings.Contains(msg, value) {
		msg = strings.ReplaceAll(msg, value, "(the value typed)")
	}
	return termsafe.Line(msg)
}

// submit saves the form (flow.SaveStep): a policy ID's domains and
// timeout are read from Globus first unless typed, then everything is
// stored and checked; passed, the wizard moves on to the next step.
func (p *stepModel) submit() tea.Cmd {
	p.pasted = nil
	m := p.sh.m
	o := p.saveOptions()
	ok := true
	first := -1
	for i, f := range p.fields {
		if p.mayBeRead(f, o) {
			// Read from Globus by the save, or asked for then.
			p.validateField(f, false)
			continue
		}
		if !p.validateField(f, true) {
			ok = false
			if first < 0 {
				first = i
			}
		}
	}
	if !ok {
		p.focus = first
		return p.focusCmd()
	}
	p.staged = nil
	p.formErr = ""
	p.sh.clearArrived()
	p.afterSave = true
	label := "Saving to the vault…"
	env := m.env()
	return m.run(&p.job, p, label, func(ctx context.Context, ui flow.UI) any {
		sv, err := flow.SaveStep(ctx, ui, flow.Env(ui, env), o)
		return saveDone{saved: sv, err: err}
	})
}

// saveOptions are the form's values for flow.SaveStep: what the operator
// typed is kept as typed; values that are another policy's (read or stored
// with it, untouched) are left out, to be read from the pasted one.
func (p *stepModel) saveOptions() flow.SaveOptions {
	o := flow.SaveOptions{Step: p.step.ID, Values: map[string]string{}, Typed: map[string]bool{}, Check: true}
	polID := p.pastedPolicy()
	for _, f := range p.fields {
		v := strings.TrimSpace(inputValue(f.in))
		switch {
		case polID != "" && p.otherPolicys(f, polID) && f.f.Kind != steps.KindUUID:
			v = "" // another policy's: read the pasted one's
		case v != "" && f.touched:
			o.Typed[f.f.Key] = true
		case v != "" && polID != "" && p.domainsFor == polID && f.f.Kind != steps.KindUUID:
			o.Typed[f.f.Key] = true // already this policy's (stored or read)
		}
		if v != "" || !f.f.Optional {
			o.Values[f.f.Key] = v
		}
	}
	if p.read.Of != "" && p.read.Of == polID && p.holdsRead() {
		o.Read = p.read // the fields hold what was read: not read again
	}
	return o
}

// holdsRead: the fields still hold what was last read from Globus (one
// emptied is to be read again: the policy may have been edited).
func (p *stepModel) holdsRead() bool {
	for k, v := range p.read.Values {
		if f := p.fieldByKey(k); f != nil && strings.TrimSpace(inputValue(f.in)) != v {
			return false
		}
	}
	return true
}

// pastedPolicy is the valid policy ID in step 5's field ("" none).
func (p *stepModel) pastedPolicy() string {
	f := p.fieldByKey("policy.id")
	if f == nil {
		return ""
	}
	id, err := steps.Validate("policy.id", inputValue(f.in))
	if err != nil {
		return ""
	}
	return id
}

// mayBeRead: f, empty, may be filled by reading back another field's value
// from Globus (a policy's domains), so it is not called required yet.
func (p *stepModel) mayBeRead(f *field, o flow.SaveOptions) bool {
	if strings.TrimSpace(o.Values[f.f.Key]) != "" || f.f.Kind == steps.KindUUID || f.f.Secret || p.sh.m.cfg.Globus == nil {
		return false
	}
	for k, v := range o.Values {
		if _, ok := steps.ReadsBack(k); ok && v != "" {
			return true
		}
	}
	return false
}

// saved shows what saving did: the values read from Globus in their fields
// (labelled so), a value still missing, or the save and its check.
func (p *stepModel) saved(msg saveDone) tea.Cmd {
	sv := msg.saved
	pasted := p.fieldByKey(sv.Read.Key)
	if polID := p.pastedPolicy(); polID != "" {
		for _, f := range p.fields {
			if f.f.Kind != steps.KindUUID && p.otherPolicys(f, polID) {
				// Another policy's values (stored with it, or read from
				// it) are not this one's: cleared, so the read fills them.
				setInput(f.in, "")
				f.suggested, f.from, f.err = "", "", ""
				p.retitle(f)
			}
		}
	}
	if len(sv.Read.Values) > 0 {
		p.domainsFor, p.read = sv.Read.Of, sv.Read
		p.readNote = "Read from the policy on Globus: domains " + termsafe.Line(sv.Read.Values["policy.domains"]) + "."
		for k, v := range sv.Read.Values {
			if f := p.fieldByKey(k); f != nil && f.untouched() {
				setInput(f.in, v)
				f.suggested, f.from, f.touched = v, "read from "+sv.Read.What, false
				p.validateField(f, false)
				p.retitle(f)
			}
		}
	}
	if sv.Missing != "" {
		p.afterSave = false
		for i, f := range p.fields {
			if f.f.Key != sv.Missing {
				continue
			}
			why := ""
			if sv.ReadErr != nil {
				why = " Its domains could not be read from Globus (" + safeMessage(sv.ReadErr.Error(), "") + ")."
			}
			name := "Policy ID"
			if pasted != nil {
				name = pasted.f.Label
			}
			p.sh.flash = "Pasted into " + name + "." + why + " Next: " + f.f.Label + " (enter to type it)."
			if p.editing {
				p.focus = i
				return p.focusCmd()
			}
		}
		return nil
	}
	if msg.err != nil {
		p.afterSave = false
		if errors.Is(msg.err, context.Canceled) {
			p.result = outcome{summary: []string{"Cancelled. Nothing was saved."}}
			return nil
		}
		fe := fieldErrors(msg.err)
		for _, f := range p.fields {
			if e, ok := fe[f.f.Key]; ok {
				f.err = safeMessage(e, inputValue(f.in))
			}
		}
		if len(fe) == 0 {
			p.formErr = "Not saved: " + termsafe.Line(msg.err.Error())
		}
		return nil // typed values stay in the fields
	}
	p.editing = false
	p.focusCmd()
	p.applied, p.plan = outcome{}, nil // this result is about what was typed
	p.sh.refresh()
	p.prefill(true) // show the stored, normalised values (8h → 28800)
	if len(sv.Read.Values) > 0 {
		p.domainsFor = sv.Read.Of
		p.sh.flash = "Pasted into Policy ID; its domains and timeout were read from the policy on Globus."
	}
	if sv.Check != nil {
		return p.checked(*sv.Check)
	}
	p.afterSave = false
	if p.sh.m.cfg.Globus == nil {
		p.result = outcome{summary: []string{"Saved, but not checked: no Globus client is configured."}}
		return nil
	}
	// Nothing to check: move on, as a wizard does.
	p.result = outcome{summary: []string{"Saved to the vault."}, ok: true}
	p.sh.goToNextStep(p.step.Number - 1)
	p.sh.flash = fmt.Sprintf("Step %d saved.", p.step.Number)
	return nil
}

// runCheck runs the step's action then its verification, cancellable with Esc.
func (p *stepModel) runCheck() tea.Cmd { return p.check(true) }

// check runs the verification, after the step's action if withAction.
func (p *stepModel) check(withAction bool) tea.Cmd {
	m := p.sh.m
	if m.cfg.Globus == nil {
		p.result = outcome{summary: []string{"Saved, but not checked: no Globus client is configured."}}
		return nil
	}
	st, env := p.step, m.env()
	p.afterSave = false
	return m.run(&p.job, p, "Talking to Globus… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		return checkDone{c: flow.CheckStep(ctx, ui, flow.Env(ui, env), st, withAction)}
	})
}

func (p *stepModel) checked(c flow.Checked) tea.Cmd {
	advance := p.afterSave
	p.afterSave = false
	p.sh.refresh()
	p.prefill(false)
	o := outcome{report: c.Lines, ok: c.Err == nil && c.OK}
	switch {
	case errors.Is(c.Err, context.Canceled):
		o.summary = []string{"Cancelled. What was saved is kept; press x to run the check again."}
	case c.Err != nil:
		o.summary = explain(c.Err)
	case c.OK:
		o.summary = []string{"All good."}
		if skipped(c.Lines) {
			o.summary = []string{"Saved. Some checks could not run yet (see above)."}
		}
		if warned(c.Lines) {
			// A warning (members the gateway will refuse) is read here,
			// where it can be fixed, not as a line on the next page.
			o.summary = []string{"Saved and checked, with a warning (above): fix it, or press tab for the next step."}
			break
		}
		if advance {
			// Saved and checked: on to the next step, the result kept in
			// view there (a failed check stays on this step).
			p.result = o
			note := checkedNote(p.step.Number, c.Lines)
			if p.readNote != "" {
				note += " " + p.readNote
			}
			p.readNote = ""
			return p.sh.advanceFrom(p.step.Number-1, note)
		}
		if p.sh.sel < len(p.sh.cat)-1 {
			o.summary[0] += " Press tab for the next step."
		}
	default:
		o.summary = []string{"Something needs fixing (see above). Fix it, then press x to check again, or enter to change the values."}
	}
	p.result = o
	return nil
}

// backHint is how the note on the next page says to see a check in full.
const backHint = "shift+tab shows why"

// checkedNote is the one line shown on the page the wizard moves to after
// step n's check passed: what passed, and what could not be checked yet.
// A check that only waits for the operator's login is said to wait for
// it, not to have failed to run: logging in is optional on the guided path.
func checkedNote(n int, lines []string) string {
	var passed, waiting, login int
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, "✓"):
			passed++
		case strings.HasPrefix(l, "- "):
			waiting++
			if needsLogin(l) {
				login++
			}
		}
	}
	var note string
	switch {
	case passed == 0 && waiting > 0 && login == waiting:
		note = fmt.Sprintf("✓ Step %d saved (checked after you log in: "+loginHint+")", n)
	case passed == 0:
		note = fmt.Sprintf("✓ Step %d saved; its check could not run yet ("+backHint+")", n)
	case waiting > 0 && login == waiting:
		note = fmt.Sprintf("✓ Step %d saved and checked: %d passed, %d checked after you log in ("+loginHint+")", n, passed, waiting)
	case waiting > 0:
		note = fmt.Sprintf("✓ Step %d saved and checked: %d passed, %d could not run yet ("+backHint+")", n, passed, waiting)
	default:
		note = fmt.Sprintf("✓ Step %d saved and checked: %s passed", n, plural(passed, "check"))
	}
	note += "."
	for _, l := range lines {
		// What the step's action did beside its checks (step 6's members
		// added to the group): said with the note, not only on the step
		// left behind.
		if _, did, ok := strings.Cut(l, "; added "); ok && !strings.HasPrefix(did, "nobody") {
			name, _, _ := strings.Cut(did, ";")
			note += " Added " + strings.TrimSuffix(name, ".") + " to the group."
		}
	}
	return note
}

// explain turns an error into plain words plus, for Globus errors, what to do.
func explain(err error) []string { return explainIn(err, wizardWords) }

// consolePanelTitle is the panel of values to type on the console, as the
// step guides name it too.
const consolePanelTitle = "Type these on the console"

func (p *stepModel) lines(w int) ([]string, int) {
	m := p.sh.m
	st := m.st
	ss := p.sh.status[p.step.ID]
	var out []string
	focus := -1

	title := fmt.Sprintf("Step %d of %d · %s", p.step.Number, len(p.sh.cat), p.step.Title)
	out = append(out, styledWrap(st.title, title, w)...)
	state := stateWords(ss.State)
	if p.failed() && !p.job.busy {
		state = "✗ the latest check failed (stored as " + state[strings.Index(state, " ")+1:] + ")"
	}
	if p.step.Optional {
		state += " · optional"
	}
	out = append(out, st.faint.Render(state))
	if ss.Note != "" {
		out = append(out, styledWrap(st.warn, "⚠ "+ss.Note, w)...)
	}
	if p.step.CanApply() {
		out = append(out, "")
		login := " (needs login)"
		if p.sh.loggedIn {
			login = ""
		}
		out = append(out, wrap(st.key.Render("a")+": let the wizard do this step for you"+login+" · "+
			st.key.Render("o")+": do it yourself in the browser · "+
			st.key.Render("A")+": set up everything at once", w)...)
	}
	if url := p.consoleURL(); url != "" {
		// Near the top, so it can be clicked without scrolling or a key.
		label := st.key.Render("o") + " opens the console, or click the link:"
		if len(url) > w-2 {
			// A wrapped address is one link on every line, but a line
			// copied by hand is only part of it.
			label = st.key.Render("o") + " opens the console, or click the link (" + st.key.Render("u") + " copies it whole):"
		}
		out = append(out, "")
		out = append(out, wrap(label, w)...)
		// Hard-wrapped, never cut (a deep link is longer than a pane):
		// each piece is its own OSC 8 link to the whole address, so the
		// sequence is never split and any line opens it.
		for _, l := range urlLines(url, max(w-2, 10)) {
			out = append(out, "  "+hyperlink(url, l))
		}
		if p.linkShown && !p.editing {
			focus = len(out) - 1
		}
		if p.browserNote != "" {
			out = append(out, styledWrap(st.faint, p.browserNote, w)...)
		}
	}
	if p.mdWidth != w {
		p.mdWidth, p.whyMD, p.guideMD = w, markdown(p.step.Why, w), markdown(p.step.Guide, w)
	}
	if len(p.whyMD) > 0 {
		out = append(out, "", st.heading.Render("Why it matters"))
		out = append(out, p.whyMD...)
	}
	if len(p.guideMD) > 0 {
		out = append(out, "", st.heading.Render("On the Globus console"))
		out = append(out, p.guideMD...)
	}
	if cv := p.copyValues(); len(cv) > 0 {
		out = append(out, "", st.heading.Render(consolePanelTitle)+st.faint.Render(" (number copies)"))
		for i, c := range cv {
			if i >= 9 {
				break
			}
			shown := termsafe.Line(c.Value)
			if items := strings.Split(c.Value, "\n"); len(items) > 1 {
				// Shown on one line, so say the copy keeps the line breaks
				// the console's field wants.
				for j := range items {
					items[j] = termsafe.Line(items[j])
				}
				shown = strings.Join(items, " · ") + " (copied one per line)"
			}
			out = append(out, hanging("  "+st.key.Render(fmt.Sprint(i+1))+" "+c.Label+": "+shown, 4, w)...)
		}
	}
	pastedAt := -1
	if len(p.fields) > 0 {
		out = append(out, "", st.heading.Render("Paste back here"))
		if !p.editing {
			out = append(out, st.faint.Render("press enter to fill in"))
		}
		for i, f := range p.fields {
			out = append(out, splitLines(f.in.View())...)
			if f.err != "" {
				for _, l := range hanging("  ✗ "+f.err, 4, w) {
					out = append(out, st.bad.Render(l))
				}
			}
			if p.editing && i == p.focus {
				focus = len(out) - 1 // the field's last line: input and message in view
			}
			if f == p.pasted {
				pastedAt = len(out) - 1
			}
		}
		if p.formErr != "" {
			out = append(out, styledWrap(st.bad, p.formErr, w)...)
		}
	}
	if p.plan != nil {
		out = append(out, p.planLines(w)...)
		focus = len(out) - 1
	}
	if !p.applied.empty() {
		out = append(out, "")
		out = append(out, p.applied.render(st, w)...)
		if !p.editing {
			focus = len(out) - 1
		}
	}
	if p.job.busy {
		out = append(out, "", m.spin.View()+" "+p.job.label)
		focus = len(out) - 1
	} else if !p.result.empty() {
		out = append(out, "")
		out = append(out, p.result.renderKeys(st, w, p.typing())...)
		if !p.editing {
			focus = len(out) - 1
		}
	}
	if pastedAt >= 0 && !p.job.busy && !p.editing {
		focus = pastedAt
	}
	return out, focus
}

// warned reports whether a passed check carries a warning (steps.Check.Warn).
func warned(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "✓") && strings.Contains(l, " — warning: ") {
			return true
		}
	}
	return false
}

// skipped reports whether a report holds a check that could not run.
func skipped(lines []string) bool {
	for _, l := range lines {
		if strings.HasPrefix(l, "- ") {
			return true
		}
	}
	return false
}

// failed: the latest check or "do it for me" shown on this step failed.
func (p *stepModel) failed() bool {
	return (!p.result.empty() && !p.result.ok) || (!p.applied.empty() && !p.applied.ok && p.result.empty())
}

// pasteIn puts what was pasted on the step's screen (an ID or a secret
// copied from the console) into the first empty field it is valid for,
// without opening the form first; once every required field holds a valid
// value the step is saved, as ctrl+s would.
func (p *stepModel) pasteIn(v string) tea.Cmd {
	if v == "" {
		return nil
	}
	target := p.pasteTarget(v)
	if target < 0 {
		return p.pasteOver(v)
	}
	return p.pasteInto(p.fields[target], v)
}

// pasteInto puts v in f and goes on from there (afterPaste).
func (p *stepModel) pasteInto(f *field, v string) tea.Cmd {
	p.pasted = f
	p.sh.follow[p.sh.sel] = true // the field filled, in view
	setInput(f.in, v)
	f.touched = true
	p.validateField(f, false)
	p.retitle(f)
	return p.afterPaste(f)
}

// pasteRefused: v fits no field. As typed text would, it goes into the
// first empty field (where enter would start typing) and is refused there
// in that field's words, kept to be fixed; the form opens on it. A value
// shaped like a client secret is not put in a field that would show it.
func (p *stepModel) pasteRefused(v string) tea.Cmd {
	i := p.firstEmpty()
	if i < 0 {
		p.sh.flash = "The pasted text fits no empty field here: press enter to fill in the fields."
		return nil
	}
	f := p.fields[i]
	if steps.LooksLikeSecret(v) && !f.f.Secret && f.f.Kind != steps.KindUUID {
		p.sh.flash = "That looks like a client secret, and no empty field here takes one: it was not put anywhere (a secret is never shown)."
		return nil
	}
	setInput(f.in, v)
	f.touched = true
	p.validateField(f, false) // an ID field clears a secret (fieldProblem)
	p.retitle(f)
	p.editing, p.focus = true, i
	p.sh.flash = "Not saved: " + f.f.Label + " refuses the pasted text (below); fix it, or esc."
	return p.focusCmd()
}

// firstEmpty is the first field holding nothing (-1: none).
func (p *stepModel) firstEmpty() int {
	for i, f := range p.fields {
		if strings.TrimSpace(inputValue(f.in)) == "" {
			return i
		}
	}
	return -1
}

// afterPaste reads a pasted policy's domains, asks for what is still
// missing, or saves when nothing is.
func (p *stepModel) afterPaste(f *field) tea.Cmd {
	if _, reads := steps.ReadsBack(f.f.Key); reads && f.err == "" && p.sh.m.cfg.Globus != nil {
		return p.submit() // what it names is read from Globus, then saved
	}
	if i := p.firstMissing(); i >= 0 {
		p.sh.flash = "Pasted into " + f.f.Label + ". Next: " + p.fields[i].f.Label + ": paste it, or enter to type it."
		return nil
	}
	p.sh.flash = "Pasted into " + f.f.Label + "."
	return p.submit()
}

// pasteOver handles a value that fits no empty field: when it fits exactly
// one filled field (not free text, which takes anything) it replaces that
// field's value, as pasting a new policy ID after making a second policy
// on the console means. An ID is replaced and saved, the old one named on
// screen so nothing is lost from sight; a secret is only put in the form,
// not saved, since the stored one cannot be seen again: ctrl+s saves it
// and esc puts the stored one back.
func (p *stepModel) pasteOver(v string) tea.Cmd {
	var fits []*field
	for _, f := range p.fields {
		old := strings.TrimSpace(inputValue(f.in))
		if old == "" || f.f.Kind == steps.KindText {
			continue
		}
		if _, err := steps.Validate(f.f.Key, v); err == nil {
			fits = append(fits, f)
		}
	}
	if len(fits) != 1 {
		return p.pasteRefused(v)
	}
	f := fits[0]
	old := strings.TrimSpace(inputValue(f.in))
	if n, _ := steps.Validate(f.f.Key, v); n == old {
		p.sh.flash = f.f.Label + " already holds the pasted value."
		return nil
	}
	setInput(f.in, v)
	f.touched = true
	p.validateField(f, false)
	p.retitle(f)
	if f.f.Secret {
		p.staged = &stagedValue{f: f, old: old}
		p.editing = true
		for i, g := range p.fields {
			if g == f {
				p.focus = i
			}
		}
		p.sh.flash = "The pasted secret is in " + f.f.Label + ", not saved yet: ctrl+s replaces the stored one, esc keeps it."
		return p.focusCmd()
	}
	p.sh.flash = "Replaced " + f.f.Label + " (it held " + termsafe.Line(old) + ")."
	return p.afterPaste(f)
}

// pasteTarget is the field a pasted value goes to: the focused field if
// it is empty and the value is valid there, else the first empty field it
// is valid for (-1: none). At an empty members field a value an earlier
// empty field takes (a group's UUID) goes there, as on the step's screen:
// the documented members are usernames.
func (p *stepModel) pasteTarget(v string) int {
	first := p.firstEmpty()
	fits := func(i int) bool {
		f := p.fields[i]
		if strings.TrimSpace(inputValue(f.in)) != "" {
			return false
		}
		if _, err := steps.Validate(f.f.Key, v); err != nil {
			return false
		}
		// Past an empty field, a paste goes only where it is beyond doubt
		// that field's value: a secret field takes anything long enough,
		// so text that only fails to be the ID before it stays an ID that
		// is refused, as it would be typed.
		return i == first || claims(f.f, v)
	}
	if p.editing && p.focus < len(p.fields) && fits(p.focus) {
		if p.fields[p.focus].f.Kind != steps.KindUsernames {
			return p.focus
		}
		for i := range p.focus {
			if fits(i) {
				return i
			}
		}
		return p.focus
	}
	for i := range p.fields {
		if fits(i) {
			return i
		}
	}
	return -1
}

// claims: v is f's kind of value beyond doubt, so a paste may pass an
// empty field before f for it. Free text takes anything and a secret field
// any long word: they claim only a Globus client secret's shape (a secret)
// or nothing (text).
func claims(f steps.Field, v string) bool {
	switch f.Kind {
	case steps.KindSecret:
		return steps.LooksLikeSecret(v)
	case steps.KindText:
		return false
	}
	return true // the kind's own validator already took v
}

// firstMissing is the first required field without a valid value (-1: none).
func (p *stepModel) firstMissing() int {
	for i, g := range p.fields {
		v := strings.TrimSpace(inputValue(g.in))
		if v == "" && !g.f.Optional {
			return i
		}
		if v != "" {
			if _, err := steps.Validate(g.f.Key, v); err != nil {
				return i
			}
		}
	}
	return -1
}

// arrive is called when the wizard moves on to this step by itself. The
// groups step with nothing in it has nothing to bring back from the
// console (without a group ID the wizard creates the group), so its form
// opens at the members; a group ID pasted there still finds its field.
func (p *stepModel) arrive() tea.Cmd {
	if p.step.OpensAt == "" || p.editing || p.job.busy || len(p.fields) == 0 {
		return nil
	}
	for _, f := range p.fields {
		if _, ok := p.sh.doc.Values[f.f.Key]; ok || strings.TrimSpace(inputValue(f.in)) != "" {
			return nil
		}
	}
	p.editing = true
	p.focus = p.startField()
	return p.focusCmd()
}

// startField is where enter opens the form: the first missing value, or,
// on the groups step with nothing typed, the members (without a group ID
// the wizard creates the group for them); enter there saves.
func (p *stepModel) startField() int {
	if i := p.firstMissing(); i >= 0 {
		return i
	}
	if p.step.OpensAt != "" {
		for _, f := range p.fields {
			if strings.TrimSpace(inputValue(f.in)) != "" {
				return 0
			}
		}
		for i, f := range p.fields {
			if f.f.Key == p.step.OpensAt {
				return i
			}
		}
	}
	return 0
}

// fieldByKey is the step's field for a vault key (nil: none).
func (p *stepModel) fieldByKey(k string) *field {
	for _, f := range p.fields {
		if f.f.Key == k {
			return f
		}
	}
	return nil
}

// untouched: the field holds nothing the operator typed or stored.
func (f *field) untouched() bool {
	v := strings.TrimSpace(inputValue(f.in))
	return v == "" || (!f.touched && v == f.suggested)
}

// otherPolicys: f holds, untyped, what another policy than id held.
func (p *stepModel) otherPolicys(f *field, id string) bool {
	return !f.touched && p.domainsFor != "" && p.domainsFor != id && strings.TrimSpace(inputValue(f.in)) != ""
}

// plural writes 1 check, 2 checks.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
