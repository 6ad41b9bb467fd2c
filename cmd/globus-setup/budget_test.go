package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// hungServer accepts requests and never answers them (until the test ends).
func hungServer(t *testing.T) string {
	t.Helper()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv.URL
}

// A Globus that never answers stops a command when its network budget is
// spent (not after 5 attempts of 60 s), and the error names the call.
func TestCommandNetworkBudget(t *testing.T) {
	w := newOpsWorld(t)
	base := hungServer(t)
	w.env["GLOBUS_SDK_SERVICE_URL_AUTH"] = base + "/auth/"
	w.env["GLOBUS_SDK_SERVICE_URL_GROUPS"] = base + "/groups/"
	w.env["GLOBUS_SETUP_NETWORK_BUDGET"] = "300ms"
	type result struct {
		code      int
		out, errs string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errs := w.run("scope", "create")
		done <- result{code, out, errs}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(2 * time.Minute): // a hang guard, not a timing assertion
		t.Fatal("scope create still waiting on a server that never answers")
	}
	if r.code != 1 {
		t.Errorf("exit %d", r.code)
	}
	for _, want := range []string{"did not answer GET /v2/api/clients/" + w.apiID, "network time ran out", "300ms in all", "GLOBUS_SETUP_NETWORK_BUDGET", "what to do:"} {
		if !strings.Contains(r.errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errs)
		}
	}
}

func TestBadNetworkBudgetSetting(t *testing.T) {
	w := newOpsWorld(t)
	w.env["GLOBUS_SETUP_NETWORK_BUDGET"] = "soon"
	code, _, errs := w.run("verify")
	if code == 0 || !strings.Contains(errs, `GLOBUS_SETUP_NETWORK_BUDGET="soon" is not a positive duration`) {
		t.Errorf("exit %d:\n%s", code, errs)
	}
}

// The person logging in in the browser takes longer than the whole budget:
// that is not network time, so the login still completes.
func TestNetworkBudgetSparesThePerson(t *testing.T) {
	w := newOpsWorld(t)
	w.env["GLOBUS_SETUP_NETWORK_BUDGET"] = "300ms"
	w.browser = func(url string) string {
		time.Sleep(600 * time.Millisecond) // reading the page, signing in
		code, err := w.srv.ApproveLogin(url)
		if err != nil {
			t.Error(err)
		}
		return code
	}
	if code, out, errs := w.run("login"); code != 0 {
		t.Fatalf("login: %d\n%s%s", code, out, errs)
	}
}
