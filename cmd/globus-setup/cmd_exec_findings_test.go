package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// exec warns before it starts the gateway when a variable its start-up
// check needs (apps.py) can be neither passed (not stored) nor read from
// the .env; an empty secret in the .env is called what it is: the file sets
// it empty, which beats what exec passes (the gateway would get "").
func TestExecWarnsOfWhatTheGatewaysStartNeeds(t *testing.T) {
	w := newOpsWorld(t)
	env := filepath.Join(t.TempDir(), ".env")
	if code, _, errs := w.run("export", "--out", env, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	if _, errs, st := w.runChild("exec", "--", "true"); st.ExitCode() != 0 || strings.Contains(errs, "warning") {
		t.Fatalf("everything passed or in the file: %d %s", st.ExitCode(), errs)
	}
	if code, _, errs := w.run("unset", "--yes", "service_account.client_secret"); code != 0 {
		t.Fatal(errs)
	}
	_, errs, st := w.runChild("exec", "--", "true")
	if st.ExitCode() != 0 || !strings.Contains(errs, "warning: SERVICE_ACCOUNT_SECRET cannot be passed (service_account.client_secret is not stored) and the gateway's .env does not set it") ||
		!strings.Contains(errs, "so it would not start") || !strings.Contains(errs, "`globus-setup rotate service_account`") {
		t.Fatalf("a start-up variable missing: %d\n%s", st.ExitCode(), errs)
	}
	if _, errs, _ := w.runChild("exec", "--compute", "--", "true"); strings.Contains(errs, "cannot be passed") {
		t.Errorf("--compute starts no gateway: %s", errs)
	}

	w = newOpsWorld(t)
	if err := os.WriteFile(env, []byte("SERVICE_ACCOUNT_SECRET=\nGLOBUS_APPLICATION_SECRET=\"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := w.run("export", "--merge", env, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	if err := os.WriteFile(env, append(must(os.ReadFile(env)), "SERVICE_ACCOUNT_SECRET=\n"...), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, st = w.runChild("exec", "--", "true")
	if st.ExitCode() != 0 || strings.Contains(errs, "in plaintext") ||
		!strings.Contains(errs, "sets SERVICE_ACCOUNT_SECRET empty, and the gateway loads that file with override=True, so the empty value beats the one exec passes: the gateway would get \"\"") {
		t.Fatalf("an empty secret in the .env: %d\n%s", st.ExitCode(), errs)
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
