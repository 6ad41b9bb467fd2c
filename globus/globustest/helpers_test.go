package globustest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// noRedirects lets tests see 303s.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

type call struct {
	method, url string
	basic       *[2]string
	bearer      string
	form        url.Values
	json        any
	ctype       string
	ctx         context.Context
}

type answer struct {
	status int
	header http.Header
	raw    []byte
}

func (a answer) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.raw, &m); err != nil {
		t.Fatalf("answer %d is not a JSON object: %v: %s", a.status, err, a.raw)
	}
	return m
}

func (a answer) list(t *testing.T) []any {
	t.Helper()
	var l []any
	if err := json.Unmarshal(a.raw, &l); err != nil {
		t.Fatalf("answer %d is not a JSON array: %v: %s", a.status, err, a.raw)
	}
	return l
}

func (c call) send() (answer, error) {
	var body io.Reader
	ctype := c.ctype
	switch {
	case c.form != nil:
		body = strings.NewReader(c.form.Encode())
		if ctype == "" {
			ctype = "application/x-www-form-urlencoded"
		}
	case c.json != nil:
		b, _ := json.Marshal(c.json)
		body = bytes.NewReader(b)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	ctx := c.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	req, err := http.NewRequestWithContext(ctx, c.method, c.url, body)
	if err != nil {
		return answer{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.basic != nil {
		req.SetBasicAuth(c.basic[0], c.basic[1])
	}
	if c.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.bearer)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, raw: raw}, err
}

func (c call) do(t *testing.T) answer {
	t.Helper()
	a, err := c.send()
	if err != nil {
		t.Fatalf("%s %s: %v", c.method, c.url, err)
	}
	return a
}

func expect(t *testing.T, a answer, status int) answer {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d: %s", a.status, status, a.raw)
	}
	return a
}

// globusError checks Globus's error document and returns its first error.
func globusError(t *testing.T, a answer, status int, code string) map[string]any {
	t.Helper()
	expect(t, a, status)
	m := a.obj(t)
	errs, _ := m["errors"].([]any)
	if len(errs) != 1 {
		t.Fatalf("want one error in %s", a.raw)
	}
	e := errs[0].(map[string]any)
	if e["code"] != code || e["status"] != strconv.Itoa(status) || e["detail"] == "" || e["id"] == "" || e["title"] == "" {
		t.Fatalf("error document %s, want code %s status %d", a.raw, code, status)
	}
	if m["error_description"] != e["detail"] {
		t.Fatalf("error_description differs from detail: %s", a.raw)
	}
	return e
}

func oauthErr(t *testing.T, a answer, status int, code string) {
	t.Helper()
	expect(t, a, status)
	if got := strings.TrimSpace(string(a.raw)); got != `{"error":"`+code+`"}` {
		t.Fatalf("body %s, want {\"error\":%q}", got, code)
	}
}

// world is a seeded emulator: an operator, a project they administer, and a
// public client they log in with.
type world struct {
	s                  *Server
	base               string
	operator           Identity
	project, publicID  string
	authURL, groupsURL string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	s, base := NewTestServer(t)
	w := &world{s: s, base: base, authURL: base + "/auth/", groupsURL: base + "/groups/"}
	w.operator = s.AddIdentity("operator@example.org", "Demo Operator", "operator@example.org", "example.org")
	s.SetOperator("operator@example.org")
	w.project = s.AddProject("Gateway", "operator@example.org", "operator@example.org")
	w.publicID, _ = s.RegisterClient(w.project, "globus-setup CLI", PublicInstalledClient)
	return w
}

type pkce struct{ verifier, challenge string }

func newPKCE() pkce {
	v := randomString(48)
	sum := sha256.Sum256([]byte(v))
	return pkce{verifier: v, challenge: base64.RawURLEncoding.EncodeToString(sum[:])}
}

func (w *world) authorizeURL(clientID string, p pkce, offline bool, scopes ...string) string {
	q := url.Values{
		"client_id":             {clientID},
		"redirect_uri":          {w.authURL + "v2/web/auth-code"},
		"scope":                 {strings.Join(scopes, " ")},
		"response_type":         {"code"},
		"code_challenge":        {p.challenge},
		"code_challenge_method": {"S256"},
		"state":                 {"xyz"},
		"prompt":                {"login"},
	}
	if offline {
		q.Set("access_type", "offline")
	}
	return w.authURL + "v2/oauth2/authorize?" + q.Encode()
}

func (w *world) exchange(t *testing.T, clientID, code string, p pkce) answer {
	t.Helper()
	return call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {code},
		"redirect_uri":  {w.authURL + "v2/web/auth-code"},
		"client_id":     {clientID},
		"code_verifier": {p.verifier},
	}}.do(t)
}

// login runs the whole PKCE flow for whoever is the operator.
func (w *world) login(t *testing.T, clientID string, scopes ...string) map[string]any {
	t.Helper()
	p := newPKCE()
	code, err := w.s.ApproveLogin(w.authorizeURL(clientID, p, true, scopes...))
	if err != nil {
		t.Fatal(err)
	}
	return expect(t, w.exchange(t, clientID, code, p), 200).obj(t)
}

// tokenFor picks the access token for a resource server from a token answer.
func tokenFor(t *testing.T, doc map[string]any, rs string) string {
	t.Helper()
	if doc["resource_server"] == rs {
		return doc["access_token"].(string)
	}
	others, _ := doc["other_tokens"].([]any)
	for _, o := range others {
		if m := o.(map[string]any); m["resource_server"] == rs {
			return m["access_token"].(string)
		}
	}
	t.Fatalf("no token for %s in %v", rs, doc)
	return ""
}

// operatorTokens logs the operator in for manage_projects, view_identities and groups.
func (w *world) operatorTokens(t *testing.T) (auth, groups string) {
	t.Helper()
	doc := w.login(t, w.publicID, "openid", ManageProjectsScope, ViewIdentitiesScope, GroupsScope)
	return tokenFor(t, doc, AuthResourceServer), tokenFor(t, doc, GroupsResourceServer)
}

func (w *world) clientCredentials(t *testing.T, id, secret string, scope string) answer {
	t.Helper()
	// No Globus client omits the scope (the emulator refuses that): ""
	// asks for openid, as a secret check does.
	if scope == "" {
		scope = "openid"
	}
	f := url.Values{"grant_type": {"client_credentials"}, "scope": {scope}}
	return call{method: "POST", url: w.authURL + "v2/oauth2/token", basic: &[2]string{id, secret}, form: f}.do(t)
}
