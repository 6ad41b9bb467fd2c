//go:build !linux

package main

import (
	"os"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// Off Linux the tests leave the operator's real keychain alone: children
// and in-process tests keep their sittings in memory.
func init() {
	if os.Getenv(childEnv) == "1" {
		childSittings = vault.NewMemorySittingStore()
	}
}

func testSittingStore(t testing.TB) (vault.SittingStore, string) {
	t.Log("not Linux: the memory store stands in for the keychain")
	return vault.NewMemorySittingStore(), ""
}
