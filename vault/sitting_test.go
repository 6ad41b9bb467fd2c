package vault

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
)

// sittingStores are the stores the sitting tests run on: this process's
// memory always, and the real OS store when this machine has one
// (kernelTestStore: a test namespace of the kernel keyring on Linux).
func sittingStores(t *testing.T) map[string]SittingStore {
	t.Helper()
	stores := map[string]SittingStore{"memory": NewMemorySittingStore()}
	if k := kernelTestStore(t); k != nil {
		stores["kernel"] = k
	}
	return stores
}

func sittingOpts(s SittingStore) Options {
	o := testOpts()
	o.Sittings = s
	return o
}

// newSittingVault is a vault opened with its passphrase on store.
func newSittingVault(t *testing.T, store SittingStore) (*Vault, Paths) {
	t.Helper()
	p := newTestPaths(t)
	if _, err := Create(p, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
	v, err := Open(p, testPass, sittingOpts(store))
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Set("service_api.client_id", "11111111-2222-4333-8444-555555555555"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = EndSitting(p, sittingOpts(store)) })
	return v, p
}

// eachSittingStore runs test on each of sittingStores, with options using it.
func eachSittingStore(t *testing.T, test func(t *testing.T, store SittingStore, o Options)) {
	for name, store := range sittingStores(t) {
		t.Run(name, func(t *testing.T) { test(t, store, sittingOpts(store)) })
	}
}

// mustStartSitting starts a minute's sitting of v.
func mustStartSitting(t *testing.T, v *Vault) {
	t.Helper()
	if _, err := v.StartSitting(time.Minute); err != nil {
		t.Fatal(err)
	}
}

// openAsNewRecipient adds pub to v's recipients and opens the vault at p
// with keyFile, pub's private key.
func openAsNewRecipient(t *testing.T, v *Vault, p Paths, pub, keyFile string, o Options) *Vault {
	t.Helper()
	rs, err := ParseRecipientArgs([]string{pub}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AddRecipients(rs); err != nil {
		t.Fatal(err)
	}
	id, err := LoadIdentity(keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	w, err := OpenWith(p, id, o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestSittingOpensOnlyItsVault(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		if _, _, err := OpenSitting(p, o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("before unlock: %v", err)
		}
		s, err := v.StartSitting(10 * time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if s.Vault != p.Vault || time.Until(s.Until) > 10*time.Minute || time.Until(s.Until) < 9*time.Minute {
			t.Fatalf("sitting %+v", s)
		}
		w, got, err := OpenSitting(p, o)
		if err != nil {
			t.Fatal(err)
		}
		if val, _ := w.Get("service_api.client_id"); val != "11111111-2222-4333-8444-555555555555" || !got.Until.Equal(s.Until) {
			t.Fatalf("opened %q until %v", val, got.Until)
		}
		// It saves like any unlocked vault.
		if err := w.Set("project.name", "Gateway"); err != nil {
			t.Fatal(err)
		}
		if st, ok, err := SittingFor(p, o); !ok || err != nil || !st.Until.Equal(s.Until) {
			t.Fatalf("SittingFor: %+v %v %v", st, ok, err)
		}

		// Another vault (another profile), and a copy of this one at
		// another path, still ask.
		other, _ := newSittingVault(t, store)
		if _, _, err := OpenSitting(other.Paths(), o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("another vault: %v", err)
		}
		cp := newTestPaths(t)
		copyVault(t, p, cp)
		if _, _, err := OpenSitting(cp, o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("a copy elsewhere: %v", err)
		}

		if ended, err := EndSitting(p, o); !ended || err != nil {
			t.Fatalf("EndSitting: %v %v", ended, err)
		}
		if _, _, err := OpenSitting(p, o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("after lock: %v", err)
		}
		if ended, err := EndSitting(p, o); ended || err != nil {
			t.Fatalf("EndSitting twice: %v %v", ended, err)
		}
	})
}

func copyVault(t *testing.T, from, to Paths) {
	t.Helper()
	if err := os.MkdirAll(to.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{IdentityFileName, filepath.Base(from.Vault)} {
		mustWrite(t, filepath.Join(to.Dir, f), mustRead(t, filepath.Join(from.Dir, f)), 0o600)
	}
}

func TestSittingEndsWhenTheVaultIsRecreated(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		mustStartSitting(t, v)
		for _, f := range []string{p.Vault, p.Identity} {
			if err := os.Remove(f); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Create(p, []byte("another passphrase"), testOpts()); err != nil {
			t.Fatal(err)
		}
		_, _, err := OpenSitting(p, o)
		var ended *SittingEndedError
		if !errors.As(err, &ended) || !strings.Contains(err.Error(), "identity.age changed") {
			t.Fatalf("re-created vault: %v", err)
		}
		if _, err := store.Get(sittingName(p)); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("the entry was not ended: %v", err)
		}
	})
}

func TestSittingExpiresByTheToolsClock(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		mustStartSitting(t, v)
		later := time.Now().Add(61 * time.Second)
		old := now
		now = func() time.Time { return later }
		t.Cleanup(func() { now = old })
		if _, ok, _ := SittingFor(p, o); ok {
			t.Fatal("status shows an expired sitting")
		}
		if _, _, err := OpenSitting(p, o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("expired: %v", err)
		}
		now = old
		// Refused once, and removed: the keychain has no timeout of its own.
		if _, err := store.Get(sittingName(p)); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("an expired entry was left: %v", err)
		}
	})
}

func TestSittingRefusesEntriesThatDoNotFit(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		put := func(data string) {
			t.Helper()
			if err := store.Put(sittingName(p), []byte(data), time.Minute); err != nil {
				t.Fatal(err)
			}
		}
		start := time.Now().UTC()
		valid := `{"v":1,"vault":"` + p.Vault + `","identity_file":"` + fileFingerprint(mustRead(t, p.Identity)) + `","started":"` + start.Format(time.RFC3339) + `","until":"` + start.Add(time.Minute).Format(time.RFC3339) + `","keys":["` + v.id.String() + `"]}`
		for _, c := range []struct{ data, why string }{
			{"not json", "not one this globus-setup reads"},
			{strings.Replace(valid, `"v":1`, `"v":2`, 1), "not one this globus-setup reads"},
			{strings.Replace(valid, p.Vault, p.Vault+".other", 1), "another vault"},
			{strings.Replace(valid, start.Add(time.Minute).Format(time.RFC3339), start.Add(9*time.Hour).Format(time.RFC3339), 1), "times"},
		} {
			put(c.data)
			_, _, err := OpenSitting(p, o)
			var ended *SittingEndedError
			if !errors.As(err, &ended) || !strings.Contains(err.Error(), c.why) {
				t.Errorf("%.40q: %v, want ended: %s", c.data, err, c.why)
			}
			if _, err := store.Get(sittingName(p)); !errors.Is(err, ErrNoSitting) {
				t.Errorf("%.40q was left in the store", c.data)
			}
		}
		// The well-formed one opens: the cases above differ only as named.
		put(valid)
		if _, _, err := OpenSitting(p, o); err != nil {
			t.Fatalf("valid entry: %v", err)
		}
		// A key that does not open the vault is ended too.
		other, _ := age.GenerateX25519Identity()
		put(strings.Replace(valid, v.id.String(), other.String(), 1))
		if _, _, err := OpenSitting(p, o); !errors.As(err, new(*SittingEndedError)) || !strings.Contains(err.Error(), "no longer opens") {
			t.Fatalf("wrong key: %v", err)
		}
	})
}

func TestSittingLength(t *testing.T) {
	v, _ := newSittingVault(t, NewMemorySittingStore())
	for _, d := range []time.Duration{0, -time.Minute, time.Millisecond, MaxSittingLength + time.Second} {
		if _, err := v.StartSitting(d); err == nil || !strings.Contains(err.Error(), "from 1s to 8h0m0s") {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, err := v.StartSitting(MaxSittingLength); err != nil {
		t.Errorf("the longest: %v", err)
	}
}

func TestSittingWithOwnIdentity(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		mine, _ := age.GenerateX25519Identity()
		keyFile := filepath.Join(t.TempDir(), "me.txt")
		mustWrite(t, keyFile, []byte(mine.String()+"\n"), 0o600)
		w := openAsNewRecipient(t, v, p, mine.Recipient().String(), keyFile, o)
		mustStartSitting(t, w)
		x, _, err := OpenSitting(p, o)
		if err != nil {
			t.Fatal(err)
		}
		// Opened as that key: removing it is refused as removing oneself.
		if _, err := x.RemoveRecipient(mine.Recipient().String()); !errors.Is(err, ErrRemoveSelf) {
			t.Fatalf("remove self through the sitting: %v", err)
		}
	})
}

func TestSittingRefusesSSHKeys(t *testing.T) {
	v, p := newSittingVault(t, NewMemorySittingStore())
	pub, priv := sshKey(t, "ops", "")
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	mustWrite(t, keyFile, priv, 0o600)
	w := openAsNewRecipient(t, v, p, pub, keyFile, sittingOpts(NewMemorySittingStore()))
	if _, err := w.StartSitting(time.Minute); !errors.Is(err, ErrSittingKeyKind) {
		t.Fatalf("SSH key kept: %v", err)
	}
}

func TestRecipientsChangeEndsTheSitting(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		v, p := newSittingVault(t, store)
		mustStartSitting(t, v)
		w, _, err := OpenSitting(p, o)
		if err != nil {
			t.Fatal(err)
		}
		teammate, _ := age.GenerateX25519Identity()
		rs, _ := ParseRecipientArgs([]string{teammate.Recipient().String()}, nil)
		if _, err := w.AddRecipients(rs); err != nil {
			t.Fatal(err)
		}
		if _, _, err := OpenSitting(p, o); !errors.Is(err, ErrNoSitting) {
			t.Fatalf("after recipients add: %v", err)
		}
	})
}

func TestEndAllSittings(t *testing.T) {
	eachSittingStore(t, func(t *testing.T, store SittingStore, o Options) {
		a, pa := newSittingVault(t, store)
		b, pb := newSittingVault(t, store)
		for _, v := range []*Vault{a, b} {
			mustStartSitting(t, v)
		}
		ended, err := EndAllSittings(o)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ended)
		want := []string{pa.Vault, pb.Vault}
		slices.Sort(want)
		if !slices.Equal(ended, want) {
			t.Fatalf("ended %v, want %v", ended, want)
		}
		for _, p := range []Paths{pa, pb} {
			if _, _, err := OpenSitting(p, o); !errors.Is(err, ErrNoSitting) {
				t.Fatalf("%s still open: %v", p.Vault, err)
			}
		}
	})
}
