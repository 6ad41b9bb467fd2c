package steps

import (
	"context"
	"strings"
	"testing"
)

// TestGatewayStartCheck replays the gateway's start-up check
// (inference_gateway/apps.py) for a good setup and each refusal; none of
// them changes anything stored.
func TestGatewayStartCheck(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		setup   func(w *world)
		status  CheckStatus
		has     []string
		noCalls bool // refused before any call to Globus
	}{
		{name: "good", status: CheckPass, has: []string{"the Service Account reads policy", "high assurance", "example.org example.edu"}},
		{name: "domain case", setup: func(w *world) {
			id := w.srv.AddPolicy(w.projectID, "Console-made", []string{"ANL.gov"}, 3600)
			w.set(map[string]string{"policy.id": id, "policy.domains": "anl.gov"})
		}, status: CheckFail, has: []string{"differ in case", "the policy holds ANL.gov, AUTHORIZED_IDP_DOMAINS anl.gov", "inconsistent", `globus-setup set policy.domains "ANL.gov"`}},
		{name: "other domains", setup: func(w *world) {
			w.set(map[string]string{"policy.domains": "example.org anl.gov"})
		}, status: CheckFail, has: []string{"the policy lacks anl.gov", "it also has example.edu"}},
		{name: "not high assurance", setup: func(w *world) {
			w.srv.SetPolicyHighAssurance(w.policyID, false)
		}, status: CheckFail, has: []string{"is not high assurance", "make it high assurance"}},
		{name: "unreadable policy", setup: func(w *world) {
			other := w.srv.AddProject("Someone else's", "x@example.org", operator)
			id := w.srv.AddPolicy(other, "Elsewhere", []string{"example.org"}, 3600)
			w.set(map[string]string{"policy.id": id, "policy.domains": "example.org"})
		}, status: CheckFail, has: []string{"the Service Account (", "cannot read policy", "403", "same project"}},
		{name: "empty domains", setup: func(w *world) {
			w.del("policy.domains")
		}, status: CheckFail, has: []string{"AUTHORIZED_IDP_DOMAINS would be empty", "globus-setup set policy.domains"}, noCalls: true},
		{name: "no policy", setup: func(w *world) {
			w.del("policy.id")
		}, status: CheckFail, has: []string{"GLOBUS_POLICIES would be empty", "refuses to start"}, noCalls: true},
		{name: "bad service account secret", setup: func(w *world) {
			w.set(map[string]string{"service_account.client_secret": "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"})
		}, status: CheckFail, has: []string{"client-credentials grant", "service_account.client_secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			if tc.setup != nil {
				tc.setup(w)
			}
			before := w.e.Vault.Doc()
			calls := len(w.srv.Requests())
			c := GatewayStartCheck(ctx, w.e)
			if c.Status != tc.status {
				t.Fatalf("status %s, want %s: %s", c.Status, tc.status, c.Line())
			}
			mustContain(t, c.Line(), tc.has...)
			if tc.noCalls && len(w.srv.Requests()) != calls {
				t.Errorf("called Globus for a refusal it can make offline")
			}
			after := w.e.Vault.Doc()
			for k, v := range before.Values {
				if after.Values[k] != v {
					t.Errorf("%s changed", k)
				}
			}
			if strings.Contains(c.Line(), w.acctSecret) {
				t.Error("the secret is in the line")
			}
		})
	}
}

// The start-up check sends what the gateway's SDK sends: the Service
// Account's Basic credentials, a client-credentials grant with SDK v3's
// default scopes, then GET the policy with the auth.globus.org token.
func TestGatewayStartCheckRequests(t *testing.T) {
	w := newWorld(t)
	n := len(w.srv.Requests())
	if c := GatewayStartCheck(context.Background(), w.e); c.Status != CheckPass {
		t.Fatal(c.Line())
	}
	var got []string
	for _, r := range w.srv.Requests()[n:] {
		got = append(got, r.Method+" "+r.Path)
	}
	want := []string{"POST /v2/oauth2/token", "GET /v2/api/policies/" + w.policyID}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("requests %v, want %v", got, want)
	}
}

func (w *world) del(key string) {
	w.t.Helper()
	if err := w.e.Vault.Delete(key); err != nil {
		w.t.Fatal(err)
	}
}

// Two policies cannot be stored: the gateway would not start with them.
func TestTwoPoliciesRefused(t *testing.T) {
	w := newWorld(t)
	err := SetValues(w.e.Vault, map[string]string{"policy.id": w.policyID + " 2b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"})
	if err == nil || !strings.Contains(err.Error(), "exactly one policy") {
		t.Fatalf("err = %v", err)
	}
	if got := w.get("policy.id"); got != w.policyID {
		t.Errorf("policy.id = %q, changed", got)
	}
}

// Without the Service Account's secret, once the rest of the setup is
// stored, the gateway would not start: a failure naming exactly the key
// missing (before, a skip "client_id and client_secret not stored yet",
// and verify exited 0). The app's own check fails too: half a pair.
func TestGatewayStartCheckFailsWithoutServiceAccountSecret(t *testing.T) {
	w := newWorld(t)
	w.del("service_account.client_secret")
	c := GatewayStartCheck(context.Background(), w.e)
	if c.Status != CheckFail || !strings.HasPrefix(c.Detail, "service_account.client_secret not stored: ") ||
		strings.Contains(c.Detail, "client_id") || !strings.Contains(c.Hint.String(), "rotate service_account") {
		t.Fatal(c.Line())
	}
	for _, c := range VerifyAll(context.Background(), w.e) {
		if c.Step == serviceAccountID && strings.Contains(c.Detail, "not stored yet") {
			t.Errorf("said not stored yet, though the ID is stored: %s", c.Line())
		}
		if c.Name == "Service Account credentials work" && (c.Status != CheckFail || !strings.HasPrefix(c.Detail, "service_account.client_secret is not stored")) {
			t.Errorf("half a pair: %s", c.Line())
		}
	}
}
