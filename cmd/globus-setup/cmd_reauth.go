package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// reauthPrompt is how the commands answer Globus asking for a new sign-in
// (steps.Redrive): the task's own sign-in, at the terminal. With no
// terminal there is nobody to ask: nil, and the error names the
// `globus-setup login` command to run.
func (a *app) reauthPrompt() steps.ReauthFunc {
	if !a.isTerminal() {
		return nil
	}
	return flow.SignInAgain(a.ui("this again in a terminal"))
}

// loginAsks are the `login` flags that ask Globus for a stronger session,
// the parameters a refused call names (see steps.LoginCommand).
type loginAsks struct {
	mfa                                  bool
	domains, policies, identities, scope []string
}

func (l *loginAsks) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&l.mfa, "mfa", false, "ask Globus for a session with MFA (session_required_mfa)")
	fl.StringArrayVar(&l.domains, "domain", nil, "ask for a session with an identity from this domain (session_required_single_domain); repeatable")
	fl.StringArrayVar(&l.policies, "policy", nil, "ask for a session meeting this authentication policy ID (session_required_policies); repeatable")
	fl.StringArrayVar(&l.identities, "identity", nil, "ask for a session with this identity ID (session_required_identities); repeatable")
	fl.StringArrayVar(&l.scope, "scope", nil, "also ask consent for this scope (required_scopes); repeatable")
}

// requirements turns the flags into what the authorize URL asks; nil when
// none is given. Bad values are errors naming the flag.
func (l *loginAsks) requirements() (*globus.AuthRequirements, error) {
	r := &globus.AuthRequirements{MFA: l.mfa}
	for _, d := range l.domains {
		d = strings.TrimSpace(d)
		if d == "" || strings.ContainsAny(d, " ,@/") {
			return nil, fmt.Errorf("--domain %q is not a domain: give one like anl.gov", d)
		}
		r.SingleDomain = append(r.SingleDomain, d)
	}
	for _, x := range []struct {
		flag string
		in   []string
		out  *[]string
	}{{"--policy", l.policies, &r.Policies}, {"--identity", l.identities, &r.Identities}} {
		for _, v := range x.in {
			id, err := steps.NormalizeUUID(v)
			if err != nil {
				return nil, fmt.Errorf("%s %q is not an ID (a UUID): %v", x.flag, v, err)
			}
			*x.out = append(*x.out, id)
		}
	}
	for _, s := range l.scope {
		s = strings.TrimSpace(s)
		if s == "" || strings.ContainsAny(s, " \t\n") {
			return nil, fmt.Errorf("--scope %q is not one scope string", s)
		}
		r.Scopes = append(r.Scopes, s)
	}
	if !r.Session() && len(r.Scopes) == 0 {
		return nil, nil
	}
	return r, nil
}
