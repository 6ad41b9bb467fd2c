package steps

import (
	"context"
	"errors"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
)

// PolicyValues is what a policy holds that step 5 stores beside its ID.
type PolicyValues struct {
	Domains string // space-separated, exactly as Globus spells them
	Timeout string // as the field shows it (8h), "" when unset
}

// ReadPolicyValues reads a policy the way the gateway does at start-up
// (inference_gateway/apps.py: the Service Account's client-credentials
// grant, then GET /v2/api/policies/{id} with its auth.globus.org token), so
// the operator who created it on the console need not type its domains a
// second time. It changes nothing stored; an error says why it could not.
func ReadPolicyValues(ctx context.Context, e *Env, id string) (PolicyValues, error) {
	if err := checkEnv(e); err != nil {
		return PolicyValues{}, err
	}
	cred, err := ServiceAccountCredentials(e.Vault)
	if err != nil {
		return PolicyValues{}, errors.New("the Service Account (step 3) is not stored yet")
	}
	ts, err := e.Globus.ClientCredentialsToken(ctx, cred, globus.GatewaySDKDefaultScopes()...)
	if err != nil {
		return PolicyValues{}, credsProblem("the Service Account's client-credentials grant failed", "Service Account", "service_account", err)
	}
	tok, ok := ts[globus.AuthResourceServer]
	if !ok || tok.AccessToken == "" {
		return PolicyValues{}, errors.New("the Service Account's grant gave no auth.globus.org token")
	}
	pol, err := e.Globus.GetPolicy(ctx, globus.Bearer(tok.AccessToken), id)
	if err != nil {
		return PolicyValues{}, problem("reading the policy as the Service Account", err)
	}
	v := PolicyValues{Domains: strings.Join(policyDomains(pol), " ")}
	if pol.AuthenticationAssuranceTimeout > 0 {
		v.Timeout = humanSeconds(pol.AuthenticationAssuranceTimeout)
	}
	return v, nil
}
