package steps

import (
	"context"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// The vault refuses a document with a key outside its syntax (a team
// vault's document may be written by anyone who can commit, and its keys
// are shown). So every key globus-setup writes must be of it: the values,
// the step IDs and the internal keys.
func TestEveryKeyWrittenIsOfTheVaultSyntax(t *testing.T) {
	var keys []string
	for _, s := range keySpecs() {
		keys = append(keys, s.Key)
	}
	longest := "g" + strings.Repeat("x", 31)
	for _, name := range []string{DefaultGroup, longest, "a-b_9"} {
		if !ValidGroupName(name) {
			t.Fatalf("%q is not a group name", name)
		}
		for _, field := range []string{"id", "members"} {
			s, ok := groupSpec(name, field)
			if !ok {
				t.Fatalf("no spec for groups.%s.%s", name, field)
			}
			keys = append(keys, s.Key)
		}
	}
	for _, s := range Catalogue() {
		keys = append(keys, s.ID)
		for _, what := range []string{"project", "app", "client secret", "policy"} {
			keys = append(keys, intentKey(s.ID, what))
		}
	}
	keys = append(keys, OperatorTokensKey, EnvTargetKey)
	for _, app := range RotatableApps {
		keys = append(keys, secretMetaPrefix+app, rotationKey(app), rotationKey(app)+oldSecretPart)
	}
	for _, k := range keys {
		if err := vault.CheckKey(k); err != nil {
			t.Errorf("globus-setup writes %q: %v", k, err)
		}
	}

	// And a real run writes no other: apply, then a rotation left waiting
	// for the gateway's restart (its record and the old secret kept).
	w, _ := newRotateWorld(t)
	if _, err := Rotate(context.Background(), w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := w.e.Vault.Doc()
	if len(doc.Internal) < 4 {
		t.Fatalf("the run left too little to check: %v", doc)
	}
	for _, m := range []map[string]string{doc.Values, doc.Internal} {
		for k := range m {
			if err := vault.CheckKey(k); err != nil {
				t.Errorf("the run wrote %q: %v", k, err)
			}
		}
	}
	for k := range doc.Steps {
		if err := vault.CheckKey(k); err != nil {
			t.Errorf("the run wrote the step %q: %v", k, err)
		}
	}
}
