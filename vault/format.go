package vault

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// A Doc holds client secrets and the operator's tokens, and a Vault holds a
// Doc: printed with any fmt verb they show key names, never values. Without
// these methods a %v in a log line or an error would print every secret.

// String lists the document's keys and steps, without their values.
func (d Doc) String() string {
	return "vault.Doc{Version: " + strconv.Itoa(d.Version) +
		", Values: " + keyList(d.Values) +
		", Steps: " + strconv.Itoa(len(d.Steps)) +
		", Internal: " + keyList(d.Internal) +
		", UpdatedAt: " + d.UpdatedAt.UTC().Format(time.RFC3339) + "}"
}

// GoString is String: %#v must not print the values either.
func (d Doc) GoString() string { return d.String() }

// Format prints String for every verb (%v, %+v, %#v, %s, %q, %x...).
func (d Doc) Format(f fmt.State, verb rune) { formatSafe(f, verb, d.String()) }

// String names the vault's file; the document and key stay unprinted.
func (v *Vault) String() string {
	if v == nil {
		return "vault.Vault(nil)"
	}
	return "vault.Vault{" + v.paths.Vault + "}"
}

// GoString is String.
func (v *Vault) GoString() string { return v.String() }

// Format prints String for every verb.
func (v *Vault) Format(f fmt.State, verb rune) { formatSafe(f, verb, v.String()) }

func formatSafe(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = fmt.Fprint(f, s)
}

// keyList is "[a b c]": the sorted keys of m.
func keyList[V any](m map[string]V) string {
	return "[" + strings.Join(sortedKeys(m), " ") + "]"
}
