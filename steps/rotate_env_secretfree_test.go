package steps

import (
	"context"
	"os"
	"strings"
	"testing"
)

// A rotation into a .env the gateway reads without secrets (started under
// exec) writes no secret there and says so plainly: the file stays without
// secrets, and the gateway gets the new one from exec on its next start.
func TestRotateIntoASecretFreeEnv(t *testing.T) {
	w, env := newRotateWorld(t)
	if _, err := MergeEnvIntoWith(w.e.Vault, env, SecretsOmit); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(env)
	res, err := Rotate(context.Background(), w.e, "service_api", RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := strings.Join(res.Lines, "\n")
	t.Logf("rotate:\n%s", out)
	after, _ := os.ReadFile(env)
	if string(after) != string(before) || strings.Contains(string(after), w.get("service_api.client_secret")) {
		t.Fatalf("the secret-free .env changed:\n%s", after)
	}
	mustContain(t, out,
		env+" stays without secrets, as it was written (export --no-secrets): nothing was written to it",
		"the gateway, started under `globus-setup exec`, gets the new secret from the vault when it next starts",
		"Restart the gateway now, under `globus-setup exec` as before, so it gets the new secret.")
	if strings.Contains(out, "already holds these settings") {
		t.Errorf("the generic no-change line:\n%s", out)
	}
}
