package globus

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Token is one access token (and maybe a refresh token) for one resource
// server. Printing it with any fmt verb masks both tokens.
type Token struct {
	AccessToken, RefreshToken, Scope, ResourceServer, TokenType string
	ExpiresAt                                                   time.Time
}

func (t Token) String() string {
	s := "Token{ResourceServer: " + t.ResourceServer + ", Scope: " + t.Scope +
		", AccessToken: " + maskIfSet(t.AccessToken) + ", RefreshToken: " + maskIfSet(t.RefreshToken)
	if !t.ExpiresAt.IsZero() {
		s += ", ExpiresAt: " + t.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return s + "}"
}

func (t Token) GoString() string {
	return "globus.Token{ResourceServer: " + strconv.Quote(t.ResourceServer) + ", Scope: " + strconv.Quote(t.Scope) +
		", AccessToken: " + strconv.Quote(maskIfSet(t.AccessToken)) + ", RefreshToken: " + strconv.Quote(maskIfSet(t.RefreshToken)) +
		", TokenType: " + strconv.Quote(t.TokenType) + "}"
}

func (t Token) Format(f fmt.State, verb rune) { formatMasked(f, verb, t.String(), t.GoString()) }

// Expired reports whether the token has expired, or will within the margin.
func (t Token) Expired(now time.Time, margin time.Duration) bool {
	return !t.ExpiresAt.IsZero() && !now.Add(margin).Before(t.ExpiresAt)
}

// TokenSet holds tokens keyed by resource server ("auth.globus.org",
// "groups.api.globus.org", ...).
type TokenSet map[string]Token

// tokenJSON is one token as Auth's token endpoint writes it.
type tokenJSON struct {
	AccessToken    string      `json:"access_token"`
	RefreshToken   string      `json:"refresh_token"`
	Scope          string      `json:"scope"`
	ResourceServer string      `json:"resource_server"`
	TokenType      string      `json:"token_type"`
	ExpiresIn      float64     `json:"expires_in"`
	OtherTokens    []tokenJSON `json:"other_tokens"`
}

func (j tokenJSON) token(now time.Time) Token {
	t := Token{AccessToken: j.AccessToken, RefreshToken: j.RefreshToken, Scope: j.Scope, ResourceServer: j.ResourceServer, TokenType: j.TokenType}
	if j.ExpiresIn > 0 {
		t.ExpiresAt = now.Add(time.Duration(j.ExpiresIn * float64(time.Second)))
	}
	return t
}

// flatten returns the token and its other_tokens, one per resource server.
func (j tokenJSON) flatten(now time.Time) []Token {
	out := []Token{j.token(now)}
	for _, o := range j.OtherTokens {
		out = append(out, o.flatten(now)...)
	}
	return out
}

func tokenSetOf(tokens []Token) TokenSet {
	ts := make(TokenSet, len(tokens))
	for _, t := range tokens {
		if t.AccessToken == "" {
			continue
		}
		ts[t.ResourceServer] = t
	}
	return ts
}

// decodeTokenList reads dependent-token answers, which have been seen as a
// JSON array of tokens, as {"tokens": [...]} and as one token object (with
// other_tokens).
func decodeTokenList(data []byte, now time.Time) ([]Token, error) {
	data = bytes.TrimSpace(data)
	var list []tokenJSON
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, err
		}
	case len(data) > 0 && data[0] == '{':
		var wrapped struct {
			Tokens []tokenJSON `json:"tokens"`
		}
		if err := json.Unmarshal(data, &wrapped); err != nil {
			return nil, err
		}
		if wrapped.Tokens != nil {
			list = wrapped.Tokens
			break
		}
		var one tokenJSON
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, err
		}
		list = []tokenJSON{one}
	default:
		return nil, errors.New("neither a JSON array nor an object")
	}
	var out []Token
	for _, j := range list {
		for _, t := range j.flatten(now) {
			if t.AccessToken != "" {
				out = append(out, t)
			}
		}
	}
	return out, nil
}
