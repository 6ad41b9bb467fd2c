package steps

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/vault"
)

func TestLoginEndToEndAndRefresh(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := OperatorToken(ctx, w.e, AuthResourceServer); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("before login: %v", err)
	}
	flow, err := StartLogin(w.e, "")
	if err != nil {
		t.Fatal(err)
	}
	if flow.ClientID != w.publicID {
		t.Errorf("login through %s, want the stored public client", flow.ClientID)
	}
	for _, s := range LoginScopes() {
		if !strings.Contains(flow.URL, strings.ReplaceAll(strings.ReplaceAll(s, ":", "%3A"), "/", "%2F")) && !strings.Contains(flow.URL, s) {
			t.Errorf("authorize URL lacks scope %s", s)
		}
	}
	code, err := w.srv.ApproveLogin(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The operator pastes the whole address of the code page.
	info, err := FinishLogin(ctx, w.e, flow, w.srv.AuthURL()+"v2/web/auth-code?code="+code+"&state="+flow.State)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(info.ResourceServers, " ") != AuthResourceServer+" "+GroupsResourceServer {
		t.Errorf("resource servers %v", info.ResourceServers)
	}
	doc := w.e.Vault.Doc()
	raw := doc.Internal[OperatorTokensKey]
	if raw == "" {
		t.Fatal("tokens not kept in the vault's internal part")
	}
	// The tokens are in Internal only: not in Values, not in any export.
	l, ok := readLogin(doc.Internal)
	if !ok {
		t.Fatal("the kept login does not decode")
	}
	var outputs []string
	for k, v := range doc.Values {
		outputs = append(outputs, k+"="+v)
	}
	for _, f := range []ExportFormat{FormatEnv, FormatJSON, FormatShell} {
		b, err := Export(doc, f)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, string(b))
	}
	for rs, tok := range l.Tokens {
		for _, secret := range []string{tok.AccessToken, tok.RefreshToken} {
			for _, o := range outputs {
				if secret != "" && strings.Contains(o, secret) {
					t.Errorf("a %s token is in Values or an export: %q", rs, o)
				}
			}
		}
	}

	a, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.Globus.ListProjects(ctx, a); err != nil {
		t.Fatal(err)
	}
	before := w.count(http.MethodPost, "/v2/oauth2/token")

	w.expireLogin()
	a, err = OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	if n := w.count(http.MethodPost, "/v2/oauth2/token") - before; n != 1 {
		t.Errorf("%d token requests to refresh, want 1", n)
	}
	ps, err := w.e.Globus.ListProjects(ctx, a)
	if err != nil {
		t.Fatalf("refreshed token refused: %v", err)
	}
	if len(ps) != 1 {
		t.Errorf("projects %v", ps)
	}
	// The refreshed token was saved: a second call needs no refresh.
	if err := w.e.Vault.Reload(); err != nil {
		t.Fatal(err)
	}
	if _, err := OperatorToken(ctx, w.e, AuthResourceServer); err != nil {
		t.Fatal(err)
	}
	if n := w.count(http.MethodPost, "/v2/oauth2/token") - before; n != 1 {
		t.Errorf("refreshed again: %d token requests", n)
	}

	had, err := Logout(w.e.Vault)
	if err != nil || !had {
		t.Fatalf("logout: %v %v", had, err)
	}
	if _, err := OperatorToken(ctx, w.e, GroupsResourceServer); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("after logout: %v", err)
	}
	if had, _ := Logout(w.e.Vault); had {
		t.Error("second logout found tokens")
	}
}

// Logout revokes at Globus first; with Globus out of reach it still deletes
// the tokens and says they were deleted locally only.
func TestRevokeAndLogout(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.login()
	l, _ := readLogin(w.e.Vault.Doc().Internal)
	access := l.Tokens[AuthResourceServer].AccessToken
	r, err := RevokeAndLogout(ctx, w.e)
	if err != nil || !r.Had || r.Revoked != 4 || r.Failed != 0 {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := w.e.Globus.UserInfo(ctx, globus.Bearer(access)); !globus.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("the revoked token still works: %v", err)
	}

	w.login()
	w.srv.FailNext(http.MethodPost, "/v2/oauth2/token/revoke", 100, globustest.Failure{Drop: true})
	r, err = RevokeAndLogout(ctx, w.e)
	if err != nil || !r.Had || r.Failed == 0 {
		t.Fatalf("%+v %v", r, err)
	}
	mustContain(t, r.Line(), "deleted locally only", "could not be revoked")
	if _, ok := w.e.Vault.Internal(OperatorTokensKey); ok {
		t.Error("tokens kept after a logout Globus did not answer")
	}
}

func TestLoginRefreshRefusedMeansLogInAgain(t *testing.T) {
	w := newWorld(t)
	w.login()
	w.expireLogin()
	w.srv.FailNext(http.MethodPost, "/v2/oauth2/token", 1, globustest.Failure{Status: 400, Body: `{"error":"invalid_grant"}`})
	_, err := OperatorToken(context.Background(), w.e, GroupsResourceServer)
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("want ErrNotLoggedIn, got %v", err)
	}
	mustContain(t, Hint(err), "globus-setup login")
}

func TestStartLoginWithoutPublicClient(t *testing.T) {
	w := newWorld(t)
	if err := w.e.Vault.Update(func(d *vault.Doc) error { delete(d.Values, "public_client.client_id"); return nil }); err != nil {
		t.Fatal(err)
	}
	_, err := StartLogin(w.e, "")
	if err == nil {
		t.Fatal("no error")
	}
	mustContain(t, Hint(err), "--client-id")
	f, err := StartLogin(w.e, w.publicID)
	if err != nil || f.ClientID != w.publicID {
		t.Fatalf("--client-id: %v", err)
	}
	if _, err := StartLogin(w.e, "not-a-uuid"); err == nil {
		t.Error("bad --client-id accepted")
	}
}

func TestFinishLoginBadCode(t *testing.T) {
	w := newWorld(t)
	flow, err := StartLogin(w.e, "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = FinishLogin(context.Background(), w.e, flow, "wrongcode123")
	if err == nil {
		t.Fatal("a wrong code logged in")
	}
	if strings.Contains(err.Error(), "wrongcode123") {
		t.Error("the code was echoed")
	}
	mustContain(t, Hint(err), "log in again")
	if _, ok := LoggedIn(w.e.Vault); ok {
		t.Error("logged in after a failed exchange")
	}
}
