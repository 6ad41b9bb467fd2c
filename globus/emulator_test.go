package globus_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// world is an emulator seeded as the wizard finds Globus half-way through the
// guide: an operator, a project, the Service API app and the public client.
type world struct {
	srv      *globustest.Server
	base     string
	c        *globus.Client
	env      globus.Environment
	slept    *[]time.Duration
	mu       *sync.Mutex
	project  string
	svc      globus.Credentials
	publicID string
}

func newWorld(t *testing.T, opts ...globus.Option) *world {
	t.Helper()
	srv, base := globustest.NewTestServer(t)
	env, err := globus.EnvironmentFromEnv(func(k string) string { return srv.Env()[k] })
	if err != nil {
		t.Fatal(err)
	}
	w := &world{srv: srv, base: base, env: env, slept: new([]time.Duration), mu: new(sync.Mutex)}
	sleep := func(ctx context.Context, d time.Duration) error {
		w.mu.Lock()
		*w.slept = append(*w.slept, d)
		w.mu.Unlock()
		return ctx.Err()
	}
	w.c, err = globus.New(env, append([]globus.Option{globus.WithSleep(sleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	srv.AddIdentity("operator@uni.edu", "Olga Operator", "olga@uni.edu", "Uni")
	srv.SetOperator("operator@uni.edu")
	w.project = srv.AddProject("Inference gateway", "olga@uni.edu", "operator@uni.edu")
	id, secret := srv.RegisterClient(w.project, "Service API", globus.ClientTypeHybrid)
	w.svc = globus.Credentials{ID: id, Secret: secret}
	w.publicID, _ = srv.RegisterClient(w.project, "Gateway login", globus.ClientTypePublicThick)
	return w
}

func (w *world) sleeps() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), *w.slept...)
}

// login runs the operator's PKCE login the way the wizard does.
func (w *world) login(t *testing.T, scopes ...string) globus.TokenSet {
	t.Helper()
	flow, err := w.c.StartLogin(w.publicID, scopes)
	if err != nil {
		t.Fatal(err)
	}
	return w.approveLogin(t, flow)
}

// approveLogin signs the operator in at flow's URL and exchanges the code.
func (w *world) approveLogin(t *testing.T, flow *globus.LoginFlow) globus.TokenSet {
	t.Helper()
	code, err := w.srv.ApproveLogin(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := w.c.ExchangeCode(context.Background(), flow, code)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (w *world) operatorTokens(t *testing.T) (auth, groups globus.Authorizer) {
	ts := w.login(t, globus.ManageProjectsScope, globus.ViewIdentitiesScope, globus.GroupsScope)
	return globus.Bearer(ts[globus.AuthResourceServer].AccessToken), globus.Bearer(ts[globus.GroupsResourceServer].AccessToken)
}

func asError(t *testing.T, err error, status int) *globus.Error {
	t.Helper()
	var e *globus.Error
	if !errors.As(err, &e) || e.Status != status {
		t.Fatalf("want a %d *globus.Error, got %v", status, err)
	}
	return e
}

func TestEmulatorEnvironment(t *testing.T) {
	w := newWorld(t)
	want := globus.Environment{Name: "custom", AuthURL: w.base + "/auth/", GroupsURL: w.base + "/groups/", AppURL: w.base + "/app/", Timeout: globus.DefaultTimeout}
	if w.env != want || w.c.Environment() != want {
		t.Errorf("env %+v, want %+v", w.env, want)
	}
	// The same layout without GLOBUS_SETUP_APP_URL derives the app URL.
	env, err := globus.EnvironmentFromEnv(func(k string) string {
		if k == globus.EnvAppURL {
			return ""
		}
		return w.srv.Env()[k]
	})
	if err != nil || env.AppURL != w.base+"/app/" {
		t.Errorf("derived app URL %q, %v", env.AppURL, err)
	}
	resp, err := http.Get(env.DevelopersConsoleURL())
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("console page: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
}

func TestEmulatorServiceAPI(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()

	ts, err := w.c.ClientCredentialsToken(ctx, w.svc, globus.OpenIDScope)
	if err != nil || ts[globus.AuthResourceServer].AccessToken == "" {
		t.Fatalf("client credentials: %v %v", ts, err)
	}
	ts, err = w.c.ClientCredentialsToken(ctx, w.svc, globus.GroupsScope)
	if err != nil || ts[globus.GroupsResourceServer].AccessToken == "" || ts[globus.GroupsResourceServer].Scope != globus.GroupsScope {
		t.Fatalf("groups token: %v %v", ts, err)
	}

	cl, err := w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID)
	if err != nil || cl.ID != w.svc.ID || cl.Project != w.project || cl.ClientType != globus.ClientTypeHybrid || len(cl.Scopes) != 0 {
		t.Fatalf("client %+v %v", cl, err)
	}

	sc, err := w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("Inference gateway", "Use the inference gateway"))
	if err != nil {
		t.Fatal(err)
	}
	dep := globus.DependentScope{Scope: globus.GroupsDependentScopeID, Optional: false, RequiresRefreshToken: true}
	if sc.ID == "" || !strings.HasSuffix(sc.ScopeString, "/scopes/"+w.svc.ID+"/action_all") || len(sc.DependentScopes) != 1 || sc.DependentScopes[0] != dep {
		t.Errorf("scope %+v", sc)
	}

	// Running the step again: 409, not retried, and the existing scope is found.
	_, err = w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("Inference gateway", "Use the inference gateway"))
	e := asError(t, err, http.StatusConflict)
	if e.Code != "CONFLICT" || !strings.Contains(e.Hint(), "reuse") {
		t.Errorf("409: %v / %s", e, e.Hint())
	}
	if n := w.srv.CountRequests("POST", "/v2/api/clients/"+w.svc.ID+"/scopes"); n != 2 {
		t.Errorf("%d scope POSTs, want 2", n)
	}
	cl, err = w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID)
	if err != nil || !slices.Equal(cl.Scopes, []string{sc.ID}) {
		t.Fatalf("client scopes %v %v", cl, err)
	}
	got, err := w.c.GetScopes(ctx, globus.Basic(w.svc), cl.Scopes)
	if err != nil || len(got) != 1 || got[0].ScopeString != sc.ScopeString {
		t.Fatalf("scopes %+v %v", got, err)
	}
	one, err := w.c.GetScope(ctx, globus.Basic(w.svc), sc.ID)
	if err != nil || one.ID != sc.ID || !one.AllowsRefreshToken {
		t.Fatalf("scope %+v %v", one, err)
	}

	for _, r := range w.srv.Requests() {
		if r.Service == "auth" && r.Auth != "basic:"+w.svc.ID {
			t.Errorf("request %+v not authorized as the Service API", r)
		}
	}
}

func TestEmulatorFailures(t *testing.T) {
	ctx := context.Background()

	t.Run("401 bad secret", func(t *testing.T) {
		w := newWorld(t)
		bad := globus.Credentials{ID: w.svc.ID, Secret: "not-the-secret-0123456789"}
		_, err := w.c.ClientCredentialsToken(ctx, bad, globus.OpenIDScope)
		e := asError(t, err, http.StatusUnauthorized)
		if e.OAuthError != "invalid_client" || e.Hint() != "the client ID and secret do not match; create a new secret in the developers console" {
			t.Errorf("%v / %s", e, e.Hint())
		}
		_, err = w.c.GetClient(ctx, globus.Basic(bad), w.svc.ID)
		if e := asError(t, err, http.StatusUnauthorized); !strings.Contains(e.Hint(), "create a new secret") {
			t.Errorf("GET with a bad secret: hint %q", e.Hint())
		}
		if strings.Contains(err.Error(), bad.Secret) || strings.Contains(err.Error(), w.svc.Secret) {
			t.Errorf("secret in %q", err)
		}
		if n := len(w.srv.Requests()); n != 2 {
			t.Errorf("%d requests: a 401 was retried", n)
		}
	})

	t.Run("403", func(t *testing.T) {
		w := newWorld(t)
		_, err := w.c.GetClient(ctx, globus.Basic(w.svc), w.publicID)
		if e := asError(t, err, http.StatusForbidden); e.Code != "FORBIDDEN" || e.RequestID == "" || !strings.Contains(e.Hint(), "not allowed") {
			t.Errorf("%v / %s", e, e.Hint())
		}
		// An operator token without manage_projects.
		ts := w.login(t, "openid")
		_, err = w.c.ListProjects(ctx, globus.Bearer(ts[globus.AuthResourceServer].AccessToken))
		asError(t, err, http.StatusForbidden)
		if n := w.srv.CountRequests("GET", "/v2/api/projects"); n != 1 {
			t.Errorf("403 retried: %d requests", n)
		}
	})

	t.Run("404", func(t *testing.T) {
		w := newWorld(t)
		_, err := w.c.GetScope(ctx, globus.Basic(w.svc), "00000000-0000-4000-8000-000000000000")
		if e := asError(t, err, http.StatusNotFound); e.URL != "/v2/api/scopes/00000000-0000-4000-8000-000000000000" || e.Method != "GET" {
			t.Errorf("%#v", e)
		}
		_, groups := w.operatorTokens(t)
		_, err = w.c.GetGroup(ctx, groups, "00000000-0000-4000-8000-000000000000", false)
		if e := asError(t, err, http.StatusNotFound); e.Service != "Globus Groups" {
			t.Errorf("%v", e)
		}
	})

	t.Run("429 with Retry-After", func(t *testing.T) {
		w := newWorld(t)
		w.srv.FailNext("GET", "/v2/api/clients/", 2, globustest.Failure{Status: 429, RetryAfter: 3 * time.Second})
		if _, err := w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID); err != nil {
			t.Fatal(err)
		}
		if got := w.sleeps(); !slices.Equal(got, []time.Duration{3 * time.Second, 3 * time.Second}) {
			t.Errorf("sleeps %v", got)
		}
		if n := w.srv.CountRequests("GET", "/v2/api/clients/"); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
		// A creating POST refused with 429 is retried too: nothing was created.
		w.srv.FailNext("POST", "/v2/api/clients/", 1, globustest.Failure{Status: 429, RetryAfter: time.Second})
		if _, err := w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("n", "d")); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("5xx", func(t *testing.T) {
		w := newWorld(t)
		path := "/v2/api/clients/" + w.svc.ID + "/scopes"
		// 500 on a creating POST: the scope may exist now, so no second POST.
		w.srv.FailNext("POST", path, 1, globustest.Failure{Status: 500})
		_, err := w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("n", "d"))
		if e := asError(t, err, 500); !strings.Contains(e.Hint(), "may have made it anyway") {
			t.Errorf("hint %q", e.Hint())
		}
		if n := w.srv.CountRequests("POST", path); n != 1 {
			t.Errorf("%d POSTs after a 500, want 1", n)
		}
		// 503 from the front door: retried.
		w.srv.FailNext("POST", path, 1, globustest.Failure{Status: 503})
		if _, err := w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("n", "d")); err != nil {
			t.Fatal(err)
		}
		// A GET gives up after the first try and DefaultMaxRetries retries.
		w.srv.FailNext("GET", "/v2/api/clients/", 100, globustest.Failure{Status: 502})
		_, err = w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID)
		asError(t, err, 502)
		if n := w.srv.CountRequests("GET", "/v2/api/clients/"); n != 1+globus.DefaultMaxRetries {
			t.Errorf("%d GETs, want %d", n, 1+globus.DefaultMaxRetries)
		}
		w.srv.ClearFailures()
	})

	t.Run("slow answer and ctx timeout", func(t *testing.T) {
		w := newWorld(t)
		w.srv.FailNext("GET", "/v2/api/clients/", 1, globustest.Failure{Delay: time.Minute})
		tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		_, err := w.c.GetClient(tctx, globus.Basic(w.svc), w.svc.ID)
		var ne *globus.NetworkError
		if !errors.As(err, &ne) || !ne.Timeout() || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v", err)
		}
		if n := w.srv.CountRequests("GET", "/v2/api/clients/"); n != 1 {
			t.Errorf("%d requests: an expired context was retried", n)
		}
		if _, err := w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID); err != nil {
			t.Errorf("after the slow answer: %v", err)
		}
	})

	t.Run("slow answer and HTTP timeout", func(t *testing.T) {
		w := newWorld(t, globus.WithHTTPClient(&http.Client{Timeout: 100 * time.Millisecond}))
		w.srv.FailNext("GET", "/v2/api/clients/", 1, globustest.Failure{Delay: time.Minute})
		if _, err := w.c.GetClient(ctx, globus.Basic(w.svc), w.svc.ID); err != nil {
			t.Fatalf("the timed-out GET was not retried: %v", err)
		}
		if n := w.srv.CountRequests("GET", "/v2/api/clients/"); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})

	t.Run("bare oauth error body", func(t *testing.T) {
		w := newWorld(t)
		w.srv.FailNext("POST", "/v2/oauth2/token", 1, globustest.Failure{Status: 401, Body: `{"error":"invalid_client"}`})
		_, err := w.c.ClientCredentialsToken(ctx, w.svc, globus.OpenIDScope)
		if e := asError(t, err, 401); e.Error() != "Globus Auth said 401 invalid_client (POST /v2/oauth2/token)" {
			t.Errorf("%q", e.Error())
		}
	})
}

func TestEmulatorLogin(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	flow, err := w.c.StartLogin(w.publicID, []string{globus.ManageProjectsScope, globus.GroupsScope})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(flow.URL, w.base+"/auth/v2/oauth2/authorize?") || flow.RedirectURI != w.base+"/auth/v2/web/auth-code" {
		t.Errorf("flow %v", flow)
	}
	// The authorize page renders for the browser.
	resp, err := http.Get(flow.URL)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("authorize page: %v %v", resp, err)
	}
	resp.Body.Close()

	code, err := w.srv.ApproveLogin(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	// A 429 on the token endpoint is waited out; the code is still good.
	w.srv.FailNext("POST", "/v2/oauth2/token", 1, globustest.Failure{Status: 429, RetryAfter: 2 * time.Second})
	pasted := " " + w.base + "/auth/v2/web/auth-code?code=" + code + "&state=" + flow.State + "\n"
	ts, err := w.c.ExchangeCode(ctx, flow, pasted)
	if err != nil {
		t.Fatal(err)
	}
	authTok, groupsTok := ts[globus.AuthResourceServer], ts[globus.GroupsResourceServer]
	if authTok.AccessToken == "" || authTok.RefreshToken == "" || authTok.Scope != globus.ManageProjectsScope ||
		groupsTok.AccessToken == "" || groupsTok.RefreshToken == "" || groupsTok.Scope != globus.GroupsScope || groupsTok.ExpiresAt.Before(time.Now()) {
		t.Fatalf("tokens %v", ts)
	}
	if got := w.sleeps(); !slices.Equal(got, []time.Duration{2 * time.Second}) {
		t.Errorf("sleeps %v", got)
	}

	// A code works once.
	_, err = w.c.ExchangeCode(ctx, flow, code)
	if e := asError(t, err, 401); e.OAuthError != "invalid_grant" || !strings.Contains(e.Hint(), "log in again") {
		t.Errorf("%v / %s", e, e.Hint())
	}

	fresh, err := w.c.Refresh(ctx, w.publicID, groupsTok)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken == "" || fresh.AccessToken == groupsTok.AccessToken || fresh.RefreshToken != groupsTok.RefreshToken || fresh.ResourceServer != globus.GroupsResourceServer {
		t.Errorf("refreshed %v", fresh)
	}
	if _, err := w.c.MyGroups(ctx, globus.Bearer(fresh.AccessToken)); err != nil {
		t.Errorf("the refreshed token does not work: %v", err)
	}
	_, err = w.c.Refresh(ctx, w.publicID, globus.Token{RefreshToken: "no-such-refresh-token"})
	asError(t, err, 400)

	for _, r := range w.srv.Requests() {
		if r.Path == "/v2/oauth2/token" && r.Auth != "" {
			t.Errorf("the public client sent credentials: %+v", r)
		}
	}
}

func TestEmulatorConsole(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, _ := w.operatorTokens(t)
	me, _ := w.srv.LookupIdentity("operator@uni.edu")

	p, err := w.c.CreateProject(ctx, auth, globus.ProjectCreate{DisplayName: "Second", ContactEmail: "olga@uni.edu", AdminIDs: []string{me.ID}})
	if err != nil || p.ID == "" || p.DisplayName != "Second" || !slices.Contains(p.AdminIDs, me.ID) {
		t.Fatalf("project %+v %v", p, err)
	}
	ps, err := w.c.ListProjects(ctx, auth)
	if err != nil || len(ps) != 2 {
		t.Fatalf("projects %+v %v", ps, err)
	}

	sa, err := w.c.CreateClient(ctx, auth, globus.ClientCreate{Name: "Service account", Project: p.ID, ClientType: globus.ClientTypeServiceAccount})
	if err != nil || sa.ID == "" || sa.ClientType != globus.ClientTypeServiceAccount || sa.Project != p.ID {
		t.Fatalf("client %+v %v", sa, err)
	}
	cs, err := w.c.ListClients(ctx, auth, p.ID)
	if err != nil || len(cs) != 1 || cs[0].ID != sa.ID {
		t.Fatalf("clients %+v %v", cs, err)
	}
	all, err := w.c.ListClients(ctx, auth, "")
	if err != nil || len(all) != 3 {
		t.Errorf("all clients %d %v", len(all), err)
	}
	cr, err := w.c.CreateCredential(ctx, auth, sa.ID, "gateway")
	if err != nil || cr.Secret == "" || cr.Client != sa.ID || cr.Created.IsZero() {
		t.Fatalf("credential %v %v", cr, err)
	}
	if strings.Contains(cr.String(), cr.Secret) {
		t.Error("credential prints its secret")
	}
	if _, err := w.c.ClientCredentialsToken(ctx, globus.Credentials{ID: sa.ID, Secret: cr.Secret}, globus.OpenIDScope); err != nil {
		t.Errorf("the new secret does not work: %v", err)
	}

	pol, err := w.c.CreatePolicy(ctx, auth, globus.PolicyCreate{ProjectID: w.project, DisplayName: "High assurance", Description: "gateway users",
		HighAssurance: true, AuthenticationAssuranceTimeout: 3600, DomainConstraintsInclude: []string{"uni.edu"}})
	if err != nil || pol.ID == "" || !pol.HighAssurance || pol.AuthenticationAssuranceTimeout != 3600 || !slices.Equal(pol.DomainConstraintsInclude, []string{"uni.edu"}) {
		t.Fatalf("policy %+v %v", pol, err)
	}
	got, err := w.c.GetPolicy(ctx, auth, pol.ID)
	if err != nil || got.ProjectID != w.project || got.DisplayName != "High assurance" {
		t.Fatalf("policy %+v %v", got, err)
	}
	pols, err := w.c.ListPolicies(ctx, auth)
	if err != nil || len(pols) != 1 {
		t.Fatalf("policies %+v %v", pols, err)
	}

	bob := w.srv.AddIdentity("bob@uni.edu", "Bob", "bob@uni.edu", "Uni")
	ids, err := w.c.LookupIdentities(ctx, auth, []string{"BOB@uni.edu", "nobody@else.org", "operator@uni.edu"})
	if err != nil || len(ids) != 3 || ids[0].ID != bob.ID || ids[1].Username != "nobody@else.org" || ids[2].ID != me.ID {
		t.Fatalf("identities %+v %v", ids, err)
	}
	if ids[1].ID != "" && ids[1].Status != "unused" {
		t.Errorf("unknown username: %+v", ids[1])
	}
}

func TestEmulatorGroups(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, groups := w.operatorTokens(t)
	me, _ := w.srv.LookupIdentity("operator@uni.edu")
	w.srv.AddIdentity("alice@uni.edu", "Alice", "alice@uni.edu", "Uni")
	w.srv.AddIdentity("carol@uni.edu", "Carol", "carol@uni.edu", "Uni")

	g, err := w.c.CreateGroup(ctx, groups, globus.GroupCreate{Name: "gateway-users", Description: "May use the gateway"})
	if err != nil || g.ID == "" || g.Name != "gateway-users" {
		t.Fatalf("group %+v %v", g, err)
	}
	pol, err := w.c.SetGroupPolicies(ctx, groups, g.ID, globus.GroupPolicies{IsHighAssurance: true, GroupVisibility: "private",
		GroupMembersVisibility: "managers", AuthenticationAssuranceTimeout: 3600})
	if err != nil || !pol.IsHighAssurance || pol.AuthenticationAssuranceTimeout != 3600 || pol.SignupFields == nil {
		t.Fatalf("policies %+v %v", pol, err)
	}

	ids, err := w.c.LookupIdentities(ctx, auth, []string{"alice@uni.edu", "carol@uni.edu"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := w.c.AddMembers(ctx, groups, g.ID, []globus.MemberAdd{
		{IdentityID: ids[0].ID}, {IdentityID: me.ID, Role: "admin"}, {IdentityID: "00000000-0000-4000-8000-000000000000"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0].IdentityID != ids[0].ID || res.Added[0].Username != "alice@uni.edu" || res.Added[0].Status != "active" {
		t.Errorf("added %+v", res.Added)
	}
	codes := map[string]string{}
	for _, e := range res.Errors {
		codes[e.IdentityID] = e.Code
	}
	if len(res.Errors) != 2 || codes[me.ID] == "" || codes["00000000-0000-4000-8000-000000000000"] == "" || res.Err() == nil {
		t.Errorf("per-member errors %+v", res.Errors)
	}

	inv, err := w.c.InviteMembers(ctx, groups, g.ID, []globus.MemberAdd{{IdentityID: ids[1].ID, Role: "manager"}})
	if err != nil || len(inv.Added) != 1 || inv.Added[0].Status != "invited" || inv.Added[0].Role != "manager" || inv.Err() != nil {
		t.Fatalf("invite %+v %v", inv, err)
	}

	got, err := w.c.GetGroup(ctx, groups, g.ID, true)
	if err != nil || len(got.Memberships) != 3 {
		t.Fatalf("group %+v %v", got, err)
	}
	mine, err := w.c.MyGroups(ctx, groups)
	if err != nil || len(mine) != 1 || mine[0].ID != g.ID {
		t.Fatalf("my groups %+v %v", mine, err)
	}

	// A confidential client may own groups too, with a client-credentials token.
	ts, err := w.c.ClientCredentialsToken(ctx, w.svc, globus.GroupsScope)
	if err != nil {
		t.Fatal(err)
	}
	cg, err := w.c.CreateGroup(ctx, globus.Bearer(ts[globus.GroupsResourceServer].AccessToken), globus.GroupCreate{Name: "owned by the app"})
	if err != nil || cg.ID == "" || cg.Name != "owned by the app" {
		t.Errorf("client-owned group %+v %v", cg, err)
	}

	// Groups refuses a token for another resource server.
	_, err = w.c.MyGroups(ctx, auth)
	if e := asError(t, err, 401); !strings.Contains(e.Hint(), "log in again") {
		t.Errorf("hint %q", e.Hint())
	}
}

// TestEmulatorGateway mirrors how the inference gateway admits a user.
func TestEmulatorGateway(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	sc, err := w.c.CreateScope(ctx, w.svc, globus.ActionAllScopeCreate("Inference gateway", "Use the inference gateway"))
	if err != nil {
		t.Fatal(err)
	}
	policyID := w.srv.AddPolicy(w.project, "HA", []string{"uni.edu"}, 3600)
	w.srv.AddIdentity("alice@uni.edu", "Alice", "alice@uni.edu", "Uni")

	// Alice logs in through the public client asking for the gateway's scope,
	// spelled as ActionAllScopeString spells it for this environment.
	flow, err := w.c.StartLogin(w.publicID, []string{globus.ActionAllScopeString(w.env.AuthURL, w.svc.ID)})
	if err != nil {
		t.Fatal(err)
	}
	code, err := w.srv.ApproveLoginAs(flow.URL, "alice@uni.edu")
	if err != nil {
		t.Fatal(err)
	}
	ts, err := w.c.ExchangeCode(ctx, flow, code)
	if err != nil {
		t.Fatal(err)
	}
	userTok, ok := ts[w.svc.ID]
	if !ok || userTok.Scope != sc.ScopeString {
		t.Fatalf("user tokens %v", ts)
	}

	in, err := w.c.Introspect(ctx, w.svc, userTok.AccessToken, []string{"session_info", "identity_set_detail"}, []string{policyID})
	if err != nil {
		t.Fatal(err)
	}
	if !in.Active || in.Username != "alice@uni.edu" || !slices.Contains(in.Aud, w.svc.ID) || !in.PolicyEvaluations[policyID].Evaluation ||
		len(in.IdentitySetDetail) != 1 || in.SessionInfo == nil || len(in.SessionInfo.Authentications) != 1 {
		t.Fatalf("introspection %+v", in)
	}

	deps, err := w.c.DependentTokens(ctx, w.svc, userTok.AccessToken)
	if err != nil || len(deps) != 1 || deps[0].ResourceServer != globus.GroupsResourceServer {
		t.Fatalf("dependent tokens %v %v", deps, err)
	}
	if _, err := w.c.MyGroups(ctx, globus.Bearer(deps[0].AccessToken)); err != nil {
		t.Errorf("groups with the dependent token: %v", err)
	}

	other := globus.Credentials{ID: w.svc.ID, Secret: "wrong-secret-abcdefgh"}
	_, err = w.c.Introspect(ctx, other, userTok.AccessToken, nil, nil)
	if e := asError(t, err, 401); strings.Contains(e.Error(), userTok.AccessToken) || strings.Contains(e.Error(), other.Secret) {
		t.Errorf("secret in %q", e.Error())
	}
}
