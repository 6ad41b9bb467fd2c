package steps

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// failLookups makes every identity look-up fail as an outage would: 503,
// retried and still 503.
func failLookups(srv *globustest.Server) {
	srv.FailNext(http.MethodGet, "/v2/api/identities", 1000, globustest.Failure{Status: http.StatusServiceUnavailable})
}

func groupMemberNames(srv *globustest.Server, id string) []string {
	var out []string
	for _, m := range srv.GroupMembers(id) {
		if m.Role == "member" {
			out = append(out, m.Username)
		}
	}
	return out
}

// A failed identity look-up stops no member given by UUID: those are added,
// the usernames are named as not looked up (and why), and the vault keeps
// what it had of them.
func TestFailedLookupAddsMembersByUUID(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	bob, _ := w.srv.LookupIdentity("bob@example.edu")
	failLookups(w.srv)
	res, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org", bob.ID, ghost}})
	if err != nil {
		t.Fatalf("a failed look-up stopped the group: %v", err)
	}
	got := map[string]MemberOutcome{}
	for _, m := range res.Members {
		got[m.User] = m
	}
	if got[bob.ID].Result != MemberAdded {
		t.Errorf("the member given by UUID: %+v", got[bob.ID])
	}
	for _, u := range []string{"alice@example.org", ghost} {
		if got[u].Result != MemberUnresolved {
			t.Errorf("%s: %+v, want not looked up", u, got[u])
		}
	}
	if n := res.NotAdded(); !slices.Equal(n, []string{"alice@example.org", ghost}) {
		t.Errorf("not added: %v", n)
	}
	if names := groupMemberNames(w.srv, res.ID); !slices.Equal(names, []string{"bob@example.edu"}) {
		t.Errorf("in the group at Globus: %v", names)
	}
	lines := GroupLines(res)
	all := strings.Join(lines, "\n")
	t.Logf("group create with the look-up failing:\n%s", all)
	mustContain(t, lines[0], "Created group users", "added "+bob.ID)
	mustContain(t, all, "✗ not looked up, so not added: alice@example.org, "+ghost,
		"identity look-up failed", "503",
		"globus-setup group add users alice@example.org "+ghost)
	if strings.Contains(all, "Globus has no identity") {
		t.Errorf("a username that was never looked up is called unknown:\n%s", all)
	}
	if got := w.get("groups.users.members"); got != bob.ID {
		t.Errorf("stored members %q, want only the one added", got)
	}
}

// apply's groups step with stored members: the one given by UUID joins, the
// usernames stay stored for the next run, and the report is not OK.
func TestEnsureGroupsKeepsMembersNotLookedUp(t *testing.T) {
	w := newWorld(t)
	bob, _ := w.srv.LookupIdentity("bob@example.edu")
	w.set(map[string]string{"groups.users.members": "alice@example.org " + bob.ID})
	failLookups(w.srv)
	s, _ := StepByID("groups")
	rep, err := s.Action(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK {
		t.Error("a member not looked up must make the report not OK")
	}
	t.Logf("apply's groups step with the look-up failing:\n%s", strings.Join(rep.Lines, "\n"))
	mustContain(t, strings.Join(rep.Lines, "\n"), "added "+bob.ID, "✗ not looked up, so not added: alice@example.org",
		"as the Service API app")
	id := w.get("groups.users.id")
	if names := groupMemberNames(w.srv, id); !slices.Equal(names, []string{"bob@example.edu"}) {
		t.Errorf("in the group: %v", names)
	}
	if got := w.get("groups.users.members"); got != "alice@example.org "+bob.ID {
		t.Errorf("stored members %q: alice must stay for the next run", got)
	}
	// Globus answers again: the next run adds her.
	w.srv.ClearFailures()
	if rep, err := s.Action(context.Background(), w.e); err != nil || !rep.OK {
		t.Fatalf("second run: %v %+v", err, rep.Lines)
	}
	if names := groupMemberNames(w.srv, id); !slices.Equal(names, []string{"bob@example.edu", "alice@example.org"}) {
		t.Errorf("after the second run: %v", names)
	}
}

// Usernames are looked up a batch at a time: a batch that fails leaves the
// other batches' members added, and names only its own.
func TestFailedLookupBatchNamesOnlyItsMembers(t *testing.T) {
	srv := globustest.New()
	late := "zed@example.org" // in the second batch
	ts := wrapped(t, srv, func(rw http.ResponseWriter, r *http.Request) bool {
		if strings.HasSuffix(r.URL.Path, "/v2/api/identities") && strings.Contains(r.URL.Query().Get("usernames"), late) {
			http.Error(rw, `{"errors":[{"status":"400","code":"BAD_REQUEST"}]}`, http.StatusBadRequest)
			return true
		}
		return false
	})
	w := newWorldOn(t, srv, ts.URL+"/auth/", ts.URL+"/groups/")
	w.login()
	var users []string
	for i := range globus.IDsPerRequest {
		u := fmt.Sprintf("user%03d@example.org", i)
		srv.AddIdentity(u, u, u, "")
		users = append(users, u)
	}
	srv.AddIdentity(late, "Zed", late, "")
	users = append(users, late)
	res, err := CreateGroup(context.Background(), w.e, GroupRequest{Name: "big", Members: users})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.NotAdded(); !slices.Equal(n, []string{late}) {
		t.Errorf("not added: %v, want only %s", n, late)
	}
	if n := len(groupMemberNames(srv, res.ID)); n != globus.IDsPerRequest {
		t.Errorf("%d members in the group, want %d", n, globus.IDsPerRequest)
	}
}

// A look-up Globus refuses until the operator signs in again is not a
// failed look-up: it goes to Redrive, which (off a terminal) names the login.
func TestLookupNeedingSignInIsRedriven(t *testing.T) {
	w := newWorld(t)
	w.login()
	d, err := globustest.ParseDemand("GET /v2/api/identities mfa")
	if err != nil {
		t.Fatal(err)
	}
	w.srv.DemandSession(d)
	bob, _ := w.srv.LookupIdentity("bob@example.edu")
	_, err = CreateGroup(context.Background(), w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org", bob.ID}})
	if !errors.Is(err, ErrReauthRequired) {
		t.Fatalf("got %v, want a sign-in request", err)
	}
	mustContain(t, Hint(err), "globus-setup login", "--mfa")
}
