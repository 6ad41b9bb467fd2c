package globus

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
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
	case bearerAuth:
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
	}
	return nil
}
