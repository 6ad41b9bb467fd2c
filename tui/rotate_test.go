package tui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
)

// R on the finish screen, 1: a new Service API secret, written into the
// .env the finish screen wrote; y: the old one deleted at Globus.
func TestRotateFromFinish(t *testing.T) {
	cfg, srv, m, _ := provable(t)
	f := m.shell.finish
	env := filepath.Join(t.TempDir(), ".env")
	setInput(f.path, env)
	drive(m, keys("w"))
	if !f.result.ok {
		t.Fatalf("writing the .env: %s", resultText(f.result))
	}
	id, _ := cfg.Vault.Get("service_api.client_id")
	old, _ := cfg.Vault.Get("service_api.client_secret")
	works := func(secret string) bool {
		_, err := cfg.Globus.ClientCredentialsToken(context.Background(), globus.Credentials{ID: id, Secret: secret}, "openid")
		return err == nil
	}

	drive(m, keys("R"))
	assertFits(t, m, "rotate panel")
	if panel := strings.Join(f.rotateLines(200), " "); !strings.Contains(panel, "y then runs the gateway's whole start-up check") || !strings.Contains(panel, "the old secret is kept") {
		t.Errorf("the panel does not say y checks first:\n%s", panel)
	}
	drive(m, keys("1"))
	if !f.result.ok {
		t.Fatalf("rotate: %s", resultText(f.result))
	}
	nw, _ := cfg.Vault.Get("service_api.client_secret")
	b, _ := os.ReadFile(env)
	if nw == old || !works(old) || !works(nw) || !strings.Contains(string(b), nw) {
		t.Fatal("after 1: a new secret in the vault and .env, both working")
	}
	v := m.View()
	if strings.Contains(strings.Join(strings.Fields(v), " "), "written just now") {
		// The rotation's lines say what became of the .env (t3 item 9).
		t.Errorf("after the rotation, the .env is still said to be written just now:\n%s", v)
	}
	if !strings.Contains(v, "secret rotation started") || !strings.Contains(v, "press y here") {
		t.Fatalf("the half-done rotation is not shown:\n%s", v)
	}
	// y is not a bare delete: steps.FinishRotation runs the gateway's
	// start-up check first and keeps the old secret when it fails.
	if say := resultText(f.result); !strings.Contains(say, "first runs the gateway's whole start-up check") || !strings.Contains(say, "the old secret is kept") {
		t.Errorf("the restart note does not say y checks first and keeps the old secret on a failure:\n%s", say)
	}
	if strings.Contains(v, nw) || strings.Contains(v, old) {
		t.Fatal("a secret is on screen")
	}
	assertFits(t, m, "rotation waiting for the restart")

	drive(m, keys("y"))
	if !f.result.ok || works(old) || !works(nw) || len(srv.Credentials(id)) != 1 {
		t.Fatalf("after y: %s", resultText(f.result))
	}
	if len(steps.Rotations(cfg.Vault.Doc())) != 0 || strings.Contains(m.View(), "waiting for the gateway's restart") {
		t.Fatal("the finished rotation is still shown")
	}
}

func TestCopyUsersValues(t *testing.T) {
	cfg, _, m, _ := provable(t)
	var got string
	m.cfg.Clipboard = func(s string) error { got = s; return nil }
	drive(m, keys("U"))
	pub, _ := cfg.Vault.Get("public_client.client_id")
	secret, _ := cfg.Vault.Get("service_api.client_secret")
	if !strings.Contains(got, "public client ID: "+pub) || !strings.Contains(got, "AUTH_CLIENT_ID") || strings.Contains(got, secret) {
		t.Fatalf("copied:\n%s", got)
	}
}
