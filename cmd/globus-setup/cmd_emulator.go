package main

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// demoUsers are the identities the emulator knows, so groups can be filled.
var demoUsers = []struct{ username, name, idp string }{
	{"operator@example.org", "Demo Operator", "example.org"},
	{"alice@uchicago.edu", "Alice Example", "uchicago.edu"},
	{"bob@anl.gov", "Bob Example", "anl.gov"},
}

// demoEmulator is a running emulator seeded for trying the wizard.
type demoEmulator struct {
	*globustest.Server
	base string
	// thickClient is a public client in a project of the operator's own,
	// standing in for "any thick client you have": the very first login
	// needs one before the wizard can create the gateway's public client.
	thickClient string
}

func startEmulator(addr string) (*demoEmulator, error) {
	return startEmulatorWith(addr, nil)
}

// startEmulatorWith seeds the emulator, lets restore replace its state (a
// kept demo), then serves it on addr.
func startEmulatorWith(addr string, restore func(*globustest.Server) error) (*demoEmulator, error) {
	srv := globustest.New()
	for _, u := range demoUsers {
		srv.AddIdentity(u.username, u.name, u.username, u.idp)
	}
	srv.SetOperator(demoUsers[0].username)
	sandbox := srv.AddProject("Operator's sandbox", demoUsers[0].username, demoUsers[0].username)
	thick, _ := srv.RegisterClient(sandbox, "Operator's own CLI", globustest.PublicInstalledClient)
	if restore != nil {
		if err := restore(srv); err != nil {
			return nil, err
		}
	}
	base, err := srv.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("starting the emulator on %s: %w", addr, err)
	}
	return &demoEmulator{Server: srv, base: base, thickClient: thick}, nil
}

func newEmulatorCmd(a *app) *cobra.Command {
	var addr string
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run the built-in Globus emulator on loopback, for trying the commands",
		Long: `Serve a stateful fake of Globus Auth, Groups and the developers console on a
loopback address until interrupted. Paste the printed exports into another shell
and every command talks to it instead of Globus.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, err := startEmulator(addr)
			if err != nil {
				return err
			}
			defer srv.Close()
			base := srv.base
			env := srv.Env()
			keys := make([]string, 0, len(env))
			for k := range env {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(a.stdout, "export %s=%s\n", k, env[k])
			}
			fmt.Fprintf(a.stdout, "# developers console: %s/app/settings/developers\n", base)
			fmt.Fprintf(a.stdout, "# identities: ")
			for i, u := range demoUsers {
				if i > 0 {
					fmt.Fprint(a.stdout, ", ")
				}
				fmt.Fprint(a.stdout, u.username)
			}
			fmt.Fprintln(a.stdout)
			fmt.Fprintf(a.stdout, "# a thick client for the first login: globus-setup login --client-id %s\n", srv.thickClient)
			fmt.Fprintln(a.stdout, "# Ctrl+C stops it.")
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8765", "loopback address to listen on")
	return cmd
}
