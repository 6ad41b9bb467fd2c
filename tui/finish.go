package tui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/steps"
)

// finishMsg is a result for the finish screen.
type finishMsg interface{ finish() }

type envWrittenMsg struct {
	path   string
	w      steps.FileWrite
	merged bool
	err    error
}

type verifyAllMsg struct {
	lines []string
	start string // the gateway's start-up check, as its own line
	// needLogin: steps whose checks wait only for the operator's login.
	needLogin map[string]bool
	loginOnly bool // every check skipped waits for the login
	ok        bool
	err       error
}

func (envWrittenMsg) finish() {}
func (verifyAllMsg) finish()  {}

// finishModel summarises the setup, verifies everything and writes the .env.
type finishModel struct {
	sh      *shellModel
	path    *huh.Input
	editing bool
	replace bool // write a new file even though one exists

	existsFor string
	exists    bool
	wrote     string // the file this session wrote last (absolute path)

	busy      bool
	busyLabel string
	cancelFn  context.CancelFunc

	result outcome // the latest of write, verify all and prove it
	// needLogin: the steps the latest verify all could not check only
	// because the operator was not logged in (x again would not help).
	needLogin map[string]bool
	pr        proveState
	rot       rotateState // rotate.go
}

func newFinish(sh *shellModel) *finishModel {
	f := &finishModel{sh: sh}
	f.path = huh.NewInput().Title(".env file for the gateway").Placeholder(defaultEnvPath(sh.m.cfg))
	setInput(f.path, defaultEnvPath(sh.m.cfg))
	f.path.WithKeyMap(huh.NewDefaultKeyMap())
	f.path.WithTheme(sh.m.st.theme)
	f.pr = newProveState(sh)
	f.resize(sh.mainWidth())
	return f
}

func (f *finishModel) resize(w int) {
	f.path.WithWidth(max(w-2, 10))
	f.pr.code.WithWidth(max(w-2, 10))
}

func (f *finishModel) typing() bool { return f.editing || f.pr.editing }

func (f *finishModel) env() *steps.Env {
	return &steps.Env{Vault: f.sh.m.vault, Globus: f.sh.m.cfg.Globus}
}

func (f *finishModel) cancel() {
	if f.cancelFn != nil {
		f.cancelFn()
		f.cancelFn = nil
	}
}

func (f *finishModel) target() string {
	p := strings.TrimSpace(inputValue(f.path))
	if p == "" {
		p = defaultEnvPath(f.sh.m.cfg)
	}
	return p
}

// fileExists is cached per path so View does not stat on every frame.
func (f *finishModel) fileExists() bool {
	if t := f.target(); t != f.existsFor {
		_, err := os.Stat(t)
		f.existsFor, f.exists = t, err == nil
	}
	return f.exists
}

func (f *finishModel) bindings() []key.Binding {
	k := f.sh.m.keys
	switch {
	case f.busy:
		return []key.Binding{k.Cancel}
	case f.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/esc", "done"))}
	case f.pr.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "prove it")), k.Done}
	}
	b := []key.Binding{k.WriteEnv, k.EditEnv}
	if f.fileExists() {
		b = append(b, k.Replace)
	}
	b = append(b, k.VerifyAll)
	if f.rot.open {
		return f.rotateBindings()
	}
	return append(append(b, f.proveBindings()...), f.rotateBindings()...)
}

func (f *finishModel) update(msg tea.Msg) tea.Cmd {
	m := f.sh.m
	switch msg := msg.(type) {
	case tea.KeyMsg:
		k := m.keys
		if f.busy {
			if key.Matches(msg, k.Cancel) {
				f.cancel()
				f.busyLabel = "Cancelling…"
			}
			return nil
		}
		if f.editing {
			if msg.Type == tea.KeyEnter || msg.Type == tea.KeyEsc {
				f.editing = false
				f.path.Blur()
				f.existsFor = ""
				return nil
			}
			_, cmd := f.path.Update(msg)
			return cmd
		}
		if f.pr.editing {
			return f.proveTyping(msg)
		}
		if cmd, ok := f.rotateKey(msg); ok || f.rot.open {
			return cmd
		}
		if cmd, ok := f.proveKey(msg); ok {
			return cmd
		}
		switch {
		case key.Matches(msg, k.EditEnv):
			f.editing = true
			return f.path.Focus()
		case key.Matches(msg, k.Replace):
			f.replace = !f.replace
		case key.Matches(msg, k.WriteEnv):
			return f.write()
		case key.Matches(msg, k.VerifyAll):
			return f.verify()
		}
		return nil
	case envWrittenMsg:
		m.endBusy()
		f.busy = false
		f.existsFor = ""
		if msg.err != nil {
			f.result = outcome{summary: []string{"Could not write the .env: " + msg.err.Error()}}
			return nil
		}
		how := "wrote"
		if msg.merged {
			how = "updated the gateway's variables in"
		}
		f.wrote = msg.path
		f.result = outcome{summary: writtenLines(msg.w, how), ok: true}
		return nil
	case proofMsg:
		f.proved(msg)
		return nil
	case rotateMsg:
		f.rotated(msg)
		return nil
	case browserOpenedMsg:
		f.proveBrowser(msg)
		return nil
	case verifyAllMsg:
		m.endBusy()
		f.busy, f.cancelFn = false, nil
		f.sh.refresh()
		f.needLogin = msg.needLogin
		o := outcome{report: msg.lines, ok: msg.err == nil && msg.ok}
		switch {
		case errors.Is(msg.err, context.Canceled):
			o.summary = []string{"Cancelled."}
		case msg.err != nil:
			o.summary = explain(msg.err)
		case msg.ok && skipped(msg.lines) && msg.loginOnly && !f.sh.loggedIn:
			o.summary = []string{"Nothing failed; some checks need a login (L)."}
		case msg.ok && skipped(msg.lines):
			o.summary = []string{"Nothing failed; some checks could not run yet (see above)."}
		case msg.ok:
			o.summary = []string{"Everything checks out."}
		default:
			o.summary = []string{"Some checks failed: see each line for what to do."}
		}
		if msg.err == nil && msg.start != "" {
			// The check that decides whether the gateway starts at all
			// (inference_gateway/apps.py refuses otherwise), on its own line.
			o.summary = append(o.summary, "Gateway start-up: "+msg.start)
		}
		f.result = o
		return nil
	}
	if f.editing {
		_, cmd := f.path.Update(msg)
		return cmd
	}
	if f.pr.editing {
		_, cmd := f.pr.code.Update(msg)
		return cmd
	}
	return nil
}

// writtenLines says what writing the .env did, in sentences; how is
// "wrote" or "updated the gateway's variables in".
func writtenLines(w steps.FileWrite, how string) []string {
	name := w.Target
	if w.Target != w.Path {
		name += " (through the symbolic link " + w.Path + ")"
	}
	var lines []string
	if w.Unchanged {
		lines = []string{name + " already holds these settings: nothing was written."}
	} else {
		lines = []string{strings.ToUpper(how[:1]) + how[1:] + " " + name + " (mode 0600: it holds client secrets)."}
	}
	if w.Backup != "" {
		lines = append(lines, "The previous file is kept as "+w.Backup+" (the next change replaces it).")
	}
	for _, l := range w.Lines(how)[1:] { // older backups
		lines = append(lines, strings.ToUpper(l[:1])+l[1:]+".")
	}
	return lines
}

// write exports a new .env or merges into the existing one, atomically,
// mode 0600, keeping the previous content as .env.bak when it changes.
func (f *finishModel) write() tea.Cmd {
	m := f.sh.m
	path, err := filepath.Abs(f.target())
	if err != nil {
		f.result = outcome{summary: []string{err.Error()}}
		return nil
	}
	replace := f.replace
	f.busy, f.busyLabel = true, "Writing "+path+"…"
	run := func() tea.Msg {
		w, err := steps.WriteEnv(m.vault, path, replace) // remembered for rotate
		return envWrittenMsg{path: path, w: w.FileWrite, merged: w.Merged, err: err}
	}
	return tea.Batch(m.startBusy(), run)
}

func (f *finishModel) verify() tea.Cmd {
	m := f.sh.m
	if m.cfg.Globus == nil {
		f.result = outcome{summary: []string{"No Globus client is configured, so nothing can be checked."}}
		return nil
	}
	ctx, cancel := m.opContext()
	f.cancelFn = cancel
	f.busy, f.busyLabel = true, "Checking everything with Globus… (esc cancels)"
	env := &steps.Env{Vault: m.vault, Globus: m.cfg.Globus}
	ch, next := workChannel() // Globus may ask for a new sign-in (reauth.go)
	env.Reauth = reauthVia(ch, next)
	run := func() tea.Msg {
		defer cancel()
		defer close(ch)
		return runVerifyAll(ctx, env)
	}
	return tea.Batch(m.startBusy(), run, next)
}

func (f *finishModel) lines(w int) ([]string, int) {
	m := f.sh.m
	st := m.st
	out := []string{st.title.Render("Finish"), ""}
	done, unverified, waiting := 0, 0, 0
	for _, s := range f.sh.cat {
		ss := f.sh.status[s.ID]
		if ss.State.Finished() {
			done++
		}
		switch {
		case ss.State != steps.StateDone:
		case f.needLogin[s.ID] && !f.sh.loggedIn:
			waiting++
		default:
			unverified++
		}
		line := fmt.Sprintf("%s %d %s", glyph(ss.State), s.Number, s.Title)
		words := stateWords(ss.State)
		out = append(out, truncate(line+st.faint.Render(" · "+words[strings.Index(words, " ")+1:]), w))
		if ss.Note != "" {
			for _, l := range indent(ss.Note, 4, w) {
				out = append(out, st.warn.Render(l))
			}
		}
	}
	out = append(out, "")
	switch {
	case done == len(f.sh.cat) && unverified+waiting > 0:
		text := "Every step is done."
		if unverified > 0 {
			text += fmt.Sprintf(" %d not verified yet: press x to verify all, with the gateway's own start-up check (some checks need the login, L).", unverified)
		}
		if waiting > 0 {
			// x again would change nothing: say what would.
			verb := "need"
			if waiting == 1 {
				verb = "needs"
			}
			text += fmt.Sprintf(" %d %s a login to check: L logs in (optional), then x checks again.", waiting, verb)
		}
		if unverified > 0 {
			text += " Then write the gateway's .env and restart it."
		} else {
			text += " Write the gateway's .env and restart it."
		}
		out = append(out, wrap(text, w)...)
	case done == len(f.sh.cat):
		out = append(out, wrap("Every step is done. Write the gateway's .env and restart it; x checks the gateway would start.", w)...)
	default:
		out = append(out, wrap(fmt.Sprintf("%d of %d steps done; the .env will hold what is stored so far.", done, len(f.sh.cat)), w)...)
	}
	out = append(out, "")
	focus := -1
	if f.editing {
		focus = len(out) + 1
	}
	out = append(out, splitLines(f.path.View())...)
	if f.fileExists() && f.wroteTarget() {
		out = append(out, styledWrap(st.faint, "written just now; w writes it again with what is stored (only the gateway's variables change)", w)...)
	} else if f.fileExists() {
		if f.replace {
			out = append(out, styledWrap(st.warn, "exists: will be replaced by a new file (old one backed up); m switches back to merging", w)...)
		} else {
			out = append(out, styledWrap(st.faint, "exists: merged, only the gateway's variables change (old one backed up); m switches to replacing it", w)...)
		}
	}
	out = append(out, f.rotateLines(w)...)
	pl, pf := f.proveLines(w)
	if pf >= 0 && !f.editing {
		focus = len(out) + pf
	}
	out = append(out, pl...)
	if f.busy {
		out = append(out, "", m.spin.View()+" "+f.busyLabel)
		focus = len(out) - 1
	} else if !f.result.empty() {
		out = append(out, "")
		out = append(out, f.result.renderKeys(st, w, f.typing())...)
		focus = len(out) - 1
	}
	return out, focus
}

// wroteTarget: the path shown is the file this session just wrote, so it is
// not described as one that was there before.
func (f *finishModel) wroteTarget() bool {
	abs, err := filepath.Abs(f.target())
	return err == nil && f.wrote != "" && abs == f.wrote
}
