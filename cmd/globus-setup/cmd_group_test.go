package main

import (
	"strings"
	"testing"
)

func TestGroupCreateWithUnknownUser(t *testing.T) {
	w := newOpsWorld(t)
	w.login()
	exit, out, errs := w.run("group", "create", "users", "--description", "gateway users",
		"--member", "alice@example.org", "--member", "ghost@nowhere.example", "--member", "bob@example.edu")
	if exit != 1 {
		t.Errorf("exit %d, want 1 (one member not added)", exit)
	}
	for _, want := range []string{"Created group users \"Demo Inference Gateway Users\"", "owned by operator@example.org", "added alice@example.org, bob@example.edu"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errs, "✗ ghost@nowhere.example not added") || strings.Contains(errs, "alice") {
		t.Errorf("stderr:\n%s", errs)
	}
	v := w.vault()
	if m, _ := v.Get("groups.users.members"); m != "alice@example.org bob@example.edu" {
		t.Errorf("members %q", m)
	}
	id, _ := v.Get("groups.users.id")

	// Again: reused, said so, nothing duplicated.
	exit, out, errs = w.run("group", "create", "users", "--member", "alice@example.org")
	if exit != 0 || !strings.Contains(out, "is already stored: reused it") || !strings.Contains(out, "already members: alice@example.org") {
		t.Errorf("second create: %d\n%s%s", exit, out, errs)
	}
	// add by UUID, as the Service API app, which cannot see the operator's group.
	exit, _, errs = w.run("group", "add", id, "carol@example.org", "--as-client")
	if exit == 0 || !strings.Contains(errs, "cannot see it") || !strings.Contains(errs, "if you made the group yourself") {
		t.Errorf("as-client add to the operator's group: %d %s", exit, errs)
	}
	w.srv.AddIdentity("carol@example.org", "Carol", "", "")
	exit, out, errs = w.run("group", "add", "users", "carol@example.org")
	if exit != 0 || !strings.Contains(out, "added carol@example.org") {
		t.Errorf("add: %d\n%s%s", exit, out, errs)
	}
	exit, out, errs = w.run("group", "create", "svc", "--as-client", "--member", "bob@example.edu")
	if exit != 0 || !strings.Contains(out, "owned by the Service API app's client identity "+w.apiID) {
		t.Errorf("as-client create: %d\n%s%s", exit, out, errs)
	}
}
