package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// What a proof gives back: every token the test user's login gave, and the
// Groups token got on their behalf, revoked at Globus when the proof ends.

// revokeAll revokes every access and refresh token of ts at Globus (POST
// /v2/oauth2/token/revoke), even after ctx is cancelled, and says what
// happened in one line; it never prints a token.
func revokeAll(ctx context.Context, g *globus.Client, clientID string, ts globus.TokenSet) string {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n, failed := 0, 0
	var first error
	for _, t := range ts {
		for _, tok := range []string{t.RefreshToken, t.AccessToken} {
			if tok == "" {
				continue
			}
			n++
			if err := g.RevokeToken(rctx, clientID, tok); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
	}
	switch {
	case n == 0:
		return ""
	case failed == 0 && n == 1:
		return "The test user's token was revoked at Globus."
	case failed == 0:
		return fmt.Sprintf("The test user's %d tokens were revoked at Globus.", n)
	}
	return fmt.Sprintf("Could not revoke %d of the test user's %d token(s) at Globus (%v): they were never stored and expire on their own; the user can also revoke them from the Globus web app (Settings, Consents).", failed, n, first)
}

// revokeDependent revokes the tokens the proof got on the user's behalf
// (the Groups token), as the Service API app they were issued to: a
// confidential client authenticates its revocation with HTTP Basic
// (globus.Client.RevokeTokenAs). Done even after ctx is cancelled.
func (pr *prover) revokeDependent(ctx context.Context, deps []globus.Token) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	n, failed := 0, 0
	var first error
	for _, t := range deps {
		for _, tok := range []string{t.RefreshToken, t.AccessToken} {
			if tok == "" {
				continue
			}
			n++
			if err := pr.e.Globus.RevokeTokenAs(rctx, pr.cred, tok); err != nil {
				failed++
				if first == nil {
					first = err
				}
			}
		}
	}
	switch {
	case n == 0:
	case failed == 0:
		pr.dependentRevoked = "The Groups token the proof got on the test user's behalf was revoked at Globus, as the Service API app."
	default:
		pr.dependentRevoked = fmt.Sprintf("Could not revoke %d of the %d token(s) the proof got on the test user's behalf at Globus (%v): they were never stored and expire on their own.", failed, n, first)
	}
}
