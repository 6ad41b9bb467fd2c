package vault

import (
	"fmt"
	"testing"
)

// BenchmarkOpen is the real unlock cost: one scrypt at DefaultWorkFactor.
func BenchmarkOpen(b *testing.B) {
	p := newTestPaths(b)
	if _, err := Create(p, testPass, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Open(p, testPass, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenWithIdentity(b *testing.B) {
	v, p := benchVault(b)
	id := v.id.String()
	for b.Loop() {
		if _, err := OpenWithIdentity(p, id, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSave is an Update of one key on a vault with ~30 values: lock,
// re-read, decrypt, encrypt, temp+fsync+rename+fsync folder.
func BenchmarkSave(b *testing.B) {
	v, _ := benchVault(b)
	i := 0
	for b.Loop() {
		i++
		if err := v.Set("project.name", fmt.Sprint("name-", i)); err != nil {
			b.Fatal(err)
		}
	}
}

func benchVault(b *testing.B) (*Vault, Paths) {
	v, p := newTestVault(b)
	values := map[string]string{}
	for i := range 30 {
		values[fmt.Sprintf("groups.g%d.id", i)] = "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"
	}
	if err := v.SetMany(values); err != nil {
		b.Fatal(err)
	}
	return v, p
}
