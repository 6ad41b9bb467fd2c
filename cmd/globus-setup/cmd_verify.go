package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
)

func newVerifyCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check everything stored against Globus, live, one line per check",
		Long: `Check, live: each ID/secret pair works and is the expected kind of app, the
action_all scope has the Groups dependent scope, the public client is public, the
policy is high assurance with the stored domains, and each group holds its stored
members. Checks that need the operator's login are skipped without one. Steps
whose checks all pass are marked verified. If Globus cannot be reached, the
remaining checks are skipped and no step loses its verified mark. Exits 1 if any
check fails.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
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
}
