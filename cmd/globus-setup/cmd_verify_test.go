package main

import (
	"strings"
	"testing"
)

func TestVerifyCommand(t *testing.T) {
	w := newOpsWorld(t)
	exit, out, _ := w.run("verify")
	if exit != 1 || !strings.Contains(out, "✗ action_all scope has the Groups dependent scope: no action_all scope is stored — run `globus-setup scope create`") {
		t.Errorf("before the scope: %d\n%s", exit, out)
	}
	if c, _, errs := w.run("scope", "create"); c != 0 {
		t.Fatal(errs)
	}
	exit, out, errs := w.run("verify")
	if exit != 0 {
		t.Fatalf("exit %d\n%s%s", exit, out, errs)
	}
	for _, want := range []string{
		"- Operator login: skipped: not logged in",
		"✓ Service API credentials work (client " + w.apiID[:8] + "…)",
		"✓ Service Account app is a service account (client_identity)",
		"- Policy is high assurance with the stored domains: skipped: log in to check",
		"- Groups: skipped: no group stored (groups are optional)",
		"0 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	w.login()
	if c, _, errs := w.run("group", "create", "users", "--member", "alice@example.org"); c != 0 {
		t.Fatal(errs)
	}
	exit, out, _ = w.run("verify")
	if exit != 0 || strings.Contains(out, "skipped:") || !strings.Contains(out, "0 failed, 0 skipped") {
		t.Errorf("logged in: %d\n%s", exit, out)
	}
	if st := w.vault().Doc().Steps["policy"].State; st != "verified" {
		t.Errorf("policy step %q after verify", st)
	}
	if strings.Contains(out, w.apiSecret) || strings.Contains(out, w.acctSecret) {
		t.Fatal("a secret was printed")
	}
}
