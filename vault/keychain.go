package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/99designs/keyring"
)

// KeychainService is the service name of our keychain entries.
const KeychainService = "globus-setup"

// osBackends are the only keyring backends we use: real OS keychains. Never
// FileBackend or PassBackend (see the package doc); KWallet is left out too.
var osBackends = []keyring.BackendType{
	keyring.KeychainBackend,
	keyring.SecretServiceBackend,
	keyring.WinCredBackend,
	keyring.KeyCtlBackend,
}

// openKeyring opens the OS keychain; tests replace it with an ArrayKeyring.
var openKeyring = func() (keyring.Keyring, error) {
	return keyring.Open(keyring.Config{
		ServiceName:     KeychainService,
		AllowedBackends: osBackends,
		// macOS: no iCloud sync; readable only while the login keychain is unlocked.
		KeychainSynchronizable:         false,
		KeychainAccessibleWhenUnlocked: true,
		KeychainTrustApplication:       true,
		// Secret Service: the default "login" collection; a collection of our
		// own would make the desktop ask for a new keyring password.
		LibSecretCollectionName: "login",
		// Kernel keyring: the per-user keyring (cleared at reboot).
		KeyCtlScope: "user",
	})
}

// Bounds on keychain calls. Opening can block on D-Bus (a Secret Service that
// never answers), so it gets a short bound; a get or set may wait for the
// operator to unlock the keychain in a desktop prompt, so it gets a long one.
// A call that times out is left running in its goroutine: keyring offers no
// way to cancel it.
var (
	keychainOpenTimeout = 3 * time.Second
	keychainOpTimeout   = 60 * time.Second
)

var errKeychainUnavailable = errors.New("no OS keychain available")

// withKeyring opens the keychain and runs fn, each bounded in time.
func withKeyring(fn func(keyring.Keyring) error) error {
	type opened struct {
		kr  keyring.Keyring
		err error
	}
	oc := make(chan opened, 1)
	open, openTimeout, opTimeout := openKeyring, keychainOpenTimeout, keychainOpTimeout
	go func() {
		kr, err := open()
		oc <- opened{kr, err}
	}()
	var kr keyring.Keyring
	select {
	case o := <-oc:
		if o.err != nil {
			return fmt.Errorf("%w: %v", errKeychainUnavailable, o.err)
		}
		kr = o.kr
	case <-time.After(openTimeout):
		return fmt.Errorf("%w: it did not answer within %s", errKeychainUnavailable, openTimeout)
	}
	done := make(chan error, 1)
	go func() { done <- fn(kr) }()
	select {
	case err := <-done:
		return err
	case <-time.After(opTimeout):
		return fmt.Errorf("the OS keychain did not answer within %s", opTimeout)
	}
}

// KeychainAvailable reports whether an OS keychain can be opened here, within
// a few seconds at most (false, never a hang, when there is none).
func KeychainAvailable() bool {
	return withKeyring(func(keyring.Keyring) error { return nil }) == nil
}

// keychainKey names the entry of one vault: derived from its absolute path, so
// two vaults have two entries; hashed, so the name is short and safe for
// every backend.
func keychainKey(p Paths) string {
	path := p.Vault
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	sum := sha256.Sum256([]byte(filepath.Clean(path)))
	return "vault-identity-" + hex.EncodeToString(sum[:16])
}

// RememberInKeychain stores the unlocked identity in the OS keychain, so the
// next unlock needs no passphrase.
func (v *Vault) RememberInKeychain() error {
	if v.id == nil {
		return errors.New("only the vault's own identity.age key can be remembered; this vault was opened with --identity")
	}
	item := keyring.Item{
		Key:                       keychainKey(v.paths),
		Data:                      []byte(v.id.String()),
		Label:                     "globus-setup vault identity",
		Description:               "age identity that unlocks " + v.paths.Vault,
		KeychainNotSynchronizable: true,
	}
	err := withKeyring(func(kr keyring.Keyring) error { return kr.Set(item) })
	if err != nil {
		return fmt.Errorf("remembering the vault identity in the OS keychain: %w", err)
	}
	return nil
}

// ForgetKeychain removes the vault's identity from the OS keychain; nothing to
// forget (or no keychain at all) is not an error.
func ForgetKeychain(p Paths) error {
	err := withKeyring(func(kr keyring.Keyring) error { return kr.Remove(keychainKey(p)) })
	if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, errKeychainUnavailable) {
		return nil
	}
	return fmt.Errorf("forgetting the vault identity in the OS keychain: %w", err)
}

// IdentityFromKeychain returns the remembered identity for the vault. ok is
// false, with no error, when nothing is remembered or there is no keychain.
func IdentityFromKeychain(p Paths) (identity string, ok bool, err error) {
	var item keyring.Item
	err = withKeyring(func(kr keyring.Keyring) error {
		var gerr error
		item, gerr = kr.Get(keychainKey(p))
		return gerr
	})
	switch {
	case errors.Is(err, keyring.ErrKeyNotFound), errors.Is(err, errKeychainUnavailable):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("reading the OS keychain: %w", err)
	}
	identity = string(item.Data) // not zeroed: some backends hand back their own storage
	return identity, identity != "", nil
}
