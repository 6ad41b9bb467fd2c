package vault

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"filippo.io/age"
)

// newerDoc is a document as a newer globus-setup of the same format might
// write it: a top-level field, a field in a step's record, and a field in a
// record this build replaces, all unknown here.
const newerDoc = `{
  "version": 1,
  "values": {"project.name": "Gateway"},
  "steps": {
    "project": {"state": "done", "updated_at": "2026-11-25T12:00:00Z", "verified_by": "alice@anl.gov", "checks": [1, {"deep": null}]},
    "policy": {"state": "pending", "updated_at": "2026-11-25T12:00:00Z", "reason": "waiting"}
  },
  "internal": {"env.target": "/srv/gateway/.env"},
  "updated_at": "2026-11-25T12:00:00Z",
  "writer": "%WRITER%",
  "recipients": ["%RECIPIENT%"],
  "history": [{"at": "2026-11-24T09:00:00Z", "what": "created by v2"}],
  "gateway": {"url": "https://gateway.example.org", "port": 8000}
}`

func plantJSON(t *testing.T, v *Vault, doc string) {
	t.Helper()
	doc = strings.NewReplacer("%WRITER%", writerID(v.paths), "%RECIPIENT%", v.id.Recipient().String()).Replace(doc)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, v.id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte(doc))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	mustWrite(t, v.paths.Vault, buf.Bytes(), 0o600)
}

// plainFields is vault.age's plaintext, decrypted with the stock library,
// as generic JSON.
func plainFields(t *testing.T, v *Vault) map[string]any {
	t.Helper()
	plain, err := stockDecrypt(t, v.paths.Vault, v.id)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(plain), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func wantField(t *testing.T, what string, got map[string]any, name string, want any) {
	t.Helper()
	if !reflect.DeepEqual(got[name], want) {
		t.Errorf("after %s, %s = %#v, want %#v (kept as the newer version wrote it)", what, name, got[name], want)
	}
}

// Every way this build saves keeps the fields it does not know, top-level
// and in step records, as they were; the ones it knows it still changes.
func TestUnknownFieldsKept(t *testing.T) {
	var newer map[string]any
	if err := json.Unmarshal([]byte(newerDoc), &newer); err != nil {
		t.Fatal(err)
	}
	project := newer["steps"].(map[string]any)["project"].(map[string]any)
	policy := newer["steps"].(map[string]any)["policy"].(map[string]any)
	alice, _ := age.GenerateX25519Identity()
	rs, err := ParseRecipientArgs([]string{alice.Recipient().String() + " alice"}, nil)
	if err != nil {
		t.Fatal(err)
	}

	v, _ := newTestVault(t)
	plantJSON(t, v, newerDoc)
	if err := v.Reload(); err != nil {
		t.Fatalf("a newer document of the same format does not open: %v", err)
	}
	for _, save := range []struct {
		what string
		do   func() error
	}{
		{"Set", func() error { return v.Set("project.id", "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b") }},
		{"SetStep replacing a record", func() error { return v.SetStep("project", StepRecord{State: "verified"}) }},
		{"Update replacing a record", func() error {
			return v.Update(func(d *Doc) error { d.Steps["policy"] = StepRecord{State: "done"}; return nil })
		}},
		{"SetInternal", func() error { return v.SetInternal("env.target", "") }},
		{"AddRecipients", func() error { _, err := v.AddRecipients(rs); return err }},
		{"Delete", func() error { return v.Delete("project.id") }},
	} {
		if err := save.do(); err != nil {
			t.Fatalf("%s: %v", save.what, err)
		}
		got := plainFields(t, v)
		wantField(t, save.what, got, "history", newer["history"])
		wantField(t, save.what, got, "gateway", newer["gateway"])
		steps := got["steps"].(map[string]any)
		for _, f := range []string{"verified_by", "checks"} {
			wantField(t, save.what+" (steps.project)", steps["project"].(map[string]any), f, project[f])
		}
		wantField(t, save.what+" (steps.policy)", steps["policy"].(map[string]any), "reason", policy["reason"])
	}
	// What this build knows it wrote.
	d := v.Doc()
	if d.Steps["project"].State != "verified" || d.Steps["policy"].State != "done" || d.Internal["env.target"] != "" || len(d.Recipients) != 2 {
		t.Errorf("the known fields were not saved: %v %+v", d, d.Steps)
	}
	// And the next build to open it reads the same.
	if _, err := Open(v.paths, testPass, testOpts()); err != nil {
		t.Fatal(err)
	}
}

// A field encoding/json reads into a known one (it ignores case) is not
// also kept, so a save cannot write it twice.
func TestUnknownFieldsNotKnownTwice(t *testing.T) {
	var d Doc
	if err := json.Unmarshal([]byte(`{"version":1,"Values":{"a":"b"},"steps":{"p":{"STATE":"done","x":1}},"y":2}`), &d); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%s: %v", out, err)
	}
	if _, twice := m["Values"]; twice || string(m["y"]) != "2" || d.Values["a"] != "b" {
		t.Errorf("got %s", out)
	}
	if !strings.Contains(string(m["steps"]), `"state":"done"`) || strings.Contains(string(m["steps"]), "STATE") || !strings.Contains(string(m["steps"]), `"x":1`) {
		t.Errorf("steps: %s", m["steps"])
	}
}
