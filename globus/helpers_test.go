package globus

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"
)

// recorder is a small fake Globus: one handler for both services, every
// request noted.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

type seen struct {
	Method, Path, RawQuery, Auth, Body string
	Form                               url.Values
	Header                             http.Header
}

func (r *recorder) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Authorization"), string(body), form, req.Header.Clone()})
		r.mu.Unlock()
		if h != nil {
			h(w, req)
		}
	}
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func (r *recorder) count() int { return len(r.all()) }

// sleeps records the waits between retries instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

type fixture struct {
	c   *Client
	rec *recorder
	sl  *sleeps
	srv *httptest.Server
}

// newFixture serves h at Auth {base}/auth/ and Groups {base}/groups/, as the
// emulator lays them out.
func newFixture(t *testing.T, h http.HandlerFunc, opts ...Option) *fixture {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(rec.wrap(h))
	t.Cleanup(srv.Close)
	sl := &sleeps{}
	env := Environment{Name: "custom", AuthURL: srv.URL + "/auth/", GroupsURL: srv.URL + "/groups/", AppURL: srv.URL + "/app/", Timeout: 10 * time.Second}
	c, err := New(env, append([]Option{WithSleep(sl.sleep)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{c: c, rec: rec, sl: sl, srv: srv}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func globusError(status int, code, detail string) map[string]any {
	return map[string]any{
		"errors": []map[string]any{{"status": http.StatusText(status), "code": code, "detail": detail, "title": http.StatusText(status), "id": "req-123"}},
		"error":  code, "error_description": detail,
	}
}

// failThen answers status (with body) n times, then calls ok.
func failThen(n int, status int, header http.Header, body any, ok http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	left := n
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		fail := left > 0
		left--
		mu.Unlock()
		if fail {
			for k, v := range header {
				w.Header()[k] = v
			}
			writeJSON(w, status, body)
			return
		}
		ok(w, r)
	}
}

var testCred = Credentials{ID: "11111111-2222-3333-4444-555555555555", Secret: "S3cr3t-very-long-client-secret-value="}
