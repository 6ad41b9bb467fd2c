package globustest

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClientCredentials(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)

	doc := expect(t, w.clientCredentials(t, id, secret, ""), 200).obj(t)
	for _, k := range []string{"access_token", "scope", "resource_server", "expires_in", "token_type", "other_tokens"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("token answer lacks %q: %v", k, doc)
		}
	}
	if doc["resource_server"] != AuthResourceServer || doc["token_type"] != "Bearer" {
		t.Errorf("default token: %v", doc)
	}

	doc = expect(t, w.clientCredentials(t, id, secret, GroupsScope), 200).obj(t)
	if doc["resource_server"] != GroupsResourceServer || doc["scope"] != GroupsScope || len(doc["other_tokens"].([]any)) != 0 {
		t.Errorf("groups token: %v", doc)
	}

	oauthErr(t, w.clientCredentials(t, id, "wrong-secret", ""), 401, "invalid_client")
	second, err := w.s.AddClientSecret(id, "rotated")
	if err != nil || second == secret {
		t.Fatalf("AddClientSecret: %v", err)
	}
	expect(t, w.clientCredentials(t, id, second, ""), 200) // both secrets work
	if _, err := w.s.AddClientSecret(w.publicID, "x"); err == nil {
		t.Errorf("a public client got a secret")
	}
	oauthErr(t, w.clientCredentials(t, "00000000-0000-4000-8000-000000000000", secret, ""), 401, "invalid_client")
	oauthErr(t, w.clientCredentials(t, id, secret, "urn:globus:auth:scope:nowhere:all"), 400, "invalid_scope")

	// A public client has no secret and may not use this grant.
	a := call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"client_credentials"}, "client_id": {w.publicID}}}.do(t)
	oauthErr(t, a, 400, "unauthorized_client")

	// Form bodies only.
	a = call{method: "POST", url: w.authURL + "v2/oauth2/token", basic: &[2]string{id, secret},
		json: map[string]string{"grant_type": "client_credentials"}}.do(t)
	oauthErr(t, a, 400, "invalid_request")

	oauthErr(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", basic: &[2]string{id, secret},
		form: url.Values{"grant_type": {"password"}}}.do(t), 400, "unsupported_grant_type")

	// Requests are recorded with who called, never with the secret.
	reqs := w.s.Requests()
	basics := 0
	for _, r := range reqs {
		if r.Auth == "basic:"+id && r.Path == "/v2/oauth2/token" && r.Service == "auth" && r.Method == "POST" {
			basics++
		}
		if strings.Contains(r.Auth+r.Path, secret) {
			t.Fatalf("a secret reached Requests(): %+v", r)
		}
	}
	if basics != 7 {
		t.Errorf("recorded %d Basic token requests for the client, want 7", basics)
	}
	if n := w.s.CountRequests("POST", "/v2/oauth2/token"); n != 9 {
		t.Errorf("CountRequests = %d, want 9", n)
	}
}

func TestPKCELogin(t *testing.T) {
	w := newWorld(t)
	p := newPKCE()
	u := w.authorizeURL(w.publicID, p, true, "openid", ManageProjectsScope, GroupsScope)
	code, err := w.s.ApproveLogin(u)
	if err != nil {
		t.Fatal(err)
	}

	// A wrong verifier fails and does not burn the code.
	oauthErr(t, w.exchange(t, w.publicID, code, newPKCE()), 401, "invalid_grant")
	oauthErr(t, w.exchange(t, w.publicID, code, pkce{verifier: "short"}), 401, "invalid_grant")

	doc := expect(t, w.exchange(t, w.publicID, code, p), 200).obj(t)
	if doc["resource_server"] != AuthResourceServer || doc["refresh_token"] == nil {
		t.Errorf("top token: %v", doc)
	}
	if !strings.Contains(doc["scope"].(string), ManageProjectsScope) {
		t.Errorf("scope %q lacks manage_projects", doc["scope"])
	}
	others := doc["other_tokens"].([]any)
	if len(others) != 1 {
		t.Fatalf("other_tokens: %v", others)
	}
	g := others[0].(map[string]any)
	if g["resource_server"] != GroupsResourceServer || g["scope"] != GroupsScope || g["refresh_token"] == nil {
		t.Errorf("groups token: %v", g)
	}

	// Single use.
	oauthErr(t, w.exchange(t, w.publicID, code, p), 401, "invalid_grant")

	// Expiry.
	p2 := newPKCE()
	code2, _ := w.s.ApproveLogin(w.authorizeURL(w.publicID, p2, false, "openid"))
	w.s.AdvanceClock(11 * time.Minute)
	oauthErr(t, w.exchange(t, w.publicID, code2, p2), 401, "invalid_grant")

	// Without access_type=offline there is no refresh token.
	p3 := newPKCE()
	code3, _ := w.s.ApproveLogin(w.authorizeURL(w.publicID, p3, false, "openid"))
	if doc := expect(t, w.exchange(t, w.publicID, code3, p3), 200).obj(t); doc["refresh_token"] != nil {
		t.Errorf("online login got a refresh token")
	}

	// redirect_uri must match the one authorized.
	p4 := newPKCE()
	code4, _ := w.s.ApproveLogin(w.authorizeURL(w.publicID, p4, false, "openid"))
	a := call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"authorization_code"}, "code": {code4}, "client_id": {w.publicID},
		"redirect_uri": {"https://example.org/elsewhere"}, "code_verifier": {p4.verifier}}}.do(t)
	oauthErr(t, a, 401, "invalid_grant")

	// The code belongs to the client it was issued to.
	other, _ := w.s.RegisterClient(w.project, "other CLI", PublicInstalledClient)
	oauthErr(t, w.exchange(t, other, code4, p4), 401, "invalid_grant")
	oauthErr(t, w.exchange(t, "not-a-client", code4, p4), 401, "invalid_client")
}

func TestAuthorizeRefusals(t *testing.T) {
	w := newWorld(t)
	p := newPKCE()
	good := w.authorizeURL(w.publicID, p, false, "openid")
	confID, _ := w.s.RegisterClient(w.project, "confidential", ConfidentialClient)
	cases := map[string]func(q url.Values){
		"unknown client":      func(q url.Values) { q.Set("client_id", "nope") },
		"no PKCE":             func(q url.Values) { q.Del("code_challenge") },
		"plain PKCE":          func(q url.Values) { q.Set("code_challenge_method", "plain") },
		"unknown scope":       func(q url.Values) { q.Set("scope", "urn:nothing") },
		"bad redirect":        func(q url.Values) { q.Set("redirect_uri", "https://evil.example/") },
		"token response type": func(q url.Values) { q.Set("response_type", "token") },
		"native URI for confidential client": func(q url.Values) {
			q.Set("client_id", confID)
		},
	}
	for name, mutate := range cases {
		u, _ := url.Parse(good)
		q := u.Query()
		mutate(q)
		u.RawQuery = q.Encode()
		if _, err := w.s.ApproveLogin(u.String()); err == nil {
			t.Errorf("%s: ApproveLogin accepted it", name)
		}
		a := call{method: "GET", url: u.String()}.do(t)
		if a.status != 400 || !strings.Contains(string(a.raw), "Sign-in problem") {
			t.Errorf("%s: page answered %d", name, a.status)
		}
	}
	// A production-spelled native redirect URI is accepted too.
	u, _ := url.Parse(good)
	q := u.Query()
	q.Set("redirect_uri", "https://auth.globus.org/v2/web/auth-code")
	u.RawQuery = q.Encode()
	if _, err := w.s.ApproveLogin(u.String()); err != nil {
		t.Errorf("production auth-code redirect: %v", err)
	}
}

func TestAuthorizePagesInBrowser(t *testing.T) {
	w := newWorld(t)
	p := newPKCE()
	u := w.authorizeURL(w.publicID, p, true, "openid", ManageProjectsScope)
	page := expect(t, call{method: "GET", url: u}.do(t), 200)
	if !strings.Contains(string(page.raw), "Sign in to Globus (emulator) as <b>operator@example.org</b>") ||
		!strings.Contains(string(page.raw), `method="post"`) || !strings.Contains(string(page.raw), "Allow") {
		t.Fatalf("authorize page:\n%s", page.raw)
	}

	// Press Allow: the form posts the same parameters back.
	form := url.Values{"decision": {"allow"}}
	for k, v := range mustParse(u).Query() {
		form[k] = v
	}
	a := expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/authorize", form: form}.do(t), http.StatusSeeOther)
	loc, _ := url.Parse(a.header.Get("Location"))
	if loc.Path != "/auth/v2/web/auth-code" || loc.Query().Get("state") != "xyz" {
		t.Fatalf("redirected to %s", loc)
	}
	code := loc.Query().Get("code")
	shown := expect(t, call{method: "GET", url: w.base + loc.String()}.do(t), 200)
	if !strings.Contains(string(shown.raw), code) {
		t.Fatalf("the code page does not show the code:\n%s", shown.raw)
	}
	expect(t, w.exchange(t, w.publicID, code, p), 200)

	// Deny sends the user back without a code.
	form.Set("decision", "deny")
	a = expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/authorize", form: form}.do(t), http.StatusSeeOther)
	if loc, _ := url.Parse(a.header.Get("Location")); loc.Query().Get("error") != "access_denied" || loc.Query().Get("code") != "" {
		t.Fatalf("deny redirected to %s", loc)
	}

	// A web app's own redirect URI gets the code directly.
	web := expect(t, call{method: "POST", url: w.authURL + "v2/api/clients", bearer: mustOperatorAuth(t, w), json: map[string]any{
		"client": map[string]any{"name": "portal", "project": w.project, "client_type": PublicInstalledClient,
			"redirect_uris": []string{"http://localhost:8080/callback"}}}}.do(t), 200).obj(t)["client"].(map[string]any)
	q := mustParse(w.authorizeURL(web["id"].(string), p, false, "openid")).Query()
	q.Set("redirect_uri", "http://localhost:8080/callback")
	q.Set("decision", "allow")
	a = expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/authorize", form: q}.do(t), http.StatusSeeOther)
	if !strings.HasPrefix(a.header.Get("Location"), "http://localhost:8080/callback?code=") {
		t.Errorf("redirected to %s", a.header.Get("Location"))
	}
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

func mustOperatorAuth(t *testing.T, w *world) string {
	a, _ := w.operatorTokens(t)
	return a
}

func TestRefreshToken(t *testing.T) {
	w := newWorld(t)
	doc := w.login(t, w.publicID, ManageProjectsScope)
	rt := doc["refresh_token"].(string)
	w.s.AdvanceClock(49 * time.Hour) // the access token has expired
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: doc["access_token"].(string)}.do(t), 401, "UNAUTHORIZED")

	fresh := expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {w.publicID}}}.do(t), 200).obj(t)
	if fresh["resource_server"] != AuthResourceServer || fresh["access_token"] == doc["access_token"] {
		t.Fatalf("refreshed: %v", fresh)
	}
	expect(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: fresh["access_token"].(string)}.do(t), 200)

	oauthErr(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {"bogus"}, "client_id": {w.publicID}}}.do(t), 400, "invalid_grant")
	other, _ := w.s.RegisterClient(w.project, "other CLI", PublicInstalledClient)
	oauthErr(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {other}}}.do(t), 400, "invalid_grant")
}

func TestGetClient(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	other, otherSecret := w.s.RegisterClient(w.project, "Service account", ClientIdentity)
	get := func(target string, c call) answer {
		c.method, c.url = "GET", w.authURL+"v2/api/clients/"+target
		return c.do(t)
	}

	cl := expect(t, get(id, call{basic: &[2]string{id, secret}}), 200).obj(t)["client"].(map[string]any)
	if cl["id"] != id || cl["project"] != w.project || cl["client_type"] != HybridConfidentialRS || cl["public_client"] != false {
		t.Errorf("client: %v", cl)
	}
	for _, k := range []string{"name", "scopes", "redirect_uris", "grant_types"} {
		if _, ok := cl[k]; !ok {
			t.Errorf("client lacks %q", k)
		}
	}
	globusError(t, get(id, call{basic: &[2]string{other, otherSecret}}), 403, "FORBIDDEN")
	globusError(t, get(id, call{basic: &[2]string{id, "wrong"}}), 401, "UNAUTHORIZED")
	globusError(t, get("00000000-0000-4000-8000-000000000000", call{basic: &[2]string{id, secret}}), 404, "NOT_FOUND")
	globusError(t, get(id, call{}), 401, "UNAUTHORIZED")

	authTok, groupsTok := w.operatorTokens(t)
	expect(t, get(id, call{bearer: authTok}), 200)
	globusError(t, get(id, call{bearer: groupsTok}), 403, "FORBIDDEN")

	// Someone who does not administer the project.
	w.s.SetOperator("mallory@example.com")
	malloryAuth, _ := w.operatorTokens(t)
	globusError(t, get(id, call{bearer: malloryAuth}), 403, "FORBIDDEN")
	globusError(t, get(id, call{bearer: "not-a-token"}), 401, "UNAUTHORIZED")
}

func TestScopes(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	other, otherSecret := w.s.RegisterClient(w.project, "Service account", ClientIdentity)
	basic := &[2]string{id, secret}
	create := func(c call, body any) answer {
		c.method, c.url, c.json = "POST", w.authURL+"v2/api/clients/"+id+"/scopes", body
		return c.do(t)
	}
	actionAll := map[string]any{"scope": map[string]any{
		"name": "Inference gateway", "description": "Use the inference gateway", "scope_suffix": "action_all",
		"dependent_scopes": []any{map[string]any{"scope": GroupsScopeID, "optional": false, "requires_refresh_token": true}},
	}}

	list := expect(t, create(call{basic: basic}, actionAll), 200).obj(t)["scopes"].([]any)
	if len(list) != 1 {
		t.Fatalf("create answered %v", list)
	}
	sc := list[0].(map[string]any)
	wantString := "https://auth.globus.org/scopes/" + id + "/action_all"
	if sc["scope_string"] != wantString || sc["client"] != id || sc["name"] != "Inference gateway" {
		t.Errorf("scope: %v", sc)
	}
	deps := sc["dependent_scopes"].([]any)
	if len(deps) != 1 || deps[0].(map[string]any)["scope"] != GroupsScopeID || deps[0].(map[string]any)["requires_refresh_token"] != true {
		t.Errorf("dependent scopes: %v", deps)
	}
	scopeID := sc["id"].(string)

	// The client now lists it.
	cl := expect(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id, basic: basic}.do(t), 200).obj(t)["client"].(map[string]any)
	if ids := cl["scopes"].([]any); len(ids) != 1 || ids[0] != scopeID {
		t.Errorf("client scopes %v, want [%s]", ids, scopeID)
	}

	e := globusError(t, create(call{basic: basic}, actionAll), 409, "CONFLICT")
	if !strings.Contains(e["detail"].(string), "action_all") {
		t.Errorf("409 detail %q", e["detail"])
	}
	if n := len(w.s.ClientScopes(id)); n != 1 {
		t.Errorf("%d scopes after a duplicate, want 1", n)
	}

	for _, missing := range []string{"name", "description", "scope_suffix"} {
		body := map[string]any{"name": "n", "description": "d", "scope_suffix": "s_" + missing}
		delete(body, missing)
		globusError(t, create(call{basic: basic}, map[string]any{"scope": body}), 400, "INVALID_PARAMETERS")
	}
	globusError(t, create(call{basic: basic}, map[string]any{"scope": map[string]any{"name": "n", "description": "d", "scope_suffix": "x",
		"dependent_scopes": []any{map[string]any{"scope": "00000000-0000-4000-8000-000000000000"}}}}), 400, "INVALID_PARAMETERS")
	globusError(t, create(call{basic: basic}, map[string]any{"name": "not wrapped"}), 400, "INVALID_PARAMETERS")
	globusError(t, create(call{basic: basic, ctype: "text/plain"}, actionAll), 415, "UNSUPPORTED_MEDIA_TYPE")
	globusError(t, create(call{basic: basic, ctype: "application/json"}, "{not json"), 400, "BAD_REQUEST")
	globusError(t, create(call{basic: &[2]string{other, otherSecret}}, actionAll), 403, "FORBIDDEN")
	globusError(t, create(call{basic: &[2]string{id, "wrong"}}, actionAll), 401, "UNAUTHORIZED")

	// Reads.
	for _, path := range []string{"v2/api/scopes/" + scopeID, "v2/api/clients/" + id + "/scopes/" + scopeID} {
		got := expect(t, call{method: "GET", url: w.authURL + path, basic: basic}.do(t), 200).obj(t)["scope"].(map[string]any)
		if got["id"] != scopeID || got["scope_string"] != wantString {
			t.Errorf("%s: %v", path, got)
		}
	}
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/scopes/00000000-0000-4000-8000-000000000000", basic: basic}.do(t), 404, "NOT_FOUND")
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id + "/scopes/" + GroupsScopeID, basic: basic}.do(t), 404, "NOT_FOUND")
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/scopes/" + scopeID}.do(t), 401, "UNAUTHORIZED")

	g := expect(t, call{method: "GET", url: w.authURL + "v2/api/scopes/" + GroupsScopeID, basic: basic}.do(t), 200).obj(t)["scope"].(map[string]any)
	if g["scope_string"] != GroupsViewScope || g["name"] != "View My Groups and Memberships" || g["client"] != nil {
		t.Errorf("built-in groups scope: %v", g)
	}

	byIDs := expect(t, call{method: "GET", url: w.authURL + "v2/api/scopes?ids=" + scopeID + "," + GroupsScopeID + ",00000000-0000-4000-8000-000000000000", basic: basic}.do(t), 200).obj(t)["scopes"].([]any)
	if len(byIDs) != 2 {
		t.Errorf("?ids= answered %d scopes, want 2", len(byIDs))
	}
	ownSpelling := w.authURL + "scopes/" + id + "/action_all"
	byStrings := expect(t, call{method: "GET", url: w.authURL + "v2/api/scopes?" + url.Values{"scope_strings": {wantString + "," + ownSpelling}}.Encode(), basic: basic}.do(t), 200).obj(t)["scopes"].([]any)
	if len(byStrings) != 2 || byStrings[0].(map[string]any)["id"] != scopeID || byStrings[1].(map[string]any)["id"] != scopeID {
		t.Errorf("?scope_strings= answered %v", byStrings)
	}
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/scopes", basic: basic}.do(t), 400, "INVALID_PARAMETERS")

	// An operator may create scopes too, for clients of their projects.
	authTok, _ := w.operatorTokens(t)
	expect(t, create(call{bearer: authTok}, map[string]any{"scope": map[string]any{"name": "n", "description": "d", "scope_suffix": "other"}}), 200)
	all := expect(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id + "/scopes", basic: basic}.do(t), 200).obj(t)["scopes"].([]any)
	if len(all) != 2 {
		t.Errorf("client has %d scopes, want 2", len(all))
	}
}

func TestIdentities(t *testing.T) {
	w := newWorld(t)
	alice := w.s.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	basic := &[2]string{id, secret}
	look := func(q string, c call) answer {
		c.method, c.url = "GET", w.authURL+"v2/api/identities?"+q
		return c.do(t)
	}

	ids := expect(t, look("usernames=ALICE@uchicago.edu,nobody@anl.gov&provision=true", call{basic: basic}), 200).obj(t)["identities"].([]any)
	if len(ids) != 2 {
		t.Fatalf("identities: %v", ids)
	}
	a, n := ids[0].(map[string]any), ids[1].(map[string]any)
	if a["id"] != alice.ID || a["username"] != "alice@uchicago.edu" || a["status"] != "used" || a["name"] != "Alice" || a["identity_provider"] != alice.IdentityProvider {
		t.Errorf("alice: %v", a)
	}
	if n["status"] != "unused" || n["id"] == "" || n["name"] != nil || n["username"] != "nobody@anl.gov" {
		t.Errorf("unknown username: %v", n)
	}
	again := expect(t, look("usernames=nobody@anl.gov", call{basic: basic}), 200).obj(t)["identities"].([]any)
	if again[0].(map[string]any)["id"] != n["id"] {
		t.Errorf("an unused identity changed its ID")
	}
	none := expect(t, look("usernames=ghost@anl.gov&provision=false", call{basic: basic}), 200).obj(t)["identities"].([]any)
	if len(none) != 0 {
		t.Errorf("provision=false answered %v", none)
	}
	// Without provision, an unknown username is absent and an existing
	// unused identity is answered as it is.
	none = expect(t, look("usernames=ghost2@anl.gov,nobody@anl.gov", call{basic: basic}), 200).obj(t)["identities"].([]any)
	if len(none) != 1 || none[0].(map[string]any)["status"] != "unused" {
		t.Errorf("no provision answered %v", none)
	}
	byID := expect(t, look("ids="+alice.ID+",00000000-0000-4000-8000-000000000000", call{basic: basic}), 200).obj(t)["identities"].([]any)
	if len(byID) != 1 || byID[0].(map[string]any)["username"] != "alice@uchicago.edu" {
		t.Errorf("by id: %v", byID)
	}

	authTok, groupsTok := w.operatorTokens(t)
	expect(t, look("usernames=alice@uchicago.edu", call{bearer: authTok}), 200)
	globusError(t, look("usernames=alice@uchicago.edu", call{bearer: groupsTok}), 403, "FORBIDDEN")
	// Any auth.globus.org token looks identities up (GLOBUS-API.md; the
	// CLI's get-identities runs on openid profile email view_identity_set).
	noView := tokenFor(t, w.login(t, w.publicID, "openid", "profile", "email"), AuthResourceServer)
	expect(t, look("usernames=alice@uchicago.edu", call{bearer: noView}), 200)
	globusError(t, look("usernames=alice@uchicago.edu", call{}), 401, "UNAUTHORIZED")
	globusError(t, look("usernames=a@b.c&ids="+alice.ID, call{basic: basic}), 400, "INVALID_PARAMETERS")
	globusError(t, look("", call{basic: basic}), 400, "INVALID_PARAMETERS")
}

func TestOperatorAPI(t *testing.T) {
	w := newWorld(t)
	authTok, groupsTok := w.operatorTokens(t)
	op := func(method, path string, body any) answer {
		return call{method: method, url: w.authURL + path, bearer: authTok, json: body}.do(t)
	}

	// Projects.
	p := expect(t, op("POST", "v2/api/projects", map[string]any{"project": map[string]any{
		"display_name": "Inference", "contact_email": "ops@example.org", "admin_ids": []string{w.operator.ID}}}), 200).obj(t)["project"].(map[string]any)
	projID := p["id"].(string)
	if p["display_name"] != "Inference" || p["contact_email"] != "ops@example.org" || len(p["admin_ids"].([]any)) != 1 {
		t.Errorf("project: %v", p)
	}
	projects := expect(t, op("GET", "v2/api/projects", nil), 200).obj(t)["projects"].([]any)
	if len(projects) != 2 {
		t.Errorf("%d projects, want 2", len(projects))
	}
	globusError(t, op("POST", "v2/api/projects", map[string]any{"project": map[string]any{"contact_email": "ops@example.org"}}), 400, "INVALID_PARAMETERS")
	globusError(t, op("POST", "v2/api/projects", map[string]any{"project": map[string]any{"display_name": "x", "contact_email": "ops@example.org", "admin_ids": []string{"00000000-0000-4000-8000-000000000000"}}}), 400, "INVALID_PARAMETERS")
	expect(t, op("GET", "v2/api/projects/"+projID, nil), 200)
	globusError(t, op("GET", "v2/api/projects/00000000-0000-4000-8000-000000000000", nil), 404, "NOT_FOUND")

	// Clients of every type.
	made := map[string]string{}
	for ct := range clientTypes {
		cl := expect(t, op("POST", "v2/api/clients", map[string]any{"client": map[string]any{
			"name": ct, "project": projID, "client_type": ct}}), 200).obj(t)["client"].(map[string]any)
		if cl["client_type"] != ct || cl["project"] != projID || cl["public_client"] != (ct == PublicInstalledClient) {
			t.Errorf("%s: %v", ct, cl)
		}
		made[ct] = cl["id"].(string)
	}
	globusError(t, op("POST", "v2/api/clients", map[string]any{"client": map[string]any{"name": "x", "project": projID, "client_type": "bogus"}}), 400, "INVALID_PARAMETERS")
	globusError(t, op("POST", "v2/api/clients", map[string]any{"client": map[string]any{"project": projID, "client_type": ClientIdentity}}), 400, "INVALID_PARAMETERS")
	globusError(t, op("POST", "v2/api/clients", map[string]any{"client": map[string]any{"name": "x", "project": "00000000-0000-4000-8000-000000000000", "client_type": ClientIdentity}}), 404, "NOT_FOUND")
	clients := expect(t, op("GET", "v2/api/clients?project_id="+projID, nil), 200).obj(t)["clients"].([]any)
	if len(clients) != len(clientTypes) {
		t.Errorf("%d clients in the project, want %d", len(clients), len(clientTypes))
	}
	if all := expect(t, op("GET", "v2/api/clients", nil), 200).obj(t)["clients"].([]any); len(all) != len(clientTypes)+1 {
		t.Errorf("%d clients in all, want %d", len(all), len(clientTypes)+1)
	}

	// Credentials: the secret is shown once and works.
	sa := made[ClientIdentity]
	cr := expect(t, op("POST", "v2/api/clients/"+sa+"/credentials", map[string]any{"credential": map[string]any{"name": "gateway"}}), 200).obj(t)["credential"].(map[string]any)
	secret, _ := cr["secret"].(string)
	if cr["client"] != sa || cr["name"] != "gateway" || len(secret) < 32 || cr["id"] == "" || cr["created"] == "" {
		t.Fatalf("credential: %v", cr)
	}
	expect(t, w.clientCredentials(t, sa, secret, ""), 200)
	listed := expect(t, op("GET", "v2/api/clients/"+sa+"/credentials", nil), 200)
	if strings.Contains(string(listed.raw), secret) || !strings.Contains(string(listed.raw), cr["id"].(string)) {
		t.Errorf("credential list: %s", listed.raw)
	}
	globusError(t, op("POST", "v2/api/clients/"+made[PublicInstalledClient]+"/credentials", map[string]any{"credential": map[string]any{"name": "x"}}), 400, "INVALID_PARAMETERS")
	globusError(t, op("POST", "v2/api/clients/00000000-0000-4000-8000-000000000000/credentials", map[string]any{"credential": map[string]any{"name": "x"}}), 404, "NOT_FOUND")

	// Policies.
	pol := expect(t, op("POST", "v2/api/policies", map[string]any{"policy": map[string]any{
		"project_id": projID, "display_name": "HA", "description": "university logins", "high_assurance": true,
		"authentication_assurance_timeout": 3600, "domain_constraints_include": []string{"uchicago.edu"}, "required_mfa": false}}), 200).obj(t)["policy"].(map[string]any)
	polID := pol["id"].(string)
	if pol["project_id"] != projID || pol["authentication_assurance_timeout"] != float64(3600) || pol["high_assurance"] != true {
		t.Errorf("policy: %v", pol)
	}
	got := expect(t, op("GET", "v2/api/policies/"+polID, nil), 200).obj(t)["policy"].(map[string]any)
	if got["display_name"] != "HA" {
		t.Errorf("policy read: %v", got)
	}
	if l := expect(t, op("GET", "v2/api/policies", nil), 200).obj(t)["policies"].([]any); len(l) != 1 {
		t.Errorf("%d policies", len(l))
	}
	globusError(t, op("GET", "v2/api/policies/00000000-0000-4000-8000-000000000000", nil), 404, "NOT_FOUND")
	globusError(t, op("POST", "v2/api/policies", map[string]any{"policy": map[string]any{"project_id": projID, "display_name": "x", "description": "x", "high_assurance": true}}), 400, "INVALID_PARAMETERS")
	globusError(t, op("POST", "v2/api/policies", map[string]any{"policy": map[string]any{"display_name": "x", "description": "x", "high_assurance": false}}), 400, "INVALID_PARAMETERS")

	// Wrong or missing tokens.
	for _, path := range []string{"v2/api/projects", "v2/api/clients", "v2/api/policies"} {
		globusError(t, call{method: "GET", url: w.authURL + path, bearer: groupsTok}.do(t), 403, "FORBIDDEN")
		globusError(t, call{method: "GET", url: w.authURL + path, bearer: "unknown"}.do(t), 401, "UNAUTHORIZED")
		globusError(t, call{method: "GET", url: w.authURL + path}.do(t), 401, "UNAUTHORIZED")
	}

	// Another operator sees nothing of ours and may not touch it.
	w.s.SetOperator("mallory@example.com")
	mallory, _ := w.operatorTokens(t)
	if l := expect(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: mallory}.do(t), 200).obj(t)["projects"].([]any); len(l) != 0 {
		t.Errorf("mallory sees %d projects", len(l))
	}
	globusError(t, call{method: "POST", url: w.authURL + "v2/api/clients", bearer: mallory, json: map[string]any{"client": map[string]any{
		"name": "x", "project": projID, "client_type": ClientIdentity}}}.do(t), 403, "FORBIDDEN")
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/policies/" + polID, bearer: mallory}.do(t), 403, "FORBIDDEN")
	globusError(t, call{method: "POST", url: w.authURL + "v2/api/clients/" + sa + "/credentials", bearer: mallory, json: map[string]any{"credential": map[string]any{"name": "x"}}}.do(t), 403, "FORBIDDEN")

	// Expired.
	w.s.AdvanceClock(49 * time.Hour)
	globusError(t, op("GET", "v2/api/projects", nil), 401, "UNAUTHORIZED")
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/nothing-here", bearer: authTok}.do(t), 404, "NOT_FOUND")
}

// gateway seeds what the wizard builds: a Service API with action_all (and
// its groups dependent scope), a policy, and a user logged in through the
// public client for that scope.
type gateway struct {
	*world
	apiID, apiSecret, scopeString, policyID, userToken string
}

func newGateway(t *testing.T) *gateway {
	w := newWorld(t)
	g := &gateway{world: w}
	g.apiID, g.apiSecret = w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	var err error
	_, g.scopeString, err = w.s.AddScope(g.apiID, "action_all", GroupsScopeID)
	if err != nil {
		t.Fatal(err)
	}
	g.policyID = w.s.AddPolicy(w.project, "HA", []string{"uchicago.edu"}, 3600)
	w.s.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	w.s.SetOperator("alice@uchicago.edu")
	doc := w.login(t, w.publicID, g.scopeString)
	g.userToken = tokenFor(t, doc, g.apiID)
	w.s.SetOperator("operator@example.org")
	return g
}

func (g *gateway) introspect(t *testing.T, token string, policies ...string) answer {
	t.Helper()
	return call{method: "POST", url: g.authURL + "v2/oauth2/token/introspect", basic: &[2]string{g.apiID, g.apiSecret}, form: url.Values{
		"token": {token}, "include": {"session_info,identity_set_detail,identity_set"},
		"authentication_policies": {strings.Join(policies, ",")}}}.do(t)
}

func evaluation(t *testing.T, doc map[string]any, policyID string) bool {
	t.Helper()
	ev := doc["policy_evaluations"].(map[string]any)
	if len(ev) != 1 {
		t.Fatalf("policy_evaluations: %v", ev)
	}
	return ev[policyID].(map[string]any)["evaluation"].(bool)
}

func TestIntrospect(t *testing.T) {
	g := newGateway(t)
	alice, _ := g.s.LookupIdentity("alice@uchicago.edu")

	doc := expect(t, g.introspect(t, g.userToken, g.policyID), 200).obj(t)
	if doc["active"] != true || doc["sub"] != alice.ID || doc["username"] != "alice@uchicago.edu" ||
		doc["client_id"] != g.publicID || doc["scope"] != g.scopeString || doc["exp"] == nil {
		t.Errorf("introspection: %v", doc)
	}
	if aud := doc["aud"].([]any); !slices.Contains(aud, any(g.apiID)) {
		t.Errorf("aud %v lacks the Service API", aud)
	}
	auths := doc["session_info"].(map[string]any)["authentications"].(map[string]any)
	a, ok := auths[alice.ID].(map[string]any)
	if len(auths) != 1 || !ok || a["idp"] != alice.IdentityProvider || a["auth_time"] == nil {
		t.Errorf("session_info: %v", auths)
	}
	detail := doc["identity_set_detail"].([]any)
	if len(detail) != 1 || detail[0].(map[string]any)["identity_provider"] != alice.IdentityProvider {
		t.Errorf("identity_set_detail: %v", detail)
	}
	if !evaluation(t, doc, g.policyID) {
		t.Errorf("a fresh uchicago.edu login fails the policy")
	}

	// An old session fails the assurance timeout.
	g.s.SetSessionAge("alice@uchicago.edu", 2*time.Hour)
	if evaluation(t, expect(t, g.introspect(t, g.userToken, g.policyID), 200).obj(t), g.policyID) {
		t.Errorf("a two-hour-old session passes a one-hour policy")
	}
	g.s.SetSessionAge("alice@uchicago.edu", time.Minute)
	if !evaluation(t, expect(t, g.introspect(t, g.userToken, g.policyID), 200).obj(t), g.policyID) {
		t.Errorf("a recent session fails")
	}

	// Authenticating with a linked identity from another domain fails it.
	g.s.SetAuthenticatedWith("alice@uchicago.edu", "alice@gmail.com")
	doc = expect(t, g.introspect(t, g.userToken, g.policyID), 200).obj(t)
	if evaluation(t, doc, g.policyID) {
		t.Errorf("a gmail.com authentication passes a uchicago.edu policy")
	}
	gmail, _ := g.s.LookupIdentity("alice@gmail.com")
	auths = doc["session_info"].(map[string]any)["authentications"].(map[string]any)
	if _, ok := auths[gmail.ID]; !ok || len(doc["identity_set_detail"].([]any)) != 2 || len(doc["identity_set"].([]any)) != 2 {
		t.Errorf("linked identity not reported: %v", doc)
	}

	// Without policies there are no evaluations.
	if _, ok := expect(t, g.introspect(t, g.userToken), 200).obj(t)["policy_evaluations"]; ok {
		t.Errorf("policy_evaluations without policies")
	}
	globusError(t, g.introspect(t, g.userToken, "00000000-0000-4000-8000-000000000000"), 400, "INVALID_PARAMETERS")

	// Inactive: unknown, expired, or not for this client.
	for _, tok := range []string{"unknown-token"} {
		if got := strings.TrimSpace(string(expect(t, g.introspect(t, tok), 200).raw)); got != `{"active":false}` {
			t.Errorf("unknown token: %s", got)
		}
	}
	other, otherSecret := g.s.RegisterClient(g.project, "other RS", ResourceServer)
	a2 := call{method: "POST", url: g.authURL + "v2/oauth2/token/introspect", basic: &[2]string{other, otherSecret},
		form: url.Values{"token": {g.userToken}}}.do(t)
	if got := strings.TrimSpace(string(expect(t, a2, 200).raw)); got != `{"active":false}` {
		t.Errorf("foreign client sees inside the token: %s", got)
	}
	oauthErr(t, call{method: "POST", url: g.authURL + "v2/oauth2/token/introspect", basic: &[2]string{g.apiID, "wrong"},
		form: url.Values{"token": {g.userToken}}}.do(t), 401, "invalid_client")
	g.s.AdvanceClock(49 * time.Hour)
	if got := strings.TrimSpace(string(expect(t, g.introspect(t, g.userToken), 200).raw)); got != `{"active":false}` {
		t.Errorf("expired token: %s", got)
	}
}

func TestDependentTokens(t *testing.T) {
	g := newGateway(t)
	groupID := g.s.AddGroup("gateway users", "operator@example.org")
	if err := g.s.AddMember(groupID, "alice@uchicago.edu", "member"); err != nil {
		t.Fatal(err)
	}
	dep := func(id, secret, token string) answer {
		return call{method: "POST", url: g.authURL + "v2/oauth2/token", basic: &[2]string{id, secret}, form: url.Values{
			"grant_type": {DependentTokenGrant}, "token": {token}, "access_type": {"offline"}}}.do(t)
	}
	arr := expect(t, dep(g.apiID, g.apiSecret, g.userToken), 200).list(t)
	if len(arr) != 1 {
		t.Fatalf("dependent tokens: %v", arr)
	}
	tok := arr[0].(map[string]any)
	if tok["resource_server"] != GroupsResourceServer || tok["scope"] != GroupsViewScope || tok["refresh_token"] == nil {
		t.Fatalf("dependent token: %v", tok)
	}
	mine := expect(t, call{method: "GET", url: g.groupsURL + "v2/groups/my_groups", bearer: tok["access_token"].(string)}.do(t), 200).list(t)
	if len(mine) != 1 || mine[0].(map[string]any)["id"] != groupID {
		t.Errorf("alice's groups: %v", mine)
	}

	// A scope without dependent scopes gives an empty array.
	plainID, plainSecret := g.s.RegisterClient(g.project, "plain API", ResourceServer)
	_, plainScope, _ := g.s.AddScope(plainID, "all")
	plainTok, err := g.s.IssueToken(g.publicID, "alice@uchicago.edu", plainScope)
	if err != nil {
		t.Fatal(err)
	}
	if arr := expect(t, dep(plainID, plainSecret, plainTok), 200).list(t); len(arr) != 0 {
		t.Errorf("no dependent scopes but got %v", arr)
	}
	// The token must be for the caller.
	oauthErr(t, dep(plainID, plainSecret, g.userToken), 400, "invalid_grant")
	oauthErr(t, dep(g.apiID, g.apiSecret, "unknown"), 400, "invalid_grant")
	oauthErr(t, dep(g.apiID, "wrong", g.userToken), 401, "invalid_client")
}

// requires_refresh_token concerns the dependent tokens the service gets, not
// the user's login: a login without access_type=offline is still granted
// action_all, gets no refresh token, and the service still gets its Groups
// token on the user's behalf.
func TestOnlineLoginForScopeWhoseDependentScopeNeedsRefresh(t *testing.T) {
	g := newGateway(t)
	basic := &[2]string{g.apiID, g.apiSecret}
	scopes := expect(t, call{method: "GET", url: g.authURL + "v2/api/scopes?" + url.Values{"scope_strings": {g.scopeString}}.Encode(), basic: basic}.do(t), 200).obj(t)["scopes"].([]any)
	deps, _ := scopes[0].(map[string]any)["dependent_scopes"].([]any)
	if len(deps) != 1 || deps[0].(map[string]any)["requires_refresh_token"] != true {
		t.Fatalf("action_all's dependent scopes: %v", deps)
	}

	g.s.SetOperator("alice@uchicago.edu")
	p := newPKCE()
	code, err := g.s.ApproveLogin(g.authorizeURL(g.publicID, p, false, g.scopeString))
	if err != nil {
		t.Fatal(err)
	}
	doc := expect(t, g.exchange(t, g.publicID, code, p), 200).obj(t)
	if doc["resource_server"] != g.apiID || doc["scope"] != g.scopeString || doc["access_token"] == nil {
		t.Fatalf("login answer: resource server %v, scope %v", doc["resource_server"], doc["scope"])
	}
	if doc["refresh_token"] != nil {
		t.Error("a login without access_type=offline got a refresh token")
	}
	arr := expect(t, call{method: "POST", url: g.authURL + "v2/oauth2/token", basic: basic, form: url.Values{
		"grant_type": {DependentTokenGrant}, "token": {doc["access_token"].(string)}}}.do(t), 200).list(t)
	if len(arr) != 1 || arr[0].(map[string]any)["resource_server"] != GroupsResourceServer {
		t.Errorf("dependent tokens: %d, want the Groups token", len(arr))
	}
}
