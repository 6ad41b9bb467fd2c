package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"filippo.io/age"
)

func FuzzDecodeDoc(f *testing.F) {
	for _, s := range []string{
		`{"version":1,"values":{"a":"b"},"steps":{"project":{"state":"done","updated_at":"2026-11-25T12:00:00Z"}},"updated_at":"2026-11-25T12:00:00Z"}`,
		`{"version":1}`, `{"version":2}`, `{"version":0}`, `{"version":"1"}`, `{"version":1e400}`,
		`{"version":1,"values":null,"steps":[]}`, `null`, `[]`, `{`, ``, "\xff",
		`{"version":1,"values":{"a\u001b]0;x\u0007":"b"}}`, `{"version":1,"steps":{"p":{"state":"done","new":[1]}},"newer":{}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decodeDoc(data)
		if err != nil {
			return
		}
		if d.Version < 1 || d.Version > FormatVersion || d.Values == nil || d.Steps == nil || d.Internal == nil || checkDocKeys(d) != nil {
			t.Fatalf("accepted a bad document: %+v", d)
		}
		// What it saves reads back the same, unknown fields included.
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("does not encode back: %v", err)
		}
		d2, err := decodeDoc(again)
		if err != nil {
			t.Fatalf("its encoding %s does not decode: %v", again, err)
		}
		if third, err := json.Marshal(d2); err != nil || !bytes.Equal(third, again) {
			t.Fatalf("not stable: %s then %s (%v)", again, third, err)
		}
	})
}

// FuzzDecryptVault feeds arbitrary bytes to the vault.age path: it must never
// panic, and fail only with the documented errors.
func FuzzDecryptVault(f *testing.F) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		f.Fatal(err)
	}
	good, err := encryptDoc(newDoc(), id.Recipient())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append(bytes.Clone(good), 'x'))
	f.Add([]byte("age-encryption.org/v1\n-> X25519 abc\n--- def\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := decryptDoc("vault.age", data, id)
		var ce *CorruptError
		var bk *BadKeyError
		switch {
		case err == nil:
			if d.Version != FormatVersion || d.Values == nil {
				t.Fatalf("bad doc %+v", d)
			}
		case errors.As(err, &ce), errors.As(err, &bk), errors.Is(err, errNoMatch), errors.Is(err, ErrNewerFormat):
		default:
			t.Fatalf("undocumented error %T: %v", err, err)
		}
	})
}
