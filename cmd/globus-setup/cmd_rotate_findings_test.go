package main

import (
	"os"
	"strings"
	"testing"
)

// rotate --undo into a secret-free .env says what the write did (the file
// stays without secrets; the gateway gets the old secret under exec), not
// that it wrote the old secret back, and names exec in its restart line;
// rotate --list keeps its columns apart whatever the names' lengths.
func TestUndoIntoASecretFreeEnvSaysWhatItDid(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	if code, _, errs := w.run("export", "--merge", env, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	old := w.value("service_api.client_secret")
	if code, out, errs := w.run("rotate", "service_api"); code != 0 {
		t.Fatalf("rotate: %d\n%s%s", code, out, errs)
	}
	_, out, _ := w.run("rotate", "--list")
	t.Logf("$ globus-setup rotate --list\n%s", out)
	if strings.Contains(out, "old old") || !strings.Contains(out, "0 days old  old: --finish deletes it") ||
		!strings.Contains(out, "0 days old  new: made by the rotation in progress") || !strings.Contains(out, "named \"rotated ") {
		t.Errorf("rotate --list:\n%s", out)
	}

	code, out, errs := w.run("rotate", "service_api", "--undo")
	t.Logf("$ globus-setup rotate service_api --undo\n%s%s", out, errs)
	if code != 0 || strings.Contains(out, "wrote the old secret back into") ||
		!strings.Contains(out, "stays without secrets, as it was written (export --no-secrets): nothing was written to it; the gateway, started under `globus-setup exec`, gets the old secret from the vault when it next starts") ||
		!strings.Contains(out, "restart it again now, under `globus-setup exec` as before, so it gets the old one") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if w.value("service_api.client_secret") != old {
		t.Fatal("the old secret is not back in the vault")
	}
	if data, _ := os.ReadFile(env); strings.Contains(string(data), old) {
		t.Fatal("the undo wrote the old secret into the secret-free .env")
	}
}

// unset (and exec's warning) name rotate as the way to a new secret once
// the stored one is gone: rotate works from the app's ID alone, and its
// undo leaves no secret, as before it.
func TestRotateMakesASecretAfterTheStoredOneWentAway(t *testing.T) {
	w, _ := newRotateCmdWorld(t)
	id := w.value("service_api.client_id")
	if code, _, errs := w.run("unset", "--yes", "service_api.client_secret"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := w.run("rotate", "service_api")
	if code != 0 {
		t.Fatalf("rotate without a stored secret: %d\n%s%s", code, out, errs)
	}
	made := w.value("service_api.client_secret")
	if made == "" || !w.secretWorks(id, made) {
		t.Fatal("the rotation stored no working secret")
	}
	if code, out, errs := w.run("rotate", "service_api", "--undo"); code != 0 || w.value("service_api.client_secret") != "" {
		t.Fatalf("undo: %d %q\n%s%s", code, w.value("service_api.client_secret"), out, errs)
	}
}
