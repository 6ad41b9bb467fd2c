package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/tui"
	"github.com/globus-setup/globus-setup/vault"
)

func newImportCmd(a *app) *cobra.Command {
	var replace, storeRefused, rememberFile bool
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Adopt a running gateway: store the Globus values of its existing .env",
		Long: `Read the gateway's existing .env as the gateway reads it (python-dotenv,
load_dotenv(override=True)) and store its Globus values in the vault: both apps'
IDs and secrets, the policy, the domains exactly as written, the groups and
AUTHORIZED_GROUPS_PER_IDP. Every other setting (SECRET_KEY, POSTGRES_*, ...)
stays in the file alone and out of the vault. The file is not changed; it is
remembered as the gateway's .env, which rotate updates.

When logged in, what the .env does not hold is read from Globus: the project
(from the Service API app's record), its action_all scope, the public client
when the project has exactly one, the policy's timeout; then verify checks
everything.

A value the gateway would misread (comma-joined lists, two policies, no domains,
an example's placeholder, a malformed ID) is named by its line, and nothing is
stored until it is fixed. A vault holding other values asks first, at a
terminal, or needs --replace.

A stored secret or client ID the file would replace is tried at Globus, as
a pair, beside the file's (one client-credentials grant each); a file's
pair Globus refuses while it accepts the vault's, of another client ID (a
mistyped ID), stores nothing. A file's secret Globus refuses (an old
.env or its .bak, from before a rotation) never replaces one it accepts unless
--store-refused-secrets says so; a working one replaces a refused one.
A file that is not the remembered gateway .env (another path, a *.bak) is only
read: at a terminal you are asked whether it becomes the one rotate writes
into; elsewhere --remember-file makes it so.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Before the passphrase: a bad file is said at once.
			imp, err := steps.ReadEnvImport(args[0])
			var bad *steps.ImportError
			if errors.As(err, &bad) {
				fmt.Fprintln(a.stderr, "globus-setup:", bad.Error())
				return errSilent
			}
			if err != nil {
				return err
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			doc := v.Doc()
			imp.Resolve(doc)
			// The grants of the secret check need no login: a client
			// is enough.
			c, cerr := a.globusClient()
			_, loggedIn := steps.LoggedIn(v)
			if cerr != nil && loggedIn {
				return cerr
			}
			if err := imp.CheckSecrets(cmd.Context(), c, doc, storeRefused); err != nil {
				return err
			}
			// Not logged in, the Service API app reads its own scope.
			imp.FillFromGlobus(cmd.Context(), &steps.Env{Vault: v, Globus: c}, doc)
			if errors.As(imp.Refused(), &bad) {
				fmt.Fprintln(a.stderr, "globus-setup:", bad.Error())
				return errSilent
			}
			if err := steps.RotationBlocks(doc, imp.Values, imp.Drop); err != nil {
				return err
			}
			if diffs := imp.Differences(doc); len(diffs) > 0 && !replace {
				fmt.Fprintln(a.stderr, "The vault already holds other values than "+imp.Path+":")
				for _, d := range diffs {
					fmt.Fprintln(a.stderr, "  "+d.Line())
				}
				if !a.isTerminal() {
					fmt.Fprintln(a.stderr, "globus-setup: nothing was stored: this is not an interactive terminal, so there is no one to ask.")
					fmt.Fprintln(a.stderr, "  what to do: add --replace to store the file's values over these")
					return exitError{code: 2}
				}
				q := "Replace them with the file's? [y/N] "
				if pv := imp.PairVerdicts(); pv != "" {
					q = "Replace them with the file's (" + pv + ")? [y/N] "
				}
				ans, err := a.promptLine(q)
				if err != nil || !isYes(ans) {
					fmt.Fprintln(a.stdout, "Cancelled: nothing was stored.")
					return exitError{code: 1}
				}
			}
			if err := a.importTarget(imp, doc, rememberFile); err != nil {
				return err
			}
			if err := imp.Store(v); err != nil {
				return fmt.Errorf("storing the import (nothing was stored): %w", err)
			}
			a.importReport(imp, doc)
			return nil
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "store the file's values over different ones in the vault, without asking")
	cmd.Flags().BoolVar(&storeRefused, "store-refused-secrets", false, "store the file's secrets even where Globus refuses them and accepts the vault's")
	cmd.Flags().BoolVar(&rememberFile, "remember-file", false, "make FILE the remembered gateway .env (rotate writes into it) even when another is remembered or it is a backup")
	return cmd
}

// importTarget settles whether the import makes its file the remembered
// gateway .env: it does when none is remembered (or the remembered one is
// gone); another file still there, or a backup's name, is asked about at a
// terminal (no keeps the old one), and elsewhere kept unless --remember-file.
func (a *app) importTarget(imp *steps.EnvImport, doc vault.Doc, remember bool) error {
	old, backup, gone := imp.Takeover(doc)
	if remember || (old == "" || gone) && !backup {
		return nil
	}
	why := "the gateway's .env remembered is " + old + ", which rotate writes into"
	if old == "" || gone {
		why = imp.Path + " is named as a backup, which the gateway does not read"
	} else if backup {
		why += ", and " + imp.Path + " is named as a backup"
	}
	if !a.isTerminal() {
		imp.KeepTarget = true
		return nil
	}
	fmt.Fprintln(a.stderr, strings.ToUpper(why[:1])+why[1:]+".")
	ans, err := a.promptLine("Remember " + imp.Path + " as the gateway's .env instead? [y/N] ")
	if err != nil {
		return err
	}
	imp.KeepTarget = !isYes(ans)
	return nil
}

// importReport says what was stored, from where, and what was left alone;
// doc is the vault before the import.
func (a *app) importReport(imp *steps.EnvImport, doc vault.Doc) {
	fmt.Fprintf(a.stdout, "Imported %s (the file was not changed):\n", imp.Path)
	for _, k := range imp.Keys() {
		val := steps.ShowValue(k, imp.Values[k])
		if s, ok := steps.Spec(k); ok && s.Secret {
			val = "(secret, not shown)"
		}
		fmt.Fprintf(a.stdout, "  %-30s %s  [%s]\n", k, val, imp.Source[k])
	}
	for _, k := range imp.Drop {
		fmt.Fprintf(a.stdout, "  %-30s removed: not in the file\n", k)
	}
	if len(imp.Others) > 0 {
		fmt.Fprintf(a.stdout, "Left alone in the file, not stored: %s.\n", strings.Join(imp.Others, ", "))
	}
	for _, n := range append(imp.SecretNotes(), imp.Notes...) {
		fmt.Fprintln(a.stdout, "Note: "+n.String()+".")
	}
	if imp.KeepTarget {
		fmt.Fprintln(a.stdout, "It was only read: the gateway's .env remembered (rotate writes into it) is still "+doc.Internal[steps.EnvTargetKey]+"; --remember-file makes this file the one.")
		fmt.Fprintln(a.stdout, "Next: `globus-setup verify`.")
	} else {
		if old, _, _ := imp.Takeover(doc); old != "" {
			fmt.Fprintln(a.stdout, "It is remembered as the gateway's .env (rotate writes into it), in place of "+old+".")
		} else {
			fmt.Fprintln(a.stdout, "It is remembered as the gateway's .env (rotate writes into it).")
		}
		if imp.SecretFree {
			// Nothing to take out: the gateway already gets them under exec.
			fmt.Fprintln(a.stdout, "Next: `globus-setup verify`; the file holds no secrets, so start the gateway with `globus-setup exec -- COMMAND`, which passes them from the vault.")
		} else {
			fmt.Fprintln(a.stdout, "Next: `globus-setup verify`; then `globus-setup export --merge "+tui.ShellQuote(imp.Path)+" --no-secrets` takes the secrets out of the file, and `globus-setup exec -- COMMAND` starts the gateway with them.")
		}
	}
	for _, w := range imp.Warnings {
		fmt.Fprintln(a.stderr, "globus-setup: warning: "+w.String())
	}
}
