package tui

import (
	"context"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/vault"
)

// Model is the root: it owns the size, the shared spinner and the clipboard,
// and routes messages to the unlock screen or the shell.
type Model struct {
	ctx   context.Context
	cfg   Config
	st    styles
	keys  keyMap
	help  help.Model
	w, h  int
	vault *vault.Vault
	// opensFor names who can open the vault (its recipients), for the header.
	opensFor []string

	unlock *unlockModel
	shell  *shellModel

	spin     spinner.Model
	spinning bool
	busy     int // operations in flight that want the spinner

	clipOut   io.Writer // where OSC 52 goes for the default clipboard
	clipboard []string  // values copied by the default clipboard, not yet cleared

	// interrupted: ctrl+c stopped a task in flight (the wizard exits 130).
	interrupted bool
	// quitAsk is what a ctrl+c found running, asked about before quitting
	// ("": no question open).
	quitAsk string
	// quitEnded is the task a ctrl+c asked about that ended before the
	// answer: the question stays, as a plain quit question.
	quitEnded string
	// quitUnsaved are the forms' values not in the vault, asked about
	// before quitting (nil: none, or no question open).
	quitUnsaved []unsavedValue
	// quitNote says, after the wizard's screen is gone, which unsaved
	// values quitting stored or lost.
	quitNote string
}

func newModel(ctx context.Context, cfg Config, clipOut io.Writer) *Model {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	m := &Model{
		ctx: ctx, cfg: cfg, st: newStyles(), keys: newKeyMap(), help: help.New(),
		w: 80, h: 24, spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		clipOut: clipOut,
	}
	if cfg.Vault != nil {
		m.setVault(cfg.Vault)
		m.shell = newShell(m)
		m.shell.flash = sittingNote(cfg)
	} else {
		m.unlock = newUnlock(m)
	}
	return m
}

// setVault keeps the unlocked vault and who can open it.
func (m *Model) setVault(v *vault.Vault) {
	m.vault = v
	m.opensFor = nil
	if rs, err := v.Recipients(); err == nil {
		for _, r := range rs {
			m.opensFor = append(m.opensFor, r.Short())
		}
	}
}

// Init starts the unlock screen's automatic sources (file, command, keychain).
func (m *Model) Init() tea.Cmd {
	if m.unlock != nil {
		return m.unlock.init()
	}
	return m.shell.init()
}

func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = max(msg.Width, 20), max(msg.Height, 8)
		m.help.Width = m.w
		if m.shell != nil {
			m.shell.resize()
		}
		if m.unlock != nil {
			m.unlock.resize()
		}
		return m, nil
	case tea.KeyMsg:
		if m.asking() {
			return m, m.answerQuit(msg)
		}
		if key.Matches(msg, m.keys.ForceQuit) {
			return m, m.interrupt()
		}
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && !m.typing() {
			return m, m.splitKeys(msg.Runes)
		}
	case spinner.TickMsg:
		if m.busy == 0 {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case clipboardClearMsg:
		if m.shell != nil && strings.HasSuffix(m.shell.flash, clearsNote) {
			m.shell.flash = "" // the promise is kept: the note goes with the value
		}
		return m, m.clearClipboard(msg.text)
	case unlockedMsg:
		if msg.err == nil && msg.v != nil {
			m.setVault(msg.v)
			m.unlock = nil
			m.shell = newShell(m)
			m.shell.flash = msg.note
			return m, m.shell.init()
		}
	}
	var cmd tea.Cmd
	if m.unlock != nil {
		cmd = m.unlock.update(msg)
	} else {
		cmd = m.shell.update(msg)
	}
	if m.quitAsk != "" && m.running() == "" {
		// The task ended meanwhile: nothing to stop, but the ctrl+c still
		// wants an answer, so the question stays as a plain quit question,
		// naming what is not saved now (the task may have saved some).
		m.quitEnded, m.quitAsk = m.quitAsk, ""
		m.quitUnsaved = m.shell.unsaved()
	}
	return m, cmd
}

func (m *Model) View() string {
	if m.unlock != nil {
		return m.unlock.view()
	}
	return m.shell.view()
}

// interrupt is ctrl+c: the wizard quits; with a task in flight (an apply
// mid-way, say) that is an interrupt, and the wizard exits as a shell
// expects of one (130). What the task stored so far is kept. A task of
// the shell's still running, or values not saved, are asked about first
// (answerQuit): a stray ctrl+c must not stop an apply half-way, nor lose
// a secret Globus shows once.
func (m *Model) interrupt() tea.Cmd {
	if doing := m.running(); doing != "" {
		m.quitAsk = doing
		m.quitUnsaved = m.shell.unsaved()
		return nil
	}
	if m.askUnsaved() {
		return nil
	}
	m.interrupted = m.working()
	return m.quit()
}

// quitKey is q: it quits, asking first about values not saved.
func (m *Model) quitKey() tea.Cmd {
	if m.askUnsaved() {
		return nil
	}
	return m.quit()
}

// asking: the quit question is open.
func (m *Model) asking() bool { return m.quitAsk != "" || m.quitEnded != "" || m.quitUnsaved != nil }

// askUnsaved opens the quit question if a form holds values not saved.
func (m *Model) askUnsaved() bool {
	if m.shell == nil {
		return false
	}
	m.quitUnsaved = m.shell.unsaved()
	return m.quitUnsaved != nil
}

// answerQuit takes the answer to "quit?": y (or ctrl+c again) quits, s
// stores the unsaved values that validate and quits, n or esc goes on;
// other keys wait for one of those.
func (m *Model) answerQuit(msg tea.KeyMsg) tea.Cmd {
	vals := m.quitUnsaved
	switch {
	case msg.String() == "y" || key.Matches(msg, m.keys.ForceQuit):
		if len(vals) > 0 {
			m.quitNote = m.lostNote(nil, vals)
		}
	case msg.String() == "s" && m.mayStoreAtQuit():
		stored, left := m.shell.storeUnsaved(vals)
		m.quitNote = m.lostNote(stored, left)
	case msg.String() == "n" || msg.Type == tea.KeyEsc:
		m.quitAsk, m.quitEnded, m.quitUnsaved = "", "", nil
		return nil
	default:
		return nil
	}
	m.quitAsk, m.quitEnded, m.quitUnsaved = "", "", nil
	m.interrupted = m.working()
	return m.quit()
}

// mayStoreAtQuit: s is offered, some value validates and the vault is
// kept (a throwaway demo's goes with them).
func (m *Model) mayStoreAtQuit() bool {
	return !m.cfg.Ephemeral && storableCount(m.quitUnsaved) > 0
}

// lostNote says what quitting did with the values not saved.
func (m *Model) lostNote(stored []string, vals []unsavedValue) string {
	var b []string
	if len(stored) > 0 {
		b = append(b, "Stored at quit: "+strings.Join(stored, ", ")+".")
	}
	if len(vals) > 0 {
		names := make([]string, len(vals))
		for i, u := range vals {
			names[i] = u.label
		}
		b = append(b, "Not saved, lost at quit: "+strings.Join(names, ", ")+".")
	}
	return strings.Join(b, " ")
}

// running names what a task of the shell is busy doing (not waiting for
// an answer), "" if none.
func (m *Model) running() string {
	if m.shell == nil {
		return ""
	}
	for _, j := range m.shell.jobs() {
		if j.stop != nil && j.busy {
			label, _, _ := strings.Cut(j.label, " (esc ") // "(esc cancels)" is not the answer here
			return strings.TrimSuffix(label, "…")
		}
	}
	return ""
}

// working: a task is in flight (running, or waiting for an answer).
func (m *Model) working() bool {
	if m.unlock != nil {
		return m.unlock.job.stop != nil && m.unlock.job.busy
	}
	for _, j := range m.shell.jobs() {
		if j.stop != nil {
			return true
		}
	}
	return false
}

// quit cancels what is in flight; accepted values are already in the vault.
func (m *Model) quit() tea.Cmd {
	if m.shell != nil {
		m.shell.cancelAll()
	}
	return tea.Quit
}

// startBusy counts an operation in flight and starts the spinner if idle.
func (m *Model) startBusy() tea.Cmd {
	m.busy++
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

func (m *Model) endBusy() {
	if m.busy > 0 {
		m.busy--
	}
}

// typing reports whether keys go to a text field.
func (m *Model) typing() bool {
	return m.unlock != nil || m.shell.current().typing()
}

// splitKeys handles keys that arrived together (Bubble Tea groups runes read
// at once) one by one, so "jjr" is three commands; once a key starts a text
// field the rest is typed into it.
func (m *Model) splitKeys(rs []rune) tea.Cmd {
	var cmds []tea.Cmd
	for i, r := range rs {
		if m.typing() {
			_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: rs[i:]})
			return tea.Batch(append(cmds, cmd)...)
		}
		_, cmd := m.Update(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}
