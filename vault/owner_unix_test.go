//go:build unix

package vault

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"filippo.io/age"
)

const otherUID, otherGID = 4242, 4243

func ownerOf(t *testing.T, path string) (int, int) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid)
}

func wantOwner(t *testing.T, path string) {
	t.Helper()
	if uid, gid := ownerOf(t, path); uid != otherUID || gid != otherGID {
		t.Errorf("%s is owned by %d:%d, want %d:%d, the vault's owner", filepath.Base(path), uid, gid, otherUID, otherGID)
	}
}

// giveVault hands a vault's folder and files to another user, as a vault
// of someone else's that root then saves.
func giveVault(t *testing.T, p Paths) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("giving files to another user needs root")
	}
	for _, f := range []string{p.Dir, p.Vault, p.Identity, p.Lock} {
		if err := os.Chown(f, otherUID, otherGID); err != nil {
			t.Fatal(err)
		}
	}
}

// A save by root keeps vault.age its owner's; recipients.txt, new to the
// folder, and a lock made afresh become the vault's owner's too.
func TestSavesKeepTheVaultsOwner(t *testing.T) {
	v, p := newTestVault(t)
	giveVault(t, p)
	if err := v.Set("project.name", "Gateway"); err != nil {
		t.Fatal(err)
	}
	wantOwner(t, p.Vault)
	if err := os.Remove(p.Lock); err != nil {
		t.Fatal(err)
	}
	other, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseRecipient(other.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddRecipients([]Recipient{r}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{p.Vault, p.RecipientsFile(), p.Lock} {
		wantOwner(t, f)
	}
	if err := v.Set("project.name", "Gateway 2"); err != nil {
		t.Fatal(err)
	}
	wantOwner(t, p.RecipientsFile())
}

// A repair keeps the damaged file aside with its owner, and the fresh
// vault.age (and, with identity.age damaged too, the new identity) is the
// vault's owner's, not root's.
func TestRepairKeepsTheVaultsOwner(t *testing.T) {
	_, p := newTestVault(t)
	giveVault(t, p)
	if err := os.WriteFile(p.Vault, []byte("damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(p.Vault, otherUID, otherGID); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenForce(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	wantOwner(t, p.Vault)
	aside, _ := filepath.Glob(p.Vault + ".damaged-*")
	if len(aside) != 1 {
		t.Fatalf("kept aside: %v", aside)
	}
	wantOwner(t, aside[0])

	if err := os.WriteFile(p.Identity, []byte("damaged too"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenForce(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	wantOwner(t, p.Identity) // from the folder: both files were kept aside
	wantOwner(t, p.Vault)
}

// LockFile (the apply lock beside the vault) makes a new lock the vault's
// owner's, so a lock root took first never locks its owner out.
func TestNewLockFileGetsTheVaultsOwner(t *testing.T) {
	_, p := newTestVault(t)
	giveVault(t, p)
	path := filepath.Join(p.Dir, "apply.lock")
	release, ok, err := LockFile(path, -1)
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	release()
	wantOwner(t, path)
}
