package steps

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// rotate says the old secret still works only after asking Globus: once it
// was deleted there (in the console, by another tool), it says so and to
// restart at once, never "both secrets work".
func TestRotateChecksTheOldSecret(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	res, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(res.Lines, "\n")
	if !strings.Contains(text, "✓ the old secret still works too (client-credentials grant)") || !strings.Contains(text, "Both secrets work until you finish.") {
		t.Fatalf("a working old secret:\n%s", text)
	}
	if _, err := UndoRotation(ctx, w.e, "service_api"); err != nil {
		t.Fatal(err)
	}

	// The stored secret's credential deleted at Globus behind our back.
	id := w.get("service_api.client_id")
	auth, err := OperatorToken(ctx, w.e, AuthResourceServer)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range w.credIDs(id) {
		if err := w.e.Globus.DeleteCredential(ctx, auth, id, c); err != nil {
			t.Fatal(err)
		}
	}
	res, err = Rotate(ctx, w.e, "service_api", RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	text = strings.Join(res.Lines, "\n")
	t.Logf("rotate with the old secret deleted:\n%s", text)
	if strings.Contains(text, "still works") || strings.Contains(text, "Both secrets work") ||
		!strings.Contains(text, "! Globus refuses the secret the vault held before this rotation (deleted at Globus, or never this app's") ||
		!strings.Contains(text, "Do it at once if the gateway runs with the secret the vault held: Globus refuses that one.") {
		t.Fatalf("a dead old secret:\n%s", text)
	}
}

// A proved new secret is verified: the steps its storing moved back from
// verified (re-verify: service_api.client_secret changed) are verified
// again once Globus accepted it, and after --finish.
func TestRotationProvesTheNewSecretVerified(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	if err := RecordChecks(w.e, VerifyAll(ctx, w.e)); err != nil {
		t.Fatal(err)
	}
	before := map[string]State{}
	for _, st := range Status(w.e.Vault.Doc()) {
		before[st.Step.ID] = st.State
	}
	if before[serviceAPIID] != StateVerified {
		t.Fatalf("verify did not verify step 2: %v", before)
	}
	for _, stage := range []func(context.Context, *Env, string) (RotateResult, error){
		func(ctx context.Context, e *Env, app string) (RotateResult, error) {
			return Rotate(ctx, e, app, RotateOptions{})
		},
		FinishRotation,
	} {
		if _, err := stage(ctx, w.e, "service_api"); err != nil {
			t.Fatal(err)
		}
		for _, st := range Status(w.e.Vault.Doc()) {
			if st.State != before[st.Step.ID] || strings.Contains(st.Note, "re-verify") {
				t.Errorf("step %s: %s (%s), was %s", st.Step.ID, st.State, st.Note, before[st.Step.ID])
			}
		}
	}
}

// A second --finish says the last rotation finished (and when), rather
// than to start one; --undo after it says it cannot come back.
func TestSecondFinishNamesTheFinishedRotation(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	if _, err := FinishRotation(ctx, w.e, "service_api"); err == nil || strings.Contains(err.Error(), "last one finished") {
		t.Fatalf("--finish before any rotation: %v", err)
	}
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := FinishRotation(ctx, w.e, "service_api"); err != nil {
		t.Fatal(err)
	}
	_, err := FinishRotation(ctx, w.e, "service_api")
	if !errors.Is(err, ErrNoRotation) || !strings.Contains(err.Error(), "no rotation of the Service API secret is in progress: the last one finished ") ||
		!strings.Contains(AdviceOf(err).String(), "nothing to finish; `globus-setup rotate service_api` starts a new one") {
		t.Fatalf("second --finish: %v (%s)", err, AdviceOf(err))
	}
	if _, err := UndoRotation(ctx, w.e, "service_api"); err == nil || !strings.Contains(AdviceOf(err).String(), "cannot be undone") {
		t.Fatalf("--undo after --finish: %v (%s)", err, AdviceOf(err))
	}
}

// --finish proves the rotation's own new secret, never whatever the vault
// holds: a secret changed mid-rotation (the old one put back by an import
// of the .env.bak, or removed) stops it before anything is deleted at
// Globus, and the rotation waits; set, import and unset refuse that change
// in the first place (RotationBlocks), naming the rotation.
func TestFinishRefusesASecretChangedMidRotation(t *testing.T) {
	for _, change := range []string{"old back", "removed"} {
		t.Run(change, func(t *testing.T) {
			w, _ := newRotateWorld(t)
			ctx := context.Background()
			id := w.get("service_api.client_id")
			old := w.get("service_api.client_secret")
			if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
				t.Fatal(err)
			}
			made := w.get("service_api.client_secret")
			err := SetValue(w.e.Vault, "service_api.client_secret", old)
			if !errors.Is(err, ErrMidRotation) || !strings.Contains(err.Error(), "Service API secret rotation started") {
				t.Fatalf("set mid-rotation: %v", err)
			}
			if _, err := UnsetValue(w.e.Vault, "service_api.client_secret"); !errors.Is(err, ErrMidRotation) {
				t.Fatalf("unset mid-rotation: %v", err)
			}
			if err := SetValue(w.e.Vault, "service_api.client_secret", made); err != nil {
				t.Fatalf("storing the rotation's own secret back: %v", err)
			}
			// As a version without the guard (or a hand edit) would have left it.
			if err := w.e.Vault.Update(func(d *vault.Doc) error {
				if change == "removed" {
					delete(d.Values, "service_api.client_secret")
				} else {
					d.Values["service_api.client_secret"] = old
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			before := len(w.credIDs(id))
			_, err = FinishRotation(ctx, w.e, "service_api")
			t.Logf("--finish: %v\n  %s", err, Hint(err))
			if err == nil || !strings.Contains(err.Error(), "nothing was done: the old credential is not deleted at Globus") ||
				!strings.Contains(Hint(err), "rotate service_api --undo") {
				t.Fatalf("--finish with the vault's secret changed: %v", err)
			}
			if got := len(w.credIDs(id)); got != before || !w.pairWorks(id, old) {
				t.Fatalf("a credential was deleted at Globus (%d → %d), or the old secret no longer works", before, got)
			}
			if _, ok := rotationIn(w.e.Vault.Doc(), "service_api"); !ok {
				t.Fatal("the rotation was dropped")
			}
			if _, err := UndoRotation(ctx, w.e, "service_api"); err != nil || w.get("service_api.client_secret") != old {
				t.Fatalf("undo after: %v", err)
			}
		})
	}
}
