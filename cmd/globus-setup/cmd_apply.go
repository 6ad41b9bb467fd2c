package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// applyValueFlags maps apply's value flags to the vault keys they override.
var applyValueFlags = []struct{ flag, key, usage string }{
	{"project-name", "project.name", "the project's name (default: the stored one, else \"Inference Gateway\")"},
	{"contact-email", "project.contact_email", "the project's contact e-mail (default: the stored one, else yours)"},
	{"domains", "policy.domains", "the policy's allowed identity-provider domains, space separated: \"anl.gov uchicago.edu\""},
	{"assurance-timeout", "policy.assurance_timeout", "how long a login counts for the policy before users log in again: 8h, 30m"},
}

func newApplyCmd(a *app) *cobra.Command {
	var dryRun, yes bool
	var only []string
	cmd := &cobra.Command{
		Use:   "apply",
		Short: "Do the console steps 1–5 for you, as the logged-in operator (shows the plan first)",
		Long: `Create what steps 1–5 of the setup guide create in the web console: the project,
the Service API app with its secret and action_all scope, the Service Account app
with its secret, the public client and the high-assurance policy. Every ID and
secret is stored in the vault the moment Globus hands it out; secrets are never
printed.

The plan comes first: what is kept (stored and found on Globus), reused (found
by name among what you administer) and created. --dry-run stops there. Otherwise
apply asks before creating anything, or, when not run in a terminal, needs --yes.
Running it again is safe: what exists is kept, and an earlier run that was
interrupted mid-way is carried on without making anything twice.

Needs your login: run 'globus-setup login' first.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := steps.ApplyOptions{Steps: only, Values: map[string]string{}}
			for _, f := range applyValueFlags {
				// Only flags given override the vault: an empty default must not.
				if cmd.Flags().Changed(f.flag) {
					v, _ := cmd.Flags().GetString(f.flag)
					opts.Values[f.key] = v
				}
			}
			return a.apply(cmd.Context(), opts, dryRun, yes)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&dryRun, "dry-run", false, "only show the plan; create and store nothing")
	fl.BoolVar(&yes, "yes", false, "create without asking (needed when not run in a terminal)")
	fl.StringSliceVar(&only, "steps", nil, "only these steps, comma separated: "+strings.Join(steps.ApplyStepIDs(), ","))
	for _, f := range applyValueFlags {
		fl.String(f.flag, "", f.usage)
	}
	return cmd
}

func (a *app) apply(ctx context.Context, opts steps.ApplyOptions, dryRun, yes bool) error {
	e, err := a.opsEnv()
	if err != nil {
		return err
	}
	ui := a.ui("`globus-setup apply` in a terminal")
	ui.yes = yes
	flags := map[string]string{}
	for _, f := range applyValueFlags {
		flags[f.key] = "--" + f.flag
	}
	// Inputs not given take what the wizard's one form would suggest (the
	// login's domain for the policy), said as suggestions beside the plan.
	res, err := flow.PlanAndApply(ctx, ui, e, flow.PlanOptions{Steps: opts.Steps, Values: opts.Values,
		Suggest: true, Flags: flags, DryRun: dryRun})
	failed := slices.ContainsFunc(res.Results, func(r steps.ApplyResult) bool { return r.Err != nil && !signInAsked(r.Err) })
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(a.stderr, "globus-setup: interrupted.")
		if res.Started() {
			fmt.Fprintln(a.stderr, "  What was made before the interruption is stored: `globus-setup apply` again carries on from there (what Globus made as it stopped is found and adopted).")
		}
		return exitError{code: exitInterrupted}
	case errors.Is(err, flow.ErrNotAsked):
		// The plan above was shown; nobody can approve it.
		fmt.Fprintf(a.stderr, "globus-setup: not creating %s without a yes: this is not an interactive terminal, so there is no one to ask.\n", things(res.Plan.Creates()))
		fmt.Fprintln(a.stderr, "  what to do: add --yes to create what the plan above shows, or --dry-run to only see the plan")
		return exitError{code: 2}
	case err != nil && !res.Started() && len(res.Plan.Items) == 0 && res.Plan.Operator == "":
		return a.applyFail(e, err, false) // the plan could not be made
	case res.Declined:
		fmt.Fprintln(a.stdout, "Cancelled: nothing was created.")
		return exitError{code: 1}
	case failed:
		// The failed item's line said what went wrong and what to do.
		fmt.Fprintln(a.stderr, "  What was made before this is stored: once it is fixed, `globus-setup apply` carries on from there.")
		return errSilent
	case err != nil:
		return a.applyFail(e, err, true)
	case dryRun:
		return nil
	}
	fmt.Fprintf(a.stdout, "Done: %d created, %d kept or reused, all stored in the vault. Check them live with `globus-setup verify`.\n", res.Created(), res.Kept())
	return nil
}

// signInAsked: a refused call asked for a new sign-in, which the task's
// own question answered (not a failure to show).
func signInAsked(err error) bool {
	_, _, ok := globus.RequirementsOf(err)
	return ok
}

// applyFail explains why apply stopped, with the advice that fits; started
// says Apply had begun, so some things may have been made and stored.
func (a *app) applyFail(e *steps.Env, err error, started bool) error {
	var fe steps.FieldErrors
	switch {
	case errors.Is(err, steps.ErrNotLoggedIn):
		return a.notLoggedIn(e, err)
	case errors.Is(err, steps.ErrPlanChanged):
		fmt.Fprintln(a.stderr, "globus-setup:", err)
		fmt.Fprintln(a.stderr, "  Nothing was created: Globus changed while the plan was on screen.")
		fmt.Fprintln(a.stderr, "  what to do: run `globus-setup apply` again to see the new plan")
		return errSilent
	case errors.As(err, &fe):
		// Bad values come from the flags: name the flag, not the vault key.
		bad := fe.FieldErrors()
		keys := slices.Sorted(maps.Keys(bad))
		for _, k := range keys {
			fmt.Fprintf(a.stderr, "globus-setup: %s: %v\n", applyFlagFor(k), bad[k])
		}
		fmt.Fprintln(a.stderr, "  what to do: correct it and run `globus-setup apply` again; nothing was created")
		return errSilent
	}
	fmt.Fprintln(a.stderr, "globus-setup:", err)
	if h := steps.Hint(err); h != "" {
		fmt.Fprintln(a.stderr, "  what to do:", h)
	}
	if started {
		fmt.Fprintln(a.stderr, "  What was created before this is stored: `globus-setup apply` again carries on from there.")
	}
	return errSilent
}

// applyFlagFor names the flag that gives a vault key, e.g. "--domains".
func applyFlagFor(key string) string {
	for _, f := range applyValueFlags {
		if f.key == key {
			return "--" + f.flag
		}
	}
	return key
}

// notLoggedIn says how to log in, including the first login's catch: it
// needs a thick client, and apply would create ours only after a login.
func (a *app) notLoggedIn(e *steps.Env, err error) error {
	fmt.Fprintln(a.stderr, "globus-setup:", err)
	fmt.Fprintln(a.stderr, "  apply acts as you, the operator, through your Globus login.")
	if id, _ := e.Vault.Get("public_client.client_id"); strings.TrimSpace(id) != "" {
		fmt.Fprintf(a.stderr, "  what to do: run `globus-setup login` (it goes through the stored public client %s), then `globus-setup apply` again\n", steps.ShortID(id))
		return errSilent
	}
	fmt.Fprint(a.stderr, `  No public client is stored yet, and the very first login needs one: Globus
  starts a login only for a registered thick (native) client, and apply creates
  yours only once you are logged in. Either:
    - quickest, if you have one: log in through any thick client you already
      have (its ID is on its page in the developers console); apply then
      creates the public client:
        globus-setup login --client-id ID
    - or register the guide's public client by hand (step 4), store its ID and
      log in through it; apply then keeps it:
        globus-setup set public_client.client_id ID
        globus-setup login
  what to do: one of the two above, then `+"`globus-setup apply`"+` again
`)
	return errSilent
}

func isYes(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return s == "y" || s == "yes"
}

func things(n int) string {
	if n == 1 {
		return "1 thing"
	}
	return fmt.Sprintf("%d things", n)
}
