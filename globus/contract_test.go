package globus

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// Contract tests: every Globus call the client makes, checked against
// Globus's own shapes rather than our emulator's. Each row is the request
// Globus expects (method, path, query, form or JSON body, how it is
// authorised) and an answer written after globus-sdk-python's recorded
// responses (src/globus_sdk/testing/data/...), globus-cli's fixtures and the
// Groups OpenAPI; the row's source names the file. The answers' values are
// our own; only the shapes are Globus's.

// anyValue in a row's form or query: the field must be present, with any value.
const anyValue = "\x00any"

type contractRow struct {
	name, source string
	method, path string     // path as served: /auth/... or /groups/...
	auth         string     // "basic", "bearer" or "none"
	query        url.Values // exact (nil: no query string)
	form         url.Values // exact form body, for OAuth calls
	body         string     // exact JSON body (compared decoded), for API calls
	status       int
	answer       string
	call         func(ctx context.Context, c *Client) (any, error)
	check        func(t *testing.T, got any)
}

const (
	ctProject = "da84e531-1afb-43cb-8c87-135ab580516a"
	ctClient  = "7dee4432-0297-4989-ad23-a2b672a52b12"
	ctPolicy  = "3f1c2b7e-0d5a-4c59-8a0b-6f2f6d9b1e42"
	ctGroup   = "8b7d57bc-1666-11ec-88b2-f50515619d57"
	ctUser    = "ae341a98-d274-11e5-b888-dbae3a8ba545"
	ctScope   = "5a6b7c8d-1e2f-4a3b-9c4d-5e6f7a8b9c0d"
	ctCred    = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f"
)

func contractRows() []contractRow {
	bearer := Bearer("operator-token-0123")
	return []contractRow{
		{
			name: "client credentials (gateway start-up)", source: "testing/data/auth/oauth2_client_credentials_tokens.py (openid case); SDK v3 _DEFAULT_REQUESTED_SCOPES",
			method: "POST", path: "/auth/v2/oauth2/token", auth: "basic",
			form:   url.Values{"grant_type": {"client_credentials"}, "scope": {"openid profile email urn:globus:auth:scope:transfer.api.globus.org:all"}},
			status: 200,
			answer: `{"access_token":"auth-at","scope":"openid profile email","expires_in":172800,"token_type":"Bearer","resource_server":"auth.globus.org","id_token":"idt",
				"other_tokens":[{"access_token":"xfer-at","scope":"urn:globus:auth:scope:transfer.api.globus.org:all","expires_in":172800,"token_type":"Bearer","resource_server":"transfer.api.globus.org","other_tokens":[]}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.ClientCredentialsToken(ctx, testCred, GatewaySDKDefaultScopes()...)
			},
			check: func(t *testing.T, got any) {
				ts := got.(TokenSet)
				if ts[AuthResourceServer].AccessToken != "auth-at" || ts["transfer.api.globus.org"].AccessToken != "xfer-at" {
					t.Errorf("tokens %v", ts)
				}
			},
		},
		{
			name: "dependent tokens", source: "testing/data/auth/oauth2_get_dependent_tokens.py (groups case: a JSON array)",
			method: "POST", path: "/auth/v2/oauth2/token", auth: "basic",
			form:   url.Values{"grant_type": {"urn:globus:auth:grant_type:dependent_token"}, "token": {"user-at-0123"}},
			status: 200,
			answer: `[{"scope":"urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships","access_token":"groups-at","token_type":"bearer","expires_in":120,"resource_server":"groups.api.globus.org"}]`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.DependentTokens(ctx, testCred, "user-at-0123")
			},
			check: func(t *testing.T, got any) {
				ts := got.([]Token)
				if len(ts) != 1 || ts[0].ResourceServer != GroupsResourceServer || ts[0].Scope != GroupsDependentScopeString {
					t.Errorf("tokens %v", ts)
				}
			},
		},
		{
			name: "introspect", source: "testing/data/auth/oauth2_token_introspect.py; gateway resource_server_async/auth.py (include, authentication_policies)",
			method: "POST", path: "/auth/v2/oauth2/token/introspect", auth: "basic",
			form:   url.Values{"token": {"user-at-0123"}, "include": {"session_info,identity_set_detail"}, "authentication_policies": {ctPolicy}},
			status: 200,
			answer: `{"active":true,"token_type":"Bearer","scope":"https://auth.globus.org/scopes/x/action_all","client_id":"` + ctClient + `","username":"kf@example.org",
				"name":"K F","email":"kf@example.org","exp":1715289767,"iat":1715116967,"nbf":1715116967,"sub":"` + ctUser + `","aud":["auth.globus.org","` + ctClient + `"],"iss":"https://auth.globus.org",
				"policy_evaluations":{"` + ctPolicy + `":{"evaluation":true}}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Introspect(ctx, testCred, "user-at-0123", []string{"session_info", "identity_set_detail"}, []string{ctPolicy})
			},
			check: func(t *testing.T, got any) {
				in := got.(*Introspection)
				if !in.Active || in.Username != "kf@example.org" || len(in.Aud) != 2 || !in.PolicyEvaluations[ctPolicy].Evaluation {
					t.Errorf("%+v", in)
				}
			},
		},
		{
			name: "revoke", source: "testing/data/auth/oauth2_revoke_token.py; base_login_client.py oauth2_revoke_token (client_id in the form for a public client)",
			method: "POST", path: "/auth/v2/oauth2/token/revoke", auth: "none",
			form:   url.Values{"token": {"refresh-0123"}, "client_id": {ctClient}},
			status: 200, answer: `{"active":false}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RevokeToken(ctx, ctClient, "refresh-0123")
			},
		},
		{
			// The proof's dependent Groups token, revoked as the Service API
			// app it was issued to: a confidential client authenticates, and
			// only the token is in the form.
			name: "revoke as a confidential client", source: "testing/data/auth/oauth2_revoke_token.py; base_login_client.py oauth2_revoke_token (client_id only without authentication)",
			method: "POST", path: "/auth/v2/oauth2/token/revoke", auth: "basic",
			form:   url.Values{"token": {"groups-at-0123"}},
			status: 200, answer: `{"active":false}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.RevokeTokenAs(ctx, testCred, "groups-at-0123")
			},
		},
		{
			// identity_set_detail as the gateway reads it: sub (not id) and
			// identity_provider_display_name, the shape of an ID token's
			// identity_set; the identities API's own shape says id.
			name: "introspect with identity_set_detail", source: "gateway resource_server_async/auth.py check_session_info; tests/unit/tokenstorage/v2/test_validating_token_storage.py (identity_set entries); testing/data/auth/get_identities.py (id)",
			method: "POST", path: "/auth/v2/oauth2/token/introspect", auth: "basic",
			form:   url.Values{"token": {"user-at-0123"}, "include": {"session_info,identity_set_detail"}},
			status: 200,
			answer: `{"active":true,"token_type":"Bearer","scope":"s","client_id":"` + ctClient + `","username":"kf@example.org","sub":"` + ctUser + `","aud":["` + ctClient + `"],"iss":"https://auth.globus.org","exp":1715289767,
				"session_info":{"session_id":"s1","authentications":{"` + ctUser + `":{"idp":"41143743-f3c8-4d60-bbdb-eeecaba85bd9","auth_time":1715116967}}},
				"identity_set_detail":[{"email":null,"identity_provider":"41143743-f3c8-4d60-bbdb-eeecaba85bd9","identity_provider_display_name":"Example University","last_authentication":1715116967,"name":"K F","sub":"` + ctUser + `","username":"kf@example.org"},
					{"id":"46bd0f56-e24f-11e5-a510-131bef46955c","identity_provider":"7daddf46-70c5-45ee-9f0f-7244fe7c8707","username":"kf@gmail.com"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.Introspect(ctx, testCred, "user-at-0123", []string{"session_info", "identity_set_detail"}, nil)
			},
			check: func(t *testing.T, got any) {
				d := got.(*Introspection).IdentitySetDetail
				if len(d) != 2 || d[0].IdentityID() != ctUser || d[0].Sub != ctUser || d[0].IdentityProviderDisplayName != "Example University" ||
					d[1].IdentityID() != "46bd0f56-e24f-11e5-a510-131bef46955c" || d[1].Sub != "" {
					t.Errorf("%+v", d)
				}
			},
		},
		{
			name: "get client", source: "testing/data/auth/get_client.py",
			method: "GET", path: "/auth/v2/api/clients/" + ctClient, auth: "basic", status: 200,
			answer: `{"client":{"required_idp":null,"name":"Svc","redirect_uris":[],"links":{"privacy_policy":null,"terms_and_conditions":null},"scopes":[],
				"grant_types":["authorization_code","client_credentials","refresh_token"],"id":"` + ctClient + `","prompt_for_named_grant":false,"fqdns":[],
				"project":"` + ctProject + `","client_type":"client_identity","visibility":"private","parent_client":null,"userinfo_from_effective_identity":true,"preselect_idp":null,"public_client":false}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetClient(ctx, Basic(testCred), ctClient) },
			check: func(t *testing.T, got any) {
				cl := got.(*AppClient)
				if cl.ID != ctClient || cl.ClientType != ClientTypeServiceAccount || cl.Project != ctProject || cl.PublicClient {
					t.Errorf("%+v", cl)
				}
			},
		},
		{
			// The login's own thick client, read with the operator's token:
			// the wizard offers it as the gateway's public client by its
			// type, redirect URIs and project (steps.ReadLoginClient).
			name: "get client as the operator", source: "testing/data/auth/get_client.py (fields), create_client.py (public_installed_client with redirect_uris)",
			method: "GET", path: "/auth/v2/api/clients/" + ctClient, auth: "bearer", status: 200,
			answer: `{"client":{"required_idp":null,"name":"GW Public","redirect_uris":["https://auth.globus.org/v2/web/auth-code"],"links":{"privacy_policy":null,"terms_and_conditions":null},"scopes":[],
				"grant_types":["authorization_code","refresh_token"],"id":"` + ctClient + `","prompt_for_named_grant":true,"fqdns":[],
				"project":"` + ctProject + `","client_type":"public_installed_client","visibility":"private","parent_client":null,"userinfo_from_effective_identity":true,"preselect_idp":null,"public_client":true}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetClient(ctx, bearer, ctClient) },
			check: func(t *testing.T, got any) {
				cl := got.(*AppClient)
				if cl.ClientType != ClientTypePublicThick || cl.Project != ctProject || !cl.PublicClient ||
					len(cl.RedirectURIs) != 1 || cl.RedirectURIs[0] != "https://auth.globus.org/v2/web/auth-code" {
					t.Errorf("%+v", cl)
				}
			},
		},
		{
			name: "create scope", source: "testing/data/auth/create_scope.py (request and response bodies)",
			method: "POST", path: "/auth/v2/api/clients/" + testCred.ID + "/scopes", auth: "basic",
			body: `{"scope":{"name":"Gateway","description":"Access","scope_suffix":"action_all",
				"dependent_scopes":[{"scope":"73320ffe-4cb4-4b25-a0a3-83d53d59ce4f","optional":false,"requires_refresh_token":true}]}}`,
			status: 200,
			answer: `{"scope":{"scope_string":"https://auth.globus.org/scopes/` + testCred.ID + `/action_all","allows_refresh_token":true,"id":"` + ctScope + `","advertised":false,
				"required_domains":[],"name":"Gateway","description":"Access","client":"` + testCred.ID + `",
				"dependent_scopes":[{"scope":"73320ffe-4cb4-4b25-a0a3-83d53d59ce4f","optional":false,"requires_refresh_token":true}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateScope(ctx, testCred, ActionAllScopeCreate("Gateway", "Access"))
			},
			check: func(t *testing.T, got any) {
				if sc := got.(*Scope); sc.ID != ctScope || len(sc.DependentScopes) != 1 || !sc.DependentScopes[0].RequiresRefreshToken {
					t.Errorf("%+v", sc)
				}
			},
		},
		{
			name: "get scope", source: "testing/data/auth/get_scope.py",
			method: "GET", path: "/auth/v2/api/scopes/" + ctScope, auth: "basic", status: 200,
			answer: `{"scope":{"scope_string":"https://auth.globus.org/scopes/` + testCred.ID + `/action_all","allows_refresh_token":true,"id":"` + ctScope + `","advertised":false,
				"required_domains":[],"name":"Gateway","description":"Access","client":"` + testCred.ID + `","dependent_scopes":[]}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetScope(ctx, Basic(testCred), ctScope) },
			check: func(t *testing.T, got any) {
				if sc := got.(*Scope); sc.ID != ctScope || sc.Client != testCred.ID {
					t.Errorf("%+v", sc)
				}
			},
		},
		{
			name: "get scopes", source: "testing/data/auth/get_scopes.py (ids=)",
			method: "GET", path: "/auth/v2/api/scopes", auth: "basic", query: url.Values{"ids": {ctScope + ",73320ffe-4cb4-4b25-a0a3-83d53d59ce4f"}}, status: 200,
			answer: `{"scopes":[{"scope_string":"urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships","id":"73320ffe-4cb4-4b25-a0a3-83d53d59ce4f","name":"View My Groups and Memberships",
				"client":null,"dependent_scopes":[],"advertised":true,"allows_refresh_token":true,"required_domains":[],"description":"View groups"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.GetScopes(ctx, Basic(testCred), []string{ctScope, GroupsDependentScopeID})
			},
			check: func(t *testing.T, got any) {
				if s := got.([]Scope); len(s) != 1 || s[0].ScopeString != GroupsDependentScopeString {
					t.Errorf("%+v", s)
				}
			},
		},
		{
			name: "identities", source: "testing/data/auth/get_identities.py (an unused identity is answered); service_client.py get_identities (provision=false)",
			method: "GET", path: "/auth/v2/api/identities", auth: "bearer", query: url.Values{"usernames": {"globus@globus.org"}, "provision": {"false"}}, status: 200,
			answer: `{"identities":[{"email":null,"id":"46bd0f56-e24f-11e5-a510-131bef46955c","identity_provider":"7daddf46-70c5-45ee-9f0f-7244fe7c8707","name":null,"organization":null,"status":"unused","username":"globus@globus.org"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.LookupIdentities(ctx, bearer, []string{"globus@globus.org"})
			},
			check: func(t *testing.T, got any) {
				if ids := got.([]Identity); len(ids) != 1 || ids[0].Status != "unused" || ids[0].ID == "" {
					t.Errorf("%+v", ids)
				}
			},
		},
		{
			name: "userinfo", source: "docs.globus.org Auth API: GET /v2/oauth2/userinfo (OIDC claims); testing/data/auth/userinfo.py has only error cases",
			method: "GET", path: "/auth/v2/oauth2/userinfo", auth: "bearer", status: 200,
			answer: `{"sub":"` + ctUser + `","preferred_username":"op@example.org","name":"Op","email":"op@example.org","identity_provider":"x","organization":"Example"}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.UserInfo(ctx, bearer) },
			check: func(t *testing.T, got any) {
				if ui := got.(*UserInfo); ui.PreferredUsername != "op@example.org" {
					t.Errorf("%+v", ui)
				}
			},
		},
		{
			name: "create project", source: "testing/data/auth/create_project.py",
			method: "POST", path: "/auth/v2/api/projects", auth: "bearer",
			body:   `{"project":{"display_name":"Gateway","contact_email":"ops@example.org","admin_ids":["` + ctUser + `"]}}`,
			status: 200,
			answer: `{"project":{"admin_ids":["` + ctUser + `"],"contact_email":"ops@example.org","display_name":"Gateway","admin_group_ids":null,"id":"` + ctProject + `","project_name":"Gateway","admins":{"identities":[],"groups":[]}}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateProject(ctx, bearer, ProjectCreate{DisplayName: "Gateway", ContactEmail: "ops@example.org", AdminIDs: []string{ctUser}})
			},
			check: func(t *testing.T, got any) {
				if p := got.(*Project); p.ID != ctProject || p.DisplayName != "Gateway" {
					t.Errorf("%+v", p)
				}
			},
		},
		{
			name: "list projects", source: "testing/data/auth/get_projects.py",
			method: "GET", path: "/auth/v2/api/projects", auth: "bearer", status: 200,
			answer: `{"projects":[{"admin_ids":["` + ctUser + `"],"contact_email":"ops@example.org","display_name":"Gateway","admin_group_ids":null,"id":"` + ctProject + `","project_name":"Gateway","admins":{"identities":[],"groups":[]}}]}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ListProjects(ctx, bearer) },
			check: func(t *testing.T, got any) {
				if ps := got.([]Project); len(ps) != 1 || ps[0].ID != ctProject {
					t.Errorf("%+v", ps)
				}
			},
		},
		{
			name: "get project", source: "testing/data/auth/get_project.py",
			method: "GET", path: "/auth/v2/api/projects/" + ctProject, auth: "bearer", status: 200,
			answer: `{"project":{"admin_ids":["` + ctUser + `"],"contact_email":"ops@example.org","display_name":"Gateway","admin_group_ids":null,"id":"` + ctProject + `","project_name":"Gateway","admins":{"identities":[],"groups":[]}}}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.GetProject(ctx, bearer, ctProject) },
			check: func(t *testing.T, got any) {
				if p := got.(*Project); p.ID != ctProject {
					t.Errorf("%+v", p)
				}
			},
		},
		{
			name: "create client", source: "testing/data/auth/create_client.py",
			method: "POST", path: "/auth/v2/api/clients", auth: "bearer",
			body:   `{"client":{"name":"Public","project":"` + ctProject + `","client_type":"public_installed_client","redirect_uris":["https://auth.globus.org/v2/web/auth-code"]}}`,
			status: 200,
			answer: `{"client":{"required_idp":null,"name":"Public","redirect_uris":["https://auth.globus.org/v2/web/auth-code"],"links":{"privacy_policy":null,"terms_and_conditions":null},"scopes":[],
				"grant_types":["authorization_code","refresh_token"],"id":"` + ctClient + `","prompt_for_named_grant":true,"fqdns":[],"project":"` + ctProject + `",
				"client_type":"public_installed_client","visibility":"private","parent_client":null,"userinfo_from_effective_identity":true,"preselect_idp":null,"public_client":true}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateClient(ctx, bearer, ClientCreate{Name: "Public", Project: ctProject, ClientType: ClientTypePublicThick,
					RedirectURIs: []string{"https://auth.globus.org/v2/web/auth-code"}})
			},
			check: func(t *testing.T, got any) {
				if cl := got.(*AppClient); cl.ID != ctClient || !cl.PublicClient {
					t.Errorf("%+v", cl)
				}
			},
		},
		{
			name: "list clients", source: "testing/data/auth/get_clients.py",
			method: "GET", path: "/auth/v2/api/clients", auth: "bearer", query: url.Values{"project_id": {ctProject}}, status: 200,
			answer: `{"clients":[{"name":"Svc","id":"` + ctClient + `","project":"` + ctProject + `","client_type":"client_identity","public_client":false,"scopes":[],"redirect_uris":[],"grant_types":["client_credentials"]}]}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ListClients(ctx, bearer, ctProject) },
			check: func(t *testing.T, got any) {
				if cls := got.([]AppClient); len(cls) != 1 || cls[0].ID != ctClient {
					t.Errorf("%+v", cls)
				}
			},
		},
		{
			name: "create credential", source: "testing/data/auth/create_client_credential.py",
			method: "POST", path: "/auth/v2/api/clients/" + ctClient + "/credentials", auth: "bearer",
			body: `{"credential":{"name":"gateway"}}`, status: 200,
			answer: `{"credential":{"name":"gateway","id":"` + ctCred + `","created":"2023-10-21T22:46:15.845937+00:00","client":"` + ctClient + `","secret":"shown-once-secret-0123"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateCredential(ctx, bearer, ctClient, "gateway")
			},
			check: func(t *testing.T, got any) {
				if cr := got.(*Credential); cr.ID != ctCred || cr.Secret != "shown-once-secret-0123" || cr.Created.IsZero() {
					t.Errorf("%v", cr.ID)
				}
			},
		},
		{
			name: "list credentials", source: "testing/data/auth/get_client_credentials.py (secret is null)",
			method: "GET", path: "/auth/v2/api/clients/" + ctClient + "/credentials", auth: "bearer", status: 200,
			answer: `{"credentials":[{"name":"gateway","id":"` + ctCred + `","created":"2023-10-21T22:46:15.845937+00:00","client":"` + ctClient + `","secret":null}]}`,
			call:   func(ctx context.Context, c *Client) (any, error) { return c.ListCredentials(ctx, bearer, ctClient) },
			check: func(t *testing.T, got any) {
				if crs := got.([]Credential); len(crs) != 1 || crs[0].ID != ctCred || crs[0].Secret != "" {
					t.Errorf("%v", crs)
				}
			},
		},
		{
			name: "delete credential", source: "testing/data/auth/delete_client_credential.py",
			method: "DELETE", path: "/auth/v2/api/clients/" + ctClient + "/credentials/" + ctCred, auth: "bearer", status: 200,
			answer: `{"credential":{"name":"gateway","id":"` + ctCred + `","created":"2023-10-21T22:46:15.845937+00:00","client":"` + ctClient + `","secret":null}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return nil, c.DeleteCredential(ctx, bearer, ctClient, ctCred)
			},
		},
		{
			name: "create policy", source: "testing/data/auth/create_policy.py (request body echoed with an id)",
			method: "POST", path: "/auth/v2/api/policies", auth: "bearer",
			body: `{"policy":{"project_id":"` + ctProject + `","display_name":"HA","description":"Who","high_assurance":true,"authentication_assurance_timeout":28800,
				"domain_constraints_include":["ANL.gov"],"required_mfa":false}}`,
			status: 200,
			answer: `{"policy":{"project_id":"` + ctProject + `","display_name":"HA","description":"Who","high_assurance":true,"authentication_assurance_timeout":28800,
				"domain_constraints_include":["ANL.gov"],"required_mfa":false,"id":"` + ctPolicy + `"}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreatePolicy(ctx, bearer, PolicyCreate{ProjectID: ctProject, DisplayName: "HA", Description: "Who", HighAssurance: true,
					AuthenticationAssuranceTimeout: 28800, DomainConstraintsInclude: []string{"ANL.gov"}})
			},
			check: func(t *testing.T, got any) {
				// The domain is sent and kept exactly as typed: the gateway
				// compares it with AUTHORIZED_IDP_DOMAINS, case included.
				if p := got.(*Policy); p.ID != ctPolicy || !reflect.DeepEqual(p.DomainConstraintsInclude, []string{"ANL.gov"}) {
					t.Errorf("%+v", p)
				}
			},
		},
		{
			name: "get policy (as the Service Account, gateway start-up)", source: "testing/data/auth/get_policy.py (domain_constraints_exclude null); gateway inference_gateway/apps.py",
			method: "GET", path: "/auth/v2/api/policies/" + ctPolicy, auth: "bearer", status: 200,
			answer: `{"policy":{"high_assurance":false,"domain_constraints_include":["greenlight.org"],"display_name":"G","description":"Only G","id":"` + ctPolicy + `",
				"domain_constraints_exclude":null,"project_id":"` + ctProject + `","authentication_assurance_timeout":35,"required_mfa":false}}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetPolicy(ctx, bearer, ctPolicy) },
			check: func(t *testing.T, got any) {
				if p := got.(*Policy); p.HighAssurance || p.AuthenticationAssuranceTimeout != 35 || p.DomainConstraintsInclude[0] != "greenlight.org" {
					t.Errorf("%+v", p)
				}
			},
		},
		{
			name: "list policies", source: "testing/data/auth/get_policies.py",
			method: "GET", path: "/auth/v2/api/policies", auth: "bearer", status: 200,
			answer: `{"policies":[{"high_assurance":true,"domain_constraints_include":["anl.gov"],"display_name":"HA","description":"","id":"` + ctPolicy + `",
				"domain_constraints_exclude":null,"project_id":"` + ctProject + `","authentication_assurance_timeout":28800,"required_mfa":false}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.ListPolicies(ctx, bearer) },
			check: func(t *testing.T, got any) {
				if ps := got.([]Policy); len(ps) != 1 || ps[0].ID != ctPolicy || !ps[0].HighAssurance {
					t.Errorf("%+v", ps)
				}
			},
		},
		{
			name: "create group", source: "Groups OpenAPI POST /v2/groups (201; memberships only with include=); testing/data/groups/create_group.py for the document",
			method: "POST", path: "/groups/v2/groups", auth: "bearer",
			body: `{"name":"Users","description":"Who may use it"}`, status: 201,
			answer: `{"name":"Users","description":"Who may use it","parent_id":null,"id":"` + ctGroup + `","group_type":"regular","enforce_session":false,"session_limit":28800,"session_timeouts":{}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.CreateGroup(ctx, bearer, GroupCreate{Name: "Users", Description: "Who may use it"})
			},
			check: func(t *testing.T, got any) {
				if g := got.(*Group); g.ID != ctGroup || g.Name != "Users" || len(g.MyMemberships) != 0 {
					t.Errorf("%+v", g)
				}
			},
		},
		{
			name: "get group with memberships", source: "testing/data/groups/get_group.py; Groups OpenAPI include=memberships",
			method: "GET", path: "/groups/v2/groups/" + ctGroup, auth: "bearer", query: url.Values{"include": {"memberships"}}, status: 200,
			answer: `{"name":"Users","description":"","parent_id":null,"id":"` + ctGroup + `","group_type":"regular","enforce_session":false,"session_limit":28800,"session_timeouts":{},
				"memberships":[{"group_id":"` + ctGroup + `","identity_id":"` + ctUser + `","username":"a@example.org","role":"member","status":"active"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.GetGroup(ctx, bearer, ctGroup, true) },
			check: func(t *testing.T, got any) {
				if g := got.(*Group); len(g.Memberships) != 1 || g.Memberships[0].Status != "active" {
					t.Errorf("%+v", g)
				}
			},
		},
		{
			name: "my groups", source: "testing/data/groups/get_my_groups.py (my_memberships and policies present)",
			method: "GET", path: "/groups/v2/groups/my_groups", auth: "bearer", status: 200,
			answer: `[{"name":"Users","parent_id":null,"id":"` + ctGroup + `","group_type":"regular","enforce_session":false,"session_limit":28800,"session_timeouts":{},
				"my_memberships":[{"group_id":"` + ctGroup + `","identity_id":"` + ctUser + `","username":"a@example.org","role":"member","status":"active"}],
				"policies":{"group_visibility":"private","group_members_visibility":"managers"}}]`,
			call: func(ctx context.Context, c *Client) (any, error) { return c.MyGroups(ctx, bearer) },
			check: func(t *testing.T, got any) {
				if gs := got.([]Group); len(gs) != 1 || gs[0].ID != ctGroup || len(gs[0].MyMemberships) != 1 {
					t.Errorf("%+v", gs)
				}
			},
		},
		{
			name: "set group policies", source: "testing/data/groups/set_group_policies.py",
			method: "PUT", path: "/groups/v2/groups/" + ctGroup + "/policies", auth: "bearer",
			body:   `{"is_high_assurance":false,"group_visibility":"private","group_members_visibility":"managers","join_requests":false,"signup_fields":[],"authentication_assurance_timeout":28800}`,
			status: 200,
			answer: `{"is_high_assurance":false,"authentication_assurance_timeout":28800,"group_visibility":"private","group_members_visibility":"managers","join_requests":false,"signup_fields":[]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.SetGroupPolicies(ctx, bearer, ctGroup, GroupPolicies{GroupVisibility: "private", GroupMembersVisibility: "managers", AuthenticationAssuranceTimeout: 28800})
			},
			check: func(t *testing.T, got any) {
				if p := got.(*GroupPolicies); p.GroupVisibility != "private" || p.AuthenticationAssuranceTimeout != 28800 {
					t.Errorf("%+v", p)
				}
			},
		},
		{
			name: "add members", source: "globus-cli tests/files/api_fixtures/groups.yaml (add, and errors.add ALREADY_ACTIVE)",
			method: "POST", path: "/groups/v2/groups/" + ctGroup, auth: "bearer",
			body: `{"add":[{"identity_id":"` + ctUser + `","role":"member"},{"identity_id":"00000000-0000-0000-0000-000000000001","role":"member"}]}`, status: 200,
			answer: `{"add":[{"group_id":"` + ctGroup + `","identity_id":"` + ctUser + `","username":"a@example.org","role":"member","status":"active"}],
				"errors":{"add":[{"code":"ALREADY_ACTIVE","detail":"already an active member","identity_id":"00000000-0000-0000-0000-000000000001"}]}}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.AddMembers(ctx, bearer, ctGroup, []MemberAdd{{IdentityID: ctUser, Role: "member"}, {IdentityID: "00000000-0000-0000-0000-000000000001", Role: "member"}})
			},
			check: func(t *testing.T, got any) {
				r := got.(*MembershipResult)
				if len(r.Added) != 1 || len(r.Errors) != 1 || r.Errors[0].Code != "ALREADY_ACTIVE" {
					t.Errorf("%+v", r)
				}
			},
		},
		{
			name: "invite members", source: "Groups OpenAPI POST /v2/groups/{group_id} (invite: same batch document as add)",
			method: "POST", path: "/groups/v2/groups/" + ctGroup, auth: "bearer",
			body: `{"invite":[{"identity_id":"` + ctUser + `","role":"member"}]}`, status: 200,
			answer: `{"invite":[{"group_id":"` + ctGroup + `","identity_id":"` + ctUser + `","username":"a@example.org","role":"member","status":"invited"}]}`,
			call: func(ctx context.Context, c *Client) (any, error) {
				return c.InviteMembers(ctx, bearer, ctGroup, []MemberAdd{{IdentityID: ctUser, Role: "member"}})
			},
			check: func(t *testing.T, got any) {
				if r := got.(*MembershipResult); len(r.Added) != 1 || r.Added[0].Status != "invited" {
					t.Errorf("%+v", r)
				}
			},
		},
	}
}

// TestContract runs each row against our client with a server that checks
// the request exactly and answers Globus's shape.
func TestContract(t *testing.T) {
	for _, row := range contractRows() {
		t.Run(row.name, func(t *testing.T) {
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(row.status)
				_, _ = w.Write([]byte(row.answer))
			})
			got, err := row.call(context.Background(), f.c)
			if err != nil {
				t.Fatalf("%v (source: %s)", err, row.source)
			}
			reqs := f.rec.all()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			checkRequest(t, row, reqs[0])
			if row.check != nil {
				row.check(t, got)
			}
		})
	}
}

func checkRequest(t *testing.T, row contractRow, r seen) {
	t.Helper()
	if r.Method != row.method || r.Path != row.path {
		t.Errorf("%s %s, want %s %s (source: %s)", r.Method, r.Path, row.method, row.path, row.source)
	}
	switch row.auth {
	case "basic":
		if !strings.HasPrefix(r.Auth, "Basic ") {
			t.Errorf("authorization %q, want Basic", strings.SplitN(r.Auth, " ", 2)[0])
		}
	case "bearer":
		if !strings.HasPrefix(r.Auth, "Bearer ") {
			t.Errorf("authorization %q, want Bearer", strings.SplitN(r.Auth, " ", 2)[0])
		}
	case "none":
		if r.Auth != "" {
			t.Errorf("an Authorization header was sent")
		}
	}
	q, _ := url.ParseQuery(r.RawQuery)
	if !sameValues(q, row.query) {
		t.Errorf("query %v, want %v", q, row.query)
	}
	switch {
	case row.form != nil:
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
			t.Errorf("content type %q", ct)
		}
		if !sameValues(r.Form, row.form) {
			t.Errorf("form %v, want %v", slices.Sorted(maps.Keys(r.Form)), slices.Sorted(maps.Keys(row.form)))
		}
	case row.body != "":
		var got, want any
		if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
			t.Fatalf("body %q: %v", r.Body, err)
		}
		if err := json.Unmarshal([]byte(row.body), &want); err != nil {
			t.Fatalf("row body: %v", err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("body\n %s\nwant\n %s", r.Body, row.body)
		}
	default:
		if r.Body != "" {
			t.Errorf("unexpected body %q", r.Body)
		}
	}
}

// sameValues compares exactly, with anyValue matching any present value.
func sameValues(got, want url.Values) bool {
	if len(got) != len(want) {
		return false
	}
	for k, w := range want {
		g, ok := got[k]
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if w[i] != anyValue && g[i] != w[i] {
				return false
			}
		}
	}
	return true
}

// The login code exchange (x/oauth2 sends it) and its refusal: a bad,
// expired or reused code is 401 invalid_grant
// (testing/data/auth/oauth2_exchange_code_for_tokens.py, case invalid_grant;
// tests/functional/services/auth/test_auth_client_flow.py).
func TestContractCodeExchange(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		answer string
	}{
		{"ok", 200, `{"access_token":"auth-at","scope":"openid","expires_in":172800,"token_type":"Bearer","resource_server":"auth.globus.org","id_token":"idt","refresh_token":"rt",
			"other_tokens":[{"access_token":"g-at","scope":"urn:globus:auth:scope:groups.api.globus.org:all","expires_in":172800,"token_type":"Bearer","resource_server":"groups.api.globus.org","refresh_token":"g-rt"}]}`},
		{"invalid_grant", 401, `{"error":"invalid_grant"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.answer))
			})
			flow, err := f.c.StartUserLogin(ctClient, []string{"openid"}, []string{ctPolicy})
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(flow.URL)
			aq := u.Query()
			for k, v := range map[string]string{"client_id": ctClient, "response_type": "code", "code_challenge_method": "S256",
				"access_type": "offline", "session_required_policies": ctPolicy, "scope": "openid", "redirect_uri": flow.RedirectURI} {
				if aq.Get(k) != v {
					t.Errorf("authorize %s = %q, want %q", k, aq.Get(k), v)
				}
			}
			ts, err := f.c.ExchangeCode(context.Background(), flow, "AbCdEf0123")
			checkRequest(t, contractRow{method: "POST", path: "/auth/v2/oauth2/token", auth: "none",
				form: url.Values{"grant_type": {"authorization_code"}, "code": {"AbCdEf0123"}, "redirect_uri": {flow.RedirectURI},
					"client_id": {ctClient}, "code_verifier": {anyValue}}}, f.rec.all()[0])
			if tc.status == 401 {
				var ge *Error
				if !errors.As(err, &ge) || ge.Status != 401 || ge.OAuthError != "invalid_grant" || !strings.Contains(ge.Hint(), "log in again") {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || ts[GroupsResourceServer].RefreshToken != "g-rt" || ts[AuthResourceServer].AccessToken != "auth-at" {
				t.Fatalf("%v %v", ts, err)
			}
		})
	}
}

// Refreshing a public client's token: grant_type=refresh_token with the
// client_id in the form (globus-sdk-python native_client.py
// oauth2_refresh_token).
func TestContractRefresh(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"access_token": "new-at", "scope": "openid", "expires_in": 172800, "token_type": "Bearer", "resource_server": "auth.globus.org", "other_tokens": []any{}})
	})
	tok, err := f.c.Refresh(context.Background(), ctClient, Token{RefreshToken: "rt-0123", ResourceServer: AuthResourceServer})
	if err != nil || tok.AccessToken != "new-at" || tok.RefreshToken != "rt-0123" {
		t.Fatalf("%v %v", tok, err)
	}
	checkRequest(t, contractRow{method: "POST", path: "/auth/v2/oauth2/token", auth: "none",
		form: url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-0123"}, "client_id": {ctClient}}}, f.rec.all()[0])
}

// No Globus client sends a client-credentials grant without a scope
// (globus-sdk v4 requires one): ours refuses before any request.
func TestContractClientCredentialsNeedAScope(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, map[string]any{}) })
	if _, err := f.c.ClientCredentialsToken(context.Background(), testCred); err == nil || !strings.Contains(err.Error(), "at least one scope") {
		t.Fatalf("err = %v", err)
	}
	if n := len(f.rec.all()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A 401 invalid_grant on a Basic-authorised call (a confidential client's
// code exchange or dependent-token grant) is about the code or token, not
// the client's secret: the error field decides, not the status.
func TestInvalidGrantHintWithBasic(t *testing.T) {
	e := &Error{Status: 401, OAuthError: "invalid_grant", Auth: "basic"}
	if h := e.Hint(); !strings.Contains(h, "no longer valid") {
		t.Errorf("hint %q", h)
	}
	e = &Error{Status: 401, OAuthError: "invalid_client", Auth: "basic"}
	if h := e.Hint(); !strings.Contains(h, "secret do not match") {
		t.Errorf("hint %q", h)
	}
}

// A management call refused for want of a recent admin sign-in (403
// FORBIDDEN, no authorization_parameters: GLOBUS-API.md "Second pass") is
// read as a request to sign in again: the login it starts differs from a
// plain one by its session_message, and keeps prompt=login, so Globus
// authenticates afresh rather than reuse the browser's old session.
func TestContractRecentAdminSignIn(t *testing.T) {
	f := newFixture(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 403, map[string]any{"errors": []map[string]any{{"status": "403", "code": "FORBIDDEN", "title": "Forbidden", "id": "req-1",
			"detail": "To access this project you must have an identity with admin privileges in session within the last 30 minutes."}},
			"error": "forbidden", "error_description": "To access this project you must have an identity with admin privileges in session within the last 30 minutes."})
	})
	_, err := f.c.CreateCredential(context.Background(), Bearer("operator-token-0123"), ctClient, "gateway")
	req, _, ok := RequirementsOf(err)
	if !ok {
		t.Fatalf("not a sign-in request: %v", err)
	}
	flow, err := f.c.StartBoostLogin(ctClient, []string{"openid"}, req)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := f.c.StartLogin(ctClient, []string{"openid"})
	got, want := mustQuery(t, flow.URL), mustQuery(t, plain.URL)
	for _, k := range []string{"code_challenge", "state"} {
		got.Del(k)
		want.Del(k)
	}
	want.Set("session_message", "Sign in again as an administrator of the project: Globus wants an admin's sign-in from the last 30 minutes.")
	if got.Encode() != want.Encode() || got.Get("prompt") != "login" {
		t.Errorf("authorize query\n %s\nwant\n %s", got.Encode(), want.Encode())
	}
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
