package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
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
	Hint   string // fail: what to do
	// Warn: a pass with something that still stops someone (e.g. a group
	// member outside AUTHORIZED_IDP_DOMAINS); it does not fail verify.
	Warn string
	// NoAnswer: failed because Globus could not be reached, which says
	// nothing about the stored values (RecordChecks leaves the step as is).
	NoAnswer bool
}

// Line is the check as one line of a report:
// "✓ Name (detail)", "✗ Name: detail — hint" or "- Name: skipped: detail".
func (c Check) Line() string {
	switch c.Status {
	case CheckPass:
		s := "✓ " + c.Name
		if c.Detail != "" {
			s += " (" + c.Detail + ")"
		}
		if c.Warn != "" {
			s += " — warning: " + c.Warn
		}
		return s
	case CheckFail:
		s := "✗ " + c.Name + ": " + c.Detail
		if c.Hint != "" {
			s += " — " + c.Hint
		}
		return s
	}
	return "- " + c.Name + ": skipped: " + c.Detail
}

// AnyFailed reports whether a check failed (skips do not count).
func AnyFailed(checks []Check) bool {
	return slices.ContainsFunc(checks, func(c Check) bool { return c.Status == CheckFail })
}

// verifier runs checks with what they share: the login, looked up once.
type verifier struct {
	e        *Env
	authTok  globus.Authorizer // operator's auth.globus.org token, nil if not logged in
	loginWhy string            // why authTok is nil
	loginErr error             // a login problem other than not being logged in
	checked  bool
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
		c.Hint = "Globus asks you to sign in again " + req.Describe() + ": run `" + LoginCommand(vf.e, req) + "`"
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
		vf.loginWhy = "log in to check (`globus-setup login`)"
		var p *Problem
		if errors.As(err, &p) && p.What != "" {
			vf.loginWhy = p.What + ": log in again to check (`globus-setup login`)"
		}
	default:
		vf.loginErr = err
		vf.loginWhy = "the login could not be used (" + err.Error() + ")"
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
		for _, s := range Catalogue() {
			out = append(out, vf.step(ctx, s.ID)...)
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

func (vf *verifier) step(ctx context.Context, id string) []Check {
	switch id {
	case "project":
		return []Check{vf.project(ctx)}
	case "service_api":
		return vf.serviceAPI(ctx)
	case "service_account":
		return vf.serviceAccount(ctx)
	case "public_client":
		return []Check{vf.publicClient(ctx)}
	case "policy":
		return []Check{vf.policy(ctx), vf.gatewayStart(ctx)}
	case "groups":
		return vf.groups(ctx)
	}
	return nil
}

func pass(step, name, detail string) Check {
	return Check{Step: step, Name: name, Status: CheckPass, Detail: detail}
}

func skip(step, name, why string) Check {
	return Check{Step: step, Name: name, Status: CheckSkip, Detail: why}
}

func fail(step, name, what, hint string) Check {
	return Check{Step: step, Name: name, Status: CheckFail, Detail: what, Hint: hint}
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
	return fail(step, name, what, globus.Hint(err))
}

func notStored(step, name string, keys ...string) Check {
	return skip(step, name, strings.Join(keys, " and ")+" not stored yet")
}

func (vf *verifier) loginCheck(ctx context.Context) Check {
	const name = "Operator login"
	vf.login(ctx)
	switch {
	case vf.authTok != nil:
		info, _ := LoggedIn(vf.e.Vault)
		return pass("", name, "through client "+ShortID(info.ClientID))
	case vf.loginErr != nil:
		return vf.failErr("", name, vf.loginErr)
	}
	return skip("", name, "not logged in; `globus-setup login` lets verify check the project, the public client and the policy")
}

func (vf *verifier) project(ctx context.Context) Check {
	const name = "Project exists"
	id := vf.val("project.id")
	if id == "" {
		return notStored("project", name, "project.id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return skip("project", name, vf.loginWhy)
	}
	if c, ok := vf.unreachable("project", name); ok {
		return c
	}
	ps, err := vf.e.Globus.ListProjects(ctx, vf.authTok)
	if err != nil {
		return vf.failErr("project", name, problem("listing your projects", err))
	}
	for _, p := range ps {
		if strings.EqualFold(p.ID, id) {
			return pass("project", name, fmt.Sprintf("%q, %s", p.DisplayName, ShortID(p.ID)))
		}
	}
	return fail("project", name, "project "+id+" is not among the projects you administer",
		"check project.id, or log in as one of the project's admins")
}

// credsCheck proves an ID/secret pair with a client-credentials grant.
func (vf *verifier) credsCheck(ctx context.Context, step, label string) (globus.Credentials, Check, bool) {
	name := label + " credentials work"
	cred, err := storedCredentials(vf.e.Vault, step, label)
	if err != nil {
		return cred, skip(step, name, step+".client_id and client_secret not stored yet"), false
	}
	if c, ok := vf.unreachable(step, name); ok {
		return cred, c, false
	}
	if _, err := vf.e.Globus.ClientCredentialsToken(ctx, cred, globus.OpenIDScope); err != nil {
		return cred, vf.failErr(step, name, credsProblem("the client-credentials grant failed", label, step, err)), false
	}
	return cred, pass(step, name, "client "+ShortID(cred.ID)), true
}

func (vf *verifier) serviceAPI(ctx context.Context) []Check {
	const step = "service_api"
	const typeName = "Service API app is a confidential client"
	cred, c, ok := vf.credsCheck(ctx, step, "Service API")
	out := []Check{c}
	if !ok {
		if c.Status == CheckFail && !c.NoAnswer {
			out = append(out, skip(step, typeName, "the credentials do not work"),
				skip(step, scopeCheckName, "the credentials do not work"))
		}
		return out
	}
	cl, err := vf.e.Globus.GetClient(ctx, globus.Basic(cred), cred.ID)
	switch {
	case err != nil:
		out = append(out, vf.failErr(step, typeName, problem("reading the app", err)))
	case cl.PublicClient || cl.ClientType == globus.ClientTypePublicThick:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a public client ("+cl.ClientType+")",
			"store the Service API app's ID and secret (a confidential client registered as a service API)"))
	case cl.ClientType == globus.ClientTypeServiceAccount:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a service account (client_identity), which cannot own the gateway's scope",
			"the Service API and Service Account IDs may be swapped: check `globus-setup get service_api.client_id` against the console"))
	case !slices.Contains([]string{globus.ClientTypeConfidential, globus.ClientTypeResourceServer, globus.ClientTypeHybrid, ""}, cl.ClientType):
		out = append(out, fail(step, typeName, "client "+cred.ID+" has the unexpected type "+cl.ClientType,
			"register the Service API app as the guide says (a service API, i.e. a confidential client)"))
	case vf.val("project.id") != "" && cl.Project != "" && !strings.EqualFold(cl.Project, vf.val("project.id")):
		out = append(out, fail(step, typeName, "the app belongs to project "+cl.Project+", not the stored project "+vf.val("project.id"),
			"check project.id and service_api.client_id"))
	default:
		t := cl.ClientType
		if t == "" {
			t = "confidential"
		}
		out = append(out, pass(step, typeName, t))
	}
	return append(out, vf.scope(ctx, cred))
}

const scopeCheckName = "action_all scope has the Groups dependent scope"

func (vf *verifier) scope(ctx context.Context, cred globus.Credentials) Check {
	const step, name = "service_api", scopeCheckName
	id := vf.val("service_api.scope_id")
	if id == "" {
		return fail(step, name, "no action_all scope is stored", "run `globus-setup scope create`")
	}
	sc, err := vf.e.Globus.GetScope(ctx, globus.Basic(cred), id)
	if err != nil {
		if globus.IsStatus(err, http.StatusNotFound) {
			return fail(step, name, "the stored scope "+id+" does not exist", "run `globus-setup scope create` to find or create it again")
		}
		return vf.failErr(step, name, problem("reading the scope", err))
	}
	if err := CheckActionAllScope(*sc, cred.ID); err != nil {
		return failErr(step, name, err)
	}
	if s := vf.val("service_api.scope_string"); s != "" && s != sc.ScopeString {
		return fail(step, name, "the stored scope string differs from Globus's ("+sc.ScopeString+")", "run `globus-setup scope create` to store it again")
	}
	return pass(step, name, strings.Join(append([]string{sc.ScopeString}, ActionAllScopeNotes(*sc)...), "; "))
}

func (vf *verifier) serviceAccount(ctx context.Context) []Check {
	const step = "service_account"
	const typeName = "Service Account app is a service account"
	cred, c, ok := vf.credsCheck(ctx, step, "Service Account")
	out := []Check{c}
	if !ok {
		if c.Status == CheckFail && !c.NoAnswer {
			out = append(out, skip(step, typeName, "the credentials do not work"))
		}
		return out
	}
	if strings.EqualFold(cred.ID, vf.val("service_api.client_id")) {
		return append(out, fail(step, typeName, "it is the same app as the Service API",
			"register a separate service account app (step 3) and store its ID and secret"))
	}
	cl, err := vf.e.Globus.GetClient(ctx, globus.Basic(cred), cred.ID)
	switch {
	case err != nil:
		out = append(out, vf.failErr(step, typeName, problem("reading the app", err)))
	case vf.val("project.id") != "" && cl.Project != "" && !strings.EqualFold(cl.Project, vf.val("project.id")):
		// The gateway reads the policy as this app (inference_gateway/apps.py),
		// and a project's policies are read by its own apps.
		out = append(out, fail(step, typeName, "the app belongs to project "+cl.Project+", not the stored project "+vf.val("project.id")+", so it could not read the project's policy at the gateway's start",
			"register the Service Account app in the stored project (step 1's), or check project.id and service_account.client_id"))
	case cl.ClientType == globus.ClientTypeServiceAccount:
		out = append(out, pass(step, typeName, cl.ClientType))
	case cl.PublicClient || cl.ClientType == globus.ClientTypePublicThick:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a public client", "store the service account app's ID and secret"))
	default:
		// Any confidential client can get its own tokens, which is all the
		// gateway asks of it; say so rather than fail.
		out = append(out, pass(step, typeName, cl.ClientType+", not client_identity as the guide registers it, but it works"))
	}
	return out
}

func (vf *verifier) publicClient(ctx context.Context) Check {
	const step, name = "public_client", "Public client exists and is public"
	id := vf.val("public_client.client_id")
	if id == "" {
		return notStored(step, name, "public_client.client_id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return skip(step, name, vf.loginWhy)
	}
	if c, ok := vf.unreachable(step, name); ok {
		return c
	}
	cl, err := vf.e.Globus.GetClient(ctx, vf.authTok, id)
	switch {
	case globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden):
		return fail(step, name, "client "+id+" is not an app of a project you administer",
			"check public_client.client_id against the developers console")
	case err != nil:
		return vf.failErr(step, name, problem("reading the public client", err))
	case !cl.PublicClient:
		return fail(step, name, "client "+id+" is not public ("+cl.ClientType+"): users' token helpers cannot use it",
			"register a thick client (\"Register a thick client or script that will be installed and run by users on their devices\") and store its ID")
	}
	return pass(step, name, cl.ClientType+", "+ShortID(cl.ID))
}

func (vf *verifier) policy(ctx context.Context) Check {
	const step, name = "policy", "Policy is high assurance with the stored domains"
	id := vf.val("policy.id")
	if id == "" {
		return notStored(step, name, "policy.id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return skip(step, name, vf.loginWhy)
	}
	if c, ok := vf.unreachable(step, name); ok {
		return c
	}
	p, err := vf.e.Globus.GetPolicy(ctx, vf.authTok, id)
	if globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden) {
		return fail(step, name, "policy "+id+" is not a policy of a project you administer", "check policy.id against the developers console")
	}
	if err != nil {
		return vf.failErr(step, name, problem("reading the policy", err))
	}
	var wrong []string
	hint := "edit the policy in the developers console (or store what it holds with `globus-setup set policy.domains`); the gateway's AUTHORIZED_IDP_DOMAINS must match it"
	if !p.HighAssurance {
		wrong = append(wrong, "it is not high assurance")
	}
	// Exactly, case included, as the gateway compares them at start-up.
	if msg, fix := domainsMismatch(policyDomains(p), SplitList(vf.val("policy.domains")), "policy.domains"); msg != "" {
		wrong = append(wrong, msg)
		hint = fix + "; the gateway's AUTHORIZED_IDP_DOMAINS (policy.domains) must equal them"
	}
	if t := vf.val("policy.assurance_timeout"); t != "" && t != strconv.Itoa(p.AuthenticationAssuranceTimeout) {
		wrong = append(wrong, fmt.Sprintf("its assurance timeout is %ds, the stored one %ss", p.AuthenticationAssuranceTimeout, t))
	}
	if pid := vf.val("project.id"); pid != "" && p.ProjectID != "" && !strings.EqualFold(pid, p.ProjectID) {
		wrong = append(wrong, "it belongs to project "+p.ProjectID+", not the stored project")
	}
	if len(wrong) > 0 {
		return fail(step, name, strings.Join(wrong, "; "), hint)
	}
	return pass(step, name, strings.Join(p.DomainConstraintsInclude, " "))
}

// gatewayStart is GatewayStartCheck, skipped once Globus stopped answering.
func (vf *verifier) gatewayStart(ctx context.Context) Check {
	if c, ok := vf.unreachable("policy", GatewayStartName); ok {
		return c
	}
	c := GatewayStartCheck(ctx, vf.e)
	if c.NoAnswer && vf.down == nil {
		vf.down = errors.New(c.Detail)
	}
	return c
}

func lowerSet(items []string) []string {
	var out []string
	for _, s := range items {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

func (vf *verifier) groups(ctx context.Context) []Check {
	const step = "groups"
	names := GroupNames(vf.e.Vault.Doc().Values)
	if len(names) == 0 {
		return []Check{skip(step, "Groups", "no group stored (groups are optional)")}
	}
	var readers []*groupCaller
	var why []string
	vf.login(ctx)
	if vf.authTok != nil && vf.down == nil {
		if gc, err := newGroupCaller(ctx, vf.e, false); err == nil {
			readers = append(readers, gc)
		} else {
			why = append(why, err.Error())
		}
	}
	if _, err := ServiceAPICredentials(vf.e.Vault); err == nil && vf.down == nil {
		if gc, err := newGroupCaller(ctx, vf.e, true); err == nil {
			readers = append(readers, gc)
		} else {
			why = append(why, err.Error())
		}
	}
	var out []Check
	for _, n := range names {
		name := "Group " + n + " exists and holds its members"
		id := vf.val("groups." + n + ".id")
		if id == "" {
			out = append(out, fail(step, name, "it is not created yet", "run `globus-setup group create "+n+"`"))
			continue
		}
		if c, ok := vf.unreachable(step, name); ok {
			out = append(out, c)
			continue
		}
		if len(readers) == 0 {
			reason := "log in, or store the Service API credentials, to check"
			if len(why) > 0 {
				reason = strings.Join(why, "; ")
			}
			out = append(out, skip(step, name, reason))
			continue
		}
		out = append(out, vf.group(ctx, readers, n, id, name))
	}
	return out
}

// group reads a group as each reader in turn (the operator, then the Service
// API app), since either may own it.
func (vf *verifier) group(ctx context.Context, readers []*groupCaller, n, id, name string) Check {
	const step = "groups"
	var g *globus.Group
	var err, forbidden error
	for _, gc := range readers {
		g, err = vf.e.Globus.GetGroup(ctx, gc.groups, id, true)
		if globus.IsStatus(err, http.StatusForbidden) && !gc.asClient {
			forbidden = err // the operator's 403 says more than the app's 404
		}
		if err == nil || !(globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden)) {
			break
		}
	}
	if forbidden != nil && err != nil && globus.IsStatus(err, http.StatusNotFound) {
		err = forbidden
	}
	hidden := globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden)
	switch {
	case hidden && !slices.ContainsFunc(readers, func(gc *groupCaller) bool { return !gc.asClient }):
		// Groups are private by default: the operator's group is invisible
		// to the app, which proves nothing without the operator's login.
		return skip(step, name, "the Service API app cannot see group "+id+"; log in to check (`globus-setup login`)")
	case globus.IsStatus(err, http.StatusForbidden):
		return fail(step, name, "you cannot see or manage group "+id+" (Globus Groups answered 403)",
			"ask one of the group's admins to make you a manager or admin, or log in as its owner to check it")
	case hidden:
		return fail(step, name, "group "+id+" does not exist or neither you nor the Service API app can see it",
			"check groups."+n+".id; log in as the group's owner to check it")
	case err != nil:
		return vf.failErr(step, name, problem("reading the group", err))
	}
	have := map[string]bool{}
	for _, m := range g.Memberships {
		if m.Status == "active" {
			have[strings.ToLower(m.IdentityID)] = true
			if m.Username != "" {
				have[strings.ToLower(m.Username)] = true
			}
		}
	}
	want := SplitList(vf.val("groups." + n + ".members"))
	var missing []string
	for _, u := range want {
		if !have[strings.ToLower(u)] {
			missing = append(missing, u)
		}
	}
	// Named as the operator knows it (its display name), not by its key.
	name = fmt.Sprintf("Group %q exists and holds its members", g.Name)
	if len(missing) > 0 {
		return fail(step, name, "it lacks "+strings.Join(missing, ", "),
			"run `globus-setup group add "+n+" "+strings.Join(missing, " ")+"`")
	}
	c := pass(step, name, fmt.Sprintf("%d stored member(s)", len(want)))
	c.Warn = vf.outsideDomains(g, want)
	return c
}

// outsideDomains names the stored members of g who can never get in: the
// gateway admits a user only if their identity's username domain is in
// AUTHORIZED_IDP_DOMAINS, compared exactly (as the proof's domain check),
// and the policy asks for the same domains. "" when all can.
func (vf *verifier) outsideDomains(g *globus.Group, want []string) string {
	domains := gatewayItems(vf.e.Vault.Doc(), "AUTHORIZED_IDP_DOMAINS")
	if len(domains) == 0 {
		return ""
	}
	stored := map[string]bool{}
	for _, u := range want {
		stored[strings.ToLower(u)] = true
	}
	var out []string
	for _, m := range g.Memberships {
		if m.Username == "" || !(stored[strings.ToLower(m.Username)] || stored[strings.ToLower(m.IdentityID)]) {
			continue
		}
		d, ok := usernameDomain(m.Username)
		switch {
		case !ok:
			out = append(out, m.Username+" (no domain)")
		case slices.Contains(domains, d):
		case slices.ContainsFunc(domains, func(x string) bool { return strings.EqualFold(x, d) }):
			out = append(out, m.Username+" ("+d+" differs in case, and the gateway compares exactly)")
		default:
			out = append(out, m.Username+" ("+d+")")
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "the gateway will refuse " + strings.Join(out, ", ") + ": not from AUTHORIZED_IDP_DOMAINS (" + strings.Join(domains, " ") +
		"); they must log in with an identity from those domains, or add their domain to the policy on the console and store it as the policy holds it with `globus-setup set policy.domains`"
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
	return nil
}

// verifyFunc is a catalogue step's Verify: its live checks as report lines,
// with the step marked verified when every check passed.
func verifyFunc(stepID string) func(ctx context.Context, e *Env) (Report, error) {
	return func(ctx context.Context, e *Env) (Report, error) {
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
		rep := Report{OK: !AnyFailed(checks)}
		for _, c := range checks {
			rep.Lines = append(rep.Lines, c.Line())
		}
		return rep, RecordChecks(e, checks)
	}
}
