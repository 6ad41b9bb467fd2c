package globustest

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func (w *world) userinfo(t *testing.T, bearer string) answer {
	t.Helper()
	return call{method: "GET", url: w.authURL + "v2/oauth2/userinfo", bearer: bearer}.do(t)
}

func TestUserinfo(t *testing.T) {
	w := newWorld(t)
	full := tokenFor(t, w.login(t, w.publicID, "openid", "profile", "email", ManageProjectsScope), AuthResourceServer)
	doc := expect(t, w.userinfo(t, full), 200).obj(t)
	want := map[string]any{"sub": w.operator.ID, "preferred_username": "operator@example.org", "name": "Demo Operator",
		"email": "operator@example.org", "identity_provider": w.operator.IdentityProvider,
		"identity_provider_display_name": "example.org", "organization": "example.org"}
	for k, v := range want {
		if doc[k] != v {
			t.Errorf("userinfo %s = %v, want %v", k, doc[k], v)
		}
	}
	if _, ok := doc["last_authentication"].(float64); !ok {
		t.Errorf("userinfo has no last_authentication: %v", doc)
	}

	// The claims follow the token's scopes, as Globus's do.
	bare := tokenFor(t, w.login(t, w.publicID, "openid", ManageProjectsScope), AuthResourceServer)
	if got := slices.Sorted(maps.Keys(expect(t, w.userinfo(t, bare), 200).obj(t))); !slices.Equal(got, []string{"last_authentication", "sub"}) {
		t.Errorf("openid alone gives %v", got)
	}

	noOpenID := w.login(t, w.publicID, ManageProjectsScope, GroupsScope)
	globusError(t, w.userinfo(t, tokenFor(t, noOpenID, AuthResourceServer)), 403, "FORBIDDEN")
	globusError(t, w.userinfo(t, tokenFor(t, noOpenID, GroupsResourceServer)), 403, "FORBIDDEN")
	globusError(t, w.userinfo(t, ""), 401, "UNAUTHORIZED")
	globusError(t, w.userinfo(t, "not-a-token"), 401, "UNAUTHORIZED")

	// A client identity asking for openid profile email.
	id, secret := w.s.RegisterClient(w.project, "Service account", ClientIdentity)
	cc := expect(t, w.clientCredentials(t, id, secret, "openid profile email"), 200).obj(t)["access_token"].(string)
	doc = expect(t, w.userinfo(t, cc), 200).obj(t)
	if doc["sub"] != id || doc["preferred_username"] != id+"@clients.auth.globus.org" || doc["last_authentication"] != nil {
		t.Errorf("client identity userinfo: %v", doc)
	}

	w.s.RevokeTokens("operator@example.org")
	globusError(t, w.userinfo(t, full), 401, "UNAUTHORIZED")
}

func TestInspection(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	p2 := w.s.AddProject("Second", "two@example.org", "bob@example.org", "operator@example.org")
	svc, _ := w.s.RegisterClient(p2, "Service API", HybridConfidentialRS)
	pol1 := w.s.AddPolicy(w.project, "HA", []string{"uni.edu"}, 3600)
	pol2 := w.s.AddPolicy(p2, "HA2", []string{"a.org", "b.org"}, 60)
	web := expect(t, call{method: "POST", url: w.authURL + "v2/api/clients", bearer: auth, json: map[string]any{
		"client": map[string]any{"name": "portal", "project": p2, "client_type": ConfidentialClient,
			"redirect_uris": []string{"https://portal.example.org/cb"}}}}.do(t), 200).obj(t)["client"].(map[string]any)["id"].(string)

	ps := w.s.Projects()
	if len(ps) != 2 || ps[0].ID != w.project || ps[0].Name != "Gateway" || ps[0].ContactEmail != "operator@example.org" ||
		!slices.Equal(ps[0].Admins, []string{"operator@example.org"}) ||
		ps[1].ID != p2 || !slices.Equal(ps[1].Admins, []string{"bob@example.org", "operator@example.org"}) {
		t.Errorf("projects %+v", ps)
	}

	ids := func(cs []ClientInfo) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	if got := ids(w.s.Clients("")); !slices.Equal(got, []string{w.publicID, svc, web}) {
		t.Errorf("all clients %v", got)
	}
	cs := w.s.Clients(p2)
	if !slices.Equal(ids(cs), []string{svc, web}) || cs[0].ClientType != HybridConfidentialRS || cs[0].ProjectID != p2 ||
		cs[1].Name != "portal" || !slices.Equal(cs[1].RedirectURIs, []string{"https://portal.example.org/cb"}) {
		t.Errorf("project clients %+v", cs)
	}
	if got := w.s.Clients("no-such-project"); len(got) != 0 {
		t.Errorf("unknown project's clients %v", got)
	}
	cs[1].RedirectURIs[0] = "changed"
	if w.s.Clients(p2)[1].RedirectURIs[0] == "changed" {
		t.Error("Clients hands out the emulator's own slice")
	}

	if _, err := w.s.AddClientSecret(svc, "second"); err != nil {
		t.Fatal(err)
	}
	creds := w.s.Credentials(svc)
	if len(creds) != 2 || creds[0].Name != "seeded" || creds[1].Name != "second" || creds[0].ID == creds[1].ID {
		t.Errorf("credentials %+v", creds)
	}
	if w.s.Credentials(w.publicID) != nil || w.s.Credentials("nope") != nil {
		t.Error("credentials for a public or unknown client")
	}

	pols := w.s.Policies("")
	if len(pols) != 2 || pols[0].ID != pol1 || pols[1].ID != pol2 {
		t.Fatalf("policies %+v", pols)
	}
	if got := w.s.Policies(p2); len(got) != 1 || got[0].Name != "HA2" || got[0].Timeout != 60 || !got[0].HighAssurance ||
		!slices.Equal(got[0].Domains, []string{"a.org", "b.org"}) {
		t.Errorf("project policies %+v", got)
	}
}

func TestDeleteCredential(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	second, _ := w.s.AddClientSecret(id, "second")
	creds := w.s.Credentials(id)
	del := func(bearer, clientID, credID string) answer {
		return call{method: "DELETE", url: w.authURL + "v2/api/clients/" + clientID + "/credentials/" + credID, bearer: bearer}.do(t)
	}

	got := expect(t, del(auth, id, creds[0].ID), 200).obj(t)["credential"].(map[string]any)
	if got["id"] != creds[0].ID || got["name"] != "seeded" || got["client"] != id || got["created"] == nil {
		t.Errorf("deleted credential %v", got)
	}
	// "secret": null, as globus-sdk-python's delete_client_credential.py records it.
	if s, ok := got["secret"]; !ok || s != nil {
		t.Errorf("the delete answer's secret is %v, want null", s)
	}
	oauthErr(t, w.clientCredentials(t, id, secret, ""), 401, "invalid_client")
	expect(t, w.clientCredentials(t, id, second, ""), 200)
	if left := w.s.Credentials(id); len(left) != 1 || left[0].Name != "second" {
		t.Errorf("left %v", left)
	}
	list := expect(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id + "/credentials", bearer: auth}.do(t), 200).obj(t)
	if l := list["credentials"].([]any); len(l) != 1 {
		t.Errorf("listed %v", l)
	}

	// Deleting again, or on an unknown client, is a 404.
	globusError(t, del(auth, id, creds[0].ID), 404, "NOT_FOUND")
	globusError(t, del(auth, "no-such-client", creds[1].ID), 404, "NOT_FOUND")
	globusError(t, del("", id, creds[1].ID), 401, "UNAUTHORIZED")

	// Someone else, or a token without manage_projects, may not.
	w.s.AddIdentity("bob@example.org", "Bob", "bob@example.org", "")
	w.s.SetOperator("bob@example.org")
	bob := tokenFor(t, w.login(t, w.publicID, ManageProjectsScope), AuthResourceServer)
	w.s.SetOperator("operator@example.org")
	globusError(t, del(bob, id, creds[1].ID), 403, "FORBIDDEN")
	weak := tokenFor(t, w.login(t, w.publicID, "openid"), AuthResourceServer)
	globusError(t, del(weak, id, creds[1].ID), 403, "FORBIDDEN")
	if len(w.s.Credentials(id)) != 1 {
		t.Error("a refused delete deleted")
	}
}

func TestRevokeTokens(t *testing.T) {
	g := newGateway(t)
	auth, _ := g.operatorTokens(t)
	g.s.SetOperator("alice@uchicago.edu")
	doc := g.login(t, g.publicID, g.scopeString)
	g.s.SetOperator("operator@example.org")
	alice := tokenFor(t, doc, g.apiID)
	if expect(t, g.introspect(t, alice), 200).obj(t)["active"] != true {
		t.Fatal("fresh token inactive")
	}

	g.s.RevokeTokens("Alice@UChicago.edu")
	for _, tok := range []string{alice, g.userToken} {
		if got := strings.TrimSpace(string(expect(t, g.introspect(t, tok, g.policyID), 200).raw)); got != `{"active":false}` {
			t.Errorf("revoked token introspects as %s", got)
		}
	}
	oauthErr(t, call{method: "POST", url: g.authURL + "v2/oauth2/token", form: url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {doc["refresh_token"].(string)}, "client_id": {g.publicID}}}.do(t), 400, "invalid_grant")
	oauthErr(t, call{method: "POST", url: g.authURL + "v2/oauth2/token", basic: &[2]string{g.apiID, g.apiSecret},
		form: url.Values{"grant_type": {DependentTokenGrant}, "token": {alice}}}.do(t), 400, "invalid_grant")

	// Other users keep theirs; an unknown name revokes nothing.
	g.s.RevokeTokens("nobody@example.org")
	expect(t, call{method: "GET", url: g.authURL + "v2/api/projects", bearer: auth}.do(t), 200)
	// A later login works again.
	g.s.SetOperator("alice@uchicago.edu")
	again := tokenFor(t, g.login(t, g.publicID, g.scopeString), g.apiID)
	if expect(t, g.introspect(t, again), 200).obj(t)["active"] != true {
		t.Error("a login after revocation is inactive")
	}
}
