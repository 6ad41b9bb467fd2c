package globus

import "context"

// UserInfo is who the operator's login belongs to (OIDC userinfo).
type UserInfo struct {
	Sub               string `json:"sub"`
	PreferredUsername string `json:"preferred_username"`
	Name              string `json:"name"`
	Email             string `json:"email"`
	IdentityProvider  string `json:"identity_provider"`
}

// UserInfo asks Auth who a login is (GET v2/oauth2/userinfo). a must carry an
// auth.globus.org token granted the openid scope; without it Auth answers 403.
func (c *Client) UserInfo(ctx context.Context, a Authorizer) (*UserInfo, error) {
	var out UserInfo
	if err := c.get(ctx, c.auth, a, "v2/oauth2/userinfo", nil, &out); err != nil {
		return nil, err
	}
	if out.Sub == "" {
		return nil, missing(c.auth, "GET", "/v2/oauth2/userinfo", "sub (the identity ID)")
	}
	return &out, nil
}
