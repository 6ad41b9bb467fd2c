package steps

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// GatewayStartName is the name of the check that replays the gateway's
// start-up check.
const GatewayStartName = "The gateway would start"

// GatewayStartCheck replays, with the values an export writes, the check the
// inference gateway makes at every start before serving anything
// (inference_gateway/apps.py, AuthCheckConfig.ready), in its order:
//  1. GLOBUS_POLICIES holds exactly one policy;
//  2. AUTHORIZED_IDP_DOMAINS holds at least one non-empty domain;
//  3. the Service Account's ID and secret get a client-credentials token
//     (the scopes globus-sdk v3 sends by default) and, with its
//     auth.globus.org token, read GET /v2/api/policies/{id};
//  4. the policy is high assurance;
//  5. sorted(domain_constraints_include) == sorted(AUTHORIZED_IDP_DOMAINS),
//     exactly, case included.
//
// The first refusal is the one the gateway would raise. It changes nothing
// stored. With nothing of the policy or the Service Account stored yet (a
// setup not begun) it is a skip; once any of them is, whatever it lacks is a
// failure naming the key, since that gateway would not start.
func GatewayStartCheck(ctx context.Context, e *Env) Check {
	const step, name = policyID, GatewayStartName
	if err := checkEnv(e); err != nil {
		return fail(step, name, err.Error(), "")
	}
	doc := e.Vault.Doc()
	policies := gatewayItems(doc, "GLOBUS_POLICIES")
	domains := gatewayItems(doc, "AUTHORIZED_IDP_DOMAINS")
	saID := serviceAccountClientID(e.Vault)
	if len(policies) == 0 && len(domains) == 0 && saID == "" {
		return skip(step, name, "policy.id, policy.domains and the Service Account are not stored yet")
	}
	switch {
	case len(policies) == 0:
		return fail(step, name, "GLOBUS_POLICIES would be empty (policy.id is not stored): the gateway refuses to start without a high-assurance policy",
			Say("create the policy (step 5, or ", applyStep(policyID), ") or store its ID with ", setKey("policy.id")))
	case len(policies) > 1:
		return fail(step, name, "GLOBUS_POLICIES would hold "+strconv.Itoa(len(policies))+" policies ("+strings.Join(policies, ", ")+"): the gateway refuses to start unless it holds exactly one",
			Say("keep one: ", setKeyTo("policy.id", "ID"), " with the high-assurance policy's ID"))
	case len(domains) == 0:
		return fail(step, name, "AUTHORIZED_IDP_DOMAINS would be empty (policy.domains is not stored): the gateway refuses to start without it",
			Say("store the policy's included domains, exactly as the policy spells them: ", setKeyTo("policy.domains", "\"anl.gov\"")))
	}
	cred, err := ServiceAccountCredentials(e.Vault)
	if err != nil {
		// Part of the setup is there, so this is a gateway that would
		// stop at start-up, not a setup not begun: a failure naming
		// exactly what is missing.
		miss := missingCreds(e.Vault, serviceAccountApp())
		return fail(step, name, strings.Join(miss, " and ")+" not stored: the gateway reads its policy with the Service Account's ID and secret at start-up, so it would not start",
			missingCredsHint(serviceAccountApp(), miss[len(miss)-1]))
	}
	ts, err := e.Globus.ClientCredentialsToken(ctx, cred, globus.GatewaySDKDefaultScopes()...)
	if err != nil {
		c := failErr(step, name, credsProblem("the Service Account's client-credentials grant (as the gateway makes it at start-up) failed", serviceAccountApp(), err))
		c.NoAnswer = noAnswer(err)
		return c
	}
	tok, ok := ts[globus.AuthResourceServer]
	if !ok || tok.AccessToken == "" {
		return fail(step, name, "the Service Account's client-credentials grant gave no auth.globus.org token, which the gateway needs to read its policy",
			"check the Service Account app (service_account.client_id) in the developers console")
	}
	id := policies[0]
	pol, err := e.Globus.GetPolicy(ctx, globus.Bearer(tok.AccessToken), id)
	switch {
	case globus.IsStatus(err, http.StatusForbidden) || globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusUnauthorized):
		return fail(step, name, "the Service Account ("+ShortID(cred.ID)+") cannot read policy "+id+" ("+err.Error()+"), so the gateway stops at start-up",
			Say("the policy and the Service Account app must belong to the same project: compare ", getKey("policy.id"), " and ", getKey("service_account.client_id"), " with the developers console"))
	case err != nil:
		c := failErr(step, name, problem("reading the policy as the Service Account", err))
		c.NoAnswer = noAnswer(err)
		return c
	case !pol.HighAssurance:
		return fail(step, name, "policy "+id+" is not high assurance: the gateway refuses to start (\"The Globus Policy must be High Assurance.\")",
			Say("edit the policy in the developers console and make it high assurance, or create one with ", applyStep(policyID)))
	}
	if msg, hint := domainsMismatch(policyDomains(pol), domains, "AUTHORIZED_IDP_DOMAINS"); msg != "" {
		return fail(step, name, msg+": the gateway refuses to start (\"The Globus Policy and AUTHORIZED_IDP_DOMAINS are inconsistent.\")", hint)
	}
	return pass(step, name, "the Service Account reads policy "+ShortID(id)+", high assurance, whose domains equal AUTHORIZED_IDP_DOMAINS ("+strings.Join(domains, " ")+")")
}

// domainsMismatch compares a policy's domains with the stored ones (label
// names them: AUTHORIZED_IDP_DOMAINS, policy.domains) as the gateway does:
// sorted, exact. "" when they agree. A difference of case alone is named as
// such, since nothing else shows it.
func domainsMismatch(policy, stored []string, label string) (msg string, hint Advice) {
	p, v := sortedCopy(policy), sortedCopy(stored)
	if slices.Equal(p, v) {
		return "", Advice{}
	}
	if len(policy) == 0 {
		return "the policy includes no domains while " + label + " holds " + strings.Join(stored, " "),
			Say("add the included domains to the policy in the developers console, exactly as policy.domains spells them")
	}
	hint = Say("store what the policy holds, exactly: ", setKeyTo("policy.domains", `"`+strings.Join(policy, " ")+`"`), " (then export again), or edit the policy's included domains in the developers console")
	if len(p) == len(v) && slices.Equal(lowerSet(p), lowerSet(v)) {
		var pairs []string
		for _, d := range policy {
			for _, x := range stored {
				if d != x && strings.EqualFold(d, x) {
					pairs = append(pairs, "the policy holds "+d+", "+label+" "+x)
				}
			}
		}
		return "the domains differ in case (" + strings.Join(pairs, "; ") + ") and the gateway compares them exactly", hint
	}
	var parts []string
	if only := setDiffExact(v, p); len(only) > 0 {
		parts = append(parts, "the policy lacks "+strings.Join(only, ", "))
	}
	if only := setDiffExact(p, v); len(only) > 0 {
		parts = append(parts, "it also has "+strings.Join(only, ", "))
	}
	return "the policy's domains (" + strings.Join(policy, " ") + ") differ from " + label + " (" + strings.Join(stored, " ") + "): " + strings.Join(parts, " and "), hint
}

func setDiffExact(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
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
