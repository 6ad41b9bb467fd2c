package vault

import (
	"encoding/json"
	"fmt"
	"testing"
)

// BenchmarkDecodeDoc is the plaintext half of every read (each unlock, and
// each save's re-read): ~30 values, the six steps and some internal keys.
func BenchmarkDecodeDoc(b *testing.B) {
	d := newDoc()
	for i := range 30 {
		d.Values[fmt.Sprintf("groups.g%d.id", i)] = "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"
	}
	for _, s := range []string{"project", "service_api", "service_account", "public_client", "policy", "groups"} {
		d.Steps[s] = StepRecord{State: "done", UpdatedAt: now().UTC()}
		d.Internal["secret."+s] = `{"credential_id":"6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"}`
	}
	plain, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(plain)))
	for b.Loop() {
		if _, err := decodeDoc(plain); err != nil {
			b.Fatal(err)
		}
	}
}
