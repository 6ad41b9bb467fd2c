package globustest

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestFailNext429(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	w.s.FailNext("POST", "/v2/oauth2/token", 2, Failure{Status: 429, RetryAfter: 1500 * time.Millisecond})

	for i := 0; i < 2; i++ {
		globusError(t, w.clientCredentials(t, id, secret, ""), 429, "TOO_MANY_REQUESTS")
	}
	// The header is whole seconds, rounded up.
	w.s.FailNext("", "/auth/v2/oauth2/token", 1, Failure{Status: 429, RetryAfter: 1500 * time.Millisecond})
	if got := w.clientCredentials(t, id, secret, "").header.Get("Retry-After"); got != "2" {
		t.Errorf("Retry-After %q, want 2", got)
	}
	expect(t, w.clientCredentials(t, id, secret, ""), 200)
	if n := w.s.CountRequests("POST", "/v2/oauth2/token"); n != 4 {
		t.Errorf("counted %d token POSTs, want 4", n)
	}
	statuses := []int{}
	for _, r := range w.s.Requests() {
		statuses = append(statuses, r.Status)
	}
	if got := statuses[len(statuses)-4:]; got[0] != 429 || got[1] != 429 || got[2] != 429 || got[3] != 200 {
		t.Errorf("recorded statuses %v", got)
	}
}

func TestFailNextMatching(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	w.s.FailNext("GET", "/v2/api/clients", 1, Failure{Status: 503})
	w.s.FailNext("POST", "/v2/groups", 1, Failure{Status: 403, Body: `{"code":"custom"}`})

	// A POST to the token endpoint is not matched by either rule.
	expect(t, w.clientCredentials(t, id, secret, ""), 200)
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id, basic: &[2]string{id, secret}}.do(t), 503, "SERVICE_UNAVAILABLE")
	expect(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id, basic: &[2]string{id, secret}}.do(t), 200)

	a := expect(t, call{method: "POST", url: w.groupsURL + "v2/groups", bearer: "whatever", json: map[string]any{}}.do(t), 403)
	if strings.TrimSpace(string(a.raw)) != `{"code":"custom"}` {
		t.Errorf("custom body: %s", a.raw)
	}
	w.s.FailNext("", "/", 5, Failure{Status: 500})
	w.s.ClearFailures()
	expect(t, w.clientCredentials(t, id, secret, ""), 200)
	w.s.FailNext("GET", "/v2", 0, Failure{Status: 500}) // n <= 0 does nothing
	expect(t, call{method: "GET", url: w.authURL + "v2/api/clients/" + id, basic: &[2]string{id, secret}}.do(t), 200)
}

func TestFailNextDelay(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)

	// A short delay and then the normal answer.
	w.s.FailNext("POST", "/v2/oauth2/token", 1, Failure{Delay: time.Millisecond})
	expect(t, w.clientCredentials(t, id, secret, ""), 200)

	// A long delay: cancelling the request's context ends it promptly.
	w.s.FailNext("POST", "/v2/oauth2/token", 1, Failure{Delay: time.Hour, Status: 500})
	before := len(w.s.Requests())
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for len(w.s.Requests()) == before {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := call{ctx: ctx, method: "POST", url: w.authURL + "v2/oauth2/token", basic: &[2]string{id, secret},
		form: url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}}.send()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	// The rule was used up; the next request is normal.
	expect(t, w.clientCredentials(t, id, secret, ""), 200)
}

func TestCloseEndsDelays(t *testing.T) {
	s := New()
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	s.FailNext("GET", "/app/", 1, Failure{Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		_, err := call{method: "GET", url: base + "/app/groups"}.send()
		done <- err
	}()
	for len(s.Requests()) == 0 {
		time.Sleep(time.Millisecond)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	<-done // the request ended (answered 503 or cut off) instead of waiting an hour
}

func TestStartListenClose(t *testing.T) {
	s := New()
	base, err := s.Start()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || s.BaseURL() != base {
		t.Fatalf("base %q", base)
	}
	env := s.Env()
	if env["GLOBUS_SDK_SERVICE_URL_AUTH"] != base+"/auth/" || env["GLOBUS_SDK_SERVICE_URL_GROUPS"] != base+"/groups/" || env["GLOBUS_SETUP_APP_URL"] != base+"/app/" {
		t.Errorf("env %v", env)
	}
	resp, err := http.Get(base + "/app/settings/developers")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("console answered %d", resp.StatusCode)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil { // twice is fine
		t.Fatal(err)
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if _, err := client.Get(base + "/app/settings/developers"); err == nil {
		t.Errorf("still serving after Close")
	}

	for _, addr := range []string{"0.0.0.0:0", "192.0.2.1:0", "example.org:80", "nonsense"} {
		if _, err := New().Listen(addr); err == nil {
			t.Errorf("Listen(%q) accepted a non-loopback address", addr)
		}
	}
}

func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	id, secret := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)
	tok := expect(t, w.clientCredentials(t, id, secret, GroupsScope), 200).obj(t)["access_token"].(string)
	gid := expect(t, call{method: "POST", url: w.groupsURL + "v2/groups", bearer: tok, json: map[string]any{"name": "g"}}.do(t), 201).obj(t)["id"].(string)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			who := w.s.AddIdentity("user"+string(rune('a'+i))+"@example.org", "", "", "")
			a, err := call{method: "POST", url: w.groupsURL + "v2/groups/" + gid, bearer: tok,
				json: map[string]any{"add": []any{map[string]any{"identity_id": who.ID, "role": "member"}}}}.send()
			if err != nil || a.status != 200 {
				t.Errorf("add: %v %d", err, a.status)
			}
			a, err = call{method: "POST", url: w.authURL + "v2/oauth2/token", basic: &[2]string{id, secret},
				form: url.Values{"grant_type": {"client_credentials"}, "scope": {"openid"}}}.send()
			if err != nil || a.status != 200 {
				t.Errorf("token: %v %d", err, a.status)
			}
			w.s.Requests()
		}(i)
	}
	wg.Wait()
	if n := len(w.s.GroupMembers(gid)); n != 9 {
		t.Errorf("%d members, want 9", n)
	}
}
