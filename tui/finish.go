package tui

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// What the finish screen's tasks hand back.
type (
	envDone struct {
		w   flow.EnvWritten
		err error
	}
	verifyDone struct {
		v   flow.Verified
		err error
	}
)

// finishModel summarises the setup, verifies everything and writes the .env.
type finishModel struct {
	sh      *shellModel
	path    *huh.Input
	editing bool
	replace bool // write a new file even though one exists

	existsFor string
	exists    bool
	// holds: the file at existsFor already holds what a merge would write
	// (flow.EnvHoldsStored), found without writing when Finish opens.
	holds bool
	wrote string // the file this session wrote last (absolute path)
	// wroteNothing: that write found the file already holding it all.
	wroteNothing bool

	job    job
	result outcome // the latest of write, verify all and prove it
	// resultFor is the stored values a failed check or proof in result
	// was made with: once they change (step 6 fixed), it is stale.
	resultFor string
	// needLogin: the steps the latest verify all could not check only
	// because the operator was not logged in (x again would not help).
	needLogin map[string]bool
	pr        proveState
	rot       rotateState // rotate.go
	// afterProof: a proof just ended (often on a paste, which needs no
	// enter): a stray enter right after it says so rather than open the
	// path field.
	afterProof bool
}

func newFinish(sh *shellModel) *finishModel {
	f := &finishModel{sh: sh}
	f.path = huh.NewInput().Title(".env file for the gateway").Placeholder(defaultEnvPath(sh.m.cfg, sh.doc))
	setInput(f.path, defaultEnvPath(sh.m.cfg, sh.doc))
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

// wide: the test user's login link is shown, at the whole width.
func (f *finishModel) wide() bool { return f.pr.link != "" }

func (f *finishModel) cancel() tea.Cmd { return f.job.cancel() }

func (f *finishModel) target() string {
	p := strings.TrimSpace(inputValue(f.path))
	if p == "" {
		p = defaultEnvPath(f.sh.m.cfg, f.sh.doc)
	}
	return p
}

// fileExists is cached per path so View does not stat on every frame.
func (f *finishModel) fileExists() bool {
	if t := f.target(); t != f.existsFor {
		_, err := os.Stat(t)
		f.existsFor, f.exists = t, err == nil
		f.holds = f.exists && flow.EnvHoldsStored(f.sh.doc, t)
	}
	return f.exists
}

// opened: Finish is shown again; what the file holds is looked at anew
// (values may have changed on another page).
func (f *finishModel) opened() { f.existsFor = "" }

// holdsStored: the .env shown already holds what w would merge into it.
func (f *finishModel) holdsStored() bool { return f.fileExists() && f.holds && !f.replace }

func (f *finishModel) bindings() []key.Binding {
	k := f.sh.m.keys
	switch {
	case f.job.busy:
		return []key.Binding{k.Cancel}
	case f.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter/esc", "done"))}
	case f.pr.editing:
		return []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "prove it")), k.CopyLink, k.Done}
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
		if f.job.busy {
			if key.Matches(msg, k.Cancel) {
				f.job.label = "Cancelling…"
				return f.cancel()
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
		if f.afterProof {
			f.afterProof = false
			if msg.Type == tea.KeyEnter {
				f.sh.flash = "The proof has ended (its result is below): enter again edits the .env path; p proves again."
				return nil
			}
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
	case browserOpenedMsg:
		f.proveBrowser(msg)
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

// onFlow takes the finish screen's tasks' events: the .env written, the
// checks, the proof's link and code, a rotation.
func (f *finishModel) onFlow(ev flowEvent) tea.Cmd {
	switch {
	case ev.show != nil:
		f.pr.link = ev.show.URL
		f.proveBrowser(browserOpenedMsg{url: ev.show.URL, err: ev.showErr})
		return ev.next
	case ev.prog != nil:
		f.job.doing(ev)
		return ev.next
	case ev.out != nil:
		f.result = fromFlow(*ev.out)
		return ev.next
	case ev.ask != nil:
		f.pr.editing = true
		setInput(f.pr.code, "")
		return f.pr.code.Focus()
	}
	switch res := ev.res.(type) {
	case envDone:
		f.existsFor = ""
		if res.err != nil {
			f.result = outcome{summary: []string{"Could not write the .env: " + res.err.Error()}}
			return nil
		}
		f.wrote, f.wroteNothing = res.w.Path, res.w.Unchanged
	case verifyDone:
		f.verified(res)
		f.resultFor = valuesPrint(f.sh.doc)
		f.sh.flash = latestResult(f.result)
	case proofDone:
		f.proved(res)
		f.afterProof = true
		f.sh.refresh()
		f.resultFor = valuesPrint(f.sh.doc)
		f.sh.flash = latestResult(f.result)
	case rotateDone:
		// The rotation's own lines say what became of the .env (updated,
		// or nothing written to one without secrets): the note under the
		// path no longer speaks of an earlier write.
		f.wrote, f.wroteNothing = "", false
		f.existsFor = "" // the rotation may have changed the file
		f.rotated(res)
		f.sh.flash = latestResult(f.result)
	}
	return nil
}

// fromFlow is a task's outcome as the screen shows it.
func fromFlow(o flow.Outcome) outcome {
	out := outcome{report: o.Report, summary: o.Summary, ok: o.OK}
	if o.Problem != nil {
		out.summary = append(out.summary, explain(o.Problem)...)
	}
	return out
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
	o := flow.EnvOptions{Path: path, Replace: f.replace}
	v := m.vault
	return m.run(&f.job, f, "Writing "+path+"…", func(ctx context.Context, ui flow.UI) any {
		w, err := flow.WriteEnv(ctx, ui, v, o) // remembered for rotate
		return envDone{w: w, err: err}
	})
}

func (f *finishModel) verify() tea.Cmd {
	m := f.sh.m
	if m.cfg.Globus == nil {
		f.result = outcome{summary: []string{"No Globus client is configured, so nothing can be checked."}}
		return nil
	}
	base := m.env()
	return m.run(&f.job, f, "Checking everything with Globus… (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		v, err := flow.Verify(ctx, ui, flow.Env(ui, base))
		return verifyDone{v: v, err: err}
	})
}

// verified shows what checking everything found.
func (f *finishModel) verified(res verifyDone) {
	f.sh.refresh()
	v := res.v
	f.needLogin = v.NeedLogin
	o := outcome{report: v.Lines, ok: res.err == nil && !v.Failed}
	skipped := v.Skipped > 0
	switch {
	case errors.Is(res.err, context.Canceled):
		o = outcome{summary: []string{"Cancelled."}}
	case res.err != nil:
		o.summary = explain(res.err)
	case !v.Failed && skipped && v.LoginOnly && !f.sh.loggedIn:
		o.summary = []string{"Nothing failed; some checks need a login (L)."}
	case !v.Failed && skipped:
		o.summary = []string{"Nothing failed; some checks could not run yet (see above)."}
	case !v.Failed:
		o.summary = []string{"Everything checks out."}
	default:
		o.summary = []string{"Some checks failed: see each line for what to do."}
	}
	if res.err == nil && v.Start != "" {
		// The check that decides whether the gateway starts at all
		// (inference_gateway/apps.py refuses otherwise), on its own line,
		// and only there: not again among the report's.
		o.summary = append(o.summary, "Gateway start-up: "+v.Start)
		o.report = slices.DeleteFunc(slices.Clone(o.report), func(l string) bool { return l == v.Start })
	}
	f.result = o
	if res.err == nil {
		f.sh.checkedAll(v)
	}
}

// checkedAll: a check of everything is each step's latest check too, so a
// step page (and its sidebar mark) never keeps the ✗ of an older check.
func (s *shellModel) checkedAll(v flow.Verified) {
	for id, p := range s.stepsPg {
		if p.job.busy {
			continue
		}
		var lines []string
		failed := false
		for i, c := range v.Checks {
			if c.Step == id && i < len(v.Lines) {
				lines = append(lines, v.Lines[i])
				failed = failed || c.Status == steps.CheckFail
			}
		}
		if len(lines) == 0 {
			continue
		}
		o := outcome{report: lines, ok: !failed, summary: []string{"Checked with everything on Finish: all good."}}
		switch {
		case failed:
			o.summary = []string{"Checked with everything on Finish: something needs fixing (see above). Fix it, then press x to check again."}
		case skipped(lines):
			o.summary = []string{"Checked with everything on Finish: nothing failed; some checks could not run yet (see above)."}
		}
		p.result, p.applied = o, outcome{}
	}
}

func (f *finishModel) lines(full int) ([]string, int) {
	m := f.sh.m
	st := m.st
	w := full
	if f.wide() {
		w = min(full, readingWidth) // prose; the proof's link takes the full width
	}
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
		switch {
		case f.written():
			text += " The gateway's .env is written: restart the gateway."
		case f.holdsStored():
			text += " The gateway's .env already holds what is stored."
		case unverified > 0:
			text += " Then write the gateway's .env and restart it."
		default:
			text += " Write the gateway's .env and restart it."
		}
		out = append(out, wrap(text, w)...)
	case done == len(f.sh.cat) && f.written():
		out = append(out, wrap("Every step is done. The gateway's .env is written: restart the gateway; x checks it would start.", w)...)
	case done == len(f.sh.cat) && f.holdsStored():
		out = append(out, wrap("Every step is done. The gateway's .env already holds what is stored: nothing needs writing; x checks the gateway would start.", w)...)
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
	if f.fileExists() && f.wroteTarget() && f.wroteNothing {
		out = append(out, styledWrap(st.faint, "already holds what is stored: nothing needed writing", w)...)
	} else if f.holdsStored() && !f.wroteTarget() {
		out = append(out, styledWrap(st.faint, "already holds what is stored: nothing needs writing (w would change nothing; m switches to replacing it)", w)...)
	} else if f.fileExists() && f.wroteTarget() {
		out = append(out, styledWrap(st.faint, "written just now; w writes it again with what is stored (only the gateway's variables change)", w)...)
	} else if f.fileExists() {
		if f.replace {
			out = append(out, styledWrap(st.warn, "exists: will be replaced by a new file (old one backed up); m switches back to merging", w)...)
		} else {
			out = append(out, styledWrap(st.faint, "exists: merged, only the gateway's variables change (old one backed up); m switches to replacing it", w)...)
		}
	}
	out = append(out, f.rotateLines(w)...)
	pl, pf := f.proveLines(w, full)
	if pf >= 0 && !f.editing {
		focus = len(out) + pf
	}
	out = append(out, pl...)
	if f.job.busy {
		out = append(out, "", m.spin.View()+" "+f.job.label)
		focus = len(out) - 1
	} else if f.stale() {
		out = append(out, "")
		out = append(out, styledWrap(st.faint, "The last check or proof failed with values changed since: x checks again, p proves again.", w)...)
	} else if !f.result.empty() {
		out = append(out, "")
		out = append(out, f.result.renderKeys(st, w, f.typing())...)
		focus = len(out) - 1
	}
	return out, focus
}

// stale: the result on screen is a failure found with values since
// changed, which it would only mislead about.
func (f *finishModel) stale() bool {
	return !f.result.empty() && !f.result.ok && f.resultFor != "" && f.resultFor != valuesPrint(f.sh.doc)
}

// valuesPrint identifies the stored values (a digest: no secret is kept
// in it).
func valuesPrint(doc vault.Doc) string {
	keys := make([]string, 0, len(doc.Values))
	for k := range doc.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%q=%q\n", k, doc.Values[k])
	}
	return string(h.Sum(nil))
}

// written: the .env shown was written just now, so it is not asked for.
func (f *finishModel) written() bool { return f.fileExists() && f.wroteTarget() }

// wroteTarget: the path shown is the file this session just wrote, so it is
// not described as one that was there before.
func (f *finishModel) wroteTarget() bool {
	abs, err := filepath.Abs(f.target())
	return err == nil && f.wrote != "" && abs == f.wrote
}
