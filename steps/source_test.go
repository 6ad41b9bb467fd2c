package steps

import (
	"context"
	"testing"
)

// Where the stored domains came from is kept: read from the stored policy
// (the read-back, or apply keeping or making the policy), typed, or stale
// once the policy ID changes; Warnings says so while they were never read.
func TestDomainsSourceIsRecorded(t *testing.T) {
	w := newWorld(t) // the values as typed from the console, the policy's domains among them
	doc := w.e.Vault.Doc()
	if DomainsRead(doc) || len(Warnings(doc)) != 1 {
		t.Fatalf("typed domains: read %v, warnings %v", DomainsRead(doc), Warnings(doc))
	}
	rb, has, err := ReadBackOf(context.Background(), w.e, "policy.id", w.policyID)
	if err != nil || !has {
		t.Fatalf("read-back: %v (has %v)", err, has)
	}
	if rb.Values["policy.domains"] != "example.org example.edu" || rb.Values["policy.assurance_timeout"] != "28800" {
		t.Fatalf("read back %v", rb.Values)
	}
	if err := AcceptRead(w.e.Vault, policyID, map[string]string{"policy.id": w.policyID, "policy.domains": rb.Values["policy.domains"]}, rb); err != nil {
		t.Fatal(err)
	}
	doc = w.e.Vault.Doc()
	if SourceOf(doc, "policy.domains") != policySource(w.policyID) || !DomainsRead(doc) || len(Warnings(doc)) != 0 {
		t.Fatalf("after the read: source %q, warnings %v", SourceOf(doc, "policy.domains"), Warnings(doc))
	}
	// Another policy: the domains read are the old one's.
	other := w.srv.AddPolicy(w.projectID, "HA 2", []string{"example.org"}, 3600)
	w.set(map[string]string{"policy.id": other})
	if DomainsRead(w.e.Vault.Doc()) {
		t.Fatal("domains read from one policy count as read from another")
	}
	// Typed: forgotten.
	w.set(map[string]string{"policy.id": w.policyID, "policy.domains": "example.org"})
	if doc := w.e.Vault.Doc(); SourceOf(doc, "policy.domains") != "" || DomainsRead(doc) {
		t.Fatalf("typed domains still count as read: %q", SourceOf(doc, "policy.domains"))
	}
	if _, err := UnsetValue(w.e.Vault, "policy.domains"); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.e.Vault.Doc().Internal[sourcePrefix+"policy.domains"]; ok {
		t.Error("unset left the domains' source behind")
	}
}

// Apply keeping a console-made policy stores its domains as read from it.
func TestApplyRecordsTheDomainsSource(t *testing.T) {
	w := newApplyWorld(t, true)
	if _, _, err := Apply(context.Background(), w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	doc := w.e.Vault.Doc()
	if !DomainsRead(doc) || SourceOf(doc, "policy.domains") != policySource(doc.Values["policy.id"]) {
		t.Fatalf("the policy apply made: source %q", SourceOf(doc, "policy.domains"))
	}
}
