package globustest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// The demo keeps the emulator's state beside its vault so a quit demo can
// be resumed (`globus-setup --demo --vault PATH`): without it every stored ID
// would be unknown to a fresh emulator. Only what outlives a request is
// kept: identities, sessions, projects, apps (secrets as their hashes only,
// as the emulator holds them), scopes, policies, groups, and the tokens it
// handed out (the vault keeps the operator's login), as their hashes only
// (tokenKey): the file holds no token or secret that works. Codes are not.

type savedState struct {
	Version    int                     `json:"version"`
	Identities []savedIdentity         `json:"identities"`
	IdPs       map[string]string       `json:"idps"`
	Sessions   map[string]savedSession `json:"sessions"`
	Operator   string                  `json:"operator"`
	Projects   []savedProject          `json:"projects"`
	Clients    []savedClient           `json:"clients"`
	Scopes     []savedScope            `json:"scopes"`
	Policies   []savedPolicy           `json:"policies"`
	Groups     []savedGroup            `json:"groups"`
	Order      map[string]int          `json:"order"`
	Seq        int                     `json:"seq"`
	Refresh    map[string]savedRefresh `json:"refresh"`
	Tokens     map[string]savedToken   `json:"tokens"`
	// SignIns are the sessions live tokens still belong to that are no
	// longer their user's latest, by the ID tokens name them with.
	SignIns map[string]savedSession `json:"sign_ins,omitempty"`
}

type savedIdentity struct {
	Identity
	Primary string `json:"primary"`
	IdPName string `json:"idp_name"`
}

type savedSession struct {
	ID       string    `json:"id,omitempty"` // what tokens name it by (Session)
	AuthTime time.Time `json:"auth_time"`
	Via      string    `json:"via"`
	MFA      bool      `json:"mfa,omitempty"`
}

type savedProject struct {
	ID, DisplayName, ContactEmail string
	AdminIDs                      []string
}

type savedCredential struct {
	ID, Name string
	Hash     [32]byte
	Created  time.Time
}

type savedClient struct {
	ID, Name, ProjectID, ClientType, Visibility string
	PrivacyPolicy, Terms                        string `json:",omitempty"`
	RedirectURIs, Scopes                        []string
	Creds                                       []savedCredential
}

type savedScope struct {
	ID, ClientID, Suffix, Fixed, RS, Name, Description string
	Deps                                               []depScope
	Advertised, AllowsRefresh                          bool
	RequiredDomains                                    []string
}

type savedPolicy struct {
	ID, ProjectID, DisplayName, Description string
	HighAssurance, RequiredMFA              bool
	Timeout                                 int
	Include, Exclude                        []string
}

type savedMember struct{ IdentityID, Role, Status string }

type savedGroup struct {
	ID, Name, Description, ParentID string
	Policies                        groupPolicies
	Members                         []savedMember
}

type savedToken struct {
	RS              string
	Scopes          []string
	ClientID, Sub   string
	User, Revoked   bool
	Issued, Expires time.Time
	Session         string `json:",omitempty"` // its sign-in's ID; "" for a client's
}

type savedRefresh struct {
	RS       string
	Scopes   []string
	ClientID string
	Sub      string
	Revoked  bool
	Session  string `json:",omitempty"`
}

// SaveState writes the emulator's lasting state as JSON.
func (s *Server) SaveState(w io.Writer) error {
	s.mu.Lock()
	st := savedState{Version: 1, IdPs: s.idps, Sessions: map[string]savedSession{}, Operator: s.operator,
		Order: s.order, Seq: s.seq, Refresh: map[string]savedRefresh{}}
	for _, in := range s.identities {
		st.Identities = append(st.Identities, savedIdentity{Identity: in.Identity, Primary: in.primary, IdPName: in.idpName})
	}
	// Sessions are named by the order they are met in, so that tokens can
	// point at theirs.
	ids := map[*session]string{}
	sessionRef := func(se *session) string {
		if se == nil {
			return ""
		}
		if id, ok := ids[se]; ok {
			return id
		}
		id := fmt.Sprintf("s%d", len(ids)+1)
		ids[se] = id
		return id
	}
	for primary, se := range s.sessions {
		st.Sessions[primary] = savedSession{ID: sessionRef(se), AuthTime: se.authTime, Via: se.via, MFA: se.mfa}
	}
	older := func(se *session) string {
		_, had := ids[se]
		id := sessionRef(se)
		if se != nil && !had {
			if st.SignIns == nil {
				st.SignIns = map[string]savedSession{}
			}
			st.SignIns[id] = savedSession{ID: id, AuthTime: se.authTime, Via: se.via, MFA: se.mfa}
		}
		return id
	}
	for _, p := range s.projects {
		st.Projects = append(st.Projects, savedProject{p.id, p.displayName, p.contactEmail, p.adminIDs})
	}
	for _, c := range s.clients {
		sc := savedClient{ID: c.id, Name: c.name, ProjectID: c.projectID, ClientType: c.clientType, Visibility: c.visibility,
			PrivacyPolicy: c.privacyPolicy, Terms: c.terms, RedirectURIs: c.redirectURIs, Scopes: c.scopes}
		for _, cr := range c.creds {
			sc.Creds = append(sc.Creds, savedCredential{cr.id, cr.name, cr.hash, cr.created})
		}
		st.Clients = append(st.Clients, sc)
	}
	for _, sc := range s.scopes {
		st.Scopes = append(st.Scopes, savedScope{sc.id, sc.clientID, sc.suffix, sc.fixed, sc.rs, sc.name, sc.description,
			sc.deps, sc.advertised, sc.allowsRefresh, sc.requiredDomains})
	}
	for _, p := range s.policies {
		st.Policies = append(st.Policies, savedPolicy{p.id, p.projectID, p.displayName, p.description,
			p.highAssurance, p.requiredMFA, p.timeout, p.include, p.exclude})
	}
	for _, g := range s.groups {
		sg := savedGroup{ID: g.id, Name: g.name, Description: g.description, ParentID: g.parentID, Policies: g.policies}
		for _, m := range g.members {
			sg.Members = append(sg.Members, savedMember{m.identityID, m.role, m.status})
		}
		st.Groups = append(st.Groups, sg)
	}
	for tok, r := range s.refresh {
		st.Refresh[tok] = savedRefresh{r.rs, r.scopes, r.clientID, r.sub, r.revoked, older(r.session)}
	}
	st.Tokens = map[string]savedToken{}
	now := s.now()
	for tok, t := range s.tokens {
		if t.expires.After(now) {
			st.Tokens[tok] = savedToken{t.rs, t.scopes, t.clientID, t.sub, t.user, t.revoked, t.issued, t.expires, older(t.session)}
		}
	}
	data, err := json.Marshal(st)
	s.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// LoadState replaces the emulator's state with one SaveState wrote.
func (s *Server) LoadState(r io.Reader) error {
	var st savedState
	if err := json.NewDecoder(r).Decode(&st); err != nil {
		return fmt.Errorf("reading the emulator's saved state: %w", err)
	}
	if st.Version != 1 {
		return fmt.Errorf("the emulator's saved state is version %d, not 1", st.Version)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.identities, s.byUsername = map[string]*identity{}, map[string]string{}
	for _, in := range st.Identities {
		s.identities[in.ID] = &identity{Identity: in.Identity, primary: in.Primary, idpName: in.IdPName}
		s.byUsername[strings.ToLower(in.Username)] = in.ID
	}
	if st.IdPs != nil {
		s.idps = st.IdPs
	}
	s.sessions = map[string]*session{}
	byID := map[string]*session{}
	for primary, se := range st.Sessions {
		s.sessions[primary] = &session{authTime: se.AuthTime, via: se.Via, mfa: se.MFA}
		if se.ID != "" {
			byID[se.ID] = s.sessions[primary]
		}
	}
	for id, se := range st.SignIns {
		byID[id] = &session{authTime: se.AuthTime, via: se.Via, mfa: se.MFA}
	}
	s.operator = st.Operator
	s.projects = map[string]*project{}
	for _, p := range st.Projects {
		s.projects[p.ID] = &project{id: p.ID, displayName: p.DisplayName, contactEmail: p.ContactEmail, adminIDs: p.AdminIDs}
	}
	s.clients = map[string]*client{}
	for _, c := range st.Clients {
		cl := &client{id: c.ID, name: c.Name, projectID: c.ProjectID, clientType: c.ClientType, visibility: c.Visibility,
			privacyPolicy: c.PrivacyPolicy, terms: c.Terms,
			redirectURIs: c.RedirectURIs, scopes: c.Scopes}
		for _, cr := range c.Creds {
			cl.creds = append(cl.creds, &credential{id: cr.ID, name: cr.Name, hash: cr.Hash, created: cr.Created})
		}
		s.clients[c.ID] = cl
	}
	s.scopes = map[string]*scope{}
	for _, sc := range st.Scopes {
		s.scopes[sc.ID] = &scope{id: sc.ID, clientID: sc.ClientID, suffix: sc.Suffix, fixed: sc.Fixed, rs: sc.RS, name: sc.Name,
			description: sc.Description, deps: sc.Deps, advertised: sc.Advertised, allowsRefresh: sc.AllowsRefresh, requiredDomains: sc.RequiredDomains}
	}
	s.policies = map[string]*policy{}
	for _, p := range st.Policies {
		s.policies[p.ID] = &policy{id: p.ID, projectID: p.ProjectID, displayName: p.DisplayName, description: p.Description,
			highAssurance: p.HighAssurance, requiredMFA: p.RequiredMFA, timeout: p.Timeout, include: p.Include, exclude: p.Exclude}
	}
	s.groups = map[string]*group{}
	for _, g := range st.Groups {
		gr := &group{id: g.ID, name: g.Name, description: g.Description, parentID: g.ParentID, policies: g.Policies}
		for _, m := range g.Members {
			gr.members = append(gr.members, &membership{identityID: m.IdentityID, role: m.Role, status: m.Status})
		}
		s.groups[g.ID] = gr
	}
	if st.Order != nil {
		s.order = st.Order
	}
	s.seq = st.Seq
	s.refresh = map[string]*refreshGrant{}
	for tok, r := range st.Refresh {
		s.refresh[tok] = &refreshGrant{rs: r.RS, scopes: r.Scopes, clientID: r.ClientID, sub: r.Sub, revoked: r.Revoked, session: byID[r.Session]}
	}
	s.tokens, s.codes = map[string]*token{}, map[string]*authCode{}
	for tok, t := range st.Tokens {
		s.tokens[tok] = &token{rs: t.RS, scopes: t.Scopes, clientID: t.ClientID, sub: t.Sub, user: t.User,
			revoked: t.Revoked, issued: t.Issued, expires: t.Expires, session: byID[t.Session]}
	}
	return nil
}
