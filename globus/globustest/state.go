package globustest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Resource servers and scopes the emulator knows from the start.
const (
	AuthResourceServer   = "auth.globus.org"
	GroupsResourceServer = "groups.api.globus.org"

	GroupsScopeID         = "73320ffe-4cb4-4b25-a0a3-83d53d59ce4f"
	GroupsScope           = "urn:globus:auth:scope:groups.api.globus.org:all"
	ManageProjectsScope   = "urn:globus:auth:scope:auth.globus.org:manage_projects"
	ViewIdentitiesScope   = "urn:globus:auth:scope:auth.globus.org:view_identities"
	ScopeStringBase       = "https://auth.globus.org/scopes/" // how Globus spells client scopes, in every environment
	DependentTokenGrant   = "urn:globus:auth:grant_type:dependent_token"
	clientsIdentityDomain = "clients.auth.globus.org"

	accessTokenLifetime = 48 * time.Hour // Globus's expires_in is 172800
	codeLifetime        = 10 * time.Minute
)

// Client types Globus Auth accepts.
const (
	ClientIdentity         = "client_identity"
	PublicInstalledClient  = "public_installed_client"
	ConfidentialClient     = "confidential_client"
	ResourceServer         = "resource_server"
	HybridConfidentialRS   = "hybrid_confidential_client_resource_server"
	authCodeGrant          = "authorization_code"
	refreshTokenGrant      = "refresh_token"
	clientCredentialsGrant = "client_credentials"
)

// The built-in scopes. Only the Groups scope's ID is Globus's real one; the
// others' IDs are made up (nothing of ours looks them up by ID).
const (
	manageProjectsID = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e01"
	viewIdentitiesID = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e02"
	openidID         = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e03"
	profileID        = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e04"
	emailID          = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e05"
	transferAllID    = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e06"
	groupsAllID      = "9a3ed2c1-5b0e-4b8f-8a57-2b0f3d6c1e07"

	// TransferAllScope is in the defaults globus-sdk v3 sends with a
	// client-credentials grant, as the gateway's start-up check does.
	TransferAllScope = "urn:globus:auth:scope:transfer.api.globus.org:all"
	// GroupsViewScope is the scope whose real ID is GroupsScopeID
	// (globus-sdk-python scopes: GroupsScopes.view_my_groups_and_memberships;
	// the gateway's guide makes it action_all's dependent scope).
	GroupsViewScope = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
)

var builtinScopes = []scope{
	// 73320ffe-… is view_my_groups_and_memberships (the gateway guide's
	// dependent scope; name per globus-sdk-python GroupsScopes); groups:all's
	// real ID is not needed, so it is made up.
	{id: GroupsScopeID, fixed: GroupsViewScope, rs: GroupsResourceServer, name: "View My Groups and Memberships", description: "View the Globus groups you belong to and your memberships."},
	{id: groupsAllID, fixed: GroupsScope, rs: GroupsResourceServer, name: "Manage your Globus groups", description: "View and manage your Globus groups and memberships."},
	{id: transferAllID, fixed: TransferAllScope, rs: "transfer.api.globus.org", name: "Manage data using Globus Transfer", description: "Transfer files with Globus."},
	{id: manageProjectsID, fixed: ManageProjectsScope, rs: AuthResourceServer, name: "Manage your Globus Auth projects", description: "Create and manage projects, apps and policies."},
	{id: viewIdentitiesID, fixed: ViewIdentitiesScope, rs: AuthResourceServer, name: "View identities", description: "View the identities of other users."},
	{id: openidID, fixed: "openid", rs: AuthResourceServer, name: "OpenID", description: "Know who you are in Globus."},
	{id: profileID, fixed: "profile", rs: AuthResourceServer, name: "Profile", description: "View your name and organization."},
	{id: emailID, fixed: "email", rs: AuthResourceServer, name: "Email", description: "View your e-mail address."},
}

var knownGrants = []string{clientCredentialsGrant, authCodeGrant, refreshTokenGrant, DependentTokenGrant}

var clientTypes = map[string]struct {
	public bool
	grants []string
}{
	ClientIdentity:        {false, []string{clientCredentialsGrant, DependentTokenGrant}},
	PublicInstalledClient: {true, []string{authCodeGrant, refreshTokenGrant}},
	ConfidentialClient:    {false, []string{authCodeGrant, clientCredentialsGrant, refreshTokenGrant, DependentTokenGrant}},
	ResourceServer:        {false, []string{clientCredentialsGrant, DependentTokenGrant}},
	HybridConfidentialRS:  {false, []string{authCodeGrant, clientCredentialsGrant, refreshTokenGrant, DependentTokenGrant}},
}

// Identity is a Globus identity as the emulator holds it.
type Identity struct {
	ID, Username, Name, Email, Organization string
	IdentityProvider                        string // the IdP's UUID, as Globus reports it
	Status                                  string // "used" or "unused"
}

type identity struct {
	Identity
	primary string // ID of the first identity of its identity set
	idpName string
}

// session is one sign-in of a primary identity; Server.sessions holds each
// user's latest. Tokens keep the session they were minted in (token.session),
// as real Globus ties a session to the tokens it issued (unverified for
// refreshed tokens, which here keep their login's): a token from before a
// fresh sign-in still has the old session's age, MFA and identity.
type session struct {
	authTime time.Time
	via      string // identity ID the user authenticated with
	mfa      bool   // the sign-in used a second factor
}

type project struct {
	id, displayName, contactEmail string
	adminIDs                      []string
}

type credential struct {
	id, name string
	hash     [32]byte // sha256 of the secret: the secret itself is never kept
	created  time.Time
}

type client struct {
	id, name, projectID, clientType, visibility string
	privacyPolicy, terms                        string // the console form's links ("" if none)
	redirectURIs                                []string
	scopes                                      []string // IDs of the scopes it owns
	creds                                       []*credential
}

type depScope struct {
	Scope                string `json:"scope"`
	Optional             bool   `json:"optional"`
	RequiresRefreshToken bool   `json:"requires_refresh_token"`
}

type scope struct {
	id, clientID, suffix, fixed, rs, name, description string
	deps                                               []depScope
	advertised, allowsRefresh                          bool
	requiredDomains                                    []string
}

func (sc *scope) scopeString() string {
	if sc.fixed != "" {
		return sc.fixed
	}
	return ScopeStringBase + sc.clientID + "/" + sc.suffix
}

type policy struct {
	id, projectID, displayName, description string
	highAssurance, requiredMFA              bool
	timeout                                 int
	include, exclude                        []string
}

type token struct {
	rs              string
	scopes          []string // scope IDs
	clientID        string   // the client it was issued to
	sub             string   // identity ID: the user's primary, or the client's own
	user            bool     // a user's token (has a session), not a client's
	session         *session // the sign-in it came from; nil: the user's latest (sessionFor)
	issued, expires time.Time
	revoked         bool
}

type refreshGrant struct {
	rs       string
	scopes   []string
	clientID string
	sub      string
	session  *session // the sign-in it came from; its access tokens keep it
	revoked  bool
}

type authCode struct {
	clientID, redirectURI, challenge, sub string
	scopes                                []string
	offline, used                         bool
	revoked                               bool     // hand out tokens already revoked (sign-in page option)
	endEarly                              bool     // hand out access tokens already ended, refresh tokens live (likewise)
	session                               *session // the sign-in that granted it
	expires                               time.Time
}

type groupPolicies struct {
	IsHighAssurance                bool     `json:"is_high_assurance"`
	AuthenticationAssuranceTimeout int      `json:"authentication_assurance_timeout"`
	GroupVisibility                string   `json:"group_visibility"`
	GroupMembersVisibility         string   `json:"group_members_visibility"`
	JoinRequests                   bool     `json:"join_requests"`
	SignupFields                   []string `json:"signup_fields"`
}

type membership struct {
	identityID, role, status string
}

type group struct {
	id, name, description, parentID string
	policies                        groupPolicies
	members                         []*membership
}

func (g *group) member(identityID string) *membership {
	for _, m := range g.members {
		if m.identityID == identityID {
			return m
		}
	}
	return nil
}

// setMember gives an identity role and status, updating its membership or
// adding one.
func (g *group) setMember(identityID, role, status string) *membership {
	m := g.member(identityID)
	if m == nil {
		m = &membership{identityID: identityID}
		g.members = append(g.members, m)
	}
	m.role, m.status = role, status
	return m
}

// ---- identities ----

func domainOf(username string) string {
	if i := strings.LastIndex(username, "@"); i >= 0 {
		return strings.ToLower(username[i+1:])
	}
	return ""
}

// idpID returns the UUID of the named IdP, inventing it the first time; s.mu held.
func (s *Server) idpID(name string) string {
	name = strings.ToLower(name)
	if id, ok := s.idps[name]; ok {
		return id
	}
	id := newUUID()
	s.idps[name] = id
	return id
}

// addIdentity creates or returns the identity for username; s.mu held.
func (s *Server) addIdentity(id, username, name, email, idpName, status string) *identity {
	key := strings.ToLower(username)
	if old, ok := s.byUsername[key]; ok {
		return s.identities[old]
	}
	if id == "" {
		id = newUUID()
	}
	if idpName == "" {
		idpName = domainOf(username)
	}
	org := idpName
	if status == "unused" {
		org = ""
	}
	in := &identity{
		Identity: Identity{ID: id, Username: key, Name: name, Email: email, Organization: org,
			IdentityProvider: s.idpID(idpName), Status: status},
		primary: id,
		idpName: idpName,
	}
	s.identities[id] = in
	s.byUsername[key] = id
	return in
}

// identityByUsername creates a "used" identity when the username is new, so
// tests and the demo can name people freely; s.mu held.
func (s *Server) identityByUsername(username string) *identity {
	in := s.addIdentity("", username, "", "", "", "used")
	if in.Status == "unused" {
		in.Status = "used"
	}
	return in
}

// AddIdentity adds a used identity (or returns the existing one with that
// username). idp names the identity provider, e.g. "uchicago.edu"; empty
// means the username's domain.
func (s *Server) AddIdentity(username, name, email, idp string) Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIdentity("", username, name, email, idp, "used").Identity
}

// AddUnusedIdentity adds an identity that exists but has never logged in
// (status "unused"), as Globus provisions them; it can still join groups.
func (s *Server) AddUnusedIdentity(username string) Identity {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIdentity("", username, "", "", "", "unused").Identity
}

// LookupIdentity finds an identity by username.
func (s *Server) LookupIdentity(username string) (Identity, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byUsername[strings.ToLower(username)]
	if !ok {
		return Identity{}, false
	}
	return s.identities[id].Identity, true
}

// LinkIdentity joins other's identity to username's identity set (both are
// created if new), as when a user links a second account.
func (s *Server) LinkIdentity(username, other string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.identityByUsername(username)
	b := s.identityByUsername(other)
	old := b.primary
	for _, in := range s.identities {
		if in.primary == old {
			in.primary = a.primary
		}
	}
}

// identitySet lists the IDs in id's identity set, primary first; s.mu held.
func (s *Server) identitySet(id string) []string {
	in, ok := s.identities[id]
	if !ok {
		return nil
	}
	out := []string{in.primary}
	for _, o := range s.identities {
		if o.primary == in.primary && o.ID != in.primary {
			out = append(out, o.ID)
		}
	}
	sort.Slice(out[1:], func(i, j int) bool { return out[1+i] < out[1+j] })
	return out
}

// SetOperator chooses who signs in on the authorize page (created if new).
func (s *Server) SetOperator(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.operator = s.identityByUsername(username).primary
}

// sessionOf returns the user's session, starting one now if none; s.mu held.
func (s *Server) sessionOf(primary string) *session {
	se, ok := s.sessions[primary]
	if !ok {
		se = &session{authTime: s.now(), via: primary}
		s.sessions[primary] = se
	}
	return se
}

// sessionFor is the session t was minted in: its own sign-in's, else (a
// client's token, or one from an older saved state) the user's latest; s.mu held.
func (s *Server) sessionFor(t *token) *session {
	if t.session != nil {
		return t.session
	}
	return s.sessionOf(t.sub)
}

// SetSessionAge makes the user's last authentication age ago, so policies
// whose authentication_assurance_timeout is shorter evaluate false.
func (s *Server) SetSessionAge(username string, age time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.identityByUsername(username)
	s.sessionOf(in.primary).authTime = s.now().Add(-age)
}

// SetAuthenticatedWith says the user's session was authenticated with the
// identity via (linked into the user's set if it is not already), so
// session_info and domain-constrained policies see via's IdP and domain.
func (s *Server) SetAuthenticatedWith(username, via string) {
	s.LinkIdentity(username, via)
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.identities[s.byUsername[strings.ToLower(username)]]
	v := s.identities[s.byUsername[strings.ToLower(via)]]
	s.sessionOf(u.primary).via = v.ID
}

// ---- projects, clients, scopes, policies ----

func (s *Server) newProject(name, email string, admins []string) *project {
	p := &project{id: newUUID(), displayName: name, contactEmail: email, adminIDs: admins}
	s.projects[p.id] = p
	s.remember(p.id)
	return p
}

// AddProject adds a project administered by the named users (created if new;
// the operator when none are named).
func (s *Server) AddProject(name, email string, adminUsernames ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var admins []string
	for _, u := range adminUsernames {
		admins = append(admins, s.identityByUsername(u).primary)
	}
	if len(admins) == 0 && s.operator != "" {
		admins = []string{s.operator}
	}
	return s.newProject(name, email, admins).id
}

func (p *project) isAdmin(s *Server, identityID string) bool {
	for _, id := range s.identitySet(identityID) {
		if slices.Contains(p.adminIDs, id) {
			return true
		}
	}
	return false
}

// newClient registers a client and its identity; s.mu held.
func (s *Server) newClient(projectID, name, clientType string, redirectURIs []string) *client {
	c := &client{id: newUUID(), name: name, projectID: projectID, clientType: clientType,
		visibility: "private", redirectURIs: redirectURIs}
	s.clients[c.id] = c
	s.remember(c.id)
	// A client's identity has the client's ID, as in Globus.
	s.addIdentity(c.id, c.id+"@"+clientsIdentityDomain, name, "", clientsIdentityDomain, "used")
	return c
}

// newSecret adds a credential and returns it with its secret; s.mu held.
func (s *Server) newSecret(c *client, name string) (*credential, string) {
	// 32 random bytes in standard base64 (44 characters), like Globus's secrets.
	raw := make([]byte, 32)
	rand.Read(raw)
	secret := base64.StdEncoding.EncodeToString(raw)
	cr := &credential{id: newUUID(), name: name, hash: sha256.Sum256([]byte(secret)), created: s.now()}
	c.creds = append(c.creds, cr)
	return cr, secret
}

// RegisterClient registers an app in a project as the console does and returns
// its ID and a first secret ("" for a public_installed_client). An unknown
// project or client type is a bug in the test and panics.
func (s *Server) RegisterClient(projectID, name, clientType string) (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.projects[projectID]; !ok {
		panic(fmt.Sprintf("globustest.RegisterClient: no project %q", projectID))
	}
	ct, ok := clientTypes[clientType]
	if !ok {
		panic(fmt.Sprintf("globustest.RegisterClient: unknown client type %q", clientType))
	}
	c := s.newClient(projectID, name, clientType, nil)
	if !ct.public {
		_, secret = s.newSecret(c, "seeded")
	}
	return c.id, secret
}

// AddClientSecret gives a client another secret, as the console's "Add Client Secret".
func (s *Server) AddClientSecret(clientID, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return "", fmt.Errorf("globustest: no client %s", clientID)
	}
	if clientTypes[c.clientType].public {
		return "", errors.New("globustest: public clients have no secrets")
	}
	_, secret := s.newSecret(c, name)
	return secret, nil
}

// checkSecret reports whether secret is one of the client's; s.mu held.
func (c *client) checkSecret(secret string) bool {
	h := sha256.Sum256([]byte(secret))
	ok := false
	for _, cr := range c.creds {
		if subtle.ConstantTimeCompare(h[:], cr.hash[:]) == 1 {
			ok = true
		}
	}
	return ok
}

// newScope adds a scope to a client; s.mu held. The caller validated it.
func (s *Server) newScope(c *client, suffix, name, description string, deps []depScope) *scope {
	sc := &scope{id: newUUID(), clientID: c.id, suffix: suffix, rs: c.id, name: name,
		description: description, deps: deps, allowsRefresh: true}
	s.scopes[sc.id] = sc
	s.remember(sc.id)
	c.scopes = append(c.scopes, sc.id)
	return sc
}

// AddScope creates a scope on a client as POST /v2/api/clients/{id}/scopes
// would, with the given dependent scope IDs (required, needing refresh tokens).
func (s *Server) AddScope(clientID, suffix string, dependentScopeIDs ...string) (id, scopeString string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return "", "", fmt.Errorf("globustest: no client %s", clientID)
	}
	if s.clientScopeBySuffix(c, suffix) != nil {
		return "", "", fmt.Errorf("globustest: client %s already has a scope %q", clientID, suffix)
	}
	var deps []depScope
	for _, d := range dependentScopeIDs {
		if _, ok := s.scopes[d]; !ok {
			return "", "", fmt.Errorf("globustest: no scope %s", d)
		}
		deps = append(deps, depScope{Scope: d, RequiresRefreshToken: true})
	}
	sc := s.newScope(c, suffix, suffix, suffix, deps)
	return sc.id, sc.scopeString(), nil
}

func (s *Server) clientScopeBySuffix(c *client, suffix string) *scope {
	for _, id := range c.scopes {
		if sc := s.scopes[id]; sc.suffix == suffix {
			return sc
		}
	}
	return nil
}

// scopeByString resolves a scope string. Client scopes are accepted both in
// Globus's spelling and with this server's own Auth URL (altBase, e.g.
// "http://127.0.0.1:1234/auth/scopes/"), which is how our client spells them
// outside production; s.mu held.
func (s *Server) scopeByString(str, altBase string) *scope {
	for _, base := range []string{ScopeStringBase, altBase} {
		if base == "" || !strings.HasPrefix(str, base) {
			continue
		}
		cid, suffix, ok := strings.Cut(strings.TrimPrefix(str, base), "/")
		if !ok {
			return nil
		}
		if c, ok := s.clients[cid]; ok {
			return s.clientScopeBySuffix(c, suffix)
		}
		return nil
	}
	for _, sc := range s.scopes {
		if sc.fixed != "" && sc.fixed == str {
			return sc
		}
	}
	return nil
}

func (s *Server) newPolicy(p policy) *policy {
	p.id = newUUID()
	s.policies[p.id] = &p
	s.remember(p.id)
	return &p
}

// AddPolicy adds a high-assurance policy to a project: users must have
// authenticated with an identity from one of domains within timeoutSeconds.
func (s *Server) AddPolicy(projectID, name string, domains []string, timeoutSeconds int) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newPolicy(policy{projectID: projectID, displayName: name, description: name,
		highAssurance: true, timeout: timeoutSeconds, include: domains}).id
}

// evaluate applies a policy to a token's session; s.mu held.
func (s *Server) evaluate(p *policy, t *token) bool {
	if !t.user {
		return false
	}
	se := s.sessionFor(t)
	via := s.identities[se.via]
	if via == nil {
		return false
	}
	d := domainOf(via.Username)
	if len(p.include) > 0 && !slices.Contains(lower(p.include), d) {
		return false
	}
	if slices.Contains(lower(p.exclude), d) {
		return false
	}
	if p.highAssurance && p.timeout > 0 && s.now().Sub(se.authTime) > time.Duration(p.timeout)*time.Second {
		return false
	}
	return true
}

func lower(in []string) []string {
	out := make([]string, len(in))
	for i, v := range in {
		out[i] = strings.ToLower(v)
	}
	return out
}

// ---- tokens ----

// issue mints one token per resource server for these scope IDs and answers
// them in Globus's shape: the auth.globus.org token (else the first) on top,
// the rest in other_tokens; s.mu held.
func (s *Server) issue(clientID, sub string, user bool, scopeIDs []string, offline bool, se *session) map[string]any {
	var docs []map[string]any
	for _, rs := range groupByRS(s, scopeIDs) {
		docs = append(docs, s.mint(clientID, sub, user, rs.rs, rs.ids, offline, se))
	}
	top := 0
	for i, d := range docs {
		if d["resource_server"] == AuthResourceServer {
			top = i
		}
	}
	primary := docs[top]
	others := []map[string]any{}
	for i, d := range docs {
		if i != top {
			others = append(others, d)
		}
	}
	primary["other_tokens"] = others
	return primary
}

type rsScopes struct {
	rs  string
	ids []string
}

func groupByRS(s *Server, scopeIDs []string) []rsScopes {
	var out []rsScopes
	for _, id := range scopeIDs {
		rs := s.scopes[id].rs
		i := slices.IndexFunc(out, func(r rsScopes) bool { return r.rs == rs })
		if i < 0 {
			out = append(out, rsScopes{rs: rs})
			i = len(out) - 1
		}
		if !slices.Contains(out[i].ids, id) {
			out[i].ids = append(out[i].ids, id)
		}
	}
	return out
}

// tokenKey is how a token is kept: its SHA-256, never the token itself, as
// for client secrets; so a saved demo state (persist.go) holds no token
// that would work.
func tokenKey(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

// mint creates one access token (and a refresh token when offline) of the
// sign-in se (nil for a client's); s.mu held.
func (s *Server) mint(clientID, sub string, user bool, rs string, ids []string, offline bool, se *session) map[string]any {
	now := s.now()
	access := randomString(36)
	s.tokens[tokenKey(access)] = &token{rs: rs, scopes: ids, clientID: clientID, sub: sub, user: user, session: se,
		issued: now, expires: now.Add(accessTokenLifetime)}
	doc := map[string]any{
		"access_token":    access,
		"expires_in":      int(accessTokenLifetime.Seconds()),
		"resource_server": rs,
		"scope":           s.scopeStrings(ids),
		"token_type":      "Bearer",
	}
	if offline {
		rt := randomString(48)
		s.refresh[tokenKey(rt)] = &refreshGrant{rs: rs, scopes: ids, clientID: clientID, sub: sub, session: se}
		doc["refresh_token"] = rt
	}
	return doc
}

func (s *Server) scopeStrings(ids []string) string {
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = s.scopes[id].scopeString()
	}
	return strings.Join(strs, " ")
}

// activeToken returns the unexpired, unrevoked token; s.mu held.
func (s *Server) activeToken(access string) *token {
	t, ok := s.tokens[tokenKey(access)]
	if !ok || t.revoked || !s.now().Before(t.expires) {
		return nil
	}
	return t
}

func (t *token) has(scopeID string) bool { return slices.Contains(t.scopes, scopeID) }

// IssueToken hands out a user's access token as if username had logged in
// through clientID and consented to scopes (all of one resource server).
// It starts the user's session if there is none.
func (s *Server) IssueToken(clientID, username string, scopes ...string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[clientID]; !ok {
		return "", fmt.Errorf("globustest: no client %s", clientID)
	}
	in := s.identityByUsername(username)
	var ids []string
	for _, str := range scopes {
		sc := s.scopeByString(str, "")
		if sc == nil {
			return "", fmt.Errorf("globustest: unknown scope %q", str)
		}
		ids = append(ids, sc.id)
	}
	rss := groupByRS(s, ids)
	if len(rss) != 1 {
		return "", errors.New("globustest: IssueToken needs scopes of exactly one resource server")
	}
	doc := s.mint(clientID, in.primary, true, rss[0].rs, rss[0].ids, false, s.sessionOf(in.primary))
	return doc["access_token"].(string), nil
}

// ---- groups ----

func defaultGroupPolicies() groupPolicies {
	return groupPolicies{AuthenticationAssuranceTimeout: 28800, GroupVisibility: "private",
		GroupMembersVisibility: "managers", SignupFields: []string{}}
}

func (s *Server) newGroup(name, description, parentID, adminID string) *group {
	g := &group{id: newUUID(), name: name, description: description, parentID: parentID,
		policies: defaultGroupPolicies(),
		members:  []*membership{{identityID: adminID, role: "admin", status: "active"}}}
	s.groups[g.id] = g
	s.remember(g.id)
	return g
}

// AddGroup creates a group whose admin is adminUsername (created if new).
func (s *Server) AddGroup(name, adminUsername string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.newGroup(name, "", "", s.identityByUsername(adminUsername).ID).id
}

// AddMember makes username (created if new) an active member of a group.
func (s *Server) AddMember(groupID, username, role string) error {
	return s.putMember(groupID, username, role, "active")
}

// Invite invites username (created if new) to a group, as the Groups
// API's invite action and the console's Send invitation do: the
// membership is "invited" until accepted.
func (s *Server) Invite(groupID, username, role string) error {
	return s.putMember(groupID, username, role, "invited")
}

// putMember gives username (created if new) role and status in a group.
func (s *Server) putMember(groupID, username, role, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok {
		return fmt.Errorf("globustest: no group %s", groupID)
	}
	g.setMember(s.identityByUsername(username).ID, role, status)
	return nil
}

// Member is one membership, for assertions.
type Member struct{ Username, Role, Status string }

// GroupMembers lists a group's memberships in the order they were made.
func (s *Server) GroupMembers(groupID string) []Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[groupID]
	if !ok {
		return nil
	}
	var out []Member
	for _, m := range g.members {
		out = append(out, Member{Username: s.identities[m.identityID].Username, Role: m.role, Status: m.status})
	}
	return out
}

// ScopeInfo describes a client's scope, for assertions.
type ScopeInfo struct {
	ID, ScopeString, Suffix string
	DependentScopes         []string // scope IDs
}

// ClientScopes lists the scopes a client owns.
func (s *Server) ClientScopes(clientID string) []ScopeInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return nil
	}
	var out []ScopeInfo
	for _, id := range c.scopes {
		sc := s.scopes[id]
		info := ScopeInfo{ID: sc.id, ScopeString: sc.scopeString(), Suffix: sc.suffix}
		for _, d := range sc.deps {
			info.DependentScopes = append(info.DependentScopes, d.Scope)
		}
		out = append(out, info)
	}
	return out
}

// sorted returns the values of m in creation order; s.mu held.
func sorted[T any](s *Server, m map[string]T) []T {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return s.order[keys[i]] < s.order[keys[j]] })
	out := make([]T, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}
