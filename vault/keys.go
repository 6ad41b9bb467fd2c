package vault

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// A team vault's document can be written by anyone who can commit to its
// repository (it is encrypted to public keys), and its key names are shown
// on screens. So every key of a document (values, steps, internal) must be
// of one plain syntax, which everything globus-setup writes satisfies
// (steps.Keys and groups.<name>.*, the step IDs, the internal keys: see
// steps' key syntax test); a document with any other key is refused
// whole when it is read, and never written.

// MaxKeyLength bounds a key name, in bytes.
const MaxKeyLength = 128

// KeySyntax says what a key may be, for messages.
const KeySyntax = "lower-case letters, digits, '_', '-' and '.' (at most 128)"

// CheckKey reports whether key is of the key syntax.
func CheckKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	if !validKey(key) {
		return fmt.Errorf("key %s is not a vault key (%s)", quoteKey(key), KeySyntax)
	}
	return nil
}

func validKey(key string) bool {
	if key == "" || len(key) > MaxKeyLength {
		return false
	}
	partStart := true
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '_' || c == '-':
			if partStart {
				return false
			}
		case c == '.':
			if partStart {
				return false // a leading '.' or ".."
			}
			partStart = true
			continue
		default:
			return false
		}
		partStart = false
	}
	return !partStart // no trailing '.'
}

// quoteKey shows a key from a document in an error: Go-quoted with every
// byte outside printable ASCII escaped (so an escape sequence or a
// text-direction mark in it is seen, never obeyed), and cut if long.
func quoteKey(key string) string {
	const show = 80
	if len(key) > show {
		return strconv.QuoteToASCII(key[:show]) + fmt.Sprintf("… (%d bytes)", len(key))
	}
	return strconv.QuoteToASCII(key)
}

// BadKeyError: vault.age holds a key that is not of the key syntax, so it
// was not opened. The file is left as it is; --force does not touch it
// either (it is not damage: the rest of the document may be sound).
type BadKeyError struct {
	File  string
	Where string // "values", "steps" or "internal"
	Key   string // as found; Error shows it quoted and escaped
	More  int    // how many other keys are bad too
}

func (e *BadKeyError) Error() string {
	more := ""
	if e.More > 0 {
		more = fmt.Sprintf(" (and %d more)", e.More)
	}
	return fmt.Sprintf("%s was not opened, and nothing was changed: it holds the %s key %s%s, which globus-setup never writes. "+
		"Someone may have tampered with it (anyone who can commit to a team vault can write it): restore a good copy from git (git log -p %s)",
		e.File, e.Where, quoteKey(e.Key), more, e.File)
}

// checkDocKeys returns a *BadKeyError (File unset) for the first bad key
// of d, in a stable order, or nil.
func checkDocKeys(d Doc) error {
	var bad *BadKeyError
	note := func(where, key string) {
		if validKey(key) {
			return
		}
		if bad == nil {
			bad = &BadKeyError{Where: where, Key: key}
		} else {
			bad.More++
		}
	}
	for _, k := range sortedKeys(d.Values) {
		note("values", k)
	}
	for _, k := range sortedKeys(d.Steps) {
		note("steps", k)
	}
	for _, k := range sortedKeys(d.Internal) {
		note("internal", k)
	}
	if bad == nil {
		return nil
	}
	return bad
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
