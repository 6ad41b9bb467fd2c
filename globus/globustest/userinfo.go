package globustest

import "net/http"

// handleUserinfo is OIDC userinfo. As Globus does, it needs an
// auth.globus.org token granted openid, and the claims follow the token's
// scopes: openid gives sub and last_authentication, profile the names and
// identity provider, email the e-mail address. The identity is the token's
// (the primary identity of the user's set).
func (s *Server) handleUserinfo(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	raw, ok := bearerToken(r)
	if !ok {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "this call needs a Bearer token with the openid scope")
		return
	}
	t := s.activeToken(raw)
	if t == nil {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the access token is invalid or has expired")
		return
	}
	if t.rs != AuthResourceServer || !t.has(openidID) {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "the token lacks the scope openid")
		return
	}
	in := s.identities[t.sub]
	doc := map[string]any{"sub": in.ID}
	if t.user {
		doc["last_authentication"] = s.sessionFor(t).authTime.Unix()
	}
	if t.has(profileID) {
		doc["preferred_username"] = in.Username
		doc["name"] = nullable(in.Name)
		doc["organization"] = nullable(in.Organization)
		doc["identity_provider"] = in.IdentityProvider
		doc["identity_provider_display_name"] = in.idpName
	}
	if t.has(emailID) {
		doc["email"] = nullable(in.Email)
	}
	writeJSON(w, http.StatusOK, doc)
}
