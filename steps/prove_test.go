package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// proofWorld is a world after the automated steps: the action_all scope,
// and the group "users" holding alice.
func proofWorld(t testing.TB) *world {
	t.Helper()
	return readyWorld(t)
}

// userToken is a token the test user would get from the token helpers:
// through the public client, for the gateway's scope (or others).
func (w *world) userToken(username string, scopes ...string) string {
	w.t.Helper()
	if len(scopes) == 0 {
		scopes = []string{w.get("service_api.scope_string")}
	}
	tok, err := w.srv.IssueToken(w.publicID, username, scopes...)
	if err != nil {
		w.t.Fatal(err)
	}
	return tok
}

func (w *world) prove(token string) Proof {
	w.t.Helper()
	p, err := ProveToken(context.Background(), w.e, token)
	if err != nil {
		w.t.Fatalf("ProveToken: %v", err)
	}
	if len(p.Checks) != len(proofOrder) {
		w.t.Fatalf("%d checks, want %d:\n%s", len(p.Checks), len(proofOrder), strings.Join(p.Lines(), "\n"))
	}
	for i, c := range p.Checks {
		if c.Name != proofOrder[i] || c.Step != "proof" {
			w.t.Errorf("check %d is %q (step %q), want %q in step proof", i, c.Name, c.Step, proofOrder[i])
		}
	}
	w.t.Logf("proof:\n%s", strings.Join(p.Lines(), "\n"))
	return p
}

// wantChecks asserts each check's status, in the gateway's order.
func wantChecks(t *testing.T, p Proof, want ...CheckStatus) {
	t.Helper()
	if len(want) != len(p.Checks) {
		t.Fatalf("%d checks, want %d", len(p.Checks), len(want))
	}
	for i, c := range p.Checks {
		if c.Status != want[i] {
			t.Errorf("%s: %s, want %s", c.Name, c.Status, want[i])
		}
	}
}

const (
	P = CheckPass
	F = CheckFail
	S = CheckSkip
)

func TestProveAdmitted(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	introspections, lists := w.count("POST", "/v2/oauth2/token/introspect"), w.count("GET", "/v2/groups/my_groups")
	p := w.prove(tok)
	alice, _ := w.srv.LookupIdentity("alice@example.org")
	wantChecks(t, p, P, P, P, P, P, P, P)
	if !p.Admitted || p.Username != "alice@example.org" {
		t.Fatalf("admitted %v, username %q", p.Admitted, p.Username)
	}
	lines := p.Lines()
	if lines[0] != "alice@example.org would be admitted" {
		t.Errorf("verdict %q", lines[0])
	}
	out := strings.Join(lines, "\n")
	mustContain(t, out,
		"✓ Token is active (for alice@example.org)",
		"✓ Token carries the gateway's scope (https://auth.globus.org/scopes/"+w.apiID+"/action_all)",
		"✓ Groups token on the user's behalf (groups.api.globus.org)",
		"✓ Identity provider domain is authorised (alice@example.org logged in with alice@example.org; example.org is authorised; the gateway takes them as identity "+alice.ID+")",
		"✓ Authentication policies pass (1 of 1 evaluated true)",
		"✓ Member of an allowed group (alice@example.org is in \"Demo Inference Gateway Users\" ("+w.get("groups.users.id")+"))")
	// The proof asked Globus what the gateway asks, with the stored policy.
	if n := w.count("POST", "/v2/oauth2/token/introspect") - introspections; n != 1 {
		t.Errorf("%d introspections, want 1", n)
	}
	if n := w.count("GET", "/v2/groups/my_groups") - lists; n != 1 {
		t.Errorf("%d my_groups calls, want 1", n)
	}
}

func TestProveRefusesInactiveToken(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	w.srv.AdvanceClock(49 * time.Hour) // past the token's 48 hours
	before := w.count("POST", "/v2/oauth2/token")
	p := w.prove(tok)
	wantChecks(t, p, F, S, S, S, S, S, S)
	if p.Admitted || p.Username != "" {
		t.Fatalf("admitted %v, username %q", p.Admitted, p.Username)
	}
	lines := p.Lines()
	mustContain(t, lines[0], "The test user would be refused: the token is not active")
	mustContain(t, lines[2], "- Token carries the gateway's scope: skipped: not checked: the gateway refuses an inactive token")
	// Nothing after the introspection: the gateway stops there too.
	if n := w.count("POST", "/v2/oauth2/token") - before; n != 1 {
		t.Errorf("%d token-endpoint calls after an inactive token, want only the introspection", n)
	}
}

func TestProveRefusesRevokedToken(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	w.srv.RevokeTokens("alice@example.org")
	p := w.prove(tok)
	wantChecks(t, p, F, S, S, S, S, S, S)
	mustContain(t, p.Lines()[0], "would be refused: the token is not active")
}

func TestProveRefusesTokenWithoutTheScope(t *testing.T) {
	w := proofWorld(t)
	_, other, err := w.srv.AddScope(w.apiID, "other")
	if err != nil {
		t.Fatal(err)
	}
	p := w.prove(w.userToken("alice@example.org", other))
	wantChecks(t, p, P, F, F, P, P, P, S)
	scope := w.get("service_api.scope_string")
	mustContain(t, p.Lines()[0], "alice@example.org would be refused: alice@example.org's token lacks "+scope+" (it carries: "+other+")")
	mustContain(t, p.Checks[2].Detail, "the token lacks the action_all scope")
	mustContain(t, p.Checks[2].Hint.String(), "log in asking for "+scope)
}

func TestProveRefusesOldSession(t *testing.T) {
	w := proofWorld(t)
	short := w.srv.AddPolicy(w.projectID, "HA 30 min", []string{"example.org", "example.edu"}, 1800)
	w.set(map[string]string{"policy.id": short, "policy.assurance_timeout": "30m"})
	tok := w.userToken("alice@example.org")
	w.srv.SetSessionAge("alice@example.org", 2*time.Hour)
	// Not logged in: the window comes from the vault's policy.* values.
	p := w.prove(tok)
	wantChecks(t, p, P, P, P, P, F, P, P)
	mustContain(t, p.Lines()[0], "alice@example.org would be refused: for alice@example.org, policy 1 of 1 evaluated false: "+
		"the session is older than the policy's 30-minute window (alice@example.org logged in ")
	mustContain(t, p.Checks[4].Hint.String(), "log in again")
}

func TestProveReadsThePolicyFromGlobusWhenLoggedIn(t *testing.T) {
	w := proofWorld(t)
	short := w.srv.AddPolicy(w.projectID, "HA 45 min", []string{"example.org"}, 2700)
	// The vault says 8 hours; Globus's 45 minutes is what counts.
	w.set(map[string]string{"policy.id": short, "policy.assurance_timeout": "8h", "policy.domains": "example.org"})
	w.login()
	tok := w.userToken("alice@example.org")
	w.srv.SetSessionAge("alice@example.org", 3*time.Hour)
	p := w.prove(tok)
	wantChecks(t, p, P, P, P, P, F, P, P)
	mustContain(t, p.Checks[4].Detail, "policy 1 of 1 evaluated false: the session is older than the policy's 45-minute window")
	if w.count("GET", "/v2/api/policies/"+short) != 1 {
		t.Error("the policy was not read from Globus")
	}
}

func TestProveRefusesDomainOutsideAuthorizedIdPDomains(t *testing.T) {
	w := proofWorld(t)
	// The policy allows example.edu, the .env does not: the gateway refuses.
	w.set(map[string]string{"policy.domains": "example.org"})
	if err := w.srv.AddMember(w.get("groups.users.id"), "bob@example.edu", "member"); err != nil {
		t.Fatal(err)
	}
	p := w.prove(w.userToken("bob@example.edu"))
	wantChecks(t, p, P, P, P, F, P, P, P)
	mustContain(t, p.Lines()[0], "bob@example.edu would be refused: bob@example.edu logged in with bob@example.edu (example.edu), not from AUTHORIZED_IDP_DOMAINS (example.org)")
	mustContain(t, p.Checks[3].Hint.String(), "log in with an identity from example.org", "add it to the policy and to policy.domains")
}

func TestProveRefusesLoginWithLinkedIdentityFromOtherDomain(t *testing.T) {
	w := proofWorld(t)
	w.srv.SetAuthenticatedWith("alice@example.org", "alice@gmail.com")
	p := w.prove(w.userToken("alice@example.org"))
	wantChecks(t, p, P, P, P, F, F, P, P)
	mustContain(t, p.Lines()[0], "alice@example.org would be refused: alice@example.org logged in with alice@gmail.com (gmail.com), not from AUTHORIZED_IDP_DOMAINS (example.org example.edu)")
	mustContain(t, p.Checks[4].Detail, "policy 1 of 1 evaluated false: the session has no login with an identity from the policy's domains (example.org example.edu): alice@example.org logged in with alice@gmail.com")
}

func TestProveRefusesUserInNoGroup(t *testing.T) {
	w := proofWorld(t)
	p := w.prove(w.userToken("bob@example.edu"))
	wantChecks(t, p, P, P, P, P, P, P, F)
	id := w.get("groups.users.id")
	// Named as Globus names it (read as the operator, as verify does),
	// not by its key in the vault.
	mustContain(t, p.Lines()[0], `bob@example.edu would be refused: bob@example.edu is in none of the allowed groups: "Demo Inference Gateway Users" (`+id+")")
	mustContain(t, p.Checks[6].Hint.String(), "globus-setup group add users bob@example.edu")
}

func TestProveWithoutGroupsAnyUserPasses(t *testing.T) {
	w := newWorld(t)
	if _, err := EnsureScope(context.Background(), w.e); err != nil {
		t.Fatal(err)
	}
	p := w.prove(w.userToken("bob@example.edu"))
	wantChecks(t, p, P, P, P, P, P, P, P)
	mustContain(t, p.Checks[6].Line(), "no groups configured (GLOBUS_GROUPS is empty): any user passes this check")
	// The gateway lists the groups even then: a failure there refuses.
	if n := w.count("GET", "/v2/groups/my_groups"); n != 1 {
		t.Errorf("%d my_groups calls, want 1", n)
	}
}

func TestProveRefusesWhenScopeLacksGroupsDependency(t *testing.T) {
	w := newWorld(t)
	id, str, err := w.srv.AddScope(w.apiID, "action_all") // no dependent scope
	if err != nil {
		t.Fatal(err)
	}
	w.set(map[string]string{"service_api.scope_id": id, "service_api.scope_string": str})
	p := w.prove(w.userToken("alice@example.org"))
	wantChecks(t, p, P, P, F, P, P, P, S)
	mustContain(t, p.Lines()[0], "alice@example.org would be refused: Globus gave no Groups token on alice@example.org's behalf (dependent tokens came for: none)",
		"the action_all scope lacks the Groups dependent scope")
	mustContain(t, p.Checks[2].Hint.String(), globus.GroupsDependentScopeID)
	mustContain(t, p.Checks[6].Line(), "skipped: not checked: no Groups token")
}

func TestProveRefusesUnknownPolicy(t *testing.T) {
	w := proofWorld(t)
	w.set(map[string]string{"policy.id": "0b8a4c7e-2f1d-4e3a-9c5b-6d7e8f9a0b1c"})
	p := w.prove(w.userToken("alice@example.org"))
	wantChecks(t, p, F, S, S, S, S, S, S)
	mustContain(t, p.Checks[0].Detail, "Globus refused to introspect the token", "unknown authentication policy")
	mustContain(t, p.Checks[0].Hint.String(), "check policy.id")
}

// rewriter serves srv through a proxy that lets edit change the answers to
// requests match picks (the form body is readable by both).
func rewriter(t *testing.T, srv *globustest.Server, match func(r *http.Request, form url.Values) bool, edit func(body []byte) []byte) (*world, *int) {
	t.Helper()
	var mu sync.Mutex
	n := new(int)
	ts := wrapped(t, srv, func(rw http.ResponseWriter, r *http.Request) bool {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if !match(r, form) {
			return false
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, r)
		out := rec.Body.Bytes()
		if rec.Code == http.StatusOK {
			out = edit(out)
			mu.Lock()
			*n++
			mu.Unlock()
		}
		for k, v := range rec.Header() {
			if k != "Content-Length" {
				rw.Header()[k] = v
			}
		}
		rw.WriteHeader(rec.Code)
		_, _ = rw.Write(out)
		return true
	})
	w := newWorldOn(t, srv, ts.URL+"/auth/", ts.URL+"/groups/")
	ctx := context.Background()
	if _, err := EnsureScope(ctx, w.e); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org"}, AsClient: true}); err != nil {
		t.Fatal(err)
	}
	return w, n
}

func isDependentGrant(r *http.Request, form url.Values) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/auth/v2/oauth2/token") &&
		form.Get("grant_type") == globustest.DependentTokenGrant
}

// introspectionEdit serves a world whose introspection answers edit changes.
func introspectionEdit(t *testing.T, edit func(doc map[string]any)) (*world, *int) {
	srv, _ := globustest.NewTestServer(t)
	return rewriter(t, srv, func(r *http.Request, _ url.Values) bool {
		return strings.HasSuffix(r.URL.Path, "/oauth2/token/introspect")
	}, func(body []byte) []byte {
		var doc map[string]any
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Errorf("introspection answer: %v", err)
			return body
		}
		edit(doc)
		b, _ := json.Marshal(doc)
		return b
	})
}

func TestProveRefusesExpiredButActiveToken(t *testing.T) {
	// The gateway checks exp itself, whatever "active" says.
	w, rewritten := introspectionEdit(t, func(doc map[string]any) { doc["exp"] = 1 })
	p := w.prove(w.userToken("alice@example.org"))
	if *rewritten != 1 {
		t.Fatalf("%d introspections rewritten, want 1", *rewritten)
	}
	wantChecks(t, p, F, S, S, S, S, S, S)
	mustContain(t, p.Lines()[0], "alice@example.org would be refused: alice@example.org's token has expired")
}

func TestProveRefusesSessionWithoutAuthentications(t *testing.T) {
	w, _ := introspectionEdit(t, func(doc map[string]any) { delete(doc, "session_info") })
	p := w.prove(w.userToken("alice@example.org"))
	wantChecks(t, p, P, P, P, F, P, P, P)
	mustContain(t, p.Checks[3].Detail, "Globus reports no authentication in alice@example.org's session")
	mustContain(t, p.Checks[3].Hint.String(), "log in with an identity from example.org or example.edu")
}

// The gateway admits when any authentication of the session has an identity
// from AUTHORIZED_IDP_DOMAINS, so the verdict must not depend on the order of
// the authentications' identity IDs, whatever the other one is.
func TestProveDomainCheckLooksAtEveryAuthentication(t *testing.T) {
	const low, high = "00000000-0000-4000-8000-000000000001", "ffffffff-ffff-4fff-bfff-ffffffffffff"
	var other map[string]any // the second authentication, nil for none
	matchFirst := true
	w, rewritten := introspectionEdit(t, func(doc map[string]any) {
		auths := doc["session_info"].(map[string]any)["authentications"].(map[string]any)
		if len(auths) != 1 || other == nil {
			return
		}
		var alice any
		for _, a := range auths {
			alice = a
		}
		first, second := alice, any(other)
		if !matchFirst {
			first, second = second, first
		}
		doc["session_info"].(map[string]any)["authentications"] = map[string]any{low: first, high: second}
	})
	w.srv.LinkIdentity("alice@example.org", "alice@gmail.com")
	gmail, _ := w.srv.LookupIdentity("alice@gmail.com")
	for _, tc := range []struct {
		name  string
		other map[string]any
	}{
		{"linked identity from another domain", map[string]any{"idp": gmail.IdentityProvider, "auth_time": time.Now().Unix()}},
		{"identity provider with no identity listed", map[string]any{"idp": "5fba6ba4-0000-4000-8000-0000000000ee", "auth_time": time.Now().Unix()}},
	} {
		for _, first := range []bool{true, false} {
			other, matchFirst = tc.other, first
			before := *rewritten
			p := w.prove(w.userToken("alice@example.org"))
			if *rewritten != before+1 {
				t.Fatalf("%s: the introspection was not rewritten", tc.name)
			}
			alice, _ := w.srv.LookupIdentity("alice@example.org")
			if c := p.Checks[3]; c.Status != P || c.Detail != "alice@example.org logged in with alice@example.org; example.org is authorised; the gateway takes them as identity "+alice.ID {
				t.Errorf("%s, matching authentication first %v: %s %q", tc.name, first, c.Status, c.Detail)
			}
		}
	}

	// When none passes, every authentication is reported, the same way in
	// either order.
	w.set(map[string]string{"policy.domains": "example.edu"})
	other = map[string]any{"idp": "5fba6ba4-0000-4000-8000-0000000000ee", "auth_time": time.Now().Unix()}
	var details []string
	for _, first := range []bool{true, false} {
		matchFirst = first
		p := w.prove(w.userToken("alice@example.org"))
		if p.Checks[3].Status != F {
			t.Fatalf("refused domain passed: %q", p.Checks[3].Detail)
		}
		details = append(details, p.Checks[3].Detail)
	}
	if details[0] != details[1] {
		t.Errorf("the report depends on the order:\n%s\n%s", details[0], details[1])
	}
	mustContain(t, details[0], "alice@example.org logged in with alice@example.org (example.org), not from AUTHORIZED_IDP_DOMAINS (example.edu)",
		"no identity of alice@example.org for the identity provider 5fba6ba4-0000-4000-8000-0000000000ee")
}

func TestUsernameDomain(t *testing.T) {
	for in, want := range map[string]string{"a@example.org": "example.org", "a@b@example.org": "example.org", "a": "", "a@": "", "": ""} {
		got, ok := usernameDomain(in)
		if got != want || ok != (want != "") {
			t.Errorf("usernameDomain(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// The proof logs in as the gateway's users do (refresh tokens asked for, and
// session_required_policies=<the policy>, as alcf_ai/src/alcf_ai/auth.py), and
// revokes every token it was given when it ends.
func TestProveLoginLikeUsersAndRevokes(t *testing.T) {
	srv, _ := globustest.NewTestServer(t)
	var mu sync.Mutex
	var refreshTokens []string
	w, n := rewriter(t, srv, func(r *http.Request, form url.Values) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/auth/v2/oauth2/token") &&
			form.Get("grant_type") == "authorization_code"
	}, func(body []byte) []byte {
		var v struct {
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			t.Errorf("token answer: %v", err)
		}
		mu.Lock()
		refreshTokens = append(refreshTokens, v.RefreshToken)
		mu.Unlock()
		return body
	})
	flow, err := StartProof(w.e)
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(flow.URL)
	if err != nil || u.Query().Get("session_required_policies") != w.policyID || u.Query().Get("access_type") != "offline" {
		t.Errorf("the proof's login is not the users' login: %v %v", u.Query(), err)
	}
	code, err := w.srv.ApproveLoginAs(flow.URL, "alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	before := w.count(http.MethodPost, "/v2/oauth2/token/revoke")
	p, err := ProveLogin(context.Background(), w.e, flow, code)
	if err != nil || !p.Admitted {
		t.Fatalf("%v\n%s", err, strings.Join(p.Lines(), "\n"))
	}
	if *n != 1 || len(refreshTokens) != 1 || refreshTokens[0] == "" {
		t.Fatalf("%d code exchanges, refresh tokens %d", *n, len(refreshTokens))
	}
	// One access and one refresh token, and the dependent Groups token: all revoked.
	if got := w.count(http.MethodPost, "/v2/oauth2/token/revoke") - before; got != 3 {
		t.Errorf("%d revocations, want 3", got)
	}
	mustContain(t, strings.Join(p.Lines(), "\n"), "The test user's 2 tokens were revoked at Globus.")
	_, err = w.e.Globus.Refresh(context.Background(), flow.ClientID, globus.Token{RefreshToken: refreshTokens[0]})
	if err == nil {
		t.Error("the test user's refresh token still works after the proof")
	}
}

func TestProveAcceptsDependentTokensAsOneObject(t *testing.T) {
	srv, _ := globustest.NewTestServer(t)
	w, rewritten := rewriter(t, srv, isDependentGrant, func(body []byte) []byte {
		var list []map[string]any
		if err := json.Unmarshal(body, &list); err != nil || len(list) == 0 {
			t.Errorf("the emulator's dependent-token answer is not a non-empty array: %v", err)
			return body
		}
		one := list[0]
		one["other_tokens"] = list[1:]
		b, _ := json.Marshal(one)
		return b
	})
	p := w.prove(w.userToken("alice@example.org"))
	if *rewritten != 1 {
		t.Fatalf("%d dependent-token answers rewritten, want 1", *rewritten)
	}
	wantChecks(t, p, P, P, P, P, P, P, P)
	if !p.Admitted {
		t.Error("not admitted with a single-object dependent-token answer")
	}
}

func TestProveRefusesWhenGlobusEvaluatesFewerPolicies(t *testing.T) {
	w, rewritten := introspectionEdit(t, func(doc map[string]any) { delete(doc, "policy_evaluations") })
	p := w.prove(w.userToken("alice@example.org"))
	if *rewritten != 1 {
		t.Fatalf("%d introspections rewritten, want 1", *rewritten)
	}
	wantChecks(t, p, P, P, P, P, F, P, P)
	mustContain(t, p.Checks[4].Detail, "Globus evaluated 0 of the 1 configured policies for alice@example.org")
}

func TestProveWrongServiceCredentialsIsAnError(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	// Another app's real secret: well formed, but not this app's.
	w.set(map[string]string{"service_api.client_secret": w.acctSecret})
	p, err := ProveToken(context.Background(), w.e, tok)
	if err == nil {
		t.Fatalf("no error; proof:\n%s", strings.Join(p.Lines(), "\n"))
	}
	var pr *Problem
	if !errors.As(err, &pr) {
		t.Fatalf("not a Problem: %v", err)
	}
	mustContain(t, err.Error(), "introspecting the test user's token", "did not accept the stored Service API client ID and secret")
	mustContain(t, Hint(err), "globus-setup set service_api.client_secret")
	for _, s := range []string{tok, w.acctSecret, w.apiSecret} {
		if strings.Contains(err.Error(), s) || strings.Contains(Hint(err), s) {
			t.Error("a token or secret in the error")
		}
	}
	if len(p.Checks) != 0 {
		t.Errorf("checks with an error: %v", p.Lines())
	}
}

func TestProveWithoutNetworkIsAnError(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	w.srv.Close()
	_, err := ProveToken(context.Background(), w.e, tok)
	var ne *globus.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("want a network error, got %v", err)
	}
	mustContain(t, err.Error(), "the proof could not run", "cannot reach Globus Auth")
	mustContain(t, Hint(err), "check the network")
	if strings.Contains(err.Error(), tok) {
		t.Error("the token in the error")
	}
}

func TestProveGlobusFailingIsAnError(t *testing.T) {
	w := proofWorld(t)
	tok := w.userToken("alice@example.org")
	w.srv.FailNext("GET", "/v2/groups/my_groups", 10, globustest.Failure{Status: http.StatusServiceUnavailable})
	_, err := ProveToken(context.Background(), w.e, tok)
	if !globus.IsStatus(err, http.StatusServiceUnavailable) {
		t.Fatalf("want the 503, got %v", err)
	}
	mustContain(t, err.Error(), "listing the test user's groups: the proof could not run")
}

func TestStartProofNamesMissingValues(t *testing.T) {
	w := newWorld(t) // no scope yet
	_, err := StartProof(w.e)
	var pr *Problem
	if !errors.As(err, &pr) {
		t.Fatalf("want a Problem, got %v", err)
	}
	mustContain(t, pr.What, "service_api.scope_string not stored")
	mustContain(t, pr.Do.String(), "globus-setup scope create")

	empty := &Env{Vault: newVault(t), Globus: w.e.Globus}
	_, err = StartProof(empty)
	mustContain(t, fmt.Sprint(err), "public_client.client_id, service_api.client_id, service_api.client_secret, service_api.scope_string not stored")
	_, err = ProveToken(context.Background(), empty, "sometoken")
	mustContain(t, fmt.Sprint(err), "service_api.client_id, service_api.client_secret, service_api.scope_string not stored")
}

func TestProveLoginEndToEnd(t *testing.T) {
	w := proofWorld(t)
	flow, err := StartProof(w.e)
	if err != nil {
		t.Fatal(err)
	}
	scope := w.get("service_api.scope_string")
	if len(flow.Scopes) != 1 || flow.Scopes[0] != scope || flow.ClientID != w.publicID {
		t.Fatalf("login through %s for %v, want %s for [%s]", flow.ClientID, flow.Scopes, w.publicID, scope)
	}
	code, err := w.srv.ApproveLoginAs(flow.URL, "alice@example.org")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ProveLogin(context.Background(), w.e, flow, code)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks(t, p, P, P, P, P, P, P, P)
	if !p.Admitted || p.Lines()[0] != "alice@example.org would be admitted" {
		t.Fatalf("%s", strings.Join(p.Lines(), "\n"))
	}
	// A code works once.
	if _, err := ProveLogin(context.Background(), w.e, flow, code); err == nil {
		t.Error("the code worked twice")
	} else {
		mustContain(t, err.Error(), "already used")
		mustContain(t, Hint(err), "start the proof again")
	}
	// Refused the same way a direct token is: bob is in no group.
	flow, _ = StartProof(w.e)
	code, _ = w.srv.ApproveLoginAs(flow.URL, "bob@example.edu")
	p, err = ProveLogin(context.Background(), w.e, flow, code)
	if err != nil {
		t.Fatal(err)
	}
	wantChecks(t, p, P, P, P, P, P, P, F)
}

// tokensIn collects every access and refresh token in a JSON answer.
func tokensIn(v any, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && (k == "access_token" || k == "refresh_token") && s != "" {
				out[s] = true
			}
			tokensIn(e, out)
		}
	case []any:
		for _, e := range x {
			tokensIn(e, out)
		}
	}
}

func TestProveKeepsTokensOutOfEverything(t *testing.T) {
	srv, _ := globustest.NewTestServer(t)
	var mu sync.Mutex
	seen := map[string]bool{}
	w, n := rewriter(t, srv, func(r *http.Request, _ url.Values) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/auth/v2/oauth2/token")
	}, func(body []byte) []byte {
		var v any
		if json.Unmarshal(body, &v) == nil {
			mu.Lock()
			tokensIn(v, seen)
			mu.Unlock()
		}
		return body
	})
	var progress bytes.Buffer
	w.e.Out = &progress
	var texts []string
	record := func(p Proof, err error) {
		texts = append(texts, strings.Join(p.Lines(), "\n"), fmt.Sprintf("%v %+v %#v", p, p, p))
		if err != nil {
			texts = append(texts, err.Error(), Hint(err), fmt.Sprintf("%+v %#v", err, err))
		}
	}
	login := func(user string) (*globus.LoginFlow, string) {
		flow, err := StartProof(w.e)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, fmt.Sprintf("%v %+v %#v", flow, flow, *flow))
		code, err := w.srv.ApproveLoginAs(flow.URL, user)
		if err != nil {
			t.Fatal(err)
		}
		return flow, code
	}
	// Admitted, refused at the policy, and an error after the login.
	flow, code := login("alice@example.org")
	p, err := ProveLogin(context.Background(), w.e, flow, code)
	if err != nil || !p.Admitted {
		t.Fatalf("alice: %v\n%s", err, strings.Join(p.Lines(), "\n"))
	}
	record(p, err)
	flow, code = login("alice@example.org")
	w.srv.SetSessionAge("alice@example.org", 9*time.Hour)
	p, err = ProveLogin(context.Background(), w.e, flow, code)
	if err != nil || p.Admitted {
		t.Fatalf("old session: %v\n%s", err, strings.Join(p.Lines(), "\n"))
	}
	record(p, err)
	flow, code = login("bob@example.edu")
	srv.FailNext("POST", "/v2/oauth2/token/introspect", 1, globustest.Failure{Status: http.StatusUnauthorized, Body: `{"error":"invalid_client"}`})
	p, err = ProveLogin(context.Background(), w.e, flow, code)
	if err == nil {
		t.Fatal("no error when Globus refused the Service API credentials")
	}
	record(p, err)

	// Three logins (an access token each; one-time, so no refresh token),
	// two dependent-token answers and the setup's client token: the proof
	// saw the tokens it must not keep.
	if *n < 6 || len(seen) < 6 {
		t.Fatalf("saw %d token answers and %d tokens: the test would prove nothing", *n, len(seen))
	}
	if err := w.e.Vault.Reload(); err != nil {
		t.Fatal(err)
	}
	stored, err := json.Marshal(w.e.Vault.Doc())
	if err != nil {
		t.Fatal(err)
	}
	texts = append(texts, string(stored), progress.String())
	for tok := range seen {
		for i, s := range texts {
			if strings.Contains(s, tok) {
				t.Errorf("a token (%d bytes) leaked into text %d", len(tok), i)
			}
		}
	}
}

func TestProofLinesVerdict(t *testing.T) {
	p := Proof{Checks: []Check{
		pass(proofStep, proofActive, "for x"),
		fail(proofStep, proofScope, "first reason", "do this"),
		fail(proofStep, proofGroupsToken, "second reason", ""),
	}}
	got := p.Lines()
	want := []string{
		"The test user would be refused: first reason",
		"✓ Token is active (for x)",
		"✗ Token carries the gateway's scope: first reason — do this",
		"✗ Groups token on the user's behalf: second reason",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := (Proof{Username: "u@x.org", Admitted: true}).Lines(); got[0] != "u@x.org would be admitted" {
		t.Errorf("verdict %q", got[0])
	}
}

func TestProofDurations(t *testing.T) {
	for sec, want := range map[int]string{1800: "30-minute", 28800: "8-hour", 90: "90-second", 5400: "90-minute"} {
		if got := window(sec); got != want {
			t.Errorf("window(%d) = %q, want %q", sec, got, want)
		}
	}
	for d, want := range map[time.Duration]string{
		2*time.Hour + 5*time.Minute: "2 hours", 45 * time.Minute: "45 minutes", time.Minute: "1 minute",
		72 * time.Hour: "3 days", 30 * time.Second: "30 seconds",
	} {
		if got := ago(d); got != want {
			t.Errorf("ago(%v) = %q, want %q", d, got, want)
		}
	}
}
