package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// profileName is --profile, else GLOBUS_SETUP_PROFILE; ok is false when
// neither is set. A flag beats the environment; --vault and --profile
// together are refused (two answers to one question).
func (a *app) profileName() (string, bool, error) {
	name := a.profile
	if name == "" && a.vaultFile == "" {
		name = strings.TrimSpace(a.getenv(vault.EnvProfile))
	}
	if name == "" {
		return "", false, nil
	}
	if a.profile != "" && a.vaultFile != "" {
		return "", false, errors.New("--vault and --profile both name a vault: give one")
	}
	if name != vault.DefaultProfile {
		if err := vault.CheckProfileName(name); err != nil {
			return "", false, err
		}
	}
	return name, true, nil
}

// identity loads --identity / GLOBUS_SETUP_IDENTITY; nil when neither is set.
// A passphrase-protected key asks through the usual passphrase sources.
func (a *app) identity() (*vault.Identity, error) {
	file := a.identityFile
	if file == "" {
		file = a.getenv(vault.EnvIdentity)
	}
	if file == "" {
		return nil, nil
	}
	return vault.LoadIdentity(file, a.passphrase)
}

// checkEnvironment records the Globus environment a vault is first used
// with, and refuses another one later. Overridden service URLs (the
// emulator, a test service) are not an environment and are not checked.
func (a *app) checkEnvironment(env globus.Environment) error {
	if env.Name != "production" && env.Name != "preview" {
		return nil
	}
	p, err := a.paths()
	if err != nil {
		return err
	}
	if !vault.Exists(p) {
		return nil
	}
	return vault.CheckEnvironment(p, env.Name)
}

func newRecipientsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipients",
		Short: "Who can open the vault: list, add or remove public keys (a team vault)",
		Long: `The vault is encrypted to every recipient, so each operator opens it with their
own key: an age public key (age1…, from age-keygen) or an SSH public key
(ssh-ed25519, or ssh-rsa of 2048 bits or more). Adding or removing re-encrypts the
vault at once. The list is kept in recipients.txt beside vault.age, in the format
'age -R' reads; the stock age tool decrypts the vault with any recipient's key:
  age -d -i ~/.ssh/id_ed25519 vault.age`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.listRecipients() },
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the keys the vault is encrypted to",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return a.listRecipients() },
	}
	add := &cobra.Command{
		Use:   "add KEY|FILE…",
		Short: "Encrypt the vault to more keys: age1…, ssh-ed25519/ssh-rsa lines, or files of them (authorized_keys, github.com/USER.keys)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := vault.ParseRecipientArgs(args, func(msg string) {
				fmt.Fprintln(a.stderr, "globus-setup: "+msg)
			})
			if err != nil {
				return fmt.Errorf("%w; nothing was changed", err)
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			res, err := v.AddRecipients(rs)
			if err != nil {
				return err
			}
			for _, r := range res.Have {
				fmt.Fprintln(a.stderr, "already a recipient: "+r.Describe())
			}
			for _, r := range res.Added {
				fmt.Fprintln(a.stderr, "added: "+r.Describe())
			}
			if !res.Saved {
				fmt.Fprintln(a.stderr, "nothing changed: the vault is already encrypted to every key given; no file was written")
				return nil
			}
			all, _ := v.Recipients()
			fmt.Fprintf(a.stderr, "vault re-encrypted to %d recipients; commit vault.age and recipients.txt together\n", len(all))
			return nil
		},
	}
	remove := &cobra.Command{
		Use:   "remove KEY|FINGERPRINT|COMMENT",
		Short: "Stop encrypting the vault to a key (re-encrypts at once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := a.unlock()
			if err != nil {
				return err
			}
			r, err := v.RemoveRecipient(args[0])
			if err != nil {
				return err
			}
			all, _ := v.Recipients()
			fmt.Fprintf(a.stderr, "removed: %s\nvault re-encrypted to %d recipients.\n", r.Describe(), len(all))
			fmt.Fprint(a.stderr, `
They can no longer open the vault as it is now, but they may keep a copy of what
they could read: an old vault.age (git history keeps every version) and any value
they saw. Replace both client secrets so what they hold stops working:
  globus-setup rotate service_api
  globus-setup rotate service_account
`)
			return nil
		},
	}
	cmd.AddCommand(list, add, remove)
	return cmd
}

func (a *app) listRecipients() error {
	v, err := a.unlock()
	if err != nil {
		return err
	}
	rs, err := v.Recipients()
	if err != nil {
		return err
	}
	// Whole keys: what a person copies into `recipients remove`, or
	// compares with recipients.txt in a pull request.
	for _, r := range rs {
		fmt.Fprintln(a.stdout, r.Whole())
	}
	return nil
}

// statusRecipients is status's line on who can open a team vault (a vault
// for one, identity.age alone, keeps status to its six lines).
func (a *app) statusRecipients(v *vault.Vault) {
	rs, err := v.Recipients()
	if err != nil {
		fmt.Fprintf(a.stdout, "\n! recipients: %v\n", err)
		return
	}
	if len(rs) < 2 {
		return
	}
	fmt.Fprintf(a.stdout, "\nOpens for %d: %s\n", len(rs), termsafe.Inline(vault.RecipientsSummary(rs)))
}

func newProfilesCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "profiles",
		Short: "List the profiles (one vault per gateway) and their state",
		Long: `A profile is a vault of its own, one per gateway (production, staging, preview):
select one with --profile NAME or GLOBUS_SETUP_PROFILE. "default" is the vault
outside the profiles folder. Each profile records the Globus environment
(GLOBUS_SDK_ENVIRONMENT) it was first used with and refuses another one.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ps, err := vault.Profiles(a.getenv)
			if err != nil {
				return err
			}
			current := vault.DefaultProfile
			if name, ok, err := a.profileName(); err != nil {
				return err
			} else if ok {
				current = name
			} else if a.vaultFile != "" {
				current = ""
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "  PROFILE\tENVIRONMENT\tRECIPIENTS\tSTATE\tVAULT")
			for _, p := range ps {
				mark := "  "
				if p.Name == current {
					mark = "* "
				}
				env := p.Environment
				if env == "" {
					env = "-"
				}
				state := "no vault"
				if p.Exists {
					state = "vault"
					if !p.Modified.IsZero() {
						state = "saved " + p.Modified.UTC().Format("2006-01-02 15:04")
					}
				}
				recips := fmt.Sprint(p.Recipients)
				if p.RecipErr != nil {
					recips = "bad recipients.txt"
				}
				// The environment file and the path may hold anything: one row each.
				fmt.Fprintf(tw, "%s%s\t%s\t%s\t%s\t%s\n", mark, p.Name, termsafe.Inline(env), recips, state, termsafe.Inline(p.Paths.Vault))
			}
			return tw.Flush()
		},
	}
}
