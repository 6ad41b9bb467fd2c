package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 5: the high-assurance policy, the source of the gateway's
// GLOBUS_POLICIES and AUTHORIZED_IDP_DOMAINS.

const policyID = "policy"

func policyKeys() []KeySpec {
	return []KeySpec{
		{Key: "policy.id", Label: "Policy ID", Kind: KindUUID, Step: policyID,
			Help: "UUID of the high-assurance authentication policy; the gateway's GLOBUS_POLICIES.",
			// The gateway refuses to start unless GLOBUS_POLICIES holds exactly
			// one policy (inference_gateway/apps.py): say so rather than "paste one".
			precheck: func(raw string) error {
				if len(uuidInText.FindAllString(raw, -1)) > 1 {
					return errors.New("the gateway takes exactly one policy (it refuses to start with more in GLOBUS_POLICIES): store only the high-assurance policy's ID")
				}
				return nil
			},
			// The policy is the source of truth for AUTHORIZED_IDP_DOMAINS:
			// a policy ID pasted or `set` reads its domains back.
			readBack: &readBack{read: readPolicyBack, doing: "Reading the policy's domains from Globus…",
				what: "the policy", beside: []string{"policy.domains", "policy.assurance_timeout"}}},
		{Key: "policy.domains", Label: "Identity provider domains", Kind: KindDomains, Step: policyID,
			Help: "The policy's included domains, e.g. anl.gov uchicago.edu; the gateway's AUTHORIZED_IDP_DOMAINS.",
			// The domain of the stored contact e-mail (the operator's own, once
			// step 1 is done).
			suggest: func(doc vault.Doc) (string, string) {
				if _, d, ok := strings.Cut(projectContact(doc), "@"); ok {
					if n, err := Validate("policy.domains", d); err == nil {
						return n, "the contact e-mail's domain"
					}
				}
				return "", ""
			}},
		{Key: "policy.assurance_timeout", Label: "Authentication assurance timeout", Kind: KindDuration, Step: policyID,
			Help: "How long a login satisfies the policy, e.g. 8h or 28800 (stored in seconds).",
			suggest: func(vault.Doc) (string, string) {
				if secs, err := strconv.Atoi(assets.DefaultAssuranceTimeout); err == nil {
					return humanSeconds(secs), "default"
				}
				return "", ""
			}},
	}
}

func policyStep() Step {
	fields := fieldsOf(policyKeys())
	return Step{
		ID: policyID, Title: "Create the high-assurance policy",
		ConsoleURL: developersConsole,
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
			cv := []CopyValue{
				{"Display Name", assets.AppName(projectName(doc), assets.PolicySuffix)},
				{"Description", assets.PolicyDescription},
			}
			timeout := doc.Values["policy.assurance_timeout"]
			if timeout == "" {
				timeout = assets.DefaultAssuranceTimeout
			}
			cv = append(cv, CopyValue{"Authentication Assurance Timeout (seconds)", timeout})
			if d := SplitList(doc.Values["policy.domains"]); len(d) > 0 {
				cv = append(cv, CopyValue{"Included Domains (one per line)", strings.Join(d, "\n")})
			}
			return cv
		},
		Fields:    fields,
		DependsOn: []string{projectID},
		keys:      policyKeys(),
		missing:   requiredFields(fields),
		vars: []gatewayVar{
			listVar("GLOBUS_POLICIES", "policy.id"),
			listVar("AUTHORIZED_IDP_DOMAINS", "policy.domains"),
		},
		checks:   func(vf *verifier, ctx context.Context) []Check { return []Check{vf.policy(ctx), vf.gatewayStart(ctx)} },
		plan:     (*planner).planPolicy,
		warnings: policyWarnings,
	}
}

// policySource is how the vault records that a value was read from the
// policy id (SourceOf).
func policySource(id string) string { return "policy:" + id }

// DomainsRead: the stored domains were read from the stored policy (or a
// check found them equal to it since they were last changed), so the
// gateway's AUTHORIZED_IDP_DOMAINS is what the policy holds.
func DomainsRead(doc vault.Doc) bool {
	id := trimmed(doc, "policy.id")
	if id == "" || trimmed(doc, "policy.domains") == "" {
		return true // nothing to compare yet
	}
	st, _ := stateOf(doc, policyID)
	return st == StateVerified || SourceOf(doc, "policy.domains") == policySource(id)
}

// policyWarnings: domains typed, never read from the policy, are a guess
// the gateway refuses to start with unless they equal the policy's exactly.
func policyWarnings(doc vault.Doc) []Advice {
	if DomainsRead(doc) {
		return nil
	}
	return []Advice{Say("AUTHORIZED_IDP_DOMAINS (policy.domains) was not read from the policy on Globus (typed, or taken from a .env): the gateway refuses to start unless it equals the policy's included domains exactly, case included; ",
		run(verifyAll()), " to compare them with the policy on Globus")}
}

func (vf *verifier) policy(ctx context.Context) Check {
	const step, name = policyID, "Policy is high assurance with the stored domains"
	id := vf.val("policy.id")
	if id == "" {
		return notStored(step, name, "policy.id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return vf.loginSkip(step, name)
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
	hint := Say("edit the policy in the developers console (or store what it holds with ", setKey("policy.domains"), "); the gateway's AUTHORIZED_IDP_DOMAINS must match it")
	if !p.HighAssurance {
		wrong = append(wrong, "it is not high assurance")
	}
	// Exactly, case included, as the gateway compares them at start-up.
	if msg, fix := domainsMismatch(policyDomains(p), SplitList(vf.val("policy.domains")), "policy.domains"); msg != "" {
		wrong = append(wrong, msg)
		hint = Say(fix, "; the gateway's AUTHORIZED_IDP_DOMAINS (policy.domains) must equal them")
	}
	if t := vf.val("policy.assurance_timeout"); t != "" && t != strconv.Itoa(p.AuthenticationAssuranceTimeout) {
		wrong = append(wrong, fmt.Sprintf("its assurance timeout is %ds, the stored one %ss", p.AuthenticationAssuranceTimeout, t))
	}
	if pid := storedProject(vf.e.Vault); pid != "" && p.ProjectID != "" && !strings.EqualFold(pid, p.ProjectID) {
		wrong = append(wrong, "it belongs to project "+p.ProjectID+", not the stored project")
	}
	if len(wrong) > 0 {
		return fail(step, name, strings.Join(wrong, "; "), hint)
	}
	return pass(step, name, strings.Join(p.DomainConstraintsInclude, " "))
}

// gatewayStart is GatewayStartCheck, skipped once Globus stopped answering.
func (vf *verifier) gatewayStart(ctx context.Context) Check {
	if c, ok := vf.unreachable(policyID, GatewayStartName); ok {
		return c
	}
	c := GatewayStartCheck(ctx, vf.e)
	if c.NoAnswer && vf.down == nil {
		vf.down = errors.New(c.Detail)
	}
	return c
}

// PolicyValues is what a policy holds that step 5 stores beside its ID.
type PolicyValues struct {
	Domains string // space-separated, exactly as Globus spells them
	Timeout string // as the field shows it (8h), "" when unset
}

// ReadPolicyValues reads a policy the way the gateway does at start-up
// (inference_gateway/apps.py: the Service Account's client-credentials
// grant, then GET /v2/api/policies/{id} with its auth.globus.org token), so
// the operator who created it on the console need not type its domains a
// second time; without the Service Account stored, with the operator's
// login (an admin of the policy's project may read it: GLOBUS-API.md). It
// changes nothing stored; an error says why it could not.
func ReadPolicyValues(ctx context.Context, e *Env, id string) (PolicyValues, error) {
	if err := checkEnv(e); err != nil {
		return PolicyValues{}, err
	}
	var pol *globus.Policy
	if cred, err := ServiceAccountCredentials(e.Vault); err == nil {
		ts, err := e.Globus.ClientCredentialsToken(ctx, cred, globus.GatewaySDKDefaultScopes()...)
		if err != nil {
			return PolicyValues{}, credsProblem("the Service Account's client-credentials grant failed", serviceAccountApp(), err)
		}
		tok, ok := ts[globus.AuthResourceServer]
		if !ok || tok.AccessToken == "" {
			return PolicyValues{}, errors.New("the Service Account's grant gave no auth.globus.org token")
		}
		if pol, err = e.Globus.GetPolicy(ctx, globus.Bearer(tok.AccessToken), id); err != nil {
			return PolicyValues{}, problem("reading the policy as the Service Account", err)
		}
	} else {
		auth, err := OperatorToken(ctx, e, AuthResourceServer)
		if errors.Is(err, ErrNotLoggedIn) {
			return PolicyValues{}, &Problem{What: "not logged in, and the Service Account (step 3) is not stored yet", is: ErrNotLoggedIn, Do: Say(run(logIn()))}
		}
		if err != nil {
			return PolicyValues{}, err
		}
		if pol, err = e.Globus.GetPolicy(ctx, auth, id); err != nil {
			return PolicyValues{}, problem("reading the policy with your login", err)
		}
	}
	v := PolicyValues{Domains: strings.Join(policyDomains(pol), " ")}
	if pol.AuthenticationAssuranceTimeout > 0 {
		v.Timeout = humanSeconds(pol.AuthenticationAssuranceTimeout)
	}
	return v, nil
}

// readPolicyBack is policy.id's read-back: the domains and timeout it
// holds, as step 5 stores them beside its ID.
func readPolicyBack(ctx context.Context, e *Env, id string) (ReadBack, error) {
	n, err := Validate("policy.id", id)
	if err != nil {
		return ReadBack{}, err
	}
	v, err := ReadPolicyValues(ctx, e, n)
	if err != nil {
		return ReadBack{}, err
	}
	rb := ReadBack{Key: "policy.id", Of: n, Values: map[string]string{}, From: policySource(n), What: "the policy on Globus"}
	if v.Domains != "" {
		rb.Values["policy.domains"] = v.Domains
	}
	if v.Timeout != "" {
		t, err := Validate("policy.assurance_timeout", v.Timeout)
		if err == nil {
			rb.Values["policy.assurance_timeout"] = t
		}
	}
	return rb, nil
}

// policyDomains is a policy's included domains exactly as Globus holds them
// (only blanks around each trimmed), the source of AUTHORIZED_IDP_DOMAINS.
func policyDomains(pol *globus.Policy) []string {
	var out []string
	for _, d := range pol.DomainConstraintsInclude {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// ---- apply ----

const whatPolicy = "policy"

func (p *planner) planPolicy(ctx context.Context) error {
	it := &planned{PlanItem: PlanItem{Step: policyID, What: whatPolicy, Name: assets.AppName(p.projectName, assets.PolicySuffix)},
		do: (*planner).doPolicy}
	it.intent = p.intentFor(policyID, whatPolicy)
	wanted := SplitList(p.input("policy.domains"))
	var found *globus.Policy
	if id := value(p.e.Vault, "policy.id"); id != "" {
		pol, err := p.g.GetPolicy(ctx, p.auth, id)
		if notAdministered(err) {
			return storedUnknown(whatPolicy, "policy.id", id, err)
		}
		if err != nil {
			return problem("reading the policy "+id, err)
		}
		it.Action, found = PlanKeep, pol
	} else if p.projectID != "" {
		all, err := p.g.ListPolicies(ctx, p.auth)
		if err != nil {
			return problem("listing your policies", err)
		}
		var ids []string
		for i := range all {
			if strings.EqualFold(all[i].ProjectID, p.projectID) && nameMatches(all[i].DisplayName, it.Name, it.intent) {
				ids, found = append(ids, all[i].ID), &all[i]
			}
		}
		if err := pick(it, whatPolicy, "policy.id", ids); err != nil {
			return err
		}
	} else {
		it.Action = PlanCreate
	}
	if it.Action != PlanCreate {
		if err := p.keepPolicy(it, found, wanted); err != nil {
			return err
		}
		p.add(it)
		return nil
	}
	if len(wanted) == 0 {
		return &Problem{What: "the policy needs its identity provider domains (policy.domains), and none are given",
			Do: Say(wordsFor("give them with --domains \"anl.gov uchicago.edu\" (or type them on the policy step)", "type them on the policy step", "give them when the wizard asks"), ", or store them with ", setKey("policy.domains"))}
	}
	secs := p.input("policy.assurance_timeout")
	if secs == "" {
		secs = assets.DefaultAssuranceTimeout
	}
	it.timeout, _ = strconv.Atoi(secs)
	it.domains = wanted
	it.Detail = fmt.Sprintf("high assurance, domains %s; re-authenticate after %s", strings.Join(wanted, " "), timeoutShown(it.timeout))
	p.add(it)
	return nil
}

// keepPolicy describes a kept or reused policy and stores what it holds:
// the gateway's AUTHORIZED_IDP_DOMAINS must match the policy, not a wish.
// Domains the gateway cannot use are a Problem naming the policy: the
// operator never typed them, so a FieldErrors would point nowhere.
func (p *planner) keepPolicy(it *planned, pol *globus.Policy, wanted []string) error {
	it.ID, it.Name = pol.ID, pol.DisplayName
	it.store = map[string]string{}
	var notes []string
	if it.Detail != "" {
		notes = append(notes, it.Detail)
	}
	var have []string
	if raw := strings.TrimSpace(strings.Join(pol.DomainConstraintsInclude, " ")); raw != "" {
		_, err := Validate("policy.domains", raw)
		if err != nil {
			return &Problem{
				What: fmt.Sprintf("the policy %q (%s) includes the domains %q, which the gateway cannot use: %v", pol.DisplayName, pol.ID, raw, err),
				Do: Say("correct the policy's included domains in the developers console (the gateway's AUTHORIZED_IDP_DOMAINS must match them), "+
					"or store another policy's ID with ", setKey("policy.id"), ", then ", againApply),
			}
		}
		// Stored exactly as Globus holds them: the gateway refuses to start
		// unless AUTHORIZED_IDP_DOMAINS equals them, case included.
		have = policyDomains(pol)
		it.store["policy.domains"] = strings.Join(have, " ")
	}
	if pol.AuthenticationAssuranceTimeout > 0 {
		v, note := fromGlobus("policy.assurance_timeout", "its re-authentication time", strconv.Itoa(pol.AuthenticationAssuranceTimeout))
		if note != "" {
			notes = append(notes, note)
		} else {
			it.store["policy.assurance_timeout"] = v
		}
	}
	if !pol.HighAssurance {
		notes = append(notes, "it is NOT high assurance: make it so in the developers console")
	}
	d := "domains " + strings.Join(have, " ")
	if len(have) == 0 {
		d = "no domains included"
	}
	if len(wanted) > 0 && !slices.Equal(sortedCopy(wanted), sortedCopy(have)) {
		d += " (not the wanted " + strings.Join(wanted, " ") + ": the vault records the policy's own, which the gateway must use)"
	}
	notes = append(notes, d+"; re-authenticate after "+timeoutShown(pol.AuthenticationAssuranceTimeout))
	it.Detail = strings.Join(notes, "; ")
	return nil
}

func (p *planner) doPolicy(ctx context.Context, it *planned) (string, error) {
	key := intentKey(policyID, whatPolicy)
	if it.Action != PlanCreate {
		vals := maps.Clone(it.store)
		vals["policy.id"] = it.ID
		return it.ID, p.storeRead(vals, ReadBack{Values: it.store, From: policySource(it.ID)}, key)
	}
	project, err := p.beginCreate(ctx, key, it.Name, "create the policy in")
	if err != nil {
		return "", err
	}
	pol, err := p.g.CreatePolicy(ctx, p.auth, globus.PolicyCreate{
		ProjectID: project, DisplayName: it.Name, Description: assets.PolicyDescription, HighAssurance: true,
		AuthenticationAssuranceTimeout: it.timeout, DomainConstraintsInclude: it.domains})
	if err != nil {
		return "", p.createFailed(key, "the policy", err)
	}
	domains := it.domains
	if got := policyDomains(pol); len(got) > 0 {
		domains = got // what Globus holds, which the gateway compares exactly
	}
	stored := map[string]string{"policy.domains": strings.Join(domains, " ")}
	err = p.storeRead(map[string]string{"policy.id": pol.ID, "policy.domains": stored["policy.domains"],
		"policy.assurance_timeout": strconv.Itoa(it.timeout)}, ReadBack{Values: stored, From: policySource(pol.ID)}, key)
	return pol.ID, storeProblem("the policy", err)
}
