package steps

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

const ghost = "ghost@nowhere.example"

func TestCreateGroupReportsUnknownAndPerMemberErrors(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	stranger := "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b" // an identity UUID Globus does not know
	res, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users", Description: "gateway users",
		Members: []string{"Alice@Example.org", ghost, stranger, "bob@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created || res.ID == "" || res.DisplayName != "Demo Inference Gateway Users" {
		t.Fatalf("%+v", res)
	}
	mustContain(t, res.Owner, operator)
	got := map[string]MemberOutcome{}
	for _, m := range res.Members {
		got[m.User] = m
	}
	if got["alice@example.org"].Result != MemberAdded || got["bob@example.edu"].Result != MemberAdded {
		t.Errorf("known users not added: %+v", res.Members)
	}
	if got[ghost].Result != MemberUnknown {
		t.Errorf("unknown username: %+v", got[ghost])
	}
	if m := got[stranger]; m.Result != MemberFailed || !strings.Contains(m.Detail, "IDENTITY_NOT_FOUND") {
		t.Errorf("per-member error: %+v", m)
	}
	lines := strings.Join(GroupLines(res), "\n")
	mustContain(t, lines, "Created group users", res.ID, "owned by "+operator, "added alice@example.org, bob@example.edu",
		"✗ "+ghost+" not added", "✗ "+stranger+" not added: IDENTITY_NOT_FOUND")

	if got := w.get("groups.users.id"); got != res.ID {
		t.Errorf("stored id %q", got)
	}
	if got := w.get("groups.users.members"); got != "alice@example.org bob@example.edu" {
		t.Errorf("stored members %q", got)
	}
	var names []string
	for _, m := range w.srv.GroupMembers(res.ID) {
		names = append(names, m.Username+":"+m.Role)
	}
	if strings.Join(names, " ") != operator+":admin alice@example.org:member bob@example.edu:member" {
		t.Errorf("emulator members %v", names)
	}

	// Again, with the same name: reused, nobody added twice, no second group.
	again, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if again.Created || !again.Reused || again.ID != res.ID || again.Members[0].Result != MemberAlready {
		t.Fatalf("second create: %+v", again)
	}
	if n := w.count(http.MethodPost, "/v2/groups"); n != 2 {
		t.Errorf("%d POSTs under /v2/groups, want 2 (the first run's create and add)", n)
	}
}

func TestCreateGroupPerMemberErrorFromGroups(t *testing.T) {
	w := newWorld(t)
	w.login()
	alice, _ := w.srv.LookupIdentity("alice@example.org")
	bob, _ := w.srv.LookupIdentity("bob@example.edu")
	// Groups answers 200 with one member taken and one refused.
	w.srv.FailNext(http.MethodPost, "/v2/groups/", 1, globustest.Failure{Status: 200,
		Body: `{"add":[{"group_id":"g","identity_id":"` + alice.ID + `","username":"alice@example.org","role":"member","status":"active"}],` +
			`"errors":{"add":[{"code":"POLICY_VIOLATION","detail":"not from an allowed identity provider","identity_id":"` + bob.ID + `"}]}}`})
	res, err := CreateGroup(context.Background(), w.e, GroupRequest{Name: "team", Members: []string{"alice@example.org", "bob@example.edu"}})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Join(GroupLines(res), "\n")
	mustContain(t, lines, "added alice@example.org", "✗ bob@example.edu not added: POLICY_VIOLATION: not from an allowed identity provider")
	if got := w.get("groups.team.members"); got != "alice@example.org" {
		t.Errorf("stored members %q", got)
	}
}

func TestGroupAsClientAndAdd(t *testing.T) {
	w := newWorld(t) // not logged in
	ctx := context.Background()
	if _, err := CreateGroup(ctx, w.e, GroupRequest{Name: "ops"}); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("without login: %v", err)
	} else {
		mustContain(t, Hint(err), "globus-setup login", "--as-client")
	}
	res, err := CreateGroup(ctx, w.e, GroupRequest{Name: "ops", Members: []string{"alice@example.org"}, AsClient: true})
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, res.Owner, "Service API", w.apiID+"@clients.auth.globus.org")
	members := w.srv.GroupMembers(res.ID)
	if len(members) != 2 || members[0].Role != "admin" || !strings.Contains(members[0].Username, w.apiID) {
		t.Errorf("emulator members %+v", members)
	}
	// Add by name, then by UUID.
	add, err := AddGroupMembers(ctx, w.e, "ops", []string{"bob@example.edu", ghost}, true)
	if err != nil {
		t.Fatal(err)
	}
	if add.Members[0].Result != MemberAdded || add.Members[1].Result != MemberUnknown {
		t.Errorf("%+v", add.Members)
	}
	if got := w.get("groups.ops.members"); got != "alice@example.org bob@example.edu" {
		t.Errorf("stored %q", got)
	}
	carol := w.srv.AddIdentity("carol@example.org", "Carol", "", "")
	byID, err := AddGroupMembers(ctx, w.e, strings.ToUpper(res.ID), []string{"carol@example.org"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if byID.Name != "ops" || byID.Members[0].IdentityID != carol.ID {
		t.Errorf("%+v", byID)
	}
	if got := w.get("groups.ops.members"); got != "alice@example.org bob@example.edu carol@example.org" {
		t.Errorf("stored %q", got)
	}
	if _, err := AddGroupMembers(ctx, w.e, "nosuch", []string{"bob@example.edu"}, true); err == nil {
		t.Error("unknown group name accepted")
	} else {
		mustContain(t, Hint(err), "group create nosuch")
	}
	if _, err := CreateGroup(ctx, w.e, GroupRequest{Name: "Bad Name!", AsClient: true}); err == nil {
		t.Error("bad group name accepted")
	}
}

func TestEnsureGroupsAction(t *testing.T) {
	w := newWorld(t)
	w.set(map[string]string{"groups.users.members": "alice@example.org " + ghost})
	s, _ := StepByID("groups")
	rep, err := s.Action(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Error("an unknown member must make the report not OK")
	}
	mustContain(t, strings.Join(rep.Lines, "\n"), "Created group users", "client identity", "✗ "+ghost)
	if w.get("groups.users.id") == "" || w.get("groups.users.members") != "alice@example.org" {
		t.Errorf("stored %q %q", w.get("groups.users.id"), w.get("groups.users.members"))
	}
	// Running it again changes nothing.
	if _, err := s.Action(context.Background(), w.e); err != nil {
		t.Fatal(err)
	}
	if n := w.count(http.MethodPost, "/v2/groups"); n != 2 {
		t.Errorf("%d group POSTs, want 2 (create, add)", n)
	}
}

// An identity that exists but has never logged in (status "unused") can
// join a group; the outcome says they must log in once.
func TestAddUnusedIdentity(t *testing.T) {
	w := newWorld(t)
	w.login()
	w.srv.AddUnusedIdentity("newcomer@example.org")
	res, err := CreateGroup(context.Background(), w.e, GroupRequest{Name: "users", Members: []string{"newcomer@example.org", ghost}})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]MemberOutcome{}
	for _, m := range res.Members {
		got[m.User] = m
	}
	if m := got["newcomer@example.org"]; m.Result != MemberAdded || !strings.Contains(m.Detail, "never logged in") {
		t.Errorf("unused identity: %+v", m)
	}
	if got[ghost].Result != MemberUnknown {
		t.Errorf("unknown username: %+v", got[ghost])
	}
}

// A 403 on a group read says the operator cannot see or manage it, not that
// it does not exist.
func TestGroupRead403(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	res, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users"})
	if err != nil {
		t.Fatal(err)
	}
	w.srv.FailNext(http.MethodGet, "/v2/groups/"+res.ID, 1, globustest.Failure{Status: http.StatusForbidden})
	_, err = AddGroupMembers(ctx, w.e, "users", []string{"alice@example.org"}, false)
	if err == nil {
		t.Fatal("no error")
	}
	mustContain(t, err.Error(), `not allowed to see or manage the stored group "Demo Inference Gateway Users"`) // its name on Globus, not its key
	w.srv.FailNext(http.MethodGet, "/v2/groups/"+res.ID, 1, globustest.Failure{Status: http.StatusForbidden})
	c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group ")
	mustContain(t, c.Line(), "cannot see or manage group "+res.ID)
}

// The default group's fields are labelled with its display name on Globus,
// the name the wizard creates it with and verify reads back; a group whose
// name is not known keeps its key.
func TestGroupLabelsUseDisplayName(t *testing.T) {
	v := newVault(t)
	if err := v.Set("project.name", "Acme Gateway"); err != nil {
		t.Fatal(err)
	}
	shown := defaultGroupDisplayName(v, DefaultGroup) // what CreateGroup names it
	if shown != "Acme Gateway Users" {
		t.Fatalf("display name %q", shown)
	}
	doc := v.Doc()
	for which, want := range map[string]string{"id": `Group ID ("Acme Gateway Users")`, "members": `Members ("Acme Gateway Users")`} {
		s, ok := SpecIn(doc, "groups."+DefaultGroup+"."+which)
		if !ok || s.Label != want || !strings.Contains(s.Help, `the group "Acme Gateway Users"`) {
			t.Errorf("%s: %q / %q, want %q", which, s.Label, s.Help, want)
		}
		plain, _ := Spec("groups." + DefaultGroup + "." + which)
		if f := FieldIn(doc, fieldOf(plain, true)); f.Label != want {
			t.Errorf("field %s: %q", which, f.Label)
		}
	}
	// No project name yet: the default the wizard would use, as the copy panel.
	if s, _ := SpecIn(docWith(nil), "groups.users.id"); s.Label != `Group ID ("Inference Gateway Users")` {
		t.Errorf("no project name: %q", s.Label)
	}
	// Another group's name on Globus is not stored: its key.
	if s, ok := SpecIn(doc, "groups.admins.members"); !ok || s.Label != "Members (admins)" {
		t.Errorf("other group: %q %v", s.Label, ok)
	}
	// Spec itself (scripts, `get`, DESIGN's key table) is unchanged.
	if s, _ := Spec("groups.users.id"); s.Label != "Group ID (users)" {
		t.Errorf("Spec: %q", s.Label)
	}
}
