package steps

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// The proof's admission checks, each as the gateway makes it (prove.go runs
// them in its order), and the words they share.

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
	pr.admitted = &x
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
		// Words only: this is the check's detail, which no front-end names.
		return "Globus does not say why, and the policy's domains and window are unknown (your own login lets the proof read the policy)"
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
	var allowed []string
	var hint any = "add the user to an allowed group"
	for _, id := range pr.groups {
		label := id
		if n := pr.groupNames[id]; n != "" {
			label = n + " (" + id + ")"
			if _, named := hint.(string); named {
				hint = Say("add them: ", addToGroup(n, pr.shown[id], pr.who()), " (an invitation counts only once accepted)")
			}
		}
		if n := pr.shown[id]; n != "" {
			label = fmt.Sprintf("%q (%s)", n, id) // as the console and verify name it
		}
		if have[id] {
			if n := strings.TrimSpace(shown[id]); n != "" {
				label = fmt.Sprintf("%q (%s)", n, id)
			}
			return pass(proofStep, proofGroups, pr.who()+" is in "+label)
		}
		allowed = append(allowed, label)
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
