package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

func newRotateCmd(a *app) *cobra.Command {
	var finish, undo, list, noEnv, yes bool
	var envPath, del string
	cmd := &cobra.Command{
		Use:   "rotate service_api|service_account [--finish | --undo | --delete ID] | rotate --list",
		Short: "Replace an app's client secret without downtime (resumable), or list its secrets",
		Long: `Rotate an app's client secret in two halves, with both secrets valid in between:

  globus-setup rotate APP            make a new secret at Globus (named with when and
                                     by whom), store it in the vault at once, prove it
                                     works, and write it into the gateway's .env (the
                                     one last given to export --merge, or --env PATH);
                                     then restart the gateway
  globus-setup rotate APP --finish   you say the gateway restarted: the gateway's
                                     start-up check is replayed with the new secret
                                     (the Service Account's grant, its policy read,
                                     the domains compared), and only if it passes is
                                     the old secret deleted at Globus and dropped from
                                     the vault. globus-setup cannot see which secret
                                     the running gateway holds: this is your word
  globus-setup rotate APP --undo     put the old secret back (vault and .env) and delete
                                     the new one at Globus

A rotation stopped anywhere is carried on by running the same command again; status
shows one left half done. --list shows every secret of both apps at Globus, marking
the ones globus-setup does not know (made in the console) so they can be deleted
with --delete ID, which asks first at a terminal and needs --yes elsewhere: a
secret deleted at Globus cannot come back, and whatever still uses it stops.
Needs your login ('globus-setup login').`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			modes := 0
			for _, b := range []bool{finish, undo, list, del != ""} {
				if b {
					modes++
				}
			}
			if modes > 1 {
				return errors.New("--finish, --undo, --list and --delete are alternatives: give one")
			}
			if list {
				if len(args) > 0 {
					return errors.New("--list shows both apps' secrets: give no app")
				}
				return a.rotateList(cmd)
			}
			if len(args) == 0 {
				return fmt.Errorf("name the app whose secret to rotate: %s (or --list)", strings.Join(steps.RotatableApps, " or "))
			}
			if (envPath != "" || noEnv) && (finish || undo || del != "") {
				return errors.New("--env and --no-env choose where a new secret goes: they go with `rotate APP` only")
			}
			if envPath != "" && noEnv {
				return errors.New("--env and --no-env are alternatives: give one")
			}
			e, err := a.opsEnv()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			app := args[0]
			var res steps.RotateResult
			switch {
			case del != "":
				err := steps.DeleteUnknownCredential(ctx, e, app, del, func(c steps.AppCredential) error {
					return a.confirmDeleteCredential(c, yes)
				})
				var ex exitError
				if errors.As(err, &ex) {
					return err
				}
				if err != nil {
					return a.opsFail(err)
				}
				fmt.Fprintln(a.stdout, "✓ deleted credential "+del+" at Globus")
				return nil
			case finish:
				res, err = flow.FinishRotation(ctx, a.ui(""), e, app)
			case undo:
				res, err = flow.UndoRotation(ctx, a.ui(""), e, app)
			default:
				res, err = flow.RotateSecret(ctx, a.ui(""), e, app, steps.RotateOptions{EnvPath: envPath, NoEnv: noEnv})
			}
			for _, l := range res.Lines {
				fmt.Fprintln(a.stdout, l)
			}
			if err != nil {
				return a.opsFail(err)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&finish, "finish", false, "the gateway restarted with the new secret: delete the old one")
	f.BoolVar(&undo, "undo", false, "go back to the old secret and delete the new one")
	f.BoolVar(&list, "list", false, "list both apps' secrets at Globus, marking the ones globus-setup does not know")
	f.StringVar(&del, "delete", "", "delete one secret (by credential ID) that globus-setup knows nobody here uses")
	f.BoolVarP(&yes, "yes", "y", false, "with --delete: delete without asking")
	f.StringVar(&envPath, "env", "", "the gateway's .env to write the new secret into (remembered)")
	f.BoolVar(&noEnv, "no-env", false, "write no .env: you put the new secret in the gateway's settings")
	return cmd
}

// confirmDeleteCredential says what deleting c at Globus loses and asks,
// or needs --yes where nobody can be asked, as unset does for a secret.
func (a *app) confirmDeleteCredential(c steps.AppCredential, yes bool) error {
	if yes {
		return nil
	}
	name := ""
	if c.Credential.Name != "" {
		name = fmt.Sprintf(" (%q)", c.Credential.Name)
	}
	fmt.Fprintf(a.stderr, "Credential %s%s of %s is a secret globus-setup does not know (made in the console, or by another tool): deleted at Globus, it cannot come back, and whatever still uses it (another gateway, a Globus Compute endpoint) stops working.\n", c.Credential.ID, name, c.App)
	if !a.isTerminal() {
		fmt.Fprintln(a.stderr, "globus-setup: nothing was deleted: this is not an interactive terminal, so there is no one to ask.")
		fmt.Fprintln(a.stderr, "  what to do: add --yes to delete it")
		return exitError{code: 2}
	}
	ans, err := a.promptLine("Delete credential " + c.Credential.ID + " at Globus? [y/N] ")
	if err != nil || !isYes(ans) {
		fmt.Fprintln(a.stderr, "Cancelled: nothing was deleted.")
		return exitError{code: 1}
	}
	return nil
}

func (a *app) rotateList(cmd *cobra.Command) error {
	e, err := a.opsEnv()
	if err != nil {
		return err
	}
	list, err := steps.ListAppCredentials(cmd.Context(), e)
	if err != nil {
		return a.opsFail(err)
	}
	if len(list) == 0 {
		fmt.Fprintln(a.stdout, "No app with a stored ID has a secret at Globus.")
		return nil
	}
	unknown := 0
	for _, c := range list {
		if c.Role == steps.RoleUnknown {
			unknown++
		}
	}
	for _, l := range steps.CredentialTable(list, time.Now()) {
		fmt.Fprintln(a.stdout, l)
	}
	if unknown > 0 {
		fmt.Fprintf(a.stdout, "%d secret(s) unknown to globus-setup: delete each nobody uses with `globus-setup rotate APP --delete ID`.\n", unknown)
	}
	return nil
}

// parseMaxAge reads --max-age or GLOBUS_SETUP_SECRET_MAX_AGE: "90d", or a
// Go duration ("2160h"); 0 turns the flag off.
func parseMaxAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("secret age limit %q: write whole days like 90d, or a duration like 2160h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("secret age limit %q: write whole days like 90d, or a duration like 2160h", s)
	}
	return dur, nil
}

// statusSecrets prints the rotations left half done and each secret's age.
func (a *app) statusSecrets(doc vault.Doc, maxAge time.Duration) {
	rots := steps.Rotations(doc)
	ages := steps.SecretAges(doc, time.Now(), maxAge)
	if len(rots) == 0 && len(ages) == 0 {
		return
	}
	fmt.Fprintln(a.stdout)
	for _, r := range rots {
		fmt.Fprintln(a.stdout, "! "+r.Line())
	}
	for _, s := range ages {
		mark := "  "
		if s.Old {
			mark = "! "
		}
		fmt.Fprintln(a.stdout, mark+s.Line(maxAge))
	}
}
