package globus

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variables read by EnvironmentFromEnv. The GLOBUS_SDK_ ones are the
// Globus SDK's and CLI's own, so one setting steers every Globus tool alike.
const (
	EnvEnvironment = "GLOBUS_SDK_ENVIRONMENT"
	EnvAuthURL     = "GLOBUS_SDK_SERVICE_URL_AUTH"
	EnvGroupsURL   = "GLOBUS_SDK_SERVICE_URL_GROUPS"
	EnvHTTPTimeout = "GLOBUS_SDK_HTTP_TIMEOUT"
	// EnvAppURL is ours, not the SDK's: the web app (console) base URL, for
	// when Auth points somewhere the app URL cannot be derived from.
	EnvAppURL = "GLOBUS_SETUP_APP_URL"
)

// DefaultTimeout is the Globus SDK's default HTTP timeout.
const DefaultTimeout = 60 * time.Second

// Environment holds the base URLs of the Globus services the wizard talks to.
type Environment struct {
	Name      string        // "production" | "preview" | "custom" (some URL overridden)
	AuthURL   string        // always ends in "/"  e.g. https://auth.globus.org/
	GroupsURL string        // e.g. https://groups.api.globus.org/
	AppURL    string        // web app (console) e.g. https://app.globus.org/
	Timeout   time.Duration // GLOBUS_SDK_HTTP_TIMEOUT; 0 means the default 60s, negative means none
}

// Production and Preview are Globus's two public environments.
var (
	Production = Environment{
		Name:      "production",
		AuthURL:   "https://auth.globus.org/",
		GroupsURL: "https://groups.api.globus.org/",
		AppURL:    "https://app.globus.org/",
		Timeout:   DefaultTimeout,
	}
	Preview = Environment{
		Name:      "preview",
		AuthURL:   "https://auth.preview.globus.org/",
		GroupsURL: "https://groups.api.preview.globus.org/",
		AppURL:    "https://app.preview.globus.org/",
		Timeout:   DefaultTimeout,
	}
)

// EnvironmentFromEnv builds the Environment from GLOBUS_SDK_ENVIRONMENT
// (production by default, or preview), GLOBUS_SDK_SERVICE_URL_AUTH and
// GLOBUS_SDK_SERVICE_URL_GROUPS (override one service's base URL),
// GLOBUS_SDK_HTTP_TIMEOUT (seconds; -1 for none, as in the SDK) and
// GLOBUS_SETUP_APP_URL (the web app's base URL).
//
// When Auth is overridden and GLOBUS_SETUP_APP_URL is not set, the app URL is
// derived from the Auth URL if it ends in "/auth/" (the emulator's layout:
// {base}/auth/, {base}/groups/, {base}/app/), else it stays the environment's.
func EnvironmentFromEnv(getenv func(string) string) (Environment, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var env Environment
	switch name := get(EnvEnvironment); name {
	case "", "production":
		env = Production
	case "preview":
		env = Preview
	default:
		return Environment{}, fmt.Errorf("%s=%q is not a Globus environment: use production or preview (or unset it)", EnvEnvironment, name)
	}

	if v := get(EnvAuthURL); v != "" {
		u, err := normalizeBaseURL(EnvAuthURL, v)
		if err != nil {
			return Environment{}, err
		}
		env.AuthURL, env.Name = u, "custom"
		if strings.HasSuffix(u, "/auth/") {
			env.AppURL = strings.TrimSuffix(u, "auth/") + "app/"
		}
	}
	if v := get(EnvGroupsURL); v != "" {
		u, err := normalizeBaseURL(EnvGroupsURL, v)
		if err != nil {
			return Environment{}, err
		}
		env.GroupsURL, env.Name = u, "custom"
	}
	if v := get(EnvAppURL); v != "" {
		u, err := normalizeBaseURL(EnvAppURL, v)
		if err != nil {
			return Environment{}, err
		}
		env.AppURL = u
	}
	if v := get(EnvHTTPTimeout); v != "" {
		secs, err := strconv.ParseFloat(v, 64)
		switch {
		case err != nil || secs != secs: // NaN too
			return Environment{}, fmt.Errorf("%s=%q is not a number of seconds (e.g. 120, or -1 for no timeout)", EnvHTTPTimeout, v)
		case secs == -1:
			env.Timeout = -1
		case secs <= 0 || secs > 24*3600:
			return Environment{}, fmt.Errorf("%s=%q is out of range: use a number of seconds above 0 and at most 86400 (or -1 for no timeout)", EnvHTTPTimeout, v)
		default:
			env.Timeout = time.Duration(secs * float64(time.Second))
		}
	}
	return env, nil
}

// normalizeBaseURL checks that v is an absolute http(s) URL with no query or
// fragment and makes it end in "/", so joining "v2/..." onto it is plain
// concatenation.
func normalizeBaseURL(variable, v string) (string, error) {
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s=%q is not an absolute http(s) URL such as https://auth.globus.org/", variable, redactURL(v))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("%s=%q must be a plain base URL, without user info, query or fragment", variable, redactURL(v))
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u.String(), nil
}

// CheckServiceURL applies the credential rule to a base or request URL: only
// https may carry credentials, except http to a loopback host (127.0.0.0/8,
// localhost, [::1]) for tests and the demo.
func CheckServiceURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", redactURL(raw))
	}
	return checkURL(u)
}

func checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && isLoopback(u.Hostname()):
		return nil
	}
	return fmt.Errorf("refusing %s: credentials are only sent over https:// (plain http:// is allowed only to loopback hosts 127.0.0.0/8, localhost and [::1])", safeURL(u))
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// safeURL prints scheme, host and path only: query strings may carry codes or tokens.
func safeURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()
}

func redactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		return safeURL(u)
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		return raw[:i]
	}
	return raw
}

// DevelopersConsoleURL is where projects, apps, secrets and policies are
// managed: the front page each of the gateway's setup guide's steps 1–5
// starts from ("Visit https://app.globus.org/settings/developers",
// inference-gateway docs/admin-guide/gateway-setup/globus-setup.md).
func (e Environment) DevelopersConsoleURL() string { return e.AppURL + "settings/developers" }

// RegistrationURL is the console's page registering an app of clientType,
// which asks for the project first: one click fewer than the front page's
// "Register a …" link. globus-sdk-python's docs link it for a service
// account and a thick client (docs/authorization/globus_app/apps.rst:
// .../settings/developers/registration/client_identity and
// .../registration/public_installed_client); for other types it is
// unverified, so the front page is used for them.
func (e Environment) RegistrationURL(clientType string) string {
	return e.AppURL + "settings/developers/registration/" + clientType
}

// GroupsConsoleURL is the web app's groups page, where the same guide's
// step 6 starts ("Visit https://app.globus.org/groups").
func (e Environment) GroupsConsoleURL() string { return e.AppURL + "groups" }

// AuthCodeRedirectURI is the page on which Globus shows a native app's
// authorization code for the operator to copy.
func (e Environment) AuthCodeRedirectURI() string { return e.AuthURL + "v2/web/auth-code" }

func (e Environment) authorizeURL() string { return e.AuthURL + "v2/oauth2/authorize" }
func (e Environment) tokenURL() string     { return e.AuthURL + "v2/oauth2/token" }

// Scopes and IDs the wizard uses.
const (
	GroupsScope         = "urn:globus:auth:scope:groups.api.globus.org:all"
	ManageProjectsScope = "urn:globus:auth:scope:auth.globus.org:manage_projects"
	ViewIdentitiesScope = "urn:globus:auth:scope:auth.globus.org:view_identities"
	// GroupsDependentScopeID is the Groups scope's UUID, the one dependent scope
	// of the gateway's action_all scope: it lets the gateway read its users'
	// group memberships.
	GroupsDependentScopeID = "73320ffe-4cb4-4b25-a0a3-83d53d59ce4f"
	ActionAllSuffix        = "action_all"
	// GroupsDependentScopeString is that scope's string (globus-sdk-python
	// scopes/data: GroupsScopes.view_my_groups_and_memberships).
	GroupsDependentScopeString = "urn:globus:auth:scope:groups.api.globus.org:view_my_groups_and_memberships"
	// OpenIDScope is the scope a plain secret check asks for.
	OpenIDScope      = "openid"
	TransferAllScope = "urn:globus:auth:scope:transfer.api.globus.org:all"

	// Resource servers of the tokens in a TokenSet.
	AuthResourceServer   = "auth.globus.org"
	GroupsResourceServer = "groups.api.globus.org"
)

// GatewaySDKDefaultScopes are what globus-sdk v3 (which the gateway pins)
// sends when its client-credentials grant is given no scopes, as the
// gateway's start-up check (inference_gateway/apps.py) does: globus-sdk-python
// before commit c300c942, services/auth/_common.py _DEFAULT_REQUESTED_SCOPES.
func GatewaySDKDefaultScopes() []string {
	return []string{"openid", "profile", "email", TransferAllScope}
}

// ActionAllScopeString is the gateway's scope string for the Service API client
// ID. Globus writes production scope strings as https://auth.globus.org/scopes/...;
// other Auth URLs (preview, the emulator) use their own base.
func ActionAllScopeString(authURL, clientID string) string {
	base := authURL
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	return base + "scopes/" + clientID + "/" + ActionAllSuffix
}
