package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// startChild starts the real main (the test binary as globus-setup) in
// w's world with args; exited gets its end. It never outlives the test.
func (w *opsWorld) startChild(stdout, stderr io.Writer, args ...string) (*exec.Cmd, chan error) {
	w.t.Helper()
	child := exec.Command(os.Args[0], args...)
	child.Env = append(os.Environ(), childEnv+"=1")
	for k, v := range w.env {
		child.Env = append(child.Env, k+"="+v)
	}
	child.Stdout, child.Stderr = stdout, stderr
	if err := child.Start(); err != nil {
		w.t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- child.Wait() }()
	w.t.Cleanup(func() { child.Process.Kill() })
	return child, exited
}

// A real crash between "Globus created the app" and "the vault stored it":
// a globus-setup process is killed while it waits for the answer to a
// create that Globus already carried out. The next run must adopt that app,
// not make a second one, and finish the job.
func TestApplyCrashBetweenCreateAndStore(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	apiName := assets.AppName(assets.DefaultProjectName, assets.ServiceAPISuffix)

	// The first app create is carried out, then its answer held back.
	w.srv.FailNext("POST", "/auth/v2/api/clients", 1, globustest.Failure{AfterHandling: true, Delay: time.Minute})

	var childOut bytes.Buffer
	child, exited := w.startChild(&childOut, &childOut, "apply", "--yes", "--domains", testDomains)

	// Wait until Globus holds the app; the child is then stuck before storing it.
	var projectID, appID string
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	// Bounded, so a child that never gets there fails here rather than at go test's timeout.
	deadline := time.After(30 * time.Second)
	for appID == "" {
		select {
		case err := <-exited:
			t.Fatalf("the child ended (%v) before the app was created:\n%s", err, childOut.String())
		case <-deadline:
			child.Process.Kill()
			<-exited // its output is safe to read only once it has ended
			t.Fatalf("after 30s Globus still held no %q app: the child never reached its create:\n%s", apiName, childOut.String())
		case <-tick.C:
		}
		if p, ok := w.project(assets.DefaultProjectName); ok {
			projectID = p.ID
			for _, c := range w.srv.Clients(p.ID) {
				if c.Name == apiName {
					appID = c.ID
				}
			}
		}
	}
	if err := child.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-exited
	t.Logf("$ globus-setup apply --yes --domains %q   # killed while waiting for the app's answer\n%s", testDomains, childOut.String())

	v := w.vault()
	if id, _ := v.Get("service_api.client_id"); id != "" {
		t.Fatalf("the app was stored (%s) before the kill: the crash did not fall between create and store", id)
	}
	if _, ok := v.Internal("apply.intent.service_api.app"); !ok {
		t.Error("no intent recorded for the app being created")
	}
	if id, _ := v.Get("project.id"); id != projectID {
		t.Errorf("project.id %q stored before the kill, made %q", id, projectID)
	}

	code, out, errs := w.run("apply", "--yes", "--domains", testDomains)
	t.Logf("$ globus-setup apply --yes   # after the kill\n%s", out)
	if code != 0 {
		t.Fatalf("apply after the kill: exit %d\n%s%s", code, out, errs)
	}
	if !strings.Contains(out, "adopted") {
		t.Errorf("the rerun did not say it adopted the interrupted create:\n%s", out)
	}
	var apis int
	for _, c := range w.srv.Clients(projectID) {
		if c.Name == apiName {
			apis++
		}
	}
	if apis != 1 {
		t.Errorf("%d apps named %q on Globus after the rerun, want 1", apis, apiName)
	}
	if n := len(w.srv.Clients(projectID)); n != 3 {
		t.Errorf("%d apps in the project, want 3", n)
	}
	if ps := w.srv.Projects(); len(ps) != 2 {
		t.Errorf("%d projects, want the operator's tools and one gateway project: %+v", len(ps), ps)
	}
	v = w.vault()
	if id, _ := v.Get("service_api.client_id"); id != appID {
		t.Errorf("stored service_api.client_id %q, the app made before the kill is %q", id, appID)
	}
	if _, ok := v.Internal("apply.intent.service_api.app"); ok {
		t.Error("the intent was left behind")
	}
	if code, out, _ := w.run("verify"); code != 0 {
		t.Errorf("verify after the resumed apply: exit %d\n%s", code, out)
	}
}
