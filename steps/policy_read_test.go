package steps

import (
	"context"
	"reflect"
	"strings"
	"testing"
)

// A policy made on the console is read back as the gateway reads it: its
// domains exactly as Globus spells them, its timeout as the field shows
// it; a policy the Service Account cannot read is an error; nothing stored
// changes either way.
func TestReadPolicyValues(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	id := w.srv.AddPolicy(w.projectID, "Console-made", []string{"ANL.gov", "uchicago.edu"}, 5400)
	before := w.e.Vault.Doc()
	v, err := ReadPolicyValues(ctx, w.e, id)
	if err != nil {
		t.Fatal(err)
	}
	if want := (PolicyValues{Domains: "ANL.gov uchicago.edu", Timeout: "1h30m"}); v != want {
		t.Errorf("read %+v, want %+v", v, want)
	}
	if got, err := Validate("policy.domains", v.Domains); err != nil || got != v.Domains {
		t.Errorf("the domains read do not store as read: %q, %v", got, err)
	}

	other := w.srv.AddProject("Someone else's", "x@example.org", operator)
	elsewhere := w.srv.AddPolicy(other, "Elsewhere", []string{"example.org"}, 3600)
	if _, err := ReadPolicyValues(ctx, w.e, elsewhere); err == nil || !strings.Contains(err.Error(), "reading the policy as the Service Account") {
		t.Errorf("a policy of another project: err %v, want one saying the Service Account could not read it", err)
	}

	if after := w.e.Vault.Doc(); !reflect.DeepEqual(before.Values, after.Values) {
		t.Error("reading a policy changed what is stored")
	}

	w.del("service_account.client_secret")
	if _, err := ReadPolicyValues(ctx, w.e, id); err == nil || !strings.Contains(err.Error(), "Service Account (step 3) is not stored") {
		t.Errorf("without the Service Account: err %v", err)
	}
}
