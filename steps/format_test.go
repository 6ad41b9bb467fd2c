package steps

import (
	"fmt"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
)

// Internal structs that carry an Authorizer in an unexported field: fmt does
// not call the Authorizer's own masking Format there, so they mask themselves.
func TestInternalHoldersNeverPrintCredentials(t *testing.T) {
	const secret, token = "k3Jq9xZ0bWx1UHd2Q0ZtR2hYa1pQcXJzdFV2d3h5ejA=", "OPERATOR-ACCESS-TOKEN-Bf3kP0"
	cred := globus.Credentials{ID: "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d", Secret: secret}
	gc := &groupCaller{groups: globus.Bearer(token), identities: globus.Basic(cred), owner: "o", asClient: true}
	vf := &verifier{authTok: globus.Bearer(token)}
	for name, v := range map[string]any{"*groupCaller": gc, "groupCaller": *gc, "*verifier": vf, "verifier": *vf} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
			out := fmt.Sprintf(verb, v)
			for _, s := range []string{secret, token, fmt.Sprintf("%x", secret), fmt.Sprintf("%x", token)} {
				if strings.Contains(out, s) {
					t.Errorf("%s with %s prints a credential: %s", name, verb, out)
				}
			}
		}
	}
}
