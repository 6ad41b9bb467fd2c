package main

import (
	"strings"
	"testing"
)

// `set policy.id` reads the policy's domains back from Globus, exactly as
// Globus spells them, as the wizard's paste does; logged out (and without
// the Service Account) it says it could not read the policy, and export
// warns, naming verify, while the stored domains were never read from it.
func TestSetPolicyReadsItsDomains(t *testing.T) {
	w, thick := newApplyWorld(t)
	pid := w.srv.AddProject("Console GW", "operator@example.org", "operator@example.org")
	policy := w.srv.AddPolicy(pid, "Console-made", []string{"ANL.gov", "uchicago.edu"}, 5400)

	// Typed by hand, in the wrong case: the gateway would refuse to start.
	if code, _, errs := w.run("set", "policy.domains", "anl.gov uchicago.edu"); code != 0 {
		t.Fatalf("set policy.domains: exit %d %s", code, errs)
	}
	code, out, errs := w.run("set", "policy.id", policy)
	if code != 0 {
		t.Fatalf("set policy.id logged out: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup set policy.id %s   # logged out\n%s", policy, errs)
	mustHave(t, errs, "stored policy.id", "could not read the policy on Globus: not logged in", "run `globus-setup login`",
		"policy.domains and policy.assurance_timeout were not read from it")
	v := w.vault()
	if got, _ := v.Get("policy.id"); got != policy {
		t.Fatalf("policy.id %q not stored", got)
	}
	if got, _ := v.Get("policy.domains"); got != "anl.gov uchicago.edu" {
		t.Fatalf("domains %q changed without a read", got)
	}
	_, exported, errs := w.run("export")
	t.Logf("$ globus-setup export   # stderr\n%s", errs)
	mustHave(t, errs, "globus-setup: warning: AUTHORIZED_IDP_DOMAINS (policy.domains) was not read from the policy on Globus",
		"run `globus-setup verify` to compare them with the policy on Globus")
	if strings.Contains(exported, "warning") {
		t.Error("the warning went into the exported variables")
	}

	w.loginThrough(thick)
	code, out, errs = w.run("set", "policy.id", policy)
	if code != 0 {
		t.Fatalf("set policy.id logged in: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup set policy.id %s   # logged in\n%s", policy, errs)
	mustHave(t, errs, "stored policy.id", `read from the policy on Globus and stored: policy.domains "ANL.gov uchicago.edu", policy.assurance_timeout 5400 (1h30m)`)
	v = w.vault()
	if got, _ := v.Get("policy.domains"); got != "ANL.gov uchicago.edu" {
		t.Fatalf("domains %q, want exactly the policy's ANL.gov uchicago.edu", got)
	}
	if got, _ := v.Get("policy.assurance_timeout"); got != "5400" {
		t.Errorf("assurance timeout %q, want the policy's 5400", got)
	}
	if _, _, errs := w.run("export"); strings.Contains(errs, "warning") {
		t.Errorf("export still warns after the domains were read from the policy:\n%s", errs)
	}
	if code, out, _ := w.run("verify"); code != 0 && strings.Contains(out, "the domains differ") {
		t.Errorf("the read domains differ from the policy's:\n%s", out)
	}

	// Typed over again: never read from the policy, so warned about.
	if code, _, errs := w.run("set", "policy.domains", "anl.gov"); code != 0 {
		t.Fatalf("set policy.domains: exit %d %s", code, errs)
	}
	if _, _, errs := w.run("export", "--format", "json"); !strings.Contains(errs, "not read from the policy on Globus") {
		t.Errorf("export does not warn about typed domains:\n%s", errs)
	}
}

// With the Service Account stored, the policy is read the way the gateway
// reads it at start-up, logged in or not (as the wizard's paste does).
func TestSetPolicyReadsAsTheServiceAccount(t *testing.T) {
	w := newOpsWorld(t) // logged out; the Service Account stored
	pid, _ := w.vault().Get("project.id")
	policy := w.srv.AddPolicy(pid, "Another", []string{"Example.ORG"}, 3600)
	code, out, errs := w.run("set", "policy.id", policy)
	if code != 0 || !strings.Contains(errs, `policy.domains "Example.ORG"`) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if got, _ := w.vault().Get("policy.domains"); got != "Example.ORG" {
		t.Fatalf("domains %q", got)
	}
}
