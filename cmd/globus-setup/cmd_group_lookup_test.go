package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// group add with the identity look-up failing: the member given by UUID is
// added, the usernames are named on stderr with why, and the exit is 1.
func TestGroupAddWithFailedLookup(t *testing.T) {
	w := newOpsWorld(t)
	w.login()
	if exit, out, errs := w.run("group", "create", "users"); exit != 0 {
		t.Fatalf("create: %d\n%s%s", exit, out, errs)
	}
	bob, _ := w.srv.LookupIdentity("bob@example.edu")
	// 403: tried once (a 503 is retried, with real waits in these tests).
	w.srv.FailNext(http.MethodGet, "/v2/api/identities", 1000, globustest.Failure{Status: http.StatusForbidden})
	exit, out, errs := w.run("group", "add", "users", "alice@example.org", bob.ID, "ghost@nowhere.example")
	if exit != 1 {
		t.Errorf("exit %d, want 1", exit)
	}
	if !strings.Contains(out, "added "+bob.ID) || strings.Contains(out, "alice") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, want := range []string{"not looked up, so not added: alice@example.org, ghost@nowhere.example", "identity look-up failed", "403",
		"globus-setup group add users alice@example.org ghost@nowhere.example"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if m, _ := w.vault().Get("groups.users.members"); m != bob.ID {
		t.Errorf("stored members %q", m)
	}
}

// group add to a group Globus does not have: its 404, and no group line
// made of nothing (it printed `Group "" (id)` first).
func TestGroupAddMissingGroup(t *testing.T) {
	w := newOpsWorld(t)
	w.login()
	missing := "0d9c8b7a-6f5e-4d3c-8b2a-1f0e9d8c7b6a"
	exit, out, errs := w.run("group", "add", missing, "alice@example.org")
	if exit == 0 {
		t.Error("exit 0 for a group that does not exist")
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
	if strings.Contains(errs, `Group ""`) || !strings.Contains(errs, "the group "+missing+" does not exist or you cannot see it") {
		t.Errorf("stderr:\n%s", errs)
	}
}
