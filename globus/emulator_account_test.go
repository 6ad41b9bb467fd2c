package globus_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

func TestEmulatorUserInfo(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	ts := w.login(t, "openid", "profile", "email", globus.ManageProjectsScope)
	tok := ts[globus.AuthResourceServer].AccessToken
	op, _ := w.srv.LookupIdentity("operator@uni.edu")
	ui, err := w.c.UserInfo(ctx, globus.Bearer(tok))
	want := globus.UserInfo{Sub: op.ID, PreferredUsername: "operator@uni.edu", Name: "Olga Operator", Email: "olga@uni.edu", IdentityProvider: op.IdentityProvider}
	if err != nil || *ui != want {
		t.Fatalf("userinfo %+v %v, want %+v", ui, err, want)
	}

	// A login that did not grant openid is refused, and the hint says what to do.
	weak := w.login(t, globus.ManageProjectsScope)
	_, err = w.c.UserInfo(ctx, globus.Bearer(weak[globus.AuthResourceServer].AccessToken))
	if e := asError(t, err, 403); !strings.Contains(e.Hint(), "log in again") {
		t.Errorf("hint %q", e.Hint())
	}

	w.srv.RevokeTokens("operator@uni.edu")
	_, err = w.c.UserInfo(ctx, globus.Bearer(tok))
	asError(t, err, 401)
	if strings.Contains(err.Error(), tok) || !strings.Contains(globus.Hint(err), "log in again") {
		t.Errorf("revoked login: %v (hint %q)", err, globus.Hint(err))
	}
}

func TestEmulatorGetProject(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, _ := w.operatorTokens(t)
	op, _ := w.srv.LookupIdentity("operator@uni.edu")
	p, err := w.c.GetProject(ctx, auth, w.project)
	if err != nil || p.ID != w.project || p.DisplayName != "Inference gateway" || p.ContactEmail != "olga@uni.edu" || !slices.Equal(p.AdminIDs, []string{op.ID}) {
		t.Fatalf("project %+v %v", p, err)
	}
	_, err = w.c.GetProject(ctx, auth, "00000000-0000-4000-8000-000000000000")
	asError(t, err, 404)
	theirs := w.srv.AddProject("Not ours", "bob@else.org", "bob@else.org")
	_, err = w.c.GetProject(ctx, auth, theirs)
	asError(t, err, 403)
}

func TestEmulatorCredentials(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, _ := w.operatorTokens(t)
	made, err := w.c.CreateCredential(ctx, auth, w.svc.ID, "wizard")
	if err != nil {
		t.Fatal(err)
	}

	list, err := w.c.ListCredentials(ctx, auth, w.svc.ID)
	if err != nil || len(list) != 2 || list[0].Name != "seeded" || list[1].ID != made.ID || list[1].Client != w.svc.ID || list[1].Created.IsZero() {
		t.Fatalf("listed %v %v", list, err)
	}
	printed := fmt.Sprintf("%v %+v %#v", list, list, list)
	for _, c := range list {
		if c.Secret != "" {
			t.Errorf("listed credential %s carries a secret", c.ID)
		}
	}
	if strings.Contains(printed, made.Secret) || strings.Contains(printed, w.svc.Secret) {
		t.Errorf("a printed listing shows a secret")
	}

	if err := w.c.DeleteCredential(ctx, auth, w.svc.ID, made.ID); err != nil {
		t.Fatal(err)
	}
	if got := w.srv.Credentials(w.svc.ID); len(got) != 1 || got[0].Name != "seeded" {
		t.Errorf("left %v", got)
	}
	_, err = w.c.ClientCredentialsToken(ctx, globus.Credentials{ID: w.svc.ID, Secret: made.Secret}, globus.OpenIDScope)
	asError(t, err, 401)
	if _, err := w.c.ClientCredentialsToken(ctx, w.svc, globus.OpenIDScope); err != nil {
		t.Errorf("the other secret stopped working: %v", err)
	}

	// Deleting again: a 404, which a caller cleaning up treats as done.
	err = w.c.DeleteCredential(ctx, auth, w.svc.ID, made.ID)
	if !globus.IsStatus(err, 404) {
		t.Errorf("second delete: %v", err)
	}
	if l, err := w.c.ListCredentials(ctx, auth, w.publicID); err != nil || len(l) != 0 {
		t.Errorf("public client's credentials %v %v", l, err)
	}
	_, err = w.c.ListCredentials(ctx, auth, "00000000-0000-4000-8000-000000000000")
	asError(t, err, 404)
}

func TestEmulatorDeleteCredentialAnswerLost(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, _ := w.operatorTokens(t)
	second, err := w.c.CreateCredential(ctx, auth, w.svc.ID, "second")
	if err != nil {
		t.Fatal(err)
	}
	// Deleted, then the answer lost: the retry finds it gone and says 404.
	w.srv.FailNext("DELETE", "/v2/api/clients/", 1, globustest.Failure{AfterHandling: true, Status: 500})
	err = w.c.DeleteCredential(ctx, auth, w.svc.ID, second.ID)
	if !globus.IsStatus(err, 404) || w.srv.CountRequests("DELETE", "/v2/api/clients/") != 2 || len(w.sleeps()) != 1 {
		t.Errorf("err %v after %d deletes, %d waits", err, w.srv.CountRequests("DELETE", "/v2/api/clients/"), len(w.sleeps()))
	}
	if got := w.srv.Credentials(w.svc.ID); len(got) != 1 || got[0].Name != "seeded" {
		t.Errorf("left %v", got)
	}
}

func TestEmulatorCreateAnswerLost(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	auth, _ := w.operatorTokens(t)
	req := globus.ProjectCreate{DisplayName: "Lost answer", ContactEmail: "olga@uni.edu"}

	// Created, then a 500 instead of the answer: not retried (a second POST
	// would make a duplicate), and the project exists.
	w.srv.FailNext("POST", "/v2/api/projects", 1, globustest.Failure{AfterHandling: true, Status: 500})
	_, err := w.c.CreateProject(ctx, auth, req)
	asError(t, err, 500)

	// Created, then the connection dropped: a transport error, not retried.
	req.DisplayName = "Dropped answer"
	w.srv.FailNext("POST", "/v2/api/projects", 1, globustest.Failure{AfterHandling: true, Drop: true})
	_, err = w.c.CreateProject(ctx, auth, req)
	var ne *globus.NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("dropped connection gave %T %v, want *globus.NetworkError", err, err)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 2 {
		t.Errorf("%d project POSTs, want 2 (no retries)", n)
	}
	// Both exist; a caller recovers by looking them up.
	ps, err := w.c.ListProjects(ctx, auth)
	var names []string
	for _, p := range ps {
		names = append(names, p.DisplayName)
	}
	if err != nil || !slices.Equal(names, []string{"Inference gateway", "Lost answer", "Dropped answer"}) {
		t.Errorf("projects %v %v", names, err)
	}
}

// A 502 or 504 can come after the service acted (a proxy that gave up
// waiting), so a create answered so is sent once; 503 and 429 are refusals
// before any work and are retried.
func TestEmulatorCreateRetriesOnlyRefusals(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		status int
		after  bool // handled before the failure replaced the answer
		posts  int
	}{{502, true, 1}, {504, true, 1}, {503, false, 2}, {429, false, 2}} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			w := newWorld(t)
			auth, _ := w.operatorTokens(t)
			before := len(w.srv.Projects())
			w.srv.FailNext("POST", "/v2/api/projects", 1, globustest.Failure{Status: tc.status, AfterHandling: tc.after})
			_, perr := w.c.CreateProject(ctx, auth, globus.ProjectCreate{DisplayName: "GW", ContactEmail: "olga@uni.edu"})

			path := "/v2/api/clients/" + w.svc.ID + "/credentials"
			secrets := len(w.srv.Credentials(w.svc.ID))
			w.srv.FailNext("POST", path, 1, globustest.Failure{Status: tc.status, AfterHandling: tc.after})
			_, cerr := w.c.CreateCredential(ctx, auth, w.svc.ID, "wizard")

			if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != tc.posts {
				t.Errorf("%d project POSTs, want %d", n, tc.posts)
			}
			if n := w.srv.CountRequests("POST", path); n != tc.posts {
				t.Errorf("%d secret POSTs, want %d", n, tc.posts)
			}
			// Exactly one of each exists either way: no duplicate.
			if n := len(w.srv.Projects()) - before; n != 1 {
				t.Errorf("%d new projects, want 1", n)
			}
			if n := len(w.srv.Credentials(w.svc.ID)) - secrets; n != 1 {
				t.Errorf("%d new secrets, want 1", n)
			}
			for _, err := range []error{perr, cerr} {
				if tc.after {
					if e := asError(t, err, tc.status); !strings.Contains(e.Hint(), "may have made it anyway") {
						t.Errorf("hint %q", e.Hint())
					}
				} else if err != nil {
					t.Errorf("retried create: %v", err)
				}
			}
		})
	}
}

// A one-time login (the proof's) asks for no offline access, so no refresh
// token exists to outlive it, yet it is granted action_all, whose Groups
// dependent scope requires refresh tokens (those are the service's).
func TestEmulatorOneTimeLoginMintsNoRefreshToken(t *testing.T) {
	w := newWorld(t)
	_, scope, err := w.srv.AddScope(w.svc.ID, "action_all", globus.GroupsDependentScopeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, offline := range []bool{false, true} {
		start := w.c.StartOneTimeLogin
		if offline {
			start = w.c.StartLogin // the contrast: the stored operator login
		}
		flow, err := start(w.publicID, []string{scope})
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(flow.URL)
		if err != nil {
			t.Fatal(err)
		}
		if got := u.Query().Has("access_type"); got != offline {
			t.Errorf("offline %v: access_type in the URL %v (%q)", offline, got, u.Query().Get("access_type"))
		}
		ts := w.approveLogin(t, flow)
		tok, ok := ts[w.svc.ID]
		if !ok || tok.AccessToken == "" || tok.Scope != scope {
			t.Fatalf("offline %v: no action_all token (resource servers %v)", offline, slices.Sorted(maps.Keys(ts)))
		}
		for rs, tk := range ts {
			if (tk.RefreshToken != "") != offline {
				t.Errorf("offline %v: %s refresh token present %v", offline, rs, tk.RefreshToken != "")
			}
		}
	}
}
