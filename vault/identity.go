package vault

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"filippo.io/age"
	"filippo.io/age/agessh"
	"golang.org/x/crypto/ssh"
)

// EnvIdentity names an operator's own identity file, as --identity does.
const EnvIdentity = "GLOBUS_SETUP_IDENTITY"

// Identity is an operator's own key for a team vault (--identity): an age
// identity file (age-keygen's output, or one encrypted with a passphrase
// like identity.age) or an SSH private key, ed25519 or RSA.
type Identity struct {
	File   string
	Public string // the public key, to give a teammate for `recipients add`
	ids    []age.Identity
}

// LoadIdentity reads an identity file. passphrase is asked (label names the
// file) only for a passphrase-protected one. The key is unlocked here, at
// once, rather than lazily during a decryption, so a wizard can ask before
// its screen starts.
func LoadIdentity(file string, passphrase func(label string) ([]byte, error)) (*Identity, error) {
	data, err := readFile(file)
	if err != nil {
		return nil, fmt.Errorf("identity file: %w", err)
	}
	defer clear(data)
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("identity file %s is too large to be a key", file)
	}
	text := bytes.TrimSpace(data)
	switch {
	case bytes.HasPrefix(text, []byte("age-encryption.org/")):
		pass, err := passphrase("Passphrase for " + file + ": ")
		defer clear(pass)
		if err != nil {
			return nil, err
		}
		id, err := decryptIdentity(file, data, pass)
		if errors.Is(err, ErrWrongPassphrase) {
			return nil, fmt.Errorf("wrong passphrase for the identity file %s: nothing was changed", file)
		}
		var ce *CorruptError
		if errors.As(err, &ce) {
			// Not identity.age's repair advice: this file is the operator's own.
			return nil, fmt.Errorf("%s is not an identity file this program can read (%s)", file, ce.Reason)
		}
		if err != nil {
			return nil, err
		}
		return &Identity{File: file, Public: id.Recipient().String(), ids: []age.Identity{id}}, nil
	case bytes.Contains(text, []byte("-----BEGIN")):
		return loadSSHIdentity(file, data, passphrase)
	case bytes.HasPrefix(text, []byte("ssh-")), bytes.HasPrefix(text, []byte("age1")):
		return nil, fmt.Errorf("%s is a public key: --identity takes the private half (e.g. ~/.ssh/id_ed25519, not id_ed25519.pub)", file)
	}
	ids, err := age.ParseIdentities(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s is neither an age identity file (AGE-SECRET-KEY-1…) nor an SSH private key", file)
	}
	var pubs []string
	for _, id := range ids {
		if x, ok := id.(*age.X25519Identity); ok {
			pubs = append(pubs, x.Recipient().String())
		}
	}
	return &Identity{File: file, Public: strings.Join(pubs, " "), ids: ids}, nil
}

func loadSSHIdentity(file string, data []byte, passphrase func(string) ([]byte, error)) (*Identity, error) {
	key, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pass, perr := passphrase("Passphrase for SSH key " + file + ": ")
		defer clear(pass)
		if perr != nil {
			return nil, perr
		}
		key, err = ssh.ParseRawPrivateKeyWithPassphrase(data, pass)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, fmt.Errorf("wrong passphrase for the SSH key %s: nothing was changed", file)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("%s: not an SSH private key this program can read (%s)", file, sshReason(err))
	}
	var id age.Identity
	var pub ssh.PublicKey
	switch k := key.(type) {
	case *ed25519.PrivateKey:
		key = *k
		id, err = agessh.NewEd25519Identity(*k)
		if err == nil {
			pub, err = ssh.NewPublicKey(k.Public())
		}
	case ed25519.PrivateKey:
		id, err = agessh.NewEd25519Identity(k)
		if err == nil {
			pub, err = ssh.NewPublicKey(k.Public())
		}
	case *rsa.PrivateKey:
		id, err = agessh.NewRSAIdentity(k)
		if err == nil {
			pub, err = ssh.NewPublicKey(&k.PublicKey)
		}
	default:
		return nil, fmt.Errorf("%s: %w: %s", file, ErrUnsupportedKey, unsupportedFix)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	public := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(pub)))
	return &Identity{File: file, Public: public, ids: []age.Identity{id}}, nil
}

// sshReason classifies an SSH parse error without quoting the key.
func sshReason(err error) string {
	s := err.Error()
	if strings.Contains(s, "unsupported") {
		return "unsupported key format; convert it with ssh-keygen -p -f FILE"
	}
	return "damaged or not a key"
}

// multiIdentity tries each identity in turn, as age.Decrypt does with several.
type multiIdentity []age.Identity

func (m multiIdentity) Unwrap(stanzas []*age.Stanza) ([]byte, error) {
	for _, id := range m {
		k, err := id.Unwrap(stanzas)
		if errors.Is(err, age.ErrIncorrectIdentity) {
			continue
		}
		return k, err
	}
	return nil, age.ErrIncorrectIdentity
}

// OpenWith unlocks a vault with an operator's own identity. An identity the
// vault is not encrypted to is ErrNotRecipient, with the public key to ask
// a teammate to add.
func OpenWith(p Paths, id *Identity, o Options) (*Vault, error) {
	o, err := o.normalized()
	if err != nil {
		return nil, err
	}
	if !fileExists(p.Vault) {
		return nil, fmt.Errorf("%w at %s (an --identity opens an existing vault; copy vault.age and recipients.txt from the team's repository)", ErrNotFound, p.Vault)
	}
	idFile, err := readFile(p.Identity)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("reading %s: %w", p.Identity, err)
	}
	v := &Vault{paths: p, opts: o, dec: multiIdentity(id.ids), idFile: idFile, idPublic: id.Public}
	if !fileExists(p.RecipientsFile()) && len(id.ids) == 1 {
		// No recipients.txt: the vault is encrypted to identity.age's key
		// alone, so an X25519 key that opens it is that key.
		v.id, _ = id.ids[0].(*age.X25519Identity)
	}
	doc, err := v.read()
	if errors.Is(err, ErrWrongIdentity) {
		return nil, notRecipient(p, id.Public)
	}
	if err != nil {
		return nil, err
	}
	v.doc = doc
	return v, nil
}
