package globus

import (
	"context"
	"net/http"
	"strings"
	"testing"
)

func TestAccountCalls(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method + " " + r.URL.Path {
		case "GET /auth/v2/oauth2/userinfo":
			writeJSON(w, 200, map[string]any{"sub": "u1", "preferred_username": "op@uni.edu", "name": nil, "email": "op@uni.edu", "identity_provider": "idp1", "organization": "Uni"})
		case "GET /auth/v2/api/projects/p1":
			writeJSON(w, 200, map[string]any{"project": map[string]any{"id": "p1", "display_name": "GW", "contact_email": "a@b.org", "admin_ids": []string{"u1"}}})
		case "GET /auth/v2/api/clients/c9/credentials":
			// A server that wrongly echoes a secret: the listing must drop it.
			writeJSON(w, 200, map[string]any{"credentials": []any{
				map[string]any{"id": "k1", "name": "gw", "client": "c9", "created": "2026-11-25T20:00:00.123456+00:00", "secret": "LEAKED-SECRET"},
				map[string]any{"id": "k2", "name": "old", "client": "c9", "created": "2026-11-24T20:00:00Z"}}})
		case "DELETE /auth/v2/api/clients/c9/credentials/k1":
			writeJSON(w, 200, map[string]any{"credential": map[string]any{"id": "k1", "name": "gw", "client": "c9"}})
		case "DELETE /auth/v2/api/clients/c9/credentials/gone":
			writeJSON(w, 404, globusError(404, "NOT_FOUND", "no credential gone"))
		default:
			http.NotFound(w, r)
		}
	})
	ctx, a := context.Background(), Bearer("operator-token-abc")
	ui, err := f.c.UserInfo(ctx, a)
	if err != nil || *ui != (UserInfo{Sub: "u1", PreferredUsername: "op@uni.edu", Email: "op@uni.edu", IdentityProvider: "idp1"}) {
		t.Errorf("userinfo %+v %v", ui, err)
	}
	p, err := f.c.GetProject(ctx, a, "p1")
	if err != nil || p.ID != "p1" || p.DisplayName != "GW" || p.AdminIDs[0] != "u1" {
		t.Errorf("project %+v %v", p, err)
	}
	creds, err := f.c.ListCredentials(ctx, a, "c9")
	if err != nil || len(creds) != 2 || creds[0].ID != "k1" || creds[0].Client != "c9" || creds[0].Created.IsZero() || creds[1].Name != "old" {
		t.Fatalf("credentials %v %v", creds, err)
	}
	for _, c := range creds {
		if c.Secret != "" {
			t.Errorf("a listed credential carries a secret")
		}
	}
	if err := f.c.DeleteCredential(ctx, a, "c9", "k1"); err != nil {
		t.Error(err)
	}
	before := f.rec.count()
	err = f.c.DeleteCredential(ctx, a, "c9", "gone")
	if !IsStatus(err, 404) || f.rec.count() != before+1 {
		t.Errorf("a 404 delete: %v after %d requests", err, f.rec.count()-before)
	}
	if strings.Contains(err.Error(), "operator-token-abc") {
		t.Errorf("error shows the token: %v", err)
	}

	reqs := f.rec.all()
	for _, r := range reqs {
		if r.Auth != "Bearer operator-token-abc" || r.Body != "" {
			t.Errorf("%s %s: auth %q body %q", r.Method, r.Path, r.Auth, r.Body)
		}
	}
	if reqs[3].Method != "DELETE" || reqs[3].Path != "/auth/v2/api/clients/c9/credentials/k1" {
		t.Errorf("delete sent as %s %s", reqs[3].Method, reqs[3].Path)
	}
}

func TestAccountCallsIncompleteAnswers(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{}) })
	ctx, a := context.Background(), Bearer("tok")
	if _, err := f.c.UserInfo(ctx, a); err == nil || !strings.Contains(err.Error(), "without the sub") {
		t.Errorf("userinfo without sub: %v", err)
	}
	if _, err := f.c.GetProject(ctx, a, "p1"); err == nil || !strings.Contains(err.Error(), "without the project") {
		t.Errorf("project answer without project: %v", err)
	}
	if creds, err := f.c.ListCredentials(ctx, a, "c9"); err != nil || len(creds) != 0 {
		t.Errorf("empty listing: %v %v", creds, err)
	}
}

func TestDeleteCredentialRetriesLikeARead(t *testing.T) {
	ok := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"credential": map[string]any{"id": "k1"}})
	}
	// A 500 on a delete is retried (a create's would not be): deleting twice is harmless.
	f := newFixture(t, failThen(1, 500, nil, globusError(500, "INTERNAL", "boom"), ok))
	if err := f.c.DeleteCredential(context.Background(), Bearer("tok"), "c9", "k1"); err != nil || f.rec.count() != 2 || len(f.sl.all()) != 1 {
		t.Errorf("err %v after %d requests, %d waits", err, f.rec.count(), len(f.sl.all()))
	}
}
