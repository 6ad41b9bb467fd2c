package steps

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// recentAdminWorld: logged in the day before, in a project that wants an
// admin's sign-in from the last 30 minutes to make a client secret.
func recentAdminWorld(t *testing.T) *world {
	t.Helper()
	w := newWorld(t)
	w.login()
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/clients/*/credentials", RecentAdmin: 30 * time.Minute})
	w.srv.AdvanceClock(24 * time.Hour)
	return w
}

func (w *world) makeSecret(ctx context.Context) error {
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		return err
	}
	_, err = w.e.Globus.CreateCredential(ctx, auth, w.apiID, "the day after")
	return err
}

// At a terminal: Redrive says in plain words what Globus wants, starts a
// login with prompt=login, stores it, and the call goes through.
func TestRedriveRecentAdminSignIn(t *testing.T) {
	w := recentAdminWorld(t)
	ctx := context.Background()
	before := w.storedAccessToken(AuthResourceServer)
	var asked []*Reauth
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		asked = append(asked, r)
		return w.srv.ApproveLogin(r.Flow.URL)
	}
	if err := Redrive(ctx, w.e, w.makeSecret); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 {
		t.Fatalf("asked %d times", len(asked))
	}
	lines := strings.Join(asked[0].Lines(), "\n")
	mustContain(t, lines,
		"Globus needs you to sign in again as an administrator of the project (Globus wants an admin's sign-in from the last 30 minutes) to make a client secret.",
		"Globus says: To access this project you must have an identity with admin privileges in session within the last 30 minutes.")
	q := mustURL(t, asked[0].Flow.URL).Query()
	if q.Get("prompt") != "login" || !strings.Contains(q.Get("session_message"), "administrator of the project") || q.Has("session_required_mfa") {
		t.Errorf("login URL %s", asked[0].Flow.URL)
	}
	if w.storedAccessToken(AuthResourceServer) == before {
		t.Error("the new login was not stored")
	}
	if n := len(w.srv.Credentials(w.apiID)); n != 2 {
		t.Errorf("%d secrets, want the seeded one and the new one", n)
	}
}

// Off a terminal: the error names the exact login to run, and nothing is
// made; that login then lets the call through.
func TestRedriveRecentAdminOffTerminal(t *testing.T) {
	w := recentAdminWorld(t)
	ctx := context.Background()
	err := Redrive(ctx, w.e, w.makeSecret)
	if !errors.Is(err, ErrReauthRequired) {
		t.Fatalf("err = %v", err)
	}
	mustContain(t, err.Error(), "Globus needs you to sign in again as an administrator of the project",
		"Globus Auth said 403 FORBIDDEN: To access this project you must have an identity with admin privileges in session within the last 30 minutes.")
	if strings.Count(err.Error(), "To access this project") != 1 {
		t.Errorf("Globus's words twice: %v", err)
	}
	mustContain(t, Hint(err), "run `globus-setup login` in a terminal, then run this again")
	if n := len(w.srv.Credentials(w.apiID)); n != 1 {
		t.Errorf("%d secrets: something was made", n)
	}
	w.login()
	if err := Redrive(ctx, w.e, w.makeSecret); err != nil {
		t.Errorf("after `globus-setup login`: %v", err)
	}
}

// A sign-in that does not meet it (the sign-in page's session said to have
// begun an hour ago) is refused again, once, with what to do.
func TestRedriveRecentAdminStillRefused(t *testing.T) {
	w := recentAdminWorld(t)
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		code, err := w.srv.ApproveLogin(r.Flow.URL)
		w.srv.SetSessionAge(operator, time.Hour)
		return code, err
	}
	err := Redrive(context.Background(), w.e, w.makeSecret)
	if !errors.Is(err, ErrReauthRequired) {
		t.Fatalf("err = %v", err)
	}
	mustContain(t, err.Error(), "Globus still refuses to make a client secret after the new sign-in")
	mustContain(t, Hint(err), "ask the project's administrators")
}
