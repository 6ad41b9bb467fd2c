package globustest

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The web pages: the login (authorize) page, the native-app code page, and a
// small developers console. Plain HTML so a terminal browser can use them.

const authCodePath = "/v2/web/auth-code"

// The sign-in page's emulator-only controls. Their names cannot clash with
// the OAuth parameters the form carries back.
const (
	formSignInAs       = "emulator_sign_in_as"
	formSessionMinutes = "emulator_session_minutes"
	formRevoked        = "emulator_revoked"
	formEndEarly       = "emulator_end_early"
	formMFA            = "emulator_mfa"
	maxSessionMinutes  = 366 * 24 * 60
)

var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!doctype html>
<html><head><meta charset="utf-8"><title>{{.Title}} · Globus (emulator)</title>
<style>body{font-family:sans-serif;max-width:52em;margin:1em auto;padding:0 1em}code,pre{background:#eee;padding:0 .3em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}form{margin:.8em 0}fieldset{margin:1em 0}</style>
</head><body><p><b>Globus (emulator)</b> — a local fake; nothing here reaches globus.org.</p>
<h1>{{.Title}}</h1>{{end}}
{{define "bottom"}}</body></html>{{end}}

{{define "message"}}{{template "top" .}}<p>{{.Message}}</p>
<p><a href="/app/settings/developers">Developers console</a> · <a href="/app/groups">Groups</a></p>{{template "bottom" .}}{{end}}

{{define "authorize"}}{{template "top" .}}
<p>Sign in to Globus (emulator) as <b>{{.Operator}}</b> (the operator; another user can be chosen below).</p>
<p>The app <b>{{.ClientName}}</b> (<code>{{.ClientID}}</code>) asks to:</p>
<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>
{{if .Asked}}<p id="session-required"><b>This sign-in must be made with:</b> {{range $i, $a := .Asked}}{{if $i}}; {{end}}{{$a}}{{end}}.</p>{{end}}
{{if .SessionMessage}}<p id="session-message">{{.SessionMessage}}</p>{{end}}
<form method="post" action="{{.Action}}">
{{range $k, $vs := .Params}}{{range $vs}}<input type="hidden" name="{{$k}}" value="{{.}}">{{end}}{{end}}
<fieldset id="emulator-only"><legend>Emulator only</legend>
<p><b>These controls exist only in this emulator</b>, for trying the gateway's checks by hand. The real Globus sign-in page has none of them.</p>
<label>Sign in as <select name="` + formSignInAs + `">{{range .Identities}}<option value="{{.}}"{{if eq . $.Operator}} selected{{end}}>{{.}}</option>{{end}}</select></label><br>
<label>Session started <input name="` + formSessionMinutes + `" type="number" min="0" max="{{.MaxMinutes}}" value="0"> minutes ago</label><br>
<label><input type="checkbox" name="` + formMFA + `" value="1"{{if .MFAAsked}} checked{{end}}> Complete MFA (give a second factor){{if .MFAAsked}} — Globus asks for it{{end}}</label><br>
<label><input type="checkbox" name="` + formRevoked + `" value="1"> Hand out tokens that are already revoked (to see how the gateway refuses an inactive token)</label><br>
<label><input type="checkbox" name="` + formEndEarly + `" value="1"> End the access tokens at once, before they expire, leaving the refresh tokens working (as when Globus ends a token early)</label>
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>{{template "bottom" .}}{{end}}

{{define "authcode"}}{{template "top" .}}
<p>Copy this code and paste it into the application that asked you to log in:</p>
<pre id="auth-code">{{.Code}}</pre>
<p>The code works once, for ten minutes.</p>{{template "bottom" .}}{{end}}

`))

func (s *Server) page(w http.ResponseWriter, status int, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store") // secrets and codes appear on these pages
	w.WriteHeader(status)
	pages.ExecuteTemplate(w, name, data)
}

func (s *Server) message(w http.ResponseWriter, status int, title, msg string) {
	s.page(w, status, "message", map[string]any{"Title": title, "Message": msg})
}

// ---- login ----

type authRequest struct {
	client                        *client
	redirectURI, challenge, state string
	scopes                        []string
	offline                       bool
	boost                         boostAsked // session_required_* asked for
}

// checkAuthorize validates the authorize parameters as Globus would; s.mu held.
// self is this server's Auth base as the browser sees it ("http://host/auth").
func (s *Server) checkAuthorize(q url.Values, self string) (*authRequest, error) {
	c, ok := s.clients[q.Get("client_id")]
	if !ok {
		return nil, errors.New("unknown client_id")
	}
	if q.Get("response_type") != "code" {
		return nil, errors.New(`response_type must be "code"`)
	}
	ru := q.Get("redirect_uri")
	native := ru == "https://auth.globus.org"+authCodePath || ru == self+authCodePath
	if !slices.Contains(c.redirectURIs, ru) && !(native && clientTypes[c.clientType].public) {
		return nil, fmt.Errorf("redirect_uri %q is not registered for this client", ru)
	}
	ids, ok := s.resolveScopes(q.Get("scope"), self+"/scopes/")
	if !ok || len(ids) == 0 {
		return nil, errors.New("scope is missing or names an unknown scope")
	}
	ch := q.Get("code_challenge")
	if clientTypes[c.clientType].public && ch == "" {
		return nil, errors.New("a public client must use PKCE (code_challenge)")
	}
	if ch != "" && q.Get("code_challenge_method") != "S256" {
		return nil, errors.New(`code_challenge_method must be "S256"`)
	}
	if s.operator == "" {
		return nil, errors.New("nobody can sign in: the emulator has no operator (SetOperator)")
	}
	// session_required_policies (the gateway's user helper sends it:
	// alcf_ai/src/alcf_ai/auth.py; GARE authorization_parameters): Globus
	// makes the sign-in meet those policies. The emulator checks the IDs
	// exist (how Globus answers an unknown one is unverified) and leaves the
	// session as the sign-in page sets it, so its controls can still show
	// a refusal.
	for _, id := range splitList(q.Get("session_required_policies")) {
		if _, ok := s.policies[id]; !ok {
			return nil, fmt.Errorf("session_required_policies names an unknown policy %s", id)
		}
	}
	return &authRequest{client: c, redirectURI: ru, challenge: ch, state: q.Get("state"), scopes: ids,
		offline: q.Get("access_type") == "offline", boost: boostFrom(q)}, nil
}

// signIn is who signs in on the authorize page and how.
type signIn struct {
	who      string        // identity ID the user authenticates with
	age      time.Duration // how long ago the session started
	revoked  bool          // the tokens are handed out already revoked
	endEarly bool          // the access tokens are handed out ended, the refresh tokens live
	mfa      bool          // a second factor was given
}

// grantCode records a login and returns a single-use code; s.mu held.
func (s *Server) grantCode(a *authRequest, in signIn) string {
	primary := s.identities[in.who].primary
	// A sign-in is a new session: tokens from before keep theirs (sessionFor).
	se := &session{authTime: s.now().Add(-in.age), via: s.boostVia(in.who, a.boost), mfa: in.mfa}
	s.sessions[primary] = se
	k := consentKey(primary, a.client.id)
	for _, id := range a.scopes {
		if !slices.Contains(s.consents[k], id) {
			s.consents[k] = append(s.consents[k], id)
		}
	}
	code := randomString(24)
	s.codes[code] = &authCode{clientID: a.client.id, redirectURI: a.redirectURI, challenge: a.challenge,
		sub: primary, scopes: a.scopes, offline: a.offline, revoked: in.revoked, endEarly: in.endEarly, session: se, expires: s.now().Add(codeLifetime)}
	return code
}

// signInIdentities are the people the page offers to sign in as: used
// identities that are not clients, by username; s.mu held.
func (s *Server) signInIdentities() []string {
	var out []string
	for _, in := range s.identities {
		if in.Status == "used" && in.idpName != clientsIdentityDomain {
			out = append(out, in.Username)
		}
	}
	slices.Sort(out)
	return out
}

// signInFrom reads the page's emulator-only controls; s.mu held. Absent
// controls mean the operator, a session starting now, live tokens.
func (s *Server) signInFrom(f url.Values) (signIn, error) {
	in := signIn{who: s.operator, revoked: f.Get(formRevoked) != "", endEarly: f.Get(formEndEarly) != "", mfa: f.Get(formMFA) != ""}
	if u := strings.TrimSpace(f.Get(formSignInAs)); u != "" {
		if !slices.Contains(s.signInIdentities(), strings.ToLower(u)) {
			return signIn{}, fmt.Errorf("the emulator has no user %q to sign in as", u)
		}
		in.who = s.byUsername[strings.ToLower(u)]
	}
	if v := strings.TrimSpace(f.Get(formSessionMinutes)); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxSessionMinutes {
			return signIn{}, fmt.Errorf("the session start must be a whole number of minutes ago, from 0 to %d", maxSessionMinutes)
		}
		in.age = time.Duration(n) * time.Minute
	}
	return in, nil
}

func selfAuth(r *http.Request) string {
	return strings.TrimSuffix(altScopeBase(r), "/scopes/")
}

func (s *Server) handleAuthorizePage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.URL.Query()
	a, err := s.checkAuthorize(q, selfAuth(r))
	if err != nil {
		s.message(w, http.StatusBadRequest, "Sign-in problem", err.Error())
		return
	}
	var scopes []string
	for _, id := range a.scopes {
		scopes = append(scopes, s.scopes[id].scopeString())
	}
	// The form carries the OAuth parameters back, not stale control values.
	params := url.Values{}
	for k, v := range q {
		if !strings.HasPrefix(k, "emulator_") && k != "decision" {
			params[k] = v
		}
	}
	s.page(w, http.StatusOK, "authorize", map[string]any{
		"Title": "Sign in", "Operator": s.identities[s.operator].Username,
		"ClientName": a.client.name, "ClientID": a.client.id, "Scopes": scopes,
		"Action": AuthPrefix + "/v2/oauth2/authorize", "Params": params,
		"Identities": s.signInIdentities(), "MaxMinutes": maxSessionMinutes,
		"MFAAsked": a.boost.mfa, "Asked": a.boost.describe(), "SessionMessage": q.Get("session_message"),
	})
}

func (s *Server) handleAuthorizeAllow(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.message(w, http.StatusBadRequest, "Sign-in problem", "unreadable form")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q := r.PostForm
	a, err := s.checkAuthorize(q, selfAuth(r))
	if err != nil {
		s.message(w, http.StatusBadRequest, "Sign-in problem", err.Error())
		return
	}
	back := url.Values{}
	if a.state != "" {
		back.Set("state", a.state)
	}
	if q.Get("decision") == "deny" {
		back.Set("error", "access_denied")
	} else {
		in, err := s.signInFrom(q)
		if err != nil {
			s.message(w, http.StatusBadRequest, "Sign-in problem", err.Error())
			return
		}
		back.Set("code", s.grantCode(a, in))
	}
	target := a.redirectURI
	if strings.HasSuffix(target, authCodePath) && (strings.HasPrefix(target, "https://auth.globus.org/") || strings.HasPrefix(target, selfAuth(r))) {
		target = AuthPrefix + authCodePath // show the code here, never on the real Globus
	}
	sep := "?"
	if strings.Contains(target, "?") {
		sep = "&"
	}
	http.Redirect(w, r, target+sep+back.Encode(), http.StatusSeeOther)
}

func (s *Server) handleAuthCodePage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		s.message(w, http.StatusOK, "Not signed in", "The sign-in was refused ("+e+").")
		return
	}
	if q.Get("code") == "" {
		s.message(w, http.StatusBadRequest, "No code", "This page shows the code after you sign in.")
		return
	}
	s.page(w, http.StatusOK, "authcode", map[string]any{"Title": "Native App Authorization Code", "Code": q.Get("code")})
}

// ApproveLogin does what the operator does in the browser for an authorize
// URL (as our client builds it) and returns the code the page would show.
func (s *Server) ApproveLogin(authorizeURL string) (string, error) {
	s.mu.Lock()
	who := s.operator
	s.mu.Unlock()
	return s.approve(authorizeURL, who, false)
}

// ApproveLoginWithoutMFA is ApproveLogin by an operator who does not give
// the second factor the URL asks for (the MFA box cleared).
func (s *Server) ApproveLoginWithoutMFA(authorizeURL string) (string, error) {
	s.mu.Lock()
	who := s.operator
	s.mu.Unlock()
	return s.approve(authorizeURL, who, true)
}

// ApproveLoginAs is ApproveLogin signed in as username (created if new).
func (s *Server) ApproveLoginAs(authorizeURL, username string) (string, error) {
	s.mu.Lock()
	who := s.identityByUsername(username).ID
	s.mu.Unlock()
	return s.approve(authorizeURL, who, false)
}

func (s *Server) approve(authorizeURL, who string, noMFA bool) (string, error) {
	u, err := url.Parse(authorizeURL)
	if err != nil {
		return "", err
	}
	if !strings.HasSuffix(u.Path, AuthPrefix+"/v2/oauth2/authorize") {
		return "", fmt.Errorf("globustest: %s is not this emulator's authorize URL", u.Path)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if who == "" {
		return "", errors.New("globustest: no operator to sign in (SetOperator)")
	}
	saved := s.operator
	s.operator = who
	a, err := s.checkAuthorize(u.Query(), u.Scheme+"://"+u.Host+AuthPrefix)
	s.operator = saved
	if err != nil {
		return "", fmt.Errorf("globustest: the authorize page would refuse: %w", err)
	}
	// A person asked for MFA gives it (ApproveLoginWithoutMFA does not).
	return s.grantCode(a, signIn{who: who, mfa: a.boost.mfa && !noMFA}), nil
}
