package steps

import (
	"context"
	"strings"
	"testing"
)

// perIdPWorld: no GLOBUS_GROUPS, and AUTHORIZED_GROUPS_PER_IDP asking users
// from example.edu to be in the group "edu users" (alice is, bob is not).
func perIdPWorld(t *testing.T) (*world, string) {
	t.Helper()
	w := newWorld(t)
	if _, err := EnsureScope(context.Background(), w.e); err != nil {
		t.Fatal(err)
	}
	gid := w.srv.AddGroup("edu users", operator)
	w.set(map[string]string{groupsPerIdPKey: `{"example.edu": "` + gid + `"}`})
	return w, gid
}

// The proof checks AUTHORIZED_GROUPS_PER_IDP as the gateway's
// check_groups_per_idp does: a user from a listed domain outside its
// groups is refused, naming them; in one, admitted.
func TestProveGroupsPerIdP(t *testing.T) {
	w, gid := perIdPWorld(t)
	p := w.prove(w.userToken("bob@example.edu"))
	wantChecks(t, p, P, P, P, P, P, F, P)
	mustContain(t, p.Lines()[0], "bob@example.edu would be refused: bob@example.edu is from example.edu, for which AUTHORIZED_GROUPS_PER_IDP asks for a group, and is in none of them: "+gid,
		"not part of the Globus Groups applied for")
	mustContain(t, p.Checks[5].Hint.String(), "add the user to one of those groups")

	if err := w.srv.AddMember(gid, "bob@example.edu", "member"); err != nil {
		t.Fatal(err)
	}
	p = w.prove(w.userToken("bob@example.edu"))
	wantChecks(t, p, P, P, P, P, P, P, P)
	mustContain(t, p.Checks[5].Line(), "✓ Member of a group for their identity provider (bob@example.edu (example.edu) is in \"edu users\" ("+gid+"), a group AUTHORIZED_GROUPS_PER_IDP names for example.edu)")
}

// A domain the mapping does not list needs no group; the domain is the
// username's, compared exactly as the gateway compares it.
func TestProveGroupsPerIdPOtherDomain(t *testing.T) {
	w, _ := perIdPWorld(t)
	p := w.prove(w.userToken("alice@example.org"))
	wantChecks(t, p, P, P, P, P, P, P, P)
	mustContain(t, p.Checks[5].Detail, "example.org is not in AUTHORIZED_GROUPS_PER_IDP")
}

// When the domain check refuses, the gateway never gets to the mapping.
func TestProveGroupsPerIdPAfterARefusedDomain(t *testing.T) {
	w, _ := perIdPWorld(t)
	w.srv.SetAuthenticatedWith("bob@example.edu", "bob@gmail.com")
	p := w.prove(w.userToken("bob@example.edu"))
	if c := p.Checks[5]; c.Status != CheckSkip || !strings.Contains(c.Detail, "the identity the domain check admits") {
		t.Errorf("%s", c.Line())
	}
}

func TestGatewayDomain(t *testing.T) {
	for in, want := range map[string]string{"bob@example.edu": "example.edu", "a@b@c": "b", "a@": ""} {
		if got, ok := gatewayDomain(in); !ok || got != want {
			t.Errorf("gatewayDomain(%q) = %q, %v", in, got, ok)
		}
	}
	if _, ok := gatewayDomain("nodomain"); ok {
		t.Error("a username without '@' has a domain")
	}
}
