package steps

import (
	"context"
	"errors"
	"path"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
)

// When Globus refuses a call until the operator signs in again with more
// (MFA, an identity from some domain, a policy, consent to a scope: a Globus
// Auth Requirements Error, globus.AuthRequirements), the wizard and the
// commands answer alike, through Redrive: say in plain words what Globus
// asks, start a login whose authorize URL carries exactly those parameters
// (the same copy-paste code flow), store the new tokens, and run the refused
// work once more. This is the "redrive" of globus-sdk-python's GlobusApp
// (docs/authorization/gare.rst, "GlobusApp Integration"): one new login,
// one more try.

// ErrReauthRequired: Globus asks for a new sign-in that did not happen (no
// terminal to ask in) or did not satisfy it. errors.Is finds it in the
// Problems Redrive returns.
var ErrReauthRequired = errors.New("a new sign-in is needed: Globus asks for one")

// Reauth is one request to the operator to sign in again.
type Reauth struct {
	Action string                   // what Globus refused, in words: "delete a client secret"
	Req    *globus.AuthRequirements // what it asks
	Flow   *globus.LoginFlow        // the login to show; Flow.URL carries Req
}

// Ask says it in one sentence, e.g. "Globus needs you to sign in again with
// MFA (a second factor) to delete a client secret."
func (r *Reauth) Ask() string {
	return askLine(r.Action, r.Req)
}

// Lines are Ask, then Globus's own message when it gave one.
func (r *Reauth) Lines() []string {
	out := []string{r.Ask()}
	if m := r.Req.GlobusSays(); m != "" {
		out = append(out, "Globus says: "+m)
	}
	return out
}

func askLine(action string, req *globus.AuthRequirements) string {
	if !req.Session() && len(req.Scopes) > 0 {
		return "Globus needs you to sign in again and grant consent to " + strings.Join(req.Scopes, ", ") + " to " + action + "."
	}
	return "Globus needs you to sign in again " + req.Describe() + " to " + action + "."
}

// ReauthFunc shows the operator r (r.Lines() and r.Flow.URL) and returns
// what they paste: the code Globus shows, or the address of its page.
type ReauthFunc func(ctx context.Context, r *Reauth) (pasted string, err error)

// Redrive runs fn and, when Globus refuses a call in it with an
// authorization requirement, has the operator sign in again with exactly
// what Globus asks (through e.Reauth), stores that login and runs fn once
// more. A second refusal is an error naming what was asked. Without
// e.Reauth (no terminal) the error names the `globus-setup login` command
// that signs in so. fn must be safe to run again: reads are, and so is
// Apply (what it made is stored or found by its intent, never made twice).
func Redrive(ctx context.Context, e *Env, fn func(context.Context) error) error {
	err := fn(ctx)
	req, ge, ok := globus.RequirementsOf(err)
	if !ok {
		return err
	}
	action := DescribeCall(ge.Method, ge.URL)
	if e == nil || e.Reauth == nil {
		return &Problem{What: strings.TrimSuffix(askLine(action, req), ".") + sessionMessage(req), Err: err, is: ErrReauthRequired,
			Do: Say(redrive(e, req, ""))}
	}
	if err := reauthenticate(ctx, e, action, req); err != nil {
		return err
	}
	err = fn(ctx)
	if req2, ge2, ok := globus.RequirementsOf(err); ok {
		what := "Globus still refuses to " + DescribeCall(ge2.Method, ge2.URL) + " after the new sign-in: it asks to sign in " + req2.Describe()
		do := Say("sign in meeting exactly that", redrive(e, req2, RedriveParen))
		if req2.Equal(req) {
			do = Say("the new sign-in did not give Globus what it asked ("+req2.Describe()+"): ", do,
				"; if your account cannot, ask the project's administrators")
		}
		return &Problem{What: what + sessionMessage(req2), Err: err, is: ErrReauthRequired, Do: do}
	}
	return err
}

// sessionMessage quotes a GARE's session_message for an error; a
// requirement read from the refusal's own words (Reason) is quoted by the
// error it wraps already.
func sessionMessage(req *globus.AuthRequirements) string {
	if req.Reason != "" || req.SessionMessage == "" {
		return ""
	}
	return " (Globus says: " + req.SessionMessage + ")"
}

func reauthenticate(ctx context.Context, e *Env, action string, req *globus.AuthRequirements) error {
	clientID := ""
	if info, ok := LoggedIn(e.Vault); ok {
		clientID = info.ClientID // the client the operator logged in through
	}
	flow, err := StartLoginWith(e, clientID, req)
	if err != nil {
		return err
	}
	r := &Reauth{Action: action, Req: req, Flow: flow}
	pasted, err := e.Reauth(ctx, r)
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return err
		}
		return &Problem{What: r.Ask() + " The sign-in did not happen", Err: err, is: ErrReauthRequired,
			Do: Say(redrive(e, req, RedriveHere))}
	}
	if _, err := FinishLogin(ctx, e, flow, pasted); err != nil {
		return err
	}
	return nil
}

// StartLoginWith is StartLogin whose authorize URL also carries what req
// asks (nil: a plain login). Show flow.URL to the operator.
func StartLoginWith(e *Env, clientID string, req *globus.AuthRequirements) (*globus.LoginFlow, error) {
	f, err := StartLogin(e, clientID) // checks the environment and the client
	if err != nil || req == nil {
		return f, err
	}
	return e.Globus.StartBoostLogin(f.ClientID, LoginScopes(), req)
}

// LoginCommand is the login command line that signs in as req asks,
// through the client of the stored login when it is not the stored public
// client (the command's default).
func LoginCommand(e *Env, req *globus.AuthRequirements) string {
	return loginCommandLine(logInAs(e, req).ClientID, req)
}

func loginCommandLine(clientID string, req *globus.AuthRequirements) string {
	args := []string{"globus-setup", "login"}
	if clientID != "" {
		args = append(args, "--client-id", clientID)
	}
	if req == nil {
		return strings.Join(args, " ")
	}
	if req.MFA {
		args = append(args, "--mfa")
	}
	for _, f := range []struct {
		flag string
		vals []string
	}{{"--domain", req.SingleDomain}, {"--policy", req.Policies}, {"--identity", req.Identities}, {"--scope", req.Scopes}} {
		for _, v := range f.vals {
			args = append(args, f.flag, argQuote(v))
		}
	}
	return strings.Join(args, " ")
}

// argQuote quotes s for a POSIX shell (as shellQuote) unless it is plainly safe.
func argQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-._:/@=,+", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return shellQuote(s)
}

// callWords: the calls this tool makes, in the operator's words. Patterns
// are path.Match patterns of the path within the service.
var callWords = []struct{ method, pattern, words string }{
	{"DELETE", "/v2/api/clients/*/credentials/*", "delete a client secret"},
	{"POST", "/v2/api/clients/*/credentials", "make a client secret"},
	{"GET", "/v2/api/clients/*/credentials", "list an app's client secrets"},
	{"POST", "/v2/api/clients/*/scopes", "create a scope"},
	{"DELETE", "/v2/api/clients/*", "delete an app"},
	{"POST", "/v2/api/clients", "register an app"},
	{"GET", "/v2/api/clients*", "read your apps"},
	{"DELETE", "/v2/api/projects/*", "delete a project"},
	{"PUT", "/v2/api/projects/*", "update a project"},
	{"POST", "/v2/api/projects", "create a project"},
	{"GET", "/v2/api/projects*", "read your projects"},
	{"POST", "/v2/api/policies", "create a policy"},
	{"GET", "/v2/api/policies*", "read policies"},
	{"GET", "/v2/api/scopes*", "read scopes"},
	{"GET", "/v2/api/identities", "look up identities"},
	{"GET", "/v2/oauth2/userinfo", "read who is logged in"},
	{"POST", "/v2/groups", "create a group"},
	{"PUT", "/v2/groups/*/policies", "set a group's policies"},
	{"POST", "/v2/groups/*", "add members to a group"},
	{"GET", "/v2/groups*", "read groups"},
}

// DescribeCall names a refused call in words, e.g. "delete a client secret".
func DescribeCall(method, p string) string {
	p = strings.TrimSuffix(p, "/")
	for _, c := range callWords {
		if c.method != method {
			continue
		}
		if ok, _ := path.Match(c.pattern, p); ok {
			return c.words
		}
		if strings.HasSuffix(c.pattern, "*") && !strings.Contains(strings.TrimSuffix(c.pattern, "*"), "*") && strings.HasPrefix(p, strings.TrimSuffix(c.pattern, "*")) {
			return c.words
		}
	}
	return "make the call " + method + " " + p
}
