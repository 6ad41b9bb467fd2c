package globus

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const (
	userToken = "USER-TOKEN-Agq9Zx7"
	opToken   = "OPERATOR-TOKEN-Bf3kP0"
	authCode  = "AUTHCODE-Q7x2Lm"
	refreshT  = "REFRESH-TOKEN-Wn5Yt1"
)

var allSecrets = []string{testCred.Secret, userToken, opToken, authCode, refreshT,
	base64.StdEncoding.EncodeToString([]byte(testCred.ID + ":" + testCred.Secret))}

func assertNoSecret(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range allSecrets {
			if strings.Contains(s, secret) {
				t.Errorf("%s leaks %q: %s", what, secret, s)
			}
		}
	}
}

func printed(v any) []string {
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	return out
}

func TestValuesMaskSecrets(t *testing.T) {
	tok := Token{AccessToken: opToken, RefreshToken: refreshT, Scope: GroupsScope, ResourceServer: GroupsResourceServer, ExpiresAt: time.Now()}
	flow := &LoginFlow{ClientID: "pc", State: "st", URL: "https://auth.globus.org/v2/oauth2/authorize?x", verifier: authCode}
	values := map[string]any{
		"Credentials":  testCred,
		"*Credentials": &testCred,
		"Basic":        Basic(testCred),
		"Bearer":       Bearer(opToken),
		"Token":        tok,
		"TokenSet":     TokenSet{GroupsResourceServer: tok},
		"[]Token":      []Token{tok},
		"Credential":   Credential{ID: "k", Secret: testCred.Secret},
		"*Credential":  &Credential{ID: "k", Secret: testCred.Secret},
		"*LoginFlow":   flow,
		"LoginFlow":    *flow,
		"struct fields": struct {
			C Credentials
			T Token
			A Authorizer
			F *LoginFlow
		}{testCred, tok, Basic(testCred), flow},
	}
	for name, v := range values {
		assertNoSecret(t, name, printed(v)...)
	}
	if got := testCred.String(); got != "Credentials{ID: "+testCred.ID+", Secret: ****}" {
		t.Errorf("String() = %q", got)
	}
	if got := fmt.Sprintf("%#v", testCred); got != `globus.Credentials{ID: "`+testCred.ID+`", Secret: "****"}` {
		t.Errorf("%%#v = %q", got)
	}
	if got := fmt.Sprint(Credentials{ID: "x"}); got != "Credentials{ID: x, Secret: }" {
		t.Errorf("empty secret: %q", got)
	}
}

// echo answers every request with an error that repeats everything it got.
func echo(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		said := fmt.Sprintf("you sent %s %v %v", r.Header.Get("Authorization"), r.Form, r.URL.RawQuery)
		if _, pass, ok := r.BasicAuth(); ok {
			said += " secret=" + pass
		}
		writeJSON(w, status, map[string]any{
			"errors": []map[string]any{{"code": "ECHO " + said, "detail": said, "title": said, "id": said}},
			"error":  said, "error_description": said,
		})
	}
}

func TestErrorsNeverCarrySecrets(t *testing.T) {
	ctx := context.Background()
	calls := func(c *Client) map[string]func() error {
		return map[string]func() error{
			"client credentials": func() error { _, err := c.ClientCredentialsToken(ctx, testCred, OpenIDScope); return err },
			"get client":         func() error { _, err := c.GetClient(ctx, Basic(testCred), "c1"); return err },
			"create scope":       func() error { _, err := c.CreateScope(ctx, testCred, ActionAllScopeCreate("n", "d")); return err },
			"introspect":         func() error { _, err := c.Introspect(ctx, testCred, userToken, nil, []string{"p"}); return err },
			"dependent tokens":   func() error { _, err := c.DependentTokens(ctx, testCred, userToken); return err },
			"identities":         func() error { _, err := c.LookupIdentities(ctx, Bearer(opToken), []string{"a@b.org"}); return err },
			"create credential":  func() error { _, err := c.CreateCredential(ctx, Bearer(opToken), "c1", "n"); return err },
			"add members": func() error {
				_, err := c.AddMembers(ctx, Bearer(opToken), "g1", []MemberAdd{{IdentityID: "u"}})
				return err
			},
			"exchange code": func() error {
				f, err := c.StartLogin("pc", []string{"openid"})
				if err != nil {
					return err
				}
				f.verifier = authCode + "-verifier-long-enough-0123456789"
				_, err = c.ExchangeCode(ctx, f, authCode)
				return err
			},
			"refresh": func() error { _, err := c.Refresh(ctx, "pc", Token{RefreshToken: refreshT}); return err },
		}
	}
	check := func(t *testing.T, kind string, c *Client) {
		for name, call := range calls(c) {
			err := call()
			if err == nil {
				t.Errorf("%s/%s: no error", kind, name)
				continue
			}
			assertNoSecret(t, kind+"/"+name, append(printed(err), err.Error(), Hint(err))...)
		}
	}

	for _, status := range []int{400, 401, 403, 404, 409, 429, 500, 503} {
		f := newFixture(t, echo(status))
		check(t, fmt.Sprintf("status %d", status), f.c)
		for _, r := range f.rec.all() {
			assertNoSecret(t, "request URL", r.Path, r.RawQuery)
		}
	}

	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"client": "` + testCred.Secret + `", "scope": 7, "access_token": 5, "tokens": "` + userToken))
	})
	check(t, "undecodable answer", f.c)

	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	c, _ := New(Environment{AuthURL: "http://" + addr + "/auth/", GroupsURL: "http://" + addr + "/groups/"}, WithSleep((&sleeps{}).sleep))
	check(t, "unreachable", c)

	slow := httptest.NewServer(http.HandlerFunc(blockUntilGone))
	t.Cleanup(slow.Close)
	c, _ = New(Environment{AuthURL: slow.URL + "/auth/", GroupsURL: slow.URL + "/groups/", Timeout: 20 * time.Millisecond}, WithMaxRetries(0))
	check(t, "timeout", c)

	away := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:1/?token="+userToken+"&secret="+testCred.Secret, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(away.Close)
	c, _ = New(Environment{AuthURL: away.URL + "/auth/", GroupsURL: away.URL + "/groups/"})
	check(t, "redirect", c)

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	ctx = cancelled
	f = newFixture(t, okClient)
	check(t, "cancelled", f.c)
}

func TestInputErrorsNeverCarrySecrets(t *testing.T) {
	for _, pasted := range []string{
		"not a code " + authCode,
		"https://auth.globus.org/v2/web/auth-code?state=" + authCode,
		"https://auth.globus.org/v2/web/auth-code?error=access_denied&token=" + authCode,
		"%zz://" + authCode + "?code",
	} {
		_, err := ParseAuthCode(pasted)
		if err == nil {
			t.Errorf("%q accepted", pasted)
			continue
		}
		assertNoSecret(t, "ParseAuthCode", err.Error())
	}
	for _, v := range []string{"https://u:" + testCred.Secret + "@auth.example.org/", "https://auth.example.org/?token=" + userToken} {
		_, err := EnvironmentFromEnv(func(k string) string {
			if k == EnvAuthURL {
				return v
			}
			return ""
		})
		if err == nil {
			t.Errorf("%q accepted", v)
			continue
		}
		assertNoSecret(t, "EnvironmentFromEnv", err.Error())
	}
}
