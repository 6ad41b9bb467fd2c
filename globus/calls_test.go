package globus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func decodeBody(t *testing.T, s seen) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s.Body), &m); err != nil {
		t.Fatalf("body %q: %v", s.Body, err)
	}
	return m
}

func TestClientCredentialsToken(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{
			"access_token": "AT-auth", "scope": "openid", "resource_server": "auth.globus.org", "expires_in": 172800, "token_type": "Bearer",
			"other_tokens": []map[string]any{{"access_token": "AT-groups", "scope": GroupsScope, "resource_server": "groups.api.globus.org", "expires_in": 100, "token_type": "Bearer"}},
		})
	})
	ts, err := f.c.ClientCredentialsToken(context.Background(), testCred, GroupsScope, "openid")
	if err != nil {
		t.Fatal(err)
	}
	if ts[AuthResourceServer].AccessToken != "AT-auth" || ts[GroupsResourceServer].AccessToken != "AT-groups" || ts[GroupsResourceServer].ExpiresAt.IsZero() {
		t.Errorf("tokens %v", ts)
	}
	r := f.rec.all()[0]
	user, pass, _ := (&http.Request{Header: r.Header}).BasicAuth()
	if r.Method != "POST" || r.Path != "/auth/v2/oauth2/token" || user != testCred.ID || pass != testCred.Secret {
		t.Errorf("request %s %s basic=%v", r.Method, r.Path, user == testCred.ID)
	}
	if r.Form.Get("grant_type") != "client_credentials" || r.Form.Get("scope") != GroupsScope+" openid" {
		t.Errorf("form %v", r.Form)
	}
}

func TestCreateScopeBothShapes(t *testing.T) {
	scope := map[string]any{"id": "sc1", "scope_string": "https://auth.globus.org/scopes/" + testCred.ID + "/action_all", "name": "Gateway",
		"client": testCred.ID, "allows_refresh_token": true,
		"dependent_scopes": []map[string]any{{"scope": GroupsDependentScopeID, "optional": false, "requires_refresh_token": true}}}
	for name, answer := range map[string]any{
		"scope":  map[string]any{"scope": scope},
		"scopes": map[string]any{"scopes": []any{map[string]any{"id": "other", "scope_string": "x/other"}, scope}},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 201, answer) })
			got, err := f.c.CreateScope(context.Background(), testCred, ActionAllScopeCreate("Gateway", "Access"))
			if err != nil {
				t.Fatal(err)
			}
			want := DependentScope{Scope: GroupsDependentScopeID, RequiresRefreshToken: true}
			if got.ID != "sc1" || !strings.HasSuffix(got.ScopeString, "/action_all") || len(got.DependentScopes) != 1 || got.DependentScopes[0] != want || !got.AllowsRefreshToken {
				t.Errorf("scope %+v", got)
			}
			r := f.rec.all()[0]
			if r.Path != "/auth/v2/api/clients/"+testCred.ID+"/scopes" || r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("%s %s", r.Path, r.Header.Get("Content-Type"))
			}
			body := decodeBody(t, r)["scope"].(map[string]any)
			wantBody := map[string]any{"name": "Gateway", "description": "Access", "scope_suffix": "action_all",
				"dependent_scopes": []any{map[string]any{"scope": GroupsDependentScopeID, "optional": false, "requires_refresh_token": true}}}
			if !reflect.DeepEqual(body, wantBody) {
				t.Errorf("body %v", body)
			}
		})
	}
}

func TestGetScopesAndScope(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/v2/api/scopes/s1" {
			writeJSON(w, 200, map[string]any{"scope": map[string]any{"id": "s1", "scope_string": "x/action_all"}})
			return
		}
		writeJSON(w, 200, map[string]any{"scopes": []map[string]any{{"id": "s1"}, {"id": "s2"}}})
	})
	got, err := f.c.GetScopes(context.Background(), Basic(testCred), []string{"s1", "s2"})
	if err != nil || len(got) != 2 || got[1].ID != "s2" {
		t.Fatalf("%v %v", got, err)
	}
	if q := f.rec.all()[0].RawQuery; q != "ids=s1%2Cs2" {
		t.Errorf("query %q", q)
	}
	one, err := f.c.GetScope(context.Background(), Basic(testCred), "s1")
	if err != nil || one.ScopeString != "x/action_all" {
		t.Fatalf("%v %v", one, err)
	}
	if got, err := f.c.GetScopes(context.Background(), Basic(testCred), nil); err != nil || got != nil || f.rec.count() != 2 {
		t.Errorf("no IDs: %v %v, %d requests", got, err, f.rec.count())
	}
}

func TestLookupIdentitiesChunksAndKeepsOrder(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		names := strings.Split(r.URL.Query().Get("usernames"), ",")
		var ids []map[string]any
		for i := len(names) - 1; i >= 0; i-- { // answer in reverse order
			if strings.HasPrefix(names[i], "ghost") {
				continue
			}
			ids = append(ids, map[string]any{"id": "id-" + names[i], "username": strings.ToLower(names[i]), "status": "used"})
		}
		writeJSON(w, 200, map[string]any{"identities": ids})
	})
	var in []string
	for i := range 250 {
		in = append(in, fmt.Sprintf("user%03d@example.org", i))
	}
	in = append(in, "ghost@example.org", "User007@Example.org")
	got, err := f.c.LookupIdentities(context.Background(), Bearer("tok-abcdef"), in)
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.rec.all()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	for i, want := range []int{100, 100, 51} { // the duplicate is asked once
		if n := len(strings.Split(queryOf(reqs[i]), ",")); n != want {
			t.Errorf("request %d has %d names, want %d", i, n, want)
		}
	}
	if len(got) != len(in) {
		t.Fatalf("%d identities for %d names", len(got), len(in))
	}
	for i := range 250 {
		if got[i].ID != "id-"+in[i] {
			t.Fatalf("identity %d = %+v", i, got[i])
		}
	}
	if got[250].ID != "" || got[250].Username != "ghost@example.org" {
		t.Errorf("unknown: %+v", got[250])
	}
	if got[251].ID != "id-user007@example.org" {
		t.Errorf("case-insensitive match: %+v", got[251])
	}
}

func queryOf(s seen) string {
	q, _ := url.ParseQuery(s.RawQuery)
	return q.Get("usernames")
}

func TestIntrospect(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"active":true,"scope":"s","client_id":"pc","sub":"u1","username":"a@uni.edu","aud":"svc","exp":5,
			"session_info":{"session_id":"x","authentications":{"u1":{"idp":"idp1","auth_time":4}}},
			"identity_set_detail":[{"id":"u1","username":"a@uni.edu","identity_provider":"idp1"}],
			"policy_evaluations":{"p1":{"evaluation":true}}}`))
	})
	got, err := f.c.Introspect(context.Background(), testCred, "user-token-123", []string{"session_info", "identity_set_detail"}, []string{"p1", "p2"})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Active || got.Username != "a@uni.edu" || !reflect.DeepEqual(got.Aud, []string{"svc"}) || got.SessionInfo.Authentications["u1"].IDP != "idp1" ||
		!got.PolicyEvaluations["p1"].Evaluation || got.IdentitySetDetail[0].IdentityProvider != "idp1" || got.Exp != 5 {
		t.Errorf("%+v", got)
	}
	form := f.rec.all()[0].Form
	if form.Get("token") != "user-token-123" || form.Get("include") != "session_info,identity_set_detail" || form.Get("authentication_policies") != "p1,p2" {
		t.Errorf("form %v", form)
	}
	var arr Introspection
	if err := json.Unmarshal([]byte(`{"aud":["a","b"]}`), &arr); err != nil || !reflect.DeepEqual(arr.Aud, []string{"a", "b"}) {
		t.Errorf("aud array: %v %v", arr.Aud, err)
	}
}

func TestDependentTokensShapes(t *testing.T) {
	tok := func(rs string) map[string]any {
		return map[string]any{"access_token": "AT-" + rs, "resource_server": rs, "scope": "s", "expires_in": 10, "token_type": "Bearer"}
	}
	single := tok("auth.globus.org")
	single["other_tokens"] = []any{tok("groups.api.globus.org")}
	for name, answer := range map[string]any{
		"array":  []any{tok("auth.globus.org"), tok("groups.api.globus.org")},
		"tokens": map[string]any{"tokens": []any{tok("auth.globus.org"), tok("groups.api.globus.org")}},
		"single": single,
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, answer) })
			got, err := f.c.DependentTokens(context.Background(), testCred, "user-token-123")
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[1].ResourceServer != GroupsResourceServer || got[1].AccessToken != "AT-groups.api.globus.org" {
				t.Errorf("%v", got)
			}
			form := f.rec.all()[0].Form
			if form.Get("grant_type") != "urn:globus:auth:grant_type:dependent_token" || form.Get("token") != "user-token-123" {
				t.Errorf("form %v", form)
			}
		})
	}
}

func TestConsoleCalls(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /auth/v2/api/projects":
			writeJSON(w, 201, map[string]any{"project": map[string]any{"id": "p1", "display_name": "GW", "contact_email": "a@b.org", "admin_ids": []string{"u1"}}})
		case "GET /auth/v2/api/projects":
			writeJSON(w, 200, map[string]any{"projects": []any{map[string]any{"id": "p1"}}})
		case "POST /auth/v2/api/clients":
			writeJSON(w, 201, map[string]any{"client": map[string]any{"id": "c9", "client_type": "client_identity", "project": "p1"}})
		case "GET /auth/v2/api/clients":
			writeJSON(w, 200, map[string]any{"clients": []any{map[string]any{"id": "c9"}}})
		case "POST /auth/v2/api/clients/c9/credentials":
			writeJSON(w, 201, map[string]any{"credential": map[string]any{"id": "k1", "name": "gw", "secret": "NEW-SECRET-xyz", "client": "c9", "created": "2026-11-25T20:00:00.123456+00:00"}})
		case "POST /auth/v2/api/policies":
			writeJSON(w, 201, map[string]any{"policy": map[string]any{"id": "pol1", "high_assurance": true, "authentication_assurance_timeout": 3600, "domain_constraints_include": []string{"uni.edu"}}})
		case "GET /auth/v2/api/policies/pol1":
			writeJSON(w, 200, map[string]any{"policy": map[string]any{"id": "pol1"}})
		case "GET /auth/v2/api/policies":
			writeJSON(w, 200, map[string]any{"policies": []any{map[string]any{"id": "pol1"}}})
		default:
			http.NotFound(w, r)
		}
	})
	ctx, a := context.Background(), Bearer("operator-token-abc")
	p, err := f.c.CreateProject(ctx, a, ProjectCreate{DisplayName: "GW", ContactEmail: "a@b.org", AdminIDs: []string{"u1"}})
	if err != nil || p.ID != "p1" || p.AdminIDs[0] != "u1" {
		t.Fatalf("%+v %v", p, err)
	}
	if ps, err := f.c.ListProjects(ctx, a); err != nil || len(ps) != 1 {
		t.Errorf("%v %v", ps, err)
	}
	cl, err := f.c.CreateClient(ctx, a, ClientCreate{Name: "SA", Project: "p1", ClientType: ClientTypeServiceAccount})
	if err != nil || cl.ID != "c9" {
		t.Fatalf("%+v %v", cl, err)
	}
	if cs, err := f.c.ListClients(ctx, a, "p1"); err != nil || len(cs) != 1 {
		t.Errorf("%v %v", cs, err)
	}
	cr, err := f.c.CreateCredential(ctx, a, "c9", "gw")
	if err != nil || cr.Secret != "NEW-SECRET-xyz" || cr.Created.IsZero() {
		t.Fatalf("%v %v", cr, err)
	}
	pol, err := f.c.CreatePolicy(ctx, a, PolicyCreate{ProjectID: "p1", DisplayName: "HA", HighAssurance: true, AuthenticationAssuranceTimeout: 3600, DomainConstraintsInclude: []string{"uni.edu"}})
	if err != nil || pol.ID != "pol1" || pol.AuthenticationAssuranceTimeout != 3600 {
		t.Fatalf("%+v %v", pol, err)
	}
	if _, err := f.c.GetPolicy(ctx, a, "pol1"); err != nil {
		t.Error(err)
	}
	if ps, err := f.c.ListPolicies(ctx, a); err != nil || len(ps) != 1 {
		t.Errorf("%v %v", ps, err)
	}

	reqs := f.rec.all()
	wantBodies := map[int]string{
		0: `{"project":{"display_name":"GW","contact_email":"a@b.org","admin_ids":["u1"]}}`,
		2: `{"client":{"name":"SA","project":"p1","client_type":"client_identity"}}`,
		4: `{"credential":{"name":"gw"}}`,
		5: `{"policy":{"project_id":"p1","display_name":"HA","description":"","high_assurance":true,"authentication_assurance_timeout":3600,"domain_constraints_include":["uni.edu"],"required_mfa":false}}`,
	}
	for i, want := range wantBodies {
		if got := reqs[i].Body; got != want {
			t.Errorf("request %d body\n got %s\nwant %s", i, got, want)
		}
	}
	if reqs[3].RawQuery != "project_id=p1" || reqs[0].Auth != "Bearer operator-token-abc" {
		t.Errorf("query %q auth %q", reqs[3].RawQuery, reqs[0].Auth)
	}
}

func TestGroupsCalls(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "POST /groups/v2/groups":
			writeJSON(w, 201, map[string]any{"id": "g1", "name": "users", "group_type": "regular", "my_memberships": []any{map[string]any{"role": "admin"}}})
		case "GET /groups/v2/groups/g1":
			writeJSON(w, 200, map[string]any{"id": "g1", "memberships": []any{map[string]any{"identity_id": "u1", "role": "admin", "status": "active"}},
				"policies": map[string]any{"group_visibility": "private"}})
		case "GET /groups/v2/groups/my_groups":
			writeJSON(w, 200, []any{map[string]any{"id": "g1"}, map[string]any{"id": "g2"}})
		case "PUT /groups/v2/groups/g1/policies":
			writeJSON(w, 200, map[string]any{"is_high_assurance": true, "group_visibility": "private", "group_members_visibility": "managers", "signup_fields": []string{}})
		case "POST /groups/v2/groups/g1":
			writeJSON(w, 200, map[string]any{
				"add":    []any{map[string]any{"group_id": "g1", "identity_id": "u2", "username": "b@uni.edu", "role": "member", "status": "active"}},
				"invite": []any{map[string]any{"group_id": "g1", "identity_id": "u4", "role": "member", "status": "invited"}},
				"errors": map[string]any{
					"add":    []any{map[string]any{"code": "ALREADY_ACTIVE", "detail": "already a member", "identity_id": "u3"}},
					"invite": []any{},
				},
			})
		default:
			http.NotFound(w, r)
		}
	})
	ctx, a := context.Background(), Bearer("groups-token-abc")
	g, err := f.c.CreateGroup(ctx, a, GroupCreate{Name: "users", Description: "d"})
	if err != nil || g.ID != "g1" || g.MyMemberships[0].Role != "admin" {
		t.Fatalf("%+v %v", g, err)
	}
	g, err = f.c.GetGroup(ctx, a, "g1", true)
	if err != nil || g.Memberships[0].IdentityID != "u1" || g.Policies.GroupVisibility != "private" {
		t.Fatalf("%+v %v", g, err)
	}
	gs, err := f.c.MyGroups(ctx, a)
	if err != nil || len(gs) != 2 {
		t.Fatalf("%v %v", gs, err)
	}
	pol, err := f.c.SetGroupPolicies(ctx, a, "g1", GroupPolicies{IsHighAssurance: true, GroupVisibility: "private", GroupMembersVisibility: "managers", AuthenticationAssuranceTimeout: 3600})
	if err != nil || !pol.IsHighAssurance {
		t.Fatalf("%+v %v", pol, err)
	}
	res, err := f.c.AddMembers(ctx, a, "g1", []MemberAdd{{IdentityID: "u2"}, {IdentityID: "u3", Role: "manager"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0].Username != "b@uni.edu" || len(res.Errors) != 1 || res.Errors[0] != (MemberError{IdentityID: "u3", Code: "ALREADY_ACTIVE", Detail: "already a member"}) {
		t.Errorf("%+v", res)
	}
	if err := res.Err(); err == nil || !strings.Contains(err.Error(), "u3: ALREADY_ACTIVE (already a member)") {
		t.Errorf("Err() = %v", err)
	}
	inv, err := f.c.InviteMembers(ctx, a, "g1", []MemberAdd{{IdentityID: "u4"}})
	if err != nil || len(inv.Added) != 1 || inv.Added[0].Status != "invited" || inv.Err() != nil {
		t.Errorf("%+v %v", inv, err)
	}

	reqs := f.rec.all()
	for i, want := range map[int]string{
		0: `{"name":"users","description":"d"}`,
		3: `{"is_high_assurance":true,"group_visibility":"private","group_members_visibility":"managers","join_requests":false,"signup_fields":[],"authentication_assurance_timeout":3600}`,
		4: `{"add":[{"identity_id":"u2","role":"member"},{"identity_id":"u3","role":"manager"}]}`,
		5: `{"invite":[{"identity_id":"u4","role":"member"}]}`,
	} {
		if reqs[i].Body != want {
			t.Errorf("request %d body\n got %s\nwant %s", i, reqs[i].Body, want)
		}
	}
	if reqs[1].RawQuery != "include=memberships" {
		t.Errorf("query %q", reqs[1].RawQuery)
	}
}
