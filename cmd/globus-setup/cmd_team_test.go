package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"

	"github.com/globus-setup/globus-setup/vault"
)

func teamSSHKey(t *testing.T, comment string) (public string, private []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spub, _ := ssh.NewPublicKey(pub)
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spub))) + " " + comment, pem.EncodeToMemory(block)
}

// dirBytes is every file of a folder, to prove a refusal changed nothing.
func dirBytes(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameDir(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: files changed: %d → %d", what, len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s: %s changed", what, k)
		}
	}
}

func TestTeamVaultCLI(t *testing.T) {
	c := newVaultCLI(t)
	c.ok(apiSecret+"\n", "set", "service_api.client_secret", "-")
	alice, _ := age.GenerateX25519Identity()
	bobPub, bobPriv := teamSSHKey(t, "bob@laptop")
	aliceFile := filepath.Join(c.dir, "alice-key.txt")
	writeFile(t, aliceFile, alice.String()+"\n", 0o600)
	bobFile := filepath.Join(c.dir, "id_ed25519")
	writeFile(t, bobFile, string(bobPriv), 0o600)
	keysFile := filepath.Join(c.dir, "bob.keys") // as github.com/bob.keys serves it
	writeFile(t, keysFile, bobPub+"\n", 0o644)

	_, errs := c.ok("", "recipients", "add", alice.Recipient().String(), keysFile)
	if !strings.Contains(errs, "added: SHA256:") || !strings.Contains(errs, "re-encrypted to 3 recipients") {
		t.Fatalf("add: %s", errs)
	}
	out, _ := c.ok("", "recipients", "list")
	if strings.Count(out, "\n") != 3 || !strings.Contains(out, "bob@laptop") || !strings.Contains(out, "identity.age") {
		t.Fatalf("list:\n%s", out)
	}
	status, _ := c.ok("", "status")
	if !strings.Contains(status, "Opens for 3: identity.age (age1") || !strings.Contains(status, "bob@laptop (SHA256:") {
		t.Errorf("status does not say who opens the vault:\n%s", status)
	}

	// Each operator with their own key, no passphrase: the flag and the variable.
	delete(c.env, "GLOBUS_SETUP_PASSPHRASE_FILE")
	if got, _ := c.ok("", "--identity", aliceFile, "get", "service_api.client_secret"); strings.TrimSpace(got) != apiSecret {
		t.Errorf("alice read %q", got)
	}
	c.env[vault.EnvIdentity] = bobFile
	if got, _ := c.ok("", "get", "service_api.client_secret"); strings.TrimSpace(got) != apiSecret {
		t.Errorf("bob read %q", got)
	}
	bobID, _ := agessh.ParseIdentity(bobPriv)
	f, _ := os.Open(c.paths.Vault)
	if _, err := age.Decrypt(f, bobID); err != nil {
		t.Errorf("stock age with bob's SSH key: %v", err)
	}
	f.Close()

	// Alice removes bob; he is told nothing opens for him any more.
	delete(c.env, vault.EnvIdentity)
	_, errs = c.ok("", "--identity", aliceFile, "recipients", "remove", "bob@laptop")
	for _, want := range []string{"removed: SHA256:", "may keep a copy", "globus-setup rotate service_api", "globus-setup rotate service_account"} {
		if !strings.Contains(errs, want) {
			t.Errorf("remove does not say %q:\n%s", want, errs)
		}
	}
	msg := c.fails("", "--identity", bobFile, "get", "service_api.client_secret")
	if !strings.Contains(msg, "not one of the vault's recipients") || !strings.Contains(msg, "recipients add 'ssh-ed25519 ") {
		t.Errorf("bob after removal: %s", msg)
	}
	f, _ = os.Open(c.paths.Vault)
	if _, err := age.Decrypt(f, bobID); err == nil {
		t.Error("stock age still opens the vault with the removed SSH key")
	}
	f.Close()
}

func TestTeamBadInputChangesNothing(t *testing.T) {
	c := newVaultCLI(t)
	alice, _ := age.GenerateX25519Identity()
	c.ok("", "recipients", "add", alice.Recipient().String())
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPub, _ := ssh.NewPublicKey(&ecKey.PublicKey)
	ecLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ecPub)))
	stranger, _ := age.GenerateX25519Identity()
	strangerFile := filepath.Join(c.dir, "stranger.txt")
	writeFile(t, strangerFile, stranger.String(), 0o600)
	aliceFile := filepath.Join(c.dir, "alice.txt")
	writeFile(t, aliceFile, alice.String(), 0o600)

	before := dirBytes(t, c.paths.Dir)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"recipients", "add", "not-a-key"}, "not a public key"},
		{[]string{"recipients", "add", stranger.String()}, "that is a private key"},
		{[]string{"recipients", "add", ecLine}, "SSH key type not supported by age (this one is ecdsa-sha2-nistp256)"},
		{[]string{"recipients", "remove", "nobody"}, "no such recipient"},
		{[]string{"recipients", "remove", c.readIdentityRecipient(t)}, "the key this session unlocked the vault with"},
		{[]string{"--identity", strangerFile, "status"}, "not one of the vault's recipients"},
		{[]string{"--profile", "a/b", "status"}, `bad profile name "a/b"`},
		{[]string{"--profile", "..", "status"}, "bad profile name"},
	} {
		msg := c.fails("", tc.args...)
		if !strings.Contains(msg, tc.want) {
			t.Errorf("%q: want %q in\n%s", tc.args, tc.want, msg)
		}
		if strings.Contains(msg, stranger.String()) {
			t.Errorf("%q: the error quotes a private key", tc.args)
		}
		sameDir(t, strings.Join(tc.args, " "), before, dirBytes(t, c.paths.Dir))
	}
	// The last recipient cannot go.
	c.ok("", "--identity", aliceFile, "recipients", "remove", "identity.age")
	before = dirBytes(t, c.paths.Dir)
	// alice is now alone; removing her is refused (she is also the
	// unlocking key, so go through the passphrase-less check order: last
	// recipient first).
	msg := c.fails("", "--identity", aliceFile, "recipients", "remove", alice.Recipient().String())
	if !strings.Contains(msg, "last recipient") {
		t.Errorf("last recipient: %s", msg)
	}
	sameDir(t, "remove last", before, dirBytes(t, c.paths.Dir))
}

// readIdentityRecipient is identity.age's public key, from recipients.txt.
func (c *vcli) readIdentityRecipient(t *testing.T) string {
	rs, _, err := vault.ReadRecipients(c.paths)
	if err != nil || len(rs) == 0 {
		t.Fatal(err)
	}
	return rs[0].Line
}

func TestProfilesCLI(t *testing.T) {
	c := newVCLI(t)
	for k := range c.env { // the environments recorded are Globus's own, not the emulator's
		if strings.HasPrefix(k, "GLOBUS_SDK_SERVICE_URL_") {
			delete(c.env, k)
		}
	}
	c.env["XDG_CONFIG_HOME"] = filepath.Join(c.dir, "config")
	c.env["HOME"] = c.dir
	c.ok("", "init")
	c.env["GLOBUS_SDK_ENVIRONMENT"] = "preview"
	c.ok("", "--profile", "staging", "init") // records preview
	delete(c.env, "GLOBUS_SDK_ENVIRONMENT")
	c.env[vault.EnvProfile] = "preview-gw"
	c.ok("", "init")
	staging := filepath.Join(c.dir, "config", "globus-setup", "profiles", "staging", "vault.age")
	if _, err := os.Stat(staging); err != nil {
		t.Fatalf("the staging profile's vault is not where documented: %v", err)
	}
	if env, _ := vault.RecordedEnvironment(vault.PathsFor(staging)); env != "preview" {
		t.Fatalf("recorded environment %q", env)
	}
	out, _ := c.ok("", "profiles")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "PROFILE") || !strings.Contains(out, "* preview-gw") ||
		!strings.Contains(lines[3], "staging") || !strings.Contains(lines[3], "preview") {
		t.Fatalf("profiles:\n%s", out)
	}
	// The vault recorded for preview refuses production before any call.
	delete(c.env, vault.EnvProfile)
	before := dirBytes(t, filepath.Dir(staging))
	msg := c.fails("", "--profile", "staging", "verify")
	if !strings.Contains(msg, "set up against Globus's preview environment") || !strings.Contains(msg, "GLOBUS_SDK_ENVIRONMENT=preview") {
		t.Errorf("mismatch: %s", msg)
	}
	sameDir(t, "mismatch", before, dirBytes(t, filepath.Dir(staging)))
	if msg := c.fails("", "--profile", "staging", "--vault", c.paths.Vault, "status"); !strings.Contains(msg, "give one") {
		t.Errorf("--vault with --profile: %s", msg)
	}
}
