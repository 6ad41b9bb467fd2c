package globus_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// The emulator's recent-admin demand refuses a session signed in longer ago
// than its window, in exactly real Globus's words and shape (403 FORBIDDEN
// in Auth's usual error document, no authorization_parameters); the client
// reads it as a request for a fresh sign-in, and a fresh sign-in passes.
func TestEmulatorRecentAdminDemand(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/clients/*/credentials", RecentAdmin: 30 * time.Minute})
	apiID, _ := w.srv.RegisterClient(w.project, "Service API 2", globus.ClientTypeHybrid)
	auth, _ := w.operatorTokens(t)

	// Signed in just now: allowed.
	if _, err := w.c.CreateCredential(ctx, auth, apiID, "fresh"); err != nil {
		t.Fatalf("a fresh sign-in was refused: %v", err)
	}
	// The day after: the tokens still work, the session is a day old.
	w.srv.AdvanceClock(24 * time.Hour)
	if _, err := w.c.GetProject(ctx, auth, w.project); err != nil {
		t.Fatalf("the stored login no longer works at all: %v", err)
	}
	_, err := w.c.CreateCredential(ctx, auth, apiID, "the day after")
	req, ge, ok := globus.RequirementsOf(err)
	if !ok || ge.Status != 403 || ge.Code != "FORBIDDEN" || !req.RecentAdmin || req.AdminWithin != 30*time.Minute || req.Prompt != "login" {
		t.Fatalf("err = %v, requirements %+v", err, req)
	}

	// The body itself, as Globus sends it.
	body := rawCall(t, http.MethodPost, w.base+"/auth/v2/api/clients/"+apiID+"/credentials", auth, `{"credential":{"name":"x"}}`)
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	errs := doc["errors"].([]any)
	first := errs[0].(map[string]any)
	if first["code"] != "FORBIDDEN" || first["status"] != "403" ||
		first["detail"] != "To access this project you must have an identity with admin privileges in session within the last 30 minutes." {
		t.Errorf("body %s", body)
	}
	if strings.Contains(string(body), "authorization_parameters") {
		t.Errorf("authorization_parameters sent: %s", body)
	}

	// A new sign-in (prompt=login) meets it. The old token does not: its
	// session is the one it was minted in, a day old, as real Globus ties
	// a session to its tokens.
	fresh, u := w.boostLogin(t, req, w.srv.ApproveLogin)
	if u.Query().Get("prompt") != "login" {
		t.Errorf("login URL %s", u)
	}
	if _, err := w.c.CreateCredential(ctx, fresh, apiID, "after a sign-in"); err != nil {
		t.Errorf("refused after a fresh sign-in: %v", err)
	}
	if _, err := w.c.CreateCredential(ctx, auth, apiID, "the old token"); !globus.IsStatus(err, 403) {
		t.Errorf("the token from before the sign-in: err = %v, want the recent-admin 403", err)
	}
	if n := w.srv.Refusals(); n != 3 {
		t.Errorf("%d refusals, want 3", n)
	}
}

// A sign-in the page says began long ago (the emulator-only control) is as
// old as that: the demand refuses it.
func TestEmulatorRecentAdminCountsFromTheSignIn(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.srv.DemandSession(globustest.Demand{Path: "/v2/api/projects", RecentAdmin: 30 * time.Minute})
	auth, _ := w.operatorTokens(t)
	w.srv.SetSessionAge("operator@uni.edu", 31*time.Minute)
	if _, err := w.c.ListProjects(ctx, auth); !globus.IsStatus(err, 403) {
		t.Fatalf("a 31-minute-old session passed a 30-minute window: %v", err)
	}
	w.srv.SetSessionAge("operator@uni.edu", 29*time.Minute)
	if _, err := w.c.ListProjects(ctx, auth); err != nil {
		t.Fatalf("a 29-minute-old session was refused: %v", err)
	}
}

func TestParseRecentAdminDemand(t *testing.T) {
	d, err := globustest.ParseDemand("POST /v2/api/clients/*/credentials recent-admin=30")
	if err != nil || d.RecentAdmin != 30*time.Minute || d.Method != "POST" {
		t.Fatalf("%+v %v", d, err)
	}
	for _, bad := range []string{"POST /v2/api/clients recent-admin", "POST /v2/api/clients recent-admin=0", "POST /v2/api/clients recent-admin=half"} {
		if _, err := globustest.ParseDemand(bad); err == nil || !strings.Contains(err.Error(), "recent-admin") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func rawCall(t *testing.T, method, url string, auth globus.Authorizer, body string) []byte {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	auth.Authorize(req)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return b
}
