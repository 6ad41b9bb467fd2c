package vault

import (
	"bufio"
	"bytes"
	"crypto/rsa"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"slices"
	"strings"
	"unicode/utf8"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// A team vault is age's multi-recipient file, as sops and passage use: the
// file key is wrapped once per recipient, so each operator opens vault.age
// with their own identity, and `age -d -i KEY vault.age` still works.
// recipients.txt is in the format `age -R` reads, so the stock tool can
// encrypt to the same set.

var (
	ErrNotPublicKey     = errors.New("not a public key: give an age public key (age1…), an SSH public key (ssh-ed25519 or ssh-rsa, as in id_ed25519.pub) or a file of them (authorized_keys, https://github.com/USER.keys)")
	ErrUnsupportedKey   = errors.New("SSH key type not supported by age")
	ErrLastRecipient    = errors.New("refused: that is the vault's last recipient, and nobody could open it afterwards; add the new one first")
	ErrUnknownRecipient = errors.New("no such recipient")
	ErrRemoveSelf       = errors.New("refused: that is the key this session unlocked the vault with; ask another recipient to remove it")
	// ErrNotRecipient: the identity given opens nothing in this vault.
	ErrNotRecipient = errors.New("this identity is not one of the vault's recipients")
	// ErrRecipientsChanged: recipients.txt is not the set vault.age was
	// last saved for by globus-setup.
	ErrRecipientsChanged = errors.New("recipients.txt does not list the keys vault.age was last saved for")
	// ErrChangedOnDisk: another operator's copy replaced vault.age (a git
	// pull) after this process read it; saving would work from a stale view.
	ErrChangedOnDisk = errors.New("vault.age was replaced by another operator's copy since it was opened")
)

const unsupportedFix = "use an ssh-ed25519 or ssh-rsa (2048 bits or more) key, or an age key from age-keygen"

// Recipient is one public key the vault is encrypted to.
type Recipient struct {
	// Line is the key as recipients.txt holds it: "age1…", or
	// "ssh-ed25519 AAAA… comment" without authorized_keys options.
	Line    string
	Type    string // "age", "ssh-ed25519" or "ssh-rsa"
	Comment string // an SSH key's comment, or the "# " line above an age key
	r       age.Recipient
	key     string // the key alone, for comparing
}

// Fingerprint is short and stable: an SSH key's SHA256 fingerprint as
// ssh-keygen -l prints it, or an age key's first and last characters.
func (r Recipient) Fingerprint() string {
	if r.Type == "age" {
		return r.key[:12] + "…" + r.key[len(r.key)-6:]
	}
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(r.Line))
	if err != nil {
		return r.Type
	}
	return ssh.FingerprintSHA256(pk)
}

// Describe is one line for lists: fingerprint, type, comment.
func (r Recipient) Describe() string {
	s := r.Fingerprint() + "  " + r.Type
	if r.Comment != "" {
		s += "  " + r.Comment
	}
	return s
}

// Whole is the recipient as a person copies it into `recipients remove`, or
// compares it with recipients.txt in a pull request: the whole key, never
// elided; an SSH key's line with its comment, then its fingerprint (as
// ssh-keygen -l prints it); an age key, then its comment. What follows the
// key comes after "  # ", so the line pasted whole still names the key.
func (r Recipient) Whole() string {
	if r.Type == "age" {
		if r.Comment != "" {
			return r.key + "  # " + r.Comment
		}
		return r.key
	}
	return r.Line + "  # " + r.Fingerprint()
}

// ParseRecipient parses one public key, strictly: an unsupported SSH type
// is ErrUnsupportedKey, anything else that is not a key ErrNotPublicKey.
// Errors never quote the input: a pasted private key must not be echoed.
func ParseRecipient(s string) (Recipient, error) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "AGE-SECRET-KEY-"), strings.Contains(s, "PRIVATE KEY"):
		return Recipient{}, fmt.Errorf("%w (that is a private key: never share it; give its public half)", ErrNotPublicKey)
	case strings.HasPrefix(s, "age1"):
		// "age1… alice": a comment after the key is kept as its label.
		key, comment, _ := strings.Cut(s, " ")
		r, err := age.ParseX25519Recipient(key)
		if err != nil {
			return Recipient{}, ErrNotPublicKey
		}
		return Recipient{Line: key, Type: "age", Comment: strings.TrimSpace(comment), r: r, key: key}, nil
	}
	pk, comment, _, _, err := ssh.ParseAuthorizedKey([]byte(s))
	if err != nil {
		return Recipient{}, ErrNotPublicKey
	}
	t := pk.Type()
	key := t + " " + strings.TrimSpace(string(bytes.TrimPrefix(ssh.MarshalAuthorizedKey(pk), []byte(t+" "))))
	line := key
	if comment != "" {
		line += " " + comment
	}
	if t != "ssh-ed25519" && t != "ssh-rsa" {
		return Recipient{}, fmt.Errorf("%w (this one is %s): %s", ErrUnsupportedKey, t, unsupportedFix)
	}
	r, err := agessh.ParseRecipient(key)
	if err != nil { // an RSA key under 2048 bits
		return Recipient{}, fmt.Errorf("%w (this %s key is under 2048 bits or malformed): %s", ErrUnsupportedKey, t, unsupportedFix)
	}
	return Recipient{Line: line, Type: t, Comment: comment, r: r, key: key}, nil
}

// ParseRecipientsFile reads keys from a file: recipients.txt, an
// authorized_keys file or a GitHub USER.keys download. As age does, an SSH
// key of a type age cannot use is skipped with a warning (GitHub lists
// ecdsa and security keys too); any other bad line is an error, and so is a
// file with no usable key.
func ParseRecipientsFile(name string, data []byte, warn func(string)) ([]Recipient, error) {
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: %w", name, ErrNotPublicKey)
	}
	var out []Recipient
	comment := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 8<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "#"); ok {
			comment = strings.TrimSpace(c)
			continue
		}
		if line == "" {
			comment = ""
			continue
		}
		r, err := ParseRecipient(line)
		if errors.Is(err, ErrUnsupportedKey) {
			if warn != nil {
				warn(fmt.Sprintf("%s line %d: skipped: %v", name, n, err))
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s line %d: %w", name, n, err)
		}
		if r.Type == "age" && r.Comment == "" {
			r.Comment = comment
		}
		comment = ""
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no usable public key in it: %w", name, ErrNotPublicKey)
	}
	return out, nil
}

// ParseRecipientArgs reads `recipients add` arguments: each a key or a file
// of keys. Duplicates are dropped.
func ParseRecipientArgs(args []string, warn func(string)) ([]Recipient, error) {
	var out []Recipient
	for i, a := range args {
		var rs []Recipient
		if fi, err := os.Stat(a); err == nil && fi.Mode().IsRegular() {
			data, err := readFile(a)
			if err != nil {
				return nil, err
			}
			if rs, err = ParseRecipientsFile(a, data, warn); err != nil {
				return nil, err
			}
		} else {
			r, err := ParseRecipient(a)
			if err != nil {
				// Never quoted: it might be a pasted private key.
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
			rs = []Recipient{r}
		}
		for _, r := range rs {
			if !slices.ContainsFunc(out, func(o Recipient) bool { return o.key == r.key }) {
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// ReadRecipients reads recipients.txt; ok is false when there is none (the
// vault is encrypted to identity.age's key alone). No unlock needed.
func ReadRecipients(p Paths) (rs []Recipient, ok bool, err error) {
	data, err := readFile(p.RecipientsFile())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	rs, err = ParseRecipientsFile(p.RecipientsFile(), data, nil)
	return rs, true, err
}

// Recipients lists who can open the vault: recipients.txt, else
// identity.age's key alone.
func (v *Vault) Recipients() ([]Recipient, error) { return v.recipients() }

// recipientsFor is recipients() for a save of doc (as last saved): it
// refuses a set that differs from the one doc was saved for, unless the
// change is an add or remove (accept).
func (v *Vault) recipientsFor(doc Doc, accept bool) ([]Recipient, error) {
	rs, err := v.recipients()
	if err != nil || accept || len(doc.Recipients) == 0 {
		return rs, err
	}
	var added, dropped int
	for _, r := range rs {
		if !slices.Contains(doc.Recipients, r.key) {
			added++
		}
	}
	for _, k := range doc.Recipients {
		if !slices.ContainsFunc(rs, func(r Recipient) bool { return r.key == k }) {
			dropped++
		}
	}
	if added == 0 && dropped == 0 {
		return rs, nil
	}
	return nil, fmt.Errorf("%w (%d key(s) more, %d fewer): edited by hand, or pulled without the vault.age re-encrypted for it. Nothing was saved. Check it (git log -p %s; globus-setup recipients list); if it is right, run  globus-setup recipients add %s  to re-encrypt the vault to exactly that list",
		ErrRecipientsChanged, added, dropped, RecipientsFileName, v.paths.RecipientsFile())
}

func (v *Vault) recipients() ([]Recipient, error) {
	rs, ok, err := ReadRecipients(v.paths)
	if err != nil {
		return nil, fmt.Errorf("%w; fix recipients.txt (or restore it from git) before saving", err)
	}
	if ok {
		return rs, nil
	}
	if v.id == nil {
		return nil, fmt.Errorf("%s is missing and this identity is not identity.age's key: restore recipients.txt (from git) before saving", v.paths.RecipientsFile())
	}
	r := v.id.Recipient()
	return []Recipient{{Line: r.String(), Type: "age", Comment: "identity.age", r: r, key: r.String()}}, nil
}

func ageRecipients(rs []Recipient) []age.Recipient {
	out := make([]age.Recipient, len(rs))
	for i, r := range rs {
		out[i] = r.r
	}
	return out
}

func recipientsText(rs []Recipient) []byte {
	var b strings.Builder
	b.WriteString("# Public keys this vault is encrypted to (globus-setup recipients add/remove).\n")
	b.WriteString("# The stock tool reads this file too: age -R recipients.txt\n\n")
	for _, r := range rs {
		if r.Type == "age" && r.Comment != "" {
			b.WriteString("# " + r.Comment + "\n")
		}
		b.WriteString(r.Line + "\n")
	}
	return []byte(b.String())
}

// AddResult is what AddRecipients did.
type AddResult struct {
	Added []Recipient // keys new to the vault
	Have  []Recipient // keys that were recipients already
	// Saved: recipients.txt and vault.age were written, vault.age
	// re-encrypted to the whole set. False when every key was a recipient
	// already and vault.age was last saved for exactly that set: then no
	// file was touched (nothing to commit).
	Saved bool
}

// AddRecipients adds keys and re-encrypts the vault to the whole set at
// once. Re-running it after an interruption finishes the job: recipients.txt
// is written first, then vault.age, each atomically, under the lock; so
// keys that are all recipients already still re-encrypt a vault.age last
// saved for another set (and accept a recipients.txt changed by hand).
func (v *Vault) AddRecipients(add []Recipient) (AddResult, error) {
	var res AddResult
	err := v.changeRecipients(func(cur []Recipient, doc Doc) ([]Recipient, error) {
		for _, r := range add {
			if slices.ContainsFunc(cur, func(c Recipient) bool { return c.key == r.key }) {
				res.Have = append(res.Have, r)
				continue
			}
			cur = append(cur, r)
			res.Added = append(res.Added, r)
		}
		if len(res.Added) == 0 && savedFor(doc, cur) {
			return nil, errNoChange
		}
		return cur, nil
	})
	if errors.Is(err, errNoChange) {
		return res, nil
	}
	res.Saved = err == nil
	return res, err
}

// savedFor: doc was last saved encrypted to exactly rs. A document from a
// build that did not record it is not known to be.
func savedFor(doc Doc, rs []Recipient) bool {
	if len(doc.Recipients) != len(rs) {
		return false
	}
	for _, r := range rs {
		if !slices.Contains(doc.Recipients, r.key) {
			return false
		}
	}
	return true
}

// RemoveRecipient removes one key, named by the key itself, its
// fingerprint, or a comment that matches one recipient only, and
// re-encrypts the vault without it.
func (v *Vault) RemoveRecipient(which string) (removed Recipient, err error) {
	which = strings.TrimSpace(which)
	err = v.changeRecipients(func(cur []Recipient, _ Doc) ([]Recipient, error) {
		var match []int
		probe, perr := ParseRecipient(which)
		for i, r := range cur {
			if (perr == nil && probe.key == r.key) || which == r.Fingerprint() ||
				which == strings.TrimPrefix(r.Fingerprint(), "SHA256:") || (which != "" && which == r.Comment) || which == r.key {
				match = append(match, i)
			}
		}
		switch {
		case len(match) == 0:
			return nil, fmt.Errorf("%w matching %q: `globus-setup recipients list` shows them; name one by its key or fingerprint", ErrUnknownRecipient, which)
		case len(match) > 1:
			return nil, fmt.Errorf("%q names %d recipients: name one by its key or fingerprint", which, len(match))
		case len(cur) == 1:
			return nil, ErrLastRecipient
		}
		removed = cur[match[0]]
		if opens(v.dec, removed.r) {
			return nil, ErrRemoveSelf
		}
		return slices.Delete(cur, match[0], match[0]+1), nil
	})
	return removed, err
}

// opens reports whether id decrypts a file encrypted to r alone.
func opens(id age.Identity, r age.Recipient) bool {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil || w.Close() != nil {
		return false
	}
	_, err = age.Decrypt(&buf, id)
	return err == nil
}

// changeRecipients runs fn on the current recipients and the document as
// saved, under the lock, and saves what it returns; errNoChange from fn
// writes nothing (and is returned).
func (v *Vault) changeRecipients(fn func(cur []Recipient, doc Doc) ([]Recipient, error)) error {
	fl, fresh, err := v.lockFresh()
	if err != nil {
		return err
	}
	defer unlock(fl)
	cur, err := v.recipientsFor(fresh, true)
	if err != nil {
		return err
	}
	next, err := fn(slices.Clone(cur), fresh.Clone())
	if err != nil {
		return err
	}
	if err := writeAtomic(v.paths, v.paths.RecipientsFile(), recipientsText(next)); err != nil {
		return err
	}
	fresh.UpdatedAt = now().UTC()
	if err := v.writeTo(fresh, next); err != nil {
		return err
	}
	v.setDoc(fresh)
	return v.endSittingOnRecipientsChange()
}

// lockFresh takes the writers' lock and re-reads the document under it
// (freshLocked), as every save starts; the lock is held only without error.
func (v *Vault) lockFresh() (heldLock, Doc, error) {
	fl, err := lock(v.paths, v.opts.LockTimeout)
	if err != nil {
		return nil, Doc{}, err
	}
	fresh, err := v.freshLocked()
	if err != nil {
		unlock(fl)
		return nil, Doc{}, err
	}
	return fl, fresh, nil
}

// freshLocked re-reads vault.age under the lock and refuses when the vault
// was re-created under us (ErrChanged) or another operator's copy replaced
// it since we read it (ErrChangedOnDisk). A change by another globus-setup
// on this copy is merged, as before: Update applies its edit to the fresh
// document.
func (v *Vault) freshLocked() (Doc, error) {
	cur, err := readFile(v.paths.Identity)
	switch {
	case v.idFile == nil && errors.Is(err, fs.ErrNotExist):
		// opened with --identity; there is no identity.age here
	case errors.As(err, new(*NotRegularError)):
		return Doc{}, err // a FIFO or device there: say so, do not call it a change
	case err != nil || !bytes.Equal(cur, v.idFile):
		return Doc{}, ErrChanged
	}
	v.mu.Lock()
	seen := v.seen
	v.mu.Unlock()
	fresh, err := v.read()
	if err != nil {
		return Doc{}, err
	}
	v.mu.Lock()
	changed := v.seen != seen
	v.mu.Unlock()
	if changed && fresh.Writer != "" && fresh.Writer != writerID(v.paths) {
		// Keep the stale view's hash: every later save refuses too.
		v.mu.Lock()
		v.seen = seen
		v.mu.Unlock()
		return Doc{}, fmt.Errorf("%w (saved by %s at %s): nothing was saved. Run the command again, or quit the wizard and start it again, so it works from their version",
			ErrChangedOnDisk, fresh.Writer, fresh.UpdatedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	v.setDoc(fresh)
	return fresh, nil
}

// writerID names this copy of the vault: the account, the machine and the
// path. Another globus-setup of the same account on the same file has the
// same one.
func writerID(p Paths) string {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	return name + "@" + host + ":" + p.Vault
}

func notRecipient(p Paths, public string) error {
	how := ": ask someone who can open it to run `globus-setup recipients add` with your public key"
	if public != "" {
		how = fmt.Sprintf(": ask someone who can open it to run:  globus-setup recipients add '%s'", public)
		if _, err := ParseRecipient(public); errors.Is(err, ErrUnsupportedKey) {
			// Suggesting the add would only meet its refusal.
			how = fmt.Sprintf(", and this key (%s) is too weak to add: the vault is encrypted only to ssh-ed25519 keys, ssh-rsa keys of 2048 bits or more, and age keys. Make one (ssh-keygen -t ed25519, or age-keygen -o key.txt), then ask someone who can open the vault to run  globus-setup recipients add  with its public half", keyStrength(public))
		}
	}
	return fmt.Errorf("%w (%s)%s", ErrNotRecipient, p.Vault, how)
}

// keyStrength names an SSH public key's type, and an RSA key's size.
func keyStrength(public string) string {
	pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(public))
	if err != nil {
		return "an unsupported key"
	}
	if ck, ok := pk.(ssh.CryptoPublicKey); ok {
		if k, ok := ck.CryptoPublicKey().(*rsa.PublicKey); ok {
			return fmt.Sprintf("%s, %d bits", pk.Type(), k.N.BitLen())
		}
	}
	return pk.Type()
}

// publicKey is the unlocking identity's public key, to hand to a teammate.
func (v *Vault) publicKey() string {
	if v.id != nil {
		return v.id.Recipient().String()
	}
	return v.idPublic
}

// Short names a recipient in a few characters: its comment and a short
// fingerprint.
func (r Recipient) Short() string {
	fp := r.Fingerprint()
	if r.Type == "age" {
		fp = r.key[:8] + "…" + r.key[len(r.key)-4:]
	} else if len(fp) > len("SHA256:")+8 {
		fp = fp[:len("SHA256:")+8]
	}
	if r.Comment != "" {
		return r.Comment + " (" + fp + ")"
	}
	return fp
}

// RecipientsSummary is one line on who can open the vault.
func RecipientsSummary(rs []Recipient) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = r.Short()
	}
	return strings.Join(parts, ", ")
}
