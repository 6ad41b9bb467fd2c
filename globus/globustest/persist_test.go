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
	a, pid, cid, secret := keptEmulator()
	a.clients[cid].privacyPolicy, a.clients[cid].terms = "https://example.org/privacy", "https://example.org/terms"
	saved, b := saveAndLoad(t, a)
	if bytes.Contains(saved, []byte(secret)) {
		t.Fatal("the saved state holds a client secret in plain text")
	}
	if !reflect.DeepEqual(a.Projects(), b.Projects()) || !reflect.DeepEqual(a.Clients(pid), b.Clients(pid)) {
		t.Fatalf("projects or apps differ after loading:\n%v\n%v", a.Projects(), b.Projects())
	}
	if _, ok := b.LookupIdentity("op@example.org"); !ok {
		t.Fatal("the identity was lost")
	}
	c := startedClient(t, b)
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
	a, _, cid, secret := keptEmulator()
	c := startedClient(t, a)
	ts, err := c.ClientCredentialsToken(context.Background(), globus.Credentials{ID: cid, Secret: secret}, "openid")
	if err != nil {
		t.Fatal(err)
	}
	tok := ts[globus.AuthResourceServer].AccessToken
	if tok == "" {
		t.Fatalf("no Auth token in %+v", ts)
	}
	saved, b := saveAndLoad(t, a)
	if bytes.Contains(saved, []byte(tok)) {
		t.Fatal("the saved state holds an access token in plain text")
	}
	b.mu.Lock()
	active := b.activeToken(tok) != nil
	b.mu.Unlock()
	if !active {
		t.Fatal("the restored emulator no longer knows the token it handed out")
	}
}

// keptEmulator is an emulator with an operator, a project and a confidential
// app, whose ID and secret it returns.
func keptEmulator() (s *Server, projectID, clientID, secret string) {
	s = New()
	s.AddIdentity("op@example.org", "Op", "op@example.org", "")
	projectID = s.AddProject("Kept", "op@example.org", "op@example.org")
	clientID, secret = s.RegisterClient(projectID, "Kept API", HybridConfidentialRS)
	return s, projectID, clientID, secret
}

// saveAndLoad saves a's state and loads it into a new emulator.
func saveAndLoad(t *testing.T, a *Server) (saved []byte, b *Server) {
	t.Helper()
	var buf bytes.Buffer
	if err := a.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	b = New()
	if err := b.LoadState(bytes.NewReader(buf.Bytes())); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), b
}

// startedClient starts s until the test ends and returns a client of it.
func startedClient(t *testing.T, s *Server) *globus.Client {
	t.Helper()
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c, err := globus.New(globus.Environment{Name: "custom", AuthURL: base + AuthPrefix + "/", GroupsURL: base + GroupsPrefix + "/", AppURL: base + AppPrefix + "/"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
