package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// A rotation the day after the setup meets the recent-admin demand: the
// operator signs in again and the refused call is made once more, with the
// new login's token although the rotation took its authorizer before the
// sign-in. The emulator judges a token by the session it was minted in, so
// the old token would be refused a second time.
func TestRedriveRetriesWithTheNewLogin(t *testing.T) {
	w, _ := newRotateWorld(t)
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/clients/*/credentials", RecentAdmin: 30 * time.Minute})
	w.srv.AdvanceClock(24 * time.Hour)
	before := w.get("service_api.client_secret")
	asked := 0
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		asked++
		return w.srv.ApproveLogin(r.Flow.URL)
	}
	res, err := Rotate(context.Background(), w.e, "service_api", RotateOptions{})
	if err != nil {
		t.Fatalf("rotate after a fresh sign-in: %v", err)
	}
	t.Logf("rotate:\n%s", strings.Join(res.Lines, "\n"))
	if asked != 1 || w.srv.Refusals() != 1 {
		t.Errorf("asked to sign in %d times, %d refusals; want one of each", asked, w.srv.Refusals())
	}
	if w.get("service_api.client_secret") == before {
		t.Error("no new secret stored")
	}
}

// rotate --finish the day after: deleting the old secret wants a recent
// admin sign-in, and the deletion retried after it carries the new token.
func TestRedriveFinishWithTheNewLogin(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	id := w.get("service_api.client_id")
	w.srv.DemandSession(globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/*/credentials/*", RecentAdmin: 30 * time.Minute})
	w.srv.AdvanceClock(24 * time.Hour)
	asked := 0
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		asked++
		return w.srv.ApproveLogin(r.Flow.URL)
	}
	if _, err := FinishRotation(ctx, w.e, "service_api"); err != nil {
		t.Fatalf("rotate --finish after a fresh sign-in: %v", err)
	}
	if asked != 1 || w.srv.Refusals() != 1 {
		t.Errorf("asked to sign in %d times, %d refusals; want one of each", asked, w.srv.Refusals())
	}
	if n := len(w.credIDs(id)); n != 1 {
		t.Errorf("%d secrets left, want the new one only", n)
	}
}
