package vault

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"

	"filippo.io/age"
)

// Vault is an unlocked vault: the identity is in memory, so reads and saves
// cost no key derivation. Safe for concurrent use.
type Vault struct {
	paths Paths
	opts  Options
	// dec decrypts vault.age: identity.age's key, or what --identity named.
	dec age.Identity
	// id is identity.age's X25519 key when that is what unlocked the vault
	// (the keychain remembers it; a vault without recipients.txt is
	// encrypted to it alone); nil for an --identity file.
	id *age.X25519Identity
	// idPublic is an --identity file's public key, for error messages.
	idPublic string
	// idFile is identity.age as it was at unlock; a save refuses to go on if
	// it changed (the vault was re-created and uses another key).
	idFile []byte
	// viaPassphrase: identity.age was decrypted, so the identity is proven to
	// be this vault's even when vault.age is missing.
	viaPassphrase bool

	mu  sync.Mutex
	doc Doc
	// seen is the SHA-256 of vault.age as last read or written here: a save
	// finding another operator's file there refuses (see checkUnchanged).
	seen [32]byte
}

// errNoChange from an Update function: nothing to write, not an error.
var errNoChange = errors.New("no change")

// Create makes a new vault: a fresh identity encrypted to passphrase, and an
// empty document. ErrExists if vault.age or identity.age is already there.
// passphrase is not modified; the caller zeroes it.
func Create(p Paths, passphrase []byte, o Options) (*Vault, error) {
	o, err := o.normalized()
	if err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	noVault := func() error {
		if Exists(p) {
			return fmt.Errorf("%w: %s", ErrExists, p.Vault)
		}
		return nil
	}
	if err := noVault(); err != nil {
		return nil, err
	}
	// Checked again under the lock: another process may have made one.
	return createWithLock(p, passphrase, o, noVault)
}

// createWithLock derives a new identity before taking the lock, so the lock
// is held for milliseconds, then clears the way (first) and creates the
// vault under it.
func createWithLock(p Paths, passphrase []byte, o Options, first func() error) (*Vault, error) {
	id, idFile, err := newIdentity(passphrase, o.WorkFactor)
	if err != nil {
		return nil, err
	}
	if err := ensureDir(p); err != nil {
		return nil, err
	}
	fl, err := lock(p, o.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer unlock(fl)
	if err := first(); err != nil {
		return nil, err
	}
	return create(p, o, id, idFile)
}

func newIdentity(passphrase []byte, workFactor int) (*age.X25519Identity, []byte, error) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, nil, fmt.Errorf("generating the vault identity: %w", err)
	}
	idFile, err := encryptIdentity(id, passphrase, workFactor)
	if err != nil {
		return nil, nil, err
	}
	return id, idFile, nil
}

// create writes identity.age then vault.age; the lock is held. A crash between
// the two leaves identity.age alone, which opens as an empty vault.
func create(p Paths, o Options, id *age.X25519Identity, idFile []byte) (*Vault, error) {
	doc := newDoc()
	doc.UpdatedAt = now().UTC()
	doc.Writer = writerID(p)
	doc.Recipients = []string{id.Recipient().String()}
	data, err := encryptDoc(doc, id.Recipient())
	if err != nil {
		return nil, err
	}
	// A recipients.txt left from an earlier vault does not list the new key:
	// the next save would lock this operator out. Keep it aside.
	if fileExists(p.RecipientsFile()) {
		if _, err := setAside(p.RecipientsFile()); err != nil {
			return nil, err
		}
	}
	if err := writeAtomic(p, p.Identity, idFile); err != nil {
		return nil, err
	}
	if err := writeAtomic(p, p.Vault, data); err != nil {
		return nil, err
	}
	v := &Vault{paths: p, opts: o, dec: id, id: id, idFile: idFile, viaPassphrase: true, doc: doc}
	v.seen = sha256.Sum256(data)
	return v, nil
}

// Open unlocks an existing vault with its passphrase: one scrypt derivation.
// Errors: ErrNotFound, ErrWrongPassphrase, *CorruptError, ErrNewerFormat. No
// file is modified by a failed Open. passphrase is not modified.
func Open(p Paths, passphrase []byte, o Options) (*Vault, error) {
	return open(p, passphrase, o, false)
}

// OpenForce is Open for repair. If vault.age is damaged it is kept aside as
// vault.age.damaged-<UTC time> and a fresh document is written. If
// identity.age is damaged or missing, nothing can be decrypted: both files are
// kept aside and a new vault is created with passphrase (the caller should
// have it confirmed). A wrong passphrase or a newer format is never repaired.
func OpenForce(p Paths, passphrase []byte, o Options) (*Vault, error) {
	return open(p, passphrase, o, true)
}

func open(p Paths, passphrase []byte, o Options, force bool) (*Vault, error) {
	o, err := o.normalized()
	if err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, ErrEmptyPassphrase
	}
	idFile, err := readFile(p.Identity)
	var id *age.X25519Identity
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !fileExists(p.Vault) {
			return nil, fmt.Errorf("%w at %s", ErrNotFound, p.Vault)
		}
		err = &CorruptError{File: p.Identity, Reason: "missing"}
	case err != nil:
		return nil, readError(p.Identity, err)
	default:
		id, err = decryptIdentity(p.Identity, idFile, passphrase)
	}
	var ce *CorruptError
	if errors.As(err, &ce) && force {
		return repairIdentity(p, passphrase, o)
	}
	if err != nil {
		return nil, err
	}
	v := &Vault{paths: p, opts: o, dec: id, id: id, idFile: idFile, viaPassphrase: true}
	doc, err := v.read()
	if errors.As(err, &ce) && force {
		if err := v.repairDoc(); err != nil {
			return nil, err
		}
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	v.doc = doc
	tightenDir(p)
	tightenFiles(p)
	return v, nil
}

// repairIdentity keeps identity.age and vault.age aside and creates a new vault.
func repairIdentity(p Paths, passphrase []byte, o Options) (*Vault, error) {
	return createWithLock(p, passphrase, o, func() error {
		for _, f := range []string{p.Identity, p.Vault} {
			if fileExists(f) {
				if _, err := setAside(f); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// repairDoc keeps a damaged vault.age aside and writes a fresh document,
// unless another process repaired it in the meantime.
func (v *Vault) repairDoc() error {
	fl, err := lock(v.paths, v.opts.LockTimeout)
	if err != nil {
		return err
	}
	defer unlock(fl)
	doc, err := v.read()
	var ce *CorruptError
	if errors.As(err, &ce) {
		if _, err := setAside(v.paths.Vault); err != nil {
			return err
		}
		doc = newDoc()
		doc.UpdatedAt = now().UTC()
		if err := v.write(doc); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	v.setDoc(doc)
	return nil
}

// OpenWithIdentity unlocks with an identity remembered in the keychain
// ("AGE-SECRET-KEY-1..."), no scrypt. The identity must decrypt vault.age;
// otherwise (or if vault.age is missing, so it cannot be checked) the error
// is ErrWrongIdentity and the passphrase is needed.
func OpenWithIdentity(p Paths, identity string, o Options) (*Vault, error) {
	o, err := o.normalized()
	if err != nil {
		return nil, err
	}
	id, err := parseOneIdentity([]byte(strings.TrimSpace(identity)), func(reason string) error {
		return fmt.Errorf("%w: the identity given %s", ErrWrongIdentity, reason)
	})
	if err != nil {
		return nil, err
	}
	idFile, err := readFile(p.Identity)
	if errors.Is(err, fs.ErrNotExist) {
		if !fileExists(p.Vault) {
			return nil, fmt.Errorf("%w at %s", ErrNotFound, p.Vault)
		}
		return nil, &CorruptError{File: p.Identity, Reason: "missing"}
	} else if err != nil {
		return nil, readError(p.Identity, err)
	}
	v := &Vault{paths: p, opts: o, dec: id, id: id, idFile: idFile}
	doc, err := v.read()
	if err != nil {
		return nil, err
	}
	v.doc = doc
	tightenDir(p)
	tightenFiles(p)
	return v, nil
}

// read decrypts vault.age with the unlocked identity.
func (v *Vault) read() (Doc, error) {
	data, err := readFile(v.paths.Vault)
	if errors.Is(err, fs.ErrNotExist) {
		if v.viaPassphrase {
			return newDoc(), nil // identity.age alone: a Create cut short
		}
		return Doc{}, fmt.Errorf("%w: %s is missing, so it cannot be checked; unlock with the passphrase", ErrWrongIdentity, v.paths.Vault)
	}
	if err != nil {
		return Doc{}, readError(v.paths.Vault, err)
	}
	doc, err := decryptDoc(v.paths.Vault, data, v.dec)
	if err == nil {
		v.mu.Lock()
		v.seen = sha256.Sum256(data)
		v.mu.Unlock()
	}
	if errors.Is(err, errNoMatch) {
		if fileExists(v.paths.RecipientsFile()) {
			return Doc{}, notRecipient(v.paths, v.publicKey())
		}
		if v.viaPassphrase {
			return Doc{}, &CorruptError{File: v.paths.Vault, Reason: "not encrypted to the key in " + IdentityFileName}
		}
		return Doc{}, fmt.Errorf("%w (%s)", ErrWrongIdentity, v.paths.Vault)
	}
	return doc, err
}

// write encrypts doc to every recipient and saves it atomically; lock held.
func (v *Vault) write(doc Doc) error {
	rs, err := v.recipientsFor(v.Doc(), false)
	if err != nil {
		return err
	}
	return v.writeTo(doc, rs)
}

// writeTo encrypts doc to rs and saves it; lock held.
func (v *Vault) writeTo(doc Doc, rs []Recipient) error {
	doc.Writer = writerID(v.paths)
	doc.Recipients = doc.Recipients[:0:0]
	for _, r := range rs {
		doc.Recipients = append(doc.Recipients, r.key)
	}
	data, err := encryptDoc(doc, ageRecipients(rs)...)
	if err != nil {
		return err
	}
	if err := writeAtomic(v.paths, v.paths.Vault, data); err != nil {
		return err
	}
	v.mu.Lock()
	v.seen = sha256.Sum256(data)
	v.mu.Unlock()
	return nil
}

func (v *Vault) setDoc(d Doc) {
	v.mu.Lock()
	v.doc = d.Clone()
	v.mu.Unlock()
}

// Paths returns the vault's files.
func (v *Vault) Paths() Paths { return v.paths }

// Doc returns a copy of the last document read or saved.
func (v *Vault) Doc() Doc {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.doc.Clone()
}

// Get returns a value from the last document read or saved.
func (v *Vault) Get(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.doc.Values[key]
	return s, ok
}

// Internal returns an internal value (tokens, intents) from the last document.
func (v *Vault) Internal(key string) (string, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.doc.Internal[key]
	return s, ok
}

// Reload re-reads vault.age (no key derivation).
func (v *Vault) Reload() error {
	doc, err := v.read()
	if err != nil {
		return err
	}
	v.setDoc(doc)
	return nil
}

// Update takes the lock, re-reads vault.age, applies fn to the fresh document,
// saves atomically and releases the lock. An error from fn aborts with no
// write. Re-reading under the lock is what lets several processes update
// different keys without losing any. fn runs with the lock held: keep it to
// in-memory edits (no network calls), or other writers wait on it.
func (v *Vault) Update(fn func(d *Doc) error) error {
	fl, fresh, err := v.lockFresh()
	if err != nil {
		return err
	}
	defer unlock(fl)
	d := fresh.Clone()
	if err := fn(&d); errors.Is(err, errNoChange) {
		return nil
	} else if err != nil {
		return err
	}
	d = d.Clone() // fn may have set a map to nil
	keepUnknown(&d, fresh)
	if err := checkDocKeys(d); err != nil {
		// Written, the document would be refused at the next read.
		var bk *BadKeyError
		errors.As(err, &bk)
		return fmt.Errorf("not saved: the %s key %s is not a vault key (%s)", bk.Where, quoteKey(bk.Key), KeySyntax)
	}
	d.Version = FormatVersion
	d.UpdatedAt = now().UTC()
	if err := v.write(d); err != nil {
		return err
	}
	v.setDoc(d)
	return nil
}

// Set stores one value.
func (v *Vault) Set(key, value string) error {
	return v.SetMany(map[string]string{key: value})
}

// SetMany stores several values in one save.
func (v *Vault) SetMany(values map[string]string) error {
	for k := range values {
		if err := CheckKey(k); err != nil {
			return err
		}
	}
	return v.Update(func(d *Doc) error {
		changed := false
		for k, val := range values {
			if old, ok := d.Values[k]; !ok || old != val {
				d.Values[k] = val
				changed = true
			}
		}
		if !changed {
			return errNoChange
		}
		return nil
	})
}

// Delete removes a value (no error if absent).
func (v *Vault) Delete(key string) error {
	return v.Update(func(d *Doc) error {
		if _, ok := d.Values[key]; !ok {
			return errNoChange
		}
		delete(d.Values, key)
		return nil
	})
}

// SetStep records a step's progress; a zero UpdatedAt is set to now.
func (v *Vault) SetStep(id string, rec StepRecord) error {
	if err := CheckKey(id); err != nil {
		return err
	}
	if rec.UpdatedAt.IsZero() {
		rec.UpdatedAt = now().UTC()
	}
	return v.Update(func(d *Doc) error {
		d.Steps[id] = rec
		return nil
	})
}

// SetInternal stores an internal value; "" deletes it.
func (v *Vault) SetInternal(key, value string) error {
	if err := CheckKey(key); err != nil {
		return err
	}
	return v.Update(func(d *Doc) error {
		old, ok := d.Internal[key]
		switch {
		case value == "" && !ok, value != "" && ok && old == value:
			return errNoChange
		case value == "":
			delete(d.Internal, key)
		default:
			d.Internal[key] = value
		}
		return nil
	})
}
