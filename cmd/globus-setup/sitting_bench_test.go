package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// BenchmarkGet is one `globus-setup get` in this process, at the real work
// factor: outside a sitting (the passphrase from a file: one scrypt) and
// inside one (the kernel keyring when this machine has one, else memory).
func BenchmarkGet(b *testing.B) {
	dir := b.TempDir()
	passFile := filepath.Join(dir, "passphrase")
	if err := os.WriteFile(passFile, []byte("bench passphrase\n"), 0o600); err != nil {
		b.Fatal(err)
	}
	p := vault.PathsFor(filepath.Join(dir, "v", "vault.age"))
	v, err := vault.Create(p, []byte("bench passphrase"), vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if err := v.Set("service_api.client_id", "11111111-2222-4333-8444-555555555555"); err != nil {
		b.Fatal(err)
	}
	store, _ := testSittingStore(b)
	env := map[string]string{"GLOBUS_SETUP_VAULT": p.Vault, "GLOBUS_SETUP_PASSPHRASE_FILE": passFile}
	get := func(b *testing.B, args ...string) {
		var out, errb bytes.Buffer
		a := &app{
			stdin: bytes.NewReader(nil), stdout: &out, stderr: &errb,
			getenv:       func(k string) string { return env[k] },
			openTTY:      func() (*os.File, error) { return nil, errors.New("no terminal") },
			isTerminal:   func() bool { return false },
			vaultOptions: vault.Options{Sittings: store},
		}
		if code := run(context.Background(), args, a); code != 0 {
			b.Fatalf("%v: %d %s", args, code, errb.String())
		}
	}
	b.Run("outside", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			get(b, "get", "service_api.client_id")
		}
	})
	b.Run("inside", func(b *testing.B) {
		get(b, "unlock", "--for", "1h")
		b.Cleanup(func() { get(b, "lock") })
		delete(env, "GLOBUS_SETUP_PASSPHRASE_FILE")
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			get(b, "get", "service_api.client_id")
		}
	})
}
