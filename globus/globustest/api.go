package globustest

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The developers-console half of the Auth API: projects, clients, their
// credentials and scopes, and policies. Globus answers creations with 200.
// Handlers that take a token run behind s.api (auth.go), with s.mu held.

func badRequest(w http.ResponseWriter, detail string) {
	apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", detail)
}

// ---- documents (s.mu held) ----

func (s *Server) projectDoc(p *project) map[string]any {
	ids := []map[string]any{}
	for _, id := range p.adminIDs {
		if in, ok := s.identities[id]; ok {
			ids = append(ids, s.identityDoc(in))
		}
	}
	return map[string]any{
		"id":              p.id,
		"display_name":    p.displayName,
		"project_name":    p.displayName,
		"contact_email":   p.contactEmail,
		"admin_ids":       nonNil(p.adminIDs),
		"admin_group_ids": []string{},
		"admins":          map[string]any{"identities": ids, "groups": []any{}},
	}
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func (s *Server) clientDoc(c *client) map[string]any {
	ct := clientTypes[c.clientType]
	var project any
	if c.projectID != "" {
		project = c.projectID
	}
	return map[string]any{
		"id":            c.id,
		"name":          c.name,
		"project":       project,
		"client_type":   c.clientType,
		"public_client": ct.public,
		"scopes":        nonNil(c.scopes),
		"redirect_uris": nonNil(c.redirectURIs),
		"grant_types":   ct.grants,
		"visibility":    c.visibility,
		// links as globus-sdk-python testing/data/auth/get_client.py; set
		// from the console form's two fields, as create_child_client.py
		// maps the privacy_policy/terms_and_conditions arguments there.
		"links":                            map[string]any{"privacy_policy": orNil(c.privacyPolicy), "terms_and_conditions": orNil(c.terms)},
		"fqdns":                            []string{},
		"required_idp":                     nil,
		"preselect_idp":                    nil,
		"parent_client":                    nil,
		"prompt_for_named_grant":           false,
		"userinfo_from_effective_identity": true,
	}
}

func (s *Server) scopeDoc(sc *scope) map[string]any {
	var cl any
	if sc.clientID != "" {
		cl = sc.clientID
	}
	deps := sc.deps
	if deps == nil {
		deps = []depScope{}
	}
	return map[string]any{
		"id":                   sc.id,
		"scope_string":         sc.scopeString(),
		"name":                 sc.name,
		"description":          sc.description,
		"client":               cl,
		"dependent_scopes":     deps,
		"advertised":           sc.advertised,
		"allows_refresh_token": sc.allowsRefresh,
		"required_domains":     nonNil(sc.requiredDomains),
	}
}

func policyDoc(p *policy) map[string]any {
	return map[string]any{
		"id":                               p.id,
		"project_id":                       p.projectID,
		"display_name":                     p.displayName,
		"description":                      p.description,
		"high_assurance":                   p.highAssurance,
		"authentication_assurance_timeout": p.timeout,
		"domain_constraints_include":       p.include,
		"domain_constraints_exclude":       p.exclude,
		"required_mfa":                     p.requiredMFA,
	}
}

// credentialDoc is a credential as Auth answers it: {id, name, created,
// client, secret}, the secret only in the create answer and null elsewhere
// (globus-sdk-python src/globus_sdk/testing/data/auth/create_client_credential.py,
// get_client_credentials.py, delete_client_credential.py).
func credentialDoc(cr *credential, clientID, secret string) map[string]any {
	d := map[string]any{
		"id":      cr.id,
		"name":    cr.name,
		"client":  clientID,
		"created": cr.created.UTC().Format(time.RFC3339Nano),
		"secret":  nil,
	}
	if secret != "" {
		d["secret"] = secret
	}
	return d
}

// ---- projects ----

func (s *Server) handleListProjects(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	out := []map[string]any{}
	for _, p := range sorted(s, s.projects) {
		if p.isAdmin(s, t.sub) {
			out = append(out, s.projectDoc(p))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": out})
}

func (s *Server) handleGetProject(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	if p, ok := s.adminProject(w, t, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, map[string]any{"project": s.projectDoc(p)})
	}
}

// adminProject finds a project the caller administers, answering 404/403.
func (s *Server) adminProject(w http.ResponseWriter, t *token, id string) (*project, bool) {
	p, ok := s.projects[id]
	if !ok {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no project "+id)
		return nil, false
	}
	if !p.isAdmin(s, t.sub) {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "you are not an admin of project "+id)
		return nil, false
	}
	return p, true
}

func (s *Server) handleCreateProject(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		Project *struct {
			DisplayName  string   `json:"display_name"`
			ContactEmail string   `json:"contact_email"`
			AdminIDs     []string `json:"admin_ids"`
		} `json:"project"`
	}
	if !jb.decode(w, &body) {
		return
	}
	p := body.Project
	switch {
	case p == nil:
		badRequest(w, `the body must be {"project":{...}}`)
		return
	case strings.TrimSpace(p.DisplayName) == "":
		badRequest(w, "display_name is required")
		return
	case !strings.Contains(p.ContactEmail, "@"):
		badRequest(w, "contact_email must be an e-mail address")
		return
	}
	admins := p.AdminIDs
	if len(admins) == 0 {
		admins = []string{t.sub}
	}
	for _, id := range admins {
		if _, ok := s.identities[id]; !ok {
			badRequest(w, "admin_ids: no identity "+id)
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"project": s.projectDoc(s.newProject(p.DisplayName, p.ContactEmail, admins))})
}

// ---- clients ----

func (s *Server) handleListClients(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	want := r.URL.Query().Get("project_id")
	out := []map[string]any{}
	for _, c := range sorted(s, s.clients) {
		p, ok := s.projects[c.projectID]
		if !ok || !p.isAdmin(s, t.sub) || (want != "" && c.projectID != want) {
			continue
		}
		out = append(out, s.clientDoc(c))
	}
	writeJSON(w, http.StatusOK, map[string]any{"clients": out})
}

// clientAccess lets in the client itself (Basic) or an admin of its project
// (Bearer with manage_projects), answering 401/403/404 otherwise.
func (s *Server) clientAccess(w http.ResponseWriter, r *http.Request, id string) (*client, bool) {
	if caller, present, ok := s.basicClient(r); present {
		if !ok {
			apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid client credentials")
			return nil, false
		}
		c, found := s.clients[id]
		if !found {
			apiError(w, http.StatusNotFound, "NOT_FOUND", "no client "+id)
			return nil, false
		}
		if caller.id != c.id {
			apiError(w, http.StatusForbidden, "FORBIDDEN", "a client may only act on itself")
			return nil, false
		}
		return c, true
	}
	t, ok := s.operatorToken(w, r)
	if !ok {
		return nil, false
	}
	return s.operatorClient(w, t, id)
}

func (s *Server) handleGetClient(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clientAccess(w, r, r.PathValue("id")); ok {
		writeJSON(w, http.StatusOK, map[string]any{"client": s.clientDoc(c)})
	}
}

func (s *Server) handleCreateClient(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		Client *struct {
			Name         string   `json:"name"`
			Project      string   `json:"project"`
			ClientType   string   `json:"client_type"`
			PublicClient *bool    `json:"public_client"`
			RedirectURIs []string `json:"redirect_uris"`
			Visibility   string   `json:"visibility"`
		} `json:"client"`
	}
	if !jb.decode(w, &body) {
		return
	}
	b := body.Client
	if b == nil {
		badRequest(w, `the body must be {"client":{...}}`)
		return
	}
	if b.ClientType == "" && b.PublicClient != nil {
		b.ClientType = map[bool]string{true: PublicInstalledClient, false: HybridConfidentialRS}[*b.PublicClient]
	}
	if strings.TrimSpace(b.Name) == "" {
		badRequest(w, "name is required")
		return
	}
	if _, ok := clientTypes[b.ClientType]; !ok {
		badRequest(w, "client_type must be one of client_identity, public_installed_client, confidential_client, resource_server, hybrid_confidential_client_resource_server")
		return
	}
	if b.Project == "" {
		badRequest(w, "project is required")
		return
	}
	if b.Visibility != "" && b.Visibility != "private" && b.Visibility != "public" {
		badRequest(w, "visibility must be private or public")
		return
	}
	for _, u := range b.RedirectURIs {
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://localhost") && !strings.HasPrefix(u, "http://127.0.0.1") {
			badRequest(w, "redirect_uris must be https (or http on localhost): "+u)
			return
		}
	}
	if _, ok := s.adminProject(w, t, b.Project); !ok {
		return
	}
	c := s.newClient(b.Project, b.Name, b.ClientType, b.RedirectURIs)
	if b.Visibility != "" {
		c.visibility = b.Visibility
	}
	writeJSON(w, http.StatusOK, map[string]any{"client": s.clientDoc(c)})
}

// ---- credentials ----

func (s *Server) handleCreateCredential(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		Credential *struct {
			Name string `json:"name"`
		} `json:"credential"`
	}
	if !jb.decode(w, &body) {
		return
	}
	c, ok := s.operatorClient(w, t, r.PathValue("id"))
	if !ok {
		return
	}
	if body.Credential == nil {
		badRequest(w, `the body must be {"credential":{"name":...}}`)
		return
	}
	if clientTypes[c.clientType].public {
		badRequest(w, "public clients cannot have credentials")
		return
	}
	cr, secret := s.newSecret(c, body.Credential.Name)
	writeJSON(w, http.StatusOK, map[string]any{"credential": credentialDoc(cr, c.id, secret)})
}

func (s *Server) handleListCredentials(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	c, ok := s.operatorClient(w, t, r.PathValue("id"))
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, cr := range c.creds {
		out = append(out, credentialDoc(cr, c.id, ""))
	}
	writeJSON(w, http.StatusOK, map[string]any{"credentials": out})
}

// handleDeleteCredential deletes a secret and answers the deleted credential
// (without its secret); a repeat answers 404, as Globus does.
func (s *Server) handleDeleteCredential(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	c, ok := s.operatorClient(w, t, r.PathValue("id"))
	if !ok {
		return
	}
	cid := r.PathValue("cid")
	i := slices.IndexFunc(c.creds, func(cr *credential) bool { return cr.id == cid })
	if i < 0 {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no credential "+cid+" on client "+c.id)
		return
	}
	cr := c.creds[i]
	c.creds = slices.Delete(c.creds, i, i+1)
	writeJSON(w, http.StatusOK, map[string]any{"credential": credentialDoc(cr, c.id, "")})
}

// operatorClient finds a client of a project the caller administers, answering 404/403.
func (s *Server) operatorClient(w http.ResponseWriter, t *token, id string) (*client, bool) {
	c, ok := s.clients[id]
	if !ok {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no client "+id)
		return nil, false
	}
	if p, ok := s.projects[c.projectID]; !ok || !p.isAdmin(s, t.sub) {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "you are not an admin of this client's project")
		return nil, false
	}
	return c, true
}

// ---- scopes ----

var suffixRE = regexp.MustCompile(`^[A-Za-z0-9_.:-]+$`)

type scopeCreate struct {
	Name               string     `json:"name"`
	Description        string     `json:"description"`
	ScopeSuffix        string     `json:"scope_suffix"`
	DependentScopes    []depScope `json:"dependent_scopes"`
	Advertised         bool       `json:"advertised"`
	AllowsRefreshToken *bool      `json:"allows_refresh_token"`
	RequiredDomains    []string   `json:"required_domains"`
}

func (s *Server) handleCreateScope(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Scope *scopeCreate `json:"scope"`
	}
	jb := readJSONBody(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clientAccess(w, r, r.PathValue("id"))
	if !ok || !jb.decode(w, &body) {
		return
	}
	b := body.Scope
	switch {
	case b == nil:
		badRequest(w, `the body must be {"scope":{...}}`)
		return
	case strings.TrimSpace(b.Name) == "":
		badRequest(w, "name is required")
		return
	case strings.TrimSpace(b.Description) == "":
		badRequest(w, "description is required")
		return
	case b.ScopeSuffix == "":
		badRequest(w, "scope_suffix is required")
		return
	case !suffixRE.MatchString(b.ScopeSuffix):
		badRequest(w, "scope_suffix may hold only letters, digits, '_', '-', '.' and ':'")
		return
	case clientTypes[c.clientType].public:
		badRequest(w, "public clients cannot have scopes")
		return
	}
	for _, d := range b.DependentScopes {
		if _, ok := s.scopes[d.Scope]; !ok {
			badRequest(w, "dependent_scopes: no scope "+d.Scope)
			return
		}
	}
	if s.clientScopeBySuffix(c, b.ScopeSuffix) != nil {
		apiError(w, http.StatusConflict, "CONFLICT", "a scope with the suffix '"+b.ScopeSuffix+"' already exists on this client")
		return
	}
	sc := s.newScope(c, b.ScopeSuffix, b.Name, b.Description, b.DependentScopes)
	sc.advertised = b.Advertised
	if b.AllowsRefreshToken != nil {
		sc.allowsRefresh = *b.AllowsRefreshToken
	}
	sc.requiredDomains = b.RequiredDomains
	writeJSON(w, http.StatusOK, map[string]any{"scopes": []any{s.scopeDoc(sc)}})
}

func (s *Server) handleListClientScopes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clientAccess(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	out := []map[string]any{}
	for _, id := range c.scopes {
		out = append(out, s.scopeDoc(s.scopes[id]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"scopes": out})
}

func (s *Server) handleGetClientScope(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clientAccess(w, r, r.PathValue("id"))
	if !ok {
		return
	}
	sid := r.PathValue("sid")
	if !slices.Contains(c.scopes, sid) {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no scope "+sid+" on this client")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scope": s.scopeDoc(s.scopes[sid])})
}

func (s *Server) handleGetScope(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, ok := s.authenticate(w, r); !ok {
		return
	}
	sc, ok := s.scopes[r.PathValue("id")]
	if !ok {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no scope "+r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scope": s.scopeDoc(sc)})
}

// handleListScopes answers ?ids= or ?scope_strings=; unknown ones are left out.
func (s *Server) handleListScopes(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, _, ok := s.authenticate(w, r); !ok {
		return
	}
	q := r.URL.Query()
	ids, strs := splitList(q.Get("ids")), splitList(q.Get("scope_strings"))
	if (len(ids) == 0) == (len(strs) == 0) {
		badRequest(w, "give exactly one of ids or scope_strings")
		return
	}
	out := []map[string]any{}
	for _, id := range ids {
		if sc, ok := s.scopes[id]; ok {
			out = append(out, s.scopeDoc(sc))
		}
	}
	for _, str := range strs {
		if sc := s.scopeByString(str, altScopeBase(r)); sc != nil {
			out = append(out, s.scopeDoc(sc))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"scopes": out})
}

// ---- policies ----

func (s *Server) handleCreatePolicy(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		Policy *struct {
			ProjectID                      string   `json:"project_id"`
			DisplayName                    string   `json:"display_name"`
			Description                    string   `json:"description"`
			HighAssurance                  *bool    `json:"high_assurance"`
			AuthenticationAssuranceTimeout *int     `json:"authentication_assurance_timeout"`
			DomainConstraintsInclude       []string `json:"domain_constraints_include"`
			DomainConstraintsExclude       []string `json:"domain_constraints_exclude"`
			RequiredMFA                    bool     `json:"required_mfa"`
		} `json:"policy"`
	}
	if !jb.decode(w, &body) {
		return
	}
	b := body.Policy
	switch {
	case b == nil:
		badRequest(w, `the body must be {"policy":{...}}`)
		return
	case b.ProjectID == "":
		badRequest(w, "project_id is required")
		return
	case strings.TrimSpace(b.DisplayName) == "":
		badRequest(w, "display_name is required")
		return
	case strings.TrimSpace(b.Description) == "":
		badRequest(w, "description is required")
		return
	case b.HighAssurance == nil:
		badRequest(w, "high_assurance is required")
		return
	case *b.HighAssurance && (b.AuthenticationAssuranceTimeout == nil || *b.AuthenticationAssuranceTimeout <= 0):
		badRequest(w, "a high-assurance policy needs a positive authentication_assurance_timeout")
		return
	}
	if _, ok := s.adminProject(w, t, b.ProjectID); !ok {
		return
	}
	p := policy{projectID: b.ProjectID, displayName: b.DisplayName, description: b.Description,
		highAssurance: *b.HighAssurance, include: b.DomainConstraintsInclude,
		exclude: b.DomainConstraintsExclude, requiredMFA: b.RequiredMFA}
	if b.AuthenticationAssuranceTimeout != nil {
		p.timeout = *b.AuthenticationAssuranceTimeout
	}
	writeJSON(w, http.StatusOK, map[string]any{"policy": policyDoc(s.newPolicy(p))})
}

func (s *Server) handleListPolicies(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	out := []map[string]any{}
	for _, p := range sorted(s, s.policies) {
		if pr, ok := s.projects[p.projectID]; ok && pr.isAdmin(s, t.sub) {
			out = append(out, policyDoc(p))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"policies": out})
}

func (s *Server) handleGetPolicy(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	p, ok := s.policies[r.PathValue("id")]
	if !ok {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no policy "+r.PathValue("id"))
		return
	}
	// A project's admins (with manage_projects) read its policies; so does
	// a client of the project with a token of its own, which the gateway's
	// start-up check relies on: its Service Account reads the policy with a
	// client-credentials token (inference_gateway/apps.py). Which other
	// callers Globus lets in is unverified.
	pr, ok := s.projects[p.projectID]
	admin := ok && t.has(manageProjectsID) && pr.isAdmin(s, t.sub)
	ownClient := false
	if c, isClient := s.clients[t.sub]; isClient && !t.user && c.projectID == p.projectID {
		ownClient = true
	}
	if !admin && !ownClient {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "you are not an admin of this policy's project, nor one of its apps")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"policy": policyDoc(p)})
}

// orNil is s, or JSON null when empty (as Globus writes an unset link).
func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}
