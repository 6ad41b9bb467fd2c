package steps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Problem is an operation's failure in the operator's words: what is wrong
// and what to do. It never holds a secret. Hint() lets callers treat it like
// a *globus.Error (globus.Hint finds it).
type Problem struct {
	What string // what is wrong
	Do   Advice // what to do next
	Err  error  // the cause, if any (for errors.Is/As)
	is   error  // a sentinel this Problem also is (e.g. ErrNotLoggedIn)
}

// Is lets errors.Is find the Problem's sentinel.
func (p *Problem) Is(target error) bool { return p.is != nil && target == p.is }

func (p *Problem) Error() string {
	if p.Err != nil && p.What == "" {
		return p.Err.Error()
	}
	if p.Err != nil {
		return p.What + ": " + p.Err.Error()
	}
	return p.What
}

// Hint says what to do next: the Problem's own advice, else its cause's.
func (p *Problem) Hint() string {
	if !p.Do.Empty() {
		return p.Do.String()
	}
	return globus.Hint(p.Err)
}

func (p *Problem) Unwrap() error { return p.Err }

// Hint is globus.Hint for errors of this package too.
func Hint(err error) string { return globus.Hint(err) }

// problem wraps err with what was being done; a Problem or Globus error
// keeps its own hint.
func problem(what string, err error) error {
	if err == nil {
		return nil
	}
	return &Problem{What: what, Err: err}
}

func checkEnv(e *Env) error {
	switch {
	case e == nil || e.Vault == nil:
		return errors.New("no vault open")
	case e.Globus == nil:
		return errors.New("no Globus client")
	}
	return nil
}

// progress writes one line to e.Out, if set.
func (e *Env) progress(format string, args ...any) {
	if e != nil && e.Out != nil {
		fmt.Fprintf(e.Out, format+"\n", args...)
	}
}

// value reads a stored value from the vault's last read document.
func value(v *vault.Vault, key string) string {
	s, _ := v.Get(key)
	return strings.TrimSpace(s)
}

// trimmed is a stored value without blanks around it.
func trimmed(doc vault.Doc, key string) string { return strings.TrimSpace(doc.Values[key]) }

// storedCredentials returns an app's stored ID and secret, or a Problem
// saying which is missing and how to store it.
func storedCredentials(v *vault.Vault, k appKind) (globus.Credentials, error) {
	prefix, label := k.step, k.name
	id, secret := value(v, prefix+".client_id"), value(v, prefix+".client_secret")
	var miss []string
	if id == "" {
		miss = append(miss, prefix+".client_id")
	}
	if secret == "" {
		miss = append(miss, prefix+".client_secret")
	}
	if len(miss) > 0 {
		return globus.Credentials{}, &Problem{
			What: "the " + label + " app's " + strings.Join(miss, " and ") + " is not stored yet",
			Do:   Say("store it with ", setKey(miss[0]), wordsFor(" (or in the wizard's "+label+" step)", "", "")),
		}
	}
	return globus.Credentials{ID: id, Secret: secret}, nil
}

// ShortID shortens a UUID for one-line reports: "1b2c3d4e…".
func ShortID(id string) string {
	if len(id) <= 9 {
		return id
	}
	return id[:8] + "…"
}
