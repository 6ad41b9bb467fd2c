package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
)

func newVerifyCmd(a *app) *cobra.Command {
	var asUser, noBrowser bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check everything stored against Globus, live, one line per check",
		Long: `Check, live: each ID/secret pair works and is the expected kind of app, the
action_all scope has the Groups dependent scope, the public client is public, the
policy is high assurance with the stored domains, the gateway would start (its own
start-up check, replayed as the Service Account: one policy, readable, high
assurance, domains equal to AUTHORIZED_IDP_DOMAINS exactly), and each group holds
its stored members (with a warning for a member outside the domains). Checks that need the operator's login are
skipped without one, or when Globus no longer accepts it (the login's own check,
one call, then fails). Steps
whose checks all pass are marked verified. If Globus cannot be reached, the
remaining checks are skipped and no step loses its verified mark. Exits 1 if any
check fails.

With --as-user: prove a user gets in, the way the gateway will check. A test
user logs in through the stored public client, asking for the gateway's
action_all scope (copy-paste code; works over SSH); then, with the stored Service
API credentials, the gateway's admission checks run on that user's token and
each is reported in plain words. The user's tokens are used for this only:
never stored, never printed, and revoked at Globus when the proof ends. Exits 0
if the user would be admitted, 1 if not.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asUser {
				return a.proveUser(cmd.Context(), noBrowser)
			}
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			checks := steps.VerifyAll(cmd.Context(), e)
			var pass, fail, skip int
			for _, c := range checks {
				fmt.Fprintln(a.stdout, c.Line())
				switch c.Status {
				case steps.CheckPass:
					pass++
				case steps.CheckFail:
					fail++
				default:
					skip++
				}
			}
			fmt.Fprintf(a.stdout, "%d passed, %d failed, %d skipped\n", pass, fail, skip)
			if err := steps.RecordChecks(e, checks); err != nil {
				return a.opsFail(fmt.Errorf("recording the results in the vault: %w", err))
			}
			if fail > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asUser, "as-user", false, "log a test user in and run the gateway's admission checks on their token")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "with --as-user: only print the address; do not open a browser")
	return cmd
}
