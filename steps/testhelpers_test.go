package steps

import (
	"path/filepath"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// newVault makes a real vault with a low work factor (tests only).
func newVault(t testing.TB) *vault.Vault {
	t.Helper()
	p := vault.PathsFor(filepath.Join(t.TempDir(), "vault.age"))
	v, err := vault.Create(p, []byte("test passphrase"), vault.Options{WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func docWith(values map[string]string) vault.Doc {
	return vault.Doc{Version: vault.FormatVersion, Values: values, Steps: map[string]vault.StepRecord{}}
}
