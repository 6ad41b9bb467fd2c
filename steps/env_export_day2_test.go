package steps

import (
	"errors"
	"strings"
	"testing"
)

func TestExportUsers(t *testing.T) {
	doc := docWith(map[string]string{
		"public_client.client_id":   "aaaaaaaa-1111-4111-8111-111111111111",
		"service_api.client_id":     "bbbbbbbb-2222-4222-8222-222222222222",
		"service_api.client_secret": "top-secret-value-0123456789abcdefghijkl=",
		"service_api.scope_string":  "https://auth.globus.org/scopes/bbbbbbbb-2222-4222-8222-222222222222/action_all",
		"policy.id":                 "cccccccc-3333-4333-8333-333333333333",
	})
	b, err := Export(doc, FormatUsers)
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	t.Logf("$ globus-setup export --format users\n%s", out)
	for _, want := range []string{
		"public client ID: aaaaaaaa-1111-4111-8111-111111111111",
		"gateway scope:    https://auth.globus.org/scopes/bbbbbbbb-2222-4222-8222-222222222222/action_all",
		"policy ID:        cccccccc-3333-4333-8333-333333333333",
		`AUTH_CLIENT_ID = "aaaaaaaa-1111-4111-8111-111111111111"`,
		`session_required_policies=["cccccccc-3333-4333-8333-333333333333"]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(out, "top-secret") || FormatUsers.Secret() {
		t.Error("the users' export holds or claims a secret")
	}
	delete(doc.Values, "policy.id")
	_, err = Export(doc, FormatUsers)
	var p *Problem
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "policy.id (step 5)") {
		t.Errorf("missing policy: %v", err)
	}
}

func TestExecVariables(t *testing.T) {
	doc := docWith(map[string]string{
		"service_api.client_id":     "bbbbbbbb-2222-4222-8222-222222222222",
		"policy.domains":            "anl.gov uchicago.edu",
		"service_account.client_id": "dddddddd-4444-4444-8444-444444444444",
	})
	vars, err := ExecVariables(doc, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(vars, "\n")
	if !strings.Contains(got, "AUTHORIZED_IDP_DOMAINS=anl.gov uchicago.edu") || strings.Contains(got, "GLOBUS_APPLICATION_SECRET") {
		t.Errorf("gateway variables: %s", got)
	}
	if _, err := ExecVariables(doc, true, nil); err == nil || !strings.Contains(err.Error(), "service_account.client_secret") {
		t.Errorf("compute without the secret: %v", err)
	}
	env := ChildEnvironment([]string{"A=1", "GLOBUS_APPLICATION_ID=old", "B=2"}, []string{"GLOBUS_APPLICATION_ID=new"})
	if strings.Join(env, ",") != "A=1,B=2,GLOBUS_APPLICATION_ID=new" {
		t.Errorf("child env: %v", env)
	}
	// The vault's own passphrase sources never reach the command.
	env = ChildEnvironment([]string{"GLOBUS_SETUP_PASSPHRASE_FILE=/p", "A=1", "GLOBUS_SETUP_PASSPHRASE_COMMAND=pass show v", "GLOBUS_SETUP_IDENTITY=/k", "GLOBUS_SETUP_VAULT=/v"}, []string{"SERVICE_ACCOUNT_ID=x"})
	if strings.Join(env, ",") != "A=1,GLOBUS_SETUP_VAULT=/v,SERVICE_ACCOUNT_ID=x" {
		t.Errorf("child env with the passphrase sources: %v", env)
	}
}
