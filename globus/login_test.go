package globus

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"
)

func TestStartLogin(t *testing.T) {
	c, err := New(Production)
	if err != nil {
		t.Fatal(err)
	}
	f, err := c.StartLogin("pub-client", []string{ManageProjectsScope, "openid"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://auth.globus.org/v2/oauth2/authorize" {
		t.Errorf("authorize URL %s", f.URL)
	}
	q := u.Query()
	want := map[string]string{
		"client_id": "pub-client", "redirect_uri": "https://auth.globus.org/v2/web/auth-code", "response_type": "code",
		"scope": ManageProjectsScope + " openid", "code_challenge_method": "S256", "access_type": "offline", "prompt": "login",
		"state": f.State, "code_challenge": oauth2.S256ChallengeFromVerifier(f.verifier),
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if f.RedirectURI != "https://auth.globus.org/v2/web/auth-code" || len(f.State) < 20 || f.verifier == "" {
		t.Errorf("flow %+v", f)
	}
	g, _ := c.StartLogin("pub-client", []string{"openid"})
	if g.State == f.State || g.verifier == f.verifier {
		t.Error("state or verifier reused")
	}
	if _, err := c.StartLogin(" ", []string{"openid"}); err == nil {
		t.Error("no client ID accepted")
	}
	if _, err := c.StartLogin("x", nil); err == nil {
		t.Error("no scopes accepted")
	}
}

func tokenEndpoint(t *testing.T, f **LoginFlow) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/auth/v2/oauth2/token" {
			http.NotFound(w, r)
			return
		}
		_ = r.ParseForm()
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			if r.PostForm.Get("code") != "good-code" {
				writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
				return
			}
			writeJSON(w, 200, map[string]any{
				"access_token": "AT-auth", "refresh_token": "RT-auth", "scope": ManageProjectsScope, "resource_server": "auth.globus.org", "expires_in": 3600, "token_type": "Bearer",
				"other_tokens": []any{map[string]any{"access_token": "AT-groups", "refresh_token": "RT-groups", "scope": GroupsScope, "resource_server": "groups.api.globus.org", "expires_in": 3600, "token_type": "Bearer"}},
			})
		case "refresh_token":
			if r.PostForm.Get("refresh_token") != "RT-groups" {
				writeJSON(w, 400, map[string]any{"error": "invalid_grant"})
				return
			}
			writeJSON(w, 200, map[string]any{"access_token": "AT-groups-2", "expires_in": 3600, "token_type": "Bearer", "resource_server": "groups.api.globus.org"})
		default:
			writeJSON(w, 400, map[string]any{"error": "unsupported_grant_type"})
		}
	}
}

func TestExchangeCodeAndRefresh(t *testing.T) {
	var flow *LoginFlow
	fx := newFixture(t, tokenEndpoint(t, &flow))
	flow, err := fx.c.StartLogin("pub-client", []string{ManageProjectsScope, GroupsScope})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := fx.c.ExchangeCode(context.Background(), flow, "  "+fx.srv.URL+"/auth/v2/web/auth-code?code=good-code&state="+flow.State+"\n")
	if err != nil {
		t.Fatal(err)
	}
	if ts[AuthResourceServer].RefreshToken != "RT-auth" || ts[GroupsResourceServer].AccessToken != "AT-groups" || ts[GroupsResourceServer].Scope != GroupsScope || ts[AuthResourceServer].ExpiresAt.IsZero() {
		t.Errorf("tokens %v", ts)
	}
	r := fx.rec.all()[0]
	challenge, _ := url.Parse(flow.URL)
	if r.Auth != "" || r.Form.Has("client_secret") || r.Form.Get("client_id") != "pub-client" || r.Form.Get("redirect_uri") != fx.srv.URL+"/auth/v2/web/auth-code" ||
		oauth2.S256ChallengeFromVerifier(r.Form.Get("code_verifier")) != challenge.Query().Get("code_challenge") {
		t.Errorf("exchange request: auth=%q form=%v", r.Auth, r.Form)
	}

	fresh, err := fx.c.Refresh(context.Background(), "pub-client", ts[GroupsResourceServer])
	if err != nil {
		t.Fatal(err)
	}
	if fresh.AccessToken != "AT-groups-2" || fresh.RefreshToken != "RT-groups" || fresh.Scope != GroupsScope || fresh.ResourceServer != GroupsResourceServer {
		t.Errorf("refreshed %v (refresh kept: %v)", fresh, fresh.RefreshToken == "RT-groups")
	}
	r = fx.rec.all()[1]
	if r.Form.Get("grant_type") != "refresh_token" || r.Form.Get("client_id") != "pub-client" || r.Auth != "" {
		t.Errorf("refresh form %v", r.Form)
	}
	if _, err := fx.c.Refresh(context.Background(), "pub-client", Token{AccessToken: "x"}); err == nil {
		t.Error("refresh without a refresh token")
	}
}

func TestExchangeCodeErrors(t *testing.T) {
	var flow *LoginFlow
	fx := newFixture(t, tokenEndpoint(t, &flow))
	flow, _ = fx.c.StartLogin("pub-client", []string{"openid"})
	_, err := fx.c.ExchangeCode(context.Background(), flow, "bad-code-123")
	var e *Error
	if !errors.As(err, &e) || e.Status != 400 || e.OAuthError != "invalid_grant" || e.URL != "/v2/oauth2/token" || !strings.Contains(e.Hint(), "log in again") {
		t.Fatalf("err = %#v", err)
	}
	if fx.rec.count() != 1 {
		t.Errorf("invalid_grant retried")
	}
	if _, err := fx.c.ExchangeCode(context.Background(), flow, "https://x/?code=good-code&state=other"); err == nil || !strings.Contains(err.Error(), "another login") {
		t.Errorf("state mismatch: %v", err)
	}
	if _, err := fx.c.ExchangeCode(context.Background(), &LoginFlow{ClientID: "x"}, "good-code"); err == nil {
		t.Error("flow without verifier accepted")
	}
}

func TestExchangeCodeRetries(t *testing.T) {
	var flow *LoginFlow
	fx := newFixture(t, failThen(1, 503, http.Header{"Retry-After": {"2"}}, nil, tokenEndpoint(t, &flow)))
	flow, _ = fx.c.StartLogin("pub-client", []string{"openid"})
	if _, err := fx.c.ExchangeCode(context.Background(), flow, "good-code"); err != nil {
		t.Fatal(err)
	}
	if fx.rec.count() != 2 || len(fx.sl.all()) != 1 || fx.sl.all()[0].Seconds() != 2 {
		t.Errorf("%d requests, sleeps %v", fx.rec.count(), fx.sl.all())
	}
	fx = newFixture(t, failThen(1, 500, nil, nil, tokenEndpoint(t, &flow)))
	flow, _ = fx.c.StartLogin("pub-client", []string{"openid"})
	if _, err := fx.c.ExchangeCode(context.Background(), flow, "good-code"); !IsStatus(err, 500) || fx.rec.count() != 1 {
		t.Errorf("500: %v after %d requests", err, fx.rec.count())
	}
}

func TestParseAuthCode(t *testing.T) {
	good := map[string]string{
		"abc123":      "abc123",
		"  abc123 \n": "abc123",
		"https://auth.globus.org/v2/web/auth-code?code=abc123&state=s": "abc123",
		"http://127.0.0.1:5/auth/v2/web/auth-code?state=s&code=xyz":    "xyz",
		"?code=q1": "q1",
	}
	for in, want := range good {
		if got, err := ParseAuthCode(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	bad := map[string]string{
		"":    "nothing was pasted",
		"   ": "nothing was pasted",
		"https://auth.globus.org/v2/web/auth-code?state=s":                                            "no code",
		"https://auth.globus.org/v2/web/auth-code?error=access_denied&error_description=User+said+no": "User said no",
		"two words": "does not look like",
	}
	for in, want := range bad {
		_, err := ParseAuthCode(in)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}
