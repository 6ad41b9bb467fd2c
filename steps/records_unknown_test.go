package steps

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// newerField is what a newer globus-setup might add to a record.
const newerField = `"from_a_newer_version":{"kept":true}`

// plantField adds newerField to the JSON record at Internal key (and, with
// path, to the object at that path inside it), as a newer version wrote it.
func plantField(t *testing.T, v *vault.Vault, key string, path ...string) {
	t.Helper()
	err := v.Update(func(d *vault.Doc) error {
		var rec map[string]any
		if err := json.Unmarshal([]byte(d.Internal[key]), &rec); err != nil {
			return err
		}
		obj := rec
		for _, p := range path {
			next, ok := obj[p].(map[string]any)
			if !ok {
				return errors.New("no object " + p)
			}
			obj = next
		}
		obj["from_a_newer_version"] = map[string]any{"kept": true}
		b, _ := json.Marshal(rec)
		d.Internal[key] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func internalHas(t *testing.T, v *vault.Vault, key string) bool {
	t.Helper()
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	raw, _ := v.Internal(key)
	return strings.Contains(raw, newerField)
}

// A rotation record rewritten as the rotation moves on keeps a newer
// version's field.
func TestRotationRecordKeepsUnknownFields(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	key := rotationKey("service_api")
	plantField(t, w.e.Vault, key)
	stopped := errors.New("stopped")
	rotateStop = func(s string) error {
		if s == "deleting" {
			return stopped
		}
		return nil
	}
	t.Cleanup(func() { rotateStop = func(string) error { return nil } })
	if _, err := FinishRotation(ctx, w.e, "service_api"); !errors.Is(err, stopped) {
		t.Fatalf("err = %v", err)
	}
	if r, _ := rotationIn(w.e.Vault.Doc(), "service_api"); r.Phase != RotateDeleting {
		t.Fatalf("phase %q", r.Phase)
	}
	if !internalHas(t, w.e.Vault, key) {
		t.Error("the rotation record lost the newer version's field")
	}
}

// The login record, and its token's entry, keep theirs when a token Globus
// ended early is renewed and stored.
func TestLoginRecordKeepsUnknownFields(t *testing.T) {
	w := newWorld(t)
	w.login()
	plantField(t, w.e.Vault, OperatorTokensKey)
	plantField(t, w.e.Vault, OperatorTokensKey, "tokens", AuthResourceServer)
	ended := w.storedAccessToken(AuthResourceServer)
	w.srv.EndAccessTokens(operator)
	ctx := context.Background()
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.e.Globus.ListProjects(ctx, auth); err != nil {
		t.Fatal(err)
	}
	if w.storedAccessToken(AuthResourceServer) == ended {
		t.Fatal("not renewed")
	}
	raw, _ := w.e.Vault.Internal(OperatorTokensKey)
	if n := strings.Count(raw, newerField); n != 2 {
		t.Errorf("%d of the 2 planted fields kept: %s", n, strings.ReplaceAll(raw, w.storedAccessToken(AuthResourceServer), "…"))
	}
}

// A secret's facts rewritten for the same credential keep a newer field;
// facts about another credential start afresh.
func TestSecretMetaKeepsUnknownFieldsForTheSameCredential(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	key := secretMetaPrefix + "service_api"
	plantField(t, w.e.Vault, key)
	if _, err := FinishRotation(ctx, w.e, "service_api"); err != nil {
		t.Fatal(err)
	}
	if !internalHas(t, w.e.Vault, key) {
		t.Error("the secret's facts lost the newer field when rewritten for the same credential")
	}
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	if internalHas(t, w.e.Vault, key) {
		t.Error("a new credential's facts carry the old one's field")
	}
}

// An intent recorded again for the same call keeps a newer field; one for
// another call starts afresh.
func TestApplyIntentKeepsUnknownFieldsForTheSameCall(t *testing.T) {
	w := newWorld(t)
	p := &planner{e: w.e}
	key := intentKey(projectID, whatProject)
	ctx := context.Background()
	if err := p.writeIntent(ctx, key, applyIntent{Name: "Inference Gateway"}); err != nil {
		t.Fatal(err)
	}
	plantField(t, w.e.Vault, key)
	if err := p.writeIntent(ctx, key, applyIntent{Name: "Inference Gateway"}); err != nil {
		t.Fatal(err)
	}
	if !internalHas(t, w.e.Vault, key) {
		t.Error("the same call's intent lost the newer field")
	}
	if got := readIntents(w.e.Vault.Doc().Internal)[key]; got.Name != "Inference Gateway" {
		t.Errorf("intent read back as %+v", got)
	}
	if err := p.writeIntent(ctx, key, applyIntent{Name: "Another Gateway"}); err != nil {
		t.Fatal(err)
	}
	if internalHas(t, w.e.Vault, key) {
		t.Error("another call's intent carries the old one's field")
	}
}
