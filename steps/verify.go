package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// CheckStatus is the outcome of one live check.
type CheckStatus string

// Check outcomes. A skip is not a failure: it says what is needed to check.
const (
	CheckPass CheckStatus = "pass"
	CheckFail CheckStatus = "fail"
	CheckSkip CheckStatus = "skip"
)

// Check is one live check of a stored value against Globus.
type Check struct {
	Step   string // catalogue step ID; "" for the login
	Name   string // what was checked, e.g. "Service API credentials work"
	Status CheckStatus
	Detail string // pass: a short fact; fail: what is wrong; skip: why
	Hint   Advice // fail: what to do
	// Warn: a pass with something that still stops someone (e.g. a group
	// member outside AUTHORIZED_IDP_DOMAINS); it does not fail verify.
	Warn Advice
	// NoAnswer: failed because Globus could not be reached, which says
	// nothing about the stored values (RecordChecks leaves the step as is).
	NoAnswer bool
	// Why ends a skip's detail with what would let it run (a login).
	Why Advice
	// NeedsLogin: skipped only for want of the operator's login.
	NeedsLogin bool
}

// Line is the check as one line of a report, in the command line's words:
// "✓ Name (detail)", "✗ Name: detail — hint" or "- Name: skipped: detail".
func (c Check) Line() string { return c.LineIn(CLI) }

// LineIn is Line with the advice's actions named by n.
func (c Check) LineIn(n Namer) string {
	switch c.Status {
	case CheckPass:
		s := "✓ " + c.Name
		if c.Detail != "" {
			s += " (" + c.Detail + ")"
		}
		if !c.Warn.Empty() {
			s += " — warning: " + c.Warn.In(n)
		}
		return s
	case CheckFail:
		s := "✗ " + c.Name + ": " + c.Detail
		if !c.Hint.Empty() {
			s += " — " + c.Hint.In(n)
		}
		return s
	}
	if !c.Why.Empty() {
		return "- " + c.Name + ": skipped: " + c.Why.In(n)
	}
	return "- " + c.Name + ": skipped: " + c.Detail
}

// AnyFailed reports whether a check failed (skips do not count).
func AnyFailed(checks []Check) bool {
	return slices.ContainsFunc(checks, func(c Check) bool { return c.Status == CheckFail })
}

// verifier runs checks with what they share: the login, looked up once.
type verifier struct {
	e         *Env
	authTok   globus.Authorizer // operator's auth.globus.org token, nil if not logged in
	loginWhy  Advice            // why authTok is nil
	loginOnly bool              // authTok is nil only for want of a login
	loginErr  error             // a login problem other than not being logged in
	// loginDead: a login is stored but Globus no longer accepts it (it
	// ended it and would not renew it, or it expired with no way to renew).
	loginDead error
	checked   bool
	// down is the first call Globus did not answer: later checks are skipped
	// rather than each waiting out its own retries against a dead network.
	down error
	// refused is the first call Globus refused until the operator signs in
	// again (a GARE): VerifyAll then redrives (boost.go).
	refused error
}

// Format keeps the operator's token out of any fmt output.
func (vf verifier) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "verifier{loggedIn: %t, checked: %t}", vf.authTok != nil, vf.checked)
}

// noAnswer: the request got no answer (no network, refused, timeout, cancelled).
func noAnswer(err error) bool {
	var ne *globus.NetworkError
	return errors.As(err, &ne)
}

// failErr is failErr, noting a call Globus did not answer.
func (vf *verifier) failErr(step, name string, err error) Check {
	c := failErr(step, name, err)
	if req, _, ok := globus.RequirementsOf(err); ok {
		c.Hint = Say("Globus asks you to sign in again "+req.Describe(), redrive(vf.e, req, RedriveHint))
		if vf.refused == nil {
			vf.refused = err
		}
	}
	if noAnswer(err) {
		c.NoAnswer = true
		if vf.down == nil {
			vf.down = err
		}
	}
	return c
}

// unreachable is the skip of a check not tried because Globus did not answer
// an earlier one; ok is false while Globus answers.
func (vf *verifier) unreachable(step, name string) (Check, bool) {
	if vf.down == nil {
		return Check{}, false
	}
	return skip(step, name, "not checked: Globus could not be reached (see above)"), true
}

func (vf *verifier) login(ctx context.Context) {
	if vf.checked {
		return
	}
	vf.checked = true
	a, err := OperatorToken(ctx, vf.e, AuthResourceServer)
	switch {
	case err == nil:
		vf.authTok = a
	case errors.Is(err, ErrNotLoggedIn):
		vf.loginWhy, vf.loginOnly = Say("log in to check (", logIn(), ")"), true
		var p *Problem
		if errors.As(err, &p) && p.What != "" && p.What != ErrNotLoggedIn.Error() {
			vf.loginWhy = Say(p.What, ": log in again to check (", logIn(), ")")
		}
		if _, stored := LoggedIn(vf.e.Vault); stored {
			vf.loginDead = err // the login check says why
			vf.loginWhy = Say("Globus no longer accepts the stored login: log in again to check (", logIn(), ")")
		}
	default:
		vf.loginErr = err
		vf.loginWhy = Say("the login could not be used (" + err.Error() + ")")
		if noAnswer(err) && vf.down == nil {
			vf.down = err
		}
	}
}

func (vf *verifier) val(key string) string { return value(vf.e.Vault, key) }

// VerifyAll checks everything stored, live, one Check per fact, in the
// catalogue's order, after the operator's login. It never stops early.
//
// A check Globus refuses until the operator signs in again (MFA, a policy…)
// is asked about through e.Reauth and all checks run once more (Redrive);
// without e.Reauth its hint names the login command.
func VerifyAll(ctx context.Context, e *Env) []Check {
	if err := checkEnv(e); err != nil {
		return []Check{{Name: "Vault and Globus client", Status: CheckFail, Detail: err.Error()}}
	}
	out, err := verifyRedriven(ctx, e, func(ctx context.Context, vf *verifier) []Check {
		out := []Check{vf.loginCheck(ctx)}
		for _, s := range catalogue() {
			out = append(out, s.checks(vf, ctx)...)
		}
		return out
	})
	return withSignIn(out, e, err)
}

// VerifyStep runs the live checks of one step; a check Globus refuses until
// the operator signs in again is redriven as in VerifyAll.
func VerifyStep(ctx context.Context, e *Env, stepID string) []Check {
	out, err := verifyStep(ctx, e, stepID)
	return withSignIn(out, e, err)
}

func verifyStep(ctx context.Context, e *Env, stepID string) ([]Check, error) {
	if err := checkEnv(e); err != nil {
		return []Check{{Step: stepID, Name: "Vault and Globus client", Status: CheckFail, Detail: err.Error()}}, nil
	}
	return verifyRedriven(ctx, e, func(ctx context.Context, vf *verifier) []Check { return vf.step(ctx, stepID) })
}

// verifyRedriven runs checks with a fresh verifier and, when Globus refused
// one until the operator signs in again, has them sign in as asked
// (Redrive, through e.Reauth) and runs them all once more. err is
// Redrive's: the sign-in failed or was declined, or Globus still refuses.
func verifyRedriven(ctx context.Context, e *Env, checks func(context.Context, *verifier) []Check) ([]Check, error) {
	var out []Check
	err := Redrive(ctx, e, func(ctx context.Context) error {
		vf := &verifier{e: e}
		out = checks(ctx, vf)
		return vf.refused
	})
	return out, err
}

// withSignIn adds Redrive's error as a failed check. Without e.Reauth
// there is nobody to ask and the refused check's hint already names the
// login command.
func withSignIn(out []Check, e *Env, err error) []Check {
	if err != nil && e != nil && e.Reauth != nil {
		out = append(out, failErr("", signInCheckName, err))
	}
	return out
}

// signInCheckName names the check that fails when the sign-in Globus asked
// for did not happen or did not satisfy it.
const signInCheckName = "Sign in again as Globus asks"

// step runs a step's own checks (its module's).
func (vf *verifier) step(ctx context.Context, id string) []Check {
	s, ok := stepByID(id)
	if !ok {
		return []Check{fail(id, "Step "+id, "no such step", "")}
	}
	return s.checks(vf, ctx)
}

func pass(step, name, detail string) Check {
	return Check{Step: step, Name: name, Status: CheckPass, Detail: detail}
}

// skip is a check that could not run; why is what it waits for, as words
// and actions (Say).
func skip(step, name string, why ...any) Check {
	w := Say(why...)
	return Check{Step: step, Name: name, Status: CheckSkip, Detail: w.String(), Why: w}
}

// loginSkip is a check skipped for want of a usable login.
func (vf *verifier) loginSkip(step, name string) Check {
	c := skip(step, name, vf.loginWhy)
	c.NeedsLogin = vf.loginOnly
	return c
}

// fail is a failed check; hint is what to do, as words and actions (Say).
func fail(step, name, what string, hint ...any) Check {
	return Check{Step: step, Name: name, Status: CheckFail, Detail: what, Hint: Say(hint...)}
}

// failErr turns an error into a failed check, with its hint.
func failErr(step, name string, err error) Check {
	what := err.Error()
	var p *Problem
	if errors.As(err, &p) && p.What != "" {
		what = p.What
		if p.Err != nil {
			what += " (" + p.Err.Error() + ")"
		}
	}
	return fail(step, name, what, AdviceOf(err))
}

func notStored(step, name string, keys ...string) Check {
	return skip(step, name, strings.Join(keys, " and ")+" not stored yet")
}

// loginCheck proves the stored login works rather than that one is
// stored: one cheap call (userinfo), which renews a token Globus ended
// early through the renewing authorizer. A login Globus no longer accepts
// fails, and the checks that need it are skipped saying so.
func (vf *verifier) loginCheck(ctx context.Context) Check {
	const name = "Operator login"
	vf.login(ctx)
	info, _ := LoggedIn(vf.e.Vault)
	switch {
	case vf.authTok != nil:
		u, err := vf.e.Globus.UserInfo(ctx, vf.authTok)
		if err == nil {
			detail := "through client " + ShortID(info.ClientID)
			if who := sanitizeName(u.PreferredUsername); who != "" {
				detail = "as " + who + ", " + detail
			}
			return pass("", name, detail)
		}
		if !errors.Is(err, ErrNotLoggedIn) && !globus.IsStatus(err, http.StatusUnauthorized) {
			return vf.failErr("", name, err) // unreachable, a sign-in asked for, or a failure
		}
		vf.authTok, vf.loginDead, vf.loginOnly = nil, err, true
		vf.loginWhy = Say("Globus no longer accepts the stored login: log in again to check (", logIn(), ")")
	case vf.loginErr != nil:
		return vf.failErr("", name, vf.loginErr)
	case vf.loginDead == nil:
		return skip("", name, "not logged in; ", logIn(), " lets verify check the project, the public client and the policy")
	}
	what := "Globus no longer accepts the stored login (through client " + ShortID(info.ClientID) + ")"
	var p *Problem
	if errors.As(vf.loginDead, &p) && p.What != "" && p.What != ErrNotLoggedIn.Error() {
		what += ": " + p.What
	}
	return fail("", name, what, "log in again: ", run(logIn()), "; until then the checks that need it are skipped")
}

// credsCheck proves an app's ID/secret pair with a client-credentials grant.
func (vf *verifier) credsCheck(ctx context.Context, k appKind) (globus.Credentials, Check, bool) {
	step, name := k.step, k.name+" credentials work"
	cred, err := storedCredentials(vf.e.Vault, k)
	if miss := missingCreds(vf.e.Vault, k); len(miss) == 1 {
		// Half a pair is a setup broken, not one not begun: named exactly.
		return cred, fail(step, name, miss[0]+" is not stored (the app's other half is)", missingCredsHint(k, miss[0])), false
	} else if err != nil {
		return cred, skip(step, name, step+".client_id and client_secret not stored yet"), false
	}
	if c, ok := vf.unreachable(step, name); ok {
		return cred, c, false
	}
	if _, err := vf.e.Globus.ClientCredentialsToken(ctx, cred, globus.OpenIDScope); err != nil {
		return cred, vf.failErr(step, name, credsProblem("the client-credentials grant failed", k, err)), false
	}
	return cred, pass(step, name, "client "+ShortID(cred.ID)), true
}

// RecordChecks marks each step whose checks all passed as verified, and a
// verified step with a failed check back to done with a note. Steps with
// skipped checks keep their state.
func RecordChecks(e *Env, checks []Check) error {
	by := map[string][]Check{}
	var order []string
	for _, c := range checks {
		if c.Step == "" {
			continue
		}
		if _, ok := by[c.Step]; !ok {
			order = append(order, c.Step)
		}
		by[c.Step] = append(by[c.Step], c)
	}
	doc := e.Vault.Doc()
	for _, id := range order {
		cs := by[id]
		st, _ := stateOf(doc, id)
		var err error
		// A check Globus did not answer judged nothing: it neither keeps
		// nor takes away a step's verified state.
		judged := slices.ContainsFunc(cs, func(c Check) bool { return c.Status == CheckFail && !c.NoAnswer })
		switch {
		case judged:
			if st == StateVerified {
				var names []string
				for _, c := range cs {
					if c.Status == CheckFail && !c.NoAnswer {
						names = append(names, c.Name)
					}
				}
				err = MarkState(e.Vault, id, StateDone, "verification failed: "+strings.Join(names, "; "))
			}
		case !slices.ContainsFunc(cs, func(c Check) bool { return c.Status != CheckPass }):
			if st != StateVerified {
				err = MarkState(e.Vault, id, StateVerified, "")
			}
		}
		if err != nil {
			return err
		}
	}
	return recordDomainsRead(e, checks)
}

// recordDomainsRead: the gateway's start-up check passing read the policy
// as the Service Account and found the stored domains equal to it, which
// is as good a read as the operator's (it is the gateway's own), so the
// domains count as read from the policy (DomainsRead) until changed.
func recordDomainsRead(e *Env, checks []Check) error {
	if !slices.ContainsFunc(checks, func(c Check) bool {
		return c.Step == policyID && c.Name == GatewayStartName && c.Status == CheckPass
	}) {
		return nil
	}
	doc := e.Vault.Doc()
	id := trimmed(doc, "policy.id")
	if id == "" || SourceOf(doc, "policy.domains") == policySource(id) {
		return nil
	}
	return e.Vault.Update(func(d *vault.Doc) error {
		initDoc(d)
		d.Internal[sourcePrefix+"policy.domains"] = policySource(id)
		return nil
	})
}

// verifyReport is a catalogue step's Verify: its live checks as report
// lines, with the step marked verified when every check passed.
func verifyReport(ctx context.Context, e *Env, stepID string) (Report, error) {
	if err := checkEnv(e); err != nil {
		return Report{}, err
	}
	checks, err := verifyStep(ctx, e, stepID)
	if errors.Is(err, context.Canceled) {
		// The operator declined the sign-in Globus asked for (or the
		// check was cancelled): it judged nothing, so nothing is recorded.
		return Report{}, err
	}
	checks = withSignIn(checks, e, err)
	rep := Report{OK: !AnyFailed(checks), in: func(n Namer) []string {
		out := make([]string, len(checks))
		for i, c := range checks {
			out[i] = c.LineIn(n)
		}
		return out
	}}
	rep.Lines = rep.in(CLI)
	return rep, RecordChecks(e, checks)
}

// missingCreds names which of an app's client ID and secret are not stored.
func missingCreds(v *vault.Vault, k appKind) []string {
	var miss []string
	for _, key := range []string{k.step + ".client_id", k.step + ".client_secret"} {
		if value(v, key) == "" {
			miss = append(miss, key)
		}
	}
	return miss
}

// missingCredsHint is how to store key, one of k's ID and secret: a lost
// secret is made anew by rotate, from the app's ID alone.
func missingCredsHint(k appKind, key string) Advice {
	if strings.HasSuffix(key, ".client_secret") {
		return Say("store it with ", setKey(key), ", or make a new one with ", rotateCmd(k.step))
	}
	return Say("store it with ", setKey(key))
}
