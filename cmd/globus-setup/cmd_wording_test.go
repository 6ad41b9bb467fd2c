package main

import (
	"strings"
	"testing"
)

// An unknown key names the known ones it may mean.
func TestUnknownKeySaysWhatItMayMean(t *testing.T) {
	w := newOpsWorld(t)
	for typed, want := range map[string]string{
		"service_api.secret":        "did you mean service_api.client_secret?",
		"service_acount.client_id":  "did you mean service_account.client_id?",
		"Policy.ID":                 "did you mean policy.id?",
		"groups.users.member":       "did you mean groups.users.members?",
		"policy.assurance_timeot":   "did you mean policy.assurance_timeout?",
		"public_client.client_idd":  "did you mean public_client.client_id?",
		"service_api.client_secrte": "did you mean service_api.client_secret?",
	} {
		for _, cmd := range [][]string{{"get", typed}, {"set", typed, "x"}, {"unset", typed}} {
			code, _, errs := w.run(cmd...)
			if code == 0 || !strings.Contains(errs, `unknown key "`+typed+`": `+want) {
				t.Errorf("%v: %d %s", cmd, code, errs)
			}
		}
	}
	if _, _, errs := w.run("get", "nothing.like.it"); strings.Contains(errs, "did you mean") {
		t.Errorf("a key like none: %s", errs)
	}
}

// status says "in progress", not the stored "in_progress".
func TestStatusSaysInProgressInWords(t *testing.T) {
	w := newBareWorld(t)
	if code, _, errs := w.run("set", "project.name", "Half Done"); code != 0 {
		t.Fatal(errs)
	}
	_, out, _ := w.run("status")
	if strings.Contains(out, "in_progress") || !strings.Contains(out, "1. Create a Globus project            in progress  (missing: project.id)") {
		t.Errorf("status:\n%s", out)
	}
}

// The re-authentication window is shown one way wherever it is shown:
// its seconds with their reading, "28800 (8h)" (import, set's read-back,
// apply's plan and suggestions).
func TestAssuranceTimeoutIsShownOneWay(t *testing.T) {
	w, path := importWorld(t)
	_, out, _ := w.run("import", path)
	if !strings.Contains(out, "policy.assurance_timeout       28800 (8h)  [the policy's record at Globus]") {
		t.Errorf("import:\n%s", out)
	}
}
