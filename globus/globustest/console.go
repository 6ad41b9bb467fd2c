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
)

// The demo's stand-in for the Globus web app's developers console
// (app.globus.org/settings/developers) and groups page (app.globus.org/groups):
// one plain page per screen, links and forms, no JavaScript.
//
// Its navigation follows the gateway's own setup guide
// (inference-gateway docs/admin-guide/gateway-setup/globus-setup.md):
//   - step 1: the developers front page → "Add Project" (top right) → Project
//     Name, Contact Email, Project Admins → "Submit";
//   - steps 2–4: the front page → "Register a service API ..." / "Register a
//     service account ..." / "Register a thick client ..." → "Select your
//     Globus project" → the form (App Name, Redirect URIs; other fields
//     default) → "Register App" → the app's details with its Client UUID →
//     "Add Client Secret" → a description → "Generate Secret";
//   - step 5: the front page → your project → the "Policies" tab → "Add a
//     Policy" → Display Name, Description, "High Assurance" check box,
//     Included Domains one per line, the refresh timeout → "Create Policy" →
//     the policy's details with its Policy ID;
//   - step 6: app.globus.org/groups → "Create new group" → Group Name,
//     Description, visibility → "Create Group" → the group's Group UUID; then
//     the group → "Members" tab → "Invite Others" → search → role → "Send
//     invitation"; the invitee accepts from Globus's e-mail, which the demo
//     stands in for with an emulator-only "Accept the invitation as …" on
//     the Members tab.
//
// Everything else about the real pages (their exact wording beyond what the
// guide quotes, where a button leads after it is pressed, which other fields
// a form has) is unverified: the demo keeps it simple and says so beside the
// code. Every value is written through html/template, so it is escaped.

// consolePath is the developers console under this server's app prefix.
const consolePath = AppPrefix + "/settings/developers"

func (s *Server) routeApp() {
	m := s.mux
	m.HandleFunc("GET /app/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, consolePath, http.StatusSeeOther)
	})
	m.HandleFunc("GET /app/settings/developers", s.handleConsole)
	m.HandleFunc("GET /app/settings/developers/projects/new", s.handleProjectNew)
	m.HandleFunc("POST /app/settings/developers/projects", s.handleProjectCreate)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}", s.handleProjectApps)
	m.HandleFunc("GET /app/settings/developers/registration/{kind}", s.handleRegister)
	m.HandleFunc("POST /app/settings/developers/projects/{pid}/apps", s.handleAppCreate)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/apps/{id}", s.handleAppPage)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/apps/{id}/secrets/new", s.handleSecretNew)
	m.HandleFunc("POST /app/settings/developers/projects/{pid}/apps/{id}/secrets", s.handleSecretCreate)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/policies", s.handleProjectPolicies)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/policies/new", s.handlePolicyNew)
	m.HandleFunc("POST /app/settings/developers/projects/{pid}/policies", s.handlePolicyCreate)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/policies/{id}", s.handlePolicyPage)
	m.HandleFunc("GET /app/settings/developers/projects/{pid}/policies/{id}/edit", s.handlePolicyEdit)
	m.HandleFunc("POST /app/settings/developers/projects/{pid}/policies/{id}", s.handlePolicyUpdate)
	m.HandleFunc("GET /app/groups", s.handleGroupsPage)
	m.HandleFunc("GET /app/groups/new", s.handleGroupNew)
	m.HandleFunc("POST /app/groups", s.handleGroupsCreate)
	m.HandleFunc("GET /app/groups/{id}", s.handleGroupPage)
	m.HandleFunc("GET /app/groups/{id}/members", s.handleGroupMembers)
	m.HandleFunc("GET /app/groups/{id}/invite", s.handleGroupInviteForm)
	m.HandleFunc("POST /app/groups/{id}/invite", s.handleGroupInvite)
	m.HandleFunc("POST /app/groups/{id}/members/{identity}/accept", s.handleGroupAccept)
	// Proof hints send a user here to end an old session; every sign-in on
	// this emulator starts a fresh one, so there is nothing to end.
	m.HandleFunc("GET /app/logout", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusOK, "Signed out", "You are signed out of the emulator. The next sign-in starts a fresh session.")
	})
	m.HandleFunc("/app/", func(w http.ResponseWriter, r *http.Request) {
		s.message(w, http.StatusNotFound, "Not found", "There is no page "+r.URL.Path+".")
	})
}

// appKind is one of the front page's "Register a …" links. The gateway's
// guide quotes each link only up to its ellipsis ("Register a service API
// ...", "Register a service account ...", "Register a thick client ..."); the
// words after those are unverified. Each leads to
// settings/developers/registration/<client type>, as the real console's do
// for a service account and a thick client (globus-sdk-python
// docs/authorization/globus_app/apps.rst links registration/client_identity
// and registration/public_installed_client); the service API's path is
// unverified and follows the same pattern.
type appKind struct {
	Slug, Link, Title, ClientType string
	Redirects                     bool // the form asks for redirect URIs
}

var appKinds = []appKind{
	{HybridConfidentialRS, "Register a service API or resource server", "Register a service API", HybridConfidentialRS, true},
	{ClientIdentity, "Register a service account or application credential for automation", "Register a service account", ClientIdentity, false},
	{PublicInstalledClient, "Register a thick client or script that will be installed and run by users on their devices", "Register a thick client", PublicInstalledClient, true},
}

func kindBySlug(slug string) (appKind, bool) {
	i := slices.IndexFunc(appKinds, func(k appKind) bool { return k.Slug == slug })
	if i < 0 {
		return appKind{}, false
	}
	return appKinds[i], true
}

func init() {
	template.Must(pages.Parse(consolePages))
}

// consolePages are the console's screens. Labels the gateway's guide
// quotes are spelled as it does; the others (Continue, Update Policy, the
// Apps and Overview tabs, Cancel, the visibility and role names) and where
// on a page anything sits are unverified.
const consolePages = `
{{define "nav"}}<p>Signed in as <b>{{if .Operator}}{{.Operator}}{{else}}nobody (the emulator has no operator){{end}}</b> · <a href="/app/settings/developers">Developers</a> · <a href="/app/groups">Groups</a></p>
{{if .Error}}<p id="error" role="alert"><b>Not saved: {{.Error}}</b> Nothing was changed; fix it and try again.</p>{{end}}{{end}}

{{define "console"}}{{template "top" .}}{{template "nav" .}}
<p style="text-align:right"><a href="/app/settings/developers/projects/new">Add Project</a></p>
{{if .Created}}<p id="notice"><b>Project {{.Created}} created.</b> Open it below to see its Project ID.</p>{{end}}
<h2>Projects</h2>
{{if .Projects}}<ul id="projects">{{range .Projects}}<li><a href="/app/settings/developers/projects/{{.ID}}">{{.Name}}</a></li>{{end}}</ul>
{{else}}<p>No projects yet: Add Project first.</p>{{end}}
<h2>Register an app</h2>
<ul id="register">{{range .Kinds}}<li><a href="/app/settings/developers/registration/{{.Slug}}">{{.Link}}</a></li>{{end}}</ul>
{{template "bottom" .}}{{end}}

{{define "project-new"}}{{template "top" .}}{{template "nav" .}}
<form method="post" action="/app/settings/developers/projects">
{{with index .V "then"}}<input type="hidden" name="then" value="{{.}}">{{end}}
<label>Project Name <input name="display_name" value="{{index .V "display_name"}}" required></label><br>
<label>Contact Email <input name="contact_email" type="email" value="{{index .V "contact_email"}}" required></label><br>
<label>Project Admins (Globus usernames, one per line) <textarea name="admins" rows="3" required>{{index .V "admins"}}</textarea></label><br>
<button type="submit">Submit</button></form>
<p><a href="/app/settings/developers">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "project-head"}}{{template "top" .}}{{template "nav" .}}
<p>Project ID: <code id="project-id">{{.Project.ID}}</code> · Contact Email {{.Project.Email}} · Admins {{range $i, $a := .Project.Admins}}{{if $i}}, {{end}}{{$a}}{{end}}</p>
<p id="tabs">{{if eq .Tab "apps"}}<b>Apps</b>{{else}}<a href="/app/settings/developers/projects/{{.Project.ID}}">Apps</a>{{end}} · {{if eq .Tab "policies"}}<b>Policies</b>{{else}}<a href="/app/settings/developers/projects/{{.Project.ID}}/policies">Policies</a>{{end}}</p>{{end}}

{{define "project-apps"}}{{template "project-head" .}}
{{if .Project.Apps}}<table id="apps"><tr><th>App Name</th><th>Client UUID</th><th>Type</th></tr>
{{range .Project.Apps}}<tr><td><a href="/app/settings/developers/projects/{{$.Project.ID}}/apps/{{.ID}}">{{.Name}}</a></td><td><code>{{.ID}}</code></td><td>{{.Type}}</td></tr>
{{end}}</table>{{else}}<p>No apps yet. Register one from the <a href="/app/settings/developers">developers page</a>.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "project-policies"}}{{template "project-head" .}}
<p style="text-align:right"><a href="/app/settings/developers/projects/{{.Project.ID}}/policies/new">Add a Policy</a></p>
{{if .Project.Policies}}<table id="policies"><tr><th>Display Name</th><th>Policy ID</th><th>High Assurance</th><th>Included Domains</th></tr>
{{range .Project.Policies}}<tr><td><a href="/app/settings/developers/projects/{{$.Project.ID}}/policies/{{.ID}}">{{.Name}}</a></td><td><code>{{.ID}}</code></td><td>{{if .HighAssurance}}yes{{else}}no{{end}}</td><td>{{range $i, $d := .Include}}{{if $i}}<br>{{end}}{{$d}}{{end}}</td></tr>
{{end}}</table>{{else}}<p>No policies yet.</p>{{end}}
{{template "bottom" .}}{{end}}

{{define "select-project"}}{{template "top" .}}{{template "nav" .}}
{{if .Projects}}<form method="get" action="/app/settings/developers/registration/{{.Kind.Slug}}">
<label>Select your Globus project <select name="project"><option value="">Choose a project</option>
{{range .Projects}}<option value="{{.ID}}">{{.Name}}</option>{{end}}</select></label>
<button type="submit">Continue</button></form>
<p>Or create a new one for this app: <a href="/app/settings/developers/projects/new?then={{.Kind.Slug}}">Add Project</a>.</p>
{{else}}<p>You have no project yet: <a href="/app/settings/developers/projects/new?then={{.Kind.Slug}}">Add Project</a> first; the app is registered in it next.</p>{{end}}
<p><a href="/app/settings/developers">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "register"}}{{template "top" .}}{{template "nav" .}}
<p>Project: <b>{{.Project.Name}}</b></p>
<form method="post" action="/app/settings/developers/projects/{{.Project.ID}}/apps">
<input type="hidden" name="kind" value="{{.Kind.Slug}}">
<label>App Name <input name="name" value="{{index .V "name"}}" required></label><br>
{{if .Kind.Redirects}}<label>Redirect URIs (one per line) <textarea name="redirect_uris" rows="3" required>{{index .V "redirect_uris"}}</textarea></label><br>{{end}}
<label>Privacy Policy (optional) <input name="privacy_policy" type="url" value="{{index .V "privacy_policy"}}"></label><br>
<label>Terms &amp; Conditions (optional) <input name="terms_and_conditions" type="url" value="{{index .V "terms_and_conditions"}}"></label><br>
<button type="submit">Register App</button></form>
<p><a href="/app/settings/developers">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "app"}}{{template "top" .}}{{template "nav" .}}
<p>Project: <a href="/app/settings/developers/projects/{{.Project.ID}}">{{.Project.Name}}</a></p>
<p>Client UUID: <code id="client-id">{{.App.ID}}</code></p>
<p>Type: {{.App.Type}}</p>
{{if .App.Redirects}}<p>Redirect URIs:</p><ul>{{range .App.Redirects}}<li><code>{{.}}</code></li>{{end}}</ul>{{end}}
{{with .App.PrivacyPolicy}}<p>Privacy Policy: <code id="privacy-policy">{{.}}</code></p>{{end}}
{{with .App.Terms}}<p>Terms &amp; Conditions: <code id="terms">{{.}}</code></p>{{end}}
<h2>Client Secrets</h2>
{{if .App.Public}}<p>This type of client has no secret.</p>
{{else}}{{if .App.Secrets}}<table id="secrets"><tr><th>Description</th><th>Created</th></tr>
{{range .App.Secrets}}<tr><td>{{.Name}}</td><td>{{.Created}}</td></tr>{{end}}</table>{{else}}<p>No secrets yet.</p>{{end}}
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/apps/{{.App.ID}}/secrets/new">Add Client Secret</a></p>{{end}}
{{template "bottom" .}}{{end}}

{{define "secret-new"}}{{template "top" .}}{{template "nav" .}}
<p>App <b>{{.App.Name}}</b> (<code>{{.App.ID}}</code>)</p>
<form method="post" action="/app/settings/developers/projects/{{.Project.ID}}/apps/{{.App.ID}}/secrets">
<label>Description <input name="name" value="{{index .V "name"}}" required></label>
<button type="submit">Generate Secret</button></form>
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/apps/{{.App.ID}}">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "secret"}}{{template "top" .}}{{template "nav" .}}
<p>App <b>{{.App.Name}}</b>, Client UUID <code id="client-id">{{.App.ID}}</code></p>
<p>Client secret: <code id="client-secret">{{.Secret}}</code></p>
<p><b>Copy the secret now: it is shown only once.</b></p>
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/apps/{{.App.ID}}">Back to the app</a></p>{{template "bottom" .}}{{end}}

{{define "policy-new"}}{{template "top" .}}{{template "nav" .}}
<p>Project: <b>{{.Project.Name}}</b></p>
<form method="post" action="/app/settings/developers/projects/{{.Project.ID}}/policies">
{{template "policy-names" .}}
<label><input type="checkbox" name="high_assurance" value="1"{{if index .V "high_assurance"}} checked{{end}}> High Assurance (cannot be changed later)</label><br>
{{template "policy-fields" .}}
<button type="submit">Create Policy</button></form>
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/policies">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "policy-names"}}<label>Display Name <input name="display_name" value="{{index .V "display_name"}}" required></label><br>
<label>Description <input name="description" value="{{index .V "description"}}" required></label><br>{{end}}

{{define "policy-fields"}}<label>Authentication Assurance Timeout (seconds) <input name="timeout" inputmode="numeric" placeholder="e.g. 28800 (eight hours)" value="{{index .V "timeout"}}"></label><br>
<label>Included Domains (one per line) <textarea name="include" rows="4">{{index .V "include"}}</textarea></label><br>
<label>Excluded Domains (one per line) <textarea name="exclude" rows="2">{{index .V "exclude"}}</textarea></label><br>{{end}}

{{define "policy"}}{{template "top" .}}{{template "nav" .}}
<p>Project: <a href="/app/settings/developers/projects/{{.Project.ID}}/policies">{{.Project.Name}}</a></p>
<p>Policy ID: <code id="policy-id">{{.Policy.ID}}</code></p>
<table id="policy"><tr><th>Display Name</th><td>{{.Policy.Name}}</td></tr>
<tr><th>Description</th><td>{{.Policy.Description}}</td></tr>
<tr><th>High Assurance</th><td>{{if .Policy.HighAssurance}}yes{{else}}no{{end}}</td></tr>
<tr><th>Authentication Assurance Timeout</th><td>{{.Policy.Timeout}} seconds</td></tr>
<tr><th>Included Domains</th><td id="included">{{range $i, $d := .Policy.Include}}{{if $i}}<br>{{end}}{{$d}}{{end}}</td></tr>
<tr><th>Excluded Domains</th><td>{{range $i, $d := .Policy.Exclude}}{{if $i}}<br>{{end}}{{$d}}{{end}}</td></tr></table>
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/policies/{{.Policy.ID}}/edit">Edit</a></p>{{template "bottom" .}}{{end}}

{{define "policy-edit"}}{{template "top" .}}{{template "nav" .}}
<p>Policy ID: <code>{{.Policy.ID}}</code> · High Assurance: {{if .Policy.HighAssurance}}yes{{else}}no{{end}} (fixed when the policy was created)</p>
<form method="post" action="/app/settings/developers/projects/{{.Project.ID}}/policies/{{.Policy.ID}}">
{{template "policy-names" .}}
{{template "policy-fields" .}}
<button type="submit">Update Policy</button></form>
<p><a href="/app/settings/developers/projects/{{.Project.ID}}/policies/{{.Policy.ID}}">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "groups"}}{{template "top" .}}{{template "nav" .}}
<p style="text-align:right"><a href="/app/groups/new">Create new group</a></p>
{{if .Groups}}<table id="groups"><tr><th>Name</th><th>Members</th><th>Visibility</th></tr>
{{range .Groups}}<tr><td><a href="/app/groups/{{.ID}}">{{.Name}}</a></td><td>{{.Members}}</td><td>{{.Visibility}}</td></tr>{{end}}</table>
{{else}}<p>No groups.</p>{{end}}{{template "bottom" .}}{{end}}

{{define "group-new"}}{{template "top" .}}{{template "nav" .}}
<form method="post" action="/app/groups">
<label>Group Name <input name="name" value="{{index .V "name"}}" required></label><br>
<label>Description <input name="description" value="{{index .V "description"}}"></label><br>
<label>Visibility <select name="visibility">{{$v := index .V "visibility"}}<option value="private"{{if ne $v "authenticated"}} selected{{end}}>Group members only</option><option value="authenticated"{{if eq $v "authenticated"}} selected{{end}}>Any Globus user</option></select></label><br>
<button type="submit">Create Group</button></form>
<p><a href="/app/groups">Cancel</a></p>{{template "bottom" .}}{{end}}

{{define "group-head"}}{{template "top" .}}{{template "nav" .}}
<p id="tabs">{{if eq .Tab "overview"}}<b>Overview</b>{{else}}<a href="/app/groups/{{.Group.ID}}">Overview</a>{{end}} · {{if eq .Tab "members"}}<b>Members</b>{{else}}<a href="/app/groups/{{.Group.ID}}/members">Members</a>{{end}}</p>{{end}}

{{define "group"}}{{template "group-head" .}}
<p>Group UUID: <code id="group-id">{{.Group.ID}}</code></p>
<p>Description: {{.Group.Description}}</p>
<p>Visibility: {{.Group.Visibility}}</p>{{template "bottom" .}}{{end}}

{{define "group-members"}}{{template "group-head" .}}
{{if .Manager}}<p style="text-align:right"><a href="/app/groups/{{.Group.ID}}/invite">Invite Others</a></p>{{end}}
<table id="members"><tr><th>Username</th><th>Role</th><th>Status</th></tr>
{{range .Members}}<tr><td>{{.Username}}</td><td>{{.Role}}</td><td>{{.Status}}</td></tr>{{end}}</table>
{{if .Invited}}<fieldset id="emulator-only"><legend>Emulator only</legend>
<p><b>This exists only in this emulator.</b> On Globus an invited person accepts from the invitation Globus e-mails them, signed in as themselves; here you accept for them.</p>
{{range .Invited}}<form method="post" action="/app/groups/{{$.Group.ID}}/members/{{.ID}}/accept"><button type="submit">Accept the invitation as {{.Username}}</button></form>{{end}}
</fieldset>{{end}}{{template "bottom" .}}{{end}}

{{define "group-invite"}}{{template "group-head" .}}
<form method="post" action="/app/groups/{{.Group.ID}}/invite">
<label>Search for a Globus identity (identity UUID, e-mail or username) <input name="identity" value="{{index .V "identity"}}" required></label><br>
<label>Role <select name="role">{{$r := index .V "role"}}<option value="member"{{if or (eq $r "") (eq $r "member")}} selected{{end}}>Member</option><option value="manager"{{if eq $r "manager"}} selected{{end}}>Manager</option><option value="admin"{{if eq $r "admin"}} selected{{end}}>Administrator</option></select></label><br>
<button type="submit">Send invitation</button></form>
<p><a href="/app/groups/{{.Group.ID}}/members">Cancel</a></p>{{template "bottom" .}}{{end}}
`

// ---- the developers console ----

type consoleApp struct {
	ID, Name, Type       string
	PrivacyPolicy, Terms string
	Public               bool
	Redirects            []string
	Secrets              []consoleSecret
}

type consoleSecret struct{ Name, Created string }

type consolePolicy struct {
	ID, Name, Description string
	HighAssurance         bool
	Timeout               int
	Include, Exclude      []string
}

type consoleProject struct {
	ID, Name, Email string
	Admins          []string
	Apps            []consoleApp
	Policies        []consolePolicy
}

func (s *Server) operatorName() string {
	if in, ok := s.identities[s.operator]; ok {
		return in.Username
	}
	return ""
}

// mine reports whether the signed-in operator administers p (every project
// when the emulator has no operator, as its pages always did); s.mu held.
func (s *Server) mine(p *project) bool {
	return s.operator == "" || p.isAdmin(s, s.operator)
}

// consoleProjects are the operator's projects, oldest first; s.mu held.
func (s *Server) consoleProjects() []consoleProject {
	var out []consoleProject
	for _, p := range sorted(s, s.projects) {
		if s.mine(p) {
			out = append(out, consoleProject{ID: p.id, Name: p.displayName, Email: p.contactEmail})
		}
	}
	return out
}

// projectView is one project with its apps and policies; s.mu held.
func (s *Server) projectView(p *project) consoleProject {
	cp := consoleProject{ID: p.id, Name: p.displayName, Email: p.contactEmail}
	for _, id := range p.adminIDs {
		if in, ok := s.identities[id]; ok {
			cp.Admins = append(cp.Admins, in.Username)
		}
	}
	for _, c := range sorted(s, s.clients) {
		if c.projectID == p.id {
			cp.Apps = append(cp.Apps, appView(c))
		}
	}
	for _, pol := range sorted(s, s.policies) {
		if pol.projectID == p.id {
			cp.Policies = append(cp.Policies, policyView(pol))
		}
	}
	return cp
}

func appView(c *client) consoleApp {
	a := consoleApp{ID: c.id, Name: c.name, Type: c.clientType, Public: clientTypes[c.clientType].public, Redirects: c.redirectURIs,
		PrivacyPolicy: c.privacyPolicy, Terms: c.terms}
	for _, cr := range c.creds {
		a.Secrets = append(a.Secrets, consoleSecret{Name: cr.name, Created: cr.created.UTC().Format("2006-01-02 15:04 UTC")})
	}
	return a
}

func policyView(p *policy) consolePolicy {
	return consolePolicy{ID: p.id, Name: p.displayName, Description: p.description, HighAssurance: p.highAssurance,
		Timeout: p.timeout, Include: p.include, Exclude: p.exclude}
}

// view starts a page's data with what every console page shows; s.mu held.
func (s *Server) view(title string, kv ...any) map[string]any {
	d := map[string]any{"Title": title, "Operator": s.operatorName(), "V": map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i].(string)] = kv[i+1]
	}
	return d
}

// refuse shows a form again (tmpl) with what was typed and why it was
// refused, answering 400: nothing is lost, nothing is changed; s.mu held.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, tmpl, title, why string, kv ...any) {
	d := s.view(title, kv...)
	v := map[string]string{}
	for k := range r.PostForm {
		v[k] = r.PostForm.Get(k)
	}
	d["V"], d["Error"] = v, why
	s.page(w, http.StatusBadRequest, tmpl, d)
}

func (s *Server) handleConsole(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.view("Developers", "Projects", s.consoleProjects(), "Kinds", appKinds)
	// After Submit the demo comes back here (where the real console goes
	// is unverified); the notice names a project by its ID, so the page
	// never repeats text from the address.
	if p, ok := s.projects[r.URL.Query().Get("created")]; ok && s.mine(p) {
		d["Created"] = p.displayName
	}
	s.page(w, http.StatusOK, "console", d)
}

func (s *Server) handleProjectNew(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Project Admins starts with the signed-in identity (unverified; the
	// guide says to add at least one of yours).
	v := map[string]string{"admins": s.operatorName()}
	if k, ok := kindBySlug(r.URL.Query().Get("then")); ok {
		v["then"] = k.Slug
	}
	s.page(w, http.StatusOK, "project-new", s.view("Add Project", "V", v))
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

// lines splits a text area into its non-empty lines, trimmed.
func lines(v string) []string {
	var out []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (s *Server) handleProjectCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	f := r.PostForm
	name, email := strings.TrimSpace(f.Get("display_name")), strings.TrimSpace(f.Get("contact_email"))
	if name == "" || !strings.Contains(email, "@") {
		s.refuse(w, r, "project-new", "Add Project", "a project needs a Project Name and a Contact Email address.")
		return
	}
	var admins []string
	for _, u := range lines(f.Get("admins")) {
		id, ok := s.byUsername[strings.ToLower(u)]
		if !ok || s.identities[id].Status != "used" {
			s.refuse(w, r, "project-new", "Add Project", "Project Admins: there is no Globus identity "+u+". Type a Globus username, one per line.")
			return
		}
		if !slices.Contains(admins, id) {
			admins = append(admins, id)
		}
	}
	// The demo keeps its signed-in operator among the admins, or the new
	// project would vanish from the operator's own list; whether the real
	// console insists is unverified.
	if !slices.ContainsFunc(admins, func(id string) bool { return slices.Contains(s.identitySet(s.operator), id) }) {
		s.refuse(w, r, "project-new", "Add Project", "Project Admins must include you ("+s.operatorName()+").")
		return
	}
	p := s.newProject(name, email, admins)
	if k, ok := kindBySlug(f.Get("then")); ok {
		// Registering an app, the console offers to create the project on
		// the way and then goes on with the registration (globus-sdk-python
		// docs/user_guide/getting_started/register_app.rst: "Create or
		// Select a Project").
		http.Redirect(w, r, consolePath+"/registration/"+k.Slug+"?"+url.Values{"project": {p.id}}.Encode(), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, consolePath+"?"+url.Values{"created": {p.id}}.Encode(), http.StatusSeeOther)
}

// consoleProject finds a project the operator administers, answering 404
// otherwise; s.mu held.
func (s *Server) consoleProject(w http.ResponseWriter, id string) (*project, bool) {
	p, ok := s.projects[id]
	if !ok || !s.mine(p) {
		s.message(w, http.StatusNotFound, "No such project", "You administer no project "+id+".")
		return nil, false
	}
	return p, true
}

func (s *Server) handleProjectApps(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.consoleProject(w, r.PathValue("pid")); ok {
		s.page(w, http.StatusOK, "project-apps", s.view(p.displayName, "Project", s.projectView(p), "Tab", "apps"))
	}
}

func (s *Server) handleProjectPolicies(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.consoleProject(w, r.PathValue("pid")); ok {
		s.page(w, http.StatusOK, "project-policies", s.view(p.displayName+" · Policies", "Project", s.projectView(p), "Tab", "policies"))
	}
}

// handleRegister is a "Register a …" link: first "Select your Globus
// project" (the gateway's guide), then, with ?project=, that kind's form.
func (s *Server) handleRegister(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := kindBySlug(r.PathValue("kind"))
	if !ok {
		s.message(w, http.StatusNotFound, "Not found", "There is no kind of app "+r.PathValue("kind")+".")
		return
	}
	q := r.URL.Query()
	if q.Get("project") == "" {
		ps := s.consoleProjects()
		// Nothing is preselected, even with one project: whether the real
		// console does is unverified, and a new operator's only project
		// may be an unrelated one, where a preselected choice is a trap.
		d := s.view(k.Title, "Kind", k, "Projects", ps)
		status := http.StatusOK
		if q.Has("project") { // Continue with no choice
			d["Error"], status = "select your Globus project, then Continue.", http.StatusBadRequest
		}
		s.page(w, status, "select-project", d)
		return
	}
	p, ok := s.consoleProject(w, q.Get("project"))
	if !ok {
		return
	}
	s.page(w, http.StatusOK, "register", s.view(k.Title, "Kind", k, "Project", consoleProject{ID: p.id, Name: p.displayName}))
}

func (s *Server) handleAppCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	p, ok := s.consoleProject(w, r.PathValue("pid"))
	if !ok {
		return
	}
	f := r.PostForm
	k, known := kindBySlug(f.Get("kind"))
	if !known {
		s.message(w, http.StatusBadRequest, "App not registered", "Start from one of the developers page's Register links.")
		return
	}
	refuse := func(why string) {
		s.refuse(w, r, "register", k.Title, why, "Kind", k, "Project", consoleProject{ID: p.id, Name: p.displayName})
	}
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		refuse("an app needs an App Name.")
		return
	}
	var redirects []string
	if k.Redirects {
		redirects = lines(f.Get("redirect_uris"))
		// The guide's steps 2 and 4 fill Redirect URIs; that the form
		// refuses none is unverified, and safe for the demo.
		if len(redirects) == 0 {
			refuse("Redirect URIs: this kind of app needs at least one, one per line.")
			return
		}
		for _, u := range redirects {
			if pu, err := url.Parse(u); err != nil || pu.Scheme == "" || pu.Host == "" {
				refuse("Redirect URIs: " + u + " is not an absolute URL (one per line).")
				return
			}
		}
	}
	// The guide's step 3: "Set Privacy Policy and Terms & Conditions URLs
	// if applicable"; Globus answers them as the client's links.
	links := map[string]string{}
	for _, fd := range []string{"privacy_policy", "terms_and_conditions"} {
		if v := strings.TrimSpace(f.Get(fd)); v != "" {
			if pu, err := url.Parse(v); err != nil || (pu.Scheme != "https" && pu.Scheme != "http") || pu.Host == "" {
				refuse(v + " is not a web address (https://…); leave the field empty if there is none.")
				return
			}
			links[fd] = v
		}
	}
	c := s.newClient(p.id, name, k.ClientType, redirects)
	c.privacyPolicy, c.terms = links["privacy_policy"], links["terms_and_conditions"]
	// Registering shows the app's details with its Client UUID (the
	// guide's step 2, point 5).
	http.Redirect(w, r, consolePath+"/projects/"+p.id+"/apps/"+c.id, http.StatusSeeOther)
}

// projectPart finds the {id} in items of the project {pid}, one the
// operator administers, answering 404 otherwise; s.mu held.
func projectPart[T any](s *Server, w http.ResponseWriter, r *http.Request, kind string, items map[string]*T, projectOf func(*T) string) (*project, *T, bool) {
	p, ok := s.consoleProject(w, r.PathValue("pid"))
	if !ok {
		return nil, nil, false
	}
	it, ok := items[r.PathValue("id")]
	if !ok || projectOf(it) != p.id {
		s.message(w, http.StatusNotFound, "No such "+kind, "The project has no "+kind+" "+r.PathValue("id")+".")
		return nil, nil, false
	}
	return p, it, true
}

// consoleApp finds an app of a project the operator administers; s.mu held.
func (s *Server) consoleApp(w http.ResponseWriter, r *http.Request) (*project, *client, bool) {
	return projectPart(s, w, r, "app", s.clients, func(c *client) string { return c.projectID })
}

// secretApp is consoleApp for the secret pages: a public client has no
// secret to add; s.mu held.
func (s *Server) secretApp(w http.ResponseWriter, r *http.Request) (*project, *client, bool) {
	p, c, ok := s.consoleApp(w, r)
	if ok && clientTypes[c.clientType].public {
		s.message(w, http.StatusBadRequest, "No secret", "This type of client has no secret.")
		return nil, nil, false
	}
	return p, c, ok
}

func (s *Server) handleAppPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, c, ok := s.consoleApp(w, r); ok {
		s.page(w, http.StatusOK, "app", s.view(c.name, "Project", consoleProject{ID: p.id, Name: p.displayName}, "App", appView(c)))
	}
}

func (s *Server) handleSecretNew(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, c, ok := s.secretApp(w, r)
	if !ok {
		return
	}
	s.page(w, http.StatusOK, "secret-new", s.view("Add Client Secret", "Project", consoleProject{ID: p.id}, "App", appView(c)))
}

func (s *Server) handleSecretCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	p, c, ok := s.secretApp(w, r)
	if !ok {
		return
	}
	desc := strings.TrimSpace(r.PostForm.Get("name"))
	if desc == "" {
		s.refuse(w, r, "secret-new", "Add Client Secret", "type a Description for the secret, then Generate Secret.", "Project", consoleProject{ID: p.id}, "App", appView(c))
		return
	}
	_, secret := s.newSecret(c, desc)
	// Answered here, not redirected: the secret is in this one answer
	// (never stored, never in an address), as the guide's "shown once".
	s.page(w, http.StatusOK, "secret", s.view("New client secret", "Project", consoleProject{ID: p.id}, "App", appView(c), "Secret", secret))
}

// ---- policies ----

func (s *Server) handlePolicyNew(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.consoleProject(w, r.PathValue("pid")); ok {
		// The timeout starts empty with 28800 as a placeholder example: the
		// gateway's guide names no default ("define for how long ..."), and
		// the real form's is unverified.
		s.page(w, http.StatusOK, "policy-new", s.view("Add a Policy", "Project", consoleProject{ID: p.id, Name: p.displayName}))
	}
}

// policyForm reads the fields the create and edit forms share.
func policyForm(f url.Values, highAssurance bool) (policy, error) {
	p := policy{displayName: strings.TrimSpace(f.Get("display_name")), description: strings.TrimSpace(f.Get("description")),
		highAssurance: highAssurance}
	// As the API asks of a new policy (display_name, description).
	if p.displayName == "" || p.description == "" {
		return p, errors.New("a policy needs a Display Name and a Description")
	}
	if t := strings.TrimSpace(f.Get("timeout")); t != "" || highAssurance {
		n, err := strconv.Atoi(t)
		if err != nil || n <= 0 {
			return p, fmt.Errorf("the Authentication Assurance Timeout must be a whole number of seconds above 0 (28800 is eight hours), not %q", t)
		}
		p.timeout = n
	}
	var err error
	if p.include, err = domainLines("Included Domains", f.Get("include")); err != nil {
		return p, err
	}
	if p.exclude, err = domainLines("Excluded Domains", f.Get("exclude")); err != nil {
		return p, err
	}
	// The demo wants at least one included domain (what the gateway needs);
	// whether the real form does is unverified.
	if len(p.include) == 0 {
		return p, fmt.Errorf("the Included Domains need at least one domain, such as anl.gov")
	}
	return p, nil
}

// domainLines reads one domain a line, as the guide says, spelled as typed
// (the gateway compares them exactly). A line with a space or comma is
// refused rather than split: the real console's handling is unverified.
func domainLines(field, v string) ([]string, error) {
	ds := lines(v)
	for _, d := range ds {
		if strings.ContainsAny(d, " \t,;") {
			return nil, fmt.Errorf("%s: one domain per line (%q has several)", field, d)
		}
	}
	return ds, nil
}

func (s *Server) handlePolicyCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	p, ok := s.consoleProject(w, r.PathValue("pid"))
	if !ok {
		return
	}
	// The gateway's guide: "[IMPORTANT] Check the High Assurance check
	// box"; left clear, the policy is not high assurance and the gateway
	// refuses it.
	pol, err := policyForm(r.PostForm, r.PostForm.Get("high_assurance") != "")
	if err != nil {
		s.refuse(w, r, "policy-new", "Add a Policy", err.Error()+".", "Project", consoleProject{ID: p.id, Name: p.displayName})
		return
	}
	pol.projectID = p.id
	made := s.newPolicy(pol)
	http.Redirect(w, r, consolePath+"/projects/"+p.id+"/policies/"+made.id, http.StatusSeeOther)
}

// consolePolicy finds a policy of a project the operator administers; s.mu held.
func (s *Server) consolePolicy(w http.ResponseWriter, r *http.Request) (*project, *policy, bool) {
	return projectPart(s, w, r, "policy", s.policies, func(p *policy) string { return p.projectID })
}

func (s *Server) handlePolicyPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, pol, ok := s.consolePolicy(w, r); ok {
		s.page(w, http.StatusOK, "policy", s.view(pol.displayName, "Project", consoleProject{ID: p.id, Name: p.displayName}, "Policy", policyView(pol)))
	}
}

func (s *Server) handlePolicyEdit(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, pol, ok := s.consolePolicy(w, r); ok {
		v := map[string]string{"display_name": pol.displayName, "description": pol.description,
			"timeout": strconv.Itoa(pol.timeout), "include": strings.Join(pol.include, "\n"), "exclude": strings.Join(pol.exclude, "\n")}
		if pol.timeout == 0 {
			v["timeout"] = ""
		}
		s.page(w, http.StatusOK, "policy-edit", s.view("Edit "+pol.displayName, "Project", consoleProject{ID: p.id}, "Policy", policyView(pol), "V", v))
	}
}

// handlePolicyUpdate saves the Edit form. The API updates a policy's
// display name, description, timeout and domains (PUT /v2/api/policies/{id}:
// globus-sdk-python src/globus_sdk/testing/data/auth/update_policy.py, and
// AuthClient.update_policy, which has no high_assurance); whether the real
// console lets High Assurance change is unverified, so it stays as created.
func (s *Server) handlePolicyUpdate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	p, pol, ok := s.consolePolicy(w, r)
	if !ok {
		return
	}
	upd, err := policyForm(r.PostForm, pol.highAssurance)
	if err != nil {
		s.refuse(w, r, "policy-edit", "Edit "+pol.displayName, err.Error()+".", "Project", consoleProject{ID: p.id}, "Policy", policyView(pol))
		return
	}
	pol.displayName, pol.description, pol.include, pol.exclude = upd.displayName, upd.description, upd.include, upd.exclude
	if upd.timeout > 0 || !pol.highAssurance {
		pol.timeout = upd.timeout
	}
	http.Redirect(w, r, consolePath+"/projects/"+p.id+"/policies/"+pol.id, http.StatusSeeOther)
}

// ---- groups (app.globus.org/groups) ----

type groupRow struct {
	ID, Name, Description, Visibility string
	Members                           int
}

type memberRow struct{ Username, Role, Status string }

// groupVisible reports whether the operator may see g (every group when the
// emulator has no operator, as its pages always did); s.mu held.
func (s *Server) groupVisible(g *group) bool {
	return s.operator == "" || g.visibleTo(s.identitySet(s.operator))
}

func (s *Server) handleGroupsPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rows []groupRow
	for _, g := range sorted(s, s.groups) {
		if s.groupVisible(g) {
			rows = append(rows, groupRow{ID: g.id, Name: g.name, Visibility: g.policies.GroupVisibility, Members: len(g.members)})
		}
	}
	s.page(w, http.StatusOK, "groups", s.view("Groups", "Groups", rows))
}

func (s *Server) handleGroupNew(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.page(w, http.StatusOK, "group-new", s.view("Create new group"))
}

// handleGroupsCreate is Create Group: the operator becomes the group's
// admin, as on app.globus.org/groups, and the group's page shows its UUID.
func (s *Server) handleGroupsCreate(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	f := r.PostForm
	name := strings.TrimSpace(f.Get("name"))
	if name == "" {
		s.refuse(w, r, "group-new", "Create new group", "a group needs a Group Name.")
		return
	}
	g := s.newGroup(name, strings.TrimSpace(f.Get("description")), "", s.operator)
	if f.Get("visibility") == "authenticated" {
		g.policies.GroupVisibility = "authenticated"
	}
	http.Redirect(w, r, AppPrefix+"/groups/"+g.id, http.StatusSeeOther)
}

// consoleGroup finds a group the operator may see, answering 404 otherwise; s.mu held.
func (s *Server) consoleGroup(w http.ResponseWriter, r *http.Request) (*group, bool) {
	g, ok := s.groups[r.PathValue("id")]
	if !ok || !s.groupVisible(g) {
		s.message(w, http.StatusNotFound, "No such group", "You can see no group "+r.PathValue("id")+".")
		return nil, false
	}
	return g, true
}

func groupView(g *group) groupRow {
	return groupRow{ID: g.id, Name: g.name, Description: g.description, Visibility: g.policies.GroupVisibility, Members: len(g.members)}
}

// manages reports whether the operator may invite to g; s.mu held.
func (s *Server) manages(g *group) bool {
	role := g.role(s.identitySet(s.operator))
	return role == "admin" || role == "manager"
}

func (s *Server) handleGroupPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.consoleGroup(w, r); ok {
		s.page(w, http.StatusOK, "group", s.view(g.name, "Group", groupView(g), "Tab", "overview"))
	}
}

func (s *Server) handleGroupMembers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.consoleGroup(w, r)
	if !ok {
		return
	}
	var rows []memberRow
	var invited []invitedRow
	for _, m := range g.members {
		rows = append(rows, memberRow{Username: s.identities[m.identityID].Username, Role: m.role, Status: m.status})
		if m.status == "invited" {
			invited = append(invited, invitedRow{ID: m.identityID, Username: s.identities[m.identityID].Username})
		}
	}
	s.page(w, http.StatusOK, "group-members", s.view(g.name+" · Members", "Group", groupView(g), "Tab", "members",
		"Members", rows, "Manager", s.manages(g), "Invited", invited))
}

// invitedRow is an invitation the members page can accept (emulator only).
type invitedRow struct{ ID, Username string }

// handleGroupAccept accepts an invitation on the invitee's behalf, an
// emulator-only stand-in for the invitee accepting from Globus's e-mail:
// the Groups API's accept action, which the invitee's own identity set
// makes (globus-sdk-python GroupsManager.accept_invite), makes an invited
// membership active; anything but an invitation is refused.
func (s *Server) handleGroupAccept(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	g, ok := s.consoleGroup(w, r)
	if !ok {
		return
	}
	m := g.member(r.PathValue("identity"))
	if m == nil || m.status != "invited" {
		s.message(w, http.StatusConflict, "No invitation", "That identity has no invitation to this group waiting.")
		return
	}
	m.status = "active"
	http.Redirect(w, r, AppPrefix+"/groups/"+g.id+"/members", http.StatusSeeOther)
}

func (s *Server) handleGroupInviteForm(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.consoleGroup(w, r); ok {
		s.page(w, http.StatusOK, "group-invite", s.view("Invite Others", "Group", groupView(g), "Tab", "members"))
	}
}

// findIdentity resolves what the invite form's search was given: an
// identity ID, a username or an e-mail address of a used identity. The
// real search lists matches to pick from (unverified); the demo takes one
// exact value. s.mu held.
func (s *Server) findIdentity(q string) (string, bool) {
	q = strings.TrimSpace(q)
	if in, ok := s.identities[q]; ok && in.idpName != clientsIdentityDomain {
		return in.ID, true
	}
	if id, ok := s.byUsername[strings.ToLower(q)]; ok && s.identities[id].Status == "used" {
		return id, true
	}
	// By e-mail only when one identity has it: which of several the real
	// search would offer first is unverified.
	var byEmail []string
	for _, in := range s.identities {
		if in.Status == "used" && in.Email != "" && strings.EqualFold(in.Email, q) {
			byEmail = append(byEmail, in.ID)
		}
	}
	if len(byEmail) == 1 {
		return byEmail[0], true
	}
	return "", false
}

// handleGroupInvite is Send invitation: the person is invited (status
// "invited", as the Groups API's invite action) until they accept.
func (s *Server) handleGroupInvite(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.consoleForm(w, r) {
		return
	}
	g, ok := s.consoleGroup(w, r)
	if !ok {
		return
	}
	if !s.manages(g) {
		s.message(w, http.StatusForbidden, "Not invited", "Only the group's administrators and managers may invite.")
		return
	}
	f := r.PostForm
	id, found := s.findIdentity(f.Get("identity"))
	if !found {
		s.refuse(w, r, "group-invite", "Invite Others", "no Globus identity is "+f.Get("identity")+": search by identity UUID, e-mail or username.", "Group", groupView(g), "Tab", "members")
		return
	}
	role := f.Get("role")
	if !slices.Contains(groupRoles, role) {
		s.refuse(w, r, "group-invite", "Invite Others", "choose the role Member, Manager or Administrator.", "Group", groupView(g), "Tab", "members")
		return
	}
	if m := g.member(id); m != nil && (m.status == "active" || m.status == "invited") {
		s.refuse(w, r, "group-invite", "Invite Others", s.identities[id].Username+" is already "+m.status+" in this group.", "Group", groupView(g), "Tab", "members")
		return
	}
	g.setMember(id, role, "invited")
	http.Redirect(w, r, AppPrefix+"/groups/"+g.id+"/members", http.StatusSeeOther)
}
