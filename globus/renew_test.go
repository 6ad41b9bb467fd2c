package globus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// bearerGate answers 401 to every Bearer token but good, and okClient to it.
func bearerGate(good string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+good {
			writeJSON(w, 401, globusError(401, "UNAUTHORIZED", "the access token is invalid or has expired"))
			return
		}
		okClient(w, r)
	}
}

// renewals records each call of a renew function and answers with next.
type renewals struct {
	mu      sync.Mutex
	refused []string
	next    string
	err     error
}

func (rn *renewals) renew(_ context.Context, refused string) (string, error) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.refused = append(rn.refused, refused)
	return rn.next, rn.err
}

// A 401 on a token the client still thinks live: renewed once, and the
// call goes through with the new token (globus-sdk-python's
// check_expired_authorization and handle_missing_authorization).
func TestRenewingBearerRenewsOnceOn401(t *testing.T) {
	f := newFixture(t, bearerGate("fresh-token-0123"))
	rn := &renewals{next: "fresh-token-0123"}
	auth := RenewingBearer("ended-token-0123", rn.renew)
	got, err := f.c.GetClient(context.Background(), auth, "c1")
	if err != nil || got.ID != "c1" {
		t.Fatalf("%+v %v", got, err)
	}
	if len(rn.refused) != 1 || rn.refused[0] != "ended-token-0123" {
		t.Errorf("renewals %v", rn.refused)
	}
	reqs := f.rec.all()
	if len(reqs) != 2 || reqs[0].Auth != "Bearer ended-token-0123" || reqs[1].Auth != "Bearer fresh-token-0123" {
		t.Fatalf("requests %+v", reqs)
	}
	if len(f.sl.all()) != 0 {
		t.Errorf("waited %v before the retry with the renewed token", f.sl.all())
	}
	// The renewed token is kept: the next call needs no renewal.
	if _, err := f.c.GetClient(context.Background(), auth, "c1"); err != nil || len(rn.refused) != 1 || f.rec.count() != 3 {
		t.Errorf("second call: %v, %d renewals, %d requests", err, len(rn.refused), f.rec.count())
	}
}

// A second 401 after the renewal is the call's answer: one renewal per
// call, never a loop.
func TestRenewingBearerRenewsAtMostOncePerCall(t *testing.T) {
	f := newFixture(t, bearerGate("never"))
	rn := &renewals{next: "also-refused-0123"}
	_, err := f.c.GetClient(context.Background(), RenewingBearer("ended-token-0123", rn.renew), "c1")
	e := &Error{}
	if !errors.As(err, &e) || e.Status != 401 || e.Auth != "bearer" {
		t.Fatalf("err = %v", err)
	}
	if len(rn.refused) != 1 || f.rec.count() != 2 {
		t.Errorf("%d renewals, %d requests; want 1 and 2", len(rn.refused), f.rec.count())
	}
}

// renew's error (the refresh failed: log in again) is the call's error;
// renew giving no token leaves Globus's 401.
func TestRenewingBearerWhenRenewalFails(t *testing.T) {
	f := newFixture(t, bearerGate("never"))
	loginAgain := fmt.Errorf("the login was ended at Globus and could not be renewed: run `globus-setup login`: %w", &Error{Status: 400, OAuthError: "invalid_grant"})
	rn := &renewals{err: loginAgain}
	auth := RenewingBearer("ended-token-0123", rn.renew)
	_, err := f.c.GetClient(context.Background(), auth, "c1")
	if !errors.Is(err, loginAgain) || f.rec.count() != 1 {
		t.Errorf("err = %v after %d requests", err, f.rec.count())
	}
	// A refresh Globus refused is not asked again by the next call; one
	// that failed on the way is.
	if _, err := f.c.GetClient(context.Background(), auth, "c1"); !errors.Is(err, loginAgain) || len(rn.refused) != 1 {
		t.Errorf("second call: %v, %d renewals", err, len(rn.refused))
	}
	rn = &renewals{err: errors.New("cannot reach Globus Auth")}
	auth = RenewingBearer("ended-token-0123", rn.renew)
	for range 2 {
		_, _ = f.c.GetClient(context.Background(), auth, "c1")
	}
	if len(rn.refused) != 2 {
		t.Errorf("%d renewals after a failure on the way, want 2", len(rn.refused))
	}
	f = newFixture(t, bearerGate("never"))
	_, err = f.c.GetClient(context.Background(), RenewingBearer("ended-token-0123", (&renewals{}).renew), "c1")
	if !IsStatus(err, 401) || f.rec.count() != 1 {
		t.Errorf("err = %v after %d requests", err, f.rec.count())
	}
}

// A 401 that asks for a new sign-in is not cured by a refreshed token (the
// same session), nor is a Basic 401 or a 403: no renewal.
func TestRenewingBearerLeavesOtherRefusals(t *testing.T) {
	gare := map[string]any{"code": "AuthorizationRequired", "authorization_parameters": map[string]any{"session_required_mfa": true}}
	for name, h := range map[string]http.HandlerFunc{
		"GARE 401":  func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 401, gare) },
		"plain 403": func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, globusError(403, "FORBIDDEN", "no")) },
	} {
		f := newFixture(t, h)
		rn := &renewals{next: "fresh-token-0123"}
		_, err := f.c.GetClient(context.Background(), RenewingBearer("live-token-0123", rn.renew), "c1")
		if err == nil || len(rn.refused) != 0 || f.rec.count() != 1 {
			t.Errorf("%s: err %v, %d renewals, %d requests", name, err, len(rn.refused), f.rec.count())
		}
	}
}

// Calls sharing the authorizer renew once between them.
func TestRenewingBearerSharedRenewsOnce(t *testing.T) {
	f := newFixture(t, bearerGate("fresh-token-0123"))
	rn := &renewals{next: "fresh-token-0123"}
	auth := RenewingBearer("ended-token-0123", rn.renew)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.c.GetClient(context.Background(), auth, "c1")
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if len(rn.refused) != 1 {
		t.Errorf("%d renewals, want 1", len(rn.refused))
	}
}

// Neither token ever shows, in errors or in any fmt verb.
func TestRenewingBearerMasksTokens(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		writeJSON(w, 401, globusError(401, "UNAUTHORIZED", "token "+tok+" is not valid"))
	})
	auth := RenewingBearer("ended-token-0123", (&renewals{next: "fresh-token-4567"}).renew)
	_, err := f.c.GetClient(context.Background(), auth, "c1")
	if err == nil || strings.Contains(err.Error(), "token-0123") || strings.Contains(err.Error(), "token-4567") {
		t.Errorf("err = %v", err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		if s := fmt.Sprintf(verb, auth); strings.Contains(s, "token-") {
			t.Errorf("%s shows a token: %s", verb, s)
		}
	}
}

// LatestBearer sends the newest token its store holds, checked before each
// request: an authorizer taken before a new sign-in sends that login's
// token afterwards, and a token it renewed itself is not given up for the
// stale one the store still holds.
func TestLatestBearerFollowsTheStore(t *testing.T) {
	f := newFixture(t, bearerGate("new-login-0123"))
	var mu sync.Mutex
	stored := "old-login-0123"
	latest := func() string { mu.Lock(); defer mu.Unlock(); return stored }
	rn := &renewals{next: "renewed-0123"}
	auth := LatestBearer("old-login-0123", latest, rn.renew)
	if _, err := f.c.GetClient(context.Background(), auth, "c1"); err == nil {
		t.Fatal("the old login's token was accepted")
	}
	mu.Lock()
	stored = "new-login-0123" // a sign-in stored a new login
	mu.Unlock()
	if _, err := f.c.GetClient(context.Background(), auth, "c1"); err != nil {
		t.Fatalf("after the sign-in: %v", err)
	}
	reqs := f.rec.all()
	if last := reqs[len(reqs)-1]; last.Auth != "Bearer new-login-0123" {
		t.Errorf("the call after the sign-in sent %q", last.Auth)
	}
	if n := len(rn.refused); n != 1 {
		t.Errorf("%d renewals: the new login needed none", n)
	}

	// Renewed but never stored: the renewed token stays, not the store's.
	g := newFixture(t, bearerGate("renewed-0123"))
	auth = LatestBearer("new-login-0123", latest, (&renewals{next: "renewed-0123"}).renew)
	for i := range 2 {
		if _, err := g.c.GetClient(context.Background(), auth, "c1"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if reqs := g.rec.all(); len(reqs) != 3 || reqs[2].Auth != "Bearer renewed-0123" {
		t.Errorf("requests %+v", reqs)
	}
	if s := fmt.Sprintf("%+v", auth); strings.Contains(s, "0123") {
		t.Errorf("the authorizer shows a token: %s", s)
	}
}
