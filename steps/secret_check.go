package steps

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
)

// Whether Globus accepts an app's ID and secret, asked with one
// client-credentials grant, as verify's check does: import asks it of the
// secret it would replace and of the file's, set of a pair just stored,
// rotate of the old secret beside the new one.

// SecretVerdict is what Globus said of an ID and secret.
type SecretVerdict int

const (
	// SecretUnchecked: not asked, or Globus gave no verdict (unreachable,
	// a 5xx, a sign-in it asks for): the error says which.
	SecretUnchecked SecretVerdict = iota
	SecretAccepted
	SecretRefused // invalid_client: the pair is wrong, or the secret deleted
)

// CheckSecret asks Globus, with one client-credentials grant naming the
// openid scope, whether it accepts id and secret.
func CheckSecret(ctx context.Context, g *globus.Client, id, secret string) (SecretVerdict, error) {
	if g == nil {
		return SecretUnchecked, errors.New("no Globus client")
	}
	if strings.TrimSpace(id) == "" || strings.TrimSpace(secret) == "" {
		return SecretUnchecked, errors.New("no client ID or secret to try")
	}
	_, err := g.ClientCredentialsToken(ctx, globus.Credentials{ID: id, Secret: secret}, globus.OpenIDScope)
	switch {
	case err == nil:
		return SecretAccepted, nil
	case refusedPair(err):
		return SecretRefused, err
	}
	return SecretUnchecked, err
}

// refusedPair: Globus's answer to a grant says the ID and secret are
// wrong: 401 invalid_client (RFC 6749 section 5.2, which the emulator
// answers for a wrong, deleted or unknown pair; that Globus answers a
// deleted secret as a wrong one is unverified, and either way it refused
// this pair). A 401 that is a sign-in requirement or invalid_grant is
// something else.
func refusedPair(err error) bool {
	var ge *globus.Error
	return errors.As(err, &ge) && (strings.EqualFold(ge.OAuthError, "invalid_client") ||
		(ge.Status == http.StatusUnauthorized && ge.Requirements == nil && !strings.EqualFold(ge.OAuthError, "invalid_grant")))
}
