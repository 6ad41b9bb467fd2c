package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
)

func newLoginCmd(a *app) *cobra.Command {
	var clientID string
	var noBrowser bool
	var asks loginAsks
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to Globus as the operator (copy-paste code; works over SSH)",
		Long: `Log in to Globus through the stored public client (public_client.client_id), or
through any thick client with --client-id for the very first login. Open the
address shown, log in, and paste the code Globus shows (or the whole address of
that page). The tokens are kept inside the encrypted vault, never with the
exported values; 'globus-setup logout' deletes them.

When Globus refuses a call until you sign in with more (MFA, an identity from a
domain, a policy, consent to a scope), the commands ask for that sign-in
themselves at a terminal; elsewhere they print the login to run, with the flags
below (--mfa, --domain, --policy, --identity, --scope).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			req, err := asks.requirements()
			if err != nil {
				return a.opsFail(err)
			}
			ui := a.ui("`globus-setup login` in a terminal")
			ui.noBrowser = noBrowser
			if _, err := flow.Login(cmd.Context(), ui, e, flow.LoginOptions{ClientID: clientID, Require: req}); err != nil {
				return a.opsFail(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&clientID, "client-id", "", "log in through this thick (public) client instead of the stored one")
	cmd.Flags().BoolVar(&noBrowser, "no-browser", false, "only print the address; do not open a browser")
	asks.register(cmd)
	return cmd
}

func newLogoutCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "Revoke the operator's Globus tokens at Globus, then delete them from the vault",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			r, err := steps.RevokeAndLogout(cmd.Context(), e)
			defer a.endSittingAfter()
			if err != nil {
				return a.opsFail(err)
			}
			fmt.Fprintln(a.stdout, r.Line())
			return nil
		},
	}
}
