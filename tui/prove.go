package tui

import (
	"context"
	"errors"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// "Prove it" on the finish screen: a test user logs in through the stored
// public client and the gateway's admission checks run on their token. The
// token stays inside steps.ProveLogin: only the Proof comes back here.

type proofDone struct {
	proof steps.Proof
	err   error
}

// proveState is the finish screen's part for the proof: the test user's
// login page while its code is asked.
type proveState struct {
	link     string
	code     *huh.Input
	editing  bool
	linkNote string
	dropped  bool // esc dropped the link: the proof's end says nothing
}

func newProveState(sh *shellModel) proveState {
	code := huh.NewInput().Title("Code from the test user's Globus page (or the page's whole address)").Placeholder("paste the code, or the address of the page showing it")
	code.WithKeyMap(huh.NewDefaultKeyMap())
	code.WithTheme(sh.m.st.theme)
	return proveState{code: code}
}

func (f *finishModel) proveBindings() []key.Binding {
	k := f.sh.m.keys
	if f.pr.link == "" {
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
	case key.Matches(msg, k.Prove) && f.pr.link == "":
		return f.startProof(), true
	case key.Matches(msg, k.Prove):
		f.pr.editing = true
		return f.pr.code.Focus(), true
	case f.pr.link != "" && key.Matches(msg, k.Open):
		return m.openCmd(f.pr.link), true
	case f.pr.link != "" && (key.Matches(msg, k.CopyURL) || key.Matches(msg, k.CopyLink)):
		return m.copyCmd("test user's login link", f.pr.link), true
	case f.pr.link != "" && msg.Type == tea.KeyEsc:
		f.pr.link, f.pr.dropped = "", true
		return f.cancel(), true
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
	if key.Matches(msg, f.sh.m.keys.CopyLink) && f.pr.link != "" {
		return f.sh.m.copyCmd("test user's login link", f.pr.link) // u would be typed into the code
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
	f.pr.linkNote, f.pr.dropped = "", false
	f.result = outcome{}
	setInput(f.pr.code, "")
	env := m.env()
	return m.run(&f.job, f, "Checking the test user the way the gateway will… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		p, err := flow.Prove(ctx, ui, env)
		return proofDone{proof: p, err: err}
	})
}

// prove sends the pasted code to the proof waiting for it.
func (f *finishModel) prove() tea.Cmd {
	pasted := strings.TrimSpace(inputValue(f.pr.code))
	if pasted == "" {
		f.result = outcome{summary: []string{"Paste the code Globus showed the test user after they allowed access."}}
		return nil
	}
	setInput(f.pr.code, "") // a code is single-use; it need not stay on screen
	f.pr.editing = false
	f.pr.code.Blur()
	f.pr.link = "" // used up whatever the answer
	return f.job.answer(flowAnswer{text: pasted})
}

func (f *finishModel) proved(msg proofDone) {
	f.pr.link, f.pr.editing = "", false
	f.pr.code.Blur()
	switch {
	case errors.Is(msg.err, context.Canceled) && f.pr.dropped:
		f.pr.dropped = false // esc dropped the link: nothing to say
	case errors.Is(msg.err, context.Canceled):
		f.result = outcome{summary: []string{"Cancelled. Press p to prove it again."}}
	case msg.err != nil:
		f.result = outcome{summary: append(explain(msg.err), "Press p to try again with a new link.")}
	}
	// An admitted or refused user: the task's outcome, shown already.
}

// copyLinkKey stands in a link note for the key that copies the link.
const copyLinkKey = "\x00copy-key\x00"

func (f *finishModel) proveBrowser(msg browserOpenedMsg) {
	if f.pr.link == "" || msg.url != f.pr.link {
		return
	}
	if msg.err != nil {
		f.pr.linkNote = "The browser did not open (" + termsafe.Line(msg.err.Error()) + "). Give the test user the link below (" + copyLinkKey + " copies it)."
	} else {
		f.pr.linkNote = "Opened in your browser: sign in as the test user, allow, then paste the code below."
	}
}

// proveLines is the proof's part of the finish screen, its prose at w and
// its link at full; focus is the line to keep in view (-1: none).
func (f *finishModel) proveLines(w, full int) ([]string, int) {
	st := f.sh.m.st
	out := []string{"", st.heading.Render("Prove a user gets in")}
	if f.pr.link == "" {
		out = append(out, wrap(st.key.Render("p")+": log a test user in through the public client and run the gateway's admission checks on their token. "+
			"Their tokens are used for this only, never kept, and revoked when it ends.", w)...)
		return out, -1
	}
	if f.pr.linkNote != "" {
		// The key that copies is named as drawn: u would be typed into the
		// code field while it has the keys.
		copyKey := "u"
		if f.pr.editing {
			copyKey = "ctrl+l"
		}
		out = append(out, styledWrap(st.faint, strings.ReplaceAll(f.pr.linkNote, copyLinkKey, copyKey), w)...)
	}
	// Always shown: the browser may open on another machine, or not at all.
	out = append(out, linkLines(st, f.pr.link, "▸ open the test user's login page", full)...)
	out = append(out, "")
	out = append(out, splitLines(f.pr.code.View())...)
	keys := "p: paste the code · u: copy the link · esc: drop it"
	if f.pr.editing {
		keys = "ctrl+l: copy the link · esc: stop typing" // u and p would be typed into the code
	}
	out = append(out, st.faint.Render(truncate(keys, w)))
	return out, len(out) - 1 // the keys under the field stay in view
}
