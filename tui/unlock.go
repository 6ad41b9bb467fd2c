package tui

import (
	"errors"
	"strings"
	"unicode"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// unlockModel asks for the passphrase (twice when creating the vault) and
// derives the key off the UI loop.
type unlockModel struct {
	m             *Model
	create        bool
	pass, confirm *huh.Input
	focus         int // 0 passphrase, 1 confirmation, 2 keychain box
	keychain      bool
	remember      bool
	busy          bool
	status        string
	err           string
	ready         bool // the automatic sources were tried; show the form
	naming        bool // typing a new profile's name (profile.go)
	name          *huh.Input
}

type unlockedMsg struct {
	v        *vault.Vault
	err      error
	note     string
	none     bool // no automatic source: ask
	keychain bool // an OS keychain is available
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

// init tries the passphrase file/command and the OS keychain before asking.
func (u *unlockModel) init() tea.Cmd {
	u.busy, u.status = true, "Looking for a saved passphrase…"
	cfg := u.m.cfg
	create := u.create
	auto := func() tea.Msg {
		kc := vault.KeychainAvailable()
		pass, ok, err := vault.ReadPassphrase(cfg.Sources)
		if err != nil {
			return unlockedMsg{err: err, keychain: kc}
		}
		if ok {
			defer wipe(pass)
			if create {
				v, err := vault.Create(cfg.Paths, pass, cfg.VaultOptions)
				return unlockedMsg{v: v, err: err, keychain: kc, note: "vault created with the configured passphrase"}
			}
			v, err := vault.Open(cfg.Paths, pass, cfg.VaultOptions)
			return unlockedMsg{v: v, err: err, keychain: kc}
		}
		if !create && kc {
			if id, ok, err := vault.IdentityFromKeychain(cfg.Paths); err == nil && ok {
				if v, err := vault.OpenWithIdentity(cfg.Paths, id, cfg.VaultOptions); err == nil {
					return unlockedMsg{v: v, keychain: kc, note: "unlocked with the OS keychain"}
				}
			}
		}
		return unlockedMsg{none: true, keychain: kc}
	}
	return tea.Batch(u.m.startBusy(), auto)
}

func (u *unlockModel) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case unlockedMsg:
		u.m.endBusy()
		u.busy, u.status, u.ready = false, "", true
		u.keychain = u.keychain || msg.keychain
		if msg.err != nil {
			u.fail(msg.err)
		}
		return u.focusCmd()
	case tea.KeyMsg:
		if u.busy {
			return nil
		}
		return u.key(msg)
	}
	return u.forward(msg)
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

func (u *unlockModel) submit() tea.Cmd {
	pass := inputValue(u.pass)
	switch {
	case pass == "":
		u.err = "Type a passphrase."
		u.focus = 0
		return u.focusCmd()
	case u.create && len([]rune(pass)) < 8:
		u.err = "Use at least 8 characters; a short sentence is easy to remember."
		u.focus = 0
		return u.focusCmd()
	case u.create && inputValue(u.confirm) != pass:
		u.err = "The two passphrases differ. Type them again."
		setInput(u.confirm, "")
		u.focus = 1
		return u.focusCmd()
	}
	u.err, u.busy = "", true
	if u.create {
		u.status = "Creating the vault (deriving the key takes a second)…"
	} else {
		u.status = "Unlocking (deriving the key takes a second)…"
	}
	cfg, create, remember := u.m.cfg, u.create, u.remember
	secret := []byte(pass)
	run := func() tea.Msg {
		defer wipe(secret)
		var v *vault.Vault
		var err error
		if create {
			v, err = vault.Create(cfg.Paths, secret, cfg.VaultOptions)
		} else {
			v, err = vault.Open(cfg.Paths, secret, cfg.VaultOptions)
			var ce *vault.CorruptError
			if errors.As(err, &ce) && cfg.Force {
				v, err = vault.OpenForce(cfg.Paths, secret, cfg.VaultOptions)
			}
		}
		if err != nil {
			return unlockedMsg{err: err}
		}
		note := ""
		if remember {
			if kerr := v.RememberInKeychain(); kerr != nil {
				note = "could not save to the OS keychain: " + kerr.Error()
			} else {
				note = "remembered in the OS keychain"
			}
		}
		return unlockedMsg{v: v, note: note}
	}
	return tea.Batch(u.m.startBusy(), run)
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
	b = append(b, wrap(intro, w)...)
	b = append(b, wrap(termsafe.Line(m.cfg.Paths.Vault), w)...)
	if m.cfg.Ephemeral {
		b = append(b, styledWrap(st.faint, "Demo: this vault is thrown away at quit. To keep one, start with --demo --vault "+DemoKeepPath, w)...)
	}
	b = append(b, "")
	if u.naming {
		b = u.namingView(w)
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
	if u.busy {
		b = append(b, "", m.spin.View()+" "+u.status)
	}
	body := make([]string, 0, len(b))
	for _, l := range b {
		body = append(body, "  "+l)
	}
	helpKeys := []key.Binding{
		key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		m.keys.NextField, key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "quit")),
	}
	if u.naming {
		helpKeys = []key.Binding{
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start on it")),
			key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		}
	} else if u.canStartProfile() {
		// Before tab, so a 60-column bar still shows it.
		helpKeys = []key.Binding{helpKeys[0], helpKeys[2], newProfileKey, helpKeys[1]}
	}
	lines := []string{m.header(), ""}
	lines = append(lines, body...)
	// The shared bar layout: it wraps rather than hide a key.
	return frame(lines, m.keyLines(helpKeys, 0), m.w, m.h)
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

func wipe(b []byte) {
	for i := range b {
		b[i] = 0
	}
}
