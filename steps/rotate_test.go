package steps

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// rotateWorld is an applied setup (both apps with a secret made by apply)
// and a .env the gateway reads, remembered as the target.
func newRotateWorld(t *testing.T) (*applyWorld, string) {
	t.Helper()
	w := newApplyWorld(t, true)
	if _, _, err := Apply(context.Background(), w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(env, []byte("DEBUG=1\nGLOBUS_APPLICATION_SECRET=typed-by-hand\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := MergeEnvFile(env, w.e.Vault.Doc()); err != nil {
		t.Fatal(err)
	}
	if err := RememberEnvTarget(w.e.Vault, env); err != nil {
		t.Fatal(err)
	}
	return w, env
}

func (w *applyWorld) pairWorks(id, secret string) bool {
	w.t.Helper()
	_, err := w.e.Globus.ClientCredentialsToken(context.Background(), globus.Credentials{ID: id, Secret: secret}, rotateProofScopes...)
	return err == nil
}

func (w *applyWorld) credIDs(clientID string) []string {
	var out []string
	for _, c := range w.srv.Credentials(clientID) {
		out = append(out, c.ID)
	}
	return out
}

func envHas(t *testing.T, path, secret string) bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "GLOBUS_APPLICATION_SECRET=") {
			return strings.Trim(strings.TrimPrefix(l, "GLOBUS_APPLICATION_SECRET="), `"'`) == secret
		}
	}
	return false
}

func TestRotateFullCycle(t *testing.T) {
	w, env := newRotateWorld(t)
	ctx := context.Background()
	id, old := w.get("service_api.client_id"), w.get("service_api.client_secret")
	before := w.credIDs(id)
	if len(before) != 1 {
		t.Fatalf("apply left %d secrets", len(before))
	}
	if ages := SecretAges(w.e.Vault.Doc(), time.Now(), DefaultMaxSecretAge); len(ages) != 2 || !ages[0].Known {
		t.Fatalf("apply's secret has no known age: %+v", ages)
	}

	res, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rotate service_api:\n%s", strings.Join(res.Lines, "\n"))
	nw := w.get("service_api.client_secret")
	if nw == old || nw == "" {
		t.Fatal("the vault does not hold a new secret")
	}
	if !w.pairWorks(id, old) || !w.pairWorks(id, nw) {
		t.Fatal("both secrets must work between rotate and --finish")
	}
	if !envHas(t, env, nw) {
		t.Fatal("the .env was not updated with the new secret")
	}
	if rs := Rotations(w.e.Vault.Doc()); len(rs) != 1 || rs[0].Phase != RotateRestart || rs[0].OldID != before[0] {
		t.Fatalf("rotation in progress: %+v", rs)
	}
	if !strings.Contains(Rotations(w.e.Vault.Doc())[0].Line(), "--finish") {
		t.Error("status line does not say how to finish")
	}
	if strings.Contains(strings.Join(res.Lines, "\n"), nw) {
		t.Fatal("a line shows the new secret")
	}

	res, err = FinishRotation(ctx, w.e, "service_api")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rotate service_api --finish:\n%s", strings.Join(res.Lines, "\n"))
	if w.pairWorks(id, old) {
		t.Fatal("the old secret still works after --finish")
	}
	if !w.pairWorks(id, nw) {
		t.Fatal("the new secret stopped working")
	}
	after := w.credIDs(id)
	if len(after) != 1 || after[0] == before[0] {
		t.Fatalf("credentials after finish: %v (before %v)", after, before)
	}
	doc := w.e.Vault.Doc()
	for k := range doc.Internal {
		if strings.HasPrefix(k, rotatePrefix) {
			t.Errorf("left in the vault after finish: %s", k)
		}
	}
	if m, ok := secretMeta(doc, "service_api"); !ok || m.CredentialID != after[0] {
		t.Errorf("the new secret's credential is not recorded: %+v", m)
	}
}

func TestRotateUndo(t *testing.T) {
	w, env := newRotateWorld(t)
	ctx := context.Background()
	id, old := w.get("service_api.client_id"), w.get("service_api.client_secret")
	if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
		t.Fatal(err)
	}
	nw := w.get("service_api.client_secret")
	if _, err := UndoRotation(ctx, w.e, "service_api"); err != nil {
		t.Fatal(err)
	}
	if w.get("service_api.client_secret") != old || !envHas(t, env, old) {
		t.Fatal("undo did not put the old secret back in the vault and the .env")
	}
	if w.pairWorks(id, nw) || !w.pairWorks(id, old) {
		t.Fatal("after undo the new secret must be gone and the old one work")
	}
	if len(Rotations(w.e.Vault.Doc())) != 0 {
		t.Fatal("the rotation is still recorded after undo")
	}
}

// stopRotationAt makes a rotation fail with err at stage, as a kill would,
// until the test ends.
func stopRotationAt(t *testing.T, stage string, err error) {
	rotateStop = func(s string) error {
		if s == stage {
			return err
		}
		return nil
	}
	t.Cleanup(func() { rotateStop = func(string) error { return nil } })
}

// rotateKilledAfterProof leaves a rotation of the Service API app as a
// process killed once the new secret was proven leaves it.
func rotateKilledAfterProof(t *testing.T, w *applyWorld) {
	stopRotationAt(t, "proven", errors.New("killed"))
	Rotate(context.Background(), w.e, "service_api", RotateOptions{})
	rotateStop = func(string) error { return nil }
}

// A rotation stopped after each stage (everything before it is in the
// vault, as after a kill) is carried on by the next rotate, and ends with
// exactly one working secret, the one stored.
func TestRotateStoppedAtEachStageResumes(t *testing.T) {
	errKilled := errors.New("killed")
	for _, stage := range []string{"intent", "answered", "stored", "proven", "env", "deleting", "deleted"} {
		t.Run(stage, func(t *testing.T) {
			w, env := newRotateWorld(t)
			ctx := context.Background()
			id, old := w.get("service_api.client_id"), w.get("service_api.client_secret")
			stopRotationAt(t, stage, errKilled)
			_, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
			if err == nil {
				_, err = FinishRotation(ctx, w.e, "service_api")
			}
			if !errors.Is(err, errKilled) {
				t.Fatalf("not stopped at %s: %v", stage, err)
			}
			rotateStop = func(string) error { return nil }
			// The vault as the killed process left it, read afresh.
			if err := w.e.Vault.Reload(); err != nil {
				t.Fatal(err)
			}
			rs := Rotations(w.e.Vault.Doc())
			if len(rs) != 1 {
				t.Fatalf("after a stop at %s, %d rotations are recorded", stage, len(rs))
			}
			t.Logf("stopped at %s: status says %q", stage, rs[0].Line())
			if rs[0].Phase != RotateDeleting {
				res, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
				if err != nil {
					t.Fatalf("resume: %v", err)
				}
				if !strings.Contains(res.Lines[0], "Carrying on") {
					t.Errorf("resume does not say it carries on: %q", res.Lines[0])
				}
			} else if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err == nil || !strings.Contains(Hint(err), "--finish") {
				t.Errorf("rotate while deleting: %v", err)
			}
			if _, err := FinishRotation(ctx, w.e, "service_api"); err != nil {
				t.Fatalf("finish: %v", err)
			}
			nw := w.get("service_api.client_secret")
			creds := w.credIDs(id)
			if len(creds) != 1 || !w.pairWorks(id, nw) || w.pairWorks(id, old) || !envHas(t, env, nw) {
				t.Fatalf("after resume: %d secrets at Globus, new works %v, old works %v, .env has new %v",
					len(creds), w.pairWorks(id, nw), w.pairWorks(id, old), envHas(t, env, nw))
			}
		})
	}
}

func TestRotateBadInput(t *testing.T) {
	ctx := context.Background()
	t.Run("no stored app", func(t *testing.T) {
		// The app's ID is what a rotation needs (a lost secret is what it
		// replaces): without it there is nothing to rotate.
		w := newApplyWorld(t, true)
		w.set(map[string]string{"service_account.client_id": "11111111-2222-4333-8444-555555555555"})
		_, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
		if !errors.Is(err, ErrNoSecretToRotate) {
			t.Fatalf("got %v", err)
		}
		mustProblem(t, err, "cannot rotate", "service_api.client_id")
		if len(Rotations(w.e.Vault.Doc())) != 0 || w.creates() != 0 {
			t.Fatal("something was recorded or created")
		}
	})
	t.Run("unknown app", func(t *testing.T) {
		w := newApplyWorld(t, true)
		_, err := Rotate(ctx, w.e, "public_client", RotateOptions{})
		mustProblem(t, err, "no client secret to rotate", "service_api, service_account")
	})
	t.Run("env moved before the start", func(t *testing.T) {
		w, env := newRotateWorld(t)
		if err := os.Rename(env, env+".moved"); err != nil {
			t.Fatal(err)
		}
		before := len(w.credIDs(w.get("service_api.client_id")))
		_, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
		if !errors.Is(err, ErrEnvTargetMissing) {
			t.Fatalf("got %v", err)
		}
		mustProblem(t, err, "not at "+env, "--env NEWPATH", "nothing was made yet")
		if n := len(w.credIDs(w.get("service_api.client_id"))); n != before || len(Rotations(w.e.Vault.Doc())) != 0 {
			t.Fatalf("a secret was made (%d, was %d) or a rotation recorded before the .env was found", n, before)
		}
		_, err = Rotate(ctx, w.e, "service_api", RotateOptions{EnvPath: env + ".nowhere"})
		mustProblem(t, err, "there is no file at "+env+".nowhere", "export --out", "nothing was made yet")
		if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{EnvPath: env + ".moved"}); err != nil {
			t.Fatal(err)
		}
		if nw := w.get("service_api.client_secret"); !envHas(t, env+".moved", nw) || Rotations(w.e.Vault.Doc())[0].Phase != RotateRestart {
			t.Fatal("the moved .env was not updated")
		}
		if p, _ := w.e.Vault.Internal(EnvTargetKey); p != env+".moved" {
			t.Errorf("the new .env target is not remembered: %q", p)
		}
	})
	t.Run("env moved mid-way", func(t *testing.T) {
		w, env := newRotateWorld(t)
		rotateKilledAfterProof(t, w)
		if err := os.Rename(env, env+".moved"); err != nil {
			t.Fatal(err)
		}
		_, err := Rotate(ctx, w.e, "service_api", RotateOptions{})
		if !errors.Is(err, ErrEnvTargetMissing) {
			t.Fatalf("got %v", err)
		}
		mustProblem(t, err, "not at "+env, "--env NEWPATH", "nothing is lost")
		nw := w.get("service_api.client_secret")
		if !w.pairWorks(w.get("service_api.client_id"), nw) {
			t.Fatal("the new secret was not kept")
		}
		if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{EnvPath: env + ".moved"}); err != nil {
			t.Fatal(err)
		}
		if !envHas(t, env+".moved", nw) || Rotations(w.e.Vault.Doc())[0].Phase != RotateRestart {
			t.Fatal("the moved .env was not updated")
		}
	})
	t.Run("finish before restart", func(t *testing.T) {
		w, _ := newRotateWorld(t)
		_, err := FinishRotation(ctx, w.e, "service_api")
		if !errors.Is(err, ErrNoRotation) {
			t.Fatalf("got %v", err)
		}
		rotateKilledAfterProof(t, w)
		_, err = FinishRotation(ctx, w.e, "service_api")
		if !errors.Is(err, ErrNotWaitingRestart) {
			t.Fatalf("got %v", err)
		}
		if n := len(w.credIDs(w.get("service_api.client_id"))); n != 2 {
			t.Fatalf("finish before the .env step deleted something: %d secrets", n)
		}
	})
	t.Run("globus refuses the delete", func(t *testing.T) {
		w, _ := newRotateWorld(t)
		id, old := w.get("service_api.client_id"), w.get("service_api.client_secret")
		if _, err := Rotate(ctx, w.e, "service_api", RotateOptions{}); err != nil {
			t.Fatal(err)
		}
		// Globus asks for MFA and nobody is there to sign in (no Reauth).
		w.srv.DemandSession(globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/*/credentials/*", MFA: true})
		_, err := FinishRotation(ctx, w.e, "service_api")
		if !errors.Is(err, ErrReauthRequired) {
			t.Fatalf("got %v", err)
		}
		mustProblem(t, err, "delete the old secret", "--mfa", "run `globus-setup rotate service_api --finish` again")
		if !w.pairWorks(id, old) || len(Rotations(w.e.Vault.Doc())) != 1 {
			t.Fatal("a refused delete lost the old secret or the rotation")
		}
		if v, _ := w.e.Vault.Internal(rotationKey("service_api") + oldSecretPart); v != old {
			t.Fatal("the vault dropped the old secret though Globus kept it")
		}
	})
}

// The secret's age: known for apply's, unknown once a secret is typed in,
// flagged past the limit.
func TestSecretAges(t *testing.T) {
	w, _ := newRotateWorld(t)
	now := time.Now()
	ages := SecretAges(w.e.Vault.Doc(), now.Add(100*24*time.Hour), DefaultMaxSecretAge)
	if !ages[0].Old || !strings.Contains(ages[0].Line(DefaultMaxSecretAge), "older than 90 days") {
		t.Errorf("a 100-day-old secret is not flagged: %q", ages[0].Line(DefaultMaxSecretAge))
	}
	if a := SecretAges(w.e.Vault.Doc(), now.Add(24*time.Hour), DefaultMaxSecretAge); a[0].Old {
		t.Error("a one-day-old secret is flagged")
	}
	w.set(map[string]string{"service_api.client_secret": "typed-in-by-hand-0123456789abcdefghijkl="})
	a := SecretAges(w.e.Vault.Doc(), now, DefaultMaxSecretAge)
	if a[0].Known || !slices.ContainsFunc(a, func(x SecretAge) bool { return x.App == "service_account" && x.Known }) {
		t.Errorf("after typing a secret its age must be unknown and the other kept: %+v", a)
	}
}
