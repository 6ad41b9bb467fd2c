package tui

import (
	"strings"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// Values typed or pasted into a form but not saved are lost at quit, and
// Globus shows a client secret once: quitting asks first, naming them
// (secrets masked), and offers to store the ones that validate.

// unsavedValue is one field whose text differs from what the vault holds.
type unsavedValue struct {
	label, key, value string
	secret            bool
	// storable: a step's value that validates, which s stores as
	// `globus-setup set` would (the set-up form's inputs are a plan's,
	// stored only by carrying it out).
	storable bool
}

// shown names the value with its text, a secret masked.
func (u unsavedValue) shown() string {
	v := u.value
	switch {
	case u.secret:
		v = "••••••••"
	case len([]rune(v)) > 24:
		v = string([]rune(v)[:23]) + "…"
	}
	return u.label + " (" + termsafe.Line(v) + ")"
}

// unsaved lists the step forms' and the set-up form's values that are not
// in the vault: typed, pasted, or changed from a suggestion.
func (s *shellModel) unsaved() []unsavedValue {
	var out []unsavedValue
	for _, st := range s.cat {
		p, ok := s.stepsPg[st.ID]
		if !ok {
			continue
		}
		for _, f := range p.fields {
			v := strings.TrimSpace(inputValue(f.in))
			stored := s.doc.Values[f.f.Key]
			if v == "" || v == stored || (stored == "" && v == f.suggested && !f.touched) {
				continue
			}
			_, err := steps.Validate(f.f.Key, v)
			out = append(out, unsavedValue{label: f.f.Label, key: f.f.Key, value: v, secret: f.f.Secret, storable: err == nil})
		}
	}
	if su := s.setup; su.loaded {
		for _, f := range su.all() {
			v := strings.TrimSpace(inputValue(f.in))
			carried := su.applied.ok && su.values[f.s.Key] == v // the set-up was carried out with it
			if f.touched && v != "" && v != f.s.Value && !carried {
				out = append(out, unsavedValue{label: "set-up form's " + f.s.Label, key: f.s.Key, value: v})
			}
		}
	}
	return out
}

// storeUnsaved stores the values that validate, each on its own so one
// the vault refuses keeps none of the others back; it returns the labels
// stored and those left.
func (s *shellModel) storeUnsaved(vals []unsavedValue) (stored []string, left []unsavedValue) {
	for _, u := range vals {
		if u.storable && steps.SetValue(s.m.vault, u.key, u.value) == nil {
			stored = append(stored, u.label)
			continue
		}
		left = append(left, u)
	}
	if len(stored) > 0 {
		s.refresh()
	}
	return stored, left
}

func storableCount(vals []unsavedValue) int {
	n := 0
	for _, u := range vals {
		if u.storable {
			n++
		}
	}
	return n
}

func unsavedNames(vals []unsavedValue) string {
	names := make([]string, len(vals))
	for i, u := range vals {
		names[i] = u.shown()
	}
	return strings.Join(names, ", ")
}
