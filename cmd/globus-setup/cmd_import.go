package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/tui"
)

func newImportCmd(a *app) *cobra.Command {
	var replace bool
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
terminal, or needs --replace.`,
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
			if _, ok := steps.LoggedIn(v); ok {
				c, err := a.globusClient()
				if err != nil {
					return err
				}
				imp.FillFromGlobus(cmd.Context(), &steps.Env{Vault: v, Globus: c}, doc)
			} else {
				imp.FillFromGlobus(cmd.Context(), &steps.Env{Vault: v}, doc)
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
				ans, err := a.promptLine("Replace them with the file's? [y/N] ")
				if err != nil || !isYes(ans) {
					fmt.Fprintln(a.stdout, "Cancelled: nothing was stored.")
					return exitError{code: 1}
				}
			}
			if err := imp.Store(v); err != nil {
				return fmt.Errorf("storing the import (nothing was stored): %w", err)
			}
			a.importReport(imp)
			return nil
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "store the file's values over different ones in the vault, without asking")
	return cmd
}

// importReport says what was stored, from where, and what was left alone.
func (a *app) importReport(imp *steps.EnvImport) {
	fmt.Fprintf(a.stdout, "Imported %s (the file was not changed):\n", imp.Path)
	for _, k := range imp.Keys() {
		val := imp.Values[k]
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
	for _, n := range imp.Notes {
		fmt.Fprintln(a.stdout, "Note: "+n.String()+".")
	}
	fmt.Fprintln(a.stdout, "It is remembered as the gateway's .env (rotate writes into it).")
	fmt.Fprintln(a.stdout, "Next: `globus-setup verify`; then `globus-setup export --merge "+tui.ShellQuote(imp.Path)+" --no-secrets` takes the secrets out of the file, and `globus-setup exec -- COMMAND` starts the gateway with them.")
}
