package vault

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
)

// A teammate may run a newer globus-setup that adds fields to the document
// or to a step's record. Within one FormatVersion (a change an older build
// cannot read bumps it), this build keeps the fields it does not know as
// they were and writes them back, so a save here never loses another
// version's data. Unknown fields are opaque here: never read, never shown.

// docFields and stepFields are Doc and StepRecord without their methods:
// the plain encoding, for the known fields.
type (
	docFields  Doc
	stepFields StepRecord
)

var (
	docFieldNames  = jsonFieldNames(reflect.TypeFor[Doc]())
	stepFieldNames = jsonFieldNames(reflect.TypeFor[StepRecord]())
)

// MarshalJSON writes the known fields, then the unknown ones kept.
func (d Doc) MarshalJSON() ([]byte, error) { return marshalKeeping(docFields(d), d.unknown) }

// UnmarshalJSON reads the known fields and keeps the others.
func (d *Doc) UnmarshalJSON(b []byte) error {
	var f docFields
	unknown, err := unmarshalKeeping(b, &f, docFieldNames)
	if err != nil {
		return err
	}
	*d = Doc(f)
	d.unknown = unknown
	return nil
}

// MarshalJSON writes the known fields, then the unknown ones kept.
func (r StepRecord) MarshalJSON() ([]byte, error) {
	return marshalKeeping(stepFields(r), r.unknown)
}

// UnmarshalJSON reads the known fields and keeps the others.
func (r *StepRecord) UnmarshalJSON(b []byte) error {
	var f stepFields
	unknown, err := unmarshalKeeping(b, &f, stepFieldNames)
	if err != nil {
		return err
	}
	*r = StepRecord(f)
	r.unknown = unknown
	return nil
}

// keepUnknown carries the unknown fields of was (the document as read) over
// to d (as an Update leaves it): a record this build replaces, say a step's
// new state, keeps what a newer build added to it.
func keepUnknown(d *Doc, was Doc) {
	if d.unknown == nil {
		d.unknown = was.unknown
	}
	for id, rec := range d.Steps {
		if old, ok := was.Steps[id]; ok && rec.unknown == nil && old.unknown != nil {
			rec.unknown = old.unknown
			d.Steps[id] = rec
		}
	}
}

func marshalKeeping(known any, unknown map[string]json.RawMessage) ([]byte, error) {
	b, err := json.Marshal(known)
	if err != nil || len(unknown) == 0 {
		return b, err
	}
	// b is an object: add the unknown fields before its closing brace.
	out := bytes.NewBuffer(make([]byte, 0, len(b)+64*len(unknown)))
	out.Write(b[:len(b)-1])
	empty := len(b) == 2 // "{}"
	for _, name := range sortedKeys(unknown) {
		if !empty {
			out.WriteByte(',')
		}
		empty = false
		q, _ := json.Marshal(name)
		out.Write(q)
		out.WriteByte(':')
		out.Write(unknown[name])
	}
	out.WriteByte('}')
	return out.Bytes(), nil
}

// unmarshalKeeping decodes b into known and returns b's other fields (nil
// if none). A name encoding/json matches to a known field (it ignores case)
// is not kept: it was read.
func unmarshalKeeping(b []byte, known any, names []string) (map[string]json.RawMessage, error) {
	if err := json.Unmarshal(b, known); err != nil {
		return nil, err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return nil, err
	}
	var unknown map[string]json.RawMessage
	for name, raw := range all {
		if slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, name) }) {
			continue
		}
		if unknown == nil {
			unknown = map[string]json.RawMessage{}
		}
		unknown[name] = raw
	}
	return unknown, nil
}

// jsonFieldNames lists the JSON names of t's exported fields.
func jsonFieldNames(t reflect.Type) []string {
	var names []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		names = append(names, name)
	}
	return names
}
