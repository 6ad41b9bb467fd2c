package globustest

import (
	"net/http"
	"slices"
	"strings"
)

func (s *Server) routeGroups() {
	m := s.mux
	m.HandleFunc("POST /groups/v2/groups", s.api(s.groupsManage, s.handleCreateGroup))
	m.HandleFunc("GET /groups/v2/groups/my_groups", s.api(s.groupsToken, s.handleMyGroups))
	m.HandleFunc("GET /groups/v2/groups/{id}", s.api(s.groupsToken, s.handleGetGroup))
	m.HandleFunc("POST /groups/v2/groups/{id}", s.api(s.groupsManage, s.handleBatchMembers))
	m.HandleFunc("GET /groups/v2/groups/{id}/policies", s.api(s.groupsToken, s.handleGetGroupPolicies))
	m.HandleFunc("PUT /groups/v2/groups/{id}/policies", s.api(s.groupsManage, s.handleSetGroupPolicies))
	m.HandleFunc("/groups/", notFound)
}

var groupRoles = []string{"member", "manager", "admin"}

// groupsToken requires a Bearer token issued for groups.api.globus.org; s.mu held.
func (s *Server) groupsToken(w http.ResponseWriter, r *http.Request) (*token, bool) {
	raw, ok := bearerToken(r)
	if !ok {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "Groups needs a Bearer token")
		return nil, false
	}
	t := s.activeToken(raw)
	if t == nil || t.rs != GroupsResourceServer {
		apiError(w, http.StatusUnauthorized, "UNAUTHORIZED", "the token is invalid, expired, or not for groups.api.globus.org")
		return nil, false
	}
	return t, true
}

// groupsManage is groupsToken for changes, which need groups:all: a token
// with only view_my_groups_and_memberships (what the gateway gets on its
// users' behalf) reads. Groups's exact refusal is unverified; 403 either way.
func (s *Server) groupsManage(w http.ResponseWriter, r *http.Request) (*token, bool) {
	t, ok := s.groupsToken(w, r)
	if !ok {
		return nil, false
	}
	if !t.has(groupsAllID) {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "the token lacks the scope "+GroupsScope)
		return nil, false
	}
	return t, true
}

// role is the caller's best active role in g ("" if none); s.mu held.
func (g *group) role(set []string) string {
	best := -1
	for _, m := range g.members {
		if m.status == "active" && slices.Contains(set, m.identityID) {
			best = max(best, slices.Index(groupRoles, m.role))
		}
	}
	if best < 0 {
		return ""
	}
	return groupRoles[best]
}

func (g *group) visibleTo(set []string) bool {
	if g.policies.GroupVisibility == "authenticated" {
		return true
	}
	for _, m := range g.members {
		if slices.Contains(set, m.identityID) {
			return true
		}
	}
	return false
}

// visibleGroup finds a group the caller may see, answering 404 otherwise.
func (s *Server) visibleGroup(w http.ResponseWriter, id string, set []string) (*group, bool) {
	g, ok := s.groups[id]
	if !ok || !g.visibleTo(set) {
		apiError(w, http.StatusNotFound, "NOT_FOUND", "no group "+id+" visible to you")
		return nil, false
	}
	return g, true
}

func (s *Server) membershipDoc(g *group, m *membership) map[string]any {
	return map[string]any{
		"group_id":    g.id,
		"identity_id": m.identityID,
		"username":    s.identities[m.identityID].Username,
		"role":        m.role,
		"status":      m.status,
	}
}

// groupDoc is a group as Groups writes it. memberships, my_memberships and
// policies come only when include= names them (Groups OpenAPI, GET
// /v2/groups/{group_id} "include"; GLOBUS-API.md); my_groups always gives
// my_memberships and policies (globus-sdk-python testing/data/groups/
// get_my_groups.py).
func (s *Server) groupDoc(g *group, set []string, include []string) map[string]any {
	mine := []map[string]any{}
	for _, m := range g.members {
		if slices.Contains(set, m.identityID) {
			mine = append(mine, s.membershipDoc(g, m))
		}
	}
	var parent any
	if g.parentID != "" {
		parent = g.parentID
	}
	doc := map[string]any{
		"id":               g.id,
		"name":             g.name,
		"description":      g.description,
		"parent_id":        parent,
		"group_type":       "regular",
		"enforce_session":  g.policies.IsHighAssurance,
		"session_limit":    g.policies.AuthenticationAssuranceTimeout,
		"session_timeouts": map[string]any{},
	}
	if slices.Contains(include, "my_memberships") {
		doc["my_memberships"] = mine
	}
	if slices.Contains(include, "policies") {
		doc["policies"] = g.policies
	}
	if slices.Contains(include, "memberships") {
		role := g.role(set)
		all := role == "admin" || role == "manager" || (role != "" && g.policies.GroupMembersVisibility == "members")
		if all {
			ms := []map[string]any{}
			for _, m := range g.members {
				ms = append(ms, s.membershipDoc(g, m))
			}
			doc["memberships"] = ms
		} else {
			doc["memberships"] = mine
		}
	}
	return doc
}

func (s *Server) handleCreateGroup(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		ParentID    string `json:"parent_id"`
	}
	if !jb.decode(w, &body) {
		return
	}
	set := s.identitySet(t.sub)
	if strings.TrimSpace(body.Name) == "" {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", "name is required")
		return
	}
	if body.ParentID != "" {
		p, ok := s.visibleGroup(w, body.ParentID, set)
		if !ok {
			return
		}
		if role := p.role(set); role != "admin" && role != "manager" {
			apiError(w, http.StatusForbidden, "FORBIDDEN", "only the parent group's admins and managers may create subgroups")
			return
		}
	}
	g := s.newGroup(body.Name, body.Description, body.ParentID, t.sub)
	// 201 Created (Groups OpenAPI, POST /v2/groups).
	writeJSON(w, http.StatusCreated, s.groupDoc(g, set, nil))
}

func (s *Server) handleMyGroups(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	set := s.identitySet(t.sub)
	statuses := splitList(r.URL.Query().Get("statuses"))
	if len(statuses) == 0 {
		statuses = []string{"active"}
	}
	out := []map[string]any{}
	for _, g := range sorted(s, s.groups) {
		if slices.ContainsFunc(g.members, func(m *membership) bool {
			return slices.Contains(set, m.identityID) && slices.Contains(statuses, m.status)
		}) {
			out = append(out, s.groupDoc(g, set, []string{"my_memberships", "policies"}))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) handleGetGroup(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	set := s.identitySet(t.sub)
	g, ok := s.visibleGroup(w, r.PathValue("id"), set)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, s.groupDoc(g, set, splitList(r.URL.Query().Get("include"))))
}

func (s *Server) handleGetGroupPolicies(w http.ResponseWriter, r *http.Request, t *token, _ jsonBody) {
	set := s.identitySet(t.sub)
	if g, ok := s.visibleGroup(w, r.PathValue("id"), set); ok {
		writeJSON(w, http.StatusOK, g.policies)
	}
}

func (s *Server) handleSetGroupPolicies(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body struct {
		IsHighAssurance                *bool     `json:"is_high_assurance"`
		AuthenticationAssuranceTimeout *int      `json:"authentication_assurance_timeout"`
		GroupVisibility                string    `json:"group_visibility"`
		GroupMembersVisibility         string    `json:"group_members_visibility"`
		JoinRequests                   bool      `json:"join_requests"`
		SignupFields                   *[]string `json:"signup_fields"`
	}
	set := s.identitySet(t.sub)
	g, ok := s.visibleGroup(w, r.PathValue("id"), set)
	if !ok {
		return
	}
	if g.role(set) != "admin" {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "only a group's admins may set its policies")
		return
	}
	if !jb.decode(w, &body) {
		return
	}
	bad := func(d string) { apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", d) }
	switch {
	case body.IsHighAssurance == nil:
		bad("is_high_assurance is required")
		return
	case body.GroupVisibility != "private" && body.GroupVisibility != "authenticated":
		bad(`group_visibility must be "private" or "authenticated"`)
		return
	case body.GroupMembersVisibility != "members" && body.GroupMembersVisibility != "managers":
		bad(`group_members_visibility must be "members" or "managers"`)
		return
	case body.AuthenticationAssuranceTimeout != nil && *body.AuthenticationAssuranceTimeout < 0:
		bad("authentication_assurance_timeout must not be negative")
		return
	}
	p := groupPolicies{IsHighAssurance: *body.IsHighAssurance, GroupVisibility: body.GroupVisibility,
		GroupMembersVisibility: body.GroupMembersVisibility, JoinRequests: body.JoinRequests,
		AuthenticationAssuranceTimeout: g.policies.AuthenticationAssuranceTimeout, SignupFields: []string{}}
	if body.AuthenticationAssuranceTimeout != nil {
		p.AuthenticationAssuranceTimeout = *body.AuthenticationAssuranceTimeout
	}
	if body.SignupFields != nil {
		p.SignupFields = append(p.SignupFields, *body.SignupFields...)
	}
	g.policies = p
	writeJSON(w, http.StatusOK, p)
}

type memberAction struct {
	IdentityID string `json:"identity_id"`
	Role       string `json:"role"`
}

// handleBatchMembers applies add/invite/remove. Like Globus it answers 200
// even when some (or all) members failed; those are listed under errors.
func (s *Server) handleBatchMembers(w http.ResponseWriter, r *http.Request, t *token, jb jsonBody) {
	var body map[string][]memberAction
	set := s.identitySet(t.sub)
	g, ok := s.visibleGroup(w, r.PathValue("id"), set)
	if !ok {
		return
	}
	if role := g.role(set); role != "admin" && role != "manager" {
		apiError(w, http.StatusForbidden, "FORBIDDEN", "only a group's admins and managers may change its members")
		return
	}
	if !jb.decode(w, &body) {
		return
	}
	out := map[string]any{}
	errs := map[string][]map[string]any{}
	actions := []string{"add", "invite", "remove"}
	for action := range body {
		if !slices.Contains(actions, action) {
			apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", "unsupported action "+action+" (add, invite, remove)")
			return
		}
	}
	for _, action := range actions {
		items, ok := body[action]
		if !ok {
			continue
		}
		results := []map[string]any{}
		errs[action] = []map[string]any{}
		fail := func(id, code, detail string) {
			errs[action] = append(errs[action], map[string]any{"code": code, "detail": detail, "identity_id": id})
		}
		for _, it := range items {
			if _, ok := s.identities[it.IdentityID]; !ok {
				fail(it.IdentityID, "IDENTITY_NOT_FOUND", "no identity "+it.IdentityID)
				continue
			}
			m := g.member(it.IdentityID)
			if action == "remove" {
				if m == nil {
					fail(it.IdentityID, "NOT_A_MEMBER", "the identity is not a member of this group")
					continue
				}
				g.members = slices.DeleteFunc(g.members, func(x *membership) bool { return x == m })
				m.status = "removed"
				results = append(results, s.membershipDoc(g, m))
				continue
			}
			if it.Role == "" {
				it.Role = "member"
			}
			if !slices.Contains(groupRoles, it.Role) {
				fail(it.IdentityID, "INVALID_ROLE", "role must be member, manager or admin, not "+it.Role)
				continue
			}
			status := map[string]string{"add": "active", "invite": "invited"}[action]
			switch {
			case m != nil && m.status == "active":
				fail(it.IdentityID, "ALREADY_ACTIVE", "the identity is already an active member")
				continue
			case m != nil && m.status == status:
				fail(it.IdentityID, "ALREADY_INVITED", "the identity has already been invited")
				continue
			}
			results = append(results, s.membershipDoc(g, g.setMember(it.IdentityID, it.Role, status)))
		}
		out[action] = results
	}
	if len(out) == 0 {
		apiError(w, http.StatusBadRequest, "INVALID_PARAMETERS", "nothing to do: give add, invite or remove")
		return
	}
	out["errors"] = errs
	writeJSON(w, http.StatusOK, out)
}
