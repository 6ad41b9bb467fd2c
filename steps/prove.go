package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// A proof: a test user logs in through the public client as the gateway's
// users do (StartProof, ProveLogin), and their token goes through the
// gateway's admission, check by check, as the Service API app (ProveToken,
// prover.run). The checks are in prove_checks.go; what the proof revokes
// when it ends, in prove_revoke.go.

// proofStep is the Step of every Check a proof makes.
const proofStep = "proof"

// Names of the proof's checks, in the order the inference gateway makes them
// (FIRST's GlobusAuthService: introspect, dependent token and group list,
// then session_info domain, then policies, then the per-identity-provider
// groups, then groups: resource_server_async/auth.py validate_access_token).
const (
	proofActive      = "Token is active"
	proofScope       = "Token carries the gateway's scope"
	proofGroupsToken = "Groups token on the user's behalf"
	proofDomain      = "Identity provider domain is authorised"
	proofPolicies    = "Authentication policies pass"
	proofGroups      = "Member of an allowed group"
)

var proofOrder = []string{proofActive, proofScope, proofGroupsToken, proofDomain, proofPolicies, proofPerIdP, proofGroups}

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
func (p Proof) Lines() []string { return p.LinesIn(CLI) }

// LinesIn is Lines with the checks' advice named by n (a front-end's).
func (p Proof) LinesIn(n Namer) []string {
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
		out = append(out, c.LineIn(n))
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
		if p := badCodeProblem(err, "the test user's login", Say("start the proof again (", proveAgain(), ")")); p != nil {
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
	pr.perIdP, pr.perIdPErr = perIdPGroups(doc.Values[groupsPerIdPKey])
	p, err := pr.run(ctx, accessToken)
	p.Revoked = pr.dependentRevoked
	return p, err
}

// prover holds what the checks share. It never holds a token: those stay in
// run's local variables.
type prover struct {
	e                         *Env
	cred                      globus.Credentials
	scope                     string
	policies, domains, groups []string
	groupNames                map[string]string   // group ID → its name in the vault
	shown                     map[string]string   // group ID → its name on Globus, when read
	perIdP                    map[string][]string // AUTHORIZED_GROUPS_PER_IDP as the gateway reads it
	perIdPErr                 error
	admitted                  *globus.SetIdentity // the identity the domain check admitted
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
		hint := Say(globus.Hint(err))
		if len(pr.policies) > 0 {
			hint = Say("check policy.id (GLOBUS_POLICIES): each must be a policy Globus knows in this environment (", verifyAll(), " checks it)")
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
	p.Checks = append(p.Checks, pr.perIdPCheck(groupsToken != "", myGroups, groupsErr))
	if groupsToken != "" && groupsErr == nil && !inAnyGroup(myGroups, pr.groups) {
		pr.shown = pr.globusNames(ctx, pr.groups) // the refusal names them as the operator knows them
	}
	p.Checks = append(p.Checks, pr.groupsCheck(groupsToken != "", myGroups, groupsErr))
	return pr.finish(p, len(p.Checks), ""), nil
}

// inAnyGroup: one of mine is among ids.
func inAnyGroup(mine []globus.Group, ids []string) bool {
	return slices.ContainsFunc(mine, func(g globus.Group) bool { return slices.Contains(ids, g.ID) })
}

// globusNames reads the names on Globus of the groups ids, as verify reads
// a group (the operator's login, then the Service API app); a group
// neither can read is left out, and named by its key.
func (pr *prover) globusNames(ctx context.Context, ids []string) map[string]string {
	out := map[string]string{}
	for _, asClient := range []bool{false, true} {
		gc, err := newGroupCaller(ctx, pr.e, asClient)
		if err != nil {
			continue
		}
		for _, id := range ids {
			if out[id] != "" {
				continue
			}
			if g, err := pr.e.Globus.GetGroup(ctx, gc.groups, id, false); err == nil && strings.TrimSpace(g.Name) != "" {
				out[id] = strings.TrimSpace(g.Name)
			}
		}
	}
	return out
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
