package steps

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

func (w *world) storedAccessToken(rs string) string {
	w.t.Helper()
	l, ok := readLogin(w.e.Vault.Doc().Internal)
	if !ok {
		w.t.Fatal("no login stored")
	}
	return l.Tokens[rs].AccessToken
}

// A token Globus ended before its expiry is refreshed once, stored, and the
// call goes on; no new login is asked for.
func TestOperatorTokenRenewsATokenGlobusEnded(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	ended := w.storedAccessToken(AuthResourceServer)
	if n := w.srv.EndAccessTokens(operator); n == 0 {
		t.Fatal("nothing ended")
	}
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	refreshes := w.count(http.MethodPost, "/v2/oauth2/token")
	if _, err := w.e.Globus.ListProjects(ctx, auth); err != nil {
		t.Fatalf("not renewed: %v", err)
	}
	if n := w.count(http.MethodPost, "/v2/oauth2/token") - refreshes; n != 1 {
		t.Errorf("%d token requests, want one refresh", n)
	}
	renewed := w.storedAccessToken(AuthResourceServer)
	if renewed == ended || renewed == "" {
		t.Error("the renewed token was not stored")
	}
	// The next command starts from the stored one: no refresh.
	auth, _ = OperatorToken(ctx, w.e, AuthResourceServer)
	refreshes = w.count(http.MethodPost, "/v2/oauth2/token")
	if _, err := w.e.Globus.ListProjects(ctx, auth); err != nil || w.count(http.MethodPost, "/v2/oauth2/token") != refreshes {
		t.Errorf("second command: %v", err)
	}
}

// When the refresh token was revoked too, the refresh fails: only then a
// new login is asked for.
func TestOperatorTokenEndedAndNotRenewable(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.RevokeTokens(operator)
	_, err = w.e.Globus.ListProjects(ctx, auth)
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("err = %v", err)
	}
	mustContain(t, err.Error(), "the login was ended at Globus before it expired", "and Globus would not renew it")
	mustContain(t, Hint(err), "globus-setup login")
}

// Another process renewed the token first: that one is used, no refresh.
func TestOperatorTokenTakesARenewalMadeElsewhere(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.EndAccessTokens(operator)
	other := &Env{Vault: w.e.Vault, Globus: w.e.Globus}
	oauth, _ := OperatorToken(ctx, other, AuthResourceServer)
	if _, err := w.e.Globus.ListProjects(ctx, oauth); err != nil {
		t.Fatal(err)
	}
	refreshes := w.count(http.MethodPost, "/v2/oauth2/token")
	if _, err := w.e.Globus.ListProjects(ctx, auth); err != nil {
		t.Fatal(err)
	}
	if n := w.count(http.MethodPost, "/v2/oauth2/token") - refreshes; n != 0 {
		t.Errorf("%d refreshes, want none: the stored token was renewed already", n)
	}
}
