package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// apply at a terminal meets an MFA demand mid-way: it says what Globus asks,
// shows the boosted link, reads the code, and finishes with no duplicate.
func TestApplyReauthAtTerminal(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/policies", MFA: true})
	w.terminal = true
	var boosted string
	w.browser = func(u string) string {
		boosted = u
		code, err := w.srv.ApproveLogin(u)
		if err != nil {
			t.Error(err)
		}
		return code
	}
	code, out, errs := w.run("apply", "--yes", "--domains", testDomains)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	mustHave(t, out, "Globus needs you to sign in again with MFA (a second factor) to create a policy.",
		"session_required_mfa=True", "Signed in again; trying once more.", `✓ kept project "Inference Gateway"`, `✓ created policy`, "Done:")
	if strings.Contains(errs, "✗") {
		t.Errorf("a failure was printed for the redriven call:\n%s", errs)
	}
	u, _ := url.Parse(boosted)
	if u.Query().Get("client_id") != thick || u.Query().Get("session_required_mfa") != "True" {
		t.Errorf("boosted URL %s", boosted)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 1 {
		t.Errorf("%d projects created", n)
	}
	if n := len(w.srv.Projects()); n != 2 {
		t.Errorf("%d projects", n)
	}
}

// Not at a terminal: the error names the login command with what Globus
// asks; that login then lets apply finish.
func TestApplyReauthWithoutTerminal(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/policies", MFA: true, SingleDomain: []string{"example.org"}})
	code, out, errs := w.run("apply", "--yes", "--domains", testDomains)
	if code == 0 {
		t.Fatalf("exit 0\n%s", out)
	}
	want := "globus-setup login --client-id " + thick + " --mfa --domain example.org"
	mustHave(t, errs, "Globus needs you to sign in again with MFA (a second factor) and with an identity from example.org to create a policy", "`"+want+"` in a terminal")

	var asked string
	w.browser = func(u string) string {
		asked = u
		code, _ := w.srv.ApproveLogin(u)
		return code
	}
	args := strings.Fields(want)[1:]
	if code, out, errs := w.run(args...); code != 0 || !strings.Contains(out, "Asking Globus for a session with MFA (a second factor) and with an identity from example.org.") {
		t.Fatalf("login: %d\n%s%s", code, out, errs)
	}
	q := mustParseURL(t, asked).Query()
	if q.Get("session_required_mfa") != "True" || q.Get("session_required_single_domain") != "example.org" {
		t.Errorf("login URL %s", asked)
	}
	w.browser = nil
	if code, out, errs := w.run("apply", "--yes", "--domains", testDomains); code != 0 {
		t.Fatalf("after the login: %d\n%s%s", code, out, errs)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 1 {
		t.Errorf("%d projects created", n)
	}
}

func TestLoginAskFlagsValidated(t *testing.T) {
	w, thick := newApplyWorld(t)
	for _, c := range []struct{ args []string }{
		{[]string{"--policy", "nope"}}, {[]string{"--domain", "a b"}}, {[]string{"--identity", "x"}}, {[]string{"--scope", "a b"}},
	} {
		code, _, errs := w.run(append([]string{"login", "--client-id", thick}, c.args...)...)
		if code == 0 || !strings.Contains(errs, c.args[0]) {
			t.Errorf("%v: exit %d, %s", c.args, code, errs)
		}
	}
}

func mustHave(t *testing.T, s string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(s, w) {
			t.Errorf("missing %q in:\n%s", w, s)
		}
	}
}

func mustParseURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestEmulatorDemandFlags(t *testing.T) {
	w := newBareWorld(t)
	code, _, errs := w.run("emulator", "--addr", "127.0.0.1:0", "--demand", "DELETE /v2/api/clients/ nope")
	if code == 0 || !strings.Contains(errs, `unknown requirement "nope"`) || !strings.Contains(errs, EnvEmulatorDemands) {
		t.Errorf("bad --demand: exit %d, %s", code, errs)
	}
	w.env[EnvEmulatorDemands] = "POST /v2/api/policies mfa; GET /v2/x"
	code, _, errs = w.run("emulator", "--addr", "127.0.0.1:0")
	if code == 0 || !strings.Contains(errs, `demand "GET /v2/x"`) {
		t.Errorf("bad %s: exit %d, %s", EnvEmulatorDemands, code, errs)
	}
}
