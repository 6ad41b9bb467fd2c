package main

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// The day after a setup, in a project that wants an admin's sign-in from
// the last 30 minutes to make a client secret (real Globus's 403
// FORBIDDEN, GLOBUS-API.md "Second pass").
func newDayAfterWorld(t *testing.T) (*opsWorld, string) {
	t.Helper()
	w, env := newRotateCmdWorld(t)
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/clients/*/credentials", RecentAdmin: 30 * time.Minute})
	w.srv.AdvanceClock(24 * time.Hour)
	return w, env
}

// At a terminal: the rotation says what Globus wants, asks for the
// sign-in (prompt=login), and goes on.
func TestRotateTheDayAfterAtATerminal(t *testing.T) {
	w, env := newDayAfterWorld(t)
	id, old := w.value("service_api.client_id"), w.value("service_api.client_secret")
	w.terminal = true
	var asked string
	w.browser = func(u string) string {
		asked = u
		code, err := w.srv.ApproveLogin(u)
		if err != nil {
			t.Error(err)
		}
		return code
	}
	code, out, errs := w.run("rotate", "service_api")
	t.Logf("$ globus-setup rotate service_api\n%s%s", out, errs)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	mustHave(t, out,
		"Globus needs you to sign in again as an administrator of the project (Globus wants an admin's sign-in from the last 30 minutes) to make a client secret.",
		"Globus says: To access this project you must have an identity with admin privileges in session within the last 30 minutes.",
		"prompt=login", "Signed in again; trying once more.", "✓ made the new secret")
	q := mustParseURL(t, asked).Query()
	if q.Get("prompt") != "login" || q.Get("session_message") == "" {
		t.Errorf("login URL %s", asked)
	}
	nw := w.value("service_api.client_secret")
	if nw == old || !w.secretWorks(id, nw) || len(w.srv.Credentials(id)) != 2 {
		t.Error("the rotation did not go on")
	}
	if b, _ := os.ReadFile(env); !strings.Contains(string(b), nw) {
		t.Error("the .env lacks the new secret")
	}
	if w.srv.Refusals() != 1 {
		t.Errorf("%d refusals, want 1", w.srv.Refusals())
	}
}

// Off a terminal: the exact login to run is named, and nothing changes:
// no secret at Globus, the vault's secret, the .env, no rotation left.
func TestRotateTheDayAfterOffATerminal(t *testing.T) {
	w, env := newDayAfterWorld(t)
	id, old := w.value("service_api.client_id"), w.value("service_api.client_secret")
	envBefore, _ := os.ReadFile(env)
	_, statusBefore, _ := w.run("status")
	// apply logged in through the operator's own thick client, not the
	// gateway's public client: the login names it.
	thick := ""
	for _, p := range w.srv.Projects() {
		if p.Name == "Operator Tools" {
			thick = w.srv.Clients(p.ID)[0].ID
		}
	}
	code, out, errs := w.run("rotate", "service_api")
	t.Logf("$ globus-setup rotate service_api\n%s%s", out, errs)
	if code == 0 {
		t.Fatal("exit 0")
	}
	want := "`globus-setup login --client-id " + thick + "` in a terminal"
	mustHave(t, errs, "Globus needs you to sign in again as an administrator of the project", want)
	if strings.Contains(errs, "fix what the error names") {
		t.Errorf("the advice is not the sign-in:\n%s", errs)
	}
	if len(w.srv.Credentials(id)) != 1 || w.value("service_api.client_secret") != old {
		t.Error("a secret changed")
	}
	if b, _ := os.ReadFile(env); string(b) != string(envBefore) {
		t.Error("the .env changed")
	}
	if _, status, _ := w.run("status"); status != statusBefore {
		t.Errorf("status changed:\n%s\nwas:\n%s", status, statusBefore)
	}

	// That login, then the same command, goes through.
	w.browser = func(u string) string {
		code, _ := w.srv.ApproveLogin(u)
		return code
	}
	if code, out, errs := w.run(strings.Fields(strings.Trim(strings.TrimSuffix(want, " in a terminal"), "`"))[1:]...); code != 0 {
		t.Fatalf("login: %d\n%s%s", code, out, errs)
	}
	w.browser = nil
	if code, out, errs := w.run("rotate", "service_api"); code != 0 {
		t.Fatalf("after the login: %d\n%s%s", code, out, errs)
	}
	if len(w.srv.Credentials(id)) != 2 {
		t.Error("no new secret after the login")
	}
}

func TestEmulatorRecentAdminDemandFlag(t *testing.T) {
	w := newBareWorld(t)
	code, _, errs := w.run("emulator", "--addr", "127.0.0.1:0", "--demand", "POST /v2/api/clients/*/credentials recent-admin=soon")
	if code == 0 || !strings.Contains(errs, "recent-admin needs the window in whole minutes") {
		t.Errorf("bad recent-admin: exit %d, %s", code, errs)
	}
}
