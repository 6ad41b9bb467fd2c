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

func (s *Server) routeApp() {
	m := s.mux
	m.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, AppPrefix+"/settings/developers", http.StatusSeeOther)
	})
	m.HandleFunc("GET /app/settings/developers", s.handleConsole)
	m.HandleFunc("POST /app/settings/developers/projects", s.handleConsoleProject)
	m.HandleFunc("POST /app/settings/developers/apps", s.handleConsoleApp)
	m.HandleFunc("POST /app/settings/developers/apps/{id}/secrets", s.handleConsoleSecret)
	m.HandleFunc("POST /app/settings/developers/policies", s.handleConsolePolicy)
	m.HandleFunc("GET /app/groups", s.handleGroupsPage)
	m.HandleFunc("POST /app/groups", s.handleGroupsCreate)
	// Proof hints send a user here to end an old session; every sign-in on
	// this emulator starts a fresh one, so there is nothing to end.
	m.HandleFunc("GET /app/logout", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusOK, "Signed out", "You are signed out of the emulator. The next sign-in starts a fresh session.")
	})
	m.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		s.page(w, http.StatusNotFound, "message", map[string]any{"Title": "Not found", "Message": "There is no page " + r.URL.Path + "."})
	})
}

// The sign-in page's emulator-only controls. Their names cannot clash with
// the OAuth parameters the form carries back.
const (
	formSignInAs       = "emulator_sign_in_as"
	formSessionMinutes = "emulator_session_minutes"
	formRevoked        = "emulator_revoked"
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
<label><input type="checkbox" name="` + formRevoked + `" value="1"> Hand out tokens that are already revoked (to see how the gateway refuses an inactive token)</label>
</fieldset>
<button type="submit" name="decision" value="allow">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>{{template "bottom" .}}{{end}}

{{define "authcode"}}{{template "top" .}}
<p>Copy this code and paste it into the application that asked you to log in:</p>
<pre id="auth-code">{{.Code}}</pre>
<p>The code works once, for ten minutes.</p>{{template "bottom" .}}{{end}}

{{define "secret"}}{{template "top" .}}
<p>App <b>{{.Name}}</b>{{if .Type}} ({{.Type}}){{end}}</p>
<p>Client UUID: <code id="client-id">{{.ClientID}}</code></p>
{{if .Secret}}<p>Client secret: <code id="client-secret">{{.Secret}}</code></p>
<p><b>Copy the secret now: it is shown only once.</b></p>{{else if .Public}}<p>A public (native) client has no secret.</p>
{{else}}<fieldset><legend>Client Secrets</legend>
<form method="post" action="/app/settings/developers/apps/{{.ClientID}}/secrets">
<label>Description <input name="name" required></label>
<button type="submit">Generate Secret</button></form></fieldset>
<p>Add Client Secret: type a description and generate it; the secret is shown once.</p>{{end}}
<p><a href="/app/settings/developers">Back to the developers console</a></p>{{template "bottom" .}}{{end}}

{{define "group"}}{{template "top" .}}
<p>Group <b>{{.Name}}</b></p>
<p>Group UUID: <code id="group-id">{{.ID}}</code></p>
<p><a href="/app/groups">Back to the groups</a></p>{{template "bottom" .}}{{end}}

{{define "console"}}{{template "top" .}}
<p>Signed in as <b>{{if .Operator}}{{.Operator}}{{else}}nobody (the emulator has no operator){{end}}</b> · <a href="/app/groups">Groups</a></p>
{{if .Notice}}<p><b>{{.Notice}}</b></p>{{end}}
{{range .Projects}}
<h2>Project: {{.Name}}</h2>
<p>Project ID: <code>{{.ID}}</code> · contact {{.Email}}</p>
<h3>Apps</h3>
{{if .Apps}}<table><tr><th>Name</th><th>Client ID</th><th>Type</th><th>Secrets</th><th></th></tr>
{{range .Apps}}<tr><td>{{.Name}}</td><td><code>{{.ID}}</code></td><td>{{.Type}}</td><td>{{.Secrets}}</td>
<td>{{if not .Public}}<form method="post" action="/app/settings/developers/apps/{{.ID}}/secrets"><label>Description <input name="name" value="generated in the console"></label> <button type="submit">Add Client Secret</button></form>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No apps yet.</p>{{end}}
<h3>Policies</h3>
{{if .Policies}}<table><tr><th>Name</th><th>Policy ID</th><th>Domains</th><th>Timeout (s)</th></tr>
{{range .Policies}}<tr><td>{{.Name}}</td><td><code>{{.ID}}</code></td><td>{{.Domains}}</td><td>{{.Timeout}}</td></tr>{{end}}</table>{{else}}<p>No policies yet.</p>{{end}}
{{else}}<p>No projects yet.</p>{{end}}

<fieldset><legend>Create a project</legend>
<form method="post" action="/app/settings/developers/projects">
<label>Project name <input name="display_name" required></label><br>
<label>Contact e-mail <input name="contact_email" type="email" required></label><br>
<button type="submit">Create project</button></form></fieldset>

{{if .Projects}}
<fieldset><legend>Register an app</legend>
<form method="post" action="/app/settings/developers/apps">
<label>Project <select name="project">{{range .Projects}}<option value="{{.ID}}"{{if .Newest}} selected{{end}}>{{.Name}}</option>{{end}}</select></label><br>
<label>App name <input name="name" required></label><br>
<label>Type <select name="client_type">
<option value="hybrid_confidential_client_resource_server">Service API (confidential client and resource server)</option>
<option value="client_identity">Service account (client identity)</option>
<option value="public_installed_client">Thick client (public, native app)</option>
<option value="confidential_client">Portal or web app (confidential client)</option>
<option value="resource_server">Resource server</option>
</select></label><br>
<label>Redirect URIs (space separated; required for every type but the service account and the resource server) <input name="redirect_uris"></label><br>
<button type="submit">Register app</button></form></fieldset>

<fieldset><legend>Create a high-assurance policy</legend>
<form method="post" action="/app/settings/developers/policies">
<label>Project <select name="project_id">{{range .Projects}}<option value="{{.ID}}"{{if .Newest}} selected{{end}}>{{.Name}}</option>{{end}}</select></label><br>
<label>Name <input name="display_name" required></label><br>
<label>Description <input name="description"></label><br>
<label>Included domains (one line here: separate them with spaces or commas) <input name="domains" required></label><br>
<label>Authentication timeout (seconds) <input name="timeout" value="3600" required></label><br>
<label>Assurance <select name="assurance"><option value="high">High assurance</option><option value="standard">Not high assurance</option></select></label><br>
<button type="submit">Create policy</button></form></fieldset>
{{end}}{{template "bottom" .}}{{end}}

{{define "groups"}}{{template "top" .}}
<p>Signed in as <b>{{if .Operator}}{{.Operator}}{{else}}nobody{{end}}</b> · <a href="/app/settings/developers">Developers console</a></p>
{{if .Groups}}<table><tr><th>Name</th><th>Group ID</th><th>Members</th><th>Visibility</th></tr>
{{range .Groups}}<tr><td>{{.Name}}</td><td><code>{{.ID}}</code></td><td>{{.Members}}</td><td>{{.Visibility}}</td></tr>{{end}}</table>
{{else}}<p>No groups.</p>{{end}}
<fieldset><legend>Create new group</legend>
<form method="post" action="/app/groups">
<label>Group Name <input name="name" required></label><br>
<label>Description <input name="description"></label><br>
<label>Visibility <select name="visibility"><option value="private">Group members only</option><option value="authenticated">Any Globus user</option></select></label><br>
<button type="submit">Create Group</button></form></fieldset>{{template "bottom" .}}{{end}}
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
	who     string        // identity ID the user authenticates with
	age     time.Duration // how long ago the session started
	revoked bool          // the tokens are handed out already revoked
	mfa     bool          // a second factor was given
}

// grantCode records a login and returns a single-use code; s.mu held.
func (s *Server) grantCode(a *authRequest, in signIn) string {
	primary := s.identities[in.who].primary
	se := s.sessionOf(primary)
	se.authTime, se.via, se.mfa = s.now().Add(-in.age), s.boostVia(in.who, a.boost), in.mfa
	k := consentKey(primary, a.client.id)
	for _, id := range a.scopes {
		if !slices.Contains(s.consents[k], id) {
			s.consents[k] = append(s.consents[k], id)
		}
	}
	code := randomString(24)
	s.codes[code] = &authCode{clientID: a.client.id, redirectURI: a.redirectURI, challenge: a.challenge,
		sub: primary, scopes: a.scopes, offline: a.offline, revoked: in.revoked, expires: s.now().Add(codeLifetime)}
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
	in := signIn{who: s.operator, revoked: f.Get(formRevoked) != "", mfa: f.Get(formMFA) != ""}
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

// ---- developers console ----

type consoleApp struct {
	ID, Name, Type string
	Public         bool
	Secrets        int
}

type consolePolicy struct {
	ID, Name, Domains string
	Timeout           int
}

type consoleProject struct {
	ID, Name, Email string
	// Newest is preselected in the forms, as if registering from inside the
	// project just made (the guide's order). The real console's navigation
	// is unverified: this is the demo's convenience, not a Globus fact.
	Newest   bool
	Apps     []consoleApp
	Policies []consolePolicy
}

// consoleProjects are those the operator administers (all when no operator); s.mu held.
func (s *Server) consoleProjects() []consoleProject {
	var out []consoleProject
	for _, p := range sorted(s, s.projects) {
		if s.operator != "" && !p.isAdmin(s, s.operator) {
			continue
		}
		cp := consoleProject{ID: p.id, Name: p.displayName, Email: p.contactEmail}
		for _, c := range sorted(s, s.clients) {
			if c.projectID == p.id {
				cp.Apps = append(cp.Apps, consoleApp{ID: c.id, Name: c.name, Type: c.clientType,
					Public: clientTypes[c.clientType].public, Secrets: len(c.creds)})
			}
		}
		for _, pol := range sorted(s, s.policies) {
			if pol.projectID == p.id {
				cp.Policies = append(cp.Policies, consolePolicy{ID: pol.id, Name: pol.displayName,
					Domains: strings.Join(pol.include, " "), Timeout: pol.timeout})
			}
		}
		out = append(out, cp)
	}
	if len(out) > 0 {
		out[len(out)-1].Newest = true
	}
	return out
}

func (s *Server) operatorName() string {
	if in, ok := s.identities[s.operator]; ok {
		return in.Username
	}
	return ""
}

func (s *Server) handleConsole(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page(w, http.StatusOK, "console", map[string]any{
		"Title": "Developers", "Operator": s.operatorName(), "Projects": s.consoleProjects(),
		"Notice": r.URL.Query().Get("notice"),
	})
}

// consoleForm parses a console form and requires a signed-in operator.
func (s *Server) consoleForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.message(w, http.StatusBadRequest, "Bad form", "The form could not be read.")
		return false
	}
	if s.operator == "" {
		s.message(w, http.StatusForbidden, "Not signed in", "The emulator has no operator (SetOperator).")
		return false
	}
	return true
}

func backToConsole(w http.ResponseWriter, r *http.Request, notice string) {
	http.Redirect(w, r, AppPrefix+"/settings/developers?"+url.Values{"notice": {notice}}.Encode(), http.StatusSeeOther)
}

// consoleProject finds a project the operator administers; s.mu held.
func (s *Server) consoleProject(w http.ResponseWriter, id string) (*project, bool) {
	p, ok := s.projects[id]
	if !ok || !p.isAdmin(s, s.operator) {
		s.message(w, http.StatusBadRequest, "No such project", "Choose one of your projects.")
		return nil, false
	}
	return p, true
}

func (s *Server) handleConsoleProject(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	name, email := strings.TrimSpace(r.PostForm.Get("display_name")), strings.TrimSpace(r.PostForm.Get("contact_email"))
	if name == "" || !strings.Contains(email, "@") {
		s.message(w, http.StatusBadRequest, "Project not created", "A project needs a name and a contact e-mail address.")
		return
	}
	p := s.newProject(name, email, []string{s.operator})
	backToConsole(w, r, "Project "+p.displayName+" created: "+p.id)
}

func (s *Server) handleConsoleApp(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	f := r.PostForm
	p, ok := s.consoleProject(w, f.Get("project"))
	if !ok {
		return
	}
	name, ct := strings.TrimSpace(f.Get("name")), f.Get("client_type")
	if _, known := clientTypes[ct]; !known || name == "" {
		s.message(w, http.StatusBadRequest, "App not registered", "An app needs a name and a known type.")
		return
	}
	redirects := strings.Fields(strings.ReplaceAll(f.Get("redirect_uris"), ",", " "))
	// The console's registration forms ask a redirect URI of every app that
	// signs users in (the guide's steps 2 and 4); unverified for other types.
	if len(redirects) == 0 && ct != ClientIdentity && ct != ResourceServer {
		s.message(w, http.StatusBadRequest, "App not registered", "This kind of app needs at least one redirect URI.")
		return
	}
	c := s.newClient(p.id, name, ct, redirects)
	// As on the console, registering shows the Client UUID; a secret is
	// made afterwards with Add Client Secret (the guide's step 2, point 5).
	s.page(w, http.StatusOK, "secret", map[string]any{"Title": "App registered", "Name": c.name, "Type": ct,
		"ClientID": c.id, "Public": clientTypes[ct].public})
}

func (s *Server) handleConsoleSecret(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	c, ok := s.clients[r.PathValue("id")]
	if !ok {
		s.message(w, http.StatusNotFound, "No such app", "There is no app "+r.PathValue("id")+".")
		return
	}
	if _, ok := s.consoleProject(w, c.projectID); !ok {
		return
	}
	if clientTypes[c.clientType].public {
		s.message(w, http.StatusBadRequest, "No secret", "A public client has no secret.")
		return
	}
	_, secret := s.newSecret(c, r.PostForm.Get("name"))
	s.page(w, http.StatusOK, "secret", map[string]any{"Title": "New client secret", "Name": c.name,
		"ClientID": c.id, "Secret": secret})
}

func (s *Server) handleConsolePolicy(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	f := r.PostForm
	p, ok := s.consoleProject(w, f.Get("project_id"))
	if !ok {
		return
	}
	name := strings.TrimSpace(f.Get("display_name"))
	domains := strings.Fields(strings.ReplaceAll(f.Get("domains"), ",", " "))
	timeout, err := strconv.Atoi(strings.TrimSpace(f.Get("timeout")))
	if name == "" || len(domains) == 0 || err != nil || timeout <= 0 {
		s.message(w, http.StatusBadRequest, "Policy not created", "A policy needs a name, at least one domain and a positive timeout in seconds.")
		return
	}
	desc := strings.TrimSpace(f.Get("description"))
	if desc == "" {
		desc = name
	}
	// The real console's form has a High Assurance choice (the gateway's
	// guide: "Tick High Assurance"); a policy without it stops the gateway.
	pol := s.newPolicy(policy{projectID: p.id, displayName: name, description: desc, highAssurance: f.Get("assurance") != "standard",
		timeout: timeout, include: domains})
	backToConsole(w, r, "Policy "+pol.displayName+" created: "+pol.id)
}

type groupRow struct {
	ID, Name, Visibility string
	Members              int
}

func (s *Server) handleGroupsPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	set := s.identitySet(s.operator)
	var rows []groupRow
	for _, g := range sorted(s, s.groups) {
		if s.operator != "" && !g.visibleTo(set) {
			continue
		}
		rows = append(rows, groupRow{ID: g.id, Name: g.name, Visibility: g.policies.GroupVisibility, Members: len(g.members)})
	}
	s.page(w, http.StatusOK, "groups", map[string]any{"Title": "Groups", "Operator": s.operatorName(), "Groups": rows})
}

// handleGroupsCreate is the groups page's Create new group: the operator
// becomes the group's admin, as on app.globus.org/groups.
func (s *Server) handleGroupsCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	f := r.PostForm
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		s.message(w, http.StatusBadRequest, "Group not created", "A group needs a name.")
		return
	}
	g := s.newGroup(name, strings.TrimSpace(f.Get("description")), "", s.operator)
	if f.Get("visibility") == "authenticated" {
		g.policies.GroupVisibility = "authenticated"
	}
	s.page(w, http.StatusOK, "group", map[string]any{"Title": "Group created", "Name": g.name, "ID": g.id})
}
