package steps

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// rotateToRestart starts a rotation of app and returns its old and new secrets.
func rotateToRestart(t *testing.T, w *applyWorld, app string) (id, old, nw string) {
	t.Helper()
	id, old = w.get(app+".client_id"), w.get(app+".client_secret")
	if _, err := Rotate(context.Background(), w.e, app, RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	return id, old, w.get(app + ".client_secret")
}

// keptBoth: a refused --finish deleted nothing: both secrets still work, at
// Globus and in the vault, and the rotation still waits for its finish.
func (w *applyWorld) keptBoth(t *testing.T, app, id, old, nw string, credsBefore []string) {
	t.Helper()
	if !w.pairWorks(id, old) || !w.pairWorks(id, nw) {
		t.Error("a secret stopped working though the check failed")
	}
	if got := w.credIDs(id); !slices.Equal(got, credsBefore) {
		t.Errorf("credentials %v, want %v", got, credsBefore)
	}
	if w.get(app+".client_secret") != nw {
		t.Error("the vault no longer holds the new secret")
	}
	if rs := Rotations(w.e.Vault.Doc()); len(rs) != 1 || rs[0].Phase != RotateRestart {
		t.Errorf("rotation: %+v, want still waiting for the restart", rs)
	}
	doc := w.e.Vault.Doc()
	if doc.Internal[rotationKey(app)+oldSecretPart] != old {
		t.Error("the vault dropped the old secret")
	}
}

// refusedFinish is a --finish of app that must be refused (ifNot says what
// went wrong when it is not); the refusal is logged and returned.
func refusedFinish(t *testing.T, w *applyWorld, app, ifNot string) error {
	t.Helper()
	_, err := FinishRotation(context.Background(), w.e, app)
	if err == nil {
		t.Fatal(ifNot)
	}
	t.Logf("refused --finish: %v\n  %s", err, Hint(err))
	return err
}

// --finish of the Service Account replays the gateway's whole start-up
// check with the new secret: the grant as the Service Account, then the
// policy read with its token, before anything is deleted.
func TestFinishRunsGatewayStartCheck(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	app := "service_account"
	id, old, nw := rotateToRestart(t, w, app)
	creds := w.credIDs(id)
	policyID := w.get("policy.id")

	// A policy no longer high assurance stops the gateway at start-up.
	w.srv.SetPolicyHighAssurance(policyID, false)
	n := len(w.srv.Requests())
	err := refusedFinish(t, w, app, "--finish deleted the old secret though the gateway would not start")
	mustContain(t, err.Error(), "the gateway's start-up check fails", "is not high assurance", "nothing was deleted")
	mustContain(t, Hint(err), "make it high assurance", "globus-setup rotate service_account --finish", "--undo")
	if strings.Contains(err.Error()+Hint(err), nw) || strings.Contains(err.Error()+Hint(err), old) {
		t.Fatal("a secret is in the message")
	}
	var got []string
	for _, r := range w.srv.Requests()[n:] {
		got = append(got, r.Method+" "+r.Path+" "+r.Auth)
	}
	want := []string{"POST /v2/oauth2/token basic:" + id, "GET /v2/api/policies/" + policyID + " bearer"}
	if !slices.Equal(got, want) {
		t.Errorf("requests %q, want %q (the start-up check with the new secret, nothing deleted)", got, want)
	}
	w.keptBoth(t, app, id, old, nw, creds)

	// Domains as the gateway compares them: exact, case included.
	w.srv.SetPolicyHighAssurance(policyID, true)
	if err := w.srv.SetPolicyDomains(policyID, []string{"Example.org", "example.edu"}); err != nil {
		t.Fatal(err)
	}
	err = refusedFinish(t, w, app, "--finish went on with domains the gateway finds inconsistent")
	mustContain(t, err.Error(), "differ in case", "nothing was deleted")
	w.keptBoth(t, app, id, old, nw, creds)

	// Put right: the check passes and the old secret goes.
	if err := w.srv.SetPolicyDomains(policyID, []string{"example.org", "example.edu"}); err != nil {
		t.Fatal(err)
	}
	res, err := FinishRotation(ctx, w.e, app)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(res.Lines, "\n"), "✓ the gateway's start-up check passes with the new secret", "deleted the old secret")
	if w.pairWorks(id, old) || !w.pairWorks(id, nw) {
		t.Error("after --finish the old secret must fail and the new one work")
	}
}

// Rotating the Service API app, the start-up check still gates the delete,
// and the message says what it does and does not use of that app.
func TestFinishServiceAPISaysWhatStartCheckUses(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	app := "service_api"
	id, old, nw := rotateToRestart(t, w, app)
	creds := w.credIDs(id)
	// The gateway's start-up check fails for a reason of the Service
	// Account's: a policy it cannot read (another project's).
	policyID := w.get("policy.id")
	other := w.srv.AddProject("Someone else's", "x@example.org", operator)
	elsewhere := w.srv.AddPolicy(other, "Elsewhere", []string{"example.org", "example.edu"}, 3600)
	w.set(map[string]string{"policy.id": elsewhere})
	err := refusedFinish(t, w, app, "--finish went on though the gateway would not start")
	mustContain(t, err.Error(), "start-up check fails", "cannot read policy", "nothing was deleted",
		"uses nothing of the Service API app", "reads the policy as the Service Account", "cannot have restarted")
	w.keptBoth(t, app, id, old, nw, creds)

	w.set(map[string]string{"policy.id": policyID})
	res, err := FinishRotation(ctx, w.e, app)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(res.Lines, "\n"), "✓ Globus accepts the new Service API secret", "✓ the gateway's start-up check passes",
		"uses nothing of the Service API app")
}
