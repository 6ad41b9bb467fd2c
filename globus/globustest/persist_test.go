package globustest

import (
	"bytes"
	"context"
	"reflect"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
)

// A saved emulator comes back knowing what was made in it: projects, apps,
// and secrets that still work (a resumed demo's stored IDs stay valid).
func TestSaveAndLoadState(t *testing.T) {
	a := New()
	a.AddIdentity("op@example.org", "Op", "op@example.org", "")
	pid := a.AddProject("Kept", "op@example.org", "op@example.org")
	cid, secret := a.RegisterClient(pid, "Kept API", HybridConfidentialRS)
	a.clients[cid].privacyPolicy, a.clients[cid].terms = "https://example.org/privacy", "https://example.org/terms"
	var buf bytes.Buffer
	if err := a.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(secret)) {
		t.Fatal("the saved state holds a client secret in plain text")
	}
	b := New()
	if err := b.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Projects(), b.Projects()) || !reflect.DeepEqual(a.Clients(pid), b.Clients(pid)) {
		t.Fatalf("projects or apps differ after loading:\n%v\n%v", a.Projects(), b.Projects())
	}
	if _, ok := b.LookupIdentity("op@example.org"); !ok {
		t.Fatal("the identity was lost")
	}
	base, err := b.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	env := globus.Environment{Name: "custom", AuthURL: base + AuthPrefix + "/", GroupsURL: base + GroupsPrefix + "/", AppURL: base + AppPrefix + "/"}
	c, err := globus.New(env)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ClientCredentialsToken(context.Background(), globus.Credentials{ID: cid, Secret: secret}, "openid"); err != nil {
		t.Fatalf("the secret made before saving no longer works: %v", err)
	}
	if err := New().LoadState(bytes.NewReader([]byte(`{"version":2}`))); err == nil {
		t.Fatal("an unknown version was loaded")
	}
}

// The saved state keeps tokens as hashes: the file holds none that works,
// and a restored emulator still honours the tokens it handed out.
func TestSavedStateHoldsNoToken(t *testing.T) {
	a := New()
	a.AddIdentity("op@example.org", "Op", "op@example.org", "")
	pid := a.AddProject("Kept", "op@example.org", "op@example.org")
	cid, secret := a.RegisterClient(pid, "Kept API", HybridConfidentialRS)
	base, err := a.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	c, err := globus.New(globus.Environment{Name: "custom", AuthURL: base + AuthPrefix + "/", GroupsURL: base + GroupsPrefix + "/", AppURL: base + AppPrefix + "/"})
	if err != nil {
		t.Fatal(err)
	}
	ts, err := c.ClientCredentialsToken(context.Background(), globus.Credentials{ID: cid, Secret: secret}, "openid")
	if err != nil {
		t.Fatal(err)
	}
	tok := ts[globus.AuthResourceServer].AccessToken
	if tok == "" {
		t.Fatalf("no Auth token in %+v", ts)
	}
	var buf bytes.Buffer
	if err := a.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(tok)) {
		t.Fatal("the saved state holds an access token in plain text")
	}
	b := New()
	if err := b.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	active := b.activeToken(tok) != nil
	b.mu.Unlock()
	if !active {
		t.Fatal("the restored emulator no longer knows the token it handed out")
	}
}
