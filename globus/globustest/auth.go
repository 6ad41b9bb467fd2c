package globustest

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

func (s *Server) routeAuth() {
	m := s.mux
	m.HandleFunc("POST /auth/v2/oauth2/token", s.handleToken)
	m.HandleFunc("POST /auth/v2/oauth2/token/introspect", s.handleIntrospect)
	m.HandleFunc("POST /auth/v2/oauth2/token/revoke", s.handleRevoke)
	m.HandleFunc("GET /auth/v2/oauth2/authorize", s.handleAuthorizePage)
	m.HandleFunc("POST /auth/v2/oauth2/authorize", s.handleAuthorizeAllow)
	m.HandleFunc("GET /auth/v2/web/auth-code", s.handleAuthCodePage)
	m.HandleFunc("GET /auth/v2/api/identities", s.handleIdentities)
	m.HandleFunc("GET /auth/v2/oauth2/userinfo", s.handleUserinfo)

	m.HandleFunc("GET /auth/v2/api/projects", s.api(s.operatorToken, s.handleListProjects))
	m.HandleFunc("POST /auth/v2/api/projects", s.api(s.operatorToken, s.handleCreateProject))
	m.HandleFunc("GET /auth/v2/api/projects/{id}", s.api(s.operatorToken, s.handleGetProject))
	m.HandleFunc("GET /auth/v2/api/clients", s.api(s.operatorToken, s.handleListClients))
	m.HandleFunc("POST /auth/v2/api/clients", s.api(s.operatorToken, s.handleCreateClient))
	m.HandleFunc("GET /auth/v2/api/clients/{id}", s.handleGetClient)
	m.HandleFunc("GET /auth/v2/api/clients/{id}/credentials", s.api(s.operatorToken, s.handleListCredentials))
	m.HandleFunc("POST /auth/v2/api/clients/{id}/credentials", s.api(s.operatorToken, s.handleCreateCredential))
	m.HandleFunc("DELETE /auth/v2/api/clients/{id}/credentials/{cid}", s.api(s.operatorToken, s.handleDeleteCredential))
	m.HandleFunc("GET /auth/v2/api/clients/{id}/scopes", s.handleListClientScopes)
	m.HandleFunc("POST /auth/v2/api/clients/{id}/scopes", s.handleCreateScope)
	m.HandleFunc("GET /auth/v2/api/clients/{id}/scopes/{sid}", s.handleGetClientScope)
	m.HandleFunc("GET /auth/v2/api/scopes", s.handleListScopes)
	m.HandleFunc("GET /auth/v2/api/scopes/{id}", s.handleGetScope)
	m.HandleFunc("GET /auth/v2/api/policies", s.api(s.operatorToken, s.handleListPolicies))
	m.HandleFunc("POST /auth/v2/api/policies", s.api(s.operatorToken, s.handleCreatePolicy))
	m.HandleFunc("GET /auth/v2/api/policies/{id}", s.api(s.authToken, s.handleGetPolicy))
	m.HandleFunc("/auth/", notFound)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	apiError(w, http.StatusNotFound, "NOT_FOUND", "no such endpoint: "+r.Method+" "+r.URL.Path)
}

// altScopeBase is this server's own spelling of client scope strings, as seen
// by the request ("http://127.0.0.1:1234/auth/scopes/").
func altScopeBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + AuthPrefix + "/scopes/"
}

// ---- who is calling (all with s.mu held) ----

// basicClient checks HTTP Basic credentials. ok=false means absent or wrong.
func (s *Server) basicClient(r *http.Request) (c *client, present, ok bool) {
	id, secret, has := r.BasicAuth()
	if !has {
		return nil, strings.HasPrefix(r.Header.Get("Authorization"), "Basic "), false
	}
	c, found := s.clients[id]
	if !found || !c.checkSecret(secret) {
		return nil, true, false
	}
	return c, true, true
}

// authenticate accepts Basic (a confidential client) or Bearer (an active
// token) and answers 401 itself otherwise.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (*client, *token, bool) {
	if c, present, ok := s.basicClient(r); present {
		if !ok {
			apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "invalid client credentials")
			return nil, nil, false
		}
		return c, nil, true
	}
	if raw, ok := bearerToken(r); ok {
		if t := s.activeToken(raw); t != nil {
			return nil, t, true
		}
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is invalid or has expired")
		return nil, nil, false
	}
	apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "this call needs an Authorization header (Basic or Bearer)")
	return nil, nil, false
}

// apiHandler serves an API call with s.mu held, from a caller the route's
// check let in. jb is the JSON body, read before the lock was taken (a slow
// client must not hold it); the handler decodes it after its own checks, as
// Globus answers 401 and 403 before 400.
type apiHandler func(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody)

// api serves h to the callers whose token auth accepts; auth answers 401/403.
func (s *Server) api(auth func(http.ResponseWriter, *http.Request) (*token, bool), h apiHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		jb := readJSONBody(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		if t, ok := auth(w, r); ok {
			h(w, r, t, jb)
		}
	}
}

// operatorToken requires a Bearer token for auth.globus.org carrying manage_projects.
func (s *Server) operatorToken(w http.ResponseWriter, r *http.Request) (*token, bool) {
	t, ok := s.authToken(w, r)
	if ok && !t.has(manageProjectsID) {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "the token lacks the scope "+ManageProjectsScope)
		return nil, false
	}
	return t, ok
}

// authToken accepts any active Bearer token for auth.globus.org; the handler
// decides what its caller may see.
func (s *Server) authToken(w http.ResponseWriter, r *http.Request) (*token, bool) {
	raw, ok := bearerToken(r)
	if !ok {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "this call needs a Bearer token")
		return nil, false
	}
	t := s.activeToken(raw)
	if t == nil {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is invalid or has expired")
		return nil, false
	}
	if t.rs != AuthResourceServer {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "the token is not for auth.globus.org")
		return nil, false
	}
	return t, true
}

// ---- token endpoint ----

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := r.PostForm
	c, ok := s.tokenClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	gt := f.Get("grant_type")
	if gt == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if !slices.Contains(clientTypes[c.clientType].grants, gt) {
		if !slices.Contains(knownGrants, gt) {
			oauthError(w, http.StatusBadRequest, "unsupported_grant_type")
			return
		}
		oauthError(w, http.StatusBadRequest, "unauthorized_client")
		return
	}
	switch gt {
	case clientCredentialsGrant:
		// No Globus client sends this grant without a scope: globus-sdk v4
		// requires requested_scopes, v3 sent its defaults. What Auth answers
		// to none is unverified; a 400 refuses it either way.
		if strings.TrimSpace(f.Get("scope")) == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "scope is required"})
			return
		}
		ids, ok := s.resolveScopes(f.Get("scope"), altScopeBase(r))
		if !ok {
			oauthError(w, http.StatusBadRequest, "invalid_scope")
			return
		}
		writeJSON(w, http.StatusOK, s.issue(c.id, c.id, false, ids, false, nil))
	case authCodeGrant:
		s.exchangeCode(w, c, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"))
	case refreshTokenGrant:
		g, ok := s.refresh[tokenKey(f.Get("refresh_token"))]
		if !ok || g.revoked || g.clientID != c.id {
			oauthError(w, http.StatusBadRequest, "invalid_grant")
			return
		}
		doc := s.mint(c.id, g.sub, true, g.rs, g.scopes, false, g.session)
		doc["refresh_token"] = f.Get("refresh_token")
		doc["other_tokens"] = []any{}
		writeJSON(w, http.StatusOK, doc)
	case DependentTokenGrant:
		s.dependentTokens(w, c, f.Get("token"), f.Get("access_type") == "offline")
	}
}

// tokenClient finds the calling client: Basic for confidential clients,
// client_id in the form for public ones.
func (s *Server) tokenClient(r *http.Request) (*client, bool) {
	if c, present, ok := s.basicClient(r); present {
		return c, ok
	}
	c, ok := s.clients[r.PostForm.Get("client_id")]
	if !ok || !clientTypes[c.clientType].public {
		return nil, false
	}
	return c, true
}

// resolveScopes turns a space-separated scope parameter into scope IDs.
func (s *Server) resolveScopes(param, altBase string) ([]string, bool) {
	var ids []string
	for _, str := range strings.Fields(param) {
		sc := s.scopeByString(str, altBase)
		if sc == nil {
			return nil, false
		}
		if !slices.Contains(ids, sc.id) {
			ids = append(ids, sc.id)
		}
	}
	return ids, true
}

func (s *Server) exchangeCode(w http.ResponseWriter, c *client, code, redirectURI, verifier string) {
	ac, ok := s.codes[code]
	// A bad, expired or reused code is 401 {"error":"invalid_grant"}:
	// globus-sdk-python testing/data/auth/oauth2_exchange_code_for_tokens.py
	// (case invalid_grant) and tests/functional/services/auth/
	// test_auth_client_flow.py ("invalid code raises 401").
	if !ok || ac.used || !s.now().Before(ac.expires) || ac.clientID != c.id || ac.redirectURI != redirectURI {
		oauthError(w, http.StatusUnauthorized, "invalid_grant")
		return
	}
	if ac.challenge != "" {
		sum := sha256.Sum256([]byte(verifier))
		got := base64.RawURLEncoding.EncodeToString(sum[:])
		if len(verifier) < 43 || len(verifier) > 128 || subtle.ConstantTimeCompare([]byte(got), []byte(ac.challenge)) != 1 {
			oauthError(w, http.StatusUnauthorized, "invalid_grant")
			return
		}
	}
	ac.used = true
	doc := s.issue(c.id, ac.sub, true, ac.scopes, ac.offline, ac.session)
	switch {
	case ac.revoked:
		s.revokeIssued(doc, true)
	case ac.endEarly:
		s.revokeIssued(doc, false)
	}
	writeJSON(w, http.StatusOK, doc)
}

// dependentTokens answers, as Globus does, a JSON array: one token per
// resource server of the dependent scopes of the caller's scopes in the token.
func (s *Server) dependentTokens(w http.ResponseWriter, c *client, raw string, offline bool) {
	t := s.activeToken(raw)
	if t == nil || t.rs != c.id {
		oauthError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	var deps []string
	for _, id := range t.scopes {
		for _, d := range s.scopes[id].deps {
			if _, ok := s.scopes[d.Scope]; ok && !slices.Contains(deps, d.Scope) {
				deps = append(deps, d.Scope)
			}
		}
	}
	out := []map[string]any{}
	for _, rs := range groupByRS(s, deps) {
		out = append(out, s.mint(c.id, t.sub, t.user, rs.rs, rs.ids, offline, t.session))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleRevoke revokes an access or refresh token issued to the calling
// client (Basic, or client_id in the form for a public client, as
// globus-sdk-python's oauth2_revoke_token sends it) and answers
// {"active": false} (testing/data/auth/oauth2_revoke_token.py). An unknown
// token is answered the same (RFC 7009 section 2.2), and so is another
// client's, which stays live: a confidential client's secret is checked
// (401 invalid_client) and only its own tokens are revoked. Whether Globus
// refuses another client's token outright, as RFC 7009 section 2.1 says,
// is unverified.
func (s *Server) handleRevoke(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.tokenClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	raw := r.PostForm.Get("token")
	if raw == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if t, ok := s.tokens[tokenKey(raw)]; ok && t.clientID == c.id {
		t.revoked = true
	}
	if g, ok := s.refresh[tokenKey(raw)]; ok && g.clientID == c.id {
		g.revoked = true
		// Revoking a refresh token ends the access tokens it minted too
		// (unverified; the safe reading for a logout).
		for _, t := range s.tokens {
			if t.clientID == g.clientID && t.sub == g.sub && t.rs == g.rs {
				t.revoked = true
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"active": false})
}

// ---- introspection ----

func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	if !readForm(w, r) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, _, ok := s.basicClient(r)
	if !ok {
		oauthError(w, http.StatusUnauthorized, "invalid_client")
		return
	}
	raw := r.PostForm.Get("token")
	if raw == "" {
		oauthError(w, http.StatusBadRequest, "invalid_request")
		return
	}
	t := s.activeToken(raw)
	if t == nil {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	// Only an audience of the token (its resource server or the client it
	// was issued to) may see inside it.
	aud := []string{t.rs}
	if t.clientID != t.rs {
		aud = append(aud, t.clientID)
	}
	if !slices.Contains(aud, c.id) {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	var pols []*policy
	for _, id := range splitList(r.PostForm.Get("authentication_policies")) {
		p, ok := s.policies[id]
		if !ok {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", "unknown authentication policy "+id)
			return
		}
		pols = append(pols, p)
	}
	who := s.identities[t.sub]
	doc := map[string]any{
		"active":     true,
		"scope":      s.scopeStrings(t.scopes),
		"client_id":  t.clientID,
		"sub":        t.sub,
		"username":   who.Username,
		"name":       nullable(who.Name),
		"email":      nullable(who.Email),
		"aud":        aud,
		"iss":        "https://auth.globus.org",
		"exp":        t.expires.Unix(),
		"iat":        t.issued.Unix(),
		"nbf":        t.issued.Unix(),
		"token_type": "Bearer",
	}
	include := splitList(r.PostForm.Get("include"))
	set := []string{t.sub}
	if t.user {
		set = s.identitySet(t.sub)
	}
	if slices.Contains(include, "identity_set") {
		doc["identity_set"] = set
	}
	if slices.Contains(include, "identity_set_detail") {
		var ids []map[string]any
		for _, id := range set {
			ids = append(ids, s.setIdentityDoc(s.identities[id], t))
		}
		doc["identity_set_detail"] = ids
	}
	if slices.Contains(include, "session_info") {
		auths := map[string]any{}
		if t.user {
			se := s.sessionFor(t)
			via := s.identities[se.via]
			auths[via.ID] = map[string]any{
				"idp":           via.IdentityProvider,
				"auth_time":     se.authTime.Unix(),
				"acr":           nil,
				"amr":           nil,
				"custom_claims": map[string]any{},
			}
		}
		doc["session_info"] = map[string]any{"session_id": sessionID(t.sub), "authentications": auths}
	}
	if len(pols) > 0 {
		ev := map[string]any{}
		for _, p := range pols {
			ev[p.id] = map[string]any{"evaluation": s.evaluate(p, t)}
		}
		doc["policy_evaluations"] = ev
	}
	writeJSON(w, http.StatusOK, doc)
}

// sessionID is stable per user so that repeated introspections agree.
func sessionID(primary string) string {
	sum := sha256.Sum256([]byte("session:" + primary))
	h := base64.RawURLEncoding.EncodeToString(sum[:])
	return h[:32]
}

func nullable(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// identityDoc is an identity in Globus's shape; s.mu held.
func (s *Server) identityDoc(in *identity) map[string]any {
	return map[string]any{
		"id":                in.ID,
		"username":          in.Username,
		"name":              nullable(in.Name),
		"email":             nullable(in.Email),
		"organization":      nullable(in.Organization),
		"identity_provider": in.IdentityProvider,
		"status":            in.Status,
	}
}

// setIdentityDoc is an identity as introspection's identity_set_detail
// lists it: with "sub", not "id", and identity_provider_display_name, as
// the gateway reads them (resource_server_async/auth.py check_session_info)
// and as an ID token's identity_set is recorded (globus-sdk-python
// tests/unit/tokenstorage/v2/test_validating_token_storage.py); that
// introspection uses this very shape is unverified. s.mu held.
func (s *Server) setIdentityDoc(in *identity, t *token) map[string]any {
	var last any
	if se := s.sessionFor(t); t.user && se.via == in.ID {
		last = se.authTime.Unix()
	}
	return map[string]any{
		"sub":                            in.ID,
		"username":                       in.Username,
		"name":                           nullable(in.Name),
		"email":                          nullable(in.Email),
		"identity_provider":              in.IdentityProvider,
		"identity_provider_display_name": in.idpName,
		"last_authentication":            last,
	}
}

// ---- identities ----

// handleIdentities looks identities up by usernames or ids. Existing
// identities come back whatever their status, "unused" ones included
// (globus-sdk-python testing/data/auth/get_identities.py). Unknown usernames
// are absent unless provision=true, which makes them "unused" with a fresh,
// thereafter stable, ID (the SDK's get_identities sends provision=false by
// default: services/auth/client/service_client.py). Unknown ids are absent.
func (s *Server) handleIdentities(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, t, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	// Any auth.globus.org token may look identities up: GLOBUS-API.md says
	// view_identities is not needed, and globus-cli's get-identities works
	// with a login holding only openid, profile, email and view_identity_set
	// (src/globus_cli/login_manager/scopes.py). The wizard still asks for
	// view_identities, which is harmless if Globus does want it.
	if t != nil && t.rs != AuthResourceServer {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "the token is not for auth.globus.org")
		return
	}
	q := r.URL.Query()
	usernames, ids := splitList(q.Get("usernames")), splitList(q.Get("ids"))
	if (len(usernames) == 0) == (len(ids) == 0) {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", "give exactly one of usernames or ids")
		return
	}
	provision := strings.EqualFold(q.Get("provision"), "true")
	out := []map[string]any{}
	for _, u := range usernames {
		id, known := s.byUsername[strings.ToLower(u)]
		switch {
		case known:
			out = append(out, s.identityDoc(s.identities[id]))
		case provision:
			out = append(out, s.identityDoc(s.addIdentity("", u, "", "", "", "unused")))
		}
	}
	for _, id := range ids {
		if in, ok := s.identities[id]; ok {
			out = append(out, s.identityDoc(in))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"identities": out})
}
