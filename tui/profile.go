package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/vault"
)

// The unlock screen can start the wizard on a new profile (a vault of its
// own for another gateway) instead: ctrl+n, a name, enter.

var newProfileKey = key.NewBinding(key.WithKeys("ctrl+n"), key.WithHelp("ctrl+n", "new profile"))

// canStartProfile: a demo's throwaway vault is not a profile.
func (u *unlockModel) canStartProfile() bool { return !u.m.cfg.Demo && !u.busy() }

func (u *unlockModel) startNaming() tea.Cmd {
	in := huh.NewInput().Title("Profile name").Placeholder("staging")
	in.WithKeyMap(huh.NewDefaultKeyMap())
	in.WithTheme(u.m.st.theme)
	in.WithWidth(u.width())
	u.naming, u.name, u.err = true, in, ""
	return in.Focus()
}

// nameKey handles keys while the profile name is typed.
func (u *unlockModel) nameKey(msg tea.KeyMsg) tea.Cmd {
	switch msg.Type {
	case tea.KeyEsc:
		u.naming, u.err = false, ""
		return u.focusCmd()
	case tea.KeyEnter:
		return u.switchProfile(inputValue(u.name))
	}
	u.err = ""
	_, cmd := u.name.Update(msg)
	return cmd
}

// switchProfile points the wizard at the profile's vault and starts the
// unlock (or create) screen on it. The Globus environment is recorded for
// the new profile as the command line does; a mismatch stays on this screen.
func (u *unlockModel) switchProfile(name string) tea.Cmd {
	m := u.m
	if err := vault.CheckProfileName(name); err != nil {
		u.err = err.Error()
		return nil
	}
	file, err := vault.ProfileVaultFile(m.cfg.Getenv, name)
	if err != nil {
		u.err = err.Error()
		return nil
	}
	p := vault.PathsFor(file)
	if env := m.cfg.Env.Name; env == "production" || env == "preview" {
		if err := vault.CheckEnvironment(p, env); err != nil {
			u.err = err.Error()
			return nil
		}
	}
	m.cfg.Paths, m.cfg.Profile = p, name
	stop := u.job.cancel() // the old vault's unlock ends
	u.job.ended()
	m.unlock = newUnlock(m)
	return tea.Batch(stop, m.unlock.init())
}

func (u *unlockModel) namingView(w int) []string {
	st := u.m.st
	b := []string{st.title.Render("Start a new profile"), ""}
	b = append(b, wrap("A profile is a vault of its own, one per gateway (production, staging, preview). Its name is a folder name: letters, digits, '-', '_' and '.'.", w)...)
	b = append(b, "")
	return append(b, splitLines(u.name.View())...)
}
