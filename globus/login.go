package globus

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/oauth2"
)

// LoginFlow is one operator login in progress: open URL in a browser, log in,
// paste the code Globus shows into ExchangeCode. Printing it never shows the
// PKCE verifier.
type LoginFlow struct {
	ClientID, RedirectURI, State, URL string
	Scopes                            []string
	verifier                          string
}

func (f LoginFlow) String() string {
	return "LoginFlow{ClientID: " + f.ClientID + ", Scopes: [" + strings.Join(f.Scopes, " ") + "], State: " + f.State + ", URL: " + f.URL + "}"
}

func (f LoginFlow) GoString() string {
	return "globus.LoginFlow{ClientID: " + strconv.Quote(f.ClientID) + ", Scopes: " + fmt.Sprintf("%q", f.Scopes) + ", State: " + strconv.Quote(f.State) + "}"
}

// Format masks the verifier: fmt cannot call methods on an unexported field,
// so without this %+v would print it.
func (f LoginFlow) Format(s fmt.State, verb rune) { formatMasked(s, verb, f.String(), f.GoString()) }

const tokenPath = "/v2/oauth2/token"

func (c *Client) oauthConfig(clientID, redirectURI string, scopes []string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: clientID, // a public (thick) client: no secret
		Endpoint: oauth2.Endpoint{
			AuthURL:   c.env.authorizeURL(),
			TokenURL:  c.env.tokenURL(),
			AuthStyle: oauth2.AuthStyleInParams,
		},
		RedirectURL: redirectURI,
		Scopes:      scopes,
	}
}

// oauthContext makes x/oauth2 use our *http.Client: its timeout and redirect rules.
func (c *Client) oauthContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, c.httpc)
}

// StartLogin prepares a PKCE login for a public (native) client, with the
// code shown on Globus's own page ({auth}v2/web/auth-code) for copy-paste, so
// it works over SSH with no local web server. It asks for offline access: the
// operator's login is stored and refreshed.
func (c *Client) StartLogin(clientID string, scopes []string) (*LoginFlow, error) {
	return c.startLogin(clientID, scopes, true, nil)
}

// StartUserLogin is StartLogin as the gateway's users log in: its user
// helper (alcf_ai/src/alcf_ai/auth.py in the gateway's repository) asks for
// refresh tokens and passes session_required_policies=<policy IDs>, so
// Globus makes the session meet the policy at sign-in.
func (c *Client) StartUserLogin(clientID string, scopes, policyIDs []string) (*LoginFlow, error) {
	var extra []oauth2.AuthCodeOption
	if len(policyIDs) > 0 {
		extra = append(extra, oauth2.SetAuthURLParam("session_required_policies", strings.Join(policyIDs, ",")))
	}
	return c.startLogin(clientID, scopes, true, extra)
}

// StartOneTimeLogin is StartLogin without offline access, for logins whose
// tokens are used once and dropped (proving a test user gets in): Globus
// then mints no refresh token, so none can outlive the check.
func (c *Client) StartOneTimeLogin(clientID string, scopes []string) (*LoginFlow, error) {
	return c.startLogin(clientID, scopes, false, nil)
}

func (c *Client) startLogin(clientID string, scopes []string, offline bool, extra []oauth2.AuthCodeOption) (*LoginFlow, error) {
	clientID = strings.TrimSpace(clientID)
	if clientID == "" {
		return nil, errors.New("cannot start the login: no client ID (the public client of step 4)")
	}
	if len(scopes) == 0 {
		return nil, errors.New("cannot start the login: no scopes to ask for")
	}
	f := &LoginFlow{
		ClientID:    clientID,
		RedirectURI: c.env.AuthCodeRedirectURI(),
		State:       rand.Text(),
		Scopes:      append([]string(nil), scopes...),
		verifier:    oauth2.GenerateVerifier(),
	}
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(f.verifier), oauth2.SetAuthURLParam("prompt", "login")}
	if offline {
		opts = append(opts, oauth2.AccessTypeOffline)
	}
	opts = append(opts, extra...)
	f.URL = c.oauthConfig(clientID, f.RedirectURI, f.Scopes).AuthCodeURL(f.State, opts...)
	return f, nil
}

// ExchangeCode trades the pasted code (or the whole address of the code page)
// for tokens, one per resource server.
func (c *Client) ExchangeCode(ctx context.Context, f *LoginFlow, pasted string) (TokenSet, error) {
	if f == nil || f.verifier == "" {
		return nil, errors.New("no login in progress: start the login again")
	}
	code, state, err := parseAuthPaste(pasted)
	if err != nil {
		return nil, err
	}
	if state != "" && state != f.State {
		return nil, errors.New("the pasted address belongs to another login attempt (its state does not match): paste the code from the latest login page")
	}
	conf := c.oauthConfig(f.ClientID, f.RedirectURI, f.Scopes)
	tok, err := c.oauthRetry(ctx, []string{code, f.verifier}, func(octx context.Context) (*oauth2.Token, error) {
		return conf.Exchange(octx, code, oauth2.VerifierOption(f.verifier))
	})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	all := []Token{fromOAuth2(tok, Token{})}
	// other_tokens arrive as decoded JSON; a round trip reads them as usual.
	if other := tok.Extra("other_tokens"); other != nil {
		var list []tokenJSON
		if raw, err := json.Marshal(other); err == nil && json.Unmarshal(raw, &list) == nil {
			for _, j := range list {
				all = append(all, j.flatten(now)...)
			}
		}
	}
	return tokenSetOf(all), nil
}

// Refresh gets a fresh access token with t's refresh token
// (grant_type=refresh_token) for the public client clientID.
func (c *Client) Refresh(ctx context.Context, clientID string, t Token) (Token, error) {
	if t.RefreshToken == "" {
		return Token{}, errors.New("this login has no refresh token: log in again")
	}
	if strings.TrimSpace(clientID) == "" {
		return Token{}, errors.New("cannot refresh the login: no client ID (the public client of step 4)")
	}
	conf := c.oauthConfig(clientID, "", nil)
	tok, err := c.oauthRetry(ctx, []string{t.RefreshToken}, func(octx context.Context) (*oauth2.Token, error) {
		return conf.TokenSource(octx, &oauth2.Token{RefreshToken: t.RefreshToken}).Token()
	})
	if err != nil {
		return Token{}, err
	}
	return fromOAuth2(tok, t), nil
}

// fromOAuth2 converts x/oauth2's token; fields the answer lacks come from prev.
func fromOAuth2(tok *oauth2.Token, prev Token) Token {
	str := func(k string) string { s, _ := tok.Extra(k).(string); return s }
	t := Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, ExpiresAt: tok.Expiry,
		Scope: str("scope"), ResourceServer: str("resource_server")}
	if t.RefreshToken == "" {
		t.RefreshToken = prev.RefreshToken // Globus keeps a refresh token unless it rotates it
	}
	if t.Scope == "" {
		t.Scope = prev.Scope
	}
	if t.ResourceServer == "" {
		t.ResourceServer = prev.ResourceServer
	}
	return t
}

// oauthRetry runs one x/oauth2 token request with our retry rules (those of
// a creating POST: a code works once and a refresh token may rotate, so only
// 429 and 503, refusals before any work, are retried) and turns its
// errors into ours: *oauth2.RetrieveError carries the raw answer body, which
// never leaves this function.
func (c *Client) oauthRetry(ctx context.Context, secrets []string, fn func(context.Context) (*oauth2.Token, error)) (*oauth2.Token, error) {
	var tok *oauth2.Token
	err := c.retry(ctx, retryCreate, c.auth, http.MethodPost, tokenPath, func(actx context.Context) (int, http.Header, error) {
		t, err := fn(c.oauthContext(actx))
		if err == nil {
			tok = t
			return http.StatusOK, nil, nil
		}
		var re *oauth2.RetrieveError
		var ue *url.Error
		switch {
		case errors.As(err, &re) && re.Response != nil:
			e := parseError(c.auth, http.MethodPost, tokenPath, re.Response.StatusCode, re.Response.Header, re.Body, secrets)
			if e.OAuthError == "" {
				e.OAuthError = re.ErrorCode
			}
			if e.Detail == "" {
				e.Detail = scrub(re.ErrorDescription, secrets)
			}
			return re.Response.StatusCode, re.Response.Header, e
		case errors.As(err, &ue):
			return 0, nil, c.networkError(actx, c.auth, http.MethodPost, tokenPath, err)
		}
		return 0, nil, fmt.Errorf("the token answer from Globus Auth was not usable (POST %s): %s", tokenPath, scrub(err.Error(), secrets))
	})
	return tok, err
}

// ParseAuthCode takes what the operator pasted — the code itself, or the whole
// address of the page showing it (…?code=…) — and returns the code. Its
// errors never repeat the pasted text.
func ParseAuthCode(pasted string) (string, error) {
	code, _, err := parseAuthPaste(pasted)
	return code, err
}

func parseAuthPaste(pasted string) (code, state string, err error) {
	s := strings.TrimSpace(pasted)
	if s == "" {
		return "", "", errors.New("nothing was pasted: copy the code Globus shows after you log in")
	}
	if strings.Contains(s, "://") || strings.Contains(s, "?") || strings.Contains(s, "code=") {
		u, perr := url.Parse(s)
		if perr != nil {
			return "", "", errors.New("the pasted text is neither a code nor an address: copy the code Globus shows after you log in")
		}
		q := u.Query()
		if len(q) == 0 && u.Fragment != "" {
			q, _ = url.ParseQuery(u.Fragment)
		}
		if e := q.Get("error"); e != "" {
			msg := q.Get("error_description")
			if msg == "" {
				msg = e
			}
			return "", "", errors.New("Globus did not complete the login: " + oneLine(msg, 200))
		}
		code = strings.TrimSpace(q.Get("code"))
		if code == "" {
			return "", "", errors.New("the pasted address has no code in it: paste the code Globus showed, or the whole address of that page")
		}
		return code, q.Get("state"), nil
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._~", r)) {
			return "", "", errors.New("the pasted text does not look like a login code (letters and digits only): copy it again from the Globus page")
		}
	}
	return s, "", nil
}

// oneLine folds whitespace and cuts s to about n bytes on a rune boundary.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// scrub masks each secret, as sent and as form-encoded, in s. Secrets shorter
// than 4 bytes are left: masking them would mangle ordinary words.
func scrub(s string, secrets []string) string {
	for _, x := range secrets {
		if len(x) >= 4 {
			s = strings.ReplaceAll(s, x, mask)
			s = strings.ReplaceAll(s, url.QueryEscape(x), mask)
		}
	}
	return s
}
