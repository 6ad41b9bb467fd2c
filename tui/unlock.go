package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// unlockModel is the unlock (or create) screen of flow.Unlock: the task
// tries the passphrase file or command and the OS keychain, then asks for
// the passphrase, which this form answers (with its confirmation and the
// keychain box, answered from the same form); it derives the key off the
// UI loop and says why a passphrase is asked again.
type unlockModel struct {
	m             *Model
	create        bool
	pass, confirm *huh.Input
	focus         int // 0 passphrase, 1 confirmation, 2 keychain box
	keychain      bool
	remember      bool
	job           job
	err           string
	ready         bool // the automatic sources were tried; show the form
	typedOnly     bool // a source failed: only a typed passphrase now
	naming        bool // typing a new profile's name (profile.go)
	name          *huh.Input
}

// unlockedMsg is an open vault, for the shell.
type unlockedMsg struct {
	v    *vault.Vault
	err  error
	note string
}

func newUnlock(m *Model) *unlockModel {
	u := &unlockModel{m: m, create: !vault.Exists(m.cfg.Paths)}
	u.pass = u.newInput("Passphrase")
	u.confirm = u.newInput("Passphrase again")
	u.resize()
	return u
}

func (u *unlockModel) newInput(title string) *huh.Input {
	in := huh.NewInput().Title(title).EchoMode(huh.EchoModePassword)
	in.WithKeyMap(huh.NewDefaultKeyMap())
	in.WithTheme(u.m.st.theme)
	return in
}

func (u *unlockModel) resize() {
	w := u.width()
	u.pass.WithWidth(w)
	u.confirm.WithWidth(w)
}

func (u *unlockModel) width() int { return min(u.m.w-4, 64) }

// init starts the unlock task: the passphrase file or command and the OS
// keychain first, then the form.
func (u *unlockModel) init() tea.Cmd {
	m := u.m
	o := flow.UnlockOptions{Paths: m.cfg.Paths, Sources: m.cfg.Sources, Options: m.cfg.VaultOptions, Force: m.cfg.Force, Throwaway: m.cfg.Ephemeral}
	o.TypedOnly = u.typedOnly
	label := "Looking for a saved passphrase…"
	if !vault.Exists(m.cfg.Paths) {
		label = "Getting the new vault ready…" // none saved to look for
	}
	return m.run(&u.job, u, label, func(ctx context.Context, ui flow.UI) any {
		r, err := flow.Unlock(ctx, ui, o)
		return unlockedMsg{v: r.Vault, err: err, note: r.Note}
	})
}

// busy: the task is deriving the key or looking for a saved passphrase.
func (u *unlockModel) busy() bool { return u.job.busy }

func (u *unlockModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case flowEvent:
		return deliver(msg)
	case tea.KeyMsg:
		if u.busy() {
			return nil
		}
		return u.key(msg)
	}
	return u.forward(msg)
}

// onFlow takes the unlock task's events: what it is doing, the questions
// this form answers, and the vault once open.
func (u *unlockModel) onFlow(ev flowEvent) tea.Cmd {
	switch {
	case ev.prog != nil:
		if ev.prog.Doing != "" {
			u.job.label = ev.prog.Doing
		}
		return ev.next
	case ev.show != nil, ev.out != nil:
		return ev.next
	case ev.ask != nil && ev.ask.confirm != nil:
		// Remember in the keychain: the box on the form says.
		return u.job.answer(flowAnswer{yes: u.remember})
	case ev.ask != nil && ev.ask.q.Key == flow.KeyPassphraseAgain:
		return u.job.answer(flowAnswer{text: inputValue(u.confirm)})
	case ev.ask != nil:
		u.ready = true
		u.create = ev.ask.q.Key == flow.KeyNewPassphrase
		u.keychain = u.keychain || ev.ask.q.Offer != nil
		if a := ev.ask.q.Again; a != nil {
			u.again(a)
		}
		return u.focusCmd()
	}
	res, _ := ev.res.(unlockedMsg)
	if res.err != nil {
		// A source that failed (a passphrase command, say): said, and the
		// passphrase typed instead.
		u.ready, u.typedOnly = true, true
		u.fail(res.err)
		return u.init()
	}
	return func() tea.Msg { return res }
}

// again says why the passphrase is asked again, and where to type.
func (u *unlockModel) again(err error) {
	u.err = err.Error()
	switch {
	case errors.Is(err, flow.ErrDiffer):
		// Only the second is cleared, so the words say that one.
		u.err = "The two passphrases differ. The first is kept: type it again in the second field."
		setInput(u.confirm, "")
		u.focus = 1
	case errors.Is(err, flow.ErrWrongPass):
		setInput(u.pass, "")
		u.focus = 0
	case errors.Is(err, flow.ErrVaultGone), errors.Is(err, flow.ErrVaultExists):
		u.focus = 0
	default:
		u.focus = 0
	}
}

func (u *unlockModel) key(msg tea.KeyMsg) tea.Cmd {
	k := u.m.keys
	if u.naming {
		return u.nameKey(msg)
	}
	switch {
	case key.Matches(msg, newProfileKey) && u.canStartProfile():
		return u.startNaming()
	case msg.Type == tea.KeyEsc:
		return u.m.quit()
	case key.Matches(msg, k.NextField) && msg.Type != tea.KeyRunes:
		u.focus = u.nextFocus(1)
		return u.focusCmd()
	case key.Matches(msg, k.PrevField) && msg.Type != tea.KeyRunes:
		u.focus = u.nextFocus(-1)
		return u.focusCmd()
	case msg.Type == tea.KeyEnter:
		if u.create && u.focus == 0 {
			// Said at the first enter, as the task would after the second.
			if why := newPassphraseProblem(inputValue(u.pass)); why != nil {
				u.err = why.Error()
				return nil
			}
			u.focus = 1
			return u.focusCmd()
		}
		return u.submit()
	case u.focus == 2 && (msg.Type == tea.KeySpace || msg.String() == "x"):
		u.remember = !u.remember
		return nil
	}
	if u.focus == 2 {
		return nil
	}
	u.err = ""
	return u.forward(msg)
}

// forward passes a message (keys, cursor blink) to the focused input.
func (u *unlockModel) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch u.focus {
	case 0:
		_, cmd = u.pass.Update(msg)
	case 1:
		_, cmd = u.confirm.Update(msg)
	}
	return cmd
}

func (u *unlockModel) nextFocus(d int) int {
	n := []int{0}
	if u.create {
		n = append(n, 1)
	}
	if u.keychain {
		n = append(n, 2)
	}
	for i, f := range n {
		if f == u.focus {
			return n[(i+d+len(n))%len(n)]
		}
	}
	return 0
}

func (u *unlockModel) focusCmd() tea.Cmd {
	u.pass.Blur()
	u.confirm.Blur()
	switch u.focus {
	case 0:
		return u.pass.Focus()
	case 1:
		return u.confirm.Focus()
	}
	return nil
}

// newPassphraseProblem is why flow.Unlock would refuse p for a new vault
// (nil: it takes it).
func newPassphraseProblem(p string) error {
	switch {
	case p == "":
		return flow.ErrNoPass
	case len([]rune(p)) < flow.MinPassphrase:
		return flow.ErrTooShort
	}
	return nil
}

// submit answers the task's question with the passphrase typed (the
// task checks it; its confirmation and the box are answered from here).
func (u *unlockModel) submit() tea.Cmd {
	if u.job.asking == nil {
		return nil
	}
	u.err = ""
	return u.job.answer(flowAnswer{text: inputValue(u.pass)})
}

// fail explains an error; the vault on disk is untouched in every case.
func (u *unlockModel) fail(err error) {
	var ce *vault.CorruptError
	switch {
	case errors.Is(err, vault.ErrWrongPassphrase):
		u.err = "Wrong passphrase. Nothing was changed; try again."
		setInput(u.pass, "")
		u.focus = 0
	case errors.As(err, &ce):
		// The vault's own message says which file and what --force does.
		u.err = ce.Error() + ". Nothing was changed; see globus-setup --help."
		setInput(u.pass, "")
	case errors.Is(err, vault.ErrNotFound):
		u.create = true
		u.err = "The vault is gone; create a new one."
	case errors.Is(err, vault.ErrExists):
		u.create = false
		u.err = "A vault already exists there; unlock it instead."
	default:
		u.err = err.Error()
	}
}

func (u *unlockModel) view() string {
	m, st := u.m, u.m.st
	w := u.width()
	var b []string
	title := "Unlock the vault"
	intro := "Your Globus IDs, secrets and progress are kept encrypted in:"
	if u.create {
		title = "Create the vault"
		intro = "Your Globus IDs, secrets and progress will be kept encrypted in:"
	}
	b = append(b, st.title.Render(title), "")
	var about []string // what can give way to a long error: the header names the vault too
	about = append(about, wrap(intro, w)...)
	about = append(about, wrap(termsafe.Line(m.cfg.Paths.Vault), w)...)
	if m.cfg.Ephemeral {
		about = append(about, styledWrap(st.faint, "Demo: this vault is thrown away at quit. To keep one, start with --demo --vault "+DemoKeepPath, w)...)
	}
	about = append(about, "")
	head := len(b)
	if u.naming {
		b, about = u.namingView(w), nil
	} else if u.ready {
		b = append(b, splitLines(u.pass.View())...)
		if u.create {
			if h := strengthHint(inputValue(u.pass)); h != "" {
				b = append(b, indent(h, 2, w)...)
			}
			b = append(b, splitLines(u.confirm.View())...)
		}
		if u.keychain {
			box := "[ ]"
			if u.remember {
				box = "[x]"
			}
			lines := hanging(box+" Remember in the OS keychain (no passphrase next time)", 4, w-2)
			for i, l := range lines {
				if u.focus == 2 && i == 0 {
					l = st.bold.Render("> " + l)
				} else {
					l = "  " + l
				}
				if i == 0 {
					b = append(b, "")
				}
				b = append(b, l)
			}
		}
	}
	if u.err != "" {
		b = append(b, "")
		for _, l := range hanging("✗ "+termsafe.Line(u.err), 2, w) {
			b = append(b, st.bad.Render(l))
		}
	}
	if u.busy() {
		b = append(b, "", m.spin.View()+" "+u.job.label)
	}
	helpKeys := u.helpKeys()
	helpBar := m.keyLines(helpKeys, 0)
	// A long error (the vault's refusal of a tampered document, say) is
	// shown whole: the intro gives way first, then the lines above the
	// form, so the error and the field stay in view.
	room := m.h - len(helpBar) - 2 // the header and the line under it
	if len(b)+len(about) <= room {
		b = append(b[:head], append(about, b[head:]...)...)
	} else if len(b) > room {
		b = b[len(b)-room:]
	}
	body := make([]string, 0, len(b))
	for _, l := range b {
		body = append(body, "  "+l)
	}
	lines := []string{m.header(), ""}
	lines = append(lines, body...)
	// The shared bar layout: it wraps rather than hide a key.
	return frame(lines, helpBar, m.w, m.h)
}

// helpKeys are the unlock screen's keys.
func (u *unlockModel) helpKeys() []key.Binding {
	m := u.m
	helpKeys := []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		m.keys.NextField, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit")),
	}
	if u.naming {
		return []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start on it")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		}
	}
	if u.canStartProfile() {
		// Before tab, so a 60-column bar still shows it.
		return []key.Binding{helpKeys[0], helpKeys[2], newProfileKey, helpKeys[1]}
	}
	return helpKeys
}

// frame pins the help bar to the last lines and fits everything in w×h.
func frame(lines []string, helpBar []string, w, h int) string {
	out := fit(lines, w, max(h-len(helpBar), 1))
	return out + "\n" + strings.Join(helpBar, "\n")
}

// strengthHint is deliberately simple: length and character classes.
func strengthHint(p string) string {
	if p == "" {
		return ""
	}
	var lower, upper, digit, other bool
	for _, r := range p {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			digit = true
		default:
			other = true
		}
	}
	classes := 0
	for _, c := range []bool{lower, upper, digit, other} {
		if c {
			classes++
		}
	}
	n := len([]rune(p))
	switch {
	case n < 8:
		return "strength: too short (8 characters at least)"
	case n >= 20 || (n >= 14 && classes >= 3):
		return "strength: strong"
	case n >= 12 || classes >= 3:
		return "strength: fair; longer is stronger"
	default:
		return "strength: weak; try a short sentence of 4-5 words"
	}
}

func inputValue(in *huh.Input) string {
	s, _ := in.GetValue().(string)
	return s
}

// setInput replaces the text of a huh input.
func setInput(in *huh.Input, s string) {
	in.Value(&s)
}

// sittingNote says that the vault, opened before the wizard started, has
// a sitting open (globus-setup unlock), and how it ends: the key waits
// outside the vault meanwhile, for any process of the account to read.
// "" when none is open.
func sittingNote(cfg Config) string {
	s, ok, err := vault.SittingFor(cfg.Paths, cfg.VaultOptions)
	if err != nil || !ok {
		return ""
	}
	return fmt.Sprintf("This vault's sitting (globus-setup unlock) is open until %s, its key in %s: `globus-setup lock` ends it.",
		s.Until.Local().Format("15:04"), s.Where)
}
