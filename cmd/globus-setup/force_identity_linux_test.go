package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/globus-setup/globus-setup/vault"
)

// openPTY returns the master side of a new pseudo-terminal and a func opening
// its slave side (the prompt closes the terminal after each question).
func openPTY(t *testing.T) (*os.File, func() (*os.File, error)) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("/dev/pts/%d", n)
	return m, func() (*os.File, error) { return os.OpenFile(name, os.O_RDWR|syscall.O_NOCTTY, 0) }
}

// With identity.age damaged, --force starts a new vault with the passphrase
// typed: a typo there would lock the operator out of it, so it is asked twice
// and a mismatch creates nothing.
func TestForceOnDamagedIdentityConfirmsNewPassphrase(t *testing.T) {
	c := newVaultCLI(t)
	delete(c.env, "GLOBUS_SETUP_PASSPHRASE_FILE")
	master, slave := openPTY(t)
	c.tty = slave
	writeFile(t, c.paths.Identity, "damaged", 0o600)
	before := c.snapshot()

	// The unlock's own question, then the new passphrase twice, mistyped.
	if _, err := master.WriteString(vcPass + "\nnew passphrase one\nnew passphrase 0ne\n"); err != nil {
		t.Fatal(err)
	}
	errs := c.fails("", "--force", "status")
	if !strings.Contains(errs, "differ") {
		t.Errorf("mismatched new passphrases said %q", errs)
	}
	c.assertUnchanged(before, "mismatched new passphrases")

	if _, err := master.WriteString(vcPass + "\nnew passphrase one\nnew passphrase one\n"); err != nil {
		t.Fatal(err)
	}
	c.ok("", "--force", "status")
	if kept, _ := filepath.Glob(c.paths.Identity + ".damaged-*"); len(kept) != 1 {
		t.Fatalf("damaged identity kept as %v", kept)
	}
	if _, err := vault.Open(c.paths, []byte("new passphrase one"), vault.Options{}); err != nil {
		t.Fatalf("the new vault does not open with the confirmed passphrase: %v", err)
	}
}
