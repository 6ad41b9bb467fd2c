package globustest

import (
	"fmt"
	"slices"
	"strings"
)

// Inspection for tests: what the emulator holds, in creation order. They
// never return a secret.

// ProjectInfo is a project as the emulator holds it.
type ProjectInfo struct {
	ID, Name, ContactEmail string
	Admins                 []string // usernames
}

// ClientInfo is a registered app.
type ClientInfo struct {
	ID, Name, ClientType, ProjectID string
	RedirectURIs                    []string
	PrivacyPolicy, Terms            string // links from the console form
}

// CredentialInfo is a client secret, without the secret.
type CredentialInfo struct{ ID, Name string }

// PolicyInfo is an authentication policy.
type PolicyInfo struct {
	ID, Name, Description string
	Domains               []string // domain_constraints_include
	Excluded              []string // domain_constraints_exclude
	Timeout               int      // authentication_assurance_timeout, seconds
	HighAssurance         bool
}

// Projects lists every project.
func (s *Server) Projects() []ProjectInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ProjectInfo
	for _, p := range sorted(s, s.projects) {
		info := ProjectInfo{ID: p.id, Name: p.displayName, ContactEmail: p.contactEmail}
		for _, id := range p.adminIDs {
			if in, ok := s.identities[id]; ok {
				info.Admins = append(info.Admins, in.Username)
			}
		}
		out = append(out, info)
	}
	return out
}

// Clients lists the apps of a project ("" for all).
func (s *Server) Clients(projectID string) []ClientInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []ClientInfo
	for _, c := range sorted(s, s.clients) {
		if projectID == "" || c.projectID == projectID {
			out = append(out, ClientInfo{ID: c.id, Name: c.name, ClientType: c.clientType, ProjectID: c.projectID,
				RedirectURIs: slices.Clone(c.redirectURIs), PrivacyPolicy: c.privacyPolicy, Terms: c.terms})
		}
	}
	return out
}

// Credentials lists a client's secrets (nil for an unknown client).
func (s *Server) Credentials(clientID string) []CredentialInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return nil
	}
	var out []CredentialInfo
	for _, cr := range c.creds {
		out = append(out, CredentialInfo{ID: cr.id, Name: cr.name})
	}
	return out
}

// Policies lists the policies of a project ("" for all).
func (s *Server) Policies(projectID string) []PolicyInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PolicyInfo
	for _, p := range sorted(s, s.policies) {
		if projectID == "" || p.projectID == projectID {
			out = append(out, PolicyInfo{ID: p.id, Name: p.displayName, Description: p.description,
				Domains: slices.Clone(p.include), Excluded: slices.Clone(p.exclude),
				Timeout: p.timeout, HighAssurance: p.highAssurance})
		}
	}
	return out
}

// RevokeTokens revokes every access and refresh token handed out so far to
// the user (or any identity of their set): introspection then answers
// active:false, API calls 401 and refreshing invalid_grant. Tokens from later
// logins work. An unknown username revokes nothing.
func (s *Server) RevokeTokens(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byUsername[strings.ToLower(username)]
	if !ok {
		return
	}
	primary := s.identities[id].primary
	for _, t := range s.tokens {
		if t.sub == primary {
			t.revoked = true
		}
	}
	for _, g := range s.refresh {
		if g.sub == primary {
			g.revoked = true
		}
	}
}

// EndAccessTokens ends every access token handed out so far to the user
// (or any identity of their set) before its expiry, and leaves their
// refresh tokens working: a 401 on a token the client still thinks live,
// which a refresh cures (globus-sdk-python's check_expired_authorization
// refreshes and retries on it: transport/default_retry_checks.py).
func (s *Server) EndAccessTokens(username string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byUsername[strings.ToLower(username)]
	if !ok {
		return 0
	}
	primary := s.identities[id].primary
	n := 0
	for _, t := range s.tokens {
		if t.sub == primary && !t.revoked && s.now().Before(t.expires) {
			t.revoked = true
			n++
		}
	}
	return n
}

// revokeIssued revokes the access tokens in a token answer (issue's
// shape), and with refresh its refresh tokens too; s.mu held.
func (s *Server) revokeIssued(doc map[string]any, refresh bool) {
	docs := []map[string]any{doc}
	if others, ok := doc["other_tokens"].([]map[string]any); ok {
		docs = append(docs, others...)
	}
	for _, d := range docs {
		if at, ok := d["access_token"].(string); ok {
			if t := s.tokens[tokenKey(at)]; t != nil {
				t.revoked = true
			}
		}
		if rt, ok := d["refresh_token"].(string); ok && refresh {
			if g := s.refresh[tokenKey(rt)]; g != nil {
				g.revoked = true
			}
		}
	}
}

// SetPolicyHighAssurance changes a policy's high_assurance flag, as an admin
// can in the developers console (to try the gateway's start-up refusal).
func (s *Server) SetPolicyHighAssurance(policyID string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.policies[policyID]; ok {
		p.highAssurance = on
	}
}

// SetPolicyDomains changes a policy's included domains, as Edit on the
// console does (globus-sdk-python testing/data/auth/update_policy.py).
func (s *Server) SetPolicyDomains(policyID string, domains []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.policies[policyID]
	if !ok {
		return fmt.Errorf("globustest: no policy %q", policyID)
	}
	p.include = append([]string(nil), domains...)
	return nil
}
