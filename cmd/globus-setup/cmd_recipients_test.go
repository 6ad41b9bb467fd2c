package main

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/pem"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"golang.org/x/crypto/ssh"
)

// Adding keys the vault already has writes no file: nothing to commit.
func TestRecipientsAddPresentKeyChangesNothing(t *testing.T) {
	c := newVaultCLI(t)
	bobPub, _ := teamSSHKey(t, "bob@laptop")
	c.ok("", "recipients", "add", bobPub)
	time.Sleep(20 * time.Millisecond) // a rewrite would show in the times too
	before := dirStamps(t, c.paths.Dir)
	_, errs := c.ok("", "recipients", "add", bobPub)
	for _, want := range []string{"already a recipient: SHA256:", "bob@laptop", "nothing changed", "no file was written"} {
		if !strings.Contains(errs, want) {
			t.Errorf("%q not in:\n%s", want, errs)
		}
	}
	if strings.Contains(errs, "re-encrypted") || strings.Contains(errs, "commit") {
		t.Errorf("says it re-encrypted:\n%s", errs)
	}
	sameStamps(t, "add again", before, dirStamps(t, c.paths.Dir))
}

// The list shows each key whole, as it is copied into remove or compared
// with recipients.txt in a review.
func TestRecipientsListWholeKeys(t *testing.T) {
	c := newVaultCLI(t)
	alice, _ := age.GenerateX25519Identity()
	bobPub, _ := teamSSHKey(t, "bob@laptop")
	c.ok("", "recipients", "add", alice.Recipient().String()+" alice", bobPub)
	out, _ := c.ok("", "recipients", "list")
	pk, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(bobPub))
	for _, want := range []string{
		c.readIdentityRecipient(t) + "  # identity.age\n",
		alice.Recipient().String() + "  # alice\n",
		bobPub + "  # " + ssh.FingerprintSHA256(pk) + "\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "…") {
		t.Errorf("a key is cut short:\n%s", out)
	}
	// Each line, pasted whole, removes its key.
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, l := range lines[1:] {
		c.ok("", "recipients", "remove", l)
	}
	if out, _ := c.ok("", "recipients", "list"); strings.Count(out, "\n") != 1 {
		t.Errorf("after removing by the listed lines:\n%s", out)
	}
}

// An RSA key under 2048 bits opens nothing new: it is told it is too weak
// to add and what to use, not to ask for an add that would be refused.
func TestNotRecipientWeakRSAKey(t *testing.T) {
	c := newVaultCLI(t)
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Skipf("this Go refuses to make a 1024-bit RSA key: %v", err)
	}
	block, err := ssh.MarshalPrivateKey(k, "old@laptop")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(c.dir, "id_rsa")
	writeFile(t, keyFile, string(pem.EncodeToMemory(block)), 0o600)
	msg := c.fails("", "--identity", keyFile, "status")
	for _, want := range []string{"not one of the vault's recipients", "too weak to add", "ssh-rsa, 1024 bits", "ssh-keygen -t ed25519"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q not in:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, "recipients add 'ssh-rsa") {
		t.Errorf("suggests an add that is refused:\n%s", msg)
	}
}
