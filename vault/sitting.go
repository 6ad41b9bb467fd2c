package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
)

// A sitting is one unlock for the commands that follow: StartSitting keeps
// the unlocked key, for a while, in the OS's memory for secrets (the kernel
// keyring on Linux, with the kernel's own timeout on the key; the OS
// keychain elsewhere, with the expiry enforced here), never in a file of
// ours. OpenSitting opens the vault with it, without a key derivation. The
// entry is named after the vault's path and holds a fingerprint of its
// identity.age, so it opens that vault only: another path (a profile, a
// copy) or a vault re-created at the same path still asks.

const (
	// DefaultSittingLength is `unlock` without --for.
	DefaultSittingLength = 15 * time.Minute
	// MaxSittingLength bounds a sitting: a working day, not a standing key.
	MaxSittingLength = 8 * time.Hour
)

var (
	// ErrNoSitting: no sitting is open for this vault (none began, it
	// expired, or it was ended).
	ErrNoSitting = errors.New("no sitting is open for this vault")
	// ErrSittingUnavailable: this process cannot reach the OS's store for
	// secrets (a container without the kernel keyring, no keychain).
	ErrSittingUnavailable = errors.New("no sitting can be kept here")
	// ErrSittingKeyKind: the vault was unlocked with an SSH key, which
	// opens more than this vault (the operator's logins): it is not put
	// into the keyring.
	ErrSittingKeyKind = errors.New("a sitting keeps age keys only, and this vault was unlocked with an SSH key, which opens your logins too: it is not put into the keyring (use identity.age, or an age key from age-keygen, for sittings)")
)

// SittingEndedError: an entry was found for the vault but no longer fits it,
// so it was ended. The caller unlocks as usual.
type SittingEndedError struct {
	Vault  string
	Reason string
}

func (e *SittingEndedError) Error() string {
	return fmt.Sprintf("the sitting for %s was ended: %s", e.Vault, e.Reason)
}

// Sitting describes an open sitting.
type Sitting struct {
	Vault string    // the vault.age it opens
	Until time.Time // when it ends by itself
	Where string    // "the kernel keyring", "the OS keychain"
}

// SittingStore keeps sitting entries by name, each for a time. Entries are
// small (an age key, a path, times); Get hands back a copy the caller may
// zero. A store that cannot be reached says so with ErrSittingUnavailable.
type SittingStore interface {
	Where() string
	// Check reports ErrSittingUnavailable when nothing can be kept here.
	Check() error
	Put(name string, data []byte, ttl time.Duration) error
	// Get is ErrNoSitting when there is no such entry or it expired.
	Get(name string) ([]byte, error)
	Remove(name string) (bool, error)
	// Names lists this store's entries, this namespace only.
	Names() ([]string, error)
}

// defaultSittingNamespace prefixes every entry globus-setup makes.
const defaultSittingNamespace = "globus-setup:"

// NewSittingStore is the OS's store for secrets: the kernel keyring on
// Linux, the OS keychain elsewhere. namespace "" is globus-setup's own;
// tests give their own, so that ending every sitting ends only theirs.
func NewSittingStore(namespace string) SittingStore {
	if namespace == "" {
		namespace = defaultSittingNamespace
	}
	return newOSSittingStore(namespace)
}

var osSittings = NewSittingStore("")

func (o Options) sittingStore() SittingStore {
	if o.Sittings != nil {
		return o.Sittings
	}
	return osSittings
}

// sittingEntry is what the store holds for one vault.
type sittingEntry struct {
	Version int    `json:"v"`
	Vault   string `json:"vault"`
	// IdentityFile is the SHA-256 of identity.age as it was at unlock ("" if
	// there was none): a vault re-created at the same path has another.
	IdentityFile string `json:"identity_file"`
	// Own: an operator's own key (--identity), not identity.age's.
	Own     bool      `json:"own,omitempty"`
	Public  string    `json:"public,omitempty"`
	Started time.Time `json:"started"`
	Until   time.Time `json:"until"`
	Keys    []string  `json:"keys"`
}

const sittingEntryVersion = 1

const sittingPrefix = "sitting-"

// sittingName names a vault's entry: hashed, so the path does not show in
// the store's listing (keyctl show, Keychain Access).
func sittingName(p Paths) string {
	sum := sha256.Sum256([]byte(absVault(p)))
	return sittingPrefix + hex.EncodeToString(sum[:16])
}

func absVault(p Paths) string {
	path := p.Vault
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return filepath.Clean(path)
}

func fileFingerprint(data []byte) string {
	if data == nil {
		return ""
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// CheckSittings reports whether a sitting can be kept here at all.
func CheckSittings(o Options) error { return o.sittingStore().Check() }

// SittingsWhere names where sittings are kept ("the kernel keyring").
func SittingsWhere(o Options) string { return o.sittingStore().Where() }

// StartSitting keeps the vault's unlocked key for d, replacing a sitting
// already open for it.
func (v *Vault) StartSitting(d time.Duration) (Sitting, error) {
	if d < time.Second || d > MaxSittingLength {
		return Sitting{}, fmt.Errorf("a sitting lasts from 1s to %s, not %s", MaxSittingLength, d)
	}
	keys, own, err := v.sittingKeys()
	if err != nil {
		return Sitting{}, err
	}
	store := v.opts.sittingStore()
	start := now().UTC()
	e := sittingEntry{
		Version:      sittingEntryVersion,
		Vault:        absVault(v.paths),
		IdentityFile: fileFingerprint(v.idFile),
		Own:          own,
		Public:       v.idPublic,
		Started:      start,
		Until:        start.Add(d),
		Keys:         keys,
	}
	data, err := json.Marshal(e)
	if err != nil {
		return Sitting{}, err
	}
	defer clear(data)
	if err := store.Put(sittingName(v.paths), data, d); err != nil {
		return Sitting{}, err
	}
	return Sitting{Vault: e.Vault, Until: e.Until, Where: store.Where()}, nil
}

// sittingKeys are the unlocking key(s) as age prints them. own is true for
// an operator's own key (--identity).
func (v *Vault) sittingKeys() (keys []string, own bool, err error) {
	ids, own := v.dec.(multiIdentity)
	if !own {
		if v.id == nil {
			return nil, false, errors.New("the vault is not unlocked with a key a sitting can keep")
		}
		return []string{v.id.String()}, false, nil
	}
	for _, id := range ids {
		s, ok := id.(fmt.Stringer)
		if !ok || !strings.HasPrefix(s.String(), "AGE-SECRET-KEY-") {
			return nil, true, ErrSittingKeyKind
		}
		keys = append(keys, s.String())
	}
	if len(keys) == 0 {
		return nil, true, ErrSittingKeyKind
	}
	return keys, true, nil
}

// readEntry fetches and checks the vault's entry without opening the vault.
// ended is the reason it no longer fits ("" when it does); an expired one
// is ErrNoSitting.
func readEntry(p Paths, store SittingStore) (e sittingEntry, ended string, err error) {
	data, err := store.Get(sittingName(p))
	if err != nil {
		return e, "", err
	}
	defer clear(data)
	if err := json.Unmarshal(data, &e); err != nil || e.Version != sittingEntryVersion || len(e.Keys) == 0 {
		return e, "its entry is not one this globus-setup reads", nil
	}
	if e.Vault != absVault(p) {
		return e, "it was kept for another vault", nil
	}
	if !now().Before(e.Until) {
		return e, "", ErrNoSitting
	}
	if e.Until.Sub(e.Started) > MaxSittingLength || e.Started.After(now().Add(time.Minute)) {
		return e, "its times are not ones globus-setup sets", nil
	}
	cur, rerr := readFile(p.Identity)
	if errors.Is(rerr, fs.ErrNotExist) {
		cur = nil
	} else if rerr != nil {
		return e, "", readError(p.Identity, rerr)
	}
	if fileFingerprint(cur) != e.IdentityFile {
		return e, IdentityFileName + " changed since the unlock (the vault was re-created or replaced)", nil
	}
	return e, "", nil
}

// OpenSitting opens the vault with its open sitting: no key derivation.
// ErrNoSitting when none is open; *SittingEndedError when one was found
// that no longer fits the vault (it is ended); ErrSittingUnavailable when
// the store cannot be reached. Any other error is the vault's own.
func OpenSitting(p Paths, o Options) (*Vault, Sitting, error) {
	store := o.sittingStore()
	name := sittingName(p)
	e, ended, err := readEntry(p, store)
	if errors.Is(err, ErrNoSitting) {
		_, _ = store.Remove(name) // expired here before the kernel or keychain dropped it
		return nil, Sitting{}, ErrNoSitting
	}
	if err != nil {
		return nil, Sitting{}, err
	}
	end := func(reason string) (*Vault, Sitting, error) {
		if _, err := store.Remove(name); err != nil {
			return nil, Sitting{}, fmt.Errorf("the sitting for %s no longer fits it (%s) and could not be ended: %w", absVault(p), reason, err)
		}
		return nil, Sitting{}, &SittingEndedError{Vault: absVault(p), Reason: reason}
	}
	if ended != "" {
		return end(ended)
	}
	s := Sitting{Vault: e.Vault, Until: e.Until, Where: store.Where()}
	v, err := openWithSittingKeys(p, e, o)
	switch {
	case errors.Is(err, ErrWrongIdentity), errors.Is(err, ErrNotRecipient):
		return end("its key no longer opens the vault")
	case errors.Is(err, ErrNotFound):
		return end("there is no vault there any more")
	case err != nil:
		return nil, s, err
	}
	return v, s, nil
}

func openWithSittingKeys(p Paths, e sittingEntry, o Options) (*Vault, error) {
	if !e.Own {
		return OpenWithIdentity(p, e.Keys[0], o)
	}
	ids, err := age.ParseIdentities(strings.NewReader(strings.Join(e.Keys, "\n")))
	if err != nil {
		return nil, fmt.Errorf("%w: the sitting's key cannot be read", ErrWrongIdentity)
	}
	return OpenWith(p, &Identity{Public: e.Public, ids: ids}, o)
}

// SittingFor describes the vault's open sitting, without opening the vault
// or ending anything; ok is false when none fits it.
func SittingFor(p Paths, o Options) (s Sitting, ok bool, err error) {
	store := o.sittingStore()
	e, ended, err := readEntry(p, store)
	switch {
	case errors.Is(err, ErrNoSitting), errors.Is(err, ErrSittingUnavailable):
		return Sitting{}, false, nil
	case err != nil:
		return Sitting{}, false, err
	case ended != "":
		return Sitting{}, false, nil
	}
	return Sitting{Vault: e.Vault, Until: e.Until, Where: store.Where()}, true, nil
}

// EndSitting ends the vault's sitting; ended is false when none was open.
// ErrSittingUnavailable when the store cannot be reached (so none can be).
func EndSitting(p Paths, o Options) (ended bool, err error) {
	return o.sittingStore().Remove(sittingName(p))
}

// EndAllSittings ends every sitting this account has open in the store,
// whichever vault, and names the vaults (a path is "" when its entry could
// not be read).
func EndAllSittings(o Options) ([]string, error) {
	store := o.sittingStore()
	names, err := store.Names()
	if err != nil {
		return nil, err
	}
	var vaults []string
	for _, name := range names {
		if !strings.HasPrefix(name, sittingPrefix) {
			continue
		}
		vaultPath := ""
		if data, err := store.Get(name); err == nil {
			var e sittingEntry
			if json.Unmarshal(data, &e) == nil {
				vaultPath = e.Vault
			}
			clear(data)
		}
		ended, err := store.Remove(name)
		if err != nil {
			return vaults, err
		}
		if ended {
			vaults = append(vaults, vaultPath)
		}
	}
	return vaults, nil
}

// endSittingOnRecipientsChange: a change of recipients ends the vault's
// sitting, whichever key it keeps.
func (v *Vault) endSittingOnRecipientsChange() error {
	_, err := v.opts.sittingStore().Remove(sittingName(v.paths))
	if err == nil || errors.Is(err, ErrSittingUnavailable) {
		return nil
	}
	return fmt.Errorf("the recipients were changed, but the sitting on this vault could not be ended (%v): run `globus-setup lock`", err)
}

// NewMemorySittingStore keeps sittings in this process's memory: for tests
// where the OS's store is missing, never for the tool itself.
func NewMemorySittingStore() SittingStore {
	return &memorySittings{m: map[string]memoryEntry{}}
}

type memoryEntry struct {
	data    []byte
	expires time.Time
}

type memorySittings struct {
	mu sync.Mutex
	m  map[string]memoryEntry
}

func (*memorySittings) Where() string { return "this process's memory" }
func (*memorySittings) Check() error  { return nil }

func (s *memorySittings) Put(name string, data []byte, ttl time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[name] = memoryEntry{bytes.Clone(data), now().Add(ttl)}
	return nil
}

func (s *memorySittings) Get(name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[name]
	if !ok || !now().Before(e.expires) {
		return nil, ErrNoSitting
	}
	return bytes.Clone(e.data), nil
}

func (s *memorySittings) Remove(name string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[name]
	if ok {
		clear(e.data)
		delete(s.m, name)
	}
	return ok, nil
}

func (s *memorySittings) Names() ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for n := range s.m {
		names = append(names, n)
	}
	return names, nil
}
