package globus

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func okClient(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, 200, map[string]any{"client": map[string]any{"id": "c1", "name": "Service API", "scopes": []string{"s1"}}})
}

func TestRetryOn5xxThenSuccess(t *testing.T) {
	f := newFixture(t, failThen(2, 503, nil, globusError(503, "SERVICE_UNAVAILABLE", "down"), okClient))
	got, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "c1" || got.Name != "Service API" || len(got.Scopes) != 1 {
		t.Errorf("got %+v", got)
	}
	if n := f.rec.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
	if n := len(f.sl.all()); n != 2 {
		t.Errorf("%d sleeps, want 2", n)
	}
}

// globus-sdk-python's RetryConfig: 5 retries, each wait
// (0.25 + 0.5 × random) × 2^attempt seconds, capped at 10 s.
func TestBackoffGrowsWithJitter(t *testing.T) {
	f := newFixture(t, failThen(100, 500, nil, globusError(500, "ERROR", "boom"), okClient))
	_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
	if !IsStatus(err, 500) {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 6 {
		t.Errorf("%d requests, want 6 (the first and 5 retries)", n)
	}
	for i, d := range f.sl.all() {
		lo, hi := time.Second<<i/4, min(3*(time.Second<<i)/4, 10*time.Second)
		if d < min(lo, 10*time.Second) || d > hi {
			t.Errorf("sleep %d = %v, want in [%v, %v]", i, d, lo, hi)
		}
	}
}

func TestWithMaxRetries(t *testing.T) {
	f := newFixture(t, failThen(100, 502, nil, nil, okClient), WithMaxRetries(1))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); !IsStatus(err, 502) {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	f = newFixture(t, failThen(100, 502, nil, nil, okClient), WithMaxRetries(0))
	_, _ = f.c.GetClient(context.Background(), Basic(testCred), "c1")
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Retry-After is read as whole seconds, and only on 429 and 503
// (default_retry_checks.py check_retry_after_header, _parse_retry_after);
// an HTTP date is not an int there, so the backoff stands.
func TestRetryAfterWholeSeconds(t *testing.T) {
	f := newFixture(t, failThen(1, 429, http.Header{"Retry-After": {"7"}}, globusError(429, "TOO_MANY", "slow down"), okClient))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); err != nil {
		t.Fatal(err)
	}
	if got := f.sl.all(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("sleeps %v, want [7s]", got)
	}

	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	f = newFixture(t, failThen(1, 503, http.Header{"Retry-After": {date}}, nil, okClient))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); err != nil {
		t.Fatal(err)
	}
	if got := f.sl.all(); len(got) != 1 || got[0] > 750*time.Millisecond {
		t.Errorf("sleeps %v, want the first backoff (at most 750ms)", got)
	}

	// A 500's Retry-After is not read.
	f = newFixture(t, failThen(1, 500, http.Header{"Retry-After": {"7"}}, nil, okClient))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); err != nil {
		t.Fatal(err)
	}
	if got := f.sl.all(); len(got) != 1 || got[0] > 750*time.Millisecond {
		t.Errorf("sleeps %v, want the first backoff", got)
	}
}

// Every wait is capped at 10 s, a long Retry-After's too
// (transport/requests.py _retry_sleep: min(backoff, max_sleep)).
func TestLongRetryAfterIsCapped(t *testing.T) {
	f := newFixture(t, failThen(1, 429, http.Header{"Retry-After": {"3600"}}, globusError(429, "TOO_MANY", "slow down"), okClient))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); err != nil {
		t.Fatal(err)
	}
	if got := f.sl.all(); len(got) != 1 || got[0] != 10*time.Second {
		t.Errorf("sleeps %v, want [10s]", got)
	}
	f = newFixture(t, failThen(100, 429, http.Header{"Retry-After": {"3600"}}, globusError(429, "TOO_MANY", "slow down"), okClient))
	_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
	var e *Error
	if !errors.As(err, &e) || e.Status != 429 || e.RetryAfter != time.Hour || !strings.Contains(e.Hint(), "wait 1h0m0s") {
		t.Fatalf("err = %v, hint %q", err, Hint(err))
	}
}

// 501 and 505 are answered the same however often they are asked: one
// try, and a hint that does not send the operator back in a few minutes.
// Only 429, 500, 502, 503 and 504 are retried (RetryConfig
// transient_error_status_codes).
func TestOnlyTransientStatusesAreRetried(t *testing.T) {
	for status, want := range map[int]int{501: 1, 505: 1, 507: 1, 500: 6, 502: 6, 503: 6, 504: 6, 429: 6} {
		f := newFixture(t, failThen(100, status, nil, globusError(status, "X", "no"), okClient))
		_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
		if n := f.rec.count(); !IsStatus(err, status) || n != want {
			t.Errorf("GET %d: %d requests, want %d (err %v)", status, n, want, err)
		}
		h := Hint(err)
		if permanent := want == 1; status != 429 && permanent == strings.Contains(h, "try again in a few minutes") {
			t.Errorf("%d: hint %q", status, h)
		}
		if want == 1 && !strings.Contains(h, "trying again will not help") {
			t.Errorf("%d: hint %q", status, h)
		}
	}
}

func TestNoRetryOnClientErrors(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 422} {
		f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, status, globusError(status, "NOPE", "no"))
		})
		if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); !IsStatus(err, status) {
			t.Errorf("GET %d: err = %v", status, err)
		}
		if _, err := f.c.CreateScope(context.Background(), testCred, ActionAllScopeCreate("n", "d")); !IsStatus(err, status) {
			t.Errorf("POST %d: err = %v", status, err)
		}
		if n := f.rec.count(); n != 2 {
			t.Errorf("status %d: %d requests, want 2 (no retries)", status, n)
		}
	}
}

func TestCreatingPostsRetryOnlyWhenNothingWasCreated(t *testing.T) {
	okGroup := func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"id": "g1", "name": "x"})
	}
	// 429 and 503 are refusals before any work; 500, 502 and 504 may come
	// after the group was made, so a second POST could make another.
	for status, want := range map[int]int{500: 1, 502: 1, 503: 2, 504: 1, 429: 2} {
		f := newFixture(t, failThen(1, status, nil, nil, okGroup))
		_, err := f.c.CreateGroup(context.Background(), Bearer("tok-abcdef"), GroupCreate{Name: "x"})
		if n := f.rec.count(); n != want {
			t.Errorf("POST after %d: %d requests, want %d (err %v)", status, n, want, err)
		}
		if want == 1 && (!IsStatus(err, status) || !strings.Contains(Hint(err), "may have made it anyway")) {
			t.Errorf("%d: err = %v, hint %q", status, err, Hint(err))
		}
		if want == 2 && err != nil {
			t.Errorf("%d then 200: err = %v", status, err)
		}
	}
}

func TestMayHaveMadeItHintOnlyForCreates(t *testing.T) {
	for _, status := range []int{500, 502, 504} {
		f := newFixture(t, failThen(100, status, nil, nil, okClient), WithMaxRetries(0))
		_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
		if h := Hint(err); !IsStatus(err, status) || strings.Contains(h, "may have made it") || !strings.Contains(h, "on its side") {
			t.Errorf("GET %d: err %v, hint %q", status, err, h)
		}
	}
	f := newFixture(t, failThen(100, 503, nil, nil, okClient), WithMaxRetries(0))
	_, err := f.c.CreateGroup(context.Background(), Bearer("tok-abcdef"), GroupCreate{Name: "x"})
	if h := Hint(err); !IsStatus(err, 503) || strings.Contains(h, "may have made it") {
		t.Errorf("POST 503 (a refusal): err %v, hint %q", err, h)
	}
}

// dropper closes the first n connections without answering.
func dropper(t *testing.T, n int, ok http.HandlerFunc) http.HandlerFunc {
	var left atomic.Int32
	left.Store(int32(n))
	return func(w http.ResponseWriter, r *http.Request) {
		if left.Add(-1) >= 0 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			conn.Close()
			return
		}
		ok(w, r)
	}
}

func TestTransientNetworkErrors(t *testing.T) {
	f := newFixture(t, dropper(t, 2, okClient))
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "c1"); err != nil {
		t.Fatalf("GET not retried after dropped connections: %v", err)
	}
	if n := f.rec.count(); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}

	f = newFixture(t, dropper(t, 1, okClient))
	_, err := f.c.CreateGroup(context.Background(), Bearer("tok-abcdef"), GroupCreate{Name: "x"})
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("creating POST retried after a dropped connection: %d requests", n)
	}
}

func TestUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	sl := &sleeps{}
	c, err := New(Environment{AuthURL: "http://" + addr + "/auth/", GroupsURL: "http://" + addr + "/groups/"}, WithSleep(sl.sleep))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetClient(context.Background(), Basic(testCred), "c1")
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Fatalf("err = %#v", err)
	}
	msg := err.Error()
	for _, want := range []string{"cannot reach Globus Auth at http://" + addr + "/auth/", "refused", EnvAuthURL, "GET /v2/api/clients/c1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not contain %q", msg, want)
		}
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("not one line: %q", msg)
	}
	if len(sl.all()) != DefaultMaxRetries {
		t.Errorf("refused connection retried %d times, want %d", len(sl.all()), DefaultMaxRetries)
	}
	if Hint(err) == "" {
		t.Error("no hint")
	}
}

func TestContextCancel(t *testing.T) {
	// Cancelled while waiting to retry: the last answer and the cancellation both show.
	ctx, cancel := context.WithCancel(context.Background())
	f := newFixture(t, failThen(100, 503, nil, nil, okClient), WithSleep(func(ctx context.Context, d time.Duration) error {
		cancel()
		return ctx.Err()
	}))
	_, err := f.c.GetClient(ctx, Basic(testCred), "c1")
	if !errors.Is(err, context.Canceled) || !IsStatus(err, 503) {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests after cancel, want 1", n)
	}

	// Cancelled before the call.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	_, err = f.c.GetClient(ctx, Basic(testCred), "c1")
	var ne *NetworkError
	if !errors.Is(err, context.Canceled) || !errors.As(err, &ne) || !strings.Contains(err.Error(), "cancelled") {
		t.Fatalf("err = %v", err)
	}
}

// blockUntilGone answers nothing until the client gives up. The body is read
// first: net/http notices a closed connection only once the body is consumed.
func blockUntilGone(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
}

func TestContextDeadline(t *testing.T) {
	f := newFixture(t, blockUntilGone)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := f.c.GetClient(ctx, Basic(testCred), "c1")
	var ne *NetworkError
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests, want 1: an expired context is never retried", n)
	}
}

func TestHTTPTimeout(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(blockUntilGone))
	t.Cleanup(srv.Close)
	c, err := New(Environment{AuthURL: srv.URL + "/auth/", GroupsURL: srv.URL + "/groups/", Timeout: 50 * time.Millisecond},
		WithMaxRetries(1), WithSleep((&sleeps{}).sleep))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetClient(context.Background(), Basic(testCred), "c1")
	var ne *NetworkError
	if !errors.As(err, &ne) || !ne.Timeout() || !strings.Contains(err.Error(), "did not answer (GET /v2/api/clients/c1) within one attempt's time limit (50ms, "+EnvHTTPTimeout+")") {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(Hint(err), EnvHTTPTimeout) {
		t.Errorf("hint %q", Hint(err))
	}
	if n := rec.count(); n != 2 {
		t.Errorf("%d requests, want 2: a timed-out GET is retried", n)
	}
}

func TestPerRequestURLCheck(t *testing.T) {
	f := newFixture(t, okClient)
	// The base is checked in New; this is the belt-and-braces check in do().
	f.c.auth.base = "http://auth.example.org/"
	_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
	if err == nil || !strings.Contains(err.Error(), "refusing http://auth.example.org/v2/api/clients/c1") {
		t.Fatalf("err = %v", err)
	}
}

func TestRedirects(t *testing.T) {
	other := &recorder{}
	elsewhere := httptest.NewServer(other.wrap(okClient))
	t.Cleanup(elsewhere.Close)
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/auth/v2/api/clients/away":
			http.Redirect(w, r, elsewhere.URL+"/auth/v2/api/clients/c1?token=leak", http.StatusTemporaryRedirect)
		case "/auth/v2/api/clients/moved":
			http.Redirect(w, r, "/auth/v2/api/clients/c1", http.StatusTemporaryRedirect)
		default:
			okClient(w, r)
		}
	})
	_, err := f.c.GetClient(context.Background(), Basic(testCred), "away")
	var re *RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v", err)
	}
	if other.count() != 0 {
		t.Error("the request reached the other host")
	}
	if strings.Contains(err.Error(), "leak") {
		t.Errorf("query string in error: %v", err)
	}
	if f.rec.count() != 1 {
		t.Errorf("a refused redirect was retried")
	}
	if _, err := f.c.GetClient(context.Background(), Basic(testCred), "moved"); err != nil {
		t.Errorf("same-host redirect refused: %v", err)
	}
}

func TestErrorShapes(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		check  func(*Error) bool
		line   string
		hint   string
	}{
		{"globus errors list", 403, `{"errors":[{"status":"403","code":"FORBIDDEN","detail":"You are not an admin of this client","title":"Forbidden","id":"abc-1"}],"error":"forbidden","error_description":"Forbidden"}`,
			func(e *Error) bool {
				return e.Code == "FORBIDDEN" && e.Detail == "You are not an admin of this client" && e.Title == "Forbidden" && e.RequestID == "abc-1" && e.OAuthError == "forbidden"
			},
			"Globus Auth said 403 FORBIDDEN: You are not an admin of this client (GET /v2/api/clients/c1, request ID abc-1)", "not allowed"},
		{"bare oauth error", 401, `{"error":"invalid_client"}`,
			func(e *Error) bool { return e.OAuthError == "invalid_client" && e.Code == "" },
			"Globus Auth said 401 invalid_client (GET /v2/api/clients/c1)",
			"the client ID and secret do not match; create a new secret in the developers console"},
		{"oauth error with description", 400, `{"error":"invalid_grant","error_description":"Invalid code"}`,
			func(e *Error) bool { return e.OAuthError == "invalid_grant" && e.Detail == "Invalid code" },
			"Globus Auth said 400 invalid_grant: Invalid code (GET /v2/api/clients/c1)", "log in again"},
		{"not json", 404, `<html>not found</html>`,
			func(e *Error) bool { return e.Code == "" && e.Detail == "" },
			"Globus Auth said 404 Not Found (GET /v2/api/clients/c1)", "no such object"},
		{"conflict", 409, `{"errors":[{"code":"CONFLICT","detail":"A scope with this suffix\nalready exists"}]}`,
			func(e *Error) bool { return e.Code == "CONFLICT" },
			"Globus Auth said 409 CONFLICT: A scope with this suffix already exists (GET /v2/api/clients/c1)", "reuse it"},
		{"server error", 500, `{}`, func(e *Error) bool { return true },
			"Globus Auth said 500 Internal Server Error (GET /v2/api/clients/c1)", "on its side"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}, WithMaxRetries(0))
			_, err := f.c.GetClient(context.Background(), Basic(testCred), "c1")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %#v", err)
			}
			if e.Status != tc.status || e.Method != "GET" || e.URL != "/v2/api/clients/c1" || e.Service != "Globus Auth" || !tc.check(e) {
				t.Errorf("fields: %#v", e)
			}
			if e.Error() != tc.line {
				t.Errorf("Error()\n got %q\nwant %q", e.Error(), tc.line)
			}
			if !strings.Contains(e.Hint(), tc.hint) {
				t.Errorf("Hint() = %q, want it to contain %q", e.Hint(), tc.hint)
			}
		})
	}
}

func TestErrorHasNoQueryString(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, globusError(403, "FORBIDDEN", "missing scope"))
	})
	_, err := f.c.LookupIdentities(context.Background(), Bearer("tok-abcdef"), []string{"alice@example.org"})
	if err == nil || strings.Contains(err.Error(), "alice") || strings.Contains(err.Error(), "?") {
		t.Fatalf("err = %v", err)
	}
	if got := f.rec.all()[0].RawQuery; got != "provision=false&usernames=alice%40example.org" {
		t.Errorf("query %q", got)
	}
}

func TestGroupsErrorsNameGroups(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, map[string]any{"code": "NOT_FOUND", "detail": "no group", "request_id": "rq"})
	})
	_, err := f.c.GetGroup(context.Background(), Bearer("tok-abcdef"), "g1", true)
	if err == nil || err.Error() != "Globus Groups said 404 NOT_FOUND: no group (GET /v2/groups/g1, request ID rq)" {
		t.Fatalf("err = %v", err)
	}
}

func TestParseRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{"0": 0, "12": 12 * time.Second, " 3 ": 3 * time.Second} {
		got, ok := parseRetryAfter(http.Header{"Retry-After": {v}})
		if !ok || got != want {
			t.Errorf("%q: %v %v, want %v", v, got, ok, want)
		}
	}
	for _, v := range []string{"", "-1", "soon", "1.5", "Wed, 25 Nov 2026 12:01:00 GMT"} {
		if _, ok := parseRetryAfter(http.Header{"Retry-After": {v}}); ok {
			t.Errorf("%q accepted", v)
		}
	}
}
