//go:build !linux

package vault

import "testing"

// kernelTestStore: no kernel keyring off Linux, and the tests leave the
// operator's real keychain alone; the memory store stands in.
func kernelTestStore(t testing.TB) SittingStore {
	t.Log("not Linux: the sitting tests run on the memory store only")
	return nil
}
