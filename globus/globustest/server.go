package globustest

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Service prefixes under the base URL.
const (
	AuthPrefix   = "/auth"
	GroupsPrefix = "/groups"
	AppPrefix    = "/app"
)

// Server is the emulator: one http.Handler for Auth, Groups and the web app,
// with all state behind one mutex.
type Server struct {
	mu sync.Mutex

	mux     *http.ServeMux
	stop    chan struct{} // closed by Close: ends injected delays
	once    sync.Once
	base    string // http://127.0.0.1:port, once serving
	closeFn func()
	skew    time.Duration // AdvanceClock

	identities map[string]*identity // by id
	byUsername map[string]string    // lower-case username → id
	idps       map[string]string    // IdP name → IdP UUID
	sessions   map[string]*session  // by primary identity id
	operator   string               // identity id

	projects map[string]*project
	clients  map[string]*client
	scopes   map[string]*scope
	policies map[string]*policy
	groups   map[string]*group
	order    map[string]int // creation order of everything above, for stable listings
	seq      int

	tokens   map[string]*token
	refresh  map[string]*refreshGrant
	codes    map[string]*authCode
	failures []*failureRule
	requests []Request

	demands  []*demandRule       // session requirements on chosen calls (boost.go)
	consents map[string][]string // consentKey(user, client) → scope IDs granted at sign-in
}

// Request is one request the emulator received. It never holds a secret.
type Request struct {
	Service string // "auth", "groups" or "app"
	Method  string
	Path    string // after the service prefix, without the query: "/v2/oauth2/token"
	Auth    string // "basic:<client id>", "bearer" or ""
	Status  int    // status answered; 0 if the client went away first or the connection was dropped
}

// Failure is what an injected failure answers. Status 0 with a Delay only
// slows the request down; it is then served normally.
type Failure struct {
	Status     int
	RetryAfter time.Duration // sent as Retry-After in whole seconds (rounded up)
	// Delay is waited before answering (after handling, with AfterHandling).
	// The request's context or Close cuts it short.
	Delay time.Duration
	Body  string // raw body; empty means a Globus-style error document
	// AfterHandling serves the request normally first, so its state changes
	// happen, and then replaces the answer with the failure (Status or Drop;
	// with neither, the real answer goes out after Delay). It is "the object
	// was created but the answer was lost", like a crash between create and store.
	AfterHandling bool
	// Drop closes the connection with no answer at all (Status is ignored):
	// the client sees a transport error. Without AfterHandling nothing is handled.
	Drop bool
}

type failureRule struct {
	method, prefix string
	left           int
	f              Failure
}

// New returns an emulator with the built-in scopes and nothing else.
func New() *Server {
	s := &Server{
		identities: map[string]*identity{},
		byUsername: map[string]string{},
		idps:       map[string]string{},
		sessions:   map[string]*session{},
		projects:   map[string]*project{},
		clients:    map[string]*client{},
		scopes:     map[string]*scope{},
		policies:   map[string]*policy{},
		groups:     map[string]*group{},
		order:      map[string]int{},
		tokens:     map[string]*token{},
		refresh:    map[string]*refreshGrant{},
		codes:      map[string]*authCode{},
		consents:   map[string][]string{},
		stop:       make(chan struct{}),
	}
	for _, b := range builtinScopes {
		sc := b
		s.scopes[sc.id] = &sc
		s.remember(sc.id)
	}
	s.mux = http.NewServeMux()
	s.routeAuth()
	s.routeGroups()
	s.routeApp()
	return s
}

// ServeHTTP serves all three prefixes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	service, rest := splitService(r.URL.Path)
	rec := &statusRecorder{ResponseWriter: w}
	idx := s.record(Request{Service: service, Method: r.Method, Path: rest, Auth: authKind(r)})
	defer func() { s.setStatus(idx, rec.status) }()
	if service == "auth" || service == "groups" {
		if s.refuseForSession(rec, r, rest) {
			return
		}
	}

	f, ok := s.takeFailure(r.Method, r.URL.Path, rest)
	if !ok {
		s.mux.ServeHTTP(rec, r)
		return
	}
	if f.Delay > 0 || f.Drop || f.AfterHandling {
		// The server notices a client hanging up only once the body has
		// been read, and a hijacked connection must not have one pending:
		// read it first and replay it to the handler.
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	var handled *bufferedAnswer
	if f.AfterHandling {
		handled = &bufferedAnswer{header: http.Header{}}
		s.mux.ServeHTTP(handled, r)
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.stop:
			t.Stop()
			if handled != nil {
				// The work is done and the server is going away: no answer,
				// as when Globus's front end dies after the service acted.
				drop(w)
				return
			}
			apiError(rec, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE", "the emulator is shutting down")
			return
		}
	}
	switch {
	case f.Drop:
		drop(w)
	case f.Status != 0:
		writeFailure(rec, r, f)
	case handled != nil:
		handled.replay(rec)
	default:
		s.mux.ServeHTTP(rec, r)
	}
}

// drop closes the client's connection without an answer.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2, a recorder): abort the response instead.
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// bufferedAnswer holds a handler's answer so that AfterHandling can throw it
// away or send it late.
type bufferedAnswer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedAnswer) Header() http.Header { return b.header }

func (b *bufferedAnswer) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedAnswer) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedAnswer) replay(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	w.Write(b.body.Bytes())
}

func splitService(p string) (service, rest string) {
	for _, pre := range []string{AuthPrefix, GroupsPrefix, AppPrefix} {
		if p == pre || strings.HasPrefix(p, pre+"/") {
			rest = strings.TrimPrefix(p, pre)
			if rest == "" {
				rest = "/"
			}
			return pre[1:], rest
		}
	}
	return "", p
}

func authKind(r *http.Request) string {
	h := r.Header.Get("Authorization")
	switch {
	case strings.HasPrefix(h, "Basic "):
		if id, _, ok := r.BasicAuth(); ok {
			return "basic:" + id
		}
		return "basic:"
	case strings.HasPrefix(h, "Bearer "):
		return "bearer"
	}
	return ""
}

func writeFailure(w http.ResponseWriter, r *http.Request, f Failure) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds()))))
	}
	if f.Body != "" {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	code := strings.ToUpper(strings.ReplaceAll(http.StatusText(f.Status), " ", "_"))
	if code == "" {
		code = "ERROR"
	}
	apiError(w, f.Status, code, "injected failure: "+http.StatusText(f.Status))
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *Server) record(r Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r)
	return len(s.requests) - 1
}

func (s *Server) setStatus(i, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i < len(s.requests) {
		s.requests[i].Status = status
	}
}

// Requests returns a copy of every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// CountRequests counts the requests with this method ("" for any) whose path
// after the service prefix starts with pathPrefix.
func (s *Server) CountRequests(method, pathPrefix string) int {
	n := 0
	for _, r := range s.Requests() {
		if (method == "" || r.Method == method) && strings.HasPrefix(r.Path, pathPrefix) {
			n++
		}
	}
	return n
}

// FailNext makes the next n requests with this method ("" for any) and path
// prefix answer with f. pathPrefix is matched against the path after the
// service prefix ("/v2/oauth2/token") or the full path ("/auth/v2/oauth2/token").
// Rules are consulted in the order they were added.
func (s *Server) FailNext(method, pathPrefix string, n int, f Failure) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, &failureRule{method: method, prefix: pathPrefix, left: n, f: f})
}

// ClearFailures drops every pending injected failure.
func (s *Server) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

func (s *Server) takeFailure(method, full, rest string) (Failure, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, fr := range s.failures {
		if fr.method != "" && fr.method != method {
			continue
		}
		if !strings.HasPrefix(rest, fr.prefix) && !strings.HasPrefix(full, fr.prefix) {
			continue
		}
		fr.left--
		if fr.left <= 0 {
			s.failures = append(s.failures[:i], s.failures[i+1:]...)
		}
		return fr.f, true
	}
	return Failure{}, false
}

// Start serves on a fresh loopback port and returns the base URL.
func (s *Server) Start() (string, error) { return s.Listen("127.0.0.1:0") }

// Listen serves on addr, which must be a loopback address: the emulator hands
// out secrets to anyone who asks, so it never listens beyond this machine.
func (s *Server) Listen(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("globustest: refusing to listen on %q: loopback addresses only", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	base := "http://" + ln.Addr().String()
	s.setServing(base, func() {
		srv.Close()
		<-done
	})
	return base, nil
}

// NewTestServer starts an emulator on an httptest server that t.Cleanup
// closes, and returns it with its base URL.
func NewTestServer(t testing.TB) (*Server, string) {
	t.Helper()
	s := New()
	ts := httptest.NewServer(s)
	s.setServing(ts.URL, ts.Close)
	t.Cleanup(func() { s.Close() })
	return s, ts.URL
}

func (s *Server) setServing(base string, closeFn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.base = base
	s.closeFn = closeFn
}

// Close ends injected delays, stops the listener (if any) and waits for its
// goroutines. It is safe to call more than once.
func (s *Server) Close() error {
	s.once.Do(func() { close(s.stop) })
	s.mu.Lock()
	fn := s.closeFn
	s.closeFn = nil
	s.mu.Unlock()
	if fn != nil {
		fn()
	}
	return nil
}

// BaseURL is the URL the server listens on ("" before Start, Listen or NewTestServer).
func (s *Server) BaseURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.base
}

// AuthURL, GroupsURL and AppURL are the service base URLs, each ending in "/".
func (s *Server) AuthURL() string   { return s.BaseURL() + AuthPrefix + "/" }
func (s *Server) GroupsURL() string { return s.BaseURL() + GroupsPrefix + "/" }
func (s *Server) AppURL() string    { return s.BaseURL() + AppPrefix + "/" }

// Env gives the environment variables that point the Globus SDK conventions
// (and our client) at this server.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"GLOBUS_SDK_SERVICE_URL_AUTH":   s.AuthURL(),
		"GLOBUS_SDK_SERVICE_URL_GROUPS": s.GroupsURL(),
		"GLOBUS_SETUP_APP_URL":          s.AppURL(),
	}
}

// AdvanceClock moves the emulator's clock forward, to expire codes and tokens
// without sleeping.
func (s *Server) AdvanceClock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew += d
}

// now must be called with s.mu held.
func (s *Server) now() time.Time { return time.Now().Add(s.skew) }

// remember notes creation order; s.mu held.
func (s *Server) remember(id string) {
	s.seq++
	s.order[id] = s.seq
}

// ---- responses ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// apiError writes Globus's usual error document.
func apiError(w http.ResponseWriter, status int, code, detail string) {
	writeJSON(w, status, map[string]any{
		"errors": []map[string]any{{
			"status": strconv.Itoa(status),
			"code":   code,
			"detail": detail,
			"title":  http.StatusText(status),
			"id":     requestID(),
		}},
		"error":             strings.ToLower(code),
		"error_description": detail,
	})
}

// oauthError writes the bare form the token endpoints use.
func oauthError(w http.ResponseWriter, status int, code string) {
	writeJSON(w, status, map[string]string{"error": code})
}

func requestID() string {
	b := make([]byte, 5)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// ---- request parsing ----

const maxBody = 1 << 20

// jsonBody is a request body read before taking the lock, decoded after the
// caller is authenticated (Globus answers 401 before 400).
type jsonBody struct {
	data   []byte
	ctOK   bool
	tooBig bool
}

func readJSONBody(r *http.Request) jsonBody {
	ct := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Type")))
	data, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	return jsonBody{data: data, ctOK: strings.HasPrefix(ct, "application/json"), tooBig: err != nil || len(data) > maxBody}
}

// decode answers 415/400 itself when the body is not the JSON expected.
func (b jsonBody) decode(w http.ResponseWriter, v any) bool {
	if !b.ctOK {
		apiError(w, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json")
		return false
	}
	if b.tooBig {
		apiError(w, http.StatusRequestEntityTooLarge, "REQUEST_TOO_LARGE", "the request body is too large")
		return false
	}
	if err := json.Unmarshal(b.data, v); err != nil {
		apiError(w, http.StatusBadRequest, "BAD_REQUEST", "the request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

// readForm parses a urlencoded body; on failure it has already answered
// (OAuth style).
func readForm(w http.ResponseWriter, r *http.Request) bool {
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return false
	}
	return true
}

func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if !strings.HasPrefix(h, "Bearer ") {
		return "", false
	}
	t := strings.TrimSpace(strings.TrimPrefix(h, "Bearer "))
	return t, t != ""
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
