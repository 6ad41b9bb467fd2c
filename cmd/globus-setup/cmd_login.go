package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

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
			flow, err := steps.StartLoginWith(e, clientID, req)
			if err != nil {
				return a.opsFail(err)
			}
			if req != nil {
				fmt.Fprintln(a.stdout, "Asking Globus for a session "+req.Describe()+".")
			}
			pasted, err := a.askLoginCode("Log in to Globus at this address, then paste the code Globus shows:", flow.URL, noBrowser)
			if err != nil {
				return a.opsFail(fmt.Errorf("no code was entered (%w): run `globus-setup login` in a terminal", err))
			}
			info, err := steps.FinishLogin(cmd.Context(), e, flow, pasted)
			if err != nil {
				return a.opsFail(err)
			}
			fmt.Fprintf(a.stdout, "Logged in through client %s; tokens for %s are kept in the vault (never exported).\n",
				steps.ShortID(info.ClientID), strings.Join(info.ResourceServers, ", "))
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
			defer a.endSittingAfter("logged out")
			if err != nil {
				return a.opsFail(err)
			}
			fmt.Fprintln(a.stdout, r.Line())
			return nil
		},
	}
}

// askLoginCode shows a login address, opens it in the browser unless told
// not to (or over SSH, where the operator opens it on their own machine),
// and reads the code Globus shows after the login.
func (a *app) askLoginCode(intro, url string, noBrowser bool) (string, error) {
	fmt.Fprintln(a.stdout, intro)
	fmt.Fprintln(a.stdout, "  "+url)
	if !noBrowser && a.openBrowser(url) {
		fmt.Fprintln(a.stdout, "(sent to your browser; if no page opened, use the link above)") // $BROWSER is started, not awaited: its failure is not seen
	}
	return a.promptLine("Code: ")
}
