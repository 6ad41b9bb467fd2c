package globus

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Group is a Globus group.
type Group struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	Description    string         `json:"description"`
	ParentID       string         `json:"parent_id"`
	GroupType      string         `json:"group_type"`
	EnforceSession bool           `json:"enforce_session"`
	Memberships    []Membership   `json:"memberships"`    // with includeMemberships
	MyMemberships  []Membership   `json:"my_memberships"` // the caller's own roles
	Policies       *GroupPolicies `json:"policies"`
}

// GroupCreate is the body of a group creation.
type GroupCreate struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	ParentID    string `json:"parent_id,omitempty"`
}

// GroupPolicies are a group's visibility and admission rules.
type GroupPolicies struct {
	IsHighAssurance                bool     `json:"is_high_assurance"`
	GroupVisibility                string   `json:"group_visibility"`         // "private" | "authenticated"
	GroupMembersVisibility         string   `json:"group_members_visibility"` // "members" | "managers"
	JoinRequests                   bool     `json:"join_requests"`
	SignupFields                   []string `json:"signup_fields"`
	AuthenticationAssuranceTimeout int      `json:"authentication_assurance_timeout,omitempty"` // seconds
}

// Membership is one identity's place in a group.
type Membership struct {
	GroupID    string `json:"group_id"`
	IdentityID string `json:"identity_id"`
	Username   string `json:"username"`
	Role       string `json:"role"`   // "member" | "manager" | "admin"
	Status     string `json:"status"` // "active", "invited", ...
}

// MemberAdd names an identity to add or invite, with its role ("member" if empty).
type MemberAdd struct {
	IdentityID string `json:"identity_id"`
	Role       string `json:"role"`
}

// MembershipResult is the answer to an add or invite: a 200 can still carry
// per-member errors.
type MembershipResult struct {
	Added  []Membership
	Errors []MemberError
}

// MemberError is why one identity was not added.
type MemberError struct {
	IdentityID string `json:"identity_id"`
	Code       string `json:"code"`
	Detail     string `json:"detail"`
}

// Err summarises the per-member errors in one line, or returns nil.
func (r *MembershipResult) Err() error {
	if r == nil || len(r.Errors) == 0 {
		return nil
	}
	parts := make([]string, len(r.Errors))
	for i, e := range r.Errors {
		parts[i] = e.IdentityID + ": " + e.Code
		if e.Detail != "" {
			parts[i] += " (" + e.Detail + ")"
		}
	}
	return fmt.Errorf("%d of the members were not taken by Globus Groups: %s", len(r.Errors), strings.Join(parts, "; "))
}

// CreateGroup creates a group owned by the token's identity (the operator, or
// a client identity when the token came from a client-credentials grant).
func (c *Client) CreateGroup(ctx context.Context, a Authorizer, g GroupCreate) (*Group, error) {
	var out Group
	if err := c.do(ctx, call{svc: c.groups, method: http.MethodPost, path: "v2/groups", auth: a, json: g, out: &out, policy: retryCreate}); err != nil {
		return nil, err
	}
	if out.ID == "" {
		return nil, missing(c.groups, "POST", "/v2/groups", "group ID")
	}
	return &out, nil
}

// GetGroup reads a group, with its memberships if asked.
func (c *Client) GetGroup(ctx context.Context, a Authorizer, id string, includeMemberships bool) (*Group, error) {
	var q url.Values
	if includeMemberships {
		q = url.Values{"include": {"memberships"}}
	}
	var out Group
	if err := c.get(ctx, c.groups, a, "v2/groups/"+url.PathEscape(id), q, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// MyGroups lists the groups the token's identity belongs to.
func (c *Client) MyGroups(ctx context.Context, a Authorizer) ([]Group, error) {
	var out []Group
	err := c.get(ctx, c.groups, a, "v2/groups/my_groups", nil, &out)
	return out, err
}

// SetGroupPolicies replaces a group's policies (a PUT: safe to retry).
func (c *Client) SetGroupPolicies(ctx context.Context, a Authorizer, id string, p GroupPolicies) (*GroupPolicies, error) {
	if p.SignupFields == nil {
		p.SignupFields = []string{} // Globus wants a list, not null
	}
	var out GroupPolicies
	err := c.do(ctx, call{svc: c.groups, method: http.MethodPut, path: "v2/groups/" + url.PathEscape(id) + "/policies", auth: a, json: p, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// AddMembers adds identities to a group without inviting them.
func (c *Client) AddMembers(ctx context.Context, a Authorizer, groupID string, adds []MemberAdd) (*MembershipResult, error) {
	return c.batch(ctx, a, groupID, "add", adds)
}

// InviteMembers invites identities to a group (they must accept).
func (c *Client) InviteMembers(ctx context.Context, a Authorizer, groupID string, invites []MemberAdd) (*MembershipResult, error) {
	return c.batch(ctx, a, groupID, "invite", invites)
}

func (c *Client) batch(ctx context.Context, a Authorizer, groupID, action string, members []MemberAdd) (*MembershipResult, error) {
	list := make([]MemberAdd, len(members))
	for i, m := range members {
		if m.Role == "" {
			m.Role = "member"
		}
		list[i] = m
	}
	var answer struct {
		Add    []Membership `json:"add"`
		Invite []Membership `json:"invite"`
		Errors struct {
			Add    []MemberError `json:"add"`
			Invite []MemberError `json:"invite"`
		} `json:"errors"`
	}
	err := c.do(ctx, call{svc: c.groups, method: http.MethodPost, path: "v2/groups/" + url.PathEscape(groupID), auth: a,
		json: map[string][]MemberAdd{action: list}, out: &answer, policy: retryCreate})
	if err != nil {
		return nil, err
	}
	if action == "add" {
		return &MembershipResult{Added: answer.Add, Errors: answer.Errors.Add}, nil
	}
	return &MembershipResult{Added: answer.Invite, Errors: answer.Errors.Invite}, nil
}
