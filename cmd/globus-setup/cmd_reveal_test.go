package main

import (
	"strings"
	"testing"
)

// At a terminal, get of a secret and an export holding secrets print
// nothing and say how instead (copy, a pipe or --out, --reveal); a pipe or
// file is unaffected, and so is what holds no secret.
func TestSecretsAreNotPrintedToATerminal(t *testing.T) {
	w := newOpsWorld(t)
	if code, _, errs := w.run("scope", "create"); code != 0 { // the users' format needs it
		t.Fatal(errs)
	}
	w.stdoutTTY = true
	code, out, errs := w.run("get", "service_api.client_secret")
	if code != 1 || out != "" || !strings.Contains(errs, "stdout is a terminal") ||
		!strings.Contains(errs, "`globus-setup copy service_api.client_secret`") || !strings.Contains(errs, "--reveal") {
		t.Fatalf("get of a secret at a terminal: %d %q %q", code, out, errs)
	}
	if code, out, _ := w.run("get", "service_api.client_id"); code != 0 || strings.TrimSpace(out) != w.apiID {
		t.Errorf("get of an ID at a terminal: %d %q", code, out)
	}
	if code, out, _ := w.run("get", "service_api.client_secret", "--reveal"); code != 0 || strings.TrimSpace(out) != w.apiSecret {
		t.Errorf("get --reveal: %d", code)
	}
	for _, format := range []string{"env", "json", "shell", "compute"} {
		code, out, errs := w.run("export", "--format", format)
		if code != 1 || out != "" || !strings.Contains(errs, "--out FILE") || !strings.Contains(errs, "--no-secrets") || !strings.Contains(errs, "--reveal") {
			t.Errorf("export --format %s at a terminal: %d %q %q", format, code, out, errs)
		}
		noLeak(t, "export", out, errs)
	}
	if code, out, _ := w.run("export", "--no-secrets"); code != 0 || !strings.Contains(out, "GLOBUS_APPLICATION_ID") {
		t.Errorf("export --no-secrets at a terminal: %d %q", code, out)
	}
	if code, out, _ := w.run("export", "--format", "users"); code != 0 || out == "" {
		t.Errorf("export --format users at a terminal: %d", code)
	}
	if code, out, _ := w.run("export", "--reveal"); code != 0 || !strings.Contains(out, w.apiSecret) {
		t.Errorf("export --reveal: %d", code)
	}
	w.stdoutTTY = false // a pipe
	if code, out, _ := w.run("get", "service_api.client_secret"); code != 0 || strings.TrimSpace(out) != w.apiSecret {
		t.Errorf("get into a pipe: %d", code)
	}
	if code, out, _ := w.run("export"); code != 0 || !strings.Contains(out, w.acctSecret) {
		t.Errorf("export into a pipe: %d", code)
	}
}
