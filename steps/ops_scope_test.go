package steps

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

func scopesPath(clientID string) string { return "/v2/api/clients/" + clientID + "/scopes" }

func TestEnsureScopeCreatesOnceThenReuses(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	first, err := EnsureScope(ctx, w.e)
	if err != nil {
		t.Fatal(err)
	}
	if !first.Created || first.Scope.ID == "" {
		t.Fatalf("first run: %+v", first)
	}
	want := "https://auth.globus.org/scopes/" + w.apiID + "/action_all"
	if first.Scope.ScopeString != want {
		t.Errorf("scope string %q, want %q", first.Scope.ScopeString, want)
	}
	second, err := EnsureScope(ctx, w.e)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created || second.Scope.ID != first.Scope.ID {
		t.Fatalf("second run did not reuse: %+v", second)
	}
	if n := w.count(http.MethodPost, scopesPath(w.apiID)); n != 1 {
		t.Errorf("%d scope POSTs over two runs, want 1", n)
	}
	if got := w.get("service_api.scope_id"); got != first.Scope.ID {
		t.Errorf("stored scope_id %q", got)
	}
	if got := w.get("service_api.scope_string"); got != want {
		t.Errorf("stored scope_string %q", got)
	}
	scopes := w.srv.ClientScopes(w.apiID)
	if len(scopes) != 1 || len(scopes[0].DependentScopes) != 1 || scopes[0].DependentScopes[0] != globus.GroupsDependentScopeID {
		t.Errorf("emulator holds %+v", scopes)
	}
	lines := strings.Join(ScopeLines(second), "\n")
	mustContain(t, lines, "Reused", first.Scope.ID, want)
}

func TestEnsureScopeRecoversFrom409Race(t *testing.T) {
	srv := globustest.New()
	var w *world
	raced := false
	// Another process creates the scope between our look and our POST.
	ts := wrapped(t, srv, func(rw http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/scopes") && !raced {
			raced = true
			if _, _, err := srv.AddScope(w.apiID, "action_all", globustest.GroupsScopeID); err != nil {
				t.Error(err)
			}
		}
		return false
	})
	w = newWorldOn(t, srv, ts.URL+"/auth/", ts.URL+"/groups/")
	res, err := EnsureScope(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created {
		t.Error("reported created, but the other process created it")
	}
	if !raced {
		t.Fatal("the race was not staged")
	}
	statuses := []int{}
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/scopes") {
			statuses = append(statuses, r.Status)
		}
	}
	if len(statuses) != 1 || statuses[0] != http.StatusConflict {
		t.Errorf("scope POST statuses %v, want one 409", statuses)
	}
	if sc := srv.ClientScopes(w.apiID); len(sc) != 1 || w.get("service_api.scope_id") != sc[0].ID {
		t.Errorf("stored %q, emulator has %+v", w.get("service_api.scope_id"), sc)
	}
}

func TestEnsureScopeReportsWrongDependentScope(t *testing.T) {
	w := newWorld(t)
	id, _, err := w.srv.AddScope(w.apiID, "action_all") // no dependent scope
	if err != nil {
		t.Fatal(err)
	}
	_, err = EnsureScope(context.Background(), w.e)
	if err == nil {
		t.Fatal("a scope without the Groups dependent scope was accepted")
	}
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("%T %v", err, err)
	}
	mustContain(t, err.Error(), id, "lacks the Groups dependent scope", globus.GroupsDependentScopeID)
	mustContain(t, Hint(err), "requires_refresh_token true", "scope create")
	if w.get("service_api.scope_id") != "" {
		t.Error("a wrong scope was stored")
	}
	if n := w.count(http.MethodPost, scopesPath(w.apiID)); n != 0 {
		t.Errorf("%d POSTs: it must not try to create a second action_all", n)
	}
}

func TestCheckActionAllScope(t *testing.T) {
	const cid = "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c"
	good := globus.Scope{ID: "s", ScopeString: "https://auth.globus.org/scopes/" + cid + "/action_all",
		DependentScopes: []globus.DependentScope{{Scope: globus.GroupsDependentScopeID, RequiresRefreshToken: true}}}
	if err := CheckActionAllScope(good, cid); err != nil {
		t.Fatal(err)
	}
	if n := ActionAllScopeNotes(good); len(n) != 0 {
		t.Errorf("notes for the guide's scope: %v", n)
	}
	opt := good
	opt.DependentScopes = []globus.DependentScope{{Scope: globus.GroupsDependentScopeID, Optional: true}}
	err := CheckActionAllScope(opt, cid)
	if err == nil {
		t.Fatal("optional dependent scope accepted")
	}
	mustContain(t, err.Error(), "optional")
	// Globus's action-provider guide makes the Groups dependent scope with
	// requires_refresh_token false: it works with the gateway, so it is kept.
	noRefresh := good
	noRefresh.DependentScopes = []globus.DependentScope{{Scope: globus.GroupsDependentScopeID}}
	if err := CheckActionAllScope(noRefresh, cid); err != nil {
		t.Fatalf("requires_refresh_token false refused: %v", err)
	}
	mustContain(t, strings.Join(ActionAllScopeNotes(noRefresh), "\n"), "requires_refresh_token false", "works with the gateway")
	// An extra dependent scope warns, and does not stop.
	extra := good
	extra.DependentScopes = append([]globus.DependentScope{{Scope: "other"}}, good.DependentScopes...)
	if err := CheckActionAllScope(extra, cid); err != nil {
		t.Fatalf("extra dependent scope stopped: %v", err)
	}
	mustContain(t, strings.Join(ActionAllScopeNotes(extra), "\n"), "warning: it has an extra dependent scope other")
}

func TestEnsureScopeBadSecretSaysWhatToDo(t *testing.T) {
	w := newWorld(t)
	bad := "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5" // a well-formed secret Globus does not know
	w.set(map[string]string{"service_api.client_secret": bad})
	_, err := EnsureScope(context.Background(), w.e)
	if err == nil {
		t.Fatal("bad secret accepted")
	}
	if !globus.IsStatus(err, http.StatusUnauthorized) {
		t.Errorf("want a 401 inside: %v", err)
	}
	mustContain(t, err.Error(), "did not accept the stored Service API client ID and secret")
	mustContain(t, Hint(err), "generate a new secret", "service_api.client_secret")
	for _, s := range []string{err.Error(), Hint(err)} {
		if strings.Contains(s, bad) {
			t.Fatal("the secret leaked into the message")
		}
	}
}

func TestEnsureScopeRetries429(t *testing.T) {
	w := newWorld(t)
	w.srv.FailNext(http.MethodPost, scopesPath(w.apiID), 2, globustest.Failure{Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second})
	res, err := EnsureScope(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Created {
		t.Error("not created")
	}
	if n := w.count(http.MethodPost, scopesPath(w.apiID)); n != 3 {
		t.Errorf("%d POSTs, want 3 (two 429s, then the creation)", n)
	}
	if len(w.srv.ClientScopes(w.apiID)) != 1 {
		t.Error("want exactly one scope")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.sleeps) != 2 || w.sleeps[0] != 3*time.Second {
		t.Errorf("waits %v, want two honouring Retry-After 3s", w.sleeps)
	}
}

func TestEnsureScopeNeedsCredentials(t *testing.T) {
	e := &Env{Vault: newVault(t), Globus: newWorld(t).e.Globus}
	_, err := EnsureScope(context.Background(), e)
	if err == nil {
		t.Fatal("no error without credentials")
	}
	mustContain(t, err.Error(), "service_api.client_id")
	mustContain(t, Hint(err), "globus-setup set service_api.client_id")
}

func TestCatalogueHasOps(t *testing.T) {
	for _, s := range Catalogue() {
		if s.Verify == nil {
			t.Errorf("step %s has no Verify", s.ID)
		}
	}
	for _, id := range []string{"service_api", "groups"} {
		if s, _ := StepByID(id); s.Action == nil {
			t.Errorf("step %s has no Action", id)
		}
	}
}

// An action_all made as Globus's action-provider guide makes it (Groups
// dependent scope with requires_refresh_token false) is kept: the gateway
// works with it. It does not stop the scope step, and is said.
func TestEnsureScopeKeepsActionProviderGuideScope(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	cred := globus.Credentials{ID: w.apiID, Secret: w.apiSecret}
	made, err := w.e.Globus.CreateScope(ctx, cred, globus.ScopeCreate{Name: "Gateway", Description: "Access", ScopeSuffix: "action_all",
		DependentScopes: []globus.DependentScope{{Scope: globus.GroupsDependentScopeID, Optional: false, RequiresRefreshToken: false}}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := EnsureScope(ctx, w.e)
	if err != nil {
		t.Fatalf("the action-provider guide's scope stopped the step: %v", err)
	}
	if res.Created || res.Scope.ID != made.ID || w.get("service_api.scope_id") != made.ID {
		t.Fatalf("%+v", res)
	}
	mustContain(t, strings.Join(ScopeLines(res), "\n"), "requires_refresh_token false", "works with the gateway")
	c := statusOf(t, VerifyStep(ctx, w.e, "service_api"), scopeCheckName)
	if c.Status != CheckPass || !strings.Contains(c.Line(), "works with the gateway") {
		t.Fatal(c.Line())
	}
}

// A 401 that asks for a new sign-in, or names a bad code, is not a wrong
// client secret: the operator must not be sent to make a new one.
func TestCredsProblemOnlyForAWrongPair(t *testing.T) {
	for _, tc := range []struct {
		err   *globus.Error
		wrong bool
	}{
		{&globus.Error{Status: 401, OAuthError: "invalid_client"}, true},
		{&globus.Error{Status: 401, Code: "UNAUTHORIZED", OAuthError: "unauthorized"}, true},
		{&globus.Error{Status: 400, OAuthError: "invalid_client"}, true},
		{&globus.Error{Status: 401, OAuthError: "invalid_grant"}, false},
		{&globus.Error{Status: 401, Code: "AuthorizationRequired", Requirements: &globus.AuthRequirements{MFA: true}}, false},
		{&globus.Error{Status: 403, Code: "FORBIDDEN"}, false},
	} {
		err := credsProblem("reading the app", serviceAPIApp(), tc.err)
		got := strings.Contains(err.Error(), "did not accept the stored Service API client ID and secret")
		if got != tc.wrong {
			t.Errorf("%+v: told as a wrong pair = %v, want %v (%v)", tc.err, got, tc.wrong, err)
		}
	}
}
