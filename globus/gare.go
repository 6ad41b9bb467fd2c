package globus

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// A Globus Auth Requirements Error (GARE) is how any Globus service says
// "not with this session": the caller must log in again with the parameters
// it names (MFA, a domain, a policy, an identity, consent to a scope) and
// repeat the call. Sources, globus-sdk-python:
//   - src/globus_sdk/gare/_auth_requirements_error.py: the canonical shape,
//     {"code": "...", "authorization_parameters": {session_message,
//     session_required_identities, session_required_policies,
//     session_required_single_domain, session_required_mfa, required_scopes,
//     prompt}};
//   - src/globus_sdk/gare/_variants.py: the older shapes it still accepts
//     (authorization_parameters with comma-separated policies and domains and
//     the default code "AuthorizationRequired"; top-level "required_scopes"
//     with code "ConsentRequired" (Transfer); top-level "required_scope" with
//     "description" (action providers); Auth's "dependent_consent_required"
//     with errors[0].unapproved_scopes);
//   - src/globus_sdk/gare/_functional_api.py: the root document first, then
//     each entry of "errors", the first match wins;
//   - tests/unit/test_auth_requirements_error.py: recorded examples of each.

// AuthRequirements is what a refused call asks of the operator's next login.
// Every field is as Globus sent it, cleaned to one short line.
type AuthRequirements struct {
	Code           string   // "AuthorizationRequired", "ConsentRequired", …
	SessionMessage string   // Globus's own words for the operator, if any
	Identities     []string // session_required_identities (identity UUIDs)
	Policies       []string // session_required_policies (policy UUIDs)
	SingleDomain   []string // session_required_single_domain (e.g. "anl.gov")
	MFA            bool     // session_required_mfa
	Scopes         []string // required_scopes: consent still to be given
	Prompt         string   // prompt, e.g. "login"

	// RecentAdmin: Globus wants a sign-in by an administrator of the
	// project within AdminWithin (0 when it did not say how long), read
	// from a refusal that carries no authorization_parameters (see
	// recentAdminRequirement). Reason is then Globus's own words, and
	// SessionMessage ours, for the sign-in page.
	RecentAdmin bool
	AdminWithin time.Duration
	Reason      string
}

// Session reports whether the session itself must change (not only consent).
func (r *AuthRequirements) Session() bool {
	return r.MFA || len(r.Identities) > 0 || len(r.Policies) > 0 || len(r.SingleDomain) > 0 || r.RecentAdmin
}

// Equal: the same requirement (the code and message aside).
func (r *AuthRequirements) Equal(o *AuthRequirements) bool {
	if r == nil || o == nil {
		return r == o
	}
	return r.MFA == o.MFA && slices.Equal(r.Identities, o.Identities) && slices.Equal(r.Policies, o.Policies) &&
		slices.Equal(r.SingleDomain, o.SingleDomain) && slices.Equal(r.Scopes, o.Scopes) && r.RecentAdmin == o.RecentAdmin
}

// GlobusSays is Globus's own explanation: the refusal's words for a
// requirement read from them, else the GARE's session_message ("" if none).
func (r *AuthRequirements) GlobusSays() string {
	if r.Reason != "" {
		return r.Reason
	}
	return r.SessionMessage
}

// recentAdminDetail is how Globus Auth refuses a management call in a
// high-assurance project whose admin last signed in too long ago: 403,
// code FORBIDDEN, "To access this project you must have an identity with
// admin privileges in session within the last 30 minutes." (ORNL/DataFed
// issue 1783, quoting globus-sdk's AuthAPIError; the Ansible collection
// m1yag1/ansible-globus plugins/modules/globus_auth.py meets it on project
// updates and credential creation). Whether authorization_parameters come
// with it is unverified: a GARE in the body wins (parseRequirements), and
// without one the sentence alone is read.
var recentAdminDetail = regexp.MustCompile(`(?i)admin privileges in session within the last\s*(\d+)?\s*(minute|hour)?`)

// recentAdminRequirement reads that refusal as a request for a fresh
// sign-in (prompt=login), or nil for any other answer. detail is already
// cleaned to one line.
func recentAdminRequirement(status int, detail string) *AuthRequirements {
	if status != http.StatusForbidden && status != http.StatusUnauthorized {
		return nil
	}
	m := recentAdminDetail.FindStringSubmatch(detail)
	if m == nil {
		return nil
	}
	r := &AuthRequirements{Code: "FORBIDDEN", Prompt: "login", RecentAdmin: true, Reason: printable(detail)}
	if n, err := strconv.Atoi(m[1]); err == nil && n > 0 && n < 100000 {
		r.AdminWithin = time.Duration(n) * time.Minute
		if strings.EqualFold(m[2], "hour") {
			r.AdminWithin = time.Duration(n) * time.Hour
		}
	}
	r.SessionMessage = "Sign in again as an administrator of the project: Globus wants an admin's sign-in " + r.within() + "."
	return r
}

// within says how recent the admin's sign-in must be.
func (r *AuthRequirements) within() string {
	if r.AdminWithin <= 0 {
		return "made recently"
	}
	return "from the last " + plainDuration(r.AdminWithin)
}

func plainDuration(d time.Duration) string {
	n, unit := int(d/time.Minute), "minute"
	if d%time.Hour == 0 {
		n, unit = int(d/time.Hour), "hour"
	}
	if n == 1 {
		return unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

// URLParams are the authorize URL's parameters for this requirement, named
// and encoded as globus-sdk-python sends them (login_flows/
// login_flow_manager.py _get_authorize_url → services/auth/client/
// base_login_client.py oauth2_get_authorize_url): lists joined with ","
// (_internal/remarshal.py commajoin), session_required_mfa as Python's
// str(bool), "True" (tests/functional/services/auth/test_auth_client_flow.py
// asserts exactly that), and session_message and prompt as given. The
// required scopes go into "scope" instead (see StartBoostLogin).
func (r *AuthRequirements) URLParams() url.Values {
	v := url.Values{}
	if len(r.Identities) > 0 {
		v.Set("session_required_identities", strings.Join(r.Identities, ","))
	}
	if len(r.SingleDomain) > 0 {
		v.Set("session_required_single_domain", strings.Join(r.SingleDomain, ","))
	}
	if len(r.Policies) > 0 {
		v.Set("session_required_policies", strings.Join(r.Policies, ","))
	}
	if r.MFA {
		v.Set("session_required_mfa", "True")
	}
	if r.SessionMessage != "" {
		v.Set("session_message", r.SessionMessage)
	}
	if r.Prompt != "" {
		v.Set("prompt", r.Prompt)
	}
	return v
}

// RequirementsOf returns the authorization requirement a Globus refusal in
// err carries, if any.
func RequirementsOf(err error) (*AuthRequirements, *Error, bool) {
	var e *Error
	if errors.As(err, &e) && e.Requirements != nil {
		return e.Requirements, e, true
	}
	return nil, nil, false
}

// StartBoostLogin is StartLogin for a refused call: the authorize URL also
// carries req's parameters, and the scopes asked for are scopes plus the
// ones req needs consent for (as the SDK's GlobusApp merges its own scope
// requirements with the GARE's: globus_app/app.py
// _auth_params_with_required_scopes). The login always sends prompt=login
// (StartLogin does), which a requirement's own "prompt" replaces.
func (c *Client) StartBoostLogin(clientID string, scopes []string, req *AuthRequirements) (*LoginFlow, error) {
	all := slices.Clone(scopes)
	if req != nil {
		for _, s := range req.Scopes {
			if !slices.Contains(all, s) {
				all = append(all, s)
			}
		}
	}
	f, err := c.StartLogin(clientID, all)
	if err != nil || req == nil {
		return f, err
	}
	u, err := url.Parse(f.URL)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	for k, v := range req.URLParams() {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	f.URL = u.String()
	return f, nil
}

// parseRequirements finds a GARE in an error document: the root first, then
// each entry of "errors" (as _functional_api.py to_gare does). secrets are
// masked in the message.
func parseRequirements(doc map[string]json.RawMessage, secrets []string) *AuthRequirements {
	r := requirementsIn(doc)
	if r == nil {
		var list []map[string]json.RawMessage
		if json.Unmarshal(doc["errors"], &list) == nil {
			for _, sub := range list {
				if r = requirementsIn(sub); r != nil {
					break
				}
			}
		}
	}
	if r == nil {
		return nil
	}
	r.Code = oneLine(printable(scrub(r.Code, secrets)), 100)
	r.SessionMessage = oneLine(printable(scrub(r.SessionMessage, secrets)), 300)
	r.Prompt = oneLine(printable(r.Prompt), 20)
	for _, l := range []*[]string{&r.Identities, &r.Policies, &r.SingleDomain, &r.Scopes} {
		*l = cleanList(*l)
	}
	return r
}

// requirementsIn reads one document in any of the shapes the SDK accepts.
func requirementsIn(d map[string]json.RawMessage) *AuthRequirements {
	code := jsonString(d["code"])
	if raw, ok := d["authorization_parameters"]; ok {
		var ap map[string]json.RawMessage
		if json.Unmarshal(raw, &ap) != nil || ap == nil {
			return nil
		}
		r := paramsFrom(ap)
		r.Code = code
		if r.Code == "" {
			r.Code = "AuthorizationRequired" // LegacyAuthorizationParametersError.DEFAULT_CODE
		}
		return r
	}
	switch {
	case code == "ConsentRequired" && d["required_scopes"] != nil:
		// LegacyConsentRequiredTransferError
		if s, ok := stringList(d["required_scopes"], false); ok {
			return &AuthRequirements{Code: code, Scopes: s, SessionMessage: jsonString(d["message"])}
		}
	case code == "ConsentRequired" && jsonString(d["required_scope"]) != "":
		// LegacyConsentRequiredAPError
		return &AuthRequirements{Code: code, Scopes: []string{jsonString(d["required_scope"])}, SessionMessage: jsonString(d["description"])}
	case jsonString(d["error"]) == "dependent_consent_required":
		// LegacyDependentConsentRequiredAuthError: errors[0].unapproved_scopes
		var list []map[string]json.RawMessage
		if json.Unmarshal(d["errors"], &list) == nil && len(list) > 0 {
			s, _ := stringList(list[0]["unapproved_scopes"], false)
			return &AuthRequirements{Code: "ConsentRequired", Scopes: s}
		}
	case hasSessionField(d):
		// Session requirements at the top level of the error, with no
		// "authorization_parameters": no SDK variant reads this shape
		// (unverified); read it the same way, since such fields can only
		// mean a requirement.
		r := paramsFrom(d)
		if code == "" {
			code = "AuthorizationRequired"
		}
		r.Code = code
		return r
	}
	return nil
}

func hasSessionField(d map[string]json.RawMessage) bool {
	for _, k := range []string{"session_required_identities", "session_required_policies", "session_required_single_domain", "session_required_mfa"} {
		if _, ok := d[k]; ok {
			return true
		}
	}
	return false
}

// paramsFrom reads the parameters; policies and domains may be lists or
// comma-separated strings (validators opt_str_list_or_commasep).
func paramsFrom(ap map[string]json.RawMessage) *AuthRequirements {
	r := &AuthRequirements{SessionMessage: jsonString(ap["session_message"]), Prompt: jsonString(ap["prompt"])}
	r.Identities, _ = stringList(ap["session_required_identities"], false)
	r.Policies, _ = stringList(ap["session_required_policies"], true)
	r.SingleDomain, _ = stringList(ap["session_required_single_domain"], true)
	r.Scopes, _ = stringList(ap["required_scopes"], false)
	var mfa bool
	if json.Unmarshal(ap["session_required_mfa"], &mfa) == nil {
		r.MFA = mfa
	}
	return r
}

// stringList reads a JSON list of strings, or with commasep a string of
// comma-separated items.
func stringList(raw json.RawMessage, commasep bool) ([]string, bool) {
	if len(raw) == 0 {
		return nil, false
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return l, true
	}
	if s := jsonString(raw); commasep && s != "" {
		return strings.Split(s, ","), true
	}
	return nil, false
}

// cleanList trims, drops blanks and duplicates, and keeps each item short
// and on one line: these go into an authorize URL and onto the screen.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		s = oneLine(printable(strings.TrimSpace(s)), 300)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
		if len(out) == 20 {
			break
		}
	}
	return out
}

// Describe says in plain words what the new login must do, e.g.
// "with MFA and with an identity from anl.gov".
func (r *AuthRequirements) Describe() string {
	var parts []string
	if r.RecentAdmin {
		parts = append(parts, "as an administrator of the project (Globus wants an admin's sign-in "+r.within()+")")
	}
	if r.MFA {
		parts = append(parts, "with MFA (a second factor)")
	}
	if len(r.SingleDomain) > 0 {
		parts = append(parts, "with an identity from "+orList(r.SingleDomain))
	}
	if len(r.Policies) > 0 {
		word := "policy"
		if len(r.Policies) > 1 {
			word = "policies"
		}
		parts = append(parts, "meeting the authentication "+word+" "+strings.Join(r.Policies, ", "))
	}
	if len(r.Identities) > 0 {
		parts = append(parts, "with the identity "+orList(r.Identities))
	}
	if len(r.Scopes) > 0 {
		parts = append(parts, "granting consent to "+strings.Join(r.Scopes, ", "))
	}
	if len(parts) == 0 {
		return "(Globus gave no details)"
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

func orList(l []string) string {
	if len(l) <= 1 {
		return strings.Join(l, "")
	}
	return strings.Join(l[:len(l)-1], ", ") + " or " + l[len(l)-1]
}

// printable drops control characters (terminal escapes among them): these
// strings come from the server and are shown on the operator's screen.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' || r == 0x7f || r >= 0x80 && r <= 0x9f {
			return -1
		}
		return r
	}, s)
}
