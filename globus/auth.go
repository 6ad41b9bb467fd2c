package globus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// AppClient is an app registered with Globus Auth (a "client").
type AppClient struct {
	ID           string   `json:"id"`
	Name         string   `json:"name"`
	Project      string   `json:"project"`
	ClientType   string   `json:"client_type"`
	PublicClient bool     `json:"public_client"`
	Scopes       []string `json:"scopes"` // scope UUIDs the client owns
	RedirectURIs []string `json:"redirect_uris"`
	GrantTypes   []string `json:"grant_types"`
}

// Client types accepted by CreateClient.
const (
	ClientTypeServiceAccount = "client_identity"
	ClientTypePublicThick    = "public_installed_client"
	ClientTypeConfidential   = "confidential_client"
	ClientTypeResourceServer = "resource_server"
	ClientTypeHybrid         = "hybrid_confidential_client_resource_server"
)

// Scope is a scope a client owns.
type Scope struct {
	ID                 string           `json:"id"`
	ScopeString        string           `json:"scope_string"`
	Name               string           `json:"name"`
	Description        string           `json:"description"`
	Client             string           `json:"client"`
	DependentScopes    []DependentScope `json:"dependent_scopes"`
	Advertised         bool             `json:"advertised"`
	AllowsRefreshToken bool             `json:"allows_refresh_token"`
	RequiredDomains    []string         `json:"required_domains"`
}

// DependentScope is a scope whose tokens a service may get on its users' behalf.
type DependentScope struct {
	Scope                string `json:"scope"` // the dependent scope's UUID
	Optional             bool   `json:"optional"`
	RequiresRefreshToken bool   `json:"requires_refresh_token"`
}

// ScopeCreate is the body of a scope creation. Advertised and
// AllowsRefreshToken are pointers so that "unset" leaves Globus's defaults.
type ScopeCreate struct {
	Name               string           `json:"name"`
	Description        string           `json:"description"`
	ScopeSuffix        string           `json:"scope_suffix"`
	DependentScopes    []DependentScope `json:"dependent_scopes"`
	Advertised         *bool            `json:"advertised,omitempty"`
	AllowsRefreshToken *bool            `json:"allows_refresh_token,omitempty"`
	RequiredDomains    []string         `json:"required_domains,omitempty"`
}

// ActionAllScopeCreate is the gateway's scope exactly as its setup guide
// creates it: suffix action_all, with the Groups scope as its one required
// dependent scope.
func ActionAllScopeCreate(name, description string) ScopeCreate {
	return ScopeCreate{
		Name:        name,
		Description: description,
		ScopeSuffix: ActionAllSuffix,
		DependentScopes: []DependentScope{
			{Scope: GroupsDependentScopeID, Optional: false, RequiresRefreshToken: true},
		},
	}
}

// Identity is a Globus identity.
type Identity struct {
	ID               string `json:"id"`
	Username         string `json:"username"`
	Name             string `json:"name"`
	Email            string `json:"email"`
	Organization     string `json:"organization"`
	IdentityProvider string `json:"identity_provider"`
	Status           string `json:"status"` // "used", "unused", "private", "closed"
}

// Introspection is Auth's answer about a user's token.
type Introspection struct {
	Active            bool                        `json:"active"`
	Scope             string                      `json:"scope"`
	ClientID          string                      `json:"client_id"`
	Sub               string                      `json:"sub"`
	Username          string                      `json:"username"`
	Name              string                      `json:"name"`
	Email             string                      `json:"email"`
	Aud               []string                    `json:"aud"`
	Iss               string                      `json:"iss"`
	Exp               int64                       `json:"exp"`
	Iat               int64                       `json:"iat"`
	IdentitySet       []string                    `json:"identity_set"`
	SessionInfo       *SessionInfo                `json:"session_info"`
	IdentitySetDetail []SetIdentity               `json:"identity_set_detail"`
	PolicyEvaluations map[string]PolicyEvaluation `json:"policy_evaluations"`
}

// SetIdentity is one entry of introspection's identity_set_detail. The
// gateway reads sub, username, name, identity_provider and
// identity_provider_display_name there (resource_server_async/auth.py
// check_session_info: id=identity["sub"]). Recorded shapes of an
// identity differ: the identities API names its ID "id"
// (globus-sdk-python testing/data/auth/get_identities.py), an ID token's
// identity_set names it "sub", beside identity_provider_display_name
// (tests/unit/tokenstorage/v2/test_validating_token_storage.py); so both
// are read.
type SetIdentity struct {
	Identity
	Sub                         string `json:"sub"`
	IdentityProviderDisplayName string `json:"identity_provider_display_name"`
}

// IdentityID is the identity's ID: sub, which the gateway reads, else id.
func (s SetIdentity) IdentityID() string {
	if s.Sub != "" {
		return s.Sub
	}
	return s.ID
}

// UnmarshalJSON accepts aud as an array (Globus) or a single string (RFC 7662).
func (in *Introspection) UnmarshalJSON(data []byte) error {
	type plain Introspection
	var aux struct {
		*plain
		Aud json.RawMessage `json:"aud"`
	}
	aux.plain = (*plain)(in)
	if err := json.Unmarshal(data, &aux); err != nil {
		return err
	}
	in.Aud = nil
	if len(aux.Aud) == 0 || string(aux.Aud) == "null" {
		return nil
	}
	var one string
	if json.Unmarshal(aux.Aud, &one) == nil {
		in.Aud = []string{one}
		return nil
	}
	return json.Unmarshal(aux.Aud, &in.Aud)
}

// SessionInfo lists how the user authenticated in this session.
type SessionInfo struct {
	SessionID       string                    `json:"session_id"`
	Authentications map[string]Authentication `json:"authentications"` // keyed by identity ID
}

// Authentication is one authentication event of a session.
type Authentication struct {
	IDP      string   `json:"idp"`
	AuthTime int64    `json:"auth_time"`
	AMR      []string `json:"amr,omitempty"`
}

// PolicyEvaluation says whether the token satisfies one authentication policy.
type PolicyEvaluation struct {
	Evaluation bool `json:"evaluation"`
}

// IDsPerRequest bounds the usernames or IDs sent in one look-up
// (identities, scopes): Globus caps them per request, and long query strings
// break proxies.
const IDsPerRequest = 100

// ClientCredentialsToken gets tokens for the client itself. At least one
// scope is required: no Globus client sends this grant without one
// (globus-sdk v4 requires requested_scopes; v3, which the gateway pins, sent
// its defaults, see GatewaySDKDefaultScopes).
func (c *Client) ClientCredentialsToken(ctx context.Context, cred Credentials, scopes ...string) (TokenSet, error) {
	if len(scopes) == 0 {
		return nil, errors.New("a client-credentials grant needs at least one scope (e.g. openid)")
	}
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {strings.Join(scopes, " ")}}
	var tj tokenJSON
	err := c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: "v2/oauth2/token", auth: Basic(cred), form: form, out: &tj})
	if err != nil {
		return nil, err
	}
	ts := tokenSetOf(tj.flatten(time.Now()))
	if len(ts) == 0 {
		return nil, errors.New("the client-credentials grant was answered by Globus Auth without an access token (POST /v2/oauth2/token)")
	}
	return ts, nil
}

// GetClient reads one client (its own record, with Basic; or any client the
// operator manages, with Bearer).
func (c *Client) GetClient(ctx context.Context, a Authorizer, clientID string) (*AppClient, error) {
	return getOne[AppClient](ctx, c, a, "v2/api/clients/", clientID, "client")
}

// CreateScope creates a scope owned by cred's client.
func (c *Client) CreateScope(ctx context.Context, cred Credentials, req ScopeCreate) (*Scope, error) {
	if req.DependentScopes == nil {
		req.DependentScopes = []DependentScope{}
	}
	path := "v2/api/clients/" + url.PathEscape(cred.ID) + "/scopes"
	var out struct {
		Scope  *Scope  `json:"scope"`
		Scopes []Scope `json:"scopes"`
	}
	body := map[string]ScopeCreate{"scope": req}
	if err := c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: path, auth: Basic(cred), json: body, out: &out, policy: retryCreate}); err != nil {
		return nil, err
	}
	// Both answer shapes have been seen: {"scope":{..}} and {"scopes":[..]}.
	if out.Scope != nil {
		return out.Scope, nil
	}
	for i := range out.Scopes {
		if strings.HasSuffix(out.Scopes[i].ScopeString, "/"+req.ScopeSuffix) {
			return &out.Scopes[i], nil
		}
	}
	if len(out.Scopes) > 0 {
		return &out.Scopes[0], nil
	}
	return nil, missing(c.auth, "POST", "/"+path, "scope")
}

// GetScope reads one scope by UUID.
func (c *Client) GetScope(ctx context.Context, a Authorizer, scopeID string) (*Scope, error) {
	return getOne[Scope](ctx, c, a, "v2/api/scopes/", scopeID, "scope")
}

// GetScopes reads several scopes by UUID (GET /v2/api/scopes?ids=...), in
// the order Globus returns them. No IDs, no request.
func (c *Client) GetScopes(ctx context.Context, a Authorizer, ids []string) ([]Scope, error) {
	var all []Scope
	for chunk := range chunks(ids, IDsPerRequest) {
		var out struct {
			Scopes []Scope `json:"scopes"`
		}
		q := url.Values{"ids": {strings.Join(chunk, ",")}}
		if err := c.get(ctx, c.auth, a, "v2/api/scopes", q, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Scopes...)
	}
	return all, nil
}

// LookupIdentities resolves usernames to identities, in chunks of
// IDsPerRequest. The answer has one Identity per username, in the same
// order; a username Globus does not know comes back with an empty ID (Globus
// either leaves it out or returns it with status "unused" and an ID).
func (c *Client) LookupIdentities(ctx context.Context, a Authorizer, usernames []string) ([]Identity, error) {
	key := func(u string) string { return strings.ToLower(strings.TrimSpace(u)) }
	found := map[string]Identity{}
	var unique []string
	for _, u := range usernames {
		if k := key(u); k != "" {
			if _, seen := found[k]; !seen {
				found[k] = Identity{}
				unique = append(unique, strings.TrimSpace(u))
			}
		}
	}
	for chunk := range chunks(unique, IDsPerRequest) {
		var out struct {
			Identities []Identity `json:"identities"`
		}
		// provision=false, as globus-sdk-python's get_identities sends by
		// default: a typo must not create an identity.
		q := url.Values{"usernames": {strings.Join(chunk, ",")}, "provision": {"false"}}
		if err := c.get(ctx, c.auth, a, "v2/api/identities", q, &out); err != nil {
			return nil, err
		}
		for _, id := range out.Identities {
			if k := key(id.Username); found[k].ID == "" {
				found[k] = id
			}
		}
	}
	if len(usernames) == 0 {
		return nil, nil
	}
	result := make([]Identity, len(usernames))
	for i, u := range usernames {
		result[i] = found[key(u)]
		if result[i].Username == "" {
			result[i].Username = strings.TrimSpace(u)
		}
	}
	return result, nil
}

// Introspect asks Auth about a user's token, as the gateway does: include
// names extra sections ("session_info", "identity_set_detail"), policyIDs
// asks for policy_evaluations.
func (c *Client) Introspect(ctx context.Context, cred Credentials, token string, include []string, policyIDs []string) (*Introspection, error) {
	form := url.Values{"token": {token}}
	if len(include) > 0 {
		form.Set("include", strings.Join(include, ","))
	}
	if len(policyIDs) > 0 {
		form.Set("authentication_policies", strings.Join(policyIDs, ","))
	}
	var out Introspection
	err := c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: "v2/oauth2/token/introspect", auth: Basic(cred), form: form, out: &out, secrets: []string{token}})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DependentTokens gets tokens on behalf of the user whose token the service
// (cred) received, one per resource server, as the gateway does.
func (c *Client) DependentTokens(ctx context.Context, cred Credentials, userToken string) ([]Token, error) {
	form := url.Values{"grant_type": {"urn:globus:auth:grant_type:dependent_token"}, "token": {userToken}}
	var raw json.RawMessage
	err := c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: "v2/oauth2/token", auth: Basic(cred), form: form, out: &raw, secrets: []string{userToken}})
	if err != nil {
		return nil, err
	}
	tokens, err := decodeTokenList(raw, time.Now())
	if err != nil {
		return nil, fmt.Errorf("the dependent-token answer from Globus Auth is not readable by this client (POST /v2/oauth2/token): %v", err)
	}
	return tokens, nil
}

func (c *Client) get(ctx context.Context, svc service, a Authorizer, path string, q url.Values, out any) error {
	return c.do(ctx, call{svc: svc, method: http.MethodGet, path: path, query: q, auth: a, out: out})
}

// getOne reads the Auth object at dir+id, which Globus answers as
// {"<key>": {...}}; an answer without it is an error naming key.
func getOne[T any](ctx context.Context, c *Client, a Authorizer, dir, id, key string) (*T, error) {
	out := keyed[T]{key: key}
	if err := c.get(ctx, c.auth, a, dir+url.PathEscape(id), nil, &out); err != nil {
		return nil, err
	}
	if out.val == nil {
		return nil, missing(c.auth, "GET", "/"+dir+id, key)
	}
	return out.val, nil
}

// keyed decodes the object an answer holds under key, ignoring the rest,
// as a struct with that one field would.
type keyed[T any] struct {
	key string
	val *T
}

func (k *keyed[T]) UnmarshalJSON(b []byte) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		return err
	}
	if raw, ok := fields[k.key]; ok {
		return json.Unmarshal(raw, &k.val)
	}
	return nil
}

func missing(svc service, method, path, what string) error {
	return fmt.Errorf("%s answered %s %s without the %s", svc.name, method, path, what)
}

// chunks yields s in pieces of at most n.
func chunks(s []string, n int) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		for len(s) > 0 {
			k := min(n, len(s))
			if !yield(s[:k]) {
				return
			}
			s = s[k:]
		}
	}
}

// RevokeToken revokes an access or refresh token issued to a public client
// (POST /v2/oauth2/token/revoke, form token and client_id, as
// globus-sdk-python's NativeAppAuthClient.oauth2_revoke_token sends it;
// Globus answers {"active": false}, testing/data/auth/oauth2_revoke_token.py).
// Revoking twice is harmless, so it is retried like a read.
func (c *Client) RevokeToken(ctx context.Context, clientID, token string) error {
	if strings.TrimSpace(token) == "" {
		return nil
	}
	form := url.Values{"token": {token}, "client_id": {clientID}}
	return c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: "v2/oauth2/token/revoke", form: form, secrets: []string{token}, policy: retrySafe})
}

// RevokeTokenAs revokes a token issued to the confidential client cred (a
// dependent token the Service API got on a user's behalf, say),
// authenticated as that client with HTTP Basic and the token alone in the
// form: globus-sdk-python's base_login_client.py oauth2_revoke_token sends
// client_id only when the client cannot authenticate itself. Retried like a
// read, as RevokeToken.
func (c *Client) RevokeTokenAs(ctx context.Context, cred Credentials, token string) error {
	if strings.TrimSpace(token) == "" {
		return nil
	}
	form := url.Values{"token": {token}}
	return c.do(ctx, call{svc: c.auth, method: http.MethodPost, path: "v2/oauth2/token/revoke", auth: Basic(cred), form: form, secrets: []string{token}, policy: retrySafe})
}
