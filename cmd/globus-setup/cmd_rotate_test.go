package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// rotateWorld: apply made both apps, and the gateway's .env was merged once
// (so rotate knows it).
func newRotateCmdWorld(t *testing.T) (*opsWorld, string) {
	t.Helper()
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	if code, out, errs := w.run("apply", "--yes", "--domains", testDomains); code != 0 {
		t.Fatalf("apply: %d\n%s%s", code, out, errs)
	}
	env := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(env, []byte("DJANGO_DEBUG=0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := w.run("export", "--merge", env); code != 0 {
		t.Fatalf("export --merge: %d\n%s%s", code, out, errs)
	}
	return w, env
}

func (w *opsWorld) secretWorks(id, secret string) bool {
	w.t.Helper()
	c, err := globus.New(globus.Environment{Name: "custom", AuthURL: w.srv.AuthURL(), GroupsURL: w.srv.GroupsURL(), Timeout: 10 * time.Second})
	if err != nil {
		w.t.Fatal(err)
	}
	_, err = c.ClientCredentialsToken(context.Background(), globus.Credentials{ID: id, Secret: secret}, "openid")
	return err == nil
}

func (w *opsWorld) value(key string) string {
	v, _ := w.vault().Get(key)
	return v
}

func TestRotateCommandFullCycle(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	id, old := w.value("service_api.client_id"), w.value("service_api.client_secret")
	// One made by hand in the console: rotate --list shows it as unknown.
	if _, err := w.srv.AddClientSecret(id, "made in the console"); err != nil {
		t.Fatal(err)
	}
	var handID string
	for _, c := range w.srv.Credentials(id) {
		if c.Name == "made in the console" {
			handID = c.ID
		}
	}

	code, out, errs := w.run("rotate", "service_api")
	t.Logf("$ globus-setup rotate service_api\n%s%s", out, errs)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	nw := w.value("service_api.client_secret")
	if nw == old || !w.secretWorks(id, old) || !w.secretWorks(id, nw) {
		t.Fatal("between rotate and --finish both secrets must work")
	}
	if strings.Contains(out+errs, nw) || strings.Contains(out+errs, old) {
		t.Fatal("a secret was printed")
	}
	b, _ := os.ReadFile(env)
	if !strings.Contains(string(b), nw) || strings.Contains(string(b), old) {
		t.Fatal("the .env does not hold the new secret only")
	}

	_, out, _ = w.run("status")
	t.Logf("$ globus-setup status\n%s", out)
	if !strings.Contains(out, "waiting for the gateway's restart") || !strings.Contains(out, "Service Account secret: 0 days old") {
		t.Error("status does not show the half-done rotation and the ages")
	}

	_, out, _ = w.run("rotate", "--list")
	t.Logf("$ globus-setup rotate --list\n%s", out)
	for _, want := range []string{"new: made by the rotation", "old: --finish deletes it", "unknown to globus-setup", "made in the console"} {
		if !strings.Contains(out, want) {
			t.Errorf("--list lacks %q", want)
		}
	}

	code, out, errs = w.run("rotate", "service_api", "--finish")
	t.Logf("$ globus-setup rotate service_api --finish\n%s%s", out, errs)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if w.secretWorks(id, old) || !w.secretWorks(id, nw) {
		t.Fatal("after --finish only the new secret may work")
	}
	creds := w.srv.Credentials(id)
	if len(creds) != 2 { // the new one and the hand-made one
		t.Fatalf("credentials left: %+v", creds)
	}

	// Deleting at Globus cannot be undone: asked at a terminal, --yes
	// elsewhere (exit 2 without, nothing deleted).
	code, out, errs = w.run("rotate", "service_api", "--delete", handID)
	t.Logf("$ globus-setup rotate service_api --delete %s\n%s%s", handID, out, errs)
	if code != 2 || len(w.srv.Credentials(id)) != 2 || !strings.Contains(errs, "add --yes to delete it") || !strings.Contains(errs, "cannot come back") {
		t.Fatalf("--delete off a terminal without --yes: %d", code)
	}
	w.terminal = true
	code, _, errs = w.run("rotate", "service_api", "--delete", handID)
	if code != 1 || len(w.srv.Credentials(id)) != 2 || !strings.Contains(errs, "Delete credential "+handID+" at Globus? [y/N]") {
		t.Fatalf("--delete answered no: %d\n%s", code, errs)
	}
	w.pasted <- "y"
	if code, _, errs = w.run("rotate", "service_api", "--delete", handID); code != 0 || len(w.srv.Credentials(id)) != 1 {
		t.Fatalf("--delete answered yes: %d\n%s", code, errs)
	}
	w.terminal = false
	// The one in use is refused.
	code, _, errs = w.run("rotate", "service_api", "--delete", w.srv.Credentials(id)[0].ID)
	if code == 0 || !strings.Contains(errs, "is the secret in the vault") {
		t.Fatalf("deleting the secret in use: %d %s", code, errs)
	}
}

func TestRotateCommandBadInput(t *testing.T) {
	w := newBareWorld(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"rotate"}, "name the app"},
		{[]string{"rotate", "service_api", "--finish", "--undo"}, "alternatives"},
		{[]string{"rotate", "service_api", "--list"}, "give no app"},
		{[]string{"rotate", "service_api", "--finish", "--env", "x"}, "go with `rotate APP` only"},
		{[]string{"rotate", "public_client"}, "no client secret to rotate"},
		{[]string{"rotate", "service_api"}, "cannot rotate"},
		{[]string{"status", "--max-age", "ninety"}, "90d"},
	} {
		code, out, errs := w.run(c.args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want %q) %s", c.args, code, errs, c.want, out)
		}
	}
}

// Real kills: the child process dies while it waits for Globus's answer
// to each network step (the answer held back after Globus did the work):
// making the new secret, proving it, deleting the old one. Each time the
// status shows the rotation left half done, and running the same command
// again ends with one working secret, the one stored, and nothing lost.
func TestRotateKilledAtEachCall(t *testing.T) {
	for _, c := range []struct {
		name, method, path string // the call held back
		args               []string
		status             string
	}{
		{"creating", "POST", "/v2/api/clients/ID/credentials", []string{"rotate", "service_api"}, "not finished making the new secret"},
		{"proving", "POST", "/v2/oauth2/token", []string{"rotate", "service_api"}, "not finished making the new secret"},
		{"deleting", "DELETE", "/v2/api/clients/ID/credentials/", []string{"rotate", "service_api", "--finish"}, "deleting the old secret"},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, env := newRotateCmdWorld(t)
			id, old := w.value("service_api.client_id"), w.value("service_api.client_secret")
			if c.name == "deleting" {
				if code, out, errs := w.run("rotate", "service_api"); code != 0 {
					t.Fatalf("rotate: %s%s", out, errs)
				}
			}
			before := w.srv.CountRequests(c.method, strings.Replace(c.path, "ID", id, 1))
			w.srv.FailNext(c.method, strings.Replace(c.path, "ID", id, 1), 1, globustest.Failure{AfterHandling: true, Delay: time.Minute})

			child := exec.Command(os.Args[0], c.args...)
			child.Env = append(os.Environ(), childEnv+"=1")
			for k, v := range w.env {
				child.Env = append(child.Env, k+"="+v)
			}
			var childOut bytes.Buffer
			child.Stdout, child.Stderr = &childOut, &childOut
			if err := child.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { child.Process.Kill() })
			deadline := time.Now().Add(30 * time.Second)
			for w.srv.CountRequests(c.method, strings.Replace(c.path, "ID", id, 1)) == before {
				if time.Now().After(deadline) {
					child.Process.Kill()
					child.Wait() // its output is safe to read once it has ended
					t.Fatalf("the child never made the call:\n%s", childOut.String())
				}
				time.Sleep(10 * time.Millisecond)
			}
			time.Sleep(50 * time.Millisecond) // Globus has done the work; the answer is held
			child.Process.Kill()
			child.Wait()
			t.Logf("$ globus-setup %s   # killed while waiting for Globus's answer (%s)\n%s", strings.Join(c.args, " "), c.name, childOut.String())
			_, out, _ := w.run("status")
			t.Logf("$ globus-setup status\n%s", out)
			if !strings.Contains(out, c.status) {
				t.Errorf("status does not show the rotation left half done (%q)", c.status)
			}
			code, out, errs := w.run(c.args...)
			t.Logf("$ globus-setup %s   # again\n%s%s", strings.Join(c.args, " "), out, errs)
			if code != 0 {
				t.Fatalf("resume: %d", code)
			}
			if c.name != "deleting" {
				if !strings.Contains(out, "Carrying on") {
					t.Error("the second rotate does not say it carries on")
				}
				if code, out, errs := w.run("rotate", "service_api", "--finish"); code != 0 {
					t.Fatalf("finish: %s%s", out, errs)
				}
			}
			nw := w.value("service_api.client_secret")
			b, _ := os.ReadFile(env)
			if n := len(w.srv.Credentials(id)); n != 1 || nw == old || !w.secretWorks(id, nw) || w.secretWorks(id, old) || !strings.Contains(string(b), nw) {
				t.Fatalf("after resuming and finishing: %d secrets at Globus; want only the new one, stored and in the .env", n)
			}
		})
	}
}
