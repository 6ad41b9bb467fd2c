package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/vault"
)

// A sitting (`unlock`): one key derivation for the commands that follow,
// the unlocked key kept meanwhile in the kernel keyring (Linux) or the OS
// keychain. vault/sitting.go holds the mechanism; this file the commands
// and the hooks the other commands call.

// childSittings is nil (the OS's store) except in this package's test
// binary standing in for globus-setup: its children keep their sittings in
// a test namespace, so a test's exec never ends an operator's real ones.
var childSittings vault.SittingStore

func newUnlockCmd(a *app) *cobra.Command {
	var length time.Duration
	cmd := &cobra.Command{
		Use:   "unlock [--for 15m]",
		Short: "Unlock the vault once for the commands that follow (a sitting); lock ends it",
		Long: `Unlock the vault and keep its key for a while (15 minutes unless --for says
otherwise, 8 hours at most) in the OS's memory for secrets: the kernel keyring on
Linux, per user, with the kernel's own timeout on the key; the OS keychain
elsewhere, with an end this program enforces. Never in a file. Until then the
commands on this vault (and only this one: another profile or vault still asks)
need no passphrase and pay no key derivation.

Any program running as you can read the key from there meanwhile. 'globus-setup lock'
ends the sitting; so do logout, a change of recipients, and exec, which ends
every sitting before it starts its command. A reboot ends it too. Running unlock
again asks for the passphrase and starts a new sitting.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if length < time.Second || length > vault.MaxSittingLength {
				return fmt.Errorf("--for %s: a sitting lasts from 1s to %s (e.g. --for 15m, --for 2h)", length, shortDuration(vault.MaxSittingLength))
			}
			// Before the passphrase: where nothing can be kept, say so at once.
			if err := vault.CheckSittings(a.vaultOptions); err != nil {
				return fmt.Errorf("%w. Nothing was kept: each command unlocks as before", err)
			}
			// A sitting is only ever started by a real unlock, so its end
			// bounds how long after the passphrase the key stays.
			a.noSitting = true
			v, err := a.unlock()
			if err != nil {
				return err
			}
			s, err := v.StartSitting(length)
			if err != nil {
				return fmt.Errorf("the vault opened, but no sitting was kept: %w", err)
			}
			fmt.Fprintf(a.stdout, "Unlocked %s until %s (%s), the key kept in %s.\n", s.Vault, clockTime(s.Until), shortDuration(length), s.Where)
			fmt.Fprintln(a.stdout, "Commands on this vault ask no passphrase until then; any program you run meanwhile can read the key. `globus-setup lock` ends it.")
			return nil
		},
	}
	cmd.Flags().DurationVar(&length, "for", vault.DefaultSittingLength, "how long the sitting lasts (e.g. 15m, 2h; at most 8h)")
	return cmd
}

func newLockCmd(a *app) *cobra.Command {
	var all bool
	cmd := &cobra.Command{
		Use:   "lock [--all]",
		Short: "End the sitting that unlock began: the next command asks for the passphrase again",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all {
				ended, err := vault.EndAllSittings(a.vaultOptions)
				if errors.Is(err, vault.ErrSittingUnavailable) {
					fmt.Fprintf(a.stdout, "Nothing to lock: %v\n", err)
					return nil
				}
				for _, path := range ended {
					fmt.Fprintf(a.stdout, "Locked %s.\n", orUnknown(path))
				}
				if err != nil {
					return err
				}
				if len(ended) == 0 {
					fmt.Fprintln(a.stdout, "No sitting was open.")
				}
				return nil
			}
			p, err := a.paths()
			if err != nil {
				return err
			}
			ended, err := vault.EndSitting(p, a.vaultOptions)
			switch {
			case errors.Is(err, vault.ErrSittingUnavailable):
				fmt.Fprintf(a.stdout, "Nothing to lock: %v\n", err)
			case err != nil:
				return err
			case ended:
				fmt.Fprintf(a.stdout, "Locked %s: the next command asks for the passphrase.\n", p.Vault)
			default:
				fmt.Fprintf(a.stdout, "No sitting was open for %s.\n", p.Vault)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "end every sitting of this account, whichever vault or profile")
	return cmd
}

func orUnknown(path string) string {
	if path == "" {
		return "a vault (its entry could not be read)"
	}
	return path
}

// fromSitting opens the vault through its open sitting; ok is false when
// there is none, and the caller unlocks as usual. A sitting never makes a
// command fail: one that cannot be used is said on stderr and passed over.
// An explicit --identity, --passphrase-file or --force is obeyed instead.
func (a *app) fromSitting(p vault.Paths) (*vault.Vault, bool) {
	if a.noSitting || a.force || a.identityFile != "" || a.passphraseFile != "" {
		return nil, false
	}
	v, _, err := vault.OpenSitting(p, a.vaultOptions)
	switch {
	case err == nil:
		a.warnFolder(p)
		return v, true
	case errors.Is(err, vault.ErrNoSitting), errors.Is(err, vault.ErrSittingUnavailable):
	case errors.As(err, new(*vault.SittingEndedError)):
		fmt.Fprintf(a.stderr, "globus-setup: %v; unlocking as usual\n", err)
	default:
		fmt.Fprintf(a.stderr, "globus-setup: the sitting could not be used (%v); unlocking as usual\n", err)
	}
	return nil, false
}

// statusSitting is status's line about an open sitting; nothing when none.
func (a *app) statusSitting(p vault.Paths) {
	s, ok, err := vault.SittingFor(p, a.vaultOptions)
	if err != nil || !ok {
		return
	}
	fmt.Fprintf(a.stdout, "\nSitting open until %s (%s left), the key in %s: `globus-setup lock` ends it\n",
		clockTime(s.Until), shortDuration(time.Until(s.Until)), s.Where)
}

// endSittingAfter ends this vault's sitting after logout, whose own line
// ("Logged out: …") the one it prints follows.
func (a *app) endSittingAfter() {
	p, err := a.paths()
	if err != nil {
		return
	}
	ended, err := vault.EndSitting(p, a.vaultOptions)
	switch {
	case errors.Is(err, vault.ErrSittingUnavailable):
	case err != nil:
		fmt.Fprintf(a.stderr, "globus-setup: the sitting could not be ended (%v): run `globus-setup lock`\n", err)
	case ended:
		fmt.Fprintln(a.stderr, "The sitting on this vault is over too; the next command asks for the passphrase.")
	}
}

// endSittingsBeforeExec: the command exec starts runs as this user and
// could read any sitting's key from the keyring, and with it every secret
// of that vault, so none is left open for it. It is not started if one
// cannot be ended.
func (a *app) endSittingsBeforeExec() error {
	ended, err := vault.EndAllSittings(a.vaultOptions)
	if errors.Is(err, vault.ErrSittingUnavailable) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("exec: a sitting could not be ended (%v), so the command was not started: it would run as you and could read the unlocked key. Run `globus-setup lock --all`, then exec again", err)
	}
	if len(ended) > 0 {
		names := make([]string, len(ended))
		for i, p := range ended {
			names[i] = orUnknown(p)
		}
		fmt.Fprintf(a.stderr, "globus-setup: ended the sitting on %s before starting the command, which runs as you and could have read the key from %s\n",
			strings.Join(names, ", "), vault.SittingsWhere(a.vaultOptions))
	}
	return nil
}

// clockTime is a sitting's end as a local clock time, with the day when it
// is not today.
func clockTime(t time.Time) string {
	t = t.Local()
	if y, m, d := t.Date(); y == time.Now().Year() && m == time.Now().Month() && d == time.Now().Day() {
		return t.Format("15:04:05 MST")
	}
	return t.Format("Mon 2 Jan 15:04:05 MST")
}

// shortDuration: "15m", "1h30m", "45s".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Second)
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
