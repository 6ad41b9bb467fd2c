package tui

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// page is one screen of the main pane.
type page interface {
	update(msg tea.Msg) tea.Cmd
	// lines renders at width; focus is the line to keep on screen (-1: none).
	lines(width int) (lines []string, focus int)
	typing() bool // keys go to a text field
	bindings() []key.Binding
	resize(width int)
}

// Below wideMin columns the sidebar collapses into a one-line progress bar.
const wideMin = 72

// readingWidth caps the main pane's text: prose wider than this is hard to
// read on a wide terminal.
const readingWidth = 84

// sideWidth fits the longest step title from 100 columns up.
func (s *shellModel) sideWidth() int {
	if s.m.w >= 100 {
		return 29 // the longest title plus a space before the border
	}
	return 24
}

// shellModel is the frame around the steps: header, sidebar, main pane,
// status line and help bar.
type shellModel struct {
	m      *Model
	doc    vault.Doc
	cat    []steps.Step
	status map[string]steps.StepStatus
	// The operator's login, read at refresh (never per frame).
	loginInfo steps.LoginInfo
	loggedIn  bool

	sel      int // 0..len(cat)-1 a step, then values, login, finish
	stepsPg  map[string]*stepModel
	values   *valuesModel
	login    *loginModel
	setup    *setupModel
	finish   *finishModel
	scroll   map[int]int
	follow   map[int]bool // keep the page's focus line in view (off until the operator acts there)
	flash    string
	fullHelp bool
	// arrived is a one-line note on the page the wizard moved to by itself
	// (arrivedAt), saying what was checked on the way; any move clears it.
	arrived     string
	arrivedAt   int
	arrivedFrom int // the step shift+tab goes back to from there
	// applyAfterLogin is the step whose a asked for the login (its ID,
	// "" none): the login goes back there and plans it.
	applyAfterLogin string
	// finishAfterLogin: L was pressed on Finish, which the login goes
	// back to.
	finishAfterLogin bool
}

func newShell(m *Model) *shellModel {
	s := &shellModel{m: m, cat: steps.Catalogue(), stepsPg: map[string]*stepModel{}, scroll: map[int]int{}, follow: map[int]bool{}}
	s.refresh()
	s.sel = steps.ResumeIndex(s.doc)
	if s.sel >= len(s.cat) {
		s.sel = s.finishIndex() // everything done: open on the finish screen
	}
	s.values = newValues(s)
	s.login = newLogin(s)
	s.setup = newSetup(s)
	s.finish = newFinish(s)
	return s
}

func (s *shellModel) init() tea.Cmd { return nil }

// refresh re-reads the document after a save so every screen shows it.
func (s *shellModel) refresh() {
	s.doc = s.m.vault.Doc()
	for _, p := range s.stepsPg {
		p.relabel()
	}
	s.loginInfo, s.loggedIn = steps.LoggedIn(s.m.vault)
	s.status = map[string]steps.StepStatus{}
	for _, st := range steps.Status(s.doc) {
		s.status[st.Step.ID] = st
	}
}

func (s *shellModel) valuesIndex() int { return len(s.cat) }
func (s *shellModel) loginIndex() int  { return len(s.cat) + 1 }
func (s *shellModel) setupIndex() int  { return len(s.cat) + 2 }
func (s *shellModel) finishIndex() int { return len(s.cat) + 3 }

func (s *shellModel) current() page {
	switch {
	case s.sel < len(s.cat):
		return s.stepPage(s.cat[s.sel].ID)
	case s.sel == s.valuesIndex():
		return s.values
	case s.sel == s.loginIndex():
		return s.login
	case s.sel == s.setupIndex():
		return s.setup
	default:
		return s.finish
	}
}

// stepPage keeps one model per step so typed values survive navigation.
func (s *shellModel) stepPage(id string) *stepModel {
	if p, ok := s.stepsPg[id]; ok {
		return p
	}
	for _, st := range s.cat {
		if st.ID == id {
			p := newStep(s, st)
			s.stepsPg[id] = p
			return p
		}
	}
	return nil
}

func (s *shellModel) mainWidth() int {
	if s.sidebarShown() {
		return s.m.w - s.sideWidth() - 2
	}
	return s.m.w - 2
}

// sidebarShown: the screen is wide enough for the sidebar, and the page
// does not want the width for itself (then the progress line stands in):
// the login and the proof's link, shown whole, take half the lines there.
func (s *shellModel) sidebarShown() bool {
	if s.m.w < wideMin {
		return false
	}
	// Not current(): a page being built asks its width here.
	switch {
	case s.sel == s.loginIndex() && s.login != nil:
		return !s.login.wide()
	case s.sel == s.finishIndex() && s.finish != nil:
		return !s.finish.wide()
	}
	return true
}

func (s *shellModel) resize() {
	w := s.mainWidth()
	for _, p := range s.stepsPg {
		p.resize(w)
	}
	s.values.resize(w)
	s.login.resize(w)
	s.setup.resize(w)
	s.finish.resize(w)
}

// indexOf is the index of the page o (-1: none of the shell's).
func (s *shellModel) indexOf(o flowOwner) int {
	switch o {
	case s.login:
		return s.loginIndex()
	case s.setup:
		return s.setupIndex()
	case s.finish:
		return s.finishIndex()
	}
	if p, ok := o.(*stepModel); ok {
		return p.step.Number - 1
	}
	return -1
}

// jobs are every page's task runner.
func (s *shellModel) jobs() []*job {
	out := []*job{&s.login.job, &s.setup.job, &s.finish.job}
	for _, p := range s.stepsPg {
		out = append(out, &p.job)
	}
	return out
}

func (s *shellModel) cancelAll() {
	for _, p := range s.stepsPg {
		p.cancel()
	}
	s.login.cancel()
	s.setup.cancel()
	s.finish.cancel()
}

func (s *shellModel) goTo(i int) tea.Cmd {
	n := len(s.cat) + 4
	s.sel = (i + n) % n
	if s.sel != s.loginIndex() {
		s.applyAfterLogin, s.finishAfterLogin = "", false // the operator went elsewhere
	}
	s.flash, s.arrived = "", ""
	s.scroll[s.sel], s.follow[s.sel] = 0, false // a page opens at its top
	switch s.sel {
	case s.valuesIndex():
		s.values.reload()
	case s.finishIndex():
		s.finish.opened()
	case s.setupIndex():
		s.follow[s.sel] = true
		return s.setup.open(false)
	}
	return nil
}

// openSetup shows the set-up form with the keys in it.
func (s *shellModel) openSetup() tea.Cmd {
	load := s.goTo(s.setupIndex())
	return tea.Batch(load, s.setup.open(true))
}

// latestResult is a finished operation's outcome for the status line.
func latestResult(o outcome) string {
	if len(o.summary) == 0 {
		return ""
	}
	mark := "✗ "
	if o.ok {
		mark = "✓ "
	}
	return "Latest: " + mark + o.summary[0]
}

// loginForSetup: setting everything up needs the operator's login, so A
// without one goes to the login (started at once when the client to log in
// through is known); the login then comes back to the form.
func (s *shellModel) loginForSetup() tea.Cmd {
	s.setup.afterLogin = true
	s.setup.loaded = false // read the suggestions again once logged in
	cmd := s.goTo(s.loginIndex())
	s.follow[s.sel] = true // the link and the code field, in view
	s.flash = "Set up needs your login; then back to the form."
	return tea.Batch(cmd, s.login.begin())
}

// loginForStep is a on step i without a login: the login, then back to
// the step to plan it.
func (s *shellModel) loginForStep(i int) tea.Cmd {
	cmd := s.goTo(s.loginIndex())
	s.applyAfterLogin = s.cat[i].ID
	s.follow[s.sel] = true // the link and the code field, in view
	s.flash = fmt.Sprintf("Step %d done for you needs your login; then back to step %d.", s.cat[i].Number, s.cat[i].Number)
	return tea.Batch(cmd, s.login.begin())
}

// goToNextStep moves on after step i, if the operator is still on it;
// after the last step comes Finish.
func (s *shellModel) goToNextStep(i int) tea.Cmd {
	switch {
	case s.sel != i:
		return nil
	case i+1 >= len(s.cat):
		return s.goTo(s.finishIndex())
	}
	return s.goTo(i + 1)
}

// advanceFrom moves on after step i, as goToNextStep, leaving note on the
// next page so what the step's check found stays in view.
func (s *shellModel) advanceFrom(i int, note string) tea.Cmd {
	cmd := s.goToNextStep(i)
	if s.sel != i {
		s.arrived, s.arrivedAt, s.arrivedFrom = note, s.sel, i
		if s.sel < len(s.cat) {
			cmd = tea.Batch(cmd, s.stepPage(s.cat[s.sel].ID).arrive())
			if s.current().typing() {
				s.follow[s.sel] = true // the field it opened, in view
			}
		}
	}
	return cmd
}

// arrivedNote is the note as it reads now: its keys after esc while a
// field has them (said when drawn, so it is never stale once the form is
// closed).
func (s *shellModel) arrivedNote() string {
	if !s.current().typing() {
		return s.arrived
	}
	n := strings.Replace(s.arrived, backHint, "esc, then "+backHint, 1)
	return strings.Replace(n, loginHint, "esc, then "+loginHint, 1)
}

// clearArrived drops the note once the operator saves on the page it is
// pinned to: that page's own result follows.
func (s *shellModel) clearArrived() {
	if s.arrivedAt == s.sel {
		s.arrived = ""
	}
}

func (s *shellModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.KeyMsg:
		return s.key(msg)
	case copiedMsg:
		s.flash = copiedText(msg)
		return nil
	case browserOpenedMsg:
		for _, p := range s.stepsPg {
			p.update(msg)
		}
		s.finish.update(msg)
		return s.login.update(msg)
	case flowEvent:
		if reauthEvent(msg) {
			return s.askReauth(msg) // on the login screen, whichever page's task asks
		}
		if i := s.indexOf(msg.owner); i >= 0 && msg.job.current(msg) {
			s.follow[i] = true // the fresh result in view
		}
		return deliver(msg)
	}
	return s.current().update(msg)
}

func (s *shellModel) key(msg tea.KeyMsg) tea.Cmd {
	p := s.current()
	k := s.m.keys
	// The pane scrolls whatever has focus: no text field uses these keys,
	// and a long login link must be readable while its code field waits.
	switch {
	case key.Matches(msg, k.PageDown):
		s.scroll[s.sel] += s.pageStep()
		s.follow[s.sel] = false
		return nil
	case key.Matches(msg, k.PageUp):
		s.scroll[s.sel] = max(s.scroll[s.sel]-s.pageStep(), 0)
		s.follow[s.sel] = false
		return nil
	}
	if p.typing() {
		s.follow[s.sel] = true
		return p.update(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return s.m.quitKey()
	case key.Matches(msg, k.Help):
		s.fullHelp = !s.fullHelp
		return nil
	case key.Matches(msg, k.Next):
		return s.goTo(s.sel + 1)
	case key.Matches(msg, k.Prev):
		if s.arrived != "" && s.arrivedAt == s.sel {
			// Back to the step just checked (Finish follows step 6 but is
			// not next to it), its check in view.
			cmd := s.goTo(s.arrivedFrom)
			s.follow[s.sel] = true
			return cmd
		}
		return s.goTo(s.sel - 1)
	case key.Matches(msg, k.Up) && s.sel != s.valuesIndex():
		return s.goTo(s.sel - 1)
	case key.Matches(msg, k.Down) && s.sel != s.valuesIndex():
		return s.goTo(s.sel + 1)
	case key.Matches(msg, k.Values):
		return s.goTo(s.valuesIndex())
	case key.Matches(msg, k.Finish):
		return s.goTo(s.finishIndex())
	case key.Matches(msg, k.Login):
		from := s.sel
		cmd := s.goTo(s.loginIndex())
		s.finishAfterLogin = from == s.finishIndex()
		return cmd
	case key.Matches(msg, k.SetupAll) && !s.loggedIn && s.m.cfg.Globus != nil:
		return s.loginForSetup()
	case key.Matches(msg, k.SetupAll):
		return s.openSetup()
	}
	s.follow[s.sel] = true
	return p.update(msg)
}

// quitQuestion is the question before quitting ("": none open): a task
// running (ctrl+c), saying what quitting keeps (a throwaway demo's vault
// keeps nothing), and the values not saved, named, secrets masked.
func (s *shellModel) quitQuestion() string {
	doing, vals, ended := s.m.quitAsk, s.m.quitUnsaved, s.m.quitEnded
	if doing == "" && vals == nil && ended == "" {
		return ""
	}
	var q []string
	if doing == "" && ended != "" {
		q = append(q, ended+" ended before you answered.")
	}
	if doing != "" {
		kept := "what is made so far stays in the vault, and is not made twice when you carry on"
		if s.m.cfg.Ephemeral {
			kept = "what is made so far goes with this demo's vault, which is thrown away"
		}
		q = append(q, "Quit while "+strings.ToLower(doing[:1])+doing[1:]+"? It stops mid-way; "+kept+".")
	}
	if len(vals) > 0 {
		q = append(q, "Not saved: "+unsavedNames(vals)+".")
		one := len(vals) == 1
		switch n := storableCount(vals); {
		case s.m.cfg.Ephemeral && one:
			q = append(q, "It goes with this demo's vault.")
		case s.m.cfg.Ephemeral:
			q = append(q, "They go with this demo's vault.")
		case n > 0 && n < len(vals):
			q = append(q, fmt.Sprintf("s stores the %d that are valid; the rest are lost.", n))
		case n == 0 && one:
			q = append(q, "It is not valid to store: quitting loses it.")
		case n == 0:
			q = append(q, "None is valid to store: quitting loses them.")
		}
		if doing == "" {
			q = append(q, "Quit?")
		}
	} else if doing == "" {
		q = append(q, "Quit?")
	}
	return strings.Join(q, " ")
}

// quitKeys answer the quit question.
func (s *shellModel) quitKeys() []key.Binding {
	y := "quit now (exit 130)"
	if s.m.quitAsk == "" {
		y = "quit"
	}
	switch len(s.m.quitUnsaved) {
	case 0:
	case 1:
		y += ", losing it"
	default:
		y += ", losing them"
	}
	b := []key.Binding{key.NewBinding(key.WithKeys("y"), key.WithHelp("y", y))}
	if s.m.mayStoreAtQuit() {
		b = append(b, key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "store the valid ones, then quit")))
	}
	n := "stay"
	if s.m.quitAsk != "" {
		n = "keep going"
	}
	return append(b, key.NewBinding(key.WithKeys("n"), key.WithHelp("n/esc", n)))
}

// helpLines is the help bar: the page's keys, then the shell's.
func (s *shellModel) helpLines() []string {
	if s.m.asking() {
		return s.m.keyLines(s.quitKeys(), 0)
	}
	p := s.current()
	k := s.m.keys
	b := p.bindings()
	optional := 0 // the shell's keys at the end, which ? lists too
	if !p.typing() {
		// "?" first: it stays on screen whatever else must give way.
		b = append([]key.Binding{k.Help, k.Quit}, b...)
		shellKeys := []key.Binding{k.Next, k.SetupAll, k.Values, k.Login, k.Finish}
		b, optional = append(b, shellKeys...), len(shellKeys)
	} else {
		b = append(b, k.ForceQuit)
	}
	if s.fullHelp && !p.typing() {
		return s.fullHelpLines(append(b[1:], k.Up, k.Down, k.Prev, k.PageUp, k.PageDown))
	}
	return s.m.keyLines(b, optional)
}

// fullHelpLines lists every key, wrapped to the screen's width (columns
// would be cut on a narrow screen), in at most half the screen's height.
func (s *shellModel) fullHelpLines(b []key.Binding) []string {
	st := s.m.st
	var items []string
	seen := map[string]bool{} // a page's own ↑/↓ are the shell's too (values)
	for _, kb := range b {
		if h := kb.Help(); kb.Enabled() && h.Key != "" && !seen[h.Key] {
			seen[h.Key] = true
			items = append(items, st.key.Render(h.Key)+" "+h.Desc)
		}
	}
	// Whole items to a line ("A set up everything" is never split), as
	// the short help lays them out.
	lines := wrapItems(items, " · ", max(s.m.w-1, 10))
	var vault []string
	if _, whole := s.m.headerLine(); !whole {
		// The header could show only part of the vault's path (or none):
		// here it is whole, broken after a "/" where it must be.
		for i, l := range urlLines(termsafe.Line(s.m.cfg.Paths.Vault), max(s.m.w-1-len("vault "), 10)) {
			if i == 0 {
				vault = append(vault, "vault "+l)
			} else {
				vault = append(vault, "      "+l)
			}
		}
	}
	if limit := max(s.m.h/2, 3) - len(vault); len(lines) > limit {
		lines = append(lines[:max(limit-1, 0)], truncate(lines[max(limit-1, 0)], s.m.w-2)+"…")
	}
	lines = append(lines, vault...)
	for i := range lines {
		lines[i] = " " + lines[i]
	}
	return lines
}

// wrapItems lays items out in lines of at most w cells, sep between them,
// breaking only between items (an item wider than a line is wrapped alone).
func wrapItems(items []string, sep string, w int) []string {
	var out []string
	line := ""
	for _, it := range items {
		switch {
		case line == "":
			line = it
		case lipgloss.Width(line+sep+it) <= w:
			line += sep + it
		default:
			out = append(out, line)
			line = it
		}
		if lipgloss.Width(line) > w {
			parts := wrap(line, w)
			out = append(out, parts[:len(parts)-1]...)
			line = parts[len(parts)-1]
		}
	}
	if line != "" {
		out = append(out, line)
	}
	return out
}

// shellLayout is how the screen is shared out right now. view draws with
// it and PgUp/PgDn page by it, so paging moves by what is actually visible
// after the help bar and a pinned note (both of which wrap) take their lines.
type shellLayout struct {
	help   []string
	status []string // the status line, wrapped: it never cuts off the keys it names
	bodyH  int      // lines between the header and the status line
	mainW  int
	note   []string // pinned above the page (arrived), wrapped at the pane's width
	pageH  int      // lines left for the page, its "more" line included
}

func (s *shellModel) layout() shellLayout {
	m := s.m
	lay := shellLayout{help: s.helpLines(), status: s.statusLines(), mainW: s.mainWidth()}
	lay.bodyH = max(m.h-1-len(lay.status)-len(lay.help), 1) // header, status, help
	lay.pageH = lay.bodyH
	if !s.sidebarShown() {
		lay.pageH-- // the progress line
	}
	if s.arrived != "" && s.arrivedAt == s.sel && lay.pageH > 4 {
		// Pinned above the page, so it stays in view while the page
		// scrolls to a field it opened.
		note := styledWrap(m.st.ok, s.arrivedNote(), min(lay.mainW, readingWidth))
		lay.note = note[:min(len(note), lay.pageH/3)]
		lay.pageH -= len(lay.note)
	}
	return lay
}

// pageStep is how far PgUp/PgDn move: the page lines visible (the "more"
// line aside) less one, kept on screen so the reader finds their place.
func (s *shellModel) pageStep() int {
	return max(s.layout().pageH-2, 1)
}

func (s *shellModel) view() string {
	m := s.m
	fr := s.layout()
	helpL, bodyH, mainW := fr.help, fr.bodyH, fr.mainW

	var main []string
	side := s.sidebarShown()
	if !side {
		main = append(main, truncate(s.progressLine(), mainW))
	}
	main = append(main, fr.note...)
	main = append(main, s.scrolled(mainW, fr.pageH)...)

	var body string
	if side {
		sw := s.sideWidth() - 1
		side := fit(s.sidebar(sw), sw, bodyH)
		sep := strings.TrimRight(strings.Repeat("│\n", bodyH), "\n")
		body = lipgloss.JoinHorizontal(lipgloss.Top, side, s.m.st.faint.Render(sep), " ", fit(main, mainW, bodyH))
	} else {
		body = " " + strings.ReplaceAll(fit(main, mainW, bodyH), "\n", "\n ")
	}

	lines := []string{m.header()}
	lines = append(lines, splitLines(body)...)
	lines = append(lines, fr.status...)
	lines = append(lines, helpL...)
	return fit(lines, m.w, m.h)
}

// statusLines is the status line: the flash wrapped at the screen's width
// (one empty line without one), in at most a quarter of the screen (two
// lines for a latest result, which its page shows whole); only past that
// is it cut, with "…".
func (s *shellModel) statusLines() []string {
	if q := s.quitQuestion(); q != "" {
		var out []string
		for _, l := range wrap(q, max(s.m.w-1, 10)) {
			out = append(out, s.m.st.warn.Render(" "+l))
		}
		return out
	}
	if s.flash == "" {
		return []string{""}
	}
	w := max(s.m.w-1, 10)
	lines := wrap(termsafe.Line(s.flash), w)
	limit := max(s.m.h/4, 2)
	if strings.HasPrefix(s.flash, "Latest: ") {
		limit = 2 // the page shows that result whole
	}
	if len(lines) > limit {
		lines = append(lines[:limit-1], truncate(lines[limit-1], w-1)+"…")
	}
	for i := range lines {
		lines[i] = s.m.st.faint.Render(" " + lines[i])
	}
	return lines
}

// scrolled is the current page at width w cut to h lines around its focus.
func (s *shellModel) scrolled(w, h int) []string {
	pw := min(w, readingWidth)
	if s.m.w >= wideMin && !s.sidebarShown() {
		// A page wanting the whole width (a long link shown) keeps its
		// prose to readingWidth itself.
		pw = w
	}
	lines, focus := s.current().lines(pw)
	if !s.follow[s.sel] {
		focus = -1
	}
	if h < 2 {
		return nil // no room to show anything useful; the status and help still show
	}
	if len(lines) <= h {
		s.scroll[s.sel] = 0
		return lines
	}
	view := h - 1 // one line says there is more
	off := s.scroll[s.sel]
	if focus >= 0 {
		if focus < off {
			off = focus
		}
		if focus >= off+view {
			off = focus - view + 1
		}
	}
	off = min(max(off, 0), len(lines)-view)
	s.scroll[s.sel] = off
	out := append([]string(nil), lines[off:off+view]...)
	more := fmt.Sprintf("── %d/%d ", off+view, len(lines))
	switch {
	case off+view < len(lines) && off > 0:
		more += "↑↓ pgup/pgdn"
	case off+view < len(lines):
		more += "↓ more: pgdn"
	default:
		more += "↑ pgup"
	}
	return append(out, s.m.st.faint.Render(more))
}

func (s *shellModel) glyphs() string {
	var b strings.Builder
	for _, st := range s.cat {
		b.WriteString(s.stepGlyph(st.ID))
	}
	return b.String()
}

// stepGlyph is the step's mark in the sidebar and progress line: its
// latest check failing on screen (✗) or a note asking to re-verify (!)
// wins over the stored state, so the sidebar never says ✓ beside a ✗.
func (s *shellModel) stepGlyph(id string) string {
	if p := s.stepsPg[id]; p != nil && !p.job.busy && p.failed() {
		return "✗"
	}
	if s.status[id].Note != "" {
		return "!"
	}
	return glyph(s.status[id].State)
}

// sideTitle shortens a sidebar title that would not fit a narrow sidebar.
func sideTitle(t string) string {
	switch t {
	case "High-assurance policy":
		return "Assurance policy"
	case "Service Account app":
		return "Service account"
	}
	return t
}

func (s *shellModel) progressLine() string {
	switch {
	case s.sel < len(s.cat):
		return fmt.Sprintf("Step %d/%d %s", s.sel+1, len(s.cat), s.glyphs())
	case s.sel == s.valuesIndex():
		return "Values " + s.glyphs()
	case s.sel == s.loginIndex():
		return "Login " + s.glyphs()
	case s.sel == s.setupIndex():
		return "Set up all " + s.glyphs()
	}
	return "Finish " + s.glyphs()
}

func (s *shellModel) sidebar(w int) []string {
	st := s.m.st
	out := []string{st.heading.Render(" Steps")}
	item := func(i int, text string) string {
		if i == s.sel {
			text = "▸" + text[1:] // visible without colour (NO_COLOR)
		}
		line := truncate(text, w-1)
		line += strings.Repeat(" ", max(w-1-lipgloss.Width(line), 0))
		if i == s.sel {
			return st.selected.Render(line)
		}
		return line
	}
	for i, stp := range s.cat {
		title := shortTitle(stp.Title)
		if w < 28 {
			title = sideTitle(title)
		}
		out = append(out, item(i, fmt.Sprintf(" %s %d %s", s.stepGlyph(stp.ID), i+1, title)))
	}
	login := "   Login"
	if s.loggedIn {
		login = " ✓ Login"
	}
	out = append(out, "", item(s.valuesIndex(), "   Values"), item(s.loginIndex(), login),
		item(s.setupIndex(), "   Set up all"), item(s.finishIndex(), "   Finish"))
	return out
}

func glyph(s steps.State) string {
	switch s {
	case steps.StateInProgress:
		return "◐"
	case steps.StateDone:
		return "●"
	case steps.StateVerified:
		return "✓"
	case steps.StateSkipped:
		return "–"
	}
	return "○"
}

func stateWords(s steps.State) string {
	switch s {
	case steps.StateInProgress:
		return "◐ in progress"
	case steps.StateDone:
		return "● done"
	case steps.StateVerified:
		return "✓ verified"
	case steps.StateSkipped:
		return "– skipped"
	}
	return "○ not started"
}

// header names the vault and the Globus environment.
func (m *Model) header() string {
	line, _ := m.headerLine()
	return m.st.header.Render(line)
}

// headerLine is the header's text, padded to the width, and whether it
// shows the vault's path whole (if not, the full help does). A path that
// does not fit keeps its start and its file name ("/tmp/…/v2/vault.age"),
// the environment's label shortened first if that lets more of it show.
func (m *Model) headerLine() (string, bool) {
	labels := []string{m.cfg.Env.Name}
	switch {
	case m.cfg.Ephemeral:
		labels = []string{"DEMO – thrown away at quit", "DEMO – throwaway"}
	case m.cfg.Demo:
		labels = []string{"DEMO – emulator", "DEMO"}
	case labels[0] == "":
		labels[0] = "production"
	}
	path := termsafe.Line(shortPath(m.cfg.Paths.Vault))
	best, bestFit := "", math.MinInt
	for _, label := range labels {
		left := m.headerLeft(label)
		p, fit := fitPath(path, m.w-lipgloss.Width(left)-len("vault ")-1)
		if lipgloss.Width(left) > m.w-1 {
			// The label itself would be cut ("DEMO – thrown away at q…"):
			// any label shown whole is better, and else the shortest.
			fit = -1 - lipgloss.Width(left)
		}
		if fit > bestFit { // ties keep the longer label, tried first
			best, bestFit = left, fit
			if p != "" {
				best += "vault " + p
			} else {
				best = strings.TrimSuffix(best, "│ ") // no separator before nothing
			}
		}
	}
	line := best + " "
	line += strings.Repeat(" ", max(m.w-lipgloss.Width(line), 0))
	return truncate(line, m.w), bestFit == pathWhole
}

// headerLeft is the header before the vault: the environment and, when
// set, the profile and who the vault opens for.
func (m *Model) headerLeft(env string) string {
	left := " globus-setup │ " + env + " │ "
	if m.cfg.Profile != "" {
		left += "profile " + termsafe.Line(m.cfg.Profile) + " │ "
	}
	if n := len(m.opensFor); n > 1 { // a team vault
		// Who can open it: their names when they fit, else how many.
		who := termsafe.Line(strings.Join(m.opensFor, ", "))
		if lipgloss.Width(left+who)+30 > m.w {
			who = fmt.Sprintf("%d keys", n)
		}
		left += "opens for " + who + " │ "
	}
	return left
}

// How much of a path fitPath kept.
const (
	pathNone   = iota // nothing: it would be cut mid-name
	pathTail          // "…/v2/vault.age"
	pathElided        // "/tmp/…/v2/vault.age"
	pathWhole
)

// fitPath fits p in room cells by whole names only: p itself, else its
// first name and as many of its last as fit around "…", else "…" and its
// last two, else nothing. A name cut in the middle ("…uided/v2") would
// leave the operator guessing which vault is open.
func fitPath(p string, room int) (string, int) {
	if lipgloss.Width(p) <= room {
		return p, pathWhole
	}
	sep := string(filepath.Separator)
	parts := strings.Split(p, sep)
	head, rest := parts[0], parts[1:]
	if head == "" && len(rest) > 0 { // absolute: keep "/tmp"
		head, rest = sep+rest[0], rest[1:]
	}
	for k := len(rest) - 1; k >= 1; k-- {
		if s := head + sep + "…" + sep + strings.Join(rest[len(rest)-k:], sep); lipgloss.Width(s) <= room {
			return s, pathElided
		}
	}
	if len(parts) >= 3 {
		if s := "…" + sep + strings.Join(parts[len(parts)-2:], sep); lipgloss.Width(s) <= room {
			return s, pathTail
		}
	}
	return "", pathNone
}

func shortPath(p string) string {
	if home, err := os.UserHomeDir(); err == nil && home != "" {
		if rel, err := filepath.Rel(home, p); err == nil && !strings.HasPrefix(rel, "..") {
			return filepath.Join("~", rel)
		}
	}
	return p
}

// shortTitle drops the leading verb so the sidebar shows what matters:
// "Register the Service API app" → "Service API app".
func shortTitle(t string) string {
	for _, p := range []string{"Register the ", "Register a ", "Create the ", "Create a ", "Create "} {
		if rest, ok := strings.CutPrefix(t, p); ok && rest != "" {
			return strings.ToUpper(rest[:1]) + rest[1:]
		}
	}
	return t
}
