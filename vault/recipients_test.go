package vault

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// sshKey makes an ed25519 SSH key pair: the authorized_keys line and the
// OpenSSH private key file (protected when pass is not empty).
func sshKey(t *testing.T, comment, pass string) (public string, private []byte) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if pass == "" {
		block, err = ssh.MarshalPrivateKey(priv, comment)
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, comment, []byte(pass))
	}
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(spub))) + " " + comment
	return line, pem.EncodeToMemory(block)
}

// stockDecrypt is what `age -d -i KEY vault.age` does: the age library
// alone, no code of ours.
func stockDecrypt(t *testing.T, vaultFile string, ids ...age.Identity) (string, error) {
	t.Helper()
	f, err := os.Open(vaultFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := age.Decrypt(f, ids...)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(r)
	return string(b), err
}

func noPass(string) ([]byte, error) { return nil, errors.New("no passphrase expected") }

func TestTeamVaultEachRecipientDecrypts(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("service_api.client_secret", "team-s3cret"); err != nil {
		t.Fatal(err)
	}
	alice, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	bobPub, bobPriv := sshKey(t, "bob@laptop", "")
	rs, err := ParseRecipientArgs([]string{alice.Recipient().String(), bobPub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.AddRecipients(rs)
	if err != nil || len(res.Added) != 2 || len(res.Have) != 0 || !res.Saved {
		t.Fatalf("AddRecipients: %+v err %v", res, err)
	}
	list, err := v.Recipients()
	if err != nil || len(list) != 3 || list[0].Comment != "identity.age" {
		t.Fatalf("recipients after add: %+v %v", list, err)
	}

	// The stock library opens it with each identity: X25519, SSH, and the
	// key in identity.age that was there before.
	bobID, err := agessh.ParseIdentity(bobPriv)
	if err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]age.Identity{"x25519": alice, "ssh-ed25519": bobID, "identity.age": v.id} {
		plain, err := stockDecrypt(t, p.Vault, id)
		if err != nil || !strings.Contains(plain, "team-s3cret") {
			t.Errorf("%s: stock age did not decrypt the vault: %v", name, err)
		}
	}
	// And the stock tool reads recipients.txt as a recipients file: the
	// file parses back to the same three keys.
	again, err := ParseRecipientsFile("recipients.txt", mustRead(t, p.RecipientsFile()), nil)
	if err != nil || len(again) != 3 {
		t.Fatalf("recipients.txt read back: %d %v", len(again), err)
	}

	// Each operator unlocks with their own identity file.
	dir := t.TempDir()
	aliceFile := filepath.Join(dir, "alice.txt")
	mustWrite(t, aliceFile, []byte(alice.String()+"\n"), 0o600)
	bobFile := filepath.Join(dir, "id_ed25519")
	mustWrite(t, bobFile, bobPriv, 0o600)
	for _, f := range []string{aliceFile, bobFile} {
		id, err := LoadIdentity(f, noPass)
		if err != nil {
			t.Fatal(err)
		}
		w, err := OpenWith(p, id, testOpts())
		if err != nil {
			t.Fatalf("OpenWith %s: %v", f, err)
		}
		if s, _ := w.Get("service_api.client_secret"); s != "team-s3cret" {
			t.Errorf("%s read %q", f, s)
		}
	}

	// Bob writes with his SSH key: the vault stays encrypted to all three.
	bid, _ := LoadIdentity(bobFile, noPass)
	bv, err := OpenWith(p, bid, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := bv.Set("project.id", "from-bob"); err != nil {
		t.Fatal(err)
	}
	if plain, err := stockDecrypt(t, p.Vault, alice); err != nil || !strings.Contains(plain, "from-bob") {
		t.Fatalf("alice cannot read bob's save: %v", err)
	}

	// Removing bob re-encrypts without him.
	removed, err := v.RemoveRecipient("bob@laptop")
	if err != nil || removed.Type != "ssh-ed25519" {
		t.Fatalf("RemoveRecipient: %+v %v", removed, err)
	}
	var nm *age.NoIdentityMatchError
	if _, err := stockDecrypt(t, p.Vault, bobID); !errors.As(err, &nm) {
		t.Errorf("the removed recipient still decrypts the vault: %v", err)
	}
	if _, err := OpenWith(p, bid, testOpts()); !errors.Is(err, ErrNotRecipient) || !strings.Contains(err.Error(), "recipients add 'ssh-ed25519 ") {
		t.Errorf("removed recipient: want ErrNotRecipient naming the key to add, got %v", err)
	}
	if plain, err := stockDecrypt(t, p.Vault, alice); err != nil || !strings.Contains(plain, "from-bob") {
		t.Errorf("alice lost access on bob's removal: %v", err)
	}
}

func TestEncryptedSSHIdentity(t *testing.T) {
	v, p := newTestVault(t)
	pub, priv := sshKey(t, "carol", "key pass")
	rs, err := ParseRecipientArgs([]string{pub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "id_ed25519")
	mustWrite(t, f, priv, 0o600)
	asked := ""
	id, err := LoadIdentity(f, func(label string) ([]byte, error) { asked = label; return []byte("key pass"), nil })
	if err != nil || !strings.Contains(asked, f) {
		t.Fatalf("LoadIdentity: %v (asked %q)", err, asked)
	}
	if _, err := OpenWith(p, id, testOpts()); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadIdentity(f, func(string) ([]byte, error) { return []byte("wrong"), nil }); err == nil || !strings.Contains(err.Error(), "wrong passphrase") {
		t.Errorf("wrong SSH key passphrase: %v", err)
	}
}

// Every bad input is a specific error and leaves the folder byte-identical.
func TestRecipientsBadInputChangesNothing(t *testing.T) {
	v, p := newTestVault(t)
	alice, _ := age.GenerateX25519Identity()
	rs, _ := ParseRecipientArgs([]string{alice.Recipient().String()}, nil)
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPub, _ := ssh.NewPublicKey(&ecKey.PublicKey)
	ecLine := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(ecPub)))
	dir := t.TempDir()
	onlyEC := filepath.Join(dir, "ec.keys")
	mustWrite(t, onlyEC, []byte(ecLine+"\n"), 0o644)
	stranger := filepath.Join(dir, "stranger.txt")
	other, _ := age.GenerateX25519Identity()
	mustWrite(t, stranger, []byte(other.String()+"\n"), 0o600)
	pubFile := filepath.Join(dir, "id.pub")
	mustWrite(t, pubFile, []byte(alice.Recipient().String()+"\n"), 0o600)

	before := snapshot(t, p.Dir)
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"not a key", func() error { _, err := ParseRecipientArgs([]string{"hello"}, nil); return err }, ErrNotPublicKey},
		{"private key", func() error { _, err := ParseRecipientArgs([]string{other.String()}, nil); return err }, ErrNotPublicKey},
		{"ecdsa", func() error { _, err := ParseRecipientArgs([]string{ecLine}, nil); return err }, ErrUnsupportedKey},
		{"file with no usable key", func() error { _, err := ParseRecipientArgs([]string{onlyEC}, nil); return err }, ErrNotPublicKey},
		{"unknown", func() error { _, err := v.RemoveRecipient("SHA256:nope"); return err }, ErrUnknownRecipient},
		{"self", func() error { _, err := v.RemoveRecipient(v.id.Recipient().String()); return err }, ErrRemoveSelf},
		{"opens nothing", func() error {
			id, err := LoadIdentity(stranger, noPass)
			if err != nil {
				return err
			}
			_, err = OpenWith(p, id, testOpts())
			return err
		}, ErrNotRecipient},
		{"public key as identity", func() error { _, err := LoadIdentity(pubFile, noPass); return err }, nil},
	}
	for _, c := range cases {
		err := c.run()
		if err == nil || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
		if strings.Contains(fmtErr(err), other.String()) {
			t.Errorf("%s: the error quotes a private key", c.name)
		}
		assertUnchanged(t, before, snapshot(t, p.Dir))
	}

	// The last recipient: alice opens a vault that lists only her.
	if _, err := v.RemoveRecipient(v.id.Recipient().String()); !errors.Is(err, ErrRemoveSelf) {
		t.Fatal(err)
	}
	af := filepath.Join(dir, "alice.txt")
	mustWrite(t, af, []byte(alice.String()), 0o600)
	aid, _ := LoadIdentity(af, noPass)
	av, err := OpenWith(p, aid, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := av.RemoveRecipient(v.id.Recipient().String()); err != nil {
		t.Fatal(err)
	}
	before = snapshot(t, p.Dir)
	if _, err := av.RemoveRecipient(alice.Recipient().String()); !errors.Is(err, ErrLastRecipient) {
		t.Errorf("last recipient: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A file of keys as GitHub serves them: unsupported types are skipped with
// a warning, as age does.
func TestAuthorizedKeysFile(t *testing.T) {
	pub, _ := sshKey(t, "dave@work", "")
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPub, _ := ssh.NewPublicKey(&ecKey.PublicKey)
	text := "# dave's keys\n" + `no-pty,command="echo" ` + pub + "\n" + string(ssh.MarshalAuthorizedKey(ecPub))
	f := filepath.Join(t.TempDir(), "dave.keys")
	mustWrite(t, f, []byte(text), 0o644)
	var warned []string
	rs, err := ParseRecipientArgs([]string{f}, func(s string) { warned = append(warned, s) })
	if err != nil || len(rs) != 1 || rs[0].Comment != "dave@work" || strings.Contains(rs[0].Line, "no-pty") {
		t.Fatalf("authorized_keys: %+v %v", rs, err)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], "ecdsa") {
		t.Errorf("warnings: %q", warned)
	}
}

// Another operator's copy arriving by a pull is not overwritten; another
// globus-setup on the same copy is still merged.
func TestChangedOnDiskByAnotherOperator(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("project.id", "mine"); err != nil {
		t.Fatal(err)
	}
	// The other operator's clone: the same files at another path.
	q := PathsFor(filepath.Join(t.TempDir(), "clone", "vault.age"))
	if err := os.MkdirAll(q.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, q.Identity, mustRead(t, p.Identity), 0o600)
	mustWrite(t, q.Vault, mustRead(t, p.Vault), 0o600)
	w, err := Open(q, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Set("project.id", "theirs"); err != nil {
		t.Fatal(err)
	}
	// git pull: their vault.age replaces ours.
	pulled := mustRead(t, q.Vault)
	mustWrite(t, p.Vault, pulled, 0o600)
	err = v.Set("service_api.client_id", "x")
	if !errors.Is(err, ErrChangedOnDisk) || !strings.Contains(err.Error(), q.Vault) {
		t.Fatalf("want ErrChangedOnDisk naming the writer, got %v", err)
	}
	t.Log(err)
	if !bytes.Equal(mustRead(t, p.Vault), pulled) {
		t.Fatal("the pulled vault was overwritten")
	}
	// Opened again, it works from their version.
	v2, err := Open(p, testPass, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := v2.Set("service_api.client_id", "x"); err != nil {
		t.Fatal(err)
	}
	if s, _ := v2.Get("project.id"); s != "theirs" {
		t.Errorf("project.id = %q", s)
	}
}

func TestProfileNames(t *testing.T) {
	for _, bad := range []string{"", "a/b", "..", ".hidden", "a\\b", "x y", "a..b", strings.Repeat("a", 65), "-x"} {
		if err := CheckProfileName(bad); !errors.Is(err, ErrBadProfileName) {
			t.Errorf("%q accepted", bad)
		}
	}
	for _, good := range []string{"staging", "prod-1", "preview_gw", "a.b"} {
		if err := CheckProfileName(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	p := newTestPaths(t)
	if err := CheckEnvironment(p, ""); err != nil {
		t.Fatal(err)
	}
	if err := CheckEnvironment(p, "production"); err != nil {
		t.Errorf("same environment refused: %v", err)
	}
	if err := CheckEnvironment(p, "preview"); !errors.Is(err, ErrEnvironmentMismatch) {
		t.Errorf("preview against a production vault: %v", err)
	}
}

// An age key's label survives the round trip through recipients.txt, and
// the file's own header is nobody's label.
func TestAgeKeyLabel(t *testing.T) {
	v, p := newTestVault(t)
	a, _ := age.GenerateX25519Identity()
	b, _ := age.GenerateX25519Identity()
	rs, err := ParseRecipientArgs([]string{a.Recipient().String() + " alice", b.Recipient().String()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	if _, err := v.RemoveRecipient("identity.age"); !errors.Is(err, ErrRemoveSelf) {
		t.Fatal(err)
	}
	got, _, err := ReadRecipients(p)
	if err != nil || len(got) != 3 || got[1].Comment != "alice" || got[2].Comment != "" || got[0].Comment != "identity.age" {
		t.Fatalf("%+v %v", got, err)
	}
	// With the first key unlabelled, the header is still not its label.
	text := recipientsText(got[2:])
	again, err := ParseRecipientsFile("r", text, nil)
	if err != nil || again[0].Comment != "" {
		t.Fatalf("header taken as a label: %+v %v", again, err)
	}
}

// --identity may name a passphrase-encrypted identity (a copy of one's
// identity.age); a file that is not an identity is told apart.
func TestLoadIdentityKinds(t *testing.T) {
	v, p := newTestVault(t)
	id, err := LoadIdentity(p.Identity, func(string) ([]byte, error) { return testPass, nil })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenWith(p, id, testOpts()); err != nil {
		t.Fatal(err)
	}
	if id.Public != v.id.Recipient().String() {
		t.Errorf("public key %q", id.Public)
	}
	_, err = LoadIdentity(p.Vault, func(string) ([]byte, error) { return testPass, nil })
	if err == nil || !strings.Contains(err.Error(), "not an identity file") || strings.Contains(err.Error(), "--force") {
		t.Errorf("vault.age as an identity: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	mustWrite(t, junk, []byte("hello\n"), 0o600)
	if _, err := LoadIdentity(junk, noPass); err == nil || !strings.Contains(err.Error(), "neither an age identity file") {
		t.Errorf("junk: %v", err)
	}
}

// A key slipped into recipients.txt by hand (or by a pull that did not
// bring the vault re-encrypted for it) is not encrypted to by a save; the
// add command accepts the file once it is checked.
func TestHandEditedRecipientsRefused(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("service_api.client_secret", "s3cret"); err != nil {
		t.Fatal(err)
	}
	alice, _ := age.GenerateX25519Identity()
	rs, _ := ParseRecipientArgs([]string{alice.Recipient().String() + " alice"}, nil)
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	mallory, _ := age.GenerateX25519Identity()
	f, err := os.OpenFile(p.RecipientsFile(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(mallory.Recipient().String() + "\n")
	f.Close()
	before := snapshot(t, p.Dir)
	if err := v.Set("project.id", "x"); !errors.Is(err, ErrRecipientsChanged) || !strings.Contains(err.Error(), "1 key(s) more") {
		t.Fatalf("save after a hand edit: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
	if _, err := stockDecrypt(t, p.Vault, mallory); err == nil {
		t.Fatal("the hand-added key opens the vault")
	}
	// Checked and accepted: add the file itself.
	all, err := ParseRecipientArgs([]string{p.RecipientsFile()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := v.AddRecipients(all); err != nil || len(res.Added) != 0 || !res.Saved {
		t.Fatalf("accept: %+v %v", res, err)
	}
	if err := v.Set("project.id", "x"); err != nil {
		t.Fatal(err)
	}
	if _, err := stockDecrypt(t, p.Vault, mallory); err != nil {
		t.Fatalf("the accepted key: %v", err)
	}
}
