package globus_test

import (
	"context"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// The emulator revokes a confidential client's token only with that
// client's own secret: a wrong secret is 401 invalid_client, and another
// client's (right) credentials leave it working.
func TestEmulatorRevokeAsConfidentialClient(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	scopeID, scope, err := w.srv.AddScope(w.svc.ID, "action_all", globustest.GroupsScopeID)
	if err != nil || scopeID == "" {
		t.Fatal(err)
	}
	user := w.login(t, scope)[w.svc.ID].AccessToken
	groupsToken := func() string {
		deps, err := w.c.DependentTokens(ctx, w.svc, user)
		if err != nil || len(deps) != 1 {
			t.Fatalf("dependent tokens %v %v", deps, err)
		}
		return deps[0].AccessToken
	}
	works := func(tok string) bool {
		_, err := w.c.MyGroups(ctx, globus.Bearer(tok))
		return err == nil
	}

	tok := groupsToken()
	err = w.c.RevokeTokenAs(ctx, globus.Credentials{ID: w.svc.ID, Secret: "not-the-secret-0123"}, tok)
	if !globus.IsStatus(err, 401) || !works(tok) {
		t.Errorf("a wrong secret: %v, works %v", err, works(tok))
	}
	otherID, otherSecret := w.srv.RegisterClient(w.project, "Another app", globus.ClientTypeConfidential)
	if err := w.c.RevokeTokenAs(ctx, globus.Credentials{ID: otherID, Secret: otherSecret}, tok); err != nil || !works(tok) {
		t.Errorf("another client revoked it: %v, works %v", err, works(tok))
	}
	if err := w.c.RevokeToken(ctx, w.publicID, tok); err != nil || !works(tok) {
		t.Errorf("the public client revoked it: %v, works %v", err, works(tok))
	}
	if err := w.c.RevokeTokenAs(ctx, w.svc, tok); err != nil || works(tok) {
		t.Errorf("its own client could not revoke it: %v, works %v", err, works(tok))
	}
}
