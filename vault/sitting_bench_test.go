package vault

import (
	"testing"
	"time"
)

// BenchmarkOpenSitting is opening in a sitting, beside BenchmarkOpen (the
// passphrase's scrypt at the default work factor): the kernel keyring when
// this machine has one, else the memory store.
func BenchmarkOpenSitting(b *testing.B) {
	store := kernelTestStore(b)
	if store == nil {
		store = NewMemorySittingStore()
	}
	o := Options{Sittings: store}
	p := newTestPaths(b)
	if _, err := Create(p, testPass, Options{}); err != nil {
		b.Fatal(err)
	}
	v, err := Open(p, testPass, o)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := v.StartSitting(time.Hour); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = EndSitting(p, o) })
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, _, err := OpenSitting(p, o); err != nil {
			b.Fatal(err)
		}
	}
}
