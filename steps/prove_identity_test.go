package steps

import (
	"strings"
	"testing"
)

// The proof names the identity the gateway would make its user from: sub.
func TestProveNamesTheGatewaysIdentity(t *testing.T) {
	const other = "0badc0de-0000-4000-8000-000000000001"
	var edit func(entry map[string]any)
	w, _ := introspectionEdit(t, func(doc map[string]any) {
		if edit != nil {
			for _, e := range doc["identity_set_detail"].([]any) {
				edit(e.(map[string]any))
			}
		}
	})
	alice, _ := w.srv.LookupIdentity("alice@example.org")

	p := w.prove(w.userToken("alice@example.org"))
	if c := p.Checks[3]; c.Status != CheckPass || !strings.HasSuffix(c.Detail, "the gateway takes them as identity "+alice.ID) {
		t.Errorf("%s %q", c.Status, c.Detail)
	}
	// sub and id both present and different: sub is the one.
	edit = func(e map[string]any) { e["id"] = other }
	if c := w.prove(w.userToken("alice@example.org")).Checks[3]; !strings.HasSuffix(c.Detail, "identity "+alice.ID) {
		t.Errorf("with an id beside sub: %q", c.Detail)
	}
	// Only an id, as the identities API spells it: the gateway, reading
	// sub, could not make the user; the proof says so, naming the id.
	edit = func(e map[string]any) { e["id"] = e["sub"]; delete(e, "sub") }
	p = w.prove(w.userToken("alice@example.org"))
	if c := p.Checks[3]; c.Status != CheckFail || p.Admitted {
		t.Fatalf("an entry without sub passed: %q", c.Detail)
	}
	mustContain(t, p.Checks[3].Detail, "without a sub (its ID came as id "+alice.ID+")", "Could not create User object")
}
