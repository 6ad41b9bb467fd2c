package steps

import (
	"encoding/json"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
)

// The gateway's per-identity-provider group rule, AUTHORIZED_GROUPS_PER_IDP
// (stored as groups.per_idp, groups_per_idp.go), as the proof checks it.
// resource_server_async/auth.py validate_access_token calls
// check_groups_per_idp(user, introspection.user_groups) after the session
// and policy checks and before GLOBUS_GROUPS: user is the identity
// check_session_info admitted, its domain user.username.split("@")[1];
// when that domain is a key of the mapping the user must be in one of its
// groups (set(user_groups) & set(groups), the IDs compared exactly), else
// "Error: Permission denied. User (NAME - USERNAME) not part of the Globus
// Groups applied for IDP_NAME."; a domain not listed passes. The groups
// come from settings.py: json.loads of the variable, each value split on
// "," and each item stripped.

const proofPerIdP = "Member of a group for their identity provider"

// perIdPGroups is the stored mapping as the gateway reads it; nil when
// none is stored (the gateway's '{}').
func perIdPGroups(raw string) (map[string][]string, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, nil
	}
	var m map[string]string
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(m))
	for domain, list := range m {
		for _, id := range strings.Split(list, ",") {
			out[domain] = append(out[domain], strings.TrimSpace(id))
		}
	}
	return out, nil
}

// gatewayDomain is Python's username.split("@")[1], as check_groups_per_idp
// takes the domain: the part after the first '@' up to any next one; ok is
// false when there is no '@' (the gateway's "Could not extract IdP domain").
func gatewayDomain(username string) (string, bool) {
	_, rest, ok := strings.Cut(username, "@")
	if !ok {
		return "", false
	}
	domain, _, _ := strings.Cut(rest, "@")
	return domain, true
}

// perIdPCheck mirrors check_groups_per_idp for the identity the domain
// check admitted (pr.admitted), with the user's groups as the gateway lists
// them (my_groups through the dependent Groups token).
func (pr *prover) perIdPCheck(haveToken bool, mine []globus.Group, listErr error) Check {
	switch {
	case pr.perIdPErr != nil:
		return fail(proofStep, proofPerIdP, "the stored groups.per_idp (AUTHORIZED_GROUPS_PER_IDP) is not what the gateway can read ("+pr.perIdPErr.Error()+"), and it would not start",
			Say("store it again with ", setKey(groupsPerIdPKey), " (", verifyAll(), " checks the rest)"))
	case len(pr.perIdP) == 0:
		return pass(proofStep, proofPerIdP, "none configured (AUTHORIZED_GROUPS_PER_IDP is empty), so no identity provider needs a group")
	case pr.admitted == nil:
		return skip(proofStep, proofPerIdP, "not checked: the gateway checks it for the identity the domain check admits (see above)")
	case !haveToken:
		return skip(proofStep, proofPerIdP, "not checked: no Groups token (see above)")
	case listErr != nil:
		return skip(proofStep, proofPerIdP, "not checked: the user's groups could not be listed (see below)")
	}
	x := pr.admitted
	domain, ok := gatewayDomain(x.Username)
	if !ok {
		return fail(proofStep, proofPerIdP, "the gateway cannot take an identity provider's domain from "+x.Username+" (no '@') and refuses",
			"this is the username Globus gave; log in with an identity whose username has a domain")
	}
	groups, listed := pr.perIdP[domain]
	if !listed {
		return pass(proofStep, proofPerIdP, domain+" is not in AUTHORIZED_GROUPS_PER_IDP, so the gateway asks "+x.Username+" for no group of its own")
	}
	names := map[string]string{}
	in := map[string]bool{}
	for _, g := range mine {
		in[g.ID] = true
		names[g.ID] = strings.TrimSpace(g.Name)
	}
	var allowed []string
	for _, id := range groups {
		if id == "" {
			continue // "a,,b": an empty item matches no group
		}
		label := pr.groupLabel(id, names[id])
		if in[id] {
			return pass(proofStep, proofPerIdP, x.Username+" ("+domain+") is in "+label+", a group AUTHORIZED_GROUPS_PER_IDP names for "+domain)
		}
		allowed = append(allowed, label)
	}
	what := x.Username + " is from " + domain + ", for which AUTHORIZED_GROUPS_PER_IDP asks for a group, and is in none of them: " + orNone(allowed) +
		" (the gateway: \"not part of the Globus Groups applied for " + orUnknownIdP(x.IdentityProviderDisplayName) + "\")"
	return fail(proofStep, proofPerIdP, what,
		"add the user to one of those groups (an invitation counts only once accepted), or change the mapping in groups.per_idp if "+domain+" should not need one")
}

// groupLabel names a group as the operator knows it: its vault name, else
// its name on Globus, with its ID.
func (pr *prover) groupLabel(id, globusName string) string {
	switch {
	case pr.groupNames[id] != "":
		return pr.groupNames[id] + " (" + id + ")"
	case globusName != "":
		return "\"" + sanitizeName(globusName) + "\" (" + id + ")"
	}
	return id
}

func orUnknownIdP(name string) string {
	if name == "" {
		return "their identity provider"
	}
	return sanitizeName(name)
}
