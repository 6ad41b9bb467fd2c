package steps

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 6 (optional): Globus groups whose members may use the gateway.
// Their keys are groups.<name>.id and groups.<name>.members for any valid
// name; the wizard's form holds the default group's. The group operations
// (create, add members) are in groups_ops.go.

const groupsID = "groups"

func groupsStep() Step {
	id, _ := groupSpec(DefaultGroup, "id")
	members, _ := groupSpec(DefaultGroup, "members")
	// An ID means the group exists; members without an ID ask the action
	// to create it. One group by default; more with `set groups.<name>.members`.
	fields := []Field{fieldOf(id, true), fieldOf(members, true)}
	return Step{
		ID: groupsID, Title: "Create Globus groups", Optional: true,
		ConsoleURL: func(env globus.Environment) string { return env.GroupsConsoleURL() },
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
			cv := []CopyValue{{"Group Name", assets.AppName(projectName(doc), assets.GroupSuffix)}}
			for _, name := range GroupNames(doc.Values) {
				if m := SplitList(doc.Values["groups."+name+".members"]); len(m) > 0 {
					cv = append(cv, CopyValue{calledAs("Members of", "Members", groupCalled(doc, name)) + " (one per line)", strings.Join(m, "\n")})
				}
			}
			return cv
		},
		Fields: fields,
		// Nothing to bring back from the console (without a group ID the
		// wizard creates the group): the form opens at the members.
		OpensAt: members.Key,
		// Groups are created and read with the Service API app's credentials.
		DependsOn: []string{serviceAPIID},
		// Done once any group is stored, by its ID or its members.
		missing: func(values map[string]string) []string {
			if len(GroupNames(values)) == 0 {
				return []string{members.Key}
			}
			return nil
		},
		requiredWhy: "type the members for the wizard to create the group, or the ID of a group you created; or skip this step",
		keys:        []KeySpec{groupsPerIdPSpec()},
		vars: []gatewayVar{
			{name: "GLOBUS_GROUPS", list: true, values: groupIDs},
			// The setup makes no per-domain mapping: one is stored by an
			// import (or set by hand); without it a merge keeps the file's.
			{name: groupsPerIdP, key: groupsPerIdPKey, values: groupsPerIdPValue},
		},
		Action: groupsAction,
		checks: (*verifier).groups,
		ownPlan: func(ctx context.Context, e *Env, values map[string]string) (SetupPlan, error) {
			m := values[members.Key]
			if m == "" && e != nil && e.Vault != nil {
				m = e.Vault.Doc().Values[members.Key]
			}
			return MakeGroupPlan(e, m)
		},
		ownApply: ApplyGroupPlan,
	}
}

func groupIDs(doc vault.Doc) []string {
	var ids []string
	for _, name := range GroupNames(doc.Values) {
		if id := doc.Values["groups."+name+".id"]; id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// groupName is a key name for a group: it appears inside vault keys and
// command lines, so it is kept to lower-case letters, digits, '_' and '-'.
var groupName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)

// GroupNameRule says what a group's key name may be, for messages and help.
const GroupNameRule = "a group name starts with a lower-case letter and has up to 32 lower-case letters, digits, '_' or '-'"

// DefaultGroup is the group name the wizard's groups step uses.
const DefaultGroup = "users"

// ValidGroupName reports whether name can be used in groups.<name>.id/members.
func ValidGroupName(name string) bool { return groupName.MatchString(name) }

// splitGroupKey splits groups.<name>.<field>; name and field are not checked.
func splitGroupKey(key string) (name, field string, ok bool) {
	rest, ok := strings.CutPrefix(key, "groups.")
	i := strings.LastIndexByte(rest, '.')
	if !ok || i <= 0 {
		return "", "", false
	}
	return rest[:i], rest[i+1:], true
}

func groupSpec(name, field string) (KeySpec, bool) {
	return groupSpecShown(name, field, "")
}

// groupSpecShown is groupSpec naming the group by shown, its display name on
// Globus, when known ("" names it by its key).
func groupSpecShown(name, field, shown string) (KeySpec, bool) {
	if !ValidGroupName(name) {
		return KeySpec{}, false
	}
	key := "groups." + name + "." + field
	label, the := "("+name+")", "the group '"+name+"'"
	if shown != "" {
		label, the = fmt.Sprintf("(%q)", shown), fmt.Sprintf("the group %q", shown)
	}
	switch field {
	case "id":
		return KeySpec{Key: key, Label: "Group ID " + label, Kind: KindUUID, Step: groupsID,
			Help: "UUID of " + the + " on Globus; its members may use the gateway (GLOBUS_GROUPS)."}, true
	case "members":
		return KeySpec{Key: key, Label: "Members " + label, Kind: KindUsernames, Step: groupsID,
			Help: "Globus usernames (alice@anl.gov) or identity UUIDs to add to " + the + "."}, true
	}
	return KeySpec{}, false
}

// GroupShownName is the display name of the group stored as
// groups.<name>.*, when it is known: Globus's, as it was read or made for
// the stored ID (recordGroupName); for the default group not created yet,
// the name the wizard will give it and suggests on the console (see
// defaultGroupDisplayName). A stored ID whose name was never read is
// named by its key (""), never by a name made up for it.
func GroupShownName(doc vault.Doc, name string) string {
	id := strings.TrimSpace(doc.Values["groups."+name+".id"])
	if shown := recordedGroupName(doc, name, id); shown != "" {
		return shown
	}
	if name != DefaultGroup || id != "" {
		return ""
	}
	return groupDisplayNameIn(doc, name)
}

// groupCalled names group name as the operator knows it: by its name on
// Globus, quoted, when known (GroupShownName); the form's one group needs
// no name otherwise ("", never its key, which the operator never typed);
// another group by its key.
func groupCalled(doc vault.Doc, name string) string {
	if shown := GroupShownName(doc, name); shown != "" {
		return fmt.Sprintf("%q", shown)
	}
	if name == DefaultGroup {
		return ""
	}
	return name
}

// calledAs is "<with> <called>", or without when called is "".
func calledAs(with, without, called string) string {
	if called == "" {
		return without
	}
	return with + " " + called
}

// groupNamePrefix (Internal "group_name.<name>") records a group's name on
// Globus as "<id> <name>": about that ID only, so a group whose stored ID
// changes is no longer named by it.
const groupNamePrefix = "group_name."

// recordGroupName keeps the name Globus gave (or answered for) group id,
// stored as groups.<name>.id.
func recordGroupName(d *vault.Doc, name, id, display string) {
	if name == "" || id == "" || strings.TrimSpace(display) == "" {
		return
	}
	if d.Internal == nil {
		d.Internal = map[string]string{}
	}
	d.Internal[groupNamePrefix+name] = strings.ToLower(id) + " " + display
}

// recordedGroupName is the name recorded for group name when it is about
// id, made one safe line (it is text from Globus, kept in the document).
func recordedGroupName(doc vault.Doc, name, id string) string {
	rec, ok := doc.Internal[groupNamePrefix+name]
	if !ok || id == "" {
		return ""
	}
	forID, shown, _ := strings.Cut(rec, " ")
	if forID != strings.ToLower(id) {
		return ""
	}
	return termsafe.Inline(shown)
}

// GroupNames lists the group names that have any value in values, sorted.
func GroupNames(values map[string]string) []string {
	seen := map[string]bool{}
	for k := range values {
		if name, field, ok := splitGroupKey(k); ok {
			if _, ok := groupSpec(name, field); ok { // groupSpec checks the name
				seen[name] = true
			}
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// planGroup: a stored group is kept (members added); otherwise one is
// created as the operator. Reads nothing from Globus: CreateGroup reads the
// stored group before adding to it.
func planGroup(e *Env, display string, members []string) *PlanItem {
	id := value(e.Vault, "groups."+DefaultGroup+".id")
	if display == "" && id == "" {
		return nil
	}
	it := &PlanItem{Step: groupsID, What: "group", Name: display, Action: PlanCreate, Detail: "owned by you"}
	if id != "" {
		it.Action, it.ID, it.Detail = PlanKeep, id, ""
		if display == "" {
			it.Name = DefaultGroup
		}
	}
	if len(members) > 0 {
		d := "members " + strings.Join(members, " ")
		if it.Detail != "" {
			d = it.Detail + "; " + d
		}
		it.Detail = d
	}
	return it
}

// MakeGroupPlan is step 6's plan alone: the default group kept (its ID
// stored) or created as the operator, with members (usernames) added.
func MakeGroupPlan(e *Env, members string) (SetupPlan, error) {
	if err := checkEnv(e); err != nil {
		return SetupPlan{}, err
	}
	_, _, m, err := setupValues(map[string]string{SetupGroupMembers: members})
	if err != nil {
		return SetupPlan{}, err
	}
	g := planGroup(e, defaultGroupDisplayName(e.Vault, DefaultGroup), m)
	if _, ok := LoggedIn(e.Vault); !ok {
		g.Detail = strings.Replace(g.Detail, "owned by you", "owned by the Service API app (you are not logged in)", 1)
	}
	return SetupPlan{Group: g, Members: m}, nil
}

// ApplyGroupPlan creates or fills the planned group (CreateGroup), as the
// operator when logged in, else as the Service API app.
func ApplyGroupPlan(ctx context.Context, e *Env, approved SetupPlan, progress func(ApplyResult)) ([]ApplyResult, error) {
	var results []ApplyResult
	if approved.Group == nil {
		return nil, nil
	}
	_, loggedIn := LoggedIn(e.Vault)
	r, gerr := CreateGroup(ctx, e, GroupRequest{Name: DefaultGroup, DisplayName: approved.Group.Name,
		Members: approved.Members, AsClient: !loggedIn})
	res := ApplyResult{Item: *approved.Group, ID: r.ID, Err: gerr}
	results = append(results, res)
	if progress != nil {
		progress(res)
	}
	if gerr != nil {
		return results, gerr
	}
	for _, m := range r.Members {
		if m.NotAdded() {
			res := ApplyResult{Item: PlanItem{Step: groupsID, What: "member", Name: m.User, Action: PlanCreate},
				Err: &Problem{What: string(m.Result) + " " + m.User + ": " + m.Detail, Err: unresolvedErr(m, r)}}
			results = append(results, res)
			if progress != nil {
				progress(res)
			}
		}
	}
	return results, markApplied(e.Vault, groupsID)
}

// unresolvedErr is why m was not looked up, if that is what became of it.
func unresolvedErr(m MemberOutcome, r GroupResult) error {
	if m.Result == MemberUnresolved {
		return r.LookupErr
	}
	return nil
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
	const step = groupsID
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
		name := calledAs("Group", "Group", groupCalled(vf.e.Vault.Doc(), n)) + " exists and holds its members"
		id := vf.val("groups." + n + ".id")
		if id == "" {
			out = append(out, fail(step, name, "it is not created yet", Say(run(groupCmd("create", n)))))
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
	const step = groupsID
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
		c := skip(step, name, "the Service API app cannot see group "+id+"; log in to check (", logIn(), ")")
		c.NeedsLogin = true
		return c
	case globus.IsStatus(err, http.StatusForbidden):
		return fail(step, name, "you cannot see or manage group "+id+" (Globus Groups answered 403)",
			"ask one of the group's admins to make you a manager or admin, or log in as its owner to check it")
	case hidden:
		return fail(step, name, "group "+id+" does not exist or neither you nor the Service API app can see it",
			"check groups."+n+".id; log in as the group's owner to check it")
	case err != nil:
		return vf.failErr(step, name, problem("reading the group", err))
	}
	have, invitedAs := map[string]bool{}, map[string]string{}
	var invited []string // the gateway refuses them (only active members count), as the proof does
	active := 0
	for _, m := range g.Memberships {
		who := m.Username
		if who == "" {
			who = m.IdentityID
		}
		switch m.Status {
		case "active":
			active++
			have[strings.ToLower(m.IdentityID)] = true
			if m.Username != "" {
				have[strings.ToLower(m.Username)] = true
			}
		case "invited":
			invited = append(invited, who)
			invitedAs[strings.ToLower(m.IdentityID)], invitedAs[strings.ToLower(m.Username)] = who, who
		}
	}
	want := SplitList(vf.val("groups." + n + ".members"))
	var missing []string
	for _, u := range want {
		if !have[strings.ToLower(u)] && invitedAs[strings.ToLower(u)] == "" {
			missing = append(missing, u)
		}
	}
	// Named as the operator knows it (its display name), not by its key;
	// and remembered, so every screen names it so (GroupShownName).
	name = fmt.Sprintf("Group %q exists and holds its members", g.Name)
	if len(want) == 0 {
		name = fmt.Sprintf("Group %q exists", g.Name) // no members stored: none checked
	}
	if doc := vf.e.Vault.Doc(); recordedGroupName(doc, n, id) != termsafe.Inline(g.Name) {
		_ = vf.e.Vault.Update(func(d *vault.Doc) error { recordGroupName(d, n, id, g.Name); return nil })
	}
	if len(missing) > 0 {
		return fail(step, name, "it lacks "+strings.Join(missing, ", "),
			Say("run ", groupCmd("add", n, strings.Join(missing, " "))))
	}
	if len(invited) > 0 {
		// Groups counts an invitation once accepted (globus-sdk-python
		// GroupsManager.accept_invite: the invitee accepts); until then
		// the gateway's my_groups check refuses them.
		return fail(step, name, strings.Join(invited, ", ")+" invited but not a member yet: the gateway refuses them until they accept the invitation",
			Say("they accept it (Globus e-mailed it to them); or, to make them members at once, ", addInvited(n, invited)))
	}
	onGlobus := fmt.Sprintf("%d members on Globus", active)
	if active == 1 {
		onGlobus = "1 member on Globus"
	}
	detail := fmt.Sprintf("%s; none stored here to check (groups.%s.members lists those globus-setup adds)", onGlobus, n)
	if len(want) > 0 {
		detail = fmt.Sprintf("%s, the %d stored among them", onGlobus, len(want))
	}
	c := pass(step, name, detail)
	c.Warn = vf.outsideDomains(g, want)
	return c
}

// outsideDomains names the stored members of g who can never get in: the
// gateway admits a user only if their identity's username domain is in
// AUTHORIZED_IDP_DOMAINS, compared exactly (as the proof's domain check),
// and the policy asks for the same domains. "" when all can.
func (vf *verifier) outsideDomains(g *globus.Group, want []string) Advice {
	domains := gatewayItems(vf.e.Vault.Doc(), "AUTHORIZED_IDP_DOMAINS")
	if len(domains) == 0 {
		return Advice{}
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
		return Advice{}
	}
	return Say("the gateway will refuse ", strings.Join(out, ", "), ": not from AUTHORIZED_IDP_DOMAINS (", strings.Join(domains, " "), "); they must log in with an identity from those domains, or add their domain to the policy on the console and store it as the policy holds it with ", setKey("policy.domains"))
}
