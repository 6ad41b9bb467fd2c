package globus_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// A token Globus ended before its expiry: the call answers 401 until the
// authorizer renews it with the refresh token, which still works; when the
// refresh token was revoked too, renewing fails and says so.
func TestEmulatorEndedTokenIsRenewed(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ts := w.login(t, operatorScopes...)
	at := ts[globus.AuthResourceServer]
	renewals := 0
	renew := func(ctx context.Context, refused string) (string, error) {
		renewals++
		fresh, err := w.c.Refresh(ctx, w.publicID, at)
		return fresh.AccessToken, err
	}
	if n := w.srv.EndAccessTokens("operator@uni.edu"); n == 0 {
		t.Fatal("no token was ended")
	}
	if _, err := w.c.GetProject(ctx, globus.Bearer(at.AccessToken), w.project); !globus.IsStatus(err, 401) {
		t.Fatalf("an ended token still works: %v", err)
	}
	if at.Expired(time.Now(), time.Minute) {
		t.Fatal("the ended token should still be live by its clock")
	}
	if _, err := w.c.GetProject(ctx, globus.RenewingBearer(at.AccessToken, renew), w.project); err != nil || renewals != 1 {
		t.Fatalf("not renewed: %v (%d renewals)", err, renewals)
	}

	w.srv.RevokeTokens("operator@uni.edu")
	_, err := w.c.GetProject(ctx, globus.RenewingBearer(at.AccessToken, renew), w.project)
	if renewals != 2 || !globus.IsStatus(err, 400) || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("revoked refresh token: %v (%d renewals)", err, renewals)
	}
}
