package main

import (
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// Against a 501 every call is tried once (before: 5 tries each, 15 in
// about 30 s), and the advice is not to try again in a few minutes: it
// does not pass.
func TestVerifyAgainstA501(t *testing.T) {
	w, _ := newRotateCmdWorld(t)
	w.srv.FailNext("POST", "/v2/oauth2/token", 1000, globustest.Failure{Status: 501})
	before := len(w.srv.Requests())
	code, out, errs := w.run("verify")
	t.Logf("$ globus-setup verify\n%s%s", out, errs)
	if code == 0 {
		t.Fatal("exit 0")
	}
	// Three grants: the Service API's and the Service Account's secrets,
	// and the gateway's start-up check; each once.
	perClient := map[string]int{}
	for _, r := range w.srv.Requests()[before:] {
		if r.Method == "POST" && r.Path == "/v2/oauth2/token" {
			if r.Status != 501 {
				t.Errorf("a token request answered %d", r.Status)
			}
			perClient[r.Auth]++
		}
	}
	api, acct := "basic:"+w.value("service_api.client_id"), "basic:"+w.value("service_account.client_id")
	if len(perClient) != 2 || perClient[api] != 1 || perClient[acct] != 2 {
		t.Errorf("token requests per client %v, want the Service API's once and the Service Account's twice", perClient)
	}
	if strings.Contains(out+errs, "try again in a few minutes") || !strings.Contains(out+errs, "trying again will not help") {
		t.Error("the advice says to try again")
	}
}
