package globus

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// recentAdminBody is how Globus Auth refuses a management call in a
// high-assurance project without a recent admin sign-in (GLOBUS-API.md,
// "Second pass": 403, code FORBIDDEN, in Auth's usual error document;
// no authorization_parameters, as expected).
func recentAdminBody(minutes string) map[string]any {
	return globusError(403, "FORBIDDEN", "To access this project you must have an identity with admin privileges in session within the last "+minutes+" minutes.")
}

func TestRecentAdminRefusalIsASignInRequest(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, recentAdminBody("30")) })
	_, err := f.c.CreateCredential(context.Background(), Bearer("operator-token-0123"), ctClient, "rotated")
	req, ge, ok := RequirementsOf(err)
	if !ok || ge.Status != 403 || ge.Code != "FORBIDDEN" {
		t.Fatalf("err = %v", err)
	}
	if !req.RecentAdmin || req.AdminWithin != 30*time.Minute || req.Prompt != "login" || !req.Session() {
		t.Errorf("requirements %+v", req)
	}
	if req.MFA || len(req.Policies)+len(req.SingleDomain)+len(req.Identities)+len(req.Scopes) != 0 {
		t.Errorf("asks more than Globus said: %+v", req)
	}
	if got := req.GlobusSays(); got != "To access this project you must have an identity with admin privileges in session within the last 30 minutes." {
		t.Errorf("GlobusSays %q", got)
	}
	if d := req.Describe(); d != "as an administrator of the project (Globus wants an admin's sign-in from the last 30 minutes)" {
		t.Errorf("Describe %q", d)
	}
	if h := ge.Hint(); !strings.Contains(h, "sign in again as an administrator of the project") {
		t.Errorf("hint %q", h)
	}
	// Only tried once: a refusal, not a passing failure.
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests", n)
	}
	// The same refusal twice is the same requirement (Redrive's "still refuses").
	if !req.Equal(recentAdminRequirement(403, ge.Detail)) || req.Equal(&AuthRequirements{MFA: true}) {
		t.Error("Equal")
	}
}

// The sign-in it asks for: prompt=login (a fresh authentication, not the
// browser's old session) and a plain session_message; nothing Globus did
// not ask for.
func TestRecentAdminLoginURL(t *testing.T) {
	c, err := New(Production)
	if err != nil {
		t.Fatal(err)
	}
	req := recentAdminRequirement(403, "To access this project you must have an identity with admin privileges in session within the last 30 minutes.")
	flow, err := c.StartBoostLogin(ctClient, []string{"openid", ManageProjectsScope}, req)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(flow.URL)
	q := u.Query()
	if q.Get("prompt") != "login" || q.Get("session_message") != "Sign in again as an administrator of the project: Globus wants an admin's sign-in from the last 30 minutes." {
		t.Errorf("authorize URL %s", flow.URL)
	}
	for k := range q {
		if strings.HasPrefix(k, "session_required_") {
			t.Errorf("%s sent: %s", k, flow.URL)
		}
	}
}

func TestRecentAdminOnlyFromThatRefusal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   map[string]any
		want   bool
	}{
		{"recent admin, 403", 403, recentAdminBody("30"), true},
		{"recent admin, another window", 403, recentAdminBody("15"), true},
		{"another 403", 403, globusError(403, "FORBIDDEN", "the identity is not an admin of the project"), false},
		{"the sentence on a 404", 404, recentAdminBody("30"), false},
	} {
		f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tc.status, tc.body) })
		_, err := f.c.GetProject(context.Background(), Bearer("operator-token-0123"), ctProject)
		req, _, ok := RequirementsOf(err)
		if ok != tc.want || (ok && !req.RecentAdmin) {
			t.Errorf("%s: requirements %+v (%v)", tc.name, req, err)
		}
	}
	if r := recentAdminRequirement(403, "To access this project you must have an identity with admin privileges in session within the last 15 minutes."); r.AdminWithin != 15*time.Minute {
		t.Errorf("window %v", r.AdminWithin)
	}
	// Should Globus send a GARE with it after all, the GARE is what is asked.
	gare := recentAdminBody("30")
	gare["authorization_parameters"] = map[string]any{"session_required_mfa": true, "session_message": "MFA please"}
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 403, gare) })
	_, err := f.c.GetProject(context.Background(), Bearer("operator-token-0123"), ctProject)
	if req, _, ok := RequirementsOf(err); !ok || !req.MFA || req.RecentAdmin || req.GlobusSays() != "MFA please" {
		t.Errorf("GARE alongside: %+v", req)
	}
}
