package globustest

import (
	"testing"
)

func TestGroups(t *testing.T) {
	w := newWorld(t)
	alice := w.s.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	bob := w.s.AddIdentity("bob@anl.gov", "Bob", "bob@anl.gov", "anl.gov")
	authTok, groupsTok := w.operatorTokens(t)
	gr := func(method, path, token string, body any) answer {
		return call{method: method, url: w.groupsURL + path, bearer: token, json: body}.do(t)
	}

	g := expect(t, gr("POST", "v2/groups", groupsTok, map[string]any{"name": "gateway users", "description": "who may use the gateway"}), 201).obj(t)
	gid := g["id"].(string)
	if g["name"] != "gateway users" || g["group_type"] != "regular" || g["parent_id"] != nil || g["enforce_session"] != false {
		t.Errorf("group: %v", g)
	}
	for _, k := range []string{"session_limit", "session_timeouts", "description"} {
		if _, ok := g[k]; !ok {
			t.Errorf("group lacks %q", k)
		}
	}
	for _, k := range []string{"policies", "memberships", "my_memberships"} {
		if _, ok := g[k]; ok {
			t.Errorf("create answered %q unasked", k)
		}
	}
	g = expect(t, gr("GET", "v2/groups/"+gid+"?include=my_memberships,policies", groupsTok, nil), 200).obj(t)
	if _, ok := g["policies"]; !ok {
		t.Errorf("include=policies gave none: %v", g)
	}
	mine := g["my_memberships"].([]any)
	if len(mine) != 1 || mine[0].(map[string]any)["role"] != "admin" || mine[0].(map[string]any)["identity_id"] != w.operator.ID {
		t.Errorf("my_memberships: %v", mine)
	}
	globusError(t, gr("POST", "v2/groups", groupsTok, map[string]any{"description": "no name"}), 400, "INVALID_PARAMETERS")

	sub := expect(t, gr("POST", "v2/groups", groupsTok, map[string]any{"name": "subgroup", "parent_id": gid}), 201).obj(t)
	if sub["parent_id"] != gid {
		t.Errorf("subgroup: %v", sub)
	}
	globusError(t, gr("POST", "v2/groups", groupsTok, map[string]any{"name": "orphan", "parent_id": "00000000-0000-4000-8000-000000000000"}), 404, "NOT_FOUND")

	// Members: a 200 that carries per-member errors.
	res := expect(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{"add": []any{
		map[string]any{"identity_id": alice.ID, "role": "member"},
		map[string]any{"identity_id": "00000000-0000-4000-8000-000000000000", "role": "member"},
		map[string]any{"identity_id": w.operator.ID, "role": "member"},
		map[string]any{"identity_id": bob.ID, "role": "overlord"},
	}}), 200).obj(t)
	added := res["add"].([]any)
	if len(added) != 1 || added[0].(map[string]any)["identity_id"] != alice.ID || added[0].(map[string]any)["status"] != "active" ||
		added[0].(map[string]any)["username"] != "alice@uchicago.edu" || added[0].(map[string]any)["group_id"] != gid {
		t.Errorf("added: %v", added)
	}
	errs := res["errors"].(map[string]any)["add"].([]any)
	codes := map[string]string{}
	for _, e := range errs {
		m := e.(map[string]any)
		if m["detail"] == "" {
			t.Errorf("error without detail: %v", m)
		}
		codes[m["identity_id"].(string)] = m["code"].(string)
	}
	want := map[string]string{"00000000-0000-4000-8000-000000000000": "IDENTITY_NOT_FOUND", w.operator.ID: "ALREADY_ACTIVE", bob.ID: "INVALID_ROLE"}
	if len(codes) != len(want) {
		t.Errorf("errors: %v", errs)
	}
	for id, code := range want {
		if codes[id] != code {
			t.Errorf("error for %s: %q, want %q", id, codes[id], code)
		}
	}

	// Invitations.
	inv := expect(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{"invite": []any{map[string]any{"identity_id": bob.ID, "role": "manager"}}}), 200).obj(t)
	if l := inv["invite"].([]any); len(l) != 1 || l[0].(map[string]any)["status"] != "invited" {
		t.Errorf("invite: %v", inv)
	}
	again := expect(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{"invite": []any{map[string]any{"identity_id": bob.ID, "role": "manager"}}}), 200).obj(t)
	if e := again["errors"].(map[string]any)["invite"].([]any); len(e) != 1 || e[0].(map[string]any)["code"] != "ALREADY_INVITED" {
		t.Errorf("second invite: %v", again)
	}
	globusError(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{"promote": []any{}}), 400, "INVALID_PARAMETERS")
	globusError(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{}), 400, "INVALID_PARAMETERS")

	// Read with memberships.
	full := expect(t, gr("GET", "v2/groups/"+gid+"?include=memberships", groupsTok, nil), 200).obj(t)
	if ms := full["memberships"].([]any); len(ms) != 3 {
		t.Errorf("memberships: %v", ms)
	}
	if _, ok := expect(t, gr("GET", "v2/groups/"+gid, groupsTok, nil), 200).obj(t)["memberships"]; ok {
		t.Errorf("memberships without include")
	}
	globusError(t, gr("GET", "v2/groups/00000000-0000-4000-8000-000000000000", groupsTok, nil), 404, "NOT_FOUND")

	// Policies.
	pol := map[string]any{"is_high_assurance": true, "group_visibility": "private", "group_members_visibility": "managers",
		"join_requests": false, "signup_fields": []string{}, "authentication_assurance_timeout": 3600}
	got := expect(t, gr("PUT", "v2/groups/"+gid+"/policies", groupsTok, pol), 200).obj(t)
	if got["is_high_assurance"] != true || got["authentication_assurance_timeout"] != float64(3600) {
		t.Errorf("policies: %v", got)
	}
	if got := expect(t, gr("GET", "v2/groups/"+gid+"/policies", groupsTok, nil), 200).obj(t); got["group_members_visibility"] != "managers" || got["is_high_assurance"] != true {
		t.Errorf("policies read back: %v", got)
	}
	if doc := expect(t, gr("GET", "v2/groups/"+gid, groupsTok, nil), 200).obj(t); doc["enforce_session"] != true {
		t.Errorf("high assurance group does not enforce sessions: %v", doc)
	}
	bad := map[string]any{"is_high_assurance": false, "group_visibility": "everyone", "group_members_visibility": "managers"}
	globusError(t, gr("PUT", "v2/groups/"+gid+"/policies", groupsTok, bad), 400, "INVALID_PARAMETERS")
	globusError(t, gr("PUT", "v2/groups/"+gid+"/policies", groupsTok, map[string]any{"group_visibility": "private", "group_members_visibility": "managers"}), 400, "INVALID_PARAMETERS")
	globusError(t, call{method: "PUT", url: w.groupsURL + "v2/groups/" + gid + "/policies", bearer: groupsTok, json: pol, ctype: "text/plain"}.do(t), 415, "UNSUPPORTED_MEDIA_TYPE")

	// Alice is a plain member: she sees the group, may not manage it.
	aliceTok, err := w.s.IssueToken(w.publicID, "alice@uchicago.edu", GroupsScope)
	if err != nil {
		t.Fatal(err)
	}
	my := expect(t, gr("GET", "v2/groups/my_groups", aliceTok, nil), 200).list(t)
	if len(my) != 1 || my[0].(map[string]any)["id"] != gid {
		t.Errorf("alice's groups: %v", my)
	}
	if ms := expect(t, gr("GET", "v2/groups/"+gid+"?include=memberships", aliceTok, nil), 200).obj(t)["memberships"].([]any); len(ms) != 1 {
		t.Errorf("a member sees %d memberships of a managers-only group", len(ms))
	}
	globusError(t, gr("POST", "v2/groups/"+gid, aliceTok, map[string]any{"add": []any{map[string]any{"identity_id": bob.ID}}}), 403, "FORBIDDEN")
	globusError(t, gr("PUT", "v2/groups/"+gid+"/policies", aliceTok, pol), 403, "FORBIDDEN")

	// Bob is only invited: my_groups (active by default) leaves it out; he cannot see members.
	bobTok, _ := w.s.IssueToken(w.publicID, "bob@anl.gov", GroupsScope)
	if l := expect(t, gr("GET", "v2/groups/my_groups", bobTok, nil), 200).list(t); len(l) != 0 {
		t.Errorf("invited bob has groups %v", l)
	}
	if l := expect(t, gr("GET", "v2/groups/my_groups?statuses=invited", bobTok, nil), 200).list(t); len(l) != 1 {
		t.Errorf("bob's invitations: %v", l)
	}
	// A stranger cannot see a private group.
	carolTok, _ := w.s.IssueToken(w.publicID, "carol@example.com", GroupsScope)
	globusError(t, gr("GET", "v2/groups/"+gid, carolTok, nil), 404, "NOT_FOUND")

	// Remove.
	rm := expect(t, gr("POST", "v2/groups/"+gid, groupsTok, map[string]any{"remove": []any{map[string]any{"identity_id": alice.ID}, map[string]any{"identity_id": alice.ID}}}), 200).obj(t)
	if len(rm["remove"].([]any)) != 1 || len(rm["errors"].(map[string]any)["remove"].([]any)) != 1 {
		t.Errorf("remove: %v", rm)
	}
	if l := expect(t, gr("GET", "v2/groups/my_groups", aliceTok, nil), 200).list(t); len(l) != 0 {
		t.Errorf("removed alice still has %v", l)
	}

	// Tokens that are not for Groups.
	globusError(t, gr("GET", "v2/groups/my_groups", authTok, nil), 401, "UNAUTHORIZED")
	globusError(t, gr("GET", "v2/groups/my_groups", "unknown", nil), 401, "UNAUTHORIZED")
	globusError(t, gr("GET", "v2/groups/my_groups", "", nil), 401, "UNAUTHORIZED")
	globusError(t, gr("GET", "v2/nothing", groupsTok, nil), 404, "NOT_FOUND")
}

func TestGroupsAsClientIdentity(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	tok := expect(t, w.clientCredentials(t, id, secret, GroupsScope), 200).obj(t)["access_token"].(string)
	g := expect(t, call{method: "POST", url: w.groupsURL + "v2/groups", bearer: tok, json: map[string]any{"name": "owned by the app"}}.do(t), 201).obj(t)
	if _, ok := g["my_memberships"]; ok {
		t.Errorf("create answered my_memberships unasked: %v", g)
	}
	g = expect(t, call{method: "GET", url: w.groupsURL + "v2/groups/" + g["id"].(string) + "?include=my_memberships", bearer: tok}.do(t), 200).obj(t)
	m := g["my_memberships"].([]any)[0].(map[string]any)
	if m["identity_id"] != id || m["role"] != "admin" || m["username"] != id+"@clients.auth.globus.org" {
		t.Errorf("client-owned group membership: %v", m)
	}
	members := w.s.GroupMembers(g["id"].(string))
	if len(members) != 1 || members[0].Role != "admin" {
		t.Errorf("GroupMembers: %v", members)
	}
}
