//go:build unix

package main

import (
	"bytes"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// An interrupt (SIGINT, as ctrl+c at a shell sends) while apply waits for
// Globus: the command exits 130, as a shell expects of a command a signal
// stopped, says what is kept, and everything made before is stored; the
// next run carries on without making anything twice.
func TestApplyInterruptedExits130(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	// The policy's create waits: apply is mid-way, seven things made.
	w.srv.FailNext("POST", "/auth/v2/api/policies", 1, globustest.Failure{Delay: time.Minute})

	var stdout, stderr bytes.Buffer
	child, exited := w.startChild(&stdout, &stderr, "apply", "--yes", "--domains", testDomains)

	deadline := time.After(30 * time.Second)
	for w.srv.CountRequests("POST", "/v2/api/policies") == 0 {
		select {
		case err := <-exited:
			t.Fatalf("apply ended (%v) before it reached the policy:\n%s%s", err, stdout.String(), stderr.String())
		case <-deadline:
			t.Fatal("apply never reached the policy's create")
		case <-time.After(10 * time.Millisecond):
		}
	}
	if err := child.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	var err error
	select {
	case err = <-exited:
	case <-time.After(30 * time.Second):
		t.Fatal("apply did not stop on SIGINT")
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("apply interrupted: %v, want exit status 130\n%s%s", err, stdout.String(), stderr.String())
	}
	t.Logf("$ globus-setup apply --yes --domains %q   # SIGINT while the policy is created\n%s%s[exit 130]", testDomains, stdout.String(), stderr.String())
	if n := strings.Count(stdout.String(), "✓ created "); n != 7 {
		t.Errorf("%d things made before the interrupt, want 7:\n%s", n, stdout.String())
	}
	if !strings.Contains(stderr.String(), "interrupted") || !strings.Contains(stderr.String(), "carries on from there") {
		t.Errorf("the interrupt is not said, nor what is kept:\n%s", stderr.String())
	}
	v := w.vault()
	for _, k := range []string{"project.id", "service_api.client_id", "service_api.client_secret", "service_api.scope_string",
		"service_account.client_id", "service_account.client_secret", "public_client.client_id"} {
		if got, _ := v.Get(k); got == "" {
			t.Errorf("%s made before the interrupt is not stored", k)
		}
	}

	code, out, errs := w.run("apply", "--yes", "--domains", testDomains)
	if code != 0 || !strings.Contains(out, "Done: 1 created, 7 kept or reused") {
		t.Fatalf("apply after the interrupt: exit %d\n%s%s", code, out, errs)
	}
	p, _ := w.project(assets.DefaultProjectName)
	if n := len(w.srv.Clients(p.ID)); n != 3 {
		t.Errorf("%d apps after carrying on, want 3", n)
	}
}
