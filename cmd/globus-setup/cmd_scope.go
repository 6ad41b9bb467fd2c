package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

func newScopeCmd(a *app) *cobra.Command {
	scope := &cobra.Command{
		Use:   "scope",
		Short: "The Service API app's action_all scope",
		Args:  cobra.NoArgs,
	}
	scope.AddCommand(&cobra.Command{
		Use:   "create",
		Short: "Create (or find and check) the action_all scope with the Groups dependent scope",
		Long: `Create the Service API app's action_all scope exactly as the setup guide does,
with the Groups scope as its one dependent scope (required, refresh tokens), using
the stored service_api.client_id and service_api.client_secret. If the app already
has an action_all scope it is checked and reused, so running this twice is safe.
Stores service_api.scope_id and service_api.scope_string.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			r, err := steps.EnsureScope(cmd.Context(), e)
			if err != nil {
				return a.opsFail(err)
			}
			for _, l := range steps.ScopeLines(r) {
				fmt.Fprintln(a.stdout, l)
			}
			return nil
		},
	})
	return scope
}

// opsEnv is the steps environment for the automated commands, which print
// their own one- or two-line summaries rather than progress.
func (a *app) opsEnv() (*steps.Env, error) {
	e, err := a.stepsEnv()
	if err != nil {
		return nil, err
	}
	e.Out = nil
	e.Reauth = a.reauthPrompt()
	return e, nil
}

// opsFail explains an operation's failure on stderr — what is wrong, then
// what to do — and makes the command exit 1.
func (a *app) opsFail(err error) error {
	fmt.Fprintln(a.stderr, "globus-setup:", err)
	if h := globus.Hint(err); h != "" {
		fmt.Fprintln(a.stderr, "  what to do:", h)
	}
	return errSilent
}
