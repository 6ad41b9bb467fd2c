package globus

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// The bodies are those of globus-sdk-python tests/unit/test_auth_requirements_error.py
// and tests/unit/globus_app/test_auto_gare_redrive.py.
func TestParseRequirementsShapes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   AuthRequirements
	}{
		{"canonical, nested", 403,
			`{"code":"AuthorizationRequired","authorization_parameters":{"required_scopes":["my-cool-new-scope"]}}`,
			AuthRequirements{Code: "AuthorizationRequired", Scopes: []string{"my-cool-new-scope"}}},
		{"nested, MFA and identities, no code", 403,
			`{"authorization_parameters":{"session_message":"To gain access you need to authenticate with your baz identity","session_required_identities":["urn:globus:auth:identity:baz"],"session_required_mfa":true}}`,
			AuthRequirements{Code: "AuthorizationRequired", SessionMessage: "To gain access you need to authenticate with your baz identity",
				Identities: []string{"urn:globus:auth:identity:baz"}, MFA: true}},
		{"nested, domains and prompt", 403,
			`{"authorization_parameters":{"session_message":"You need to re-authenticate","session_required_single_domain":["foo.com","baz.org"],"prompt":"login"}}`,
			AuthRequirements{Code: "AuthorizationRequired", SessionMessage: "You need to re-authenticate", SingleDomain: []string{"foo.com", "baz.org"}, Prompt: "login"}},
		{"legacy comma-separated policies, own code", 403,
			`{"code":"UnsatisfiedPolicy","authorization_parameters":{"session_message":"You need to authenticate with an identity that matches the required policies","session_required_policies":"foo,baz"}}`,
			AuthRequirements{Code: "UnsatisfiedPolicy", SessionMessage: "You need to authenticate with an identity that matches the required policies", Policies: []string{"foo", "baz"}}},
		{"legacy top-level required_scopes (Transfer)", 403,
			`{"code":"ConsentRequired","message":"Missing required foo_bar consent","request_id":"WmMV97A1w","required_scopes":["urn:globus:auth:scope:transfer.api.globus.org:all[*foo *bar]"],"resource":"/transfer"}`,
			AuthRequirements{Code: "ConsentRequired", SessionMessage: "Missing required foo_bar consent", Scopes: []string{"urn:globus:auth:scope:transfer.api.globus.org:all[*foo *bar]"}}},
		{"legacy top-level required_scope (action provider)", 401,
			`{"code":"ConsentRequired","required_scope":"urn:globus:auth:scope:transfer.api.globus.org:all[*foo *bar]","description":"Missing required foo_bar consent"}`,
			AuthRequirements{Code: "ConsentRequired", SessionMessage: "Missing required foo_bar consent", Scopes: []string{"urn:globus:auth:scope:transfer.api.globus.org:all[*foo *bar]"}}},
		{"Auth dependent_consent_required", 403,
			`{"error":"dependent_consent_required","error_description":"User must approve your client using scopes. See 'unapproved_scopes'.","errors":[{"code":"DEPENDENT_CONSENT_REQUIRED","id":"x","title":"t","unapproved_scopes":["https://auth.globus.org/scopes/00000000-ec3c-427d-bfb5-51049530122b/flow_user"],"status":"403","detail":"d"}]}`,
			AuthRequirements{Code: "ConsentRequired", Scopes: []string{"https://auth.globus.org/scopes/00000000-ec3c-427d-bfb5-51049530122b/flow_user"}}},
		{"inside errors[], first match", 403,
			`{"errors":[{"code":"NOPE"},{"code":"ConsentRequired","message":"m","authorization_parameters":{"required_scopes":["urn:globus:auth:scope:transfer.api.globus.org:all[*bar]"],"session_message":"Missing required foo_bar consent"}}]}`,
			AuthRequirements{Code: "ConsentRequired", SessionMessage: "Missing required foo_bar consent", Scopes: []string{"urn:globus:auth:scope:transfer.api.globus.org:all[*bar]"}}},
		{"top-level session fields (unverified shape)", 401,
			`{"code":"AuthenticationFailed","session_required_mfa":true,"session_required_single_domain":"anl.gov"}`,
			AuthRequirements{Code: "AuthenticationFailed", MFA: true, SingleDomain: []string{"anl.gov"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := parseError(service{name: "Globus Auth"}, "DELETE", "/v2/api/clients/x", c.status, http.Header{}, []byte(c.body), nil)
			r, _, ok := RequirementsOf(e)
			if !ok {
				t.Fatalf("no requirement found in %s", c.body)
			}
			if r.Code != c.want.Code || r.SessionMessage != c.want.SessionMessage || r.Prompt != c.want.Prompt || !r.Equal(&c.want) {
				t.Fatalf("got %+v\nwant %+v", *r, c.want)
			}
			if !strings.HasPrefix(e.Hint(), "Globus asks you to sign in again") {
				t.Fatalf("hint: %q", e.Hint())
			}
		})
	}
}

func TestParseRequirementsNotAGARE(t *testing.T) {
	for _, body := range []string{
		`{"code":"ConsentRequired","message":"Missing required foo consent"}`, // the SDK docs' non-example
		`{"errors":[{"status":"403","code":"FORBIDDEN","detail":"no"}],"error":"forbidden"}`,
		`{"authorization_parameters":"nope"}`,
		`not json`,
	} {
		e := parseError(service{name: "Globus Auth"}, "GET", "/x", 403, http.Header{}, []byte(body), nil)
		if _, _, ok := RequirementsOf(e); ok {
			t.Errorf("%s: read as a requirement", body)
		}
	}
}

func TestRequirementsMessageScrubbed(t *testing.T) {
	body := `{"code":"AuthorizationRequired","authorization_parameters":{"session_message":"token s3cr3t-token\nleaked \u001b[2J\u009b","session_required_single_domain":["anl.gov\u001b]8;;"],"session_required_mfa":true}}`
	e := parseError(service{name: "Globus Auth"}, "GET", "/x", 403, http.Header{}, []byte(body), []string{"s3cr3t-token"})
	if strings.Contains(e.Requirements.SessionMessage, "s3cr3t") || strings.ContainsAny(e.Requirements.SessionMessage, "\n\x1b\u009b") ||
		e.Requirements.SingleDomain[0] != "anl.gov]8;;" {
		t.Fatalf("message not cleaned: %q", e.Requirements.SessionMessage)
	}
}

// The authorize URL carries the parameters as the SDK encodes them
// (test_auth_client_flow.py test_oauth2_get_authorize_url_supports_session_params).
func TestStartBoostLoginURL(t *testing.T) {
	c, err := New(Environment{AuthURL: "https://auth.example.org/", GroupsURL: "https://groups.example.org/"})
	if err != nil {
		t.Fatal(err)
	}
	req := &AuthRequirements{MFA: true, SingleDomain: []string{"anl.gov", "uchicago.edu"}, Policies: []string{"p1", "p2"},
		Identities: []string{"id1"}, Scopes: []string{"extra:scope", "openid"}, SessionMessage: "MFA please"}
	f, err := c.StartBoostLogin("6f1a7c2e-1234-4abc-8def-0123456789ab", []string{"openid", "email"}, req)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(f.URL)
	q := u.Query()
	want := map[string]string{
		"session_required_mfa":           "True",
		"session_required_single_domain": "anl.gov,uchicago.edu",
		"session_required_policies":      "p1,p2",
		"session_required_identities":    "id1",
		"session_message":                "MFA please",
		"prompt":                         "login",
		"scope":                          "openid email extra:scope",
		"access_type":                    "offline",
		"code_challenge_method":          "S256",
	}
	for k, v := range want {
		if got := q.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !slices.Equal(f.Scopes, []string{"openid", "email", "extra:scope"}) {
		t.Errorf("scopes %v", f.Scopes)
	}
	// No requirement: nothing but the usual login.
	f2, _ := c.StartBoostLogin("6f1a7c2e-1234-4abc-8def-0123456789ab", []string{"openid"}, &AuthRequirements{})
	if strings.Contains(f2.URL, "session_required") {
		t.Errorf("empty requirement added parameters: %s", f2.URL)
	}
}

func TestDescribe(t *testing.T) {
	r := &AuthRequirements{MFA: true, SingleDomain: []string{"anl.gov"}}
	if got := r.Describe(); got != "with MFA (a second factor) and with an identity from anl.gov" {
		t.Fatal(got)
	}
}
