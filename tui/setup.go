package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// "Set up everything": one form holding every input of steps 1–6 and the
// .env's path, each filled with a suggested value; enter plans the whole
// setup, enter again carries it out (steps.ApplySetup), and the .env is
// written on the way to Finish.

// What the set-up page's tasks hand back.
type (
	suggestDone struct {
		sugg []steps.Suggestion
		err  error
	}
	setupDone struct {
		a      flow.Applied
		err    error
		checks *flow.Verified // every live check, run once the setup is done
		cerr   error
	}
)

// setupField is one input with the value suggested for it.
type setupField struct {
	s       steps.Suggestion
	in      *huh.Input
	err     string
	touched bool             // typed in: the suggestion is no longer replaced
	base    steps.Suggestion // the suggestion as first made (domains: before the members')
}

type setupModel struct {
	sh       *shellModel
	fields   []*setupField
	envPath  *setupField
	focus    int
	editing  bool
	wantEdit bool // the form takes the keys once loaded
	// afterLogin: the form lacked the login; the login comes back here and
	// the suggestions are read again (the contact e-mail is the login's).
	afterLogin bool
	loaded     bool
	note       string // why some suggestions are missing (no login)

	job job
	approval
	values map[string]string
	result outcome
}

const envPathKey = "env.path"

func newSetup(sh *shellModel) *setupModel {
	return &setupModel{sh: sh}
}

func (s *setupModel) newInput(sg steps.Suggestion) *setupField {
	in := huh.NewInput()
	in.WithKeyMap(huh.NewDefaultKeyMap())
	in.WithTheme(s.sh.m.st.theme)
	in.WithWidth(max(s.sh.mainWidth()-2, 10))
	setInput(in, sg.Value)
	f := &setupField{s: sg, in: in, base: sg}
	s.retitle(f)
	return f
}

// retitle marks a value the operator has not changed as suggested, in
// words, so it reads differently from a typed one without colour too.
func (s *setupModel) retitle(f *setupField) {
	t := f.s.Label
	v := strings.TrimSpace(inputValue(f.in))
	switch {
	case v != "" && v == f.s.Value && f.s.From == "stored":
		t += "  (stored)"
	case v != "" && v == f.s.Value && f.s.From != "":
		t += "  (suggested: " + f.s.From + ")"
	case v == "" && f.s.Optional:
		t += "  (optional)"
	}
	f.in.Title(t)
	desc := ""
	if f.s.Key == "policy.domains" {
		desc = "Separated by spaces: the part after @ in your users' Globus usernames."
	}
	if f.s.Key == steps.SetupGroupMembers {
		desc = "Globus usernames, separated by spaces."
		if u := s.sh.m.cfg.DemoUsers; len(u) > 0 {
			desc = "The demo's users: " + strings.Join(u, " ")
		}
	}
	f.in.Description(desc)
}

func (s *setupModel) all() []*setupField {
	if s.envPath == nil {
		return s.fields
	}
	return append(append([]*setupField(nil), s.fields...), s.envPath)
}

func (s *setupModel) resize(w int) {
	for _, f := range s.all() {
		f.in.WithWidth(max(w-2, 10))
	}
}

func (s *setupModel) typing() bool { return s.editing && !s.job.busy && s.plan == nil }

func (s *setupModel) cancel() tea.Cmd { return s.job.cancel() }

// open is called when the page is shown: it reads the suggestions unless
// the form already holds the operator's values. edit puts the keys in the
// form (asked for with A or enter); passing by with tab does not, so tab
// goes on to the next screen.
func (s *setupModel) open(edit bool) tea.Cmd {
	s.wantEdit = edit
	if s.job.busy || s.loaded {
		if edit && s.loaded && s.plan == nil && !s.job.busy && s.result.empty() {
			s.editing = true
			return s.focusCmd()
		}
		return nil
	}
	m := s.sh.m
	if m.cfg.Globus == nil {
		s.result = outcome{summary: []string{"No Globus client is configured, so the wizard cannot set anything up."}}
		return nil
	}
	env := m.env()
	return m.run(&s.job, s, "Reading who you are and what is stored… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		sg, err := flow.Suggest(ctx, ui, env)
		return suggestDone{sugg: sg, err: err}
	})
}

func (s *setupModel) bindings() []key.Binding {
	k := s.sh.m.keys
	switch {
	case s.job.busy:
		return []key.Binding{k.Cancel}
	case s.plan != nil:
		return []key.Binding{k.DoIt, k.Back}
	case s.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "plan")), k.NextField, k.Done}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "edit the values"))}
}

func (s *setupModel) update(msg tea.Msg) tea.Cmd {
	m := s.sh.m
	k := m.keys
	if msg, ok := msg.(tea.KeyMsg); ok {
		switch {
		case s.job.busy:
			if key.Matches(msg, k.Cancel) {
				s.job.label = "Stopping…"
				return s.cancel()
			}
			return nil
		case s.plan != nil:
			switch {
			case key.Matches(msg, k.DoIt):
				return s.run()
			case key.Matches(msg, k.Back):
				s.editing = true
				return tea.Batch(s.decline(&s.job), s.focusCmd())
			}
			return nil
		case s.editing:
			return s.editKey(msg)
		case msg.Type == tea.KeyEnter || msg.String() == "e":
			if !s.loaded {
				return s.open(true)
			}
			s.editing = true
			return s.focusCmd()
		}
		return nil
	}
	if s.typing() && s.focus < len(s.all()) {
		_, cmd := s.all()[s.focus].in.Update(msg)
		return cmd
	}
	return nil
}

// onFlow takes the set-up tasks' events: the suggestions, the plan to
// approve, each result as it comes, then where the setup leads.
func (s *setupModel) onFlow(ev flowEvent) tea.Cmd {
	if cmd, ok := s.approval.event(ev); ok {
		return cmd
	}
	if !ev.done {
		return ev.next
	}
	switch res := ev.res.(type) {
	case suggestDone:
		return s.suggested(res)
	case setupDone:
		return s.done(res)
	}
	return nil
}

// suggested fills the form with the suggestions, keeping what was typed.
func (s *setupModel) suggested(msg suggestDone) tea.Cmd {
	if errors.Is(msg.err, context.Canceled) {
		s.result = outcome{summary: []string{"Cancelled. Press enter to read the suggestions again."}}
		return nil
	}
	s.loaded = true
	s.note = ""
	// Only a form the operator asked for (A, enter) brings the login
	// back; passing by with tab must not capture a later login.
	s.afterLogin = s.wantEdit && errors.Is(msg.err, steps.ErrNotLoggedIn)
	if msg.err != nil {
		s.note = strings.Join(setupProblem(msg.err), " ")
	}
	typed := s.typedValues()
	s.fields = nil
	for _, sg := range msg.sugg {
		s.fields = append(s.fields, s.keepTyped(s.newInput(sg), typed))
	}
	s.envPath = s.keepTyped(s.newInput(steps.Suggestion{Key: envPathKey, Label: ".env file for the gateway",
		Value: absPath(s.sh.finish.target()), From: "default"}), typed)
	s.followMembers() // members typed before the login keep their domains in
	s.editing, s.focus = s.wantEdit && s.sh.sel == s.sh.setupIndex(), 0
	return s.focusCmd()
}

func (s *setupModel) editKey(msg tea.KeyMsg) tea.Cmd {
	fs := s.all()
	if len(fs) == 0 {
		s.editing = false
		return nil
	}
	switch msg.Type {
	case tea.KeyEsc:
		s.editing = false
		return s.focusCmd()
	case tea.KeyEnter:
		return s.makePlan()
	case tea.KeyTab, tea.KeyDown:
		s.focus = (s.focus + 1) % len(fs)
		return s.focusCmd()
	case tea.KeyShiftTab, tea.KeyUp:
		s.focus = (s.focus - 1 + len(fs)) % len(fs)
		return s.focusCmd()
	}
	f := fs[s.focus]
	if !f.touched && replacesSuggestion(msg, f.s.Value, inputValue(f.in)) {
		setInput(f.in, "")
	}
	f.touched = true
	_, cmd := f.in.Update(msg)
	f.err = ""
	s.retitle(f)
	if f.s.Key == steps.SetupGroupMembers {
		s.followMembers()
	}
	return cmd
}

// field is the form's field for a key (nil: none).
func (s *setupModel) field(key string) *setupField {
	for _, f := range s.fields {
		if f.s.Key == key {
			return f
		}
	}
	return nil
}

// followMembers keeps a suggested (untouched) domains field covering the
// members typed: a member from a domain outside the policy is refused by
// the gateway, so the suggestion that would lock them out is not offered.
func (s *setupModel) followMembers() {
	d, mf := s.field("policy.domains"), s.field(steps.SetupGroupMembers)
	if d == nil || mf == nil || d.touched || d.base.From == "stored" {
		return
	}
	domains := strings.Fields(d.base.Value)
	for _, d := range steps.UsernameDomains(inputValue(mf.in)) {
		if !slices.Contains(domains, d) {
			domains = append(domains, d)
		}
	}
	v := strings.Join(domains, " ")
	d.s.Value, d.s.From = v, d.base.From
	if v != d.base.Value {
		d.s.From = "your Globus login and the members'"
		if d.base.Value == "" {
			d.s.From = "the members'"
		}
	}
	setInput(d.in, v)
	s.retitle(d)
}

// refusedMembers names the members whose domain is not among the domains
// typed, as the gateway compares them (exactly).
func (s *setupModel) refusedMembers() []string {
	d, mf := s.field("policy.domains"), s.field(steps.SetupGroupMembers)
	if d == nil || mf == nil {
		return nil
	}
	have := steps.SplitList(inputValue(d.in))
	var out []string
	for _, u := range steps.SplitList(inputValue(mf.in)) {
		if dom := steps.UsernameDomains(u); len(dom) == 1 && !slices.Contains(have, dom[0]) {
			out = append(out, u)
		}
	}
	return out
}

// typedValues are the values the operator typed (not an untouched
// suggestion), kept when the suggestions are read again after the login.
func (s *setupModel) typedValues() map[string]string {
	out := map[string]string{}
	for _, f := range s.all() {
		if v := inputValue(f.in); f.touched && strings.TrimSpace(v) != "" && v != f.s.Value {
			out[f.s.Key] = v
		}
	}
	return out
}

func (s *setupModel) keepTyped(f *setupField, typed map[string]string) *setupField {
	if v, ok := typed[f.s.Key]; ok {
		setInput(f.in, v)
		f.touched = true
		s.retitle(f)
	}
	return f
}

func (s *setupModel) focusCmd() tea.Cmd {
	var cmd tea.Cmd
	for i, f := range s.all() {
		if i == s.focus && s.editing {
			cmd = f.in.Focus()
		} else {
			f.in.Blur()
		}
	}
	return cmd
}

// makePlan validates the form and asks for the whole plan, off the UI loop.
func (s *setupModel) makePlan() tea.Cmd {
	m := s.sh.m
	values := map[string]string{}
	first := -1
	for i, f := range s.fields {
		v := strings.TrimSpace(inputValue(f.in))
		f.err = ""
		if v != "" && f.s.Key != steps.SetupGroupName && f.s.Key != steps.SetupGroupMembers {
			if _, err := steps.Validate(f.s.Key, v); err != nil {
				f.err = fieldProblem(f.in, err, v)
			}
		}
		if v == "" && !f.s.Optional {
			f.err = f.s.Label + " is needed."
		}
		if f.err != "" && first < 0 {
			first = i
		}
		values[f.s.Key] = v
	}
	if first >= 0 {
		s.focus = first
		return s.focusCmd()
	}
	s.editing = false
	s.focusCmd()
	s.result, s.applied, s.approved = outcome{}, outcome{}, false
	s.values = values
	base := m.env()
	return m.run(&s.job, s, "Looking at what is there already… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		e := flow.Env(ui, base) // Globus may ask for a new sign-in (reauth.go)
		a, err := flow.PlanAndApply(ctx, ui, e, flow.PlanOptions{Setup: true, Values: values})
		done := setupDone{a: a, err: err}
		if err == nil && !a.Declined {
			v, cerr := flow.Verify(ctx, ui, e)
			done.checks, done.cerr = &v, cerr
		}
		return done
	})
}

// run approves the plan on screen; each result is shown as it comes.
func (s *setupModel) run() tea.Cmd {
	s.result = outcome{}
	return s.approve(&s.job, "Setting everything up… (esc stops)")
}

// done shows what the task came to: the plan's problem, or the results;
// on success it writes the .env and lands on Finish.
func (s *setupModel) done(msg setupDone) tea.Cmd {
	if !s.settled() {
		switch {
		case msg.a.Declined:
		case errors.Is(msg.err, context.Canceled):
			s.result = outcome{summary: []string{"Cancelled. Nothing was changed."}}
		case msg.err != nil:
			s.result = outcome{summary: setupProblem(msg.err)}
			s.afterLogin = s.afterLogin || errors.Is(msg.err, steps.ErrNotLoggedIn)
			for key, e := range fieldErrors(msg.err) {
				for _, f := range s.fields {
					if f.s.Key == key {
						f.err = safeMessage(e, inputValue(f.in))
					}
				}
			}
			s.editing = true
			return s.focusCmd()
		}
		return nil
	}
	o := outcome{}
	for _, r := range msg.a.Results {
		o.report = append(o.report, r.LineIn(wizardWords))
	}
	s.sh.refresh()
	for _, p := range s.sh.stepsPg {
		p.prefill(true)
	}
	switch {
	case errors.Is(msg.err, context.Canceled):
		o.summary = []string{"Stopped. What was created is stored; press enter, then enter again to carry on."}
	case errors.Is(msg.err, steps.ErrPlanChanged):
		o.summary = append(explain(msg.err), "Nothing was created. Press enter to see the new plan.")
	case msg.err != nil:
		o.summary = append(setupProblem(msg.err), "Press enter, then enter again, to carry on: what was made is stored and not made twice.")
	}
	if msg.err != nil {
		s.applied = o
		return nil
	}
	o.ok = true
	o.summary = []string{"Everything is set up and stored in the vault."}
	if msg.checks != nil {
		o.report = append(o.report, msg.checks.Lines...)
	}
	s.applied = o
	s.sh.refresh()
	flash := "Set up and checked: everything checks out."
	if msg.cerr != nil || msg.checks == nil || msg.checks.Failed {
		flash = "Set up; some checks did not pass: press A to see them, x here to check again."
	}
	// The .env was part of the plan: write it and show the result on Finish.
	f := s.sh.finish
	setInput(f.path, s.envTarget())
	f.existsFor = ""
	cmd := f.write()
	s.sh.goTo(s.sh.finishIndex())
	s.sh.flash = flash
	return cmd
}

func (s *setupModel) envTarget() string {
	if s.envPath == nil {
		return s.sh.finish.target()
	}
	if v := strings.TrimSpace(inputValue(s.envPath.in)); v != "" {
		return v
	}
	return defaultEnvPath(s.sh.m.cfg, s.sh.doc)
}

// envLine is the .env's line of the plan.
func (s *setupModel) envLine() string {
	t := s.envTarget()
	abs, err := filepath.Abs(t)
	if err != nil {
		abs = t
	}
	if _, err := os.Stat(abs); err == nil {
		if s.sh.finish.replace {
			return "replace .env  " + abs + " (the old file kept as a backup)"
		}
		return "update  .env  " + abs + " (only the gateway's variables; a backup kept)"
	}
	return "write   .env  " + abs + " (new, mode 0600)"
}

func (s *setupModel) lines(w int) ([]string, int) {
	m := s.sh.m
	st := m.st
	out := []string{st.title.Render("Set up everything"), ""}
	out = append(out, wrap("One form for steps 1–6 and the .env. Every value is filled in with a suggestion: change what differs, press enter to see the whole plan, enter again to carry it out. Nothing is created before you confirm.", w)...)
	focus := -1
	if s.note != "" {
		out = append(out, "")
		note := s.note
		if s.typing() {
			note = keysWhileTyping(note)
		}
		out = append(out, styledWrap(st.warn, note, w)...)
	}
	if s.loaded {
		out = append(out, "")
		for i, f := range s.all() {
			out = append(out, splitLines(f.in.View())...)
			if f.err != "" {
				for _, l := range hanging("  ✗ "+f.err, 4, w) {
					out = append(out, st.bad.Render(l))
				}
			}
			if r := s.refusedMembers(); f.s.Key == steps.SetupGroupMembers && len(r) > 0 {
				msg := "  ! the gateway would refuse " + termsafe.Line(strings.Join(r, ", ")) + ": their domain is not among the identity provider domains above"
				for _, l := range hanging(msg, 4, w) {
					out = append(out, st.warn.Render(l))
				}
			}
			if s.editing && i == s.focus {
				focus = len(out) - 1
			}
		}
		if !s.editing && s.plan == nil && !s.job.busy {
			out = append(out, "", st.faint.Render("press enter to change the values or plan"))
		}
	}
	if s.plan != nil {
		out = append(out, "", st.heading.Render("Plan"))
		for _, l := range s.plan.Lines() {
			out = append(out, planLine(l, w)...)
		}
		out = append(out, planLine("  "+s.envLine(), w)...)
		out = append(out, "", st.key.Render("enter")+": do it all · "+st.key.Render("esc")+": back to the values")
		focus = len(out) - 1
	}
	if !s.applied.empty() {
		out = append(out, "")
		out = append(out, s.applied.render(st, w)...)
		focus = len(out) - 1
	}
	if s.job.busy {
		out = append(out, "", m.spin.View()+" "+s.job.label)
		focus = len(out) - 1
	} else if !s.result.empty() {
		out = append(out, "")
		out = append(out, s.result.renderKeys(st, w, s.typing())...)
		focus = len(out) - 1
	}
	return out, focus
}

// setupProblem is explain, with the login advice for this screen.
func setupProblem(err error) []string {
	if !errors.Is(err, steps.ErrNotLoggedIn) {
		return explain(err)
	}
	return []string{"Setting everything up needs your own Globus login: press L to log in; once logged in, the wizard comes back here."}
}
