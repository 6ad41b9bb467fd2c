package globustest

import (
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Session requirements ("boosts"). A Demand makes chosen calls refuse an
// operator's token whose session does not meet it, with a Globus Auth
// Requirements Error (GARE), as Globus does for e.g. deleting clients or
// projects (MFA within 30 minutes; see GLOBUS-API.md). Shapes, from
// globus-sdk-python:
//   - canonical: {"code": "AuthorizationRequired", "authorization_parameters":
//     {...}} with status 403, as recorded in
//     tests/unit/globus_app/test_auto_gare_redrive.py (_GET_TASK_GARE_RESPONSE);
//   - Legacy, session: "authorization_parameters" with no code and policies
//     and domains comma-separated (tests/unit/test_auth_requirements_error.py
//     test_create_auth_requirements_error_from_authorization_error_csv);
//   - Legacy, consent only: {"code": "ConsentRequired", "message",
//     "required_scopes": [...]} (the same file's Transfer example).
// Which calls Globus Auth guards this way, and its exact body there, is
// unverified: the client must read every shape anyway.
//
// A RecentAdmin demand is the other way real Globus asks for a new sign-in:
// a management call in a high-assurance project refused, while the
// operator's session (its latest sign-in, the login's auth_time) is older
// than the window, with 403 FORBIDDEN "To access this project you must
// have an identity with admin privileges in session within the last 30
// minutes." in Auth's usual error document and no authorization_parameters
// (GLOBUS-API.md, "Second pass": ORNL/DataFed issue 1783; the Ansible
// collection m1yag1/ansible-globus meets it on project updates and
// credential creation). That the emulator asks nothing more of the
// identity (it does not check it is the project's admin: the calls check
// that themselves) is a simplification.
//
// The sign-in page honours the authorize URL's session_required_* parameters
// (see grantCode): it signs in with MFA when asked (unless its emulator-only
// MFA box is cleared) and, for a domain, policy or identity, with an identity
// of the operator's set that meets it, when there is one.

// Demand is one session requirement on some calls.
type Demand struct {
	Method string // "" for any
	// Path is matched against the path after the service prefix: with a
	// "*" it is a path.Match pattern ("/v2/api/clients/*/credentials/*"),
	// otherwise a prefix.
	Path string

	MFA          bool
	SingleDomain []string // e.g. "anl.gov"
	Policies     []string // policy IDs
	Identities   []string // identity IDs or usernames
	Scopes       []string // scope strings the token's client must have consent for
	Message      string   // session_message
	// RecentAdmin refuses a session signed in longer ago than this with
	// the recent-admin FORBIDDEN (above); 0 for none.
	RecentAdmin time.Duration

	Status int  // 401 or 403; 0 means 403
	Legacy bool // answer in the older shape (see above)
	// Always refuses even a session that meets the demand: a boost that
	// does not satisfy the next try.
	Always bool
	// Times limits how many refusals it makes (0: no limit).
	Times int
}

type demandRule struct {
	d       Demand
	refused int
}

// DemandSession adds a demand; demands are consulted in the order added.
func (s *Server) DemandSession(d Demand) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.demands = append(s.demands, &demandRule{d: d})
}

// ClearDemands drops every demand.
func (s *Server) ClearDemands() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.demands = nil
}

// Refusals counts the refusals demands have made so far.
func (s *Server) Refusals() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.demands {
		n += r.refused
	}
	return n
}

// ParseDemand reads a demand written as for `globus-setup emulator --demand`:
// "METHOD PATH REQ..." with REQ among mfa, domain=D, policy=ID, identity=ID,
// scope=S, recent-admin=MINUTES, message=WORDS_JOINED_BY_UNDERSCORES,
// status=401, legacy, always, times=N. METHOD may be "*" for any.
func ParseDemand(spec string) (Demand, error) {
	f := strings.Fields(spec)
	if len(f) < 3 {
		return Demand{}, fmt.Errorf("demand %q: want METHOD PATH REQUIREMENT... (e.g. \"DELETE /v2/api/clients/*/credentials/* mfa\")", spec)
	}
	d := Demand{Method: strings.ToUpper(f[0]), Path: f[1]}
	if d.Method == "*" {
		d.Method = ""
	}
	if !strings.HasPrefix(d.Path, "/") {
		return Demand{}, fmt.Errorf("demand %q: the path must start with / (the path after /auth or /groups)", spec)
	}
	if _, err := path.Match(d.Path, "/"); err != nil {
		return Demand{}, fmt.Errorf("demand %q: bad path pattern: %v", spec, err)
	}
	asked := false
	for _, r := range f[2:] {
		k, v, _ := strings.Cut(r, "=")
		switch strings.ToLower(k) {
		case "mfa":
			d.MFA, asked = true, true
		case "domain":
			d.SingleDomain, asked = append(d.SingleDomain, v), true
		case "policy":
			d.Policies, asked = append(d.Policies, v), true
		case "identity":
			d.Identities, asked = append(d.Identities, v), true
		case "scope":
			d.Scopes, asked = append(d.Scopes, v), true
		case "recent-admin":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 366*24*60 {
				return Demand{}, fmt.Errorf("demand %q: recent-admin needs the window in whole minutes (recent-admin=30)", spec)
			}
			d.RecentAdmin, asked = time.Duration(n)*time.Minute, true
		case "message":
			d.Message = strings.ReplaceAll(v, "_", " ")
		case "legacy":
			d.Legacy = true
		case "always":
			d.Always = true
		case "status":
			n, err := strconv.Atoi(v)
			if err != nil || (n != 401 && n != 403) {
				return Demand{}, fmt.Errorf("demand %q: status must be 401 or 403", spec)
			}
			d.Status = n
		case "times":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Demand{}, fmt.Errorf("demand %q: times must be a whole number from 1", spec)
			}
			d.Times = n
		default:
			return Demand{}, fmt.Errorf("demand %q: unknown requirement %q (mfa, domain=, policy=, identity=, scope=, recent-admin=, message=, status=, legacy, always, times=)", spec, r)
		}
		if v == "" && slices.Contains([]string{"domain", "policy", "identity", "scope"}, strings.ToLower(k)) {
			return Demand{}, fmt.Errorf("demand %q: %s needs a value (%s=...)", spec, k, k)
		}
	}
	if !asked {
		return Demand{}, fmt.Errorf("demand %q: ask for at least one of mfa, domain=, policy=, identity=, scope=, recent-admin=", spec)
	}
	return d, nil
}

func (d Demand) matches(method, rest string) bool {
	if d.Method != "" && d.Method != method {
		return false
	}
	if strings.Contains(d.Path, "*") {
		ok, _ := path.Match(d.Path, rest)
		return ok
	}
	return strings.HasPrefix(rest, d.Path)
}

// refuseForSession answers a GARE when a demand applies to this call and
// the caller's session does not meet it. Only user (Bearer) tokens that are
// active are judged: anything else gets the call's own answer (401 first).
func (s *Server) refuseForSession(w http.ResponseWriter, r *http.Request, rest string) bool {
	raw, ok := bearerToken(r)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.activeToken(raw)
	if t == nil || !t.user {
		return false
	}
	for _, rule := range s.demands {
		d := rule.d
		if !d.matches(r.Method, rest) || (d.Times > 0 && rule.refused >= d.Times) {
			continue
		}
		if d.RecentAdmin > 0 && (d.Always || !s.signedInWithin(t, d.RecentAdmin)) {
			rule.refused++
			writeRecentAdmin(w, d)
			return true
		}
		if !d.Always && s.meets(t, d) {
			continue
		}
		rule.refused++
		writeGARE(w, d)
		return true
	}
	return false
}

// signedInWithin: the token's session was signed in (auth_time) at most
// window ago; s.mu held.
func (s *Server) signedInWithin(t *token, window time.Duration) bool {
	return s.now().Sub(s.sessionFor(t).authTime) <= window
}

// writeRecentAdmin answers the recent-admin refusal in Auth's usual error
// document, with no authorization_parameters (see RecentAdmin above).
func writeRecentAdmin(w http.ResponseWriter, d Demand) {
	status := d.Status
	if status == 0 {
		status = http.StatusForbidden
	}
	apiError(w, status, "FORBIDDEN", fmt.Sprintf("To access this project you must have an identity with admin privileges in session within the last %d minutes.", int(d.RecentAdmin/time.Minute)))
}

// meets: the token's session satisfies d, its recent-admin window aside; s.mu held.
func (s *Server) meets(t *token, d Demand) bool {
	se := s.sessionFor(t)
	via := s.identities[se.via]
	if d.MFA && !se.mfa {
		return false
	}
	if len(d.SingleDomain) > 0 && (via == nil || !slices.Contains(lower(d.SingleDomain), domainOf(via.Username))) {
		return false
	}
	for _, id := range d.Policies {
		p, ok := s.policies[id]
		if !ok || !s.evaluate(p, t) || (p.requiredMFA && !se.mfa) {
			return false
		}
	}
	if len(d.Identities) > 0 && (via == nil || !slices.ContainsFunc(d.Identities, func(x string) bool {
		return x == via.ID || strings.EqualFold(x, via.Username)
	})) {
		return false
	}
	for _, str := range d.Scopes {
		sc := s.scopeByString(str, "")
		if sc == nil || !slices.Contains(s.consents[consentKey(t.sub, t.clientID)], sc.id) {
			return false
		}
	}
	return true
}

func consentKey(primary, clientID string) string { return primary + " " + clientID }

func writeGARE(w http.ResponseWriter, d Demand) {
	status := d.Status
	if status == 0 {
		status = http.StatusForbidden
	}
	session := d.MFA || len(d.SingleDomain) > 0 || len(d.Policies) > 0 || len(d.Identities) > 0
	if d.Legacy && !session {
		body := map[string]any{"code": "ConsentRequired", "required_scopes": d.Scopes,
			"message": orDefault(d.Message, "Missing required consent"), "request_id": requestID()}
		writeJSON(w, status, body)
		return
	}
	ap := map[string]any{}
	if d.Message != "" {
		ap["session_message"] = d.Message
	}
	if d.MFA {
		ap["session_required_mfa"] = true
	}
	list := func(k string, v []string) {
		if len(v) == 0 {
			return
		}
		if d.Legacy && k != "session_required_identities" {
			ap[k] = strings.Join(v, ",")
		} else {
			ap[k] = v
		}
	}
	list("session_required_single_domain", d.SingleDomain)
	list("session_required_policies", d.Policies)
	list("session_required_identities", d.Identities)
	if len(d.Scopes) > 0 {
		ap["required_scopes"] = d.Scopes
	}
	body := map[string]any{"authorization_parameters": ap}
	if !d.Legacy {
		code := "AuthorizationRequired"
		if !session {
			code = "ConsentRequired"
		}
		body["code"] = code
	}
	writeJSON(w, status, body)
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// boostAsked is what an authorize URL asks of the session.
type boostAsked struct {
	mfa                           bool
	domains, policies, identities []string
}

func boostFrom(q interface{ Get(string) string }) boostAsked {
	// The SDK sends "True" (Python's str(bool)); accept any spelling of true.
	v := strings.ToLower(strings.TrimSpace(q.Get("session_required_mfa")))
	return boostAsked{mfa: v == "true" || v == "1",
		domains: splitList(q.Get("session_required_single_domain")), policies: splitList(q.Get("session_required_policies")),
		identities: splitList(q.Get("session_required_identities"))}
}

func (b boostAsked) describe() []string {
	var out []string
	if b.mfa {
		out = append(out, "MFA (a second factor)")
	}
	if len(b.domains) > 0 {
		out = append(out, "an identity from "+strings.Join(b.domains, " or "))
	}
	if len(b.policies) > 0 {
		out = append(out, "meeting the policy "+strings.Join(b.policies, ", "))
	}
	if len(b.identities) > 0 {
		out = append(out, "the identity "+strings.Join(b.identities, " or "))
	}
	return out
}

// boostVia picks the identity of who's set to authenticate with so that the
// asked domain, policy or identity is met, as a person would pick (or link)
// it on the real page; who itself when it already fits or none does; s.mu held.
func (s *Server) boostVia(who string, b boostAsked) string {
	if len(b.domains) == 0 && len(b.policies) == 0 && len(b.identities) == 0 {
		return who
	}
	fits := func(id string) bool {
		in := s.identities[id]
		if in == nil {
			return false
		}
		if len(b.identities) > 0 && !slices.ContainsFunc(b.identities, func(x string) bool { return x == in.ID || strings.EqualFold(x, in.Username) }) {
			return false
		}
		d := domainOf(in.Username)
		if len(b.domains) > 0 && !slices.Contains(lower(b.domains), d) {
			return false
		}
		for _, pid := range b.policies {
			if p, ok := s.policies[pid]; ok && len(p.include) > 0 && !slices.Contains(lower(p.include), d) {
				return false
			}
		}
		return true
	}
	if fits(who) {
		return who
	}
	in := s.identities[who]
	if in == nil {
		return who
	}
	for _, id := range s.identitySet(in.primary) {
		if fits(id) {
			return id
		}
	}
	return who
}
