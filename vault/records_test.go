package vault

import (
	"encoding/json"
	"testing"
)

type recordForTest struct {
	Name string `json:"name"`
}

// A record decoded and encoded again keeps the fields it does not know.
func TestRecordKeepsUnknownFields(t *testing.T) {
	var r recordForTest
	unknown, err := DecodeKeeping([]byte(`{"name":"a","later":{"x":[1,2]},"Name2":true}`), &r)
	if err != nil || r.Name != "a" || len(unknown) != 2 {
		t.Fatalf("%+v %v %v", r, unknown, err)
	}
	r.Name = "b"
	b, err := EncodeKeeping(r, unknown)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil || back["name"] != "b" || back["Name2"] != true || back["later"] == nil {
		t.Errorf("%s %v", b, err)
	}
	if _, err := DecodeKeeping([]byte(`[1]`), &r); err == nil {
		t.Error("a list decoded as a record")
	}
}
