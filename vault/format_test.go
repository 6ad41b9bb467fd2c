package vault

import (
	"fmt"
	"strings"
	"testing"
)

// A Doc holds client secrets and tokens, a Vault its document and key: no fmt
// verb may print them, so an errant log line or %v in an error leaks nothing.
func TestPrintingNeverShowsValues(t *testing.T) {
	const secret, token = "k3Jq9xZ0bWx1UHd2Q0ZtR2hYa1pQcXJzdFV2d3h5ejA=", "OPERATOR-ACCESS-TOKEN-Bf3kP0"
	v, p := newTestVault(t)
	if err := v.Set("service_api.client_secret", secret); err != nil {
		t.Fatal(err)
	}
	if err := v.SetInternal("tokens.operator", token); err != nil {
		t.Fatal(err)
	}
	doc := v.Doc()
	values := map[string]any{
		"Doc": doc, "*Doc": &doc, "*Vault": v,
		"struct": struct {
			D Doc
			V *Vault
		}{doc, v},
	}
	forbidden := []string{secret, token, "AGE-SECRET-KEY-", v.id.String()}
	for name, val := range values {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out := fmt.Sprintf(verb, val)
			for _, f := range forbidden {
				if strings.Contains(strings.ToUpper(out), strings.ToUpper(f)) {
					t.Errorf("%s printed with %s shows %.12q…: %s", name, verb, f, out)
				}
			}
		}
	}
	// Still useful for debugging: the keys, not the values.
	if s := fmt.Sprint(doc); !strings.Contains(s, "service_api.client_secret") || !strings.Contains(s, "tokens.operator") {
		t.Errorf("Doc prints no key names: %s", s)
	}
	if s := fmt.Sprint(v); !strings.Contains(s, p.Vault) {
		t.Errorf("Vault does not print its path: %s", s)
	}
}
