package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
)

func newGroupCmd(a *app) *cobra.Command {
	group := &cobra.Command{
		Use:   "group",
		Short: "Create Globus groups and add members",
		Args:  cobra.NoArgs,
	}
	var description, display string
	var members []string
	var asClient bool
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a group (or reuse the one stored as NAME) and add members",
		Long: `Create a Globus group and add members by Globus username (alice@anl.gov) or
identity UUID, without invitations. NAME is the group's name in the vault
(groups.NAME.id, groups.NAME.members); its name on Globus is --display-name, by
default derived from the project name. A NAME already stored is reused, not
created again. As the logged-in operator by default; with --as-client as the
Service API app, which then owns the group.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			r, err := steps.CreateGroup(cmd.Context(), e, steps.GroupRequest{
				Name: args[0], DisplayName: display, Description: description, Members: members, AsClient: asClient,
			})
			return a.groupOutcome(r, err)
		},
	}
	create.Flags().StringVar(&description, "description", "", "the group's description on Globus")
	create.Flags().StringVar(&display, "display-name", "", "the group's name on Globus (default: \"<project name> Users\" for users)")
	create.Flags().StringArrayVar(&members, "member", nil, "a member's Globus username or identity UUID (repeatable)")
	create.Flags().BoolVar(&asClient, "as-client", false, "act as the Service API app (it will own the group) instead of the logged-in operator")

	var addAsClient bool
	add := &cobra.Command{
		Use:   "add NAME|UUID USER...",
		Short: "Add members to a stored group (by name) or any group (by UUID)",
		Args:  cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			r, err := steps.AddGroupMembers(cmd.Context(), e, args[0], args[1:], addAsClient)
			return a.groupOutcome(r, err)
		},
	}
	add.Flags().BoolVar(&addAsClient, "as-client", false, "act as the Service API app instead of the logged-in operator")
	group.AddCommand(create, add)
	return group
}

// groupOutcome prints what a group command did: the group line on stdout
// (once the group was made or read: a group Globus did not find has no
// line), each member not added on stderr, and exit 1 when any was not.
func (a *app) groupOutcome(r steps.GroupResult, err error) error {
	if r.Shown() {
		lines := steps.GroupLines(r)
		fmt.Fprintln(a.stdout, lines[0])
		for _, l := range lines[1:] {
			fmt.Fprintln(a.stderr, l)
		}
	}
	if err != nil {
		return a.opsFail(err)
	}
	if len(r.NotAdded()) > 0 {
		return exitError{code: 1}
	}
	return nil
}
