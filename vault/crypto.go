package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"filippo.io/age"
)

// maxFileSize bounds what we read and decrypt, so a damaged or hostile file
// cannot exhaust memory. A real vault is a few KiB.
const maxFileSize = 16 << 20

// now is the clock; tests may replace it.
var now = time.Now

// errNoMatch: the file is encrypted, but not to the identity we hold.
var errNoMatch = errors.New("not encrypted to this vault's identity")

// encryptIdentity returns identity.age: the identity in the age-keygen text
// format (what `age -i` parses), encrypted to the passphrase. This is where the
// one scrypt derivation of Create is paid.
func encryptIdentity(id *age.X25519Identity, pass []byte, workFactor int) ([]byte, error) {
	defer freeScrypt()
	// age keeps its own copy of the passphrase; the string conversion is
	// unavoidable with its API and the caller zeroes its slice.
	r, err := age.NewScryptRecipient(string(pass))
	if err != nil {
		return nil, ErrEmptyPassphrase
	}
	r.SetWorkFactor(workFactor)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		return nil, fmt.Errorf("encrypting the identity: %w", err)
	}
	text := []byte(fmt.Sprintf("# globus-setup vault identity, created %s\n# public key: %s\n%s\n",
		now().UTC().Format(time.RFC3339), id.Recipient(), id))
	defer clear(text)
	if _, err := w.Write(text); err != nil {
		return nil, fmt.Errorf("encrypting the identity: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting the identity: %w", err)
	}
	return buf.Bytes(), nil
}

// decryptIdentity opens identity.age with the passphrase (one scrypt run). It
// returns ErrWrongPassphrase, a *CorruptError naming file, or the identity.
func decryptIdentity(file string, data, pass []byte) (*age.X25519Identity, error) {
	defer freeScrypt()
	corrupt := func(reason string) error { return &CorruptError{File: file, Reason: reason} }
	if len(pass) == 0 {
		return nil, ErrEmptyPassphrase
	}
	if len(data) > maxFileSize {
		return nil, corrupt("file too large")
	}
	si, err := age.NewScryptIdentity(string(pass))
	if err != nil {
		return nil, ErrEmptyPassphrase
	}
	si.SetMaxWorkFactor(MaxWorkFactor)
	r, err := age.Decrypt(bytes.NewReader(data), si)
	if err != nil {
		// age reports a wrong passphrase as a NoIdentityMatchError over the
		// single scrypt stanza, wrapping ErrIncorrectIdentity. Any other
		// stanza set means the file is not passphrase-encrypted: damage.
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			if len(nm.StanzaTypes) == 1 && nm.StanzaTypes[0] == "scrypt" && errors.Is(err, age.ErrIncorrectIdentity) {
				return nil, ErrWrongPassphrase
			}
			return nil, corrupt("not encrypted with a passphrase")
		}
		return nil, corrupt(ageReason(err))
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileSize))
	defer clear(plain)
	if err != nil {
		return nil, corrupt(ageReason(err))
	}
	return parseOneIdentity(plain, func(reason string) error { return corrupt(reason) })
}

// parseOneIdentity parses the age identity file format and wants exactly one
// X25519 identity. Reasons never quote the input (it is key material).
func parseOneIdentity(text []byte, fail func(reason string) error) (*age.X25519Identity, error) {
	ids, err := age.ParseIdentities(bytes.NewReader(text))
	if err != nil {
		return nil, fail("does not hold an age identity")
	}
	if len(ids) != 1 {
		return nil, fail(fmt.Sprintf("holds %d identities, expected one", len(ids)))
	}
	id, ok := ids[0].(*age.X25519Identity)
	if !ok {
		return nil, fail("holds an identity that is not X25519")
	}
	return id, nil
}

// ageReason turns an age error into a short reason. age's own messages may
// quote bytes of the file (its header parser does), and the file might hold
// anything, so they are classified, never passed on.
func ageReason(err error) string {
	s := err.Error()
	switch {
	case strings.Contains(s, "failed to read header"):
		return "not an age file, or its header is truncated or damaged"
	case strings.Contains(s, "header MAC"):
		return "its header was altered"
	case strings.Contains(s, "nonce"), strings.Contains(s, "payload"), strings.Contains(s, "chunk"),
		strings.Contains(s, "EOF"), strings.Contains(s, "trailing"):
		return "truncated or altered: the encrypted data does not authenticate"
	default:
		return "cannot be decrypted"
	}
}

// encryptDoc returns vault.age's bytes: the JSON document encrypted to every
// r. Plaintext exists only in memory and is zeroed after use.
func encryptDoc(d Doc, r ...age.Recipient) ([]byte, error) {
	plain, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding the vault document: %w", err)
	}
	defer clear(plain)
	buf := bytes.NewBuffer(make([]byte, 0, len(plain)+256))
	w, err := age.Encrypt(buf, r...)
	if err != nil {
		return nil, fmt.Errorf("encrypting the vault: %w", err)
	}
	if _, err := w.Write(plain); err != nil {
		return nil, fmt.Errorf("encrypting the vault: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("encrypting the vault: %w", err)
	}
	return buf.Bytes(), nil
}

// decryptDoc decrypts and decodes vault.age. Errors: errNoMatch (encrypted to
// another key), ErrNewerFormat (wrapped), *BadKeyError or *CorruptError.
func decryptDoc(file string, data []byte, id age.Identity) (Doc, error) {
	corrupt := func(reason string) error { return &CorruptError{File: file, Reason: reason} }
	if len(data) > maxFileSize {
		return Doc{}, corrupt("file too large")
	}
	r, err := age.Decrypt(bytes.NewReader(data), id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return Doc{}, errNoMatch
		}
		return Doc{}, corrupt(ageReason(err))
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileSize))
	defer clear(plain)
	if err != nil {
		return Doc{}, corrupt(ageReason(err))
	}
	d, err := decodeDoc(plain)
	var bk *BadKeyError
	switch {
	case errors.Is(err, ErrNewerFormat):
		return Doc{}, fmt.Errorf("%s: %w", file, err)
	case errors.As(err, &bk):
		bk.File = file
		return Doc{}, bk
	case err != nil:
		return Doc{}, corrupt(err.Error())
	}
	return d, nil
}

// decodeDoc parses the plaintext document. The version is read first, on its
// own, so a newer document whose shape changed is reported as newer, not as
// damage. Errors never quote the input (it holds secrets).
func decodeDoc(plain []byte) (Doc, error) {
	var head struct {
		Version *json.Number `json:"version"`
	}
	if err := json.Unmarshal(plain, &head); err != nil {
		return Doc{}, errors.New("the decrypted document is not valid JSON")
	}
	if head.Version == nil {
		return Doc{}, errors.New("the decrypted document has no version")
	}
	v, err := head.Version.Int64()
	if err != nil || v < 1 {
		return Doc{}, errors.New("the decrypted document has an invalid version")
	}
	if v > FormatVersion {
		return Doc{}, fmt.Errorf("%w (format %d; this build reads up to %d): upgrade globus-setup; the file was not changed", ErrNewerFormat, v, FormatVersion)
	}
	var d Doc
	if err := json.Unmarshal(plain, &d); err != nil {
		return Doc{}, errors.New("the decrypted document has an unexpected shape")
	}
	if err := checkDocKeys(d); err != nil {
		return Doc{}, err
	}
	return d.Clone(), nil
}

// freeScrypt hands scrypt's working memory (128·r·N bytes: 256 MiB at work
// factor 18) back to the operating system as soon as a derivation ends.
// Left to the garbage collector it stays resident for minutes, and a second
// derivation (a passphrase typed again after a wrong one) stacks on top of
// it: measured 542 MB peak and resident before, about 270 MB peak and
// 20 MB resident after.
func freeScrypt() { debug.FreeOSMemory() }
