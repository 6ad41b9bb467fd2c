package tui

import (
	"context"
	"strings"

	"github.com/globus-setup/globus-setup/termsafe"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// When Globus refuses a call until the operator signs in again (steps.Redrive),
// the work running off the UI loop asks through reauthVia and waits: the
// login screen says what Globus asks, shows the boosted link, and sends back
// the pasted code; the work then stores the login and tries once more.

// reauthAskMsg is one such request, from the work to the UI.
type reauthAskMsg struct {
	ctx   context.Context // the work's: once done, the request is void
	r     *steps.Reauth
	reply chan reauthAnswer // buffered: answering never blocks the UI
	next  tea.Cmd           // keeps listening to the work's messages
}

type reauthAnswer struct {
	pasted string
	err    error
}

// reauthVia is a steps.ReauthFunc that asks through ch, which next drains
// on the UI loop, and waits for the answer (or the work's cancellation).
func reauthVia(ch chan<- tea.Msg, next tea.Cmd) steps.ReauthFunc {
	return func(ctx context.Context, r *steps.Reauth) (string, error) {
		reply := make(chan reauthAnswer, 1)
		select {
		case ch <- reauthAskMsg{ctx: ctx, r: r, reply: reply, next: next}:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		select {
		case a := <-reply:
			return a.pasted, a.err
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// signInAsked: err is Globus asking for a new sign-in, which Redrive
// answers; the refused result is not shown as a failure.
func signInAsked(err error) bool {
	_, _, ok := globus.RequirementsOf(err)
	return ok
}

// workChannel is a channel for a piece of work's messages and the command
// that delivers them one at a time.
func workChannel() (chan tea.Msg, tea.Cmd) {
	ch := make(chan tea.Msg, 64)
	next := func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
	return ch, next
}

// askReauth opens the login screen on the request, keeping the page to
// return to once answered.
func (s *shellModel) askReauth(msg reauthAskMsg) tea.Cmd {
	l := s.login
	if l.ask != nil { // an older request left open: it is superseded
		l.ask.reply <- reauthAnswer{err: context.Canceled}
	}
	back := s.sel
	if back == s.loginIndex() {
		back = l.askBack
	}
	l.ask, l.askBack, l.editing, l.result = &msg, back, true, outcome{}
	l.browserNote = ""
	setInput(l.code, "")
	s.goTo(s.loginIndex())
	s.follow[s.loginIndex()] = true
	return tea.Batch(msg.next, s.m.openCmd(msg.r.Flow.URL), l.code.Focus())
}

// openAsk is the request still awaited: one whose work has ended (esc on
// its page, or the wizard stopping it) is dropped.
func (l *loginModel) openAsk() bool {
	if l.ask != nil && l.ask.ctx.Err() != nil {
		l.ask, l.editing = nil, false
		l.code.Blur()
		setInput(l.code, "")
	}
	return l.ask != nil
}

// answerAsk sends the answer and returns to the page the work runs on.
func (l *loginModel) answerAsk(a reauthAnswer) tea.Cmd {
	l.ask.reply <- a
	l.ask, l.editing = nil, false
	l.code.Blur()
	setInput(l.code, "")
	return l.sh.goTo(l.askBack)
}

// updateAsk handles the screen while a request is open; handled is false
// for messages it leaves to the ordinary login screen.
func (l *loginModel) updateAsk(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	k := l.sh.m.keys
	if b, ok := msg.(browserOpenedMsg); ok && b.url == l.ask.r.Flow.URL {
		if b.err != nil {
			l.browserNote = "The browser did not open (" + termsafe.Line(b.err.Error()) + "). Open the link below yourself, or press u to copy it."
		} else {
			l.browserNote = "Opened in your browser: sign in as asked, then paste the code below."
		}
		return nil, true
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok {
		return nil, false
	}
	switch {
	case l.editing && km.Type == tea.KeyEnter:
		pasted := strings.TrimSpace(inputValue(l.code))
		if pasted == "" {
			l.result = outcome{summary: []string{"Paste the code Globus showed after you signed in."}}
			return nil, true
		}
		return l.answerAsk(reauthAnswer{pasted: pasted}), true
	case l.editing && km.Type == tea.KeyEsc:
		l.editing = false
		l.code.Blur()
		return nil, true
	case l.editing:
		_, c := l.code.Update(msg)
		return c, true
	case km.Type == tea.KeyEnter:
		l.editing = true
		return l.code.Focus(), true
	case km.String() == "x":
		return l.answerAsk(reauthAnswer{err: context.Canceled}), true
	case key.Matches(km, k.Open):
		return l.sh.m.openCmd(l.ask.r.Flow.URL), true
	case key.Matches(km, k.CopyURL):
		return l.sh.m.copyCmd("login link", l.ask.r.Flow.URL), true
	}
	return nil, true
}

func (l *loginModel) askBindings() []key.Binding {
	k := l.sh.m.keys
	if l.editing {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sign in and carry on")), k.Done}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "paste the code")), k.Open, k.CopyURL,
		key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop instead"))}
}

// askLines renders the request: what Globus asks, the link, the code.
func (l *loginModel) askLines(w int) ([]string, int) {
	st := l.sh.m.st
	r := l.ask.r
	out := []string{st.title.Render("Sign in again"), ""}
	for _, s := range r.Lines() {
		out = append(out, wrap(s, w)...)
	}
	out = append(out, "")
	out = append(out, wrap("Sign in at this link: it asks Globus for exactly that. Then paste the code Globus shows; the wizard keeps the new login and tries once more. Nothing made so far is made again.", w)...)
	out = append(out, "")
	if l.browserNote != "" {
		out = append(out, styledWrap(st.faint, l.browserNote, w)...)
	}
	out = append(out, linkLines(st, r.Flow.URL, "▸ open the Globus sign-in page", w)...)
	out = append(out, "")
	out = append(out, splitLines(l.code.View())...)
	focus := len(out) - 1
	if !l.editing {
		out = append(out, st.faint.Render(truncate("enter: paste the code · o: open · u: copy the link · x: stop", w)))
	}
	if !l.result.empty() {
		out = append(out, "")
		out = append(out, l.result.renderKeys(st, w, l.editing)...)
		focus = len(out) - 1
	}
	return out, focus
}

// reauth is the accessible mode's answer: the same words and link, read
// out, and the code asked for in line.
func (a *access) reauth(ctx context.Context, r *steps.Reauth) (string, error) {
	for _, l := range r.Lines() {
		a.say("%s", l)
	}
	a.offerLink("sign-in page (it asks Globus for exactly that)", r.Flow.URL)
	a.say("Sign in there as asked; Globus then shows a code to paste here. Nothing made so far is made again.")
	var code string
	if err := a.ask(huh.NewInput().Title("Code from the Globus page (or the page's address):").Value(&code).
		Validate(required("Paste the code Globus showed after you signed in."))); err != nil {
		return "", err
	}
	a.say("Signing in again and trying once more…")
	return strings.TrimSpace(code), nil
}
