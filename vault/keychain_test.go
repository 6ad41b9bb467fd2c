package vault

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

func TestOnlyOSBackends(t *testing.T) {
	for _, b := range osBackends {
		if b == keyring.FileBackend || b == keyring.PassBackend {
			t.Fatalf("backend %s enabled", b)
		}
	}
	want := []keyring.BackendType{keyring.KeychainBackend, keyring.SecretServiceBackend, keyring.WinCredBackend, keyring.KeyCtlBackend}
	if !slices.Equal(osBackends, want) {
		t.Fatalf("backends %v", osBackends)
	}
}

func TestKeychainRoundTrip(t *testing.T) {
	v, p := newTestVault(t)
	kr := keyring.NewArrayKeyring(nil)
	withTestKeyring(t, kr, nil)
	if !KeychainAvailable() {
		t.Fatal("not available")
	}
	if _, ok, err := IdentityFromKeychain(p); ok || err != nil {
		t.Fatalf("before remember: %v %v", ok, err)
	}
	if err := v.RememberInKeychain(); err != nil {
		t.Fatal(err)
	}
	id, ok, err := IdentityFromKeychain(p)
	if !ok || err != nil || id != v.id.String() {
		t.Fatalf("got ok=%v err=%v", ok, err)
	}
	w, err := OpenWithIdentity(p, id, testOpts())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Set("k", "v"); err != nil {
		t.Fatal(err)
	}
	// Another vault has another entry.
	other := PathsFor(filepath.Join(t.TempDir(), "vault.age"))
	if keychainKey(other) == keychainKey(p) {
		t.Fatal("two vaults share a keychain entry")
	}
	if _, ok, _ := IdentityFromKeychain(other); ok {
		t.Fatal("identity found for another vault")
	}
	if err := ForgetKeychain(p); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := IdentityFromKeychain(p); ok {
		t.Fatal("still remembered")
	}
	if err := ForgetKeychain(p); err != nil {
		t.Fatalf("forgetting twice: %v", err)
	}
	keys, _ := kr.Keys()
	for _, k := range keys {
		if strings.Contains(k, p.Dir) {
			t.Fatalf("entry name %q leaks the path", k)
		}
	}
}

func TestKeychainKeyUsesAbsolutePath(t *testing.T) {
	rel := PathsFor("vault.age")
	rel.Vault = "vault.age" // as if built by hand
	abs, err := filepath.Abs("vault.age")
	if err != nil {
		t.Fatal(err)
	}
	if keychainKey(rel) != keychainKey(Paths{Vault: abs}) {
		t.Fatal("relative and absolute path give different entries")
	}
}

// blockingKeyring never answers, like a Secret Service stuck on D-Bus.
type blockingKeyring struct{ keyring.ArrayKeyring }

func (blockingKeyring) Get(string) (keyring.Item, error) { select {} }

func TestKeychainNeverHangs(t *testing.T) {
	oldOpen, oldOp := keychainOpenTimeout, keychainOpTimeout
	keychainOpenTimeout, keychainOpTimeout = 20*time.Millisecond, 20*time.Millisecond
	t.Cleanup(func() { keychainOpenTimeout, keychainOpTimeout = oldOpen, oldOp })
	_, p := newTestVault(t)

	t.Run("open blocks", func(t *testing.T) {
		old := openKeyring
		openKeyring = func() (keyring.Keyring, error) { select {} }
		t.Cleanup(func() { openKeyring = old })
		if KeychainAvailable() {
			t.Fatal("available")
		}
		if _, ok, err := IdentityFromKeychain(p); ok || err != nil {
			t.Fatalf("ok=%v err=%v", ok, err)
		}
		// Unlock goes on to the non-interactive error, naming the options.
		if _, err := Unlock(p, PassphraseSources{Getenv: envOf()}, testOpts()); !errors.Is(err, ErrNoPassphrase) {
			t.Fatalf("Unlock: %v", err)
		}
	})
	t.Run("no backend", func(t *testing.T) {
		withTestKeyring(t, nil, keyring.ErrNoAvailImpl)
		if KeychainAvailable() {
			t.Fatal("available")
		}
		if _, ok, err := IdentityFromKeychain(p); ok || err != nil {
			t.Fatalf("ok=%v err=%v", ok, err)
		}
		if err := ForgetKeychain(p); err != nil {
			t.Fatal(err)
		}
		v, err := Open(p, testPass, testOpts())
		if err != nil {
			t.Fatal(err)
		}
		if err := v.RememberInKeychain(); err == nil {
			t.Fatal("remember without a keychain succeeded")
		}
	})
	t.Run("get blocks", func(t *testing.T) {
		withTestKeyring(t, &blockingKeyring{}, nil)
		_, ok, err := IdentityFromKeychain(p)
		if ok || err == nil {
			t.Fatalf("ok=%v err=%v", ok, err)
		}
		// With a prompt, Unlock still gets there.
		var prompted bool
		if _, err := Unlock(p, PassphraseSources{Getenv: envOf(), Prompt: promptWith(&prompted, testPass)}, testOpts()); err != nil || !prompted {
			t.Fatalf("Unlock: %v prompted=%v", err, prompted)
		}
		if _, err := Unlock(p, PassphraseSources{Getenv: envOf()}, testOpts()); !errors.Is(err, ErrNoPassphrase) || !strings.Contains(err.Error(), "keychain") {
			t.Fatalf("Unlock without prompt: %v", err)
		}
	})
}
