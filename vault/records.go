package vault

import (
	"encoding/json"
	"reflect"
	"sync"
)

// Records of other packages kept in the document's internal values (JSON
// in a string: a rotation in progress, a login) follow the same rule as
// the document's own fields (unknown.go): fields this build does not know
// are kept and written back. These helpers give them the vault's encoding.

// Unknown holds a JSON record's fields this build does not know, as they
// were read. Opaque: never read, never shown, only written back.
type Unknown map[string]json.RawMessage

var fieldNames sync.Map // reflect.Type → []string

// DecodeKeeping decodes the JSON object b into known (a struct) and
// returns b's other fields (nil when there are none).
func DecodeKeeping[T any](b []byte, known *T) (Unknown, error) {
	t := reflect.TypeFor[T]()
	names, ok := fieldNames.Load(t)
	if !ok {
		names, _ = fieldNames.LoadOrStore(t, jsonFieldNames(t))
	}
	return unmarshalKeeping(b, known, names.([]string))
}

// EncodeKeeping encodes known (a struct), then the unknown fields kept.
func EncodeKeeping(known any, unknown Unknown) ([]byte, error) {
	return marshalKeeping(known, unknown)
}
