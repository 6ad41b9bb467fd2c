package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// runChild runs the real globus-setup (this test binary as main) with the
// world's environment, as an operator's shell would.
func (w *opsWorld) runChild(args ...string) (string, string, *os.ProcessState) {
	w.t.Helper()
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), childEnv+"=1", "OUTSIDE_VAR=kept", "GLOBUS_COMPUTE_CLIENT_ID=stale-from-bashrc")
	for k, v := range w.env {
		c.Env = append(c.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		w.t.Fatal(err)
	}
	return out.String(), errb.String(), c.ProcessState
}

func TestExecCompute(t *testing.T) {
	w := newOpsWorld(t)
	out, errs, st := w.runChild("exec", "--compute", "--", "env")
	if st.ExitCode() != 0 {
		t.Fatalf("exit %d: %s", st.ExitCode(), errs)
	}
	var shown []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "GLOBUS_COMPUTE_") {
			name, val, _ := strings.Cut(l, "=")
			if strings.HasSuffix(name, "SECRET") {
				val = strings.Repeat("*", 4) // never in a log
			}
			shown = append(shown, name+"="+val)
		}
	}
	t.Logf("$ globus-setup exec --compute -- env | grep GLOBUS_COMPUTE_\n%s", strings.Join(shown, "\n"))
	want := []string{"GLOBUS_COMPUTE_CLIENT_ID=" + w.acctID, "GLOBUS_COMPUTE_CLIENT_SECRET=" + w.acctSecret}
	for _, kv := range want {
		if strings.Count(out, kv+"\n") != 1 {
			t.Errorf("the child's environment lacks %s exactly once", strings.SplitN(kv, "=", 2)[0])
		}
	}
	if strings.Contains(out, "stale-from-bashrc") || !strings.Contains(out, "OUTSIDE_VAR=kept") {
		t.Error("an inherited value must be replaced, other variables kept")
	}
	if strings.Contains(out, "GLOBUS_APPLICATION_SECRET") || strings.Contains(out, w.apiSecret) {
		t.Error("--compute passed the gateway's variables too")
	}
	// The parent's own environment never had them.
	if os.Getenv("GLOBUS_COMPUTE_CLIENT_SECRET") != "" {
		t.Error("the test process has the secret in its environment")
	}
}

func TestExecGatewayVariablesOnly(t *testing.T) {
	w := newOpsWorld(t)
	out, errs, st := w.runChild("exec", "--only", "GLOBUS_APPLICATION_ID", "--", "env")
	if st.ExitCode() != 0 {
		t.Fatalf("exit %d: %s", st.ExitCode(), errs)
	}
	if !strings.Contains(out, "GLOBUS_APPLICATION_ID="+w.apiID+"\n") || strings.Contains(out, "GLOBUS_APPLICATION_SECRET") {
		t.Errorf("--only did not keep just that variable:\n%s", out)
	}
}

func TestExecPassesStatusAndSignals(t *testing.T) {
	w := newOpsWorld(t)
	_, errs, st := w.runChild("exec", "--", "sh", "-c", "exit 7")
	if st.ExitCode() != 7 {
		t.Fatalf("exit status %d, want 7 (%s)", st.ExitCode(), errs)
	}
	_, _, st = w.runChild("exec", "--", "sh", "-c", "kill -TERM $$")
	ws, ok := st.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("the command's SIGTERM did not reach the caller: %v", st)
	}
	// The flags after COMMAND are the command's.
	out, _, st := w.runChild("exec", "sh", "-c", "echo $0", "--only")
	if st.ExitCode() != 0 || strings.TrimSpace(out) != "--only" {
		t.Errorf("flags after the command were taken by exec: %q", out)
	}
}

func TestExecBadInput(t *testing.T) {
	w := newOpsWorld(t)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"exec"}, 2, "exec needs a command"},
		{[]string{"exec", "--"}, 2, "exec needs a command"},
		{[]string{"exec", "--", "no-such-command-xyz"}, 1, `cannot run "no-such-command-xyz"`},
		{[]string{"exec", "--only", "NOPE", "--", "true"}, 1, "choose from GLOBUS_APPLICATION_ID"},
		{[]string{"exec", "--compute", "--only", "SERVICE_ACCOUNT_ID", "--", "true"}, 1, "choose from GLOBUS_COMPUTE_CLIENT_ID"},
	} {
		code, out, errs := w.run(c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d %q %q, want %d %q", c.args, code, out, errs, c.code, c.want)
		}
	}
	empty := newBareWorld(t)
	if code, _, errs := empty.run("exec", "--compute", "--", "true"); code != 1 || !strings.Contains(errs, "service_account.client_id and service_account.client_secret is not stored") {
		t.Errorf("compute with nothing stored: %d %s", code, errs)
	}
}

func TestExportComputeAndUsers(t *testing.T) {
	w := newOpsWorld(t)
	code, out, errs := w.run("export", "--format", "compute")
	if code != 0 || !strings.Contains(out, "export GLOBUS_COMPUTE_CLIENT_ID='"+w.acctID+"'") || !strings.Contains(out, "export GLOBUS_COMPUTE_CLIENT_SECRET='"+w.acctSecret+"'") {
		t.Fatalf("compute: %d %s %s", code, out, errs)
	}
	if code, _, errs := w.run("export", "--format", "compute", "--merge", "x"); code == 0 || !strings.Contains(errs, "takes --format env") {
		t.Errorf("compute --merge: %s", errs)
	}
}
