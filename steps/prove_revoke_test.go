package steps

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// The Groups token the proof gets on the user's behalf is revoked when it
// ends, authenticated as the Service API app it was issued to.
func TestProveRevokesTheDependentToken(t *testing.T) {
	srv, _ := globustest.NewTestServer(t)
	var groupsTokens []string
	w, _ := rewriter(t, srv, isDependentGrant, func(body []byte) []byte {
		var list []struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			t.Errorf("dependent tokens: %v", err)
		}
		for _, d := range list {
			groupsTokens = append(groupsTokens, d.AccessToken)
		}
		return body
	})
	before := len(w.srv.Requests())
	p := w.prove(w.userToken("alice@example.org"))
	if !p.Admitted || len(groupsTokens) != 1 {
		t.Fatalf("admitted %v, %d dependent tokens", p.Admitted, len(groupsTokens))
	}
	var revokes []globustest.Request
	for _, r := range w.srv.Requests()[before:] {
		if r.Path == "/v2/oauth2/token/revoke" {
			revokes = append(revokes, r)
		}
	}
	if len(revokes) != 1 || revokes[0].Auth != "basic:"+w.apiID || revokes[0].Status != 200 {
		t.Fatalf("revocations %+v", revokes)
	}
	if _, err := w.e.Globus.MyGroups(context.Background(), globus.Bearer(groupsTokens[0])); !globus.IsStatus(err, 401) {
		t.Errorf("the Groups token still works after the proof: %v", err)
	}
	mustContain(t, strings.Join(p.Lines(), "\n"), "The Groups token the proof got on the test user's behalf was revoked at Globus, as the Service API app.")
}
