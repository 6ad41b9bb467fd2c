package steps

import (
	"context"
	"strings"
	"sync"

	"github.com/globus-setup/globus-setup/vault"
)

// Kind says how a value is checked, normalised and shown.
type Kind int

// Kinds of stored values. Zero is not a kind, so a forgotten Kind shows up.
const (
	KindUUID Kind = iota + 1
	KindSecret
	KindText
	KindEmail
	KindDomains
	KindUsernames
	KindDuration
	KindScopeString // set by the scope action, not typed
	KindGroupsPerIdP
)

func (k Kind) String() string {
	switch k {
	case KindUUID:
		return "uuid"
	case KindSecret:
		return "secret"
	case KindText:
		return "text"
	case KindEmail:
		return "email"
	case KindDomains:
		return "domains"
	case KindUsernames:
		return "usernames"
	case KindDuration:
		return "duration"
	case KindScopeString:
		return "scope string"
	case KindGroupsPerIdP:
		return "groups per identity provider"
	}
	return "unknown"
}

// KeySpec describes one stable key of the vault.
type KeySpec struct {
	Key, Label string
	Kind       Kind
	Secret     bool
	Help       string
	// Step is the ID of the step that owns the key.
	Step string
	// Auto keys are written by an automated action, never typed by the operator.
	Auto bool
	// DerivedFrom lists keys this value was made from: when one of them
	// changes, this value is stale and is removed (e.g. the scope belongs to
	// one client ID).
	DerivedFrom []string

	// suggest offers a value while none is stored, and says where it comes
	// from (nil: no suggestion).
	suggest func(doc vault.Doc) (value, from string)
	// precheck refuses, before the kind's validator, what the key can
	// never hold (nil: nothing more).
	precheck func(raw string) error
	// readBack reads from Globus what the value names that is stored
	// beside it (a policy ID: its domains and timeout); nil: nothing.
	readBack *readBack
}

// readBack is how a key's value is read back from Globus.
type readBack struct {
	read   func(ctx context.Context, e *Env, value string) (ReadBack, error)
	doing  string   // what reading it back is, in words
	what   string   // what the value names: "the policy"
	beside []string // what a read-back stores beside it
}

var (
	keySpecsOnce sync.Once
	keySpecsAll  []KeySpec
)

// keySpecs are every step's own keys, in the catalogue's order, built once
// (the catalogue is fixed); callers only read them.
func keySpecs() []KeySpec {
	keySpecsOnce.Do(func() {
		for _, st := range catalogue() {
			keySpecsAll = append(keySpecsAll, st.keys...)
		}
	})
	return keySpecsAll
}

// Keys lists the stable keys in DESIGN.md order, then the default group's keys.
// Other groups' keys exist too (see Spec) but are not listed.
func Keys() []KeySpec {
	specs := keySpecs()
	out := make([]KeySpec, 0, len(specs)+2)
	for _, s := range specs {
		out = append(out, cloneSpec(s))
	}
	id, _ := groupSpec(DefaultGroup, "id")
	members, _ := groupSpec(DefaultGroup, "members")
	return append(out, id, members)
}

// Spec describes key, including groups.<name>.id and groups.<name>.members
// for any valid group name.
func Spec(key string) (KeySpec, bool) {
	for _, s := range keySpecs() {
		if s.Key == key {
			return cloneSpec(s), true
		}
	}
	if name, field, ok := splitGroupKey(key); ok {
		return groupSpec(name, field)
	}
	return KeySpec{}, false
}

// SpecIn is Spec with a group named as the operator knows it: by its
// display name on Globus (GroupShownName), else by its key.
func SpecIn(doc vault.Doc, key string) (KeySpec, bool) {
	if name, field, ok := splitGroupKey(key); ok {
		if shown := GroupShownName(doc, name); shown != "" {
			return groupSpecShown(name, field, shown)
		}
	}
	return Spec(key)
}

// FieldIn is f with its label and help from SpecIn.
func FieldIn(doc vault.Doc, f Field) Field {
	if s, ok := SpecIn(doc, f.Key); ok {
		f.Label, f.Help = s.Label, s.Help
	}
	return f
}

func cloneSpec(s KeySpec) KeySpec {
	s.DerivedFrom = append([]string(nil), s.DerivedFrom...)
	return s
}

// SplitList splits a stored list value (domains, usernames) into its items.
func SplitList(value string) []string {
	return strings.FieldsFunc(value, isListSep)
}

func isListSep(r rune) bool {
	switch r {
	case ',', ';', ' ', '\t', '\n', '\r', '\v', '\f':
		return true
	}
	return false
}
