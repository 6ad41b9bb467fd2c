package vault

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"
)

// Adding keys the vault already has writes nothing: no re-encryption, no
// commit for nothing. Bytes and times of every file stay as they were.
func TestAddExistingRecipientChangesNoFile(t *testing.T) {
	v, p := newTestVault(t)
	bobPub, _ := sshKey(t, "bob@laptop", "")
	rs, err := ParseRecipientArgs([]string{bobPub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := v.AddRecipients(rs); err != nil || !res.Saved {
		t.Fatalf("first add: %+v %v", res, err)
	}
	time.Sleep(20 * time.Millisecond) // so a rewrite would show in the times too
	before := snapshot(t, p.Dir)
	again, err := ParseRecipientArgs([]string{bobPub, p.RecipientsFile()}, nil) // bob, and the whole list
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.AddRecipients(again)
	if err != nil || res.Saved || len(res.Added) != 0 || len(res.Have) != 2 {
		t.Fatalf("adding present keys: %+v %v", res, err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))

	// A vault for one: its own key is already its recipient, and no
	// recipients.txt appears for it.
	solo, sp := newTestVault(t)
	before = snapshot(t, sp.Dir)
	own := []Recipient{{Line: solo.id.Recipient().String(), Type: "age", r: solo.id.Recipient(), key: solo.id.Recipient().String()}}
	if res, err := solo.AddRecipients(own); err != nil || res.Saved {
		t.Fatalf("adding the vault's own key: %+v %v", res, err)
	}
	assertUnchanged(t, before, snapshot(t, sp.Dir))
}

// An add cut short after recipients.txt was written still finishes on a
// re-run, though every key is then a recipient already.
func TestAddExistingRecipientFinishesCutShortAdd(t *testing.T) {
	v, p := newTestVault(t)
	alice, _ := age.GenerateX25519Identity()
	rs, _ := ParseRecipientArgs([]string{alice.Recipient().String()}, nil)
	// The first half of an add: recipients.txt lists alice, vault.age is
	// not encrypted to her yet.
	cur, err := v.Recipients()
	if err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(p, p.RecipientsFile(), recipientsText(append(cur, rs...))); err != nil {
		t.Fatal(err)
	}
	res, err := v.AddRecipients(rs)
	if err != nil || !res.Saved || len(res.Have) != 1 {
		t.Fatalf("re-run: %+v %v", res, err)
	}
	if _, err := stockDecrypt(t, p.Vault, alice); err != nil {
		t.Fatalf("the re-run did not encrypt to alice: %v", err)
	}
}

// Whole is the key entire, what `recipients remove` takes back.
func TestRecipientWhole(t *testing.T) {
	v, _ := newTestVault(t)
	alice, _ := age.GenerateX25519Identity()
	bobPub, _ := sshKey(t, "bob@laptop", "")
	rs, err := ParseRecipientArgs([]string{alice.Recipient().String() + " alice", bobPub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	list, err := v.Recipients()
	if err != nil || len(list) != 3 {
		t.Fatal(list, err)
	}
	pk, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(bobPub))
	want := map[string]string{
		"identity.age": v.id.Recipient().String() + "  # identity.age",
		"alice":        alice.Recipient().String() + "  # alice",
		"bob@laptop":   bobPub + "  # " + ssh.FingerprintSHA256(pk),
	}
	for _, r := range list {
		if got := r.Whole(); got != want[r.Comment] {
			t.Errorf("%s: Whole() = %q, want %q", r.Comment, got, want[r.Comment])
		}
	}
	// Pasted whole into remove, each line names its key.
	for _, r := range list[1:] {
		removed, err := v.RemoveRecipient(r.Whole())
		if err != nil || removed.key != r.key {
			t.Errorf("remove %q: %v", r.Whole(), err)
		}
	}
}

// weakRSAIdentity is an SSH RSA key under 2048 bits: age opens files with
// it, but never encrypts to it.
func weakRSAIdentity(t *testing.T) *Identity {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Skipf("this Go refuses to make a 1024-bit RSA key: %v", err)
	}
	block, err := ssh.MarshalPrivateKey(k, "old@laptop")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_rsa")
	mustWrite(t, file, pem.EncodeToMemory(block), 0o600)
	id, err := LoadIdentity(file, noPass)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// A key too weak to add is not told to ask for an add that would be
// refused: it is told it is too weak, and what to use.
func TestNotRecipientWeakKey(t *testing.T) {
	_, p := newTestVault(t)
	id := weakRSAIdentity(t)
	if _, err := ParseRecipient(id.Public); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("recipients add takes the weak key: %v", err)
	}
	before := snapshot(t, p.Dir)
	_, err := OpenWith(p, id, testOpts())
	if !errors.Is(err, ErrNotRecipient) {
		t.Fatalf("want ErrNotRecipient, got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"too weak to add", "ssh-rsa, 1024 bits", "2048 bits or more", "ssh-keygen -t ed25519"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "recipients add '") || strings.Contains(msg, id.Public) {
		t.Errorf("the message still suggests adding the weak key:\n%s", msg)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))

	// A key that can be added is still given to ask for.
	pub, priv := sshKey(t, "new@laptop", "")
	file := filepath.Join(t.TempDir(), "id_ed25519")
	mustWrite(t, file, priv, 0o600)
	good, err := LoadIdentity(file, noPass)
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenWith(p, good, testOpts())
	key, _, _ := strings.Cut(pub, " new@laptop")
	if err == nil || !strings.Contains(err.Error(), "recipients add '"+key+"'") {
		t.Errorf("a good key: %v", err)
	}
}
