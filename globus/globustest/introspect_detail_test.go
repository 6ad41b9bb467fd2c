package globustest

import (
	"testing"
)

// identity_set_detail names each identity by sub, with
// identity_provider_display_name, as the gateway reads them.
func TestIntrospectionIdentitySetDetailShape(t *testing.T) {
	g := newGateway(t)
	alice, _ := g.s.LookupIdentity("alice@uchicago.edu")
	doc := expect(t, g.introspect(t, g.userToken), 200).obj(t)
	d := doc["identity_set_detail"].([]any)[0].(map[string]any)
	if d["sub"] != alice.ID || d["username"] != "alice@uchicago.edu" || d["identity_provider"] != alice.IdentityProvider ||
		d["identity_provider_display_name"] != "uchicago.edu" || d["last_authentication"] == nil {
		t.Errorf("identity_set_detail entry %v", d)
	}
	if _, ok := d["id"]; ok {
		t.Errorf("an id beside sub: %v", d)
	}
}
