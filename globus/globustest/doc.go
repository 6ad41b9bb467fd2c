// Package globustest is a stateful, in-process emulator of the parts of Globus
// that globus-setup talks to: Globus Auth, Globus Groups, and a tiny version of
// the web app (developers console and login pages). Tests, the end-to-end runs
// and `globus-setup --demo` use it. It imports nothing of ours: it behaves like
// Globus (the shapes and failure modes in GLOBUS-API.md), not like our client
// hopes.
//
// # URL layout
//
// One http.Handler serves three prefixes under a base URL, so that clients must
// join base URLs properly:
//
//	{base}/auth/    Globus Auth   (GLOBUS_SDK_SERVICE_URL_AUTH)
//	{base}/groups/  Globus Groups (GLOBUS_SDK_SERVICE_URL_GROUPS)
//	{base}/app/     web app       (GLOBUS_SETUP_APP_URL)
//
// Auth: POST v2/oauth2/token (client_credentials, authorization_code with PKCE
// S256, refresh_token, urn:globus:auth:grant_type:dependent_token), POST
// v2/oauth2/token/introspect, GET v2/oauth2/userinfo, GET/POST
// v2/oauth2/authorize (the sign-in page), GET v2/web/auth-code (the page
// showing a native app's code), GET v2/api/identities, v2/api/projects (+
// /{id}), v2/api/clients (+ /{id}, /{id}/credentials, DELETE
// /{id}/credentials/{cid}, /{id}/scopes, /{id}/scopes/{sid}), v2/api/scopes
// (+ /{id}), v2/api/policies (+ /{id}).
//
// Groups: POST v2/groups, GET v2/groups/my_groups, GET v2/groups/{id}
// (?include=memberships), POST v2/groups/{id} (add, invite, remove), GET/PUT
// v2/groups/{id}/policies.
//
// App: a stand-in for the web console, one page per screen as the gateway's
// setup guide walks it (console.go): settings/developers (Add Project; the
// "Register a …" links, Select your Globus project, the form, the app's page
// with its Client UUID, Add Client Secret and the secret shown once; a
// project's Apps and Policies tabs, Add a Policy, the policy's page with its
// Policy ID and Edit) and groups (Create new group, the group's Group UUID,
// its Members tab and Invite Others).
//
// # Behaviour worth knowing
//
//   - Errors use Globus's document {"errors":[{status,code,detail,title,id}],
//     "error","error_description"}; the OAuth endpoints answer the bare
//     {"error":"invalid_client"} / {"error":"invalid_grant"} form.
//   - Creations answer 200, as Globus does. Creating a scope answers
//     {"scopes":[...]}, as Globus does; reads answer {"scope":{...}}.
//   - Client scope strings are spelled https://auth.globus.org/scopes/{client}/{suffix}
//     (how Globus spells them in every environment). Requests may also spell
//     them with this server's own Auth URL ({base}/auth/scopes/...).
//   - The operator calls need a Bearer token for auth.globus.org carrying
//     manage_projects (403 without it, 401 for unknown or expired tokens).
//     Groups needs a token whose resource server is groups.api.globus.org (401
//     otherwise); a group's first admin is the token's identity, a user or a
//     client identity (whose identity ID is the client ID).
//   - Identity look-up: unknown usernames come back with status "unused" and a
//     fresh ID that stays the same afterwards, as Globus answers; with
//     provision=false they are absent. Unknown ids are absent.
//   - Introspection answers {"active":false} for unknown or expired tokens and
//     for callers that are not an audience of the token (its resource server
//     or the client it was issued to). Policies are evaluated against the
//     user's session: the identity authenticated with (its username's domain
//     against domain_constraints_include/exclude) and the age of the
//     authentication against authentication_assurance_timeout.
//   - Dependent tokens answer a JSON array, one token per resource server of
//     the dependent scopes of the caller's scopes in the user's token.
//   - Client secrets are stored as SHA-256 hashes and shown once. Deleting
//     one answers the credential without it; a repeat answers 404.
//   - Userinfo needs an auth.globus.org token granted openid (401 without a
//     valid token, 403 without openid); its claims follow the token's
//     scopes: profile adds the names and IdP, email the e-mail address.
//   - The sign-in page has controls that exist only here, and says so: sign
//     in as any known user, a session that started N minutes ago, tokens
//     handed out already revoked, and access tokens handed out already
//     ended with refresh tokens that still work.
//   - Introspection's identity_set_detail names identities by "sub", with
//     identity_provider_display_name, as the gateway reads them.
//   - Revocation (POST /v2/oauth2/token/revoke) takes a confidential client
//     by HTTP Basic (a wrong secret is 401 invalid_client) and a public one
//     by client_id, and revokes only tokens issued to that client; another
//     client's token is answered {"active": false}, as an unknown one, and
//     left working (RFC 7009 section 2.1 would refuse the request; what
//     Globus answers there is unverified).
//   - Demands (boost.go) refuse chosen calls with a GARE, or with the
//     recent-admin 403 FORBIDDEN of a high-assurance project when the
//     session is older than the window.
//   - Every sign-in is a session of its own, and a token keeps the session
//     it was minted in (a refreshed or dependent token its grant's): a
//     token from before a fresh sign-in is still judged by the old one
//     (demands, policies, session_info, userinfo's last_authentication).
//     Real Globus ties sessions to tokens; that refreshed tokens keep
//     theirs is unverified.
//   - Requests() records every request (service, method, path, kind of auth,
//     status) and never a secret or token.
//
// Seeding and knobs: AddIdentity, LinkIdentity, SetOperator, AddProject,
// RegisterClient, AddClientSecret, AddScope, AddPolicy, AddGroup, AddMember,
// IssueToken, ApproveLogin/ApproveLoginAs (skip the HTML), SetSessionAge (an old
// login fails assurance timeouts), SetAuthenticatedWith (log in with another,
// linked identity), RevokeTokens, EndAccessTokens (a 401 a refresh cures),
// DemandSession, AdvanceClock (expire codes and tokens
// without sleeping), FailNext (429 with Retry-After, 5xx, 403, slow answers
// that honour the request's context, answers lost after the work was done,
// dropped connections). Inspection: Projects, Clients, Credentials, Policies,
// GroupMembers, ClientScopes, Requests.
//
// # Not emulated
//
// OpenID Connect beyond userinfo (no id_token, no JWKS), consents (every scope
// asked for is granted), updating or deleting projects, clients, scopes, policies and groups (only
// client secrets can be deleted), group subscriptions, join requests and
// invitations by e-mail address, pagination, MFA (required_mfa is stored but
// not enforced), session enforcement on Groups calls, identity providers as
// objects (an IdP is a UUID per name), rate limits other than those injected,
// and every Globus service other than Auth and Groups.
package globustest
