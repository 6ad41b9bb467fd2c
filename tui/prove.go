package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// "Prove it" on the finish screen: a test user logs in through the stored
// public client and the gateway's admission checks run on their token. The
// token stays inside steps.ProveLogin: only the Proof comes back here.

type proofMsg struct {
	proof steps.Proof
	err   error
}

func (proofMsg) finish() {}

// proveState is the finish screen's part for the proof.
type proveState struct {
	flow     *globus.LoginFlow
	code     *huh.Input
	editing  bool
	linkNote string
}

func newProveState(sh *shellModel) proveState {
	code := huh.NewInput().Title("Code from the test user's Globus page (or the page's whole address)").Placeholder("paste the code, or the address of the page showing it")
	code.WithKeyMap(huh.NewDefaultKeyMap())
	code.WithTheme(sh.m.st.theme)
	return proveState{code: code}
}

func (f *finishModel) proveBindings() []key.Binding {
	k := f.sh.m.keys
	if f.pr.flow == nil {
		return []key.Binding{k.Prove}
	}
	return []key.Binding{
		key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "paste the code")),
		key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open link")),
		k.CopyURL,
		key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "drop the link")),
	}
}

// proveKey handles the proof's keys when nothing is being typed; false if
// the key is not one of them.
func (f *finishModel) proveKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	m := f.sh.m
	k := m.keys
	switch {
	case key.Matches(msg, k.Prove) && f.pr.flow == nil:
		return f.startProof(), true
	case key.Matches(msg, k.Prove):
		f.pr.editing = true
		return f.pr.code.Focus(), true
	case f.pr.flow != nil && key.Matches(msg, k.Open):
		return m.openCmd(f.pr.flow.URL), true
	case f.pr.flow != nil && key.Matches(msg, k.CopyURL):
		return m.copyCmd("test user's login link", f.pr.flow.URL), true
	case f.pr.flow != nil && msg.Type == tea.KeyEsc:
		f.pr.flow = nil
		return nil, true
	}
	return nil, false
}

// proveTyping handles keys while the code is being typed.
func (f *finishModel) proveTyping(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		f.pr.editing = false
		f.pr.code.Blur()
		return nil
	case tea.KeyEnter:
		return f.prove()
	}
	empty := strings.TrimSpace(inputValue(f.pr.code)) == ""
	_, cmd := f.pr.code.Update(msg)
	if msg.Paste && empty && strings.TrimSpace(inputValue(f.pr.code)) != "" {
		return tea.Batch(f.prove(), cmd) // a pasted code needs no enter, as at the login
	}
	return cmd
}

func (f *finishModel) startProof() tea.Cmd {
	m := f.sh.m
	if m.cfg.Globus == nil {
		f.result = outcome{summary: []string{"No Globus client is configured, so nothing can be proved."}}
		return nil
	}
	flow, err := steps.StartProof(f.env())
	if err != nil {
		f.result = outcome{summary: explain(err)}
		return nil
	}
	f.pr.flow, f.pr.linkNote = flow, ""
	f.pr.editing = true
	f.result = outcome{}
	setInput(f.pr.code, "")
	return tea.Batch(m.openCmd(flow.URL), f.pr.code.Focus())
}

// prove exchanges the pasted code and runs the checks, off the UI loop.
func (f *finishModel) prove() tea.Cmd {
	m := f.sh.m
	pasted := strings.TrimSpace(inputValue(f.pr.code))
	if pasted == "" {
		f.result = outcome{summary: []string{"Paste the code Globus showed the test user after they allowed access."}}
		return nil
	}
	setInput(f.pr.code, "") // a code is single-use; it need not stay on screen
	f.pr.editing = false
	f.pr.code.Blur()
	flow := f.pr.flow
	f.pr.flow = nil // used up whatever the answer
	ctx, cancel := m.opContext()
	f.cancelFn = cancel
	f.busy, f.busyLabel = true, "Checking the test user the way the gateway will… (esc cancels)"
	env := f.env()
	run := func() tea.Msg {
		defer cancel()
		proof, err := steps.ProveLogin(ctx, env, flow, pasted)
		if err != nil && ctx.Err() != nil {
			err = ctx.Err()
		}
		return proofMsg{proof: proof, err: err}
	}
	return tea.Batch(m.startBusy(), run)
}

func (f *finishModel) proved(msg proofMsg) {
	f.sh.m.endBusy()
	f.busy, f.cancelFn = false, nil
	switch {
	case errors.Is(msg.err, context.Canceled):
		f.result = outcome{summary: []string{"Cancelled. Press p to prove it again."}}
	case msg.err != nil:
		f.result = outcome{summary: append(explain(msg.err), "Press p to try again with a new link.")}
	default:
		f.result = proofOutcome(msg.proof)
	}
}

// proofOutcome is Proof.Lines() laid out like the verify-all report: the
// checks, then the verdict last, where the pane scrolls to.
func proofOutcome(p steps.Proof) outcome {
	lines := p.Lines()
	if len(lines) == 0 {
		return outcome{summary: []string{"The proof made no checks."}}
	}
	return outcome{report: lines[1:], summary: lines[:1], ok: p.Admitted}
}

func (f *finishModel) proveBrowser(msg browserOpenedMsg) {
	if f.pr.flow == nil || msg.url != f.pr.flow.URL {
		return
	}
	if msg.err != nil {
		f.pr.linkNote = "The browser did not open (" + termsafe.Line(msg.err.Error()) + "). Give the test user the link below (u copies it)."
	} else {
		f.pr.linkNote = "Opened in your browser: sign in as the test user, allow, then paste the code below."
	}
}

// proveLines is the proof's part of the finish screen; focus is the line to
// keep in view (-1: none).
func (f *finishModel) proveLines(w int) ([]string, int) {
	st := f.sh.m.st
	out := []string{"", st.heading.Render("Prove a user gets in")}
	if f.pr.flow == nil {
		out = append(out, wrap(st.key.Render("p")+": log a test user in through the public client and run the gateway's admission checks on their token. "+
			"Their tokens are used for this only, never kept, and revoked when it ends.", w)...)
		return out, -1
	}
	if f.pr.linkNote != "" {
		out = append(out, styledWrap(st.faint, f.pr.linkNote, w)...)
	}
	// Always shown: the browser may open on another machine, or not at all.
	out = append(out, linkLines(st, f.pr.flow.URL, "▸ open the test user's login page", w)...)
	out = append(out, "")
	out = append(out, splitLines(f.pr.code.View())...)
	focus := len(out) - 1
	if !f.pr.editing {
		out = append(out, st.faint.Render(truncate("p: paste the code · u: copy the link · esc: drop it", w)))
		focus = len(out) - 1 // the keys under the field stay in view
	}
	return out, focus
}
