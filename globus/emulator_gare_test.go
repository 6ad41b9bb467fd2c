package globus_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

var operatorScopes = []string{"openid", globus.ManageProjectsScope, globus.ViewIdentitiesScope, globus.GroupsScope}

// boostLogin logs in again through the URL built from req, approved by approve.
func (w *world) boostLogin(t *testing.T, req *globus.AuthRequirements, approve func(string) (string, error)) (globus.Authorizer, *url.URL) {
	t.Helper()
	flow, err := w.c.StartBoostLogin(w.publicID, operatorScopes, req)
	if err != nil {
		t.Fatal(err)
	}
	code, err := approve(flow.URL)
	if err != nil {
		t.Fatal(err)
	}
	ts, err := w.c.ExchangeCode(context.Background(), flow, code)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(flow.URL)
	return globus.Bearer(ts[globus.AuthResourceServer].AccessToken), u
}

// Each kind of demand: refused with the requirement, a login with exactly
// those parameters, then the same call passes.
func TestEmulatorDemandsAndBoosts(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		demand globustest.Demand
		setup  func(w *world, d *globustest.Demand)
		check  func(t *testing.T, r *globus.AuthRequirements, q url.Values)
	}{
		{name: "MFA on a delete", demand: globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/*/credentials/*", MFA: true},
			check: func(t *testing.T, r *globus.AuthRequirements, q url.Values) {
				if !r.MFA || r.Code != "AuthorizationRequired" || q.Get("session_required_mfa") != "True" {
					t.Errorf("requirement %+v, url mfa %q", r, q.Get("session_required_mfa"))
				}
			}},
		{name: "single domain", demand: globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/", SingleDomain: []string{"anl.gov"}},
			setup: func(w *world, d *globustest.Demand) {
				w.srv.AddIdentity("olga@anl.gov", "Olga at ANL", "olga@anl.gov", "anl.gov")
				w.srv.LinkIdentity("operator@uni.edu", "olga@anl.gov")
			},
			check: func(t *testing.T, r *globus.AuthRequirements, q url.Values) {
				if !slices.Equal(r.SingleDomain, []string{"anl.gov"}) || q.Get("session_required_single_domain") != "anl.gov" {
					t.Errorf("requirement %+v, url %q", r, q.Get("session_required_single_domain"))
				}
			}},
		{name: "policy, legacy comma-separated shape", demand: globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/", Legacy: true, Status: 401},
			setup: func(w *world, d *globustest.Demand) {
				w.srv.AddIdentity("olga@anl.gov", "Olga at ANL", "olga@anl.gov", "anl.gov")
				w.srv.LinkIdentity("operator@uni.edu", "olga@anl.gov")
				d.Policies = []string{w.srv.AddPolicy(w.project, "ANL only", []string{"anl.gov"}, 1800)}
			},
			check: func(t *testing.T, r *globus.AuthRequirements, q url.Values) {
				if len(r.Policies) != 1 || q.Get("session_required_policies") != r.Policies[0] {
					t.Errorf("requirement %+v, url %q", r, q.Get("session_required_policies"))
				}
			}},
		{name: "missing consent", demand: globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/", Scopes: []string{globus.GroupsScope}, Legacy: true},
			check: func(t *testing.T, r *globus.AuthRequirements, q url.Values) {
				if r.Code != "ConsentRequired" || !slices.Equal(r.Scopes, []string{globus.GroupsScope}) || !strings.Contains(q.Get("scope"), globus.GroupsScope) || q.Has("session_required_mfa") {
					t.Errorf("requirement %+v, scope %q", r, q.Get("scope"))
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			if c.setup != nil {
				c.setup(w, &c.demand)
			}
			// The first login grants no Groups scope, so consent is missing.
			ts := w.login(t, "openid", globus.ManageProjectsScope)
			auth := globus.Bearer(ts[globus.AuthResourceServer].AccessToken)
			made, err := w.c.CreateCredential(ctx, auth, w.svc.ID, "to delete")
			if err != nil {
				t.Fatal(err)
			}
			w.srv.DemandSession(c.demand)
			err = w.c.DeleteCredential(ctx, auth, w.svc.ID, made.ID)
			r, ge, ok := globus.RequirementsOf(err)
			if !ok {
				t.Fatalf("want a requirement, got %v", err)
			}
			if want := c.demand.Status; want != 0 && ge.Status != want || want == 0 && ge.Status != http.StatusForbidden {
				t.Errorf("status %d", ge.Status)
			}
			if len(w.srv.Credentials(w.svc.ID)) != 2 {
				t.Fatal("the refused delete deleted")
			}
			boosted, u := w.boostLogin(t, r, w.srv.ApproveLogin)
			c.check(t, r, u.Query())
			if err := w.c.DeleteCredential(ctx, boosted, w.svc.ID, made.ID); err != nil {
				t.Fatalf("after the boost: %v", err)
			}
			if w.srv.Refusals() != 1 {
				t.Errorf("refusals %d", w.srv.Refusals())
			}
		})
	}
}

// A boost that does not meet the demand is refused again, with the same requirement.
func TestEmulatorBoostNotEnough(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	made, _ := w.c.CreateCredential(ctx, auth, w.svc.ID, "x")
	w.srv.DemandSession(globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/", MFA: true})
	err := w.c.DeleteCredential(ctx, auth, w.svc.ID, made.ID)
	r, _, ok := globus.RequirementsOf(err)
	if !ok {
		t.Fatal(err)
	}
	boosted, _ := w.boostLogin(t, r, w.srv.ApproveLoginWithoutMFA)
	err = w.c.DeleteCredential(ctx, boosted, w.svc.ID, made.ID)
	r2, _, ok := globus.RequirementsOf(err)
	if !ok || !r2.Equal(r) {
		t.Fatalf("second try: %v", err)
	}
	// Other calls are not guarded.
	if _, err := w.c.ListCredentials(ctx, boosted, w.svc.ID); err != nil {
		t.Fatal(err)
	}
}

func TestParseDemand(t *testing.T) {
	d, err := globustest.ParseDemand("delete /v2/api/clients/*/credentials/* mfa domain=anl.gov status=401 times=2")
	if err != nil || d.Method != "DELETE" || !d.MFA || !slices.Equal(d.SingleDomain, []string{"anl.gov"}) || d.Status != 401 || d.Times != 2 {
		t.Fatalf("%+v %v", d, err)
	}
	for _, bad := range []string{"DELETE /x", "DELETE x mfa", "DELETE /x legacy", "DELETE /x domain=", "DELETE /x status=500 mfa", "DELETE /x nope"} {
		if _, err := globustest.ParseDemand(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
