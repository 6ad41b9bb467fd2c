package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The .bak a --no-secrets merge leaves holds the secret of its day; after
// a rotation deleted that one at Globus, importing the .bak keeps the
// working secret (Globus refuses the file's, accepts the vault's), and the
// remembered .env stays the gateway's. Only the explicit override stores
// the refused one, saying so.
func TestImportKeepsTheWorkingSecretOverARefusedOne(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := w.run("export", "--merge", path, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	bak := path + ".bak"
	for _, args := range [][]string{{"rotate", "service_api"}, {"rotate", "service_api", "--finish"}} {
		if code, out, errs := w.run(args...); code != 0 {
			t.Fatalf("%v: %d\n%s%s", args, code, out, errs)
		}
	}
	working := w.value("service_api.client_secret")
	if working == w.apiSecret || w.secretWorks(w.apiID, w.apiSecret) || !w.secretWorks(w.apiID, working) {
		t.Fatal("the rotation did not replace the old secret at Globus")
	}

	code, out, errs := w.run("import", bak)
	t.Logf("$ globus-setup import %s\n%s%s", bak, out, errs)
	if code != 0 || !strings.Contains(out, "GLOBUS_APPLICATION_SECRET at line 22 was not stored: Globus refuses it") ||
		!strings.Contains(out, "accepts the vault's service_api.client_secret, which is kept; --store-refused-secrets stores the file's anyway") ||
		strings.Contains(out, "service_api.client_secret      (secret, not shown)") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if got := w.value("service_api.client_secret"); got != working {
		t.Fatal("the import replaced the working secret with the dead one")
	}
	if got := w.vault().Doc().Internal["env.target"]; got != path {
		t.Errorf("the .bak took over the remembered .env: %q", got)
	}
	if !strings.Contains(out, "It was only read: the gateway's .env remembered (rotate writes into it) is still "+path) {
		t.Errorf("the report does not say the .bak was only read:\n%s", out)
	}
	noLeak(t, "import", out, errs)

	// The override alone is still a difference to confirm, its verdicts said.
	code, out, errs = w.run("import", bak, "--store-refused-secrets")
	if code != 2 || !strings.Contains(errs, "service_api.client_secret: the vault's secret differs from the one at line 22 (neither is shown): Globus refuses the file's and accepts the vault's") {
		t.Fatalf("--store-refused-secrets without --replace: %d\n%s%s", code, out, errs)
	}
	code, out, errs = w.run("import", bak, "--store-refused-secrets", "--replace")
	if code != 0 || !strings.Contains(out, "stored the file's service_api.client_secret (line 22), which Globus refuses, over the vault's") ||
		!strings.Contains(out, "`globus-setup rotate service_api` makes a new one") {
		t.Fatalf("the override: %d\n%s%s", code, out, errs)
	}
	if got := w.value("service_api.client_secret"); got != w.apiSecret {
		t.Fatal("the override did not store the file's secret")
	}
}

// A file's secret Globus accepts replaces a stored one it refuses without
// a question: that loses nothing.
func TestImportTakesAWorkingSecretOverARefusedOne(t *testing.T) {
	w, path := importWorld(t)
	dead := "ZGVhZC1zZWNyZXQtb2YtZm9ydHktZm91ci1jaGFyYWN0ZXI="
	if err := setRaw(w, map[string]string{"service_api.client_id": w.apiID, "service_api.client_secret": dead}); err != nil {
		t.Fatal(err)
	}
	code, out, errs := w.run("import", path)
	if code != 0 || !strings.Contains(out, "the vault's service_api.client_secret, which Globus refuses, was replaced by the file's (line 22), which it accepts") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if got := w.value("service_api.client_secret"); got != w.apiSecret {
		t.Fatal("the working secret was not stored")
	}
}

// Another file than the remembered .env is only read unless the operator
// says it becomes the one (a question at a terminal, --remember-file).
func TestImportOfAnotherFileKeepsTheRememberedEnv(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "staging.env")
	if err := os.WriteFile(other, data, 0o600); err != nil {
		t.Fatal(err)
	}
	target := func() string { return w.vault().Doc().Internal["env.target"] }
	if code, out, errs := w.run("import", other); code != 0 || target() != path || !strings.Contains(out, "is still "+path) {
		t.Fatalf("not at a terminal: %d %q\n%s%s", code, target(), out, errs)
	}
	w.terminal = true
	w.pasted <- "n"
	if code, out, errs := w.run("import", other); code != 0 || target() != path ||
		!strings.Contains(errs, "The gateway's .env remembered is "+path+", which rotate writes into.") {
		t.Fatalf("answered no: %d %q\n%s%s", code, target(), out, errs)
	}
	w.pasted <- "y"
	if code, out, errs := w.run("import", other); code != 0 || target() != other || !strings.Contains(out, "in place of "+path) {
		t.Fatalf("answered yes: %d %q\n%s%s", code, target(), out, errs)
	}
	w.terminal = false
	if code, _, errs := w.run("import", path, "--remember-file"); code != 0 || target() != path {
		t.Fatalf("--remember-file: %d %q %s", code, target(), errs)
	}
}

// A .env whose plaintext secrets its group or everyone can read is
// warned about, naming the mode and both ways out.
func TestImportWarnsOfAReadableEnvWithSecrets(t *testing.T) {
	w, path := importWorld(t) // written 0640
	code, out, errs := w.run("import", path)
	want := "globus-setup: warning: " + path + " is mode 0640: its group"
	if code != 0 || !strings.Contains(errs, want) || !strings.Contains(errs, "plaintext GLOBUS_APPLICATION_SECRET and SERVICE_ACCOUNT_SECRET") ||
		!strings.Contains(errs, "`globus-setup export --merge "+path+" --no-secrets`") || !strings.Contains(errs, "chmod 600 "+path) {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, errs := w.run("import", path); !strings.Contains(errs, "is mode 0644: every user of this machine can read") {
		t.Errorf("world-readable: %s", errs)
	}
	if err := os.Chmod(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, errs := w.run("import", path); strings.Contains(errs, "warning") {
		t.Errorf("a private file warned of: %s", errs)
	}
}
