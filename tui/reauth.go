package tui

import (
	"context"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/termsafe"
)

// When Globus refuses a call until the operator signs in again
// (steps.Redrive), the task asks through its UI (flow.SignInAgain): the
// question comes here, to the login screen, which says what Globus asks,
// shows the boosted link and sends back the pasted code; the task then
// stores the login and tries once more.

// reauthEvent: ev is a task's sign-in question (or its link), which the
// login screen shows whichever page the task runs for.
func reauthEvent(ev flowEvent) bool {
	return (ev.ask != nil && ev.ask.q.Key == flow.KeyReauthCode) || (ev.show != nil && ev.show.Key == flow.KeyReauthCode)
}

// askReauth opens the login screen on the request, keeping the page to
// return to once answered.
func (s *shellModel) askReauth(ev flowEvent) tea.Cmd {
	l := s.login
	if ev.show != nil {
		// The sign-in page was opened (or not) before the question comes.
		l.askNote = ""
		if ev.showErr != nil {
			l.askNote = "The browser did not open (" + termsafe.Line(ev.showErr.Error()) + "). Open the link below yourself, or press u to copy it."
		} else {
			l.askNote = "Opened in your browser: sign in as asked, then paste the code below."
		}
		return ev.next
	}
	if !ev.job.current(ev) {
		return ev.next
	}
	var older tea.Cmd
	if l.openAsk() && l.ask.job != ev.job { // an older request left open: it is superseded
		older = l.ask.job.cancel()
		l.ask = nil
	}
	ev.job.asking, ev.job.listen = ev.ask, ev.next // the task waits for the code; its page keeps its spinner
	back := s.sel
	if back == s.loginIndex() {
		back = l.askBack
	}
	l.ask, l.askBack, l.editing, l.result = &ev, back, true, outcome{}
	l.browserNote = l.askNote
	setInput(l.code, "")
	s.goTo(s.loginIndex())
	s.follow[s.loginIndex()] = true
	return tea.Batch(older, l.code.Focus())
}

// openAsk is the request still awaited: one whose task has ended or moved
// on (esc on its page, the wizard stopping it) is dropped.
func (l *loginModel) openAsk() bool {
	if l.ask != nil && l.ask.job.asking != l.ask.ask {
		l.ask, l.editing = nil, false
		l.code.Blur()
		setInput(l.code, "")
	}
	return l.ask != nil
}

// answerAsk sends the answer and returns to the page the task runs on.
func (l *loginModel) answerAsk(a flowAnswer) tea.Cmd {
	j := l.ask.job
	l.ask, l.editing = nil, false
	l.code.Blur()
	setInput(l.code, "")
	back := l.sh.goTo(l.askBack)
	var cont tea.Cmd
	if a.err != nil {
		j.asking.reply <- a // declined: the task stops, and says so
		j.asking = nil
		cont, j.listen = j.listen, nil
	} else {
		cont = j.answer(a)
	}
	return tea.Batch(back, cont)
}

// updateAsk handles the screen while a request is open; handled is false
// for messages it leaves to the ordinary login screen.
func (l *loginModel) updateAsk(msg tea.Msg) (cmd tea.Cmd, handled bool) {
	k := l.sh.m.keys
	url := l.ask.ask.q.Link.URL
	if b, ok := msg.(browserOpenedMsg); ok && b.url == url {
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
		return l.answerAsk(flowAnswer{text: pasted}), true
	case l.editing && km.Type == tea.KeyEsc:
		l.editing = false
		l.code.Blur()
		return nil, true
	case key.Matches(km, k.CopyLink):
		return l.sh.m.copyCmd("login link", url), true // u would be typed into the code
	case l.editing:
		_, c := l.code.Update(msg)
		return c, true
	case km.Type == tea.KeyEnter:
		l.editing = true
		return l.code.Focus(), true
	case km.String() == "x":
		return l.answerAsk(flowAnswer{err: context.Canceled}), true
	case key.Matches(km, k.Open):
		return l.sh.m.openCmd(url), true
	case key.Matches(km, k.CopyURL):
		return l.sh.m.copyCmd("login link", url), true
	}
	return nil, true
}

func (l *loginModel) askBindings() []key.Binding {
	k := l.sh.m.keys
	if l.editing {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "sign in and carry on")), k.CopyLink, k.Done}
	}
	return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "paste the code")), k.Open, k.CopyURL,
		key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "stop instead"))}
}

// askLines renders the request: what Globus asks, the link, the code.
func (l *loginModel) askLines(full int) ([]string, int) {
	st := l.sh.m.st
	q := l.ask.ask.q
	w := min(full, readingWidth) // prose; the link takes the full width (wide)
	out := []string{st.title.Render("Sign in again"), ""}
	for _, s := range q.Intro {
		out = append(out, wrap(s, w)...)
	}
	out = append(out, "")
	out = append(out, wrap("Sign in at this link: it asks Globus for exactly that. Then paste the code Globus shows; the wizard keeps the new login and tries once more. Nothing made so far is made again.", w)...)
	out = append(out, "")
	if l.browserNote != "" {
		out = append(out, styledWrap(st.faint, l.browserNote, w)...)
	}
	if l.editing {
		out = append(out, styledWrap(st.faint, "ctrl+l copies the link (u would be typed into the code).", w)...)
	}
	out = append(out, linkLines(st, q.Link.URL, "▸ open the Globus sign-in page", full)...)
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
