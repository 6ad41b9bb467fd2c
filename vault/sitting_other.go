//go:build !linux

package vault

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/99designs/keyring"
)

// keychainSittings keeps sittings in the OS keychain (macOS Keychain,
// Windows Credential Manager), which has no expiry of its own: the entry
// holds its end, and readEntry refuses it from then on.
type keychainSittings struct{ ns string }

func newOSSittingStore(ns string) SittingStore { return keychainSittings{ns} }

func (keychainSittings) Where() string { return "the OS keychain" }

func (keychainSittings) Check() error {
	return keychainSittingError(withKeyring(func(keyring.Keyring) error { return nil }))
}

func (k keychainSittings) Put(name string, data []byte, _ time.Duration) error {
	item := keyring.Item{
		Key:                       k.ns + name,
		Data:                      bytes.Clone(data),
		Label:                     "globus-setup sitting",
		Description:               "an unlocked vault key, until the time it holds (globus-setup lock ends it)",
		KeychainNotSynchronizable: true,
	}
	return keychainSittingError(withKeyring(func(kr keyring.Keyring) error { return kr.Set(item) }))
}

func (k keychainSittings) Get(name string) ([]byte, error) {
	var item keyring.Item
	err := withKeyring(func(kr keyring.Keyring) error {
		var gerr error
		item, gerr = kr.Get(k.ns + name)
		return gerr
	})
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return nil, ErrNoSitting
	}
	if err != nil {
		return nil, keychainSittingError(err)
	}
	return bytes.Clone(item.Data), nil // some backends hand back their own storage
}

func (k keychainSittings) Remove(name string) (bool, error) {
	err := withKeyring(func(kr keyring.Keyring) error { return kr.Remove(k.ns + name) })
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, keychainSittingError(err)
	}
	return true, nil
}

func (k keychainSittings) Names() ([]string, error) {
	var keys []string
	err := withKeyring(func(kr keyring.Keyring) error {
		var kerr error
		keys, kerr = kr.Keys()
		return kerr
	})
	if err != nil {
		return nil, keychainSittingError(err)
	}
	var names []string
	for _, key := range keys {
		if n, ok := strings.CutPrefix(key, k.ns); ok {
			names = append(names, n)
		}
	}
	return names, nil
}

func keychainSittingError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errKeychainUnavailable):
		return fmt.Errorf("%w: %v", ErrSittingUnavailable, err)
	}
	return fmt.Errorf("the OS keychain: %w", err)
}
