package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// proofStep is the Step of every Check a proof makes.
const proofStep = "proof"

// Names of the proof's checks, in the order the inference gateway makes them
// (FIRST's GlobusAuthService: introspect, dependent token and group list,
// then session_info domain, then policies, then groups).
const (
	proofActive      = "Token is active"
	proofScope       = "Token carries the gateway's scope"
	proofGroupsToken = "Groups token on the user's behalf"
	proofDomain      = "Identity provider domain is authorised"
	proofPolicies    = "Authentication policies pass"
	proofGroups      = "Member of an allowed group"
)

var proofOrder = []string{proofActive, proofScope, proofGroupsToken, proofDomain, proofPolicies, proofGroups}

// Proof is what the gateway would decide about one user's token.
type Proof struct {
	Username string  // the test user, from introspection ("" if the token was inactive)
	Checks   []Check // Step "proof"; one per admission check, in the gateway's order
	Admitted bool    // every check passed
	// Revoked says what became of the test user's tokens once the proof
	// ended, the Groups token it got on their behalf included ("" when
	// there were none).
	Revoked string
}

// Lines is a verdict line, then one line per check.
func (p Proof) Lines() []string {
	who := p.Username
	if who == "" {
		who = "The test user"
	}
	verdict := who + " would be admitted"
	if !p.Admitted {
		verdict = who + " would be refused"
		for _, c := range p.Checks {
			if c.Status == CheckFail {
				verdict += ": " + c.Detail
				break
			}
		}
	}
	out := []string{verdict}
	for _, c := range p.Checks {
		out = append(out, c.Line())
	}
	if p.Revoked != "" {
		out = append(out, p.Revoked)
	}
	return out
}

// proofNeed is a stored value a proof cannot do without, and how to get it.
type proofNeed struct {
	key string
	how Advice
}

var (
	needPublicClient = proofNeed{"public_client.client_id", Say("register the public client (step 4) and store its ID with ", setKey("public_client.client_id"))}
	needAPIID        = proofNeed{"service_api.client_id", Say("store the Service API app's ID with ", setKey("service_api.client_id"))}
	needAPISecret    = proofNeed{"service_api.client_secret", Say("store a Service API client secret with ", setKey("service_api.client_secret"))}
	needScope        = proofNeed{"service_api.scope_string", Say("create the action_all scope with ", checkStep(serviceAPIID))}
)

// proofMissing is a Problem naming every value still missing, or nil.
func proofMissing(v *vault.Vault, needs ...proofNeed) error {
	var keys []string
	var hows []any
	for _, n := range needs {
		if value(v, n.key) == "" {
			if len(keys) > 0 {
				hows = append(hows, "; ")
			}
			keys = append(keys, n.key)
			hows = append(hows, n.how)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return &Problem{
		What: "cannot prove a user gets in yet: " + strings.Join(keys, ", ") + " not stored",
		Do:   Say(hows...),
	}
}

// StartProof starts the test user's PKCE login through the stored public client,
// asking only for service_api.scope_string (the gateway's action_all scope), as the
// gateway's users do: their helper (alcf_ai/src/alcf_ai/auth.py) asks for refresh
// tokens and sends session_required_policies=<the gateway's policy>, so a policy
// that demands a fresh login is met the way users meet it. Every token the login
// gives is revoked when the proof ends (ProveLogin). A *Problem names any value
// still missing.
func StartProof(e *Env) (*globus.LoginFlow, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	if err := proofMissing(e.Vault, needPublicClient, needAPIID, needAPISecret, needScope); err != nil {
		return nil, err
	}
	return e.Globus.StartUserLogin(value(e.Vault, "public_client.client_id"), []string{value(e.Vault, "service_api.scope_string")},
		gatewayItems(e.Vault.Doc(), "GLOBUS_POLICIES"))
}

// ProveLogin exchanges the pasted code (tokens stay in memory, never stored or
// printed) and runs ProveToken with the token for the Service API's resource server.
func ProveLogin(ctx context.Context, e *Env, flow *globus.LoginFlow, pasted string) (Proof, error) {
	if err := checkEnv(e); err != nil {
		return Proof{}, err
	}
	if flow == nil {
		return Proof{}, errors.New("no proof login in progress: start it again")
	}
	ts, err := e.Globus.ExchangeCode(ctx, flow, pasted)
	if err != nil {
		if p := badCodeProblem(err, "the test user's login", Say("start the proof again (", command("verify", "--as-user"), ", or p on Finish)").String()); p != nil {
			return Proof{}, p
		}
		var ge *globus.Error
		if errors.As(err, &ge) && (strings.EqualFold(ge.OAuthError, "invalid_client") || ge.Status == http.StatusUnauthorized) {
			return Proof{}, &Problem{What: "Globus refused the test user's login through client " + flow.ClientID, Err: err,
				Do: Say("check public_client.client_id: it must be a public (thick, native) client's ID")}
		}
		return Proof{}, problem("exchanging the test user's login code", err)
	}
	p, err := proveTokens(ctx, e, ts)
	if rev := revokeAll(ctx, e.Globus, flow.ClientID, ts); err == nil {
		p.Revoked = strings.TrimSpace(rev + " " + p.Revoked)
	}
	return p, err
}

// revokeAll revokes every access and refresh token of ts at Globus (POST
// /v2/oauth2/token/revoke), even after ctx is cancelled, and says what
// happened in one line; it never prints a token.
func revokeAll(ctx context.Context, g *globus.Client, clientID string, ts globus.TokenSet) string {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n, failed := 0, 0
	var first error
	for _, t := range ts {
		for _, tok := range []string{t.RefreshToken, t.AccessToken} {
			if tok == "" {
				continue
			}
			n++
			if err := g.RevokeToken(rctx, clientID, tok); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
	}
	switch {
	case n == 0:
		return ""
	case failed == 0:
		return fmt.Sprintf("The test user's %d token(s) were revoked at Globus.", n)
	}
	return fmt.Sprintf("Could not revoke %d of the test user's %d token(s) at Globus (%v): they were never stored and expire on their own; the user can also revoke them from the Globus web app (Settings, Consents).", failed, n, first)
}

// proveTokens runs ProveToken with the login's token for the Service API's
// resource server.
func proveTokens(ctx context.Context, e *Env, ts globus.TokenSet) (Proof, error) {
	apiID := value(e.Vault, "service_api.client_id")
	scope := value(e.Vault, "service_api.scope_string")
	tok, ok := ts[apiID]
	if !ok {
		// Resource servers are named by client ID; fall back on the scope in
		// case Globus spells the resource server otherwise.
		for _, t := range ts {
			if slices.Contains(strings.Fields(t.Scope), scope) {
				tok, ok = t, true
				break
			}
		}
	}
	if !ok || tok.AccessToken == "" {
		rs := make([]string, 0, len(ts))
		for k := range ts {
			rs = append(rs, k)
		}
		sort.Strings(rs)
		return Proof{}, &Problem{
			What: "the test user's login gave no token for the Service API app " + apiID + " (tokens came for: " + orNone(rs) + ")",
			Do:   Say("check that service_api.scope_string (", scope, ") is the action_all scope of service_api.client_id (", verifyAll(), "), then prove again"),
		}
	}
	return ProveToken(ctx, e, tok.AccessToken)
}

// ProveToken runs the gateway's admission checks on a user's access token with the
// stored Service API credentials. An error means the proof could not run (no network,
// bad service credentials); a refusal is a failed Check, not an error.
func ProveToken(ctx context.Context, e *Env, accessToken string) (Proof, error) {
	if err := checkEnv(e); err != nil {
		return Proof{}, err
	}
	if err := proofMissing(e.Vault, needAPIID, needAPISecret, needScope); err != nil {
		return Proof{}, err
	}
	if strings.TrimSpace(accessToken) == "" {
		return Proof{}, errors.New("no access token to prove: log the test user in first")
	}
	cred, err := ServiceAPICredentials(e.Vault)
	if err != nil {
		return Proof{}, err
	}
	doc := e.Vault.Doc()
	pr := &prover{
		e: e, cred: cred, scope: value(e.Vault, "service_api.scope_string"),
		policies:   gatewayItems(doc, "GLOBUS_POLICIES"),
		domains:    gatewayItems(doc, "AUTHORIZED_IDP_DOMAINS"),
		groups:     gatewayItems(doc, "GLOBUS_GROUPS"),
		groupNames: map[string]string{},
	}
	for _, n := range GroupNames(doc.Values) {
		if id := doc.Values["groups."+n+".id"]; id != "" {
			pr.groupNames[id] = n
		}
	}
	p, err := pr.run(ctx, accessToken)
	p.Revoked = pr.dependentRevoked
	return p, err
}

// revokeDependent revokes the tokens the proof got on the user's behalf
// (the Groups token), as the Service API app they were issued to: a
// confidential client authenticates its revocation with HTTP Basic
// (globus.Client.RevokeTokenAs). Done even after ctx is cancelled.
func (pr *prover) revokeDependent(ctx context.Context, deps []globus.Token) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n, failed := 0, 0
	var first error
	for _, t := range deps {
		for _, tok := range []string{t.RefreshToken, t.AccessToken} {
			if tok == "" {
				continue
			}
			n++
			if err := pr.e.Globus.RevokeTokenAs(rctx, pr.cred, tok); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
	}
	switch {
	case n == 0:
	case failed == 0:
		pr.dependentRevoked = "The Groups token the proof got on the test user's behalf was revoked at Globus, as the Service API app."
	default:
		pr.dependentRevoked = fmt.Sprintf("Could not revoke %d of the %d token(s) the proof got on the test user's behalf at Globus (%v): they were never stored and expire on their own.", failed, n, first)
	}
}

// gatewayItems is a gateway variable's items exactly as an export writes them.
func gatewayItems(doc vault.Doc, name string) []string {
	for _, g := range gatewayVars() {
		if g.name == name {
			return g.values(doc)
		}
	}
	return nil
}

// prover holds what the checks share. It never holds a token: those stay in
// run's local variables.
type prover struct {
	e                         *Env
	cred                      globus.Credentials
	scope                     string
	policies, domains, groups []string
	groupNames                map[string]string // group ID → its name in the vault
	user                      string
	dependentRevoked          string // what revokeDependent did, in a sentence
}

// Format keeps the Service API secret out of any fmt output.
func (pr prover) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "prover{user: %s, policies: %d, groups: %d}", pr.user, len(pr.policies), len(pr.groups))
}

func (pr *prover) run(ctx context.Context, accessToken string) (Proof, error) {
	var p Proof
	in, err := pr.e.Globus.Introspect(ctx, pr.cred, accessToken, []string{"session_info", "identity_set_detail"}, pr.policies)
	if err != nil {
		if !refused(err) {
			return Proof{}, pr.cannotRun("introspecting the test user's token", err)
		}
		// The gateway makes this very call for every request: Globus
		// refusing it refuses every user.
		hint := globus.Hint(err)
		if len(pr.policies) > 0 {
			hint = Say("check policy.id (GLOBUS_POLICIES): each must be a policy Globus knows in this environment (", verifyAll(), " checks it)").String()
		}
		p.Checks = append(p.Checks, fail(proofStep, proofActive, "Globus refused to introspect the token: "+err.Error(), hint))
		return pr.finish(p, 1, "not checked: the gateway stops when introspection fails"), nil
	}
	if !in.Active {
		p.Checks = append(p.Checks, fail(proofStep, proofActive,
			"the token is not active: it has expired, was revoked, or was not issued for the Service API app "+ShortID(pr.cred.ID),
			Say("start the proof again and log in afresh; if it keeps happening, check that service_api.scope_string belongs to service_api.client_id (", verifyAll(), ")")))
		return pr.finish(p, 1, "not checked: the gateway refuses an inactive token before anything else"), nil
	}
	pr.user = in.Username
	p.Username = in.Username
	if in.Exp > 0 && in.Exp <= time.Now().Unix() {
		p.Checks = append(p.Checks, fail(proofStep, proofActive, pr.who()+"'s token has expired", "start the proof again and log in afresh"))
		return pr.finish(p, 1, "not checked: the gateway refuses an expired token before anything else"), nil
	}
	p.Checks = append(p.Checks, pass(proofStep, proofActive, "for "+pr.who()))
	scopeOK := slices.Contains(strings.Fields(in.Scope), pr.scope)
	p.Checks = append(p.Checks, pr.scopeCheck(in.Scope, scopeOK))

	// The gateway gets the Groups token and the user's groups before it
	// judges anything else; either failing refuses the request.
	var groupsToken string
	deps, err := pr.e.Globus.DependentTokens(ctx, pr.cred, accessToken)
	defer pr.revokeDependent(ctx, deps)
	switch {
	case err != nil && !refused(err):
		return Proof{}, pr.cannotRun("getting the Groups token on the test user's behalf", err)
	case err != nil:
		p.Checks = append(p.Checks, fail(proofStep, proofGroupsToken,
			"Globus refused the dependent-token grant for "+pr.who()+": "+err.Error(),
			Say("start the proof again and log in afresh; if it keeps happening, check the action_all scope with ", verifyAll())))
	default:
		var got []string
		for _, t := range deps {
			if t.ResourceServer == GroupsResourceServer && t.AccessToken != "" {
				groupsToken = t.AccessToken
			}
			got = append(got, t.ResourceServer)
		}
		p.Checks = append(p.Checks, pr.groupsTokenCheck(groupsToken != "", got, scopeOK))
	}
	var myGroups []globus.Group
	var groupsErr error
	if groupsToken != "" {
		myGroups, groupsErr = pr.e.Globus.MyGroups(ctx, globus.Bearer(groupsToken))
		if groupsErr != nil && !refused(groupsErr) {
			return Proof{}, pr.cannotRun("listing the test user's groups", groupsErr)
		}
	}

	p.Checks = append(p.Checks, pr.domainCheck(in))
	p.Checks = append(p.Checks, pr.policiesCheck(ctx, in))
	p.Checks = append(p.Checks, pr.groupsCheck(groupsToken != "", myGroups, groupsErr))
	return pr.finish(p, len(p.Checks), ""), nil
}

// finish adds skips for the checks after the first done ones, and the verdict.
func (pr *prover) finish(p Proof, done int, why string) Proof {
	for _, name := range proofOrder[done:] {
		p.Checks = append(p.Checks, skip(proofStep, name, why))
	}
	p.Admitted = !slices.ContainsFunc(p.Checks, func(c Check) bool { return c.Status != CheckPass })
	return p
}

// refused: Globus answered and said no (a 4xx other than 429), which is an
// admission outcome rather than a proof that could not run.
func refused(err error) bool {
	var ge *globus.Error
	return errors.As(err, &ge) && ge.Status >= 400 && ge.Status < 500 && ge.Status != http.StatusTooManyRequests &&
		!(ge.Status == http.StatusUnauthorized && ge.Auth == "basic") && !strings.EqualFold(ge.OAuthError, "invalid_client")
}

// cannotRun explains why the proof stopped: the Service API credentials were
// refused, or Globus could not be reached or failed.
func (pr *prover) cannotRun(doing string, err error) error {
	var ge *globus.Error
	if errors.As(err, &ge) && (ge.Status == http.StatusUnauthorized || strings.EqualFold(ge.OAuthError, "invalid_client")) {
		return credsProblem(doing, serviceAPIApp(), err)
	}
	return &Problem{What: doing + ": the proof could not run", Err: err}
}

func (pr *prover) who() string {
	if pr.user == "" {
		return "the test user"
	}
	return pr.user
}

func (pr *prover) scopeCheck(have string, ok bool) Check {
	if ok {
		return pass(proofStep, proofScope, pr.scope)
	}
	if strings.TrimSpace(have) == "" {
		have = "none"
	}
	return fail(proofStep, proofScope,
		pr.who()+"'s token lacks "+pr.scope+" (it carries: "+have+")",
		Say("users must log in asking for exactly that scope, as the gateway's token helpers do; check the scope string they use against ", getKey("service_api.scope_string")))
}

func (pr *prover) groupsTokenCheck(ok bool, got []string, scopeOK bool) Check {
	if ok {
		return pass(proofStep, proofGroupsToken, GroupsResourceServer)
	}
	sort.Strings(got)
	what := "Globus gave no Groups token on " + pr.who() + "'s behalf (dependent tokens came for: " + orNone(got) + "), so the gateway cannot list the user's groups and refuses every request"
	if !scopeOK {
		return fail(proofStep, proofGroupsToken, what+"; the token lacks the action_all scope, whose dependent scope would give it",
			"users must log in asking for "+pr.scope)
	}
	return fail(proofStep, proofGroupsToken, what+"; the action_all scope lacks the Groups dependent scope",
		Say("give the action_all scope the Groups scope ", globus.GroupsDependentScopeID, " as a required dependent scope (", verifyAll(), " shows what is wrong with it); users then log in again"))
}

// domainCheck mirrors the gateway's check_session_info: for each
// authentication of the session, the first identity of identity_set_detail
// with the same identity provider; admitted when any of those identities has
// a username domain (usernameDomain) in AUTHORIZED_IDP_DOMAINS, compared
// exactly as the gateway does.
func (pr *prover) domainCheck(in *globus.Introspection) Check {
	hint := "log out of Globus (" + pr.logoutURL() + ") and log in with an identity from " + joinOr(pr.domains) +
		"; or, if that domain should be allowed, add it to the policy and to policy.domains (they must match)"
	if len(pr.domains) == 0 {
		return fail(proofStep, proofDomain, "AUTHORIZED_IDP_DOMAINS is empty (policy.domains is not stored), so the gateway admits no user",
			Say("store the policy's domains with ", setKey("policy.domains")))
	}
	var auths []string
	if in.SessionInfo != nil {
		for id := range in.SessionInfo.Authentications {
			auths = append(auths, id)
		}
	}
	if len(auths) == 0 {
		return fail(proofStep, proofDomain, "Globus reports no authentication in "+pr.who()+"'s session", hint)
	}
	// Sorted only so that a refusal reads the same every time: one passing
	// authentication admits, whatever its place.
	sort.Strings(auths)
	var used, unknownIdPs []string
	for _, id := range auths {
		idp := in.SessionInfo.Authentications[id].IDP
		i := slices.IndexFunc(in.IdentitySetDetail, func(x globus.SetIdentity) bool { return x.IdentityProvider == idp })
		if i < 0 {
			if !slices.Contains(unknownIdPs, idp) {
				unknownIdPs = append(unknownIdPs, idp)
			}
			continue
		}
		username := in.IdentitySetDetail[i].Username
		d, ok := usernameDomain(username)
		switch {
		case !ok:
			used = append(used, username+" (no domain after '@')")
		case slices.Contains(pr.domains, d):
			return pr.admittedAs(in.IdentitySetDetail[i], d)
		default:
			used = append(used, username+" ("+d+")")
		}
	}
	slices.Sort(used)
	used = slices.Compact(used)
	sort.Strings(unknownIdPs)
	providers := "the identity provider "
	if len(unknownIdPs) > 1 {
		providers = "the identity providers "
	}
	noIdentity := "Globus lists no identity of " + pr.who() + " for " + providers + strings.Join(unknownIdPs, ", ") +
		" the session used, so the gateway cannot tell the domain"
	if len(used) == 0 {
		return fail(proofStep, proofDomain, noIdentity, "log out of Globus ("+pr.logoutURL()+") and log in again")
	}
	what := pr.who() + " logged in with " + strings.Join(used, ", ") + ", not from AUTHORIZED_IDP_DOMAINS (" + strings.Join(pr.domains, " ") + ")"
	if len(unknownIdPs) > 0 {
		what += "; " + noIdentity
	}
	return fail(proofStep, proofDomain, what, hint)
}

// admittedAs passes the domain check naming the identity the gateway makes
// its user from: the entry's sub (check_session_info: id=identity["sub"]).
// An entry with only an id would stop the gateway there ("Could not create
// User object"), so it fails, named by that id.
func (pr *prover) admittedAs(x globus.SetIdentity, domain string) Check {
	if x.Sub == "" {
		return fail(proofStep, proofDomain, "Globus's introspection lists "+x.Username+" without a sub (its ID came as id "+orNone(nonEmpty(x.ID))+
			"), and the gateway makes its user from sub: it would refuse (\"Could not create User object\")",
			"this is how Globus answered, not a setting: report it to Globus support (support@globus.org) with the time of the proof")
	}
	return pass(proofStep, proofDomain, pr.who()+" logged in with "+x.Username+"; "+domain+" is authorised; the gateway takes them as identity "+x.Sub)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// usernameDomain is the part of a username after its last '@', the one rule
// for both the domain check and the policy explanation; ok is false when
// there is no '@' or nothing after it.
// UsernameDomains are the identity domains of the Globus usernames in a
// list (identity UUIDs skipped), lower-cased as usernames are stored
// (normalizeUsername), each once, in order.
func UsernameDomains(list string) []string {
	var out []string
	for _, u := range SplitList(list) {
		if d, ok := usernameDomain(strings.ToLower(u)); ok && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func usernameDomain(username string) (domain string, ok bool) {
	i := strings.LastIndexByte(username, '@')
	if i < 0 || i == len(username)-1 {
		return "", false
	}
	return username[i+1:], true
}

func (pr *prover) logoutURL() string {
	app := pr.e.Globus.Environment().AppURL
	if app == "" {
		app = globus.Production.AppURL
	}
	return app + "logout"
}

// policiesCheck mirrors the gateway's check_globus_policies: as many
// evaluations as configured policies (a map, so a repeated ID counts once),
// each true. For a false one it works out why where it can.
func (pr *prover) policiesCheck(ctx context.Context, in *globus.Introspection) Check {
	n := len(pr.policies)
	if n == 0 {
		return pass(proofStep, proofPolicies, "none configured (GLOBUS_POLICIES is empty), so the gateway checks none; its guide asks for a high-assurance policy in production")
	}
	if len(in.PolicyEvaluations) != n {
		return fail(proofStep, proofPolicies,
			fmt.Sprintf("Globus evaluated %d of the %d configured policies for %s, and the gateway refuses unless it evaluates them all", len(in.PolicyEvaluations), n, pr.who()),
			Say("check policy.id (GLOBUS_POLICIES): each policy once, each one Globus knows (", verifyAll(), " checks it)"))
	}
	var why []string
	for i, id := range pr.policies {
		if ev, ok := in.PolicyEvaluations[id]; ok && ev.Evaluation {
			continue
		}
		which := fmt.Sprintf("policy %d of %d", i+1, n)
		if n > 1 {
			which += " (" + ShortID(id) + ")"
		}
		why = append(why, which+" evaluated false: "+pr.policyWhy(ctx, id, in))
	}
	if len(why) == 0 {
		return pass(proofStep, proofPolicies, fmt.Sprintf("%d of %d evaluated true", n, n))
	}
	return fail(proofStep, proofPolicies, "for "+pr.who()+", "+strings.Join(why, "; "),
		"log out of Globus ("+pr.logoutURL()+") and log in again with an identity from the policy's domains, then prove again")
}

// policyFacts is what a policy demands, from Globus or from the vault.
type policyFacts struct {
	include, exclude []string
	timeout          int // seconds; 0 = none
	mfa              bool
	from             string
}

// policyFacts reads the policy as the logged-in operator, else takes the
// vault's policy.* values, which describe the stored policy.
func (pr *prover) policyFacts(ctx context.Context, id string) (policyFacts, bool) {
	if a, err := OperatorToken(ctx, pr.e, AuthResourceServer); err == nil {
		if pol, err := pr.e.Globus.GetPolicy(ctx, a, id); err == nil {
			return policyFacts{include: pol.DomainConstraintsInclude, exclude: pol.DomainConstraintsExclude,
				timeout: pol.AuthenticationAssuranceTimeout, mfa: pol.RequiredMFA, from: "Globus"}, true
		}
	}
	domains := SplitList(value(pr.e.Vault, "policy.domains"))
	timeout, _ := strconv.Atoi(value(pr.e.Vault, "policy.assurance_timeout"))
	if len(domains) == 0 && timeout == 0 {
		return policyFacts{}, false
	}
	return policyFacts{include: domains, timeout: timeout, from: "the stored policy.domains and policy.assurance_timeout"}, true
}

// policyWhy works out why a high-assurance policy failed: no login with an
// identity from its domains, or that login older than its window.
func (pr *prover) policyWhy(ctx context.Context, id string, in *globus.Introspection) string {
	f, ok := pr.policyFacts(ctx, id)
	if !ok {
		return Say("Globus does not say why, and the policy's domains and window are unknown (log in with ", logIn(), " to let the proof read it)").String()
	}
	type login struct {
		username string
		at       time.Time
	}
	var all, fits []login
	if in.SessionInfo != nil {
		for idID, a := range in.SessionInfo.Authentications {
			l := login{username: identityFor(in, idID, a.IDP), at: time.Unix(a.AuthTime, 0)}
			all = append(all, l)
			d, _ := usernameDomain(l.username)
			d = strings.ToLower(d)
			if (len(f.include) == 0 || slices.Contains(lowerSet(f.include), d)) && !slices.Contains(lowerSet(f.exclude), d) {
				fits = append(fits, l)
			}
		}
	}
	slices.SortFunc(all, func(a, b login) int { return strings.Compare(a.username, b.username) })
	if len(fits) == 0 {
		var used []string
		for _, l := range all {
			used = append(used, l.username)
		}
		s := "the session has no login with an identity from the policy's domains (" + strings.Join(f.include, " ") + "): " + pr.who() + " logged in with " + orNone(used)
		if len(f.exclude) > 0 {
			s += " (the policy excludes " + strings.Join(f.exclude, " ") + ")"
		}
		return s
	}
	if f.timeout > 0 {
		newest := fits[0]
		for _, l := range fits[1:] {
			if l.at.After(newest.at) {
				newest = l
			}
		}
		if age := time.Since(newest.at); age > time.Duration(f.timeout)*time.Second {
			return "the session is older than the policy's " + window(f.timeout) + " window (" + newest.username + " logged in " + ago(age) + " ago)"
		}
	}
	if f.mfa {
		return "the policy requires multi-factor authentication, which this login may not have used"
	}
	return "Globus does not say why; the policy's domains and window, per " + f.from + ", look satisfied"
}

// identityFor names the identity of an authentication: by its key (an
// identity ID), else by its identity provider.
func identityFor(in *globus.Introspection, identityID, idp string) string {
	for _, x := range in.IdentitySetDetail {
		if x.IdentityID() == identityID {
			return x.Username
		}
	}
	for _, x := range in.IdentitySetDetail {
		if x.IdentityProvider == idp {
			return x.Username
		}
	}
	return "an identity of provider " + idp
}

// groupsCheck mirrors the gateway's check_globus_groups, made only when
// GLOBUS_GROUPS is set; the group list itself is read for every request.
func (pr *prover) groupsCheck(haveToken bool, mine []globus.Group, listErr error) Check {
	switch {
	case !haveToken:
		return skip(proofStep, proofGroups, "not checked: no Groups token (see above)")
	case listErr != nil:
		return fail(proofStep, proofGroups, "Globus Groups refused to list "+pr.who()+"'s groups ("+listErr.Error()+"), and the gateway refuses when it cannot",
			Say("start the proof again and log in afresh; if it keeps happening, check the action_all scope with ", verifyAll()))
	case len(pr.groups) == 0:
		return pass(proofStep, proofGroups, "no groups configured (GLOBUS_GROUPS is empty): any user passes this check")
	}
	have := map[string]bool{}
	shown := map[string]string{} // the group's name on Globus, as the operator knows it
	for _, g := range mine {
		have[g.ID] = true
		shown[g.ID] = g.Name
	}
	var allowed, names []string
	for _, id := range pr.groups {
		label := id
		if n := pr.groupNames[id]; n != "" {
			label = n + " (" + id + ")"
			names = append(names, n)
		}
		if have[id] {
			if n := strings.TrimSpace(shown[id]); n != "" {
				label = fmt.Sprintf("%q (%s)", n, id)
			}
			return pass(proofStep, proofGroups, pr.who()+" is in "+label)
		}
		allowed = append(allowed, label)
	}
	hint := "add the user to an allowed group"
	if len(names) > 0 {
		hint = Say("add them: ", groupCmd("add", names[0], pr.who()), " (an invitation counts only once accepted)").String()
	}
	return fail(proofStep, proofGroups, pr.who()+" is in none of the allowed groups: "+strings.Join(allowed, ", "), hint)
}

// window renders a policy's assurance timeout as an adjective: "30-minute".
func window(sec int) string {
	switch {
	case sec%3600 == 0:
		return strconv.Itoa(sec/3600) + "-hour"
	case sec%60 == 0:
		return strconv.Itoa(sec/60) + "-minute"
	}
	return strconv.Itoa(sec) + "-second"
}

// ago renders an age in whole units: "2 hours", "45 minutes", "3 days".
func ago(d time.Duration) string {
	unit := func(n int64, s string) string {
		if n == 1 {
			return "1 " + s
		}
		return strconv.FormatInt(n, 10) + " " + s + "s"
	}
	switch {
	case d >= 48*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= 2*time.Hour:
		return unit(int64(d/time.Hour), "hour")
	case d >= time.Minute:
		return unit(int64(d/time.Minute), "minute")
	}
	return unit(int64(d/time.Second), "second")
}

// joinOr lists items for a sentence: "a", "a or b", "a, b or c".
func joinOr(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

func orNone(items []string) string {
	if len(items) == 0 {
		return "none"
	}
	return strings.Join(items, ", ")
}
