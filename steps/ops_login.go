package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// OperatorTokensKey is the vault Internal key holding the operator's login
// (never in Values, so never exported, printed or copied).
const OperatorTokensKey = "tokens.operator"

// Resource servers of the operator's tokens.
const (
	AuthResourceServer   = "auth.globus.org"
	GroupsResourceServer = "groups.api.globus.org"
)

// refreshMargin: a token expiring within this is refreshed first, so a call
// never starts with a token about to lapse.
const refreshMargin = 2 * time.Minute

// ErrNotLoggedIn: an operator call with no usable login. errors.Is finds it
// inside the Problems OperatorToken returns.
var ErrNotLoggedIn = errors.New("not logged in to Globus")

// LoginScopes are what the operator's login asks for: the developers console
// (manage_projects), identity look-ups, who the operator is, and Groups.
// view_identities may not be needed for look-ups (GLOBUS-API.md; globus-cli
// looks identities up without it): unverified, so it is still asked for,
// which is safe either way.
func LoginScopes() []string {
	return []string{"openid", "profile", "email", globus.ManageProjectsScope, globus.ViewIdentitiesScope, globus.GroupsScope}
}

// operatorLogin is what the vault keeps: the client the tokens belong to
// (needed to refresh them) and the tokens by resource server.
type operatorLogin struct {
	ClientID string                 `json:"client_id"`
	Tokens   map[string]storedToken `json:"tokens"`
	At       time.Time              `json:"logged_in_at"`

	unknown vault.Unknown // fields of a newer version, kept (records_unknown.go)
}

type storedToken struct {
	AccessToken    string    `json:"access_token"`
	RefreshToken   string    `json:"refresh_token,omitempty"`
	Scope          string    `json:"scope,omitempty"`
	ResourceServer string    `json:"resource_server"`
	TokenType      string    `json:"token_type,omitempty"`
	ExpiresAt      time.Time `json:"expires_at,omitzero"`

	unknown vault.Unknown // fields of a newer version, kept (records_unknown.go)
}

func toStored(t globus.Token) storedToken {
	return storedToken{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, Scope: t.Scope,
		ResourceServer: t.ResourceServer, TokenType: t.TokenType, ExpiresAt: t.ExpiresAt}
}

func (s storedToken) token() globus.Token {
	return globus.Token{AccessToken: s.AccessToken, RefreshToken: s.RefreshToken, Scope: s.Scope,
		ResourceServer: s.ResourceServer, TokenType: s.TokenType, ExpiresAt: s.ExpiresAt}
}

func readLogin(internal map[string]string) (*operatorLogin, bool) {
	raw := internal[OperatorTokensKey]
	if raw == "" {
		return nil, false
	}
	var l operatorLogin
	if json.Unmarshal([]byte(raw), &l) != nil || len(l.Tokens) == 0 {
		return nil, false
	}
	return &l, true
}

func (l *operatorLogin) encode() (string, error) {
	b, err := json.Marshal(l)
	return string(b), err
}

// StartLogin prepares the operator's PKCE login through clientID, or the
// stored public client when clientID is empty. Show flow.URL to the operator.
func StartLogin(e *Env, clientID string) (*globus.LoginFlow, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	clientID = strings.TrimSpace(clientID)
	if clientID == "" {
		clientID = value(e.Vault, "public_client.client_id")
	}
	if clientID == "" {
		return nil, &Problem{
			What: "no public client to log in with: public_client.client_id is not stored",
			Do:   Say("register the public client (step 4) and store its ID with ", setKey("public_client.client_id"), ", or log in once with any thick client's ID: ", logInThrough("ID")),
		}
	}
	n, err := NormalizeUUID(clientID)
	if err != nil {
		return nil, &Problem{What: "--client-id is not a client ID", Err: err, Do: Say("give the UUID shown as Client UUID on the app's page")}
	}
	return e.Globus.StartLogin(n, LoginScopes())
}

// LoginInfo describes a finished login (never its tokens).
type LoginInfo struct {
	ClientID        string
	ResourceServers []string // sorted
}

// FinishLogin exchanges what the operator pasted (the code, or the address of
// the page showing it) for tokens and keeps them in the vault's internal part.
func FinishLogin(ctx context.Context, e *Env, flow *globus.LoginFlow, pasted string) (LoginInfo, error) {
	if err := checkEnv(e); err != nil {
		return LoginInfo{}, err
	}
	ts, err := e.Globus.ExchangeCode(ctx, flow, pasted)
	if err != nil {
		if p := badCodeProblem(err, "the login", Say("log in again (", logIn(), ")")); p != nil {
			return LoginInfo{}, p
		}
		var ge *globus.Error
		if errors.As(err, &ge) && (strings.EqualFold(ge.OAuthError, "invalid_client") || ge.Status == 401) {
			return LoginInfo{}, &Problem{What: "Globus refused the login for client " + flow.ClientID, Err: err,
				Do: Say("check that it is a public (thick, native) client's ID, registered with the redirect URI " + flow.RedirectURI)}
		}
		return LoginInfo{}, problem("exchanging the login code", err)
	}
	l := &operatorLogin{ClientID: flow.ClientID, Tokens: map[string]storedToken{}, At: time.Now().UTC()}
	for rs, t := range ts {
		if t.AccessToken != "" {
			l.Tokens[rs] = toStored(t)
		}
	}
	if len(l.Tokens) == 0 {
		return LoginInfo{}, errors.New("the login was answered by Globus without any token: log in again")
	}
	enc, err := l.encode()
	if err != nil {
		return LoginInfo{}, err
	}
	if err := e.Vault.SetInternal(OperatorTokensKey, enc); err != nil {
		return LoginInfo{}, problem("keeping the login in the vault", err)
	}
	return l.info(), nil
}

// badCodeProblem is the Problem for a login code Globus refused as
// invalid_grant (expired, already used, or mistyped), told apart from a
// wrong client by the error field: Globus answers both with 401
// (globus-sdk-python testing/data/auth/oauth2_exchange_code_for_tokens.py,
// case invalid_grant). nil for any other error.
func badCodeProblem(err error, what string, again Advice) *Problem {
	var ge *globus.Error
	if !errors.As(err, &ge) || !strings.EqualFold(ge.OAuthError, "invalid_grant") {
		return nil
	}
	return &Problem{What: "Globus did not accept the code for " + what + ": it has expired, was already used, or was not copied whole", Err: err,
		Do: Say(again, " and paste the new code within a few minutes; a code works once")}
}

func (l *operatorLogin) info() LoginInfo {
	info := LoginInfo{ClientID: l.ClientID}
	for rs := range l.Tokens {
		info.ResourceServers = append(info.ResourceServers, rs)
	}
	sort.Strings(info.ResourceServers)
	return info
}

// LoggedIn reports whether the vault holds an operator login (which may
// still need a refresh), and through which client.
func LoggedIn(v *vault.Vault) (LoginInfo, bool) {
	if v == nil {
		return LoginInfo{}, false
	}
	l, ok := readLogin(v.Doc().Internal)
	if !ok {
		return LoginInfo{}, false
	}
	return l.info(), true
}

// Logout deletes the operator's tokens from the vault; false if there were none.
func Logout(v *vault.Vault) (bool, error) {
	if _, ok := v.Internal(OperatorTokensKey); !ok {
		if err := v.Reload(); err != nil {
			return false, err
		}
		if _, ok := v.Internal(OperatorTokensKey); !ok {
			return false, nil
		}
	}
	return true, v.SetInternal(OperatorTokensKey, "")
}

// LogoutResult says what a logout did; it never holds a token.
type LogoutResult struct {
	Had     bool  // there was a login to end
	Revoked int   // tokens Globus revoked
	Failed  int   // tokens that could not be revoked
	Err     error // the first revocation error
}

// Line is the result in one sentence for the operator.
func (r LogoutResult) Line() string {
	switch {
	case !r.Had:
		return "Not logged in: there were no tokens to revoke or delete."
	case r.Failed == 0:
		return fmt.Sprintf("Logged out: %d token(s) revoked at Globus and deleted from the vault.", r.Revoked)
	}
	return fmt.Sprintf("Logged out, but deleted locally only: %d of %d token(s) could not be revoked at Globus (%v). They stay valid until they expire, unless revoked from the Globus web app (Settings, Consents).",
		r.Failed, r.Revoked+r.Failed, r.Err)
}

// RevokeAndLogout revokes the operator's stored tokens at Globus (POST
// /v2/oauth2/token/revoke, refresh tokens first, as the public client they
// were issued to), then deletes them from the vault whatever Globus said:
// a logout must never leave tokens on disk.
func RevokeAndLogout(ctx context.Context, e *Env) (LogoutResult, error) {
	if err := checkEnv(e); err != nil {
		return LogoutResult{}, err
	}
	if err := e.Vault.Reload(); err != nil {
		return LogoutResult{}, err
	}
	var r LogoutResult
	if l, ok := readLogin(e.Vault.Doc().Internal); ok {
		rs := make([]string, 0, len(l.Tokens))
		for k := range l.Tokens {
			rs = append(rs, k)
		}
		sort.Strings(rs)
		seen := map[string]bool{}
		for _, k := range rs {
			t := l.Tokens[k]
			for _, tok := range []string{t.RefreshToken, t.AccessToken} {
				if tok == "" || seen[tok] {
					continue
				}
				seen[tok] = true
				if r.Err != nil && noAnswer(r.Err) {
					r.Failed++ // Globus is out of reach: do not wait out each one
					continue
				}
				if err := e.Globus.RevokeToken(ctx, l.ClientID, tok); err != nil {
					r.Failed++
					if r.Err == nil {
						r.Err = err
					}
				} else {
					r.Revoked++
				}
			}
		}
	}
	had, err := Logout(e.Vault)
	r.Had = had
	return r, err
}

// OperatorToken returns a Bearer authorizer for the operator's token for
// resourceServer ("auth.globus.org", "groups.api.globus.org"), refreshing and
// re-saving it when it has expired, and once more when Globus ends it
// before then (operatorBearer). Without a usable login the error wraps
// ErrNotLoggedIn and says to run `globus-setup login`.
func OperatorToken(ctx context.Context, e *Env, resourceServer string) (globus.Authorizer, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	l, ok := readLogin(e.Vault.Doc().Internal)
	if !ok {
		return nil, &Problem{What: ErrNotLoggedIn.Error(), Do: Say(run(logIn())), is: ErrNotLoggedIn}
	}
	t, ok := l.Tokens[resourceServer]
	if !ok {
		return nil, &Problem{What: "the login has no token for " + resourceServer, is: ErrNotLoggedIn,
			Do: Say("log in again (", logIn(), ") and grant every scope asked for")}
	}
	tok := t.token()
	if !tok.Expired(time.Now(), refreshMargin) {
		return operatorBearer(e, resourceServer, tok.AccessToken), nil
	}
	if tok.RefreshToken == "" {
		return nil, &Problem{What: "the login for " + resourceServer + " has expired", is: ErrNotLoggedIn, Do: Say(run(logIn()))}
	}
	// Another process may have refreshed it already: take the newest first.
	if err := e.Vault.Reload(); err == nil {
		if l2, ok := readLogin(e.Vault.Doc().Internal); ok {
			if t2, ok := l2.Tokens[resourceServer]; ok && !t2.token().Expired(time.Now(), refreshMargin) {
				return operatorBearer(e, resourceServer, t2.AccessToken), nil
			}
			if t2, ok := l2.Tokens[resourceServer]; ok {
				tok, l = t2.token(), l2
			}
		}
	}
	fresh, err := renewLogin(ctx, e, l, resourceServer, tok, "the login has expired")
	if err != nil {
		return nil, err
	}
	return operatorBearer(e, resourceServer, fresh.AccessToken), nil
}

// operatorBearer authorizes with the operator's access token and, when
// Globus answers 401 to a token still live by its clock (ended early: a
// consent revoked, a session ended), renews it once with the refresh token
// and stores it, as globus-sdk-python's RefreshTokenAuthorizer does
// (globus.RenewingBearer). Only when that refresh fails is a new login
// asked for. Each request sends the newest token the vault holds for
// resourceServer (globus.LatestBearer): work redriven after a new sign-in
// (Redrive) carries that login's token, whichever authorizer its caller
// took before.
func operatorBearer(e *Env, resourceServer, accessToken string) globus.Authorizer {
	return globus.LatestBearer(accessToken, storedAccessToken(e.Vault, resourceServer), func(ctx context.Context, refused string) (string, error) {
		if err := e.Vault.Reload(); err != nil {
			return "", problem("reading the login from the vault", err)
		}
		l, ok := readLogin(e.Vault.Doc().Internal)
		var t storedToken
		if ok {
			t, ok = l.Tokens[resourceServer]
		}
		if !ok {
			return "", &Problem{What: "the login was ended at Globus before it expired, and the vault holds no other", is: ErrNotLoggedIn, Do: Say(run(logIn()))}
		}
		// Another process, or a sign-in since, stored a newer one.
		if t.AccessToken != refused && !t.token().Expired(time.Now(), refreshMargin) {
			return t.AccessToken, nil
		}
		what := "the login was ended at Globus before it expired (a consent revoked or a session ended)"
		if t.RefreshToken == "" {
			return "", &Problem{What: what + ", and it has no refresh token", is: ErrNotLoggedIn, Do: Say(run(logIn()))}
		}
		fresh, err := renewLogin(ctx, e, l, resourceServer, t.token(), what)
		return fresh.AccessToken, err
	})
}

// storedAccessToken reads the access token the vault's document (as last
// read or saved by this process: no file is read) holds for
// resourceServer, decoding the login again only when it changed.
func storedAccessToken(v *vault.Vault, resourceServer string) func() string {
	var raw, tok string
	return func() string {
		cur, _ := v.Internal(OperatorTokensKey)
		if cur != raw {
			raw, tok = cur, ""
			if l, ok := readLogin(map[string]string{OperatorTokensKey: cur}); ok {
				tok = l.Tokens[resourceServer].AccessToken
			}
		}
		return tok
	}
}

// renewLogin refreshes tok and keeps the new access token in the vault.
// what says why it is needed, for the Problem when Globus will not.
func renewLogin(ctx context.Context, e *Env, l *operatorLogin, resourceServer string, tok globus.Token, what string) (globus.Token, error) {
	fresh, err := e.Globus.Refresh(ctx, l.ClientID, tok)
	if err != nil {
		var ge *globus.Error
		if errors.As(err, &ge) && ge.Status >= 400 && ge.Status < 500 && ge.Status != 429 {
			return globus.Token{}, &Problem{What: what + " and Globus would not renew it", Err: err, is: ErrNotLoggedIn, Do: Say(run(logIn()))}
		}
		return globus.Token{}, problem("renewing the login", err)
	}
	if fresh.ResourceServer == "" {
		fresh.ResourceServer = resourceServer
	}
	err = e.Vault.Update(func(d *vault.Doc) error {
		cur, ok := readLogin(d.Internal)
		if !ok || cur.ClientID != l.ClientID {
			return nil // logged out or in again meanwhile: leave it be
		}
		renewed := toStored(fresh)
		renewed.unknown = cur.Tokens[resourceServer].unknown // the same grant's token
		cur.Tokens[resourceServer] = renewed
		enc, err := cur.encode()
		if err != nil {
			return err
		}
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[OperatorTokensKey] = enc
		return nil
	})
	if err != nil {
		return globus.Token{}, problem("keeping the renewed login in the vault", err)
	}
	return fresh, nil
}

// LoginClient is the thick client a login went through, as Globus has it.
type LoginClient struct {
	ID, Name, Project, ProjectName string
	// Gateway: it can be the gateway's public client (step 4): a thick
	// client with Globus's code page as a redirect URI, in a project the
	// operator administers.
	Gateway bool
}

// ReadLoginClient reads the client the operator logged in through, with
// their token (an admin of its project may read it: the record names its
// project, globus-sdk-python testing/data/auth/get_client.py). The first
// login needs a thick client, and the wizard tells a new operator to
// register the gateway's own public client for it, so that client is
// offered as step 4's value rather than made twice.
func ReadLoginClient(ctx context.Context, e *Env, id string) (LoginClient, error) {
	if err := checkEnv(e); err != nil {
		return LoginClient{}, err
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return LoginClient{}, err
	}
	cl, err := e.Globus.GetClient(ctx, auth, id)
	if err != nil {
		return LoginClient{}, problem("reading the client you logged in through", err)
	}
	lc := LoginClient{ID: cl.ID, Name: cl.Name, Project: cl.Project}
	if pr, err := e.Globus.GetProject(ctx, auth, cl.Project); err == nil {
		lc.ProjectName = pr.DisplayName
		lc.Gateway = cl.ClientType == globus.ClientTypePublicThick &&
			slices.Contains(cl.RedirectURIs, e.Globus.Environment().AuthCodeRedirectURI())
	}
	return lc, nil
}
