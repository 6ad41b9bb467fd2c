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

// loginModel logs the operator in (flow.Login: PKCE, paste the code back),
// so actions that need the operator's own token can run. It works over
// SSH: no local web server, only a link and a pasted code.
type loginModel struct {
	sh      *shellModel
	code    *huh.Input
	link    string // the login page while its code is asked ("": none)
	editing bool

	// Without a stored public client the operator names the client to log
	// in through (any thick client will do for the first login).
	client        *huh.Input
	clientEditing bool
	clientErr     string

	job         job
	browserNote string
	result      outcome
	said        string // the login's last word (the client it stored)

	// ask is Globus's open request to sign in again (reauth.go) from a
	// task of another page, answered here; askBack is the page to return to.
	ask     *flowEvent
	askBack int
	askNote string // whether the browser opened the sign-in page
}

func newLogin(sh *shellModel) *loginModel {
	l := &loginModel{sh: sh}
	l.code = huh.NewInput().Title("Code from the Globus page (or the page's whole address)").Placeholder("paste the code or the page's address")
	l.code.WithKeyMap(huh.NewDefaultKeyMap())
	l.code.WithTheme(sh.m.st.theme)
	// No example UUID: grey on nothing, it read as a client already there.
	l.client = huh.NewInput().Title("Client ID to log in with").Placeholder("paste a thick client's ID")
	l.client.WithKeyMap(huh.NewDefaultKeyMap())
	l.client.WithTheme(sh.m.st.theme)
	if id := sh.m.cfg.DemoLoginClient; id != "" {
		setInput(l.client, id)
		l.client.Title("Client ID to log in with  (suggested: the demo's thick client)")
	}
	l.resize(sh.mainWidth())
	return l
}

func (l *loginModel) resize(w int) {
	l.code.WithWidth(max(w-2, 10))
	l.client.WithWidth(max(w-2, 10))
}

func (l *loginModel) typing() bool { return l.editing || l.clientEditing }

// wide: a login link is shown, which takes the whole width (half the
// lines it takes beside the sidebar).
func (l *loginModel) wide() bool {
	if l.openAsk() {
		return true
	}
	return l.link != "" && l.adopting() == nil
}

// needClient: no public client is stored, so the login must be told which
// client to go through.
func (l *loginModel) needClient() bool {
	return strings.TrimSpace(l.sh.doc.Values["public_client.client_id"]) == ""
}

// validateClient checks the typed client ID as typed; empty is only an
// error when starting.
func (l *loginModel) validateClient(starting bool) (string, bool) {
	v := strings.TrimSpace(inputValue(l.client))
	l.clientErr = ""
	if v == "" {
		if starting {
			l.clientErr = "Give the ID of the client to log in through."
		}
		return "", false
	}
	n, err := steps.Validate("public_client.client_id", v)
	if err != nil {
		l.clientErr = fieldProblem(l.client, err, v)
		return "", false
	}
	return n, true
}

func (l *loginModel) cancel() tea.Cmd { return l.job.cancel() }

// adopting is the question whether the login's client is step 4's.
func (l *loginModel) adopting() *flow.Confirm {
	if a := l.job.asking; a != nil && a.confirm != nil && a.confirm.Key == flow.KeyAdoptClient {
		return a.confirm
	}
	return nil
}

// codeAsked: the login waits for the code Globus shows.
func (l *loginModel) codeAsked() bool {
	a := l.job.asking
	return a != nil && a.q.Key == flow.KeyLoginCode
}

func (l *loginModel) bindings() []key.Binding {
	k := l.sh.m.keys
	if l.openAsk() {
		return l.askBindings()
	}
	switch {
	case l.job.busy:
		return []key.Binding{k.Cancel}
	case l.adopting() != nil:
		return []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes, it is step 4's")),
			key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "no, only to log in"))}
	case l.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "log in (a paste needs none)")), k.CopyLink, k.Done}
	case l.clientEditing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start login")), k.Done}
	}
	if l.link != "" {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "paste the code")),
			key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open link")), k.CopyURL, key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "start over"))}
	}
	if l.sh.loggedIn {
		next := "set up everything"
		if l.allSaved() {
			next = "finish, then x checks"
		}
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", next)),
			key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "log in again"))}
	}
	b := []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start login"))}
	if l.needClient() && !l.clientSuggested() {
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "type the client's ID")),
			key.NewBinding(key.WithKeys("4"), key.WithHelp("4", "step 4: register one"))}
	}
	if l.needClient() {
		b = append(b, key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "change the client")))
	}
	return b
}

// allSaved: every step is saved (or skipped): what is left is Finish,
// and the checks the login lets run.
func (l *loginModel) allSaved() bool {
	pr := steps.Progress(l.sh.doc)
	return pr.Total > 0 && pr.Finished() == pr.Total
}

// clientSuggested: the client field holds a valid ID to start with.
func (l *loginModel) clientSuggested() bool {
	v := strings.TrimSpace(inputValue(l.client))
	_, err := steps.Validate("public_client.client_id", v)
	return v != "" && err == nil
}

func (l *loginModel) update(msg tea.Msg) tea.Cmd {
	m := l.sh.m
	k := m.keys
	if l.openAsk() {
		if cmd, handled := l.updateAsk(msg); handled {
			return cmd
		}
	}
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case l.job.busy:
			if key.Matches(msg, k.Cancel) {
				return l.cancel()
			}
			return nil
		case l.adopting() != nil:
			return l.answerAdopt(msg.String())
		case l.clientEditing:
			switch msg.Type {
			case tea.KeyEsc:
				l.clientEditing = false
				l.client.Blur()
				return nil
			case tea.KeyEnter:
				id, ok := l.validateClient(true)
				if !ok {
					return nil
				}
				l.clientEditing = false
				l.client.Blur()
				return l.start(id)
			}
			_, cmd := l.client.Update(msg)
			l.validateClient(false)
			if !msg.Paste && l.clientErr != "" {
				l.clientErr = whileTyping("public_client.client_id", strings.TrimSpace(inputValue(l.client)), l.clientErr)
			}
			return cmd
		case l.editing:
			switch msg.Type {
			case tea.KeyEsc:
				l.editing = false
				l.code.Blur()
				return nil
			case tea.KeyEnter:
				return l.finish()
			}
			if key.Matches(msg, k.CopyLink) && l.link != "" {
				return m.copyCmd("login link", l.link) // u would be typed into the code
			}
			empty := strings.TrimSpace(inputValue(l.code)) == ""
			_, cmd := l.code.Update(msg)
			if msg.Paste && empty && strings.TrimSpace(inputValue(l.code)) != "" {
				return tea.Batch(l.finish(), cmd) // a pasted code needs no enter
			}
			return cmd
		case msg.Type == tea.KeyEnter && l.link != "":
			l.editing = true // back to the code: the login in progress stays valid
			return l.code.Focus()
		case msg.Type == tea.KeyEnter && l.sh.loggedIn && l.allSaved():
			return l.sh.goTo(l.sh.finishIndex()) // what is left: Finish and its checks
		case msg.Type == tea.KeyEnter && l.sh.loggedIn:
			return l.sh.openSetup() // the next thing to do after logging in
		case msg.String() == "n" && l.sh.loggedIn && l.link == "" && !l.needClient():
			return l.start("") // log in again
		case msg.String() == "n" && l.sh.loggedIn && l.link == "":
			l.clientEditing = true
			return l.client.Focus()
		case msg.Type == tea.KeyEnter && l.needClient() && l.clientSuggested():
			// The client shown is the default: enter accepts it (e to change it).
			id, _ := l.validateClient(true)
			return l.start(id)
		case msg.String() == "4" && l.needClient() && l.link == "" && !l.clientSuggested():
			// No thick client yet: step 4 registers the gateway's own.
			return l.sh.goTo(3)
		case (msg.Type == tea.KeyEnter || msg.String() == "e" || (msg.String() == "n" && l.link != "")) && l.needClient():
			l.clientEditing = true
			return tea.Batch(l.dropLogin(), l.client.Focus())
		case msg.Type == tea.KeyEnter || (msg.String() == "n" && l.link != ""):
			return l.start("")
		case key.Matches(msg, k.Open) && l.link != "":
			return m.openCmd(l.link)
		case (key.Matches(msg, k.CopyURL) || key.Matches(msg, k.CopyLink)) && l.link != "":
			return m.copyCmd("login link", l.link)
		}
		return nil
	case browserOpenedMsg:
		if l.link == "" || msg.url != l.link {
			return nil
		}
		l.browserOpened(msg.err)
		return nil
	}
	if l.editing {
		_, cmd := l.code.Update(msg)
		return cmd
	}
	if l.clientEditing {
		_, cmd := l.client.Update(msg)
		return cmd
	}
	return nil
}

func (l *loginModel) browserOpened(err error) {
	if err != nil {
		l.browserNote = "The browser did not open (" + termsafe.Line(err.Error()) + ")."
	} else {
		l.browserNote = "Opened in your browser: sign in, allow, then paste the code below."
	}
}

// onFlow takes the login's events: its page, its code and the question
// about its client; then where a finished login leads.
func (l *loginModel) onFlow(ev flowEvent) tea.Cmd {
	switch {
	case ev.show != nil:
		l.link, l.browserNote = ev.show.URL, ""
		l.browserOpened(ev.showErr)
		return ev.next
	case ev.prog != nil:
		l.job.doing(ev)
		return ev.next
	case ev.out != nil:
		if ev.out.OK && len(ev.out.Summary) > 0 {
			l.said = ev.out.Summary[0]
		}
		return ev.next
	case ev.ask != nil:
		if ev.ask.q.Key != flow.KeyLoginCode {
			return nil // the question about the client, answered with y or n
		}
		if a := ev.ask.q.Again; a != nil {
			return l.retryCode(a)
		}
		l.editing = true
		setInput(l.code, "")
		return l.code.Focus()
	}
	res, _ := ev.res.(loginDone)
	if res.err != nil {
		l.link, l.editing = "", false
		l.code.Blur()
		if errors.Is(res.err, context.Canceled) {
			if l.result.empty() {
				l.result = outcome{summary: []string{"Cancelled."}}
			}
			return nil
		}
		l.result = outcome{summary: explain(res.err)}
		return nil
	}
	l.link, l.editing = "", false
	setInput(l.code, "")
	l.sh.refresh()
	l.result = outcome{}
	if res.r.Adopted != nil {
		cmd := l.afterLogin(1)
		l.sh.flash = l.said
		return cmd
	}
	return l.afterLogin(0)
}

// loginDone is what the login task hands back.
type loginDone struct {
	r   flow.LoginResult
	err error
}

// answerAdopt: y stores the login's client as step 4's public client, so
// the setup keeps it and its project instead of making both again.
func (l *loginModel) answerAdopt(answer string) tea.Cmd {
	switch answer {
	case "y":
		return l.job.answer(flowAnswer{yes: true})
	case "n":
		return l.job.answer(flowAnswer{yes: false})
	}
	return nil
}

// afterLogin goes where a finished login leads: back to the set-up form
// that asked for it, or to it when nothing is set up yet. justStored is
// how many steps the login itself stored (the adopted public client).
func (l *loginModel) afterLogin(justStored int) tea.Cmd {
	if s := l.sh.setup; !s.job.busy && s.plan == nil {
		// The form's suggestions were read as nobody (or someone else):
		// read again when next shown, what was typed kept.
		s.loaded = false
	}
	if id := l.sh.applyAfterLogin; id != "" {
		// a on a step sent the operator here: back to it, its plan made.
		for i, st := range l.sh.cat {
			if st.ID == id {
				cmd := l.sh.goTo(i)
				return tea.Batch(l.sh.stepPage(id).makePlan(), cmd)
			}
		}
	}
	if l.sh.finishAfterLogin {
		return l.sh.goTo(l.sh.finishIndex())
	}
	if l.sh.setup.afterLogin {
		// The set-up form sent the operator here: back to it, with the
		// suggestions read again now that the login says who they are.
		l.sh.setup.afterLogin, l.sh.setup.loaded, l.sh.setup.result = false, false, outcome{}
		return l.sh.openSetup()
	}
	if pr := steps.Progress(l.sh.doc); pr.Finished() <= justStored && pr.InProgress == 0 && l.sh.sel == l.sh.loginIndex() {
		// Nothing is set up yet: the next thing is the one form.
		cmd := l.sh.openSetup()
		l.sh.flash = "Logged in. Check the values, then enter; or esc and go step by step."
		return cmd
	}
	return nil
}

// retryCode: the pasted code was refused. The login link stays valid, so
// the field is emptied and keeps the keys for a new code; the advice names
// keys that work while it does (L would be typed into the field).
func (l *loginModel) retryCode(err error) tea.Cmd {
	var sum []string
	for _, line := range explain(err) {
		if strings.Contains(line, "press L") || strings.Contains(line, "Press L") {
			continue
		}
		sum = append(sum, line)
	}
	sum = append(sum, "What to do: paste a new code: the link above still works. To start over: esc, then n.")
	l.result = outcome{summary: sum}
	setInput(l.code, "")
	l.editing = true
	return l.code.Focus()
}

// begin starts a login when asked for from elsewhere (A without a login):
// at once when the client is known, else with the client field in focus.
func (l *loginModel) begin() tea.Cmd {
	switch {
	case l.job.busy:
		return nil
	case l.link != "":
		l.editing = true // the login under way is still valid
		return l.code.Focus()
	case !l.needClient():
		return l.start("")
	case l.clientSuggested():
		id, _ := l.validateClient(true)
		return l.start(id)
	}
	// No client to offer: the screen says what to do (enter to give one,
	// 4 for step 4), keys a focused field would swallow.
	return nil
}

// start begins the login through clientID ("" = the stored public
// client); one under way is dropped (start over).
func (l *loginModel) start(clientID string) tea.Cmd {
	m := l.sh.m
	if m.cfg.Globus == nil {
		l.result = outcome{summary: []string{"No Globus client is configured."}}
		return nil
	}
	drop := l.dropLogin()
	l.result, l.browserNote, l.said = outcome{}, "", ""
	env := m.env()
	o := flow.LoginOptions{ClientID: clientID, NotOffered: m.cfg.DemoLoginClient}
	run := m.run(&l.job, l, "Logging in… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		r, err := flow.Login(ctx, ui, env, o)
		return loginDone{r: r, err: err}
	})
	return tea.Batch(drop, run)
}

// dropLogin ends a login under way (its link and code question).
func (l *loginModel) dropLogin() tea.Cmd {
	if l.link == "" && l.job.stop == nil {
		return nil
	}
	l.link, l.editing = "", false
	l.code.Blur()
	setInput(l.code, "")
	cmd := l.job.cancel()
	l.job.seq++ // what the dropped login still says is not this page's now
	l.job.ended()
	return cmd
}

// finish sends the pasted code to the login waiting for it.
func (l *loginModel) finish() tea.Cmd {
	pasted := strings.TrimSpace(inputValue(l.code))
	if pasted == "" {
		if l.result.empty() { // else the refused code's advice stays in view
			l.result = outcome{summary: []string{"Paste the code Globus showed after you allowed access."}}
		}
		return nil
	}
	if !l.codeAsked() {
		return nil
	}
	l.result = outcome{}
	return l.job.answer(flowAnswer{text: pasted})
}

func (l *loginModel) lines(full int) ([]string, int) {
	if l.openAsk() {
		return l.askLines(full)
	}
	m := l.sh.m
	st := m.st
	w := full
	if l.wide() {
		w = min(full, readingWidth) // prose; the link takes the full width
	}
	out := []string{st.title.Render("Log in to Globus"), ""}
	focus := -1
	if c := l.adopting(); c != nil {
		out = append(out, styledWrap(st.ok, "✓ Logged in.", w)...)
		out = append(out, "")
		out = append(out, wrap(termsafe.Line(c.Ask), w)...)
		out = append(out, "")
		out = append(out, wrap(st.key.Render("y")+": yes, store it as step 4's: the setup keeps it and puts everything else into its project, not into a new one.", w)...)
		out = append(out, wrap(st.key.Render("n")+": no, it only logs me in: the setup makes the gateway's own public client.", w)...)
		return out, len(out) - 1
	}
	if info, ok := l.sh.loginInfo, l.sh.loggedIn; ok && l.link == "" {
		out = append(out, styledWrap(st.ok, termsafe.Line("✓ Logged in through client "+info.ClientID+" ("+strings.Join(info.ResourceServers, ", ")+")."), w)...)
		out = append(out, "")
		if l.allSaved() {
			// Nothing to set up: the checks that waited for the login.
			out = append(out, wrap("Every step is saved. "+st.key.Render("enter")+": Finish, where "+st.key.Render("x")+
				" checks everything now that you are logged in (some checks need the login), then "+st.key.Render("w")+" writes the gateway's .env.", w)...)
		} else {
			out = append(out, wrap(st.key.Render("enter")+": set up everything — one form with every value filled in, one plan for steps 1–6 and the .env, confirmed once. "+
				"Or go step by step (tab) and press a on each step.", w)...)
		}
		out = append(out, styledWrap(st.faint, "n: log in again (another account or client)", w)...)
		if !l.result.empty() {
			out = append(out, "")
			out = append(out, l.result.render(st, w)...)
		}
		return out, -1
	}
	out = append(out, styledWrap(st.faint, "Not logged in.", w)...)
	switch {
	case l.sh.applyAfterLogin != "":
		if s, ok := steps.StepByID(l.sh.applyAfterLogin); ok {
			out = append(out, styledWrap(st.faint, fmt.Sprintf("Once you are logged in, the wizard goes back to step %d and shows what it would do.", s.Number), w)...)
		}
	case l.sh.setup.afterLogin:
		out = append(out, styledWrap(st.faint, "Once you are logged in, the wizard goes back to the set-up form.", w)...)
	case l.sh.finishAfterLogin:
		out = append(out, styledWrap(st.faint, "Once you are logged in, the wizard goes back to Finish.", w)...)
	}
	out = append(out, "")
	out = append(out, wrap("Some checks (that the project and policy exist) and actions (the wizard doing the steps for you, creating groups as yourself) need your own Globus login. "+
		"The login goes through a client and a code you paste back, so it works over SSH too. "+
		"The tokens are kept in the vault, never shown or exported.", w)...)
	if l.needClient() {
		out = append(out, "")
		out = append(out, wrap("No public client is stored yet. The very first login needs a thick (native) client: "+
			"register the gateway's public client by hand (step 4 shows how; the console can create the project on the way) and give its ID here, or the ID of any thick client you have.", w)...)
		if m.cfg.DemoLoginClient != "" {
			out = append(out, styledWrap(st.faint, "Demo: the emulator's operator already has a thick client (\"Operator's own CLI\"); its ID is suggested below.", w)...)
		}
		out = append(out, "")
		out = append(out, splitLines(l.client.View())...)
		if l.clientErr != "" {
			for _, b := range hanging("  ✗ "+l.clientErr, 4, w) {
				out = append(out, st.bad.Render(b))
			}
		}
		if l.clientEditing {
			focus = len(out) - 1
		}
	} else {
		out = append(out, "")
		out = append(out, wrap("The login goes through the public client of step 4.", w)...)
	}
	if l.link != "" {
		out = append(out, "")
		if l.browserNote != "" {
			out = append(out, styledWrap(st.faint, l.browserNote, w)...)
		}
		copyKey := "u"
		if l.editing {
			copyKey = "ctrl+l" // u would be typed into the code field
		}
		out = append(out, wrap("Sign in and allow on this page (click it, or copy it with "+st.key.Render(copyKey)+"), then paste the code it shows, or its whole address:", w)...)
		out = append(out, linkLines(st, l.link, "▸ open the Globus login page", full)...)
		out = append(out, "")
		out = append(out, splitLines(l.code.View())...)
		if !l.clientEditing {
			focus = len(out) - 1
		}
		if !l.editing {
			out = append(out, st.faint.Render(truncate("enter: paste the code · u: copy the link · n: start over", w)))
			if !l.clientEditing {
				focus = len(out) - 1 // the keys under the field stay in view
			}
		}
	} else {
		hint := "press enter to start"
		switch {
		case l.needClient() && !l.clientEditing && !l.clientSuggested():
			hint = "press enter to type its ID; no thick client yet? 4 goes to step 4 to register the gateway's"
		case l.needClient() && !l.clientEditing:
			hint = "press enter to log in through this client (e to change it)"
		}
		out = append(out, "")
		out = append(out, styledWrap(st.faint, hint, w)...)
	}
	if l.job.busy {
		out = append(out, "", m.spin.View()+" "+l.job.label)
		focus = len(out) - 1
	} else if !l.result.empty() {
		out = append(out, "")
		out = append(out, l.result.renderKeys(st, w, l.typing())...)
		focus = len(out) - 1
	}
	return out, focus
}
