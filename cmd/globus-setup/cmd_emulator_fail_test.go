package main

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// emulator --fail makes the calls it names fail as an outage would, so a
// failed identity look-up (or any other) can be tried on the real binary.
func TestEmulatorFailFlag(t *testing.T) {
	srv, _ := globustest.NewTestServer(t)
	method, path, times, f, err := parseFailure("get /v2/api/identities 503 times=2")
	if err != nil {
		t.Fatal(err)
	}
	srv.FailNext(method, path, times, f)
	get := func(p string) int {
		t.Helper()
		resp, err := http.Get(srv.AuthURL() + strings.TrimPrefix(p, "/"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/v2/api/projects"); got == http.StatusServiceUnavailable {
		t.Error("another path failed too")
	}
	for i := range 2 {
		if got := get("/v2/api/identities?usernames=a@example.org"); got != http.StatusServiceUnavailable {
			t.Errorf("look-up %d answered %d, want 503", i+1, got)
		}
	}
	if got := get("/v2/api/identities?usernames=a@example.org"); got == http.StatusServiceUnavailable {
		t.Error("times=2 failed a third time")
	}

	if _, _, n, _, err := parseFailure("GET /v2/api/identities 500"); err != nil || n < 1000 {
		t.Errorf("without times: %d, %v; want every time", n, err)
	}
	for spec, want := range map[string]string{
		"GET /v2/api/identities":             "three to five words",
		"GET v2/api/identities 503":          "must start with /",
		"GET /v2/api/identities 200":         "400 to 599",
		"GET /v2/api/identities 503 n=2":     "times=N and wait=D only",
		"GET /v2/api/identities 503 times=0": "times must be",
		"GET /v2/api/identities ok":          "give a wait=D",
		"GET /v2/api/identities ok wait=no":  "wait must be a duration",
	} {
		if _, _, _, _, err := parseFailure(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", spec, err, want)
		}
	}
	// ok with a wait: Globus's own answer, late (a slow Globus, for
	// interrupting a task mid-way).
	if _, _, n, f, err := parseFailure("POST /v2/api/policies ok wait=90s times=1"); err != nil || n != 1 || f.Status != 0 || f.Delay != 90*time.Second {
		t.Errorf("ok wait=90s times=1: %d, %+v, %v; want once, status 0 (served), 90s late", n, f, err)
	}
	w := newBareWorld(t)
	if code, _, errs := w.run("emulator", "--addr", "127.0.0.1:0", "--fail", "GET /x"); code == 0 || !strings.Contains(errs, `--fail "GET /x"`) {
		t.Errorf("bad --fail: exit %d, %s", code, errs)
	}
}
