package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// errExecUsage: exec needs a command; cobra's usage errors exit 1, but a
// missing command is the caller's mistake, told apart with exit 2.
var errExecUsage = errors.New("exec needs a command: globus-setup exec [--compute] [--only VAR]... -- COMMAND [ARGS...]")

func newExecCmd(a *app) *cobra.Command {
	var compute bool
	var only []string
	cmd := &cobra.Command{
		Use:   "exec [--compute] [--only VAR]... -- COMMAND [ARGS...]",
		Short: "Run a command with the gateway's variables (or Globus Compute's) in its environment only",
		Long: `Unlock the vault and run COMMAND with the gateway's variables in its environment,
or with --compute the two Globus Compute ones (GLOBUS_COMPUTE_CLIENT_ID and
GLOBUS_COMPUTE_CLIENT_SECRET, the Service Account's), instead of writing them to
~/.bashrc or a file: nothing goes to disk or onto a command line. --only keeps just
the variables named. globus-setup becomes the command (exec), so its exit status
and signals are the command's own. As aws-vault exec, op run and sops exec-env do.

The command never gets the vault's own way in: GLOBUS_SETUP_PASSPHRASE_FILE,
GLOBUS_SETUP_PASSPHRASE_COMMAND and GLOBUS_SETUP_IDENTITY are left out of its
environment, a /dev/fd/N the passphrase or key was read from is closed to it, and
every sitting ('globus-setup unlock') is ended before it starts.`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprintln(a.stderr, "globus-setup:", errExecUsage)
				return exitError{code: 2}
			}
			// Before the passphrase: a typo fails at once, with its name.
			path, err := exec.LookPath(args[0])
			if err != nil {
				return fmt.Errorf("exec: cannot run %q: %w; check its name and PATH", args[0], errors.Unwrap(err))
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			vars, err := steps.ExecVariables(v.Doc(), compute, only)
			if err != nil {
				return err
			}
			a.warnOverrides(cmd.Context(), v.Doc(), vars)
			if !compute {
				for _, g := range steps.ExecGaps(v.Doc(), vars) {
					fmt.Fprintln(a.stderr, "globus-setup: warning: "+g.Warning())
				}
			}
			if err := a.endSittingsBeforeExec(); err != nil {
				return err
			}
			a.keepSourcesFromChild()
			execve := a.execve
			if execve == nil {
				execve = execCommand
			}
			return execve(path, args, steps.ChildEnvironment(os.Environ(), vars))
		},
	}
	cmd.Flags().SetInterspersed(false) // flags after COMMAND are the command's
	cmd.Flags().BoolVar(&compute, "compute", false, "pass GLOBUS_COMPUTE_CLIENT_ID and GLOBUS_COMPUTE_CLIENT_SECRET (the Service Account's) instead")
	cmd.Flags().StringSliceVar(&only, "only", nil, "pass only these variables (repeat, or comma separated)")
	return cmd
}

// warnOverrides says, before the command starts, which of the variables
// passed the gateway's remembered .env would beat (it loads the file with
// override=True), naming each and the file. A file that cannot be read is
// said too; none of this stops the command.
func (a *app) warnOverrides(ctx context.Context, doc vault.Doc, vars []string) {
	path, over, err := steps.ExecOverrides(doc, vars)
	if err != nil {
		fmt.Fprintf(a.stderr, "globus-setup: warning: could not read the gateway's .env %s to see whether it overrides what exec passes: %v\n", path, err)
		return
	}
	// An app's pair that differs is tried at Globus (no login needed), so
	// the warning says which side to change.
	c, _ := a.globusClient()
	steps.CheckExecPairs(ctx, c, doc, path, over)
	for _, o := range over {
		fmt.Fprintln(a.stderr, "globus-setup: warning: "+o.Warning(path))
	}
}
