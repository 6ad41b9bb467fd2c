package globus

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
)

const mask = "****"

// Credentials are a confidential client's ID and secret. Printing them with
// any fmt verb shows the ID and masks the secret.
type Credentials struct{ ID, Secret string }

func (c Credentials) String() string {
	return "Credentials{ID: " + c.ID + ", Secret: " + maskIfSet(c.Secret) + "}"
}

func (c Credentials) GoString() string {
	return "globus.Credentials{ID: " + strconv.Quote(c.ID) + ", Secret: " + strconv.Quote(maskIfSet(c.Secret)) + "}"
}

// Format keeps every verb (%v, %+v, %#v, %s, %q, %x...) on the masked forms.
func (c Credentials) Format(f fmt.State, verb rune) { formatMasked(f, verb, c.String(), c.GoString()) }

func maskIfSet(s string) string {
	if s == "" {
		return ""
	}
	return mask
}

// formatMasked prints plain for every verb except %#v, which gets gostring.
// Without it, %x or %d on a struct would print the raw fields.
func formatMasked(f fmt.State, verb rune, plain, gostring string) {
	if verb == 'v' && f.Flag('#') {
		fmt.Fprint(f, gostring)
		return
	}
	if verb == 'q' {
		fmt.Fprint(f, strconv.Quote(plain))
		return
	}
	fmt.Fprint(f, plain)
}

// Authorizer adds credentials to a request.
type Authorizer interface{ Authorize(*http.Request) }

// Basic authorizes as a confidential client (HTTP Basic client_id:client_secret).
func Basic(c Credentials) Authorizer { return basicAuth{c} }

// Bearer authorizes with an access token.
func Bearer(accessToken string) Authorizer { return bearerAuth{accessToken} }

// RenewingBearer authorizes with an access token that can be renewed. When
// Globus answers 401 to a request it authorised (a token Globus ended
// before its expiry: consent revoked, session ended), the client calls
// renew once with the refused token and sends the request again with the
// token renew returns, as globus-sdk-python does
// (transport/default_retry_checks.py check_expired_authorization, run once
// per request; authorizers/renewing.py handle_missing_authorization). A
// 401 that asks for a new sign-in (a GARE) is not renewed: a refreshed
// token has the same session. renew returning "" means it cannot renew:
// the 401 stands. Its error is returned as the call's, so it can say what
// to do (log in again). Calls sharing the authorizer renew once between
// them.
func RenewingBearer(accessToken string, renew func(ctx context.Context, refused string) (string, error)) Authorizer {
	return &renewingBearer{token: accessToken, seen: accessToken, renew: renew}
}

// LatestBearer is RenewingBearer whose token follows a store: before each
// request it asks latest for the newest token the store holds ("" for
// none) and, when that changed since it last asked, sends it from then on.
// An authorizer made before a new sign-in (a Redrive's, after a GARE or
// the recent-admin 403) so sends the new login's token, not the old
// session's: real Globus ties a session to its tokens (unverified; the
// newest token is right either way). latest is called with the
// authorizer's lock held and must be quick (an in-memory read).
func LatestBearer(accessToken string, latest func() string, renew func(ctx context.Context, refused string) (string, error)) Authorizer {
	return &renewingBearer{token: accessToken, seen: accessToken, latest: latest, renew: renew}
}

type renewingBearer struct {
	mu     sync.Mutex
	token  string
	old    []string // tokens held before: masked in errors too
	latest func() string
	seen   string // what latest last answered: a change is a newer token
	renew  func(context.Context, string) (string, error)
	failed error // a refresh Globus refused: not asked again
}

// authorize sets the header and returns the token it sent.
func (b *renewingBearer) authorize(r *http.Request) string {
	b.mu.Lock()
	if b.latest != nil {
		// Only a change counts: a token renewed here but not stored must
		// not give way to the stale one the store still holds.
		if t := b.latest(); t != "" && t != b.seen {
			b.seen = t
			b.use(t)
		}
	}
	t := b.token
	b.mu.Unlock()
	r.Header.Set("Authorization", "Bearer "+t)
	return t
}

// use makes t the token sent, keeping the one it replaces for masking; b.mu held.
func (b *renewingBearer) use(t string) {
	if t == b.token {
		return
	}
	b.old = append(b.old, b.token)
	b.token = t
	b.failed = nil // a new token: its renewal has not been refused
}

func (b *renewingBearer) Authorize(r *http.Request) { b.authorize(r) }

// renewFrom replaces refused with a renewed token; false when it cannot.
func (b *renewingBearer) renewFrom(ctx context.Context, refused string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.token != refused {
		return true, nil // another call renewed it meanwhile
	}
	if b.renew == nil {
		return false, nil
	}
	if b.failed != nil {
		return false, b.failed
	}
	t, err := b.renew(ctx, refused)
	switch {
	case err != nil:
		var ge *Error
		if errors.As(err, &ge) && ge.Status >= 400 && ge.Status < 500 && ge.Status != http.StatusTooManyRequests {
			b.failed = err // refused, not failed on the way: it would be again
		}
		return false, err
	case t == "" || t == refused:
		return false, nil
	}
	b.use(t)
	return true, nil
}

func (b *renewingBearer) secrets() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string{b.token}, b.old...)
}

func (b *renewingBearer) String() string { return "RenewingBearer(" + mask + ")" }
func (b *renewingBearer) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, b.String(), `globus.RenewingBearer("`+mask+`")`)
}

// renewable401 is a 401 a renewed token may cure: not a sign-in request.
func renewable401(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == http.StatusUnauthorized && e.Requirements == nil
}

// Both types format themselves: fmt cannot call methods on unexported fields,
// so without these a %+v of an Authorizer would print the secret or token.
type basicAuth struct{ c Credentials }

func (b basicAuth) Authorize(r *http.Request) { r.SetBasicAuth(b.c.ID, b.c.Secret) }
func (b basicAuth) String() string            { return "Basic(" + b.c.String() + ")" }
func (b basicAuth) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, b.String(), "globus.Basic("+b.c.GoString()+")")
}

type bearerAuth struct{ token string }

func (b bearerAuth) Authorize(r *http.Request) { r.Header.Set("Authorization", "Bearer "+b.token) }
func (b bearerAuth) String() string            { return "Bearer(" + mask + ")" }
func (b bearerAuth) Format(f fmt.State, verb rune) {
	formatMasked(f, verb, b.String(), `globus.Bearer("`+mask+`")`)
}

// authKind names the kind of an Authorizer for Error.Auth.
func authKind(a Authorizer) string {
	switch a.(type) {
	case basicAuth:
		return "basic"
	case bearerAuth, *renewingBearer:
		return "bearer"
	}
	return ""
}

// secretsOf lists the strings an Authorizer carries, so error text built from a
// server's answer can be scrubbed of them.
func secretsOf(a Authorizer) []string {
	switch a := a.(type) {
	case basicAuth:
		// The header itself too, in case a server echoes it back.
		return []string{a.c.Secret, base64.StdEncoding.EncodeToString([]byte(a.c.ID + ":" + a.c.Secret))}
	case bearerAuth:
		return []string{a.token}
	case *renewingBearer:
		return a.secrets()
	}
	return nil
}
