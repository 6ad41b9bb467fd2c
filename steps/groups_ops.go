package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// MemberResult is what became of one member asked for.
type MemberResult string

// Member results.
const (
	MemberAdded   MemberResult = "added"
	MemberAlready MemberResult = "already a member"
	MemberUnknown MemberResult = "unknown"
	MemberFailed  MemberResult = "failed"
	// MemberUnresolved: the identity look-up failed, so whether the username
	// exists is not known; it is neither added nor dropped from the vault.
	MemberUnresolved MemberResult = "not looked up"
)

// MemberOutcome is one member asked for, by the name the operator gave.
type MemberOutcome struct {
	User       string // username or identity UUID, as given (normalised)
	IdentityID string
	Result     MemberResult
	Detail     string // why, for unknown and failed
}

// NotAdded says the member asked for is not in the group after this run.
func (m MemberOutcome) NotAdded() bool {
	return m.Result == MemberUnknown || m.Result == MemberFailed || m.Result == MemberUnresolved
}

// GroupResult is what a group operation did.
type GroupResult struct {
	Name        string // key name (groups.<name>.*); "" for a group known only by UUID
	ID          string
	DisplayName string
	Created     bool   // created by this run
	Reused      bool   // asked to create, found stored
	Owner       string // who owns a group this run created
	Members     []MemberOutcome
	// LookupErr is why the members marked MemberUnresolved were not looked up.
	LookupErr error
	// NamedFrom says where the name of a group this run created came from
	// when none was given ("project.name \"X\" and the group's name").
	NamedFrom string
	// WaitsForLogin: not logged in, the Service API app could not see the
	// stored group (one the operator made is private to them), so its
	// members are added after the login: no failure.
	WaitsForLogin bool
	found         bool // made or read at Globus by this run
}

// Shown says the group was made or read at Globus by this run, so its line
// (GroupLines) says something true; a group Globus did not find has none.
func (r GroupResult) Shown() bool { return r.found }

// NotAdded lists the members asked for that are not in the group.
func (r GroupResult) NotAdded() []string {
	var out []string
	for _, m := range r.Members {
		if m.NotAdded() {
			out = append(out, m.User)
		}
	}
	return out
}

// GroupRequest asks for a group to be created (or reused) and filled.
type GroupRequest struct {
	Name        string // key name, see ValidGroupName
	DisplayName string // the group's name on Globus; default from the project name
	Description string
	Members     []string // usernames or identity UUIDs
	// AsClient acts as the Service API app (client-credentials grant for the
	// Groups scope) instead of the logged-in operator: the groups it creates
	// are owned by that client's identity.
	AsClient bool
}

// groupCaller is who talks to Groups and Auth's identity look-up.
type groupCaller struct {
	groups, identities globus.Authorizer
	owner              string // who owns what this caller creates
	asClient           bool
}

// Format keeps the Authorizers out of any fmt output: as unexported fields
// they would print raw, secret and token included.
func (gc groupCaller) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "groupCaller{owner: %s, asClient: %t}", gc.owner, gc.asClient)
}

func newGroupCaller(ctx context.Context, e *Env, asClient bool) (*groupCaller, error) {
	if asClient {
		cred, err := ServiceAPICredentials(e.Vault)
		if err != nil {
			return nil, err
		}
		ts, err := e.Globus.ClientCredentialsToken(ctx, cred, globus.GroupsScope)
		if err != nil {
			return nil, credsProblem("getting a Groups token for the Service API app", serviceAPIApp(), err)
		}
		t, ok := ts[GroupsResourceServer]
		if !ok || t.AccessToken == "" {
			return nil, &Problem{What: "Globus gave the Service API app no Groups token",
				Do: Say("check that the Service API app is a confidential client that may use the client-credentials grant")}
		}
		return &groupCaller{
			groups:     globus.Bearer(t.AccessToken),
			identities: globus.Basic(cred),
			owner:      "the Service API app's client identity " + cred.ID + "@clients.auth.globus.org",
			asClient:   true,
		}, nil
	}
	ga, err := OperatorToken(ctx, e, GroupsResourceServer)
	if err != nil {
		return nil, loginProblem(err)
	}
	aa, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return nil, loginProblem(err)
	}
	return &groupCaller{groups: ga, identities: aa, owner: "your Globus identity (the logged-in operator)"}, nil
}

// loginProblem adds the --as-client alternative to a missing login.
func loginProblem(err error) error {
	if !errors.Is(err, ErrNotLoggedIn) {
		return err
	}
	p := &Problem{What: "not logged in to Globus", is: ErrNotLoggedIn,
		Do: Say(run(logIn()), ", or add --as-client to act as the Service API app")}
	var inner *Problem
	if errors.As(err, &inner) {
		p.What, p.Err = inner.What, inner.Err
	}
	return p
}

// defaultGroupDisplayName is the group's name on Globus when none is given.
func defaultGroupDisplayName(v *vault.Vault, name string) string {
	return groupDisplayName(value(v, "project.name"), name)
}

// defaultNameSource says where defaultGroupDisplayName takes a group's
// name from, for the operator.
func defaultNameSource(doc vault.Doc, name string) string {
	p := strings.TrimSpace(doc.Values["project.name"])
	from := fmt.Sprintf("project.name %q", p)
	if p == "" {
		from = fmt.Sprintf("the default project name %q (no project.name is stored)", assets.DefaultProjectName)
	}
	if name == DefaultGroup {
		return from + " and " + fmt.Sprintf("%q", assets.GroupSuffix)
	}
	return from + " and the group's name " + name
}

// groupDisplayNameIn is defaultGroupDisplayName from a document.
func groupDisplayNameIn(doc vault.Doc, name string) string {
	return groupDisplayName(strings.TrimSpace(doc.Values["project.name"]), name)
}

func groupDisplayName(p, name string) string {
	if name == DefaultGroup {
		return assets.AppName(p, assets.GroupSuffix)
	}
	return assets.AppName(p, name)
}

// groupTexts checks the group's name and description on Globus before
// anything is sent: escapes and control characters must not reach Globus
// (or the screens of everyone who views the group). The default name comes
// from project.name, which Globus may have supplied, so it is checked too.
func groupTexts(v *vault.Vault, r GroupRequest) (display, description string, err error) {
	display, flag, fix := strings.TrimSpace(r.DisplayName), "--display-name", "give a plain one-line name with --display-name"
	if display == "" {
		display, flag = defaultGroupDisplayName(v, r.Name), "made from project.name"
		fix = Say("store a plain project.name (step 1, or ", setKeyTo("project.name", "NAME"), "), or give --display-name").String()
	}
	if display, err = ValidateText(display); err != nil {
		return "", "", &Problem{What: "the group's name on Globus (" + flag + ") " + err.Error(),
			Do: Say(fix + "; nothing was sent to Globus")}
	}
	if description, err = ValidateDescription(r.Description); err != nil {
		return "", "", &Problem{What: "the group's description (--description) " + err.Error(),
			Do: Say("give plain text with --description; nothing was sent to Globus")}
	}
	return display, description, nil
}

// createGroup creates the group r.Name (or reuses the one stored under that
// name) and adds r.Members. It stores groups.<name>.id at once, then
// groups.<name>.members with the members now in the group. Unknown usernames
// and per-member refusals are reported in the result, not as an error.
func createGroup(ctx context.Context, e *Env, r GroupRequest) (GroupResult, error) {
	if err := checkEnv(e); err != nil {
		return GroupResult{}, err
	}
	if !ValidGroupName(r.Name) {
		return GroupResult{}, &Problem{What: fmt.Sprintf("%q cannot name a group here", r.Name), Do: Say(GroupNameRule)}
	}
	display, description, err := groupTexts(e.Vault, r)
	if err != nil {
		return GroupResult{}, err
	}
	members, err := normalizeMembers(r.Members)
	if err != nil {
		return GroupResult{}, err
	}
	gc, err := newGroupCaller(ctx, e, r.AsClient)
	if err != nil {
		return GroupResult{}, err
	}
	res := GroupResult{Name: r.Name}
	var current []globus.Membership
	if id := value(e.Vault, "groups."+r.Name+".id"); id != "" {
		g, err := readGroup(ctx, e, gc, r.Name, id)
		if err != nil {
			return res, err
		}
		res.ID, res.DisplayName, res.Reused, res.found, current = g.ID, g.Name, true, true, g.Memberships
		e.progress("Group %s is already stored (%s, %q): reusing it.", r.Name, g.ID, g.Name)
	} else {
		g, err := e.Globus.CreateGroup(ctx, gc.groups, globus.GroupCreate{Name: display, Description: description})
		if err != nil {
			return res, groupProblem("creating the group "+r.Name, gc, err)
		}
		res.ID, res.DisplayName, res.Created, res.Owner, res.found = g.ID, g.Name, true, ownerOf(ctx, e, g, gc), true
		if strings.TrimSpace(r.DisplayName) == "" {
			res.NamedFrom = defaultNameSource(e.Vault.Doc(), r.Name)
		}
		// Stored now, so a failure below never leaves an untracked group.
		if err := storeGroup(e.Vault, r.Name, g.ID, g.Name, nil, nil); err != nil {
			return res, problem("storing groups."+r.Name+".id", err)
		}
	}
	res.Members, res.LookupErr, err = addMembers(ctx, e, gc, res.ID, members, current)
	if err != nil {
		return res, err
	}
	if err := storeGroup(e.Vault, r.Name, res.ID, res.DisplayName, inGroup(res.Members), notIn(res.Members)); err != nil {
		return res, problem("storing groups."+r.Name+".members", err)
	}
	return res, nil
}

// addGroupMembers adds members to a group given by its stored name or its
// UUID. A stored group's members value grows by the members now in it.
func addGroupMembers(ctx context.Context, e *Env, nameOrID string, users []string, asClient bool) (GroupResult, error) {
	if err := checkEnv(e); err != nil {
		return GroupResult{}, err
	}
	members, err := normalizeMembers(users)
	if err != nil {
		return GroupResult{}, err
	}
	if len(members) == 0 {
		return GroupResult{}, &Problem{What: "no members to add", Do: Say("name at least one Globus username, e.g. alice@anl.gov")}
	}
	res := GroupResult{}
	doc := e.Vault.Doc()
	if id, err := NormalizeUUID(nameOrID); err == nil && isUUIDShape(strings.TrimSpace(nameOrID)) {
		res.ID = id
		for _, n := range GroupNames(doc.Values) {
			if strings.EqualFold(doc.Values["groups."+n+".id"], id) {
				res.Name = n
			}
		}
	} else {
		res.Name = strings.TrimSpace(nameOrID)
		res.ID = strings.TrimSpace(doc.Values["groups."+res.Name+".id"])
		if res.ID == "" {
			return res, &Problem{What: fmt.Sprintf("no group named %q is stored", res.Name),
				Do: Say("create it with ", groupCmd("create", res.Name), ", or give the group's UUID")}
		}
	}
	gc, err := newGroupCaller(ctx, e, asClient)
	if err != nil {
		return res, err
	}
	g, err := readGroup(ctx, e, gc, res.Name, res.ID)
	if err != nil {
		return res, err
	}
	res.DisplayName, res.found = g.Name, true
	res.Members, res.LookupErr, err = addMembers(ctx, e, gc, res.ID, members, g.Memberships)
	if err != nil {
		return res, err
	}
	if res.Name != "" {
		if err := storeGroup(e.Vault, res.Name, res.ID, res.DisplayName, inGroup(res.Members), notIn(res.Members)); err != nil {
			return res, problem("storing groups."+res.Name+".members", err)
		}
	}
	return res, nil
}

// ensureGroups is the groups step's action: every stored group with members
// but no ID is created, and stored members missing from a group are added.
// It acts as the logged-in operator, else as the Service API app.
func ensureGroups(ctx context.Context, e *Env) ([]GroupResult, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	_, loggedIn := LoggedIn(e.Vault)
	doc := e.Vault.Doc()
	names := GroupNames(doc.Values)
	if len(names) == 0 {
		return nil, &Problem{What: "no group is stored", Do: Say("type the members of the group (or its ID) on the groups step, or ", run(groupCmd("create", "NAME", "--member", "USER")))}
	}
	var out []GroupResult
	for _, n := range names {
		members := SplitList(doc.Values["groups."+n+".members"])
		if doc.Values["groups."+n+".id"] != "" && len(members) == 0 {
			continue
		}
		r, err := createGroup(ctx, e, GroupRequest{Name: n, Members: members, AsClient: !loggedIn})
		if err != nil && !loggedIn && doc.Values["groups."+n+".id"] != "" &&
			(globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden)) {
			out = append(out, GroupResult{Name: n, ID: doc.Values["groups."+n+".id"], DisplayName: groupCalled(doc, n), WaitsForLogin: true})
			continue
		}
		if err != nil {
			return out, problem(calledAs("group", "the group", groupCalled(e.Vault.Doc(), n)), err)
		}
		out = append(out, r)
	}
	return out, nil
}

func groupsAction(ctx context.Context, e *Env) (Report, error) {
	rs, err := EnsureGroups(ctx, e)
	rep := Report{OK: err == nil, in: func(n Namer) []string {
		var out []string
		for _, r := range rs {
			out = append(out, GroupLinesIn(r, n)...)
		}
		return out
	}}
	for _, r := range rs {
		rep.Lines = append(rep.Lines, GroupLines(r)...)
		if len(r.NotAdded()) > 0 {
			rep.OK = false
		}
	}
	return rep, err
}

// normalizeMembers validates usernames and UUIDs as the members key does.
func normalizeMembers(users []string) ([]string, error) {
	if len(users) == 0 {
		return nil, nil
	}
	n, err := NormalizeUsernames(strings.Join(users, " "))
	if err != nil {
		return nil, &Problem{What: "a member is not a Globus username or identity UUID", Err: err, Do: Say("give usernames like alice@anl.gov, or identity UUIDs")}
	}
	return SplitList(n), nil
}

func readGroup(ctx context.Context, e *Env, gc *groupCaller, name, id string) (*globus.Group, error) {
	g, err := e.Globus.GetGroup(ctx, gc.groups, id, true)
	if err == nil {
		return g, nil
	}
	label := "the group " + id
	if name != "" {
		label = calledAs("the stored group", "the stored group", groupCalled(e.Vault.Doc(), name)) + " (" + id + ")"
	}
	switch {
	case globus.IsStatus(err, http.StatusNotFound):
		who := "you"
		do := Say("check the ID; if the group was made by someone else, act as its owner ", cliOnly("(log in as them, or use or drop --as-client)", "(log in as them)"),
			"; if it was deleted, store another ID with ", setKey("groups."+orName(name)+".id"))
		if gc.asClient {
			// A group made in the web app belongs to the operator; the
			// app sees only groups it is in. That such a group reads as 404
			// rather than 403 is unverified (our emulator's answer): the
			// advice is given for either.
			who = "the Service API app"
			do = Say("if you made the group yourself (as on the console), log in first (", logIn(), ") so the wizard acts as you: the Service API app sees only groups it belongs to; otherwise ", do)
		}
		return nil, &Problem{What: label + " does not exist or " + who + " cannot see it", Err: err, Do: do}
	case globus.IsStatus(err, http.StatusForbidden):
		who := "you (the logged-in operator) are"
		do := Say("ask one of the group's admins to make you a manager or admin, or act as its owner ", cliOnly("(log in as them, or use or drop --as-client)", "(log in as them)"))
		if gc.asClient {
			who = "the Service API app is"
			do = Say("if you made the group yourself (as on the console), log in first (", logIn(), ") so the wizard acts as you; otherwise ", do)
		}
		return nil, &Problem{What: who + " not allowed to see or manage " + label, Err: err, Do: do}
	}
	return nil, groupProblem("reading the group "+id, gc, err)
}

func orName(name string) string {
	if name == "" {
		return "<name>"
	}
	return name
}

func groupProblem(doing string, gc *groupCaller, err error) error {
	if gc.asClient {
		return credsProblem(doing, serviceAPIApp(), err)
	}
	if globus.IsStatus(err, http.StatusUnauthorized) {
		return &Problem{What: doing + ": Globus did not accept the login", Err: err, is: ErrNotLoggedIn, Do: Say(run(logIn()), " again")}
	}
	return problem(doing, err)
}

// ownerOf names who owns a new group. Groups's create answer carries
// my_memberships only when include= asks (Groups OpenAPI), so without it the
// operator is named from userinfo.
func ownerOf(ctx context.Context, e *Env, g *globus.Group, gc *groupCaller) string {
	if gc.asClient {
		return gc.owner
	}
	for _, m := range g.MyMemberships {
		if m.Role == "admin" && m.Username != "" {
			return m.Username + " (you, the logged-in operator)"
		}
	}
	if gc.identities != nil {
		if ui, err := e.Globus.UserInfo(ctx, gc.identities); err == nil && ui.PreferredUsername != "" {
			return ui.PreferredUsername + " (you, the logged-in operator)"
		}
	}
	return gc.owner
}

// addMembers resolves usernames to identities and adds those not already in
// the group. current are the group's memberships when known. Members given
// by UUID need no look-up: a look-up that fails marks only the usernames it
// held MemberUnresolved (lookupErr says why) and the others are still added.
// A look-up Globus refuses until the operator signs in again is returned as
// the error instead, for Redrive to sign in and run it all once more.
func addMembers(ctx context.Context, e *Env, gc *groupCaller, groupID string, members []string, current []globus.Membership) (out []MemberOutcome, lookupErr error, err error) {
	if len(members) == 0 {
		return nil, nil, nil
	}
	out = make([]MemberOutcome, len(members))
	unused := map[string]bool{} // identity IDs that have never logged in
	var usernames []string
	for i, m := range members {
		out[i].User = m
		if isUUIDShape(m) {
			out[i].IdentityID = m
		} else {
			usernames = append(usernames, m)
		}
	}
	byName := map[string]globus.Identity{}
	failed := map[string]bool{}
	// One look-up per batch Globus takes, so a failed one leaves the others'
	// members resolved.
	for batch := range slices.Chunk(usernames, globus.IDsPerRequest) {
		ids, err := e.Globus.LookupIdentities(ctx, gc.identities, batch)
		if err != nil {
			if _, _, ok := globus.RequirementsOf(err); ok || ctx.Err() != nil {
				return nil, nil, err
			}
			if lookupErr == nil {
				lookupErr = problem("Globus's identity look-up failed", err)
				if gc.asClient {
					lookupErr = credsProblem("Globus's identity look-up (as the Service API app) failed", serviceAPIApp(), err)
				}
			}
			for _, u := range batch {
				failed[strings.ToLower(u)] = true
			}
			continue
		}
		for _, id := range ids {
			byName[strings.ToLower(id.Username)] = id
		}
	}
	for i := range out {
		if out[i].IdentityID != "" {
			continue
		}
		if failed[strings.ToLower(out[i].User)] {
			out[i].Result = MemberUnresolved
			out[i].Detail = "the identity look-up failed, so it is not known whether this username exists"
			continue
		}
		id := byName[strings.ToLower(out[i].User)]
		if id.ID == "" {
			out[i].Result = MemberUnknown
			out[i].Detail = "Globus has no identity with this username (has the person ever logged in to Globus?)"
			continue
		}
		out[i].IdentityID = id.ID
		if strings.EqualFold(id.Status, "unused") {
			// It exists (provisioned, never logged in) and can join a
			// group: globus-sdk-python testing/data/auth/get_identities.py.
			unused[strings.ToLower(id.ID)] = true
		}
	}
	active := map[string]bool{}
	for _, m := range current {
		if m.Status == "active" {
			active[strings.ToLower(m.IdentityID)] = true
		}
	}
	var adds []globus.MemberAdd
	index := map[string][]int{}
	for i := range out {
		if out[i].Result != "" {
			continue
		}
		id := strings.ToLower(out[i].IdentityID)
		if active[id] {
			out[i].Result = MemberAlready
			continue
		}
		if _, dup := index[id]; !dup {
			adds = append(adds, globus.MemberAdd{IdentityID: out[i].IdentityID, Role: "member"})
		}
		index[id] = append(index[id], i)
	}
	if len(adds) == 0 {
		return out, lookupErr, nil
	}
	res, err := e.Globus.AddMembers(ctx, gc.groups, groupID, adds)
	if err != nil {
		return out, lookupErr, groupProblem("adding members to the group "+groupID, gc, err)
	}
	for _, a := range res.Added {
		for _, i := range index[strings.ToLower(a.IdentityID)] {
			out[i].Result = MemberAdded
			if a.Status != "" && a.Status != "active" {
				out[i].Detail = "membership " + a.Status
			}
			if unused[strings.ToLower(a.IdentityID)] {
				out[i].Detail = strings.TrimPrefix(out[i].Detail+"; ", "; ") + "has never logged in to Globus (identity status unused): they must log in once before they can use the gateway"
			}
		}
	}
	for _, me := range res.Errors {
		for _, i := range index[strings.ToLower(me.IdentityID)] {
			if strings.EqualFold(me.Code, "ALREADY_ACTIVE") {
				out[i].Result = MemberAlready
				continue
			}
			out[i].Result = MemberFailed
			out[i].Detail = strings.TrimSpace(me.Code + ": " + me.Detail)
		}
	}
	for i := range out {
		if out[i].Result == "" {
			out[i].Result = MemberFailed
			out[i].Detail = "Globus Groups did not say whether it was added"
		}
	}
	return out, lookupErr, nil
}

func inGroup(ms []MemberOutcome) []string {
	var out []string
	for _, m := range ms {
		if m.Result == MemberAdded || m.Result == MemberAlready {
			out = append(out, m.User)
		}
	}
	return out
}

// notIn are the members found not to be in the group, dropped from the
// stored list; one not looked up stays as it was, for the next run.
func notIn(ms []MemberOutcome) []string {
	var out []string
	for _, m := range ms {
		if m.Result == MemberUnknown || m.Result == MemberFailed {
			out = append(out, m.User)
		}
	}
	return out
}

// storeGroup records a group's ID and merges members into its stored
// members, dropping those just found not to be in it, in one vault update.
func storeGroup(v *vault.Vault, name, id, display string, add, drop []string) error {
	idKey, memKey := "groups."+name+".id", "groups."+name+".members"
	normID, err := NormalizeUUID(id)
	if err != nil {
		return err
	}
	return v.Update(func(d *vault.Doc) error {
		initDoc(d)
		changed := d.Values[idKey] != normID
		d.Values[idKey] = normID
		recordGroupName(d, name, normID, display)
		dropped := map[string]bool{}
		for _, u := range drop {
			dropped[strings.ToLower(u)] = true
		}
		var list []string
		for _, u := range append(SplitList(d.Values[memKey]), add...) {
			if !dropped[strings.ToLower(u)] {
				list = append(list, u)
			}
		}
		if len(list) > 0 {
			n, err := NormalizeUsernames(strings.Join(list, " "))
			if err != nil {
				return err
			}
			changed = changed || d.Values[memKey] != n
			d.Values[memKey] = n
		} else if _, had := d.Values[memKey]; had {
			delete(d.Values, memKey)
			changed = true
		}
		now := time.Now().UTC()
		switch st, _ := stateOf(*d, groupsID); {
		case st == StateVerified && changed:
			d.Steps[groupsID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now, Note: "re-verify: groups." + name + " changed"}
		case !st.Finished() || st == StateSkipped:
			d.Steps[groupsID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now}
		}
		return nil
	})
}

// GroupLines describes a group result: one line for the group, one per
// member that was not simply added.
func GroupLines(r GroupResult) []string { return GroupLinesIn(r, CLI) }

// GroupLinesIn is GroupLines with its advice named by n.
func GroupLinesIn(r GroupResult, n Namer) []string {
	if r.WaitsForLogin {
		// "- ": a line that could not run yet, as a skipped check's.
		// DisplayName is the group as the operator knows it (groupCalled).
		label := r.DisplayName
		if label != "" {
			label += " "
		}
		return []string{Say(fmt.Sprintf("- Group %s(%s): the Service API app cannot see a group you made; its members are added after you log in (", label, r.ID), logIn(), ")").In(n)}
	}
	label := r.Name + " "
	if r.Name == "" {
		label = ""
	}
	var lines []string
	var added, already, unresolved []string
	for _, m := range r.Members {
		switch m.Result {
		case MemberAdded:
			added = append(added, m.User)
		case MemberAlready:
			already = append(already, m.User)
		case MemberUnresolved:
			unresolved = append(unresolved, m.User)
		}
	}
	var head string
	switch {
	case r.Created:
		head = fmt.Sprintf("Created group %s%q (%s), owned by %s", label, r.DisplayName, r.ID, r.Owner)
		if r.NamedFrom != "" {
			head += Say(fmt.Sprintf("; its name on Globus was made from %s", r.NamedFrom), cliOnly(" (--display-name gives another)", "")).In(n)
		}
	case r.Reused:
		head = fmt.Sprintf("Group %s%q (%s) is already stored: reused it", label, r.DisplayName, r.ID)
	default:
		head = fmt.Sprintf("Group %s%q (%s)", label, r.DisplayName, r.ID)
	}
	switch {
	case len(added) > 0:
		head += "; added " + strings.Join(added, ", ")
	case len(r.Members) > 0:
		head += "; added nobody"
	}
	if len(already) > 0 {
		head += "; already members: " + strings.Join(already, ", ")
	}
	lines = append(lines, head+".")
	for _, m := range r.Members {
		switch m.Result {
		case MemberUnknown:
			lines = append(lines, Say(fmt.Sprintf("✗ %s not added: %s — check the spelling, or ask them to log in to Globus once, then ", m.User, m.Detail),
				run(groupCmd("add", groupRef(r), m.User))).In(n))
		case MemberFailed:
			lines = append(lines, fmt.Sprintf("✗ %s not added: %s", m.User, m.Detail))
		}
	}
	if len(unresolved) > 0 {
		lines = append(lines, unresolvedLine(r, unresolved, n))
	}
	return lines
}

// unresolvedLine names, in one line, the members a failed look-up left out,
// why, and the command that adds them once it works.
func unresolvedLine(r GroupResult, users []string, n Namer) string {
	why, do := "the identity look-up failed", Advice{}
	var p *Problem
	switch {
	case errors.As(r.LookupErr, &p):
		why, do = p.Error(), p.Do
	case r.LookupErr != nil:
		why = r.LookupErr.Error()
	}
	if do.Empty() {
		if h := Hint(r.LookupErr); h != "" {
			do = Say(h)
		}
	}
	again := append([]string{"add", groupRef(r)}, users...)
	tail := Say("once it works, ", run(groupCmd(again...)))
	if !do.Empty() {
		tail = Say(do, "; then ", run(groupCmd(again...)))
	}
	return Say(fmt.Sprintf("✗ not looked up, so not added: %s — %s; ", strings.Join(users, ", "), why), tail).In(n)
}

// groupRef names the group in a command: its stored name, else its UUID.
func groupRef(r GroupResult) string {
	if r.Name != "" {
		return r.Name
	}
	if r.ID != "" {
		return r.ID
	}
	return orName(r.Name)
}
