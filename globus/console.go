package globus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Project is a developers-console project.
type Project struct {
	ID           string   `json:"id"`
	DisplayName  string   `json:"display_name"`
	ContactEmail string   `json:"contact_email"`
	AdminIDs     []string `json:"admin_ids"`
}

// ProjectCreate is the body of a project creation.
type ProjectCreate struct {
	DisplayName   string   `json:"display_name"`
	ContactEmail  string   `json:"contact_email"`
	AdminIDs      []string `json:"admin_ids"`
	AdminGroupIDs []string `json:"admin_group_ids,omitempty"`
}

// ClientCreate is the body of an app registration.
type ClientCreate struct {
	Name         string   `json:"name"`
	Project      string   `json:"project"`
	ClientType   string   `json:"client_type"` // ClientType* constants
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	Visibility   string   `json:"visibility,omitempty"` // "public" | "private"
}

// Credential is a client secret. Secret is only ever filled in by
// CreateCredential (Globus shows it once); printing a Credential masks it.
type Credential struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Secret  string    `json:"secret"`
	Client  string    `json:"client"`
	Created time.Time `json:"created"`
}

func (c Credential) String() string {
	return "Credential{ID: " + c.ID + ", Name: " + c.Name + ", Client: " + c.Client + ", Secret: " + maskIfSet(c.Secret) + "}"
}

func (c Credential) GoString() string {
	return "globus.Credential{ID: " + strconv.Quote(c.ID) + ", Name: " + strconv.Quote(c.Name) + ", Client: " + strconv.Quote(c.Client) + ", Secret: " + strconv.Quote(maskIfSet(c.Secret)) + "}"
}

func (c Credential) Format(f fmt.State, verb rune) { formatMasked(f, verb, c.String(), c.GoString()) }

// UnmarshalJSON never fails on "created": the answer holds a secret shown only
// once, and an unusual timestamp must not lose it.
func (c *Credential) UnmarshalJSON(data []byte) error {
	var aux struct {
		ID, Name, Secret, Client string
		Created                  json.RawMessage `json:"created"`
	}
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	*c = Credential{ID: aux.ID, Name: aux.Name, Secret: aux.Secret, Client: aux.Client}
	if s := jsonString(aux.Created); s != "" {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02 15:04:05.999999-07:00"} {
			if t, err := time.Parse(layout, s); err == nil {
				c.Created = t
				break
			}
		}
	}
	return nil
}

// Policy is an authentication policy of a project.
type Policy struct {
	ID                             string   `json:"id"`
	ProjectID                      string   `json:"project_id"`
	DisplayName                    string   `json:"display_name"`
	Description                    string   `json:"description"`
	HighAssurance                  bool     `json:"high_assurance"`
	AuthenticationAssuranceTimeout int      `json:"authentication_assurance_timeout"` // seconds
	DomainConstraintsInclude       []string `json:"domain_constraints_include"`
	DomainConstraintsExclude       []string `json:"domain_constraints_exclude"`
	RequiredMFA                    bool     `json:"required_mfa"`
}

// PolicyCreate is the body of a policy creation.
type PolicyCreate struct {
	ProjectID                      string   `json:"project_id"`
	DisplayName                    string   `json:"display_name"`
	Description                    string   `json:"description"`
	HighAssurance                  bool     `json:"high_assurance"`
	AuthenticationAssuranceTimeout int      `json:"authentication_assurance_timeout"`
	DomainConstraintsInclude       []string `json:"domain_constraints_include"`
	DomainConstraintsExclude       []string `json:"domain_constraints_exclude,omitempty"`
	RequiredMFA                    bool     `json:"required_mfa"`
}

// CreateProject creates a developers-console project (Bearer, manage_projects).
func (c *Client) CreateProject(ctx context.Context, a Authorizer, p ProjectCreate) (*Project, error) {
	return createOne[Project](ctx, c, a, "v2/api/projects", "project", p)
}

// ListProjects lists the projects the operator administers.
func (c *Client) ListProjects(ctx context.Context, a Authorizer) ([]Project, error) {
	var out struct {
		Projects []Project `json:"projects"`
	}
	err := c.get(ctx, c.auth, a, "v2/api/projects", nil, &out)
	return out.Projects, err
}

// CreateClient registers an app in a project.
func (c *Client) CreateClient(ctx context.Context, a Authorizer, req ClientCreate) (*AppClient, error) {
	return createOne[AppClient](ctx, c, a, "v2/api/clients", "client", req)
}

// ListClients lists the apps of a project (all the operator's apps if
// projectID is empty).
func (c *Client) ListClients(ctx context.Context, a Authorizer, projectID string) ([]AppClient, error) {
	var q url.Values
	if projectID != "" {
		q = url.Values{"project_id": {projectID}}
	}
	var out struct {
		Clients []AppClient `json:"clients"`
	}
	err := c.get(ctx, c.auth, a, "v2/api/clients", q, &out)
	return out.Clients, err
}

// CreateCredential makes a new secret for a client. The answer's Secret is
// the only copy there will ever be.
func (c *Client) CreateCredential(ctx context.Context, a Authorizer, clientID, name string) (*Credential, error) {
	path := "v2/api/clients/" + url.PathEscape(clientID) + "/credentials"
	var out struct {
		Credential *Credential `json:"credential"`
	}
	body := map[string]any{"credential": map[string]string{"name": name}}
	if err := c.create(ctx, a, path, body, &out); err != nil {
		return nil, err
	}
	if out.Credential == nil || out.Credential.Secret == "" {
		return nil, missing(c.auth, "POST", "/"+path, "new secret")
	}
	return out.Credential, nil
}

// CreatePolicy creates an authentication policy.
func (c *Client) CreatePolicy(ctx context.Context, a Authorizer, p PolicyCreate) (*Policy, error) {
	if p.DomainConstraintsInclude == nil {
		p.DomainConstraintsInclude = []string{}
	}
	return createOne[Policy](ctx, c, a, "v2/api/policies", "policy", p)
}

// GetPolicy reads one policy.
func (c *Client) GetPolicy(ctx context.Context, a Authorizer, id string) (*Policy, error) {
	return getOne[Policy](ctx, c, a, "v2/api/policies/", id, "policy")
}

// ListPolicies lists the policies of the operator's projects.
func (c *Client) ListPolicies(ctx context.Context, a Authorizer) ([]Policy, error) {
	var out struct {
		Policies []Policy `json:"policies"`
	}
	err := c.get(ctx, c.auth, a, "v2/api/policies", nil, &out)
	return out.Policies, err
}

func (c *Client) create(ctx context.Context, a Authorizer, path string, body, out any) error {
	return c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: path, auth: a, json: body, out: out, policy: retryCreate})
}

// createOne posts {"<key>": req} to path and reads the object made, which
// Globus answers under the same key; an answer without it is an error.
func createOne[T any](ctx context.Context, c *Client, a Authorizer, path, key string, req any) (*T, error) {
	out := keyed[T]{key: key}
	if err := c.create(ctx, a, path, map[string]any{key: req}, &out); err != nil {
		return nil, err
	}
	if out.val == nil {
		return nil, missing(c.auth, "POST", "/"+path, key)
	}
	return out.val, nil
}

// GetProject reads one project the operator administers.
func (c *Client) GetProject(ctx context.Context, a Authorizer, id string) (*Project, error) {
	return getOne[Project](ctx, c, a, "v2/api/projects/", id, "project")
}

// ListCredentials lists a client's secrets by ID and name. Globus never sends
// a secret again after creating it, and any Secret in the answer is dropped so
// a listing can be printed or stored without care.
func (c *Client) ListCredentials(ctx context.Context, a Authorizer, clientID string) ([]Credential, error) {
	var out struct {
		Credentials []Credential `json:"credentials"`
	}
	if err := c.get(ctx, c.auth, a, "v2/api/clients/"+url.PathEscape(clientID)+"/credentials", nil, &out); err != nil {
		return nil, err
	}
	for i := range out.Credentials {
		out.Credentials[i].Secret = ""
	}
	return out.Credentials, nil
}

// DeleteCredential deletes a client's secret. It is retried like a read:
// deleting twice is harmless, because a repeat answers 404. A 404 is returned
// as it is (IsStatus(err, 404)); callers cleaning up treat it as already gone,
// but it also means a wrong ID, so the choice is theirs.
func (c *Client) DeleteCredential(ctx context.Context, a Authorizer, clientID, credentialID string) error {
	path := "v2/api/clients/" + url.PathEscape(clientID) + "/credentials/" + url.PathEscape(credentialID)
	return c.do(ctx, call{svc: c.auth, method: http.MethodDelete, path: path, auth: a, policy: retrySafe})
}
