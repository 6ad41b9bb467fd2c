package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Rotating a confidential app's client secret without downtime:
//
//  1. create a new credential at Globus (POST /v2/api/clients/{id}/credentials,
//     answer {"credential":{id,name,secret,client,created}}: globus-sdk-python
//     src/globus_sdk/testing/data/auth/create_client_credential.py), its intent
//     recorded first and the new secret stored in the same vault update that
//     records the answer, as apply does (apply_run.go);
//  2. prove the new secret with a client-credentials grant, merge it into the
//     gateway's .env (through MergeEnvFile, the export path) and ask the
//     operator to restart the gateway; both secrets are valid meanwhile;
//  3. when the operator says the gateway restarted (nothing outside the
//     gateway can check which secret it holds), replay the gateway's start-up
//     check with the new secret, then delete the old credential at Globus
//     (DELETE /v2/api/clients/{id}/credentials/{credential_id}, answer
//     {"credential":{...,"secret":null}}: testing/data/auth/
//     delete_client_credential.py) and drop the old secret from the vault.
//
// Each stage is committed to the vault before the next starts, so a run
// killed anywhere is carried on by the next `rotate` of the same app.
//
// The files: this one, stages 1 and 2 (Rotate); rotate_env.go, the .env the
// new secret goes into; rotate_finish.go, stage 3 (FinishRotation);
// rotate_undo.go (UndoRotation); rotate_record.go, the record of a rotation
// in progress and what the stages share; rotate_age.go, which credential the
// stored secret is and its age (apply records it, status shows it);
// rotate_list.go, every secret of the apps at Globus (rotate --list, --delete).

// Rotate starts a rotation of app's secret, or carries on the one in
// progress, up to the point where the gateway must restart.
func Rotate(ctx context.Context, e *Env, app string, opts RotateOptions) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		if r, err = beginRotation(ctx, e, app, opts); err != nil {
			return res, err
		}
	} else {
		res.say("Carrying on the rotation started " + r.Started.UTC().Format("2006-01-02 15:04 UTC") + ".")
	}
	switch r.Phase {
	case RotateDeleting:
		return res, &Problem{What: "this rotation was deleting the old secret when it stopped", is: ErrNotWaitingRestart,
			Do: Say(run(rotateCmd(app, "--finish")), " to complete it")}
	case RotateUndoing:
		return res, &Problem{What: "this rotation was being undone when it stopped", is: ErrNotWaitingRestart,
			Do: Say(run(rotateCmd(app, "--undo")), " to complete it")}
	}
	if r.Phase == RotateCreating {
		if r, err = createNewSecret(ctx, e, r); err != nil {
			return res, err
		}
		res.say(fmt.Sprintf("✓ made the new secret %q (credential %s) and stored it in the vault", r.Name, r.NewID))
	}
	if r.Phase == RotateCreated {
		if r, err = proveNewSecret(ctx, e, r); err != nil {
			return res, err
		}
		res.say("✓ Globus accepts the new secret (client-credentials grant)")
	}
	// Whether the gateway, still on the old secret, keeps working until it
	// restarts: asked, not assumed (a rotation's old secret may have been
	// deleted at Globus already, in the console or by another tool).
	oldWorks, oldLine := oldSecretWorks(ctx, e, r)
	if oldLine != "" {
		res.say(oldLine)
	}
	restart := Say("Restart the gateway now, so it reads the new secret.")
	if r.Phase == RotateProven || r.Phase == RotateRestart {
		line, secretFree, nr, err := writeRotationEnv(e, r, opts)
		var we *rotationEnvError
		if errors.As(err, &we) {
			return res, rotationEnvProblem(app, we, oldWorks)
		}
		if err != nil {
			return res, err
		}
		r = nr
		res.say(line)
		if secretFree {
			restart = Say("Restart the gateway now, under ", command("exec"), " as before, so it gets the new secret.")
		}
	}
	res.Rotation = r
	switch oldWorks {
	case SecretAccepted:
		restart = Say(restart, " Both secrets work until you finish.")
	case SecretRefused:
		restart = Say(restart, " Do it at once if the gateway runs with the secret the vault held: Globus refuses that one.")
	}
	res.say(restart)
	res.say("Then ", run(rotateCmd(app, "--finish")), ": it replays the gateway's start-up check with the new secret, then deletes the old one at Globus. globus-setup cannot see which secret the running gateway holds, so finishing is your word that it restarted.")
	res.say("Changed your mind? ", rotateCmd(app, "--undo"), " puts the old secret back and deletes the new one.")
	if k, _ := rotatable(app); k.compute {
		// The gateway's Globus Compute guide has the same ID and secret set as
		// GLOBUS_COMPUTE_CLIENT_ID/SECRET for the Compute endpoints and tools.
		res.say(computeRestart)
	}
	return res, nil
}

// computeRestart is the last line of a service_account rotation;
// ComputeRestartHint is it in the command line's words, whose long
// back-quoted command must wrap, never be cut (the wizard's test uses it).
var (
	computeRestart     = Say("Anything else holding this app's secret needs the new one before you finish: Globus Compute endpoints and tools started with GLOBUS_COMPUTE_CLIENT_SECRET (restart them under ", command("exec", "--compute", "--", "…"), ").")
	ComputeRestartHint = computeRestart.String()
)

// beginRotation checks there is something to rotate, finds which credential
// the stored secret is when that can be known, and records the intent.
func beginRotation(ctx context.Context, e *Env, app string, opts RotateOptions) (Rotation, error) {
	k, _ := rotatable(app)
	cred, err := storedCredentials(e.Vault, k)
	if err != nil && value(e.Vault, app+".client_id") != "" {
		// The secret is lost (unset, or never stored): a new one is just
		// what a rotation makes, and which credential was the old one is
		// told below as for a secret typed in.
		cred, err = globus.Credentials{ID: value(e.Vault, app+".client_id")}, nil
	}
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			p.What = "cannot rotate: " + p.What
			p.is = ErrNoSecretToRotate
		}
		return Rotation{}, err
	}
	// Where the new secret goes is known before it is made.
	if _, _, err := rotationEnvPath(e, app, Rotation{App: app}, opts, false); err != nil {
		return Rotation{}, err
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return Rotation{}, err
	}
	r := Rotation{App: app, ClientID: cred.ID, Phase: RotateCreating, Started: time.Now().UTC()}
	if m, ok := secretMeta(e.Vault.Doc(), app); ok {
		r.OldID, r.OldAt = m.CredentialID, m.Created
	} else {
		var creds []globus.Credential
		err := Redrive(ctx, e, func(ctx context.Context) error {
			var err error
			creds, err = e.Globus.ListCredentials(ctx, auth, cred.ID)
			return err
		})
		if err != nil {
			return Rotation{}, problem("listing the "+appLabel(app)+" app's secrets", err)
		}
		// The stored secret is one of the app's credentials: with only one,
		// it is that one. With several, which cannot be told from outside.
		if len(creds) == 1 {
			r.OldID, r.OldAt = creds[0].ID, creds[0].Created
		} else {
			r.OldUnsure = true
		}
	}
	who := "globus-setup"
	if u, err := e.Globus.UserInfo(ctx, auth); err == nil && u.PreferredUsername != "" {
		who = sanitizeName(u.PreferredUsername)
	}
	// When and by whom, and a suffix that finds it again if the answer is lost.
	r.Name = fmt.Sprintf("rotated %s by %s %s", r.Started.Format("2006-01-02 15:04Z"), who, shortSuffix())
	if err := ctx.Err(); err != nil {
		return Rotation{}, problem("stopped before creating the new secret", err)
	}
	if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, r) }); err != nil {
		return Rotation{}, problem("recording the rotation in the vault", err)
	}
	return r, nil
}

// createNewSecret makes the new credential. A record still at "creating"
// may come from a run killed after Globus made it: a credential of that name
// holds a secret nobody has, so it is deleted and another made.
func createNewSecret(ctx context.Context, e *Env, r Rotation) (Rotation, error) {
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return r, err
	}
	err = Redrive(ctx, e, func(ctx context.Context) error { return deleteNamed(ctx, e, auth, r.ClientID, r.Name) })
	if err != nil {
		return r, problem("removing the secret an interrupted rotation made but never stored", err)
	}
	if err := rotateStop("intent"); err != nil {
		return r, err
	}
	var cr *globus.Credential
	err = Redrive(ctx, e, func(ctx context.Context) error {
		var err error
		cr, err = e.Globus.CreateCredential(ctx, auth, r.ClientID, r.Name)
		return err
	})
	if err != nil {
		p := createProblem("the new client secret", err).(*Problem)
		if p.Do.Empty() {
			// Refused outright: nothing was made, so no rotation is left
			// begun; a sign-in Globus asks for is named.
			if derr := e.Vault.Update(func(d *vault.Doc) error { delete(d.Internal, rotationKey(r.App)); return nil }); derr != nil {
				return r, problem("forgetting the rotation Globus refused", derr)
			}
			p.Do, p.is = thenAgain(err, "nothing was changed", rotateCmd(r.App)), reauthIs(err)
		} else {
			p.Do = Say("Globus may have made it anyway: ", run(rotateCmd(r.App)), " again, which deletes that unsaved secret and makes another")
		}
		return r, p
	}
	if err := rotateStop("answered"); err != nil {
		return r, err
	}
	key := r.App + ".client_secret"
	norm, fe := normalizeFor("", map[string]string{key: cr.Secret}, false)
	if len(fe) > 0 {
		return r, problem("Globus's new secret does not look like a client secret", fe)
	}
	nr := r
	nr.Phase, nr.NewID, nr.NewAt, nr.NewFP = RotateCreated, cr.ID, cr.Created, fingerprint(norm[key])
	err = e.Vault.Update(func(d *vault.Doc) error {
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[rotationKey(r.App)+oldSecretPart] = d.Values[key]
		setValuesIn(d, norm)
		putSecretMeta(d, r.App, *cr, norm[key])
		return putRotation(d, nr)
	})
	if err != nil {
		return r, &Problem{What: "made the new client secret but could not store it in the vault", Err: err,
			Do: Say("fix what the error names and ", run(rotateCmd(r.App)), " again: it deletes that unsaved secret and makes another")}
	}
	return nr, rotateStop("stored")
}

// deleteNamed deletes the app's credentials called name (a 404 is gone already).
func deleteNamed(ctx context.Context, e *Env, auth globus.Authorizer, clientID, name string) error {
	creds, err := e.Globus.ListCredentials(ctx, auth, clientID)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if c.Name != name {
			continue
		}
		if err := e.Globus.DeleteCredential(ctx, auth, clientID, c.ID); err != nil && !globus.IsStatus(err, 404) {
			return err
		}
	}
	return nil
}

// oldSecretWorks asks Globus, with one client-credentials grant, whether
// the secret the rotation replaces still works, and says so in a line.
func oldSecretWorks(ctx context.Context, e *Env, r Rotation) (SecretVerdict, string) {
	old := strings.TrimSpace(e.Vault.Doc().Internal[rotationKey(r.App)+oldSecretPart])
	if old == "" {
		return SecretUnchecked, ""
	}
	v, err := CheckSecret(ctx, e.Globus, r.ClientID, old)
	switch v {
	case SecretAccepted:
		return v, "✓ the old secret still works too (client-credentials grant), so the gateway keeps running on it until it restarts"
	case SecretRefused:
		// The vault's secret may never have been the gateway's (one typed
		// in wrong): whether the gateway fails is not known from here.
		return v, "! Globus refuses the secret the vault held before this rotation (deleted at Globus, or never this app's: a typo stored with set): a gateway running with that one fails now; one running with another keeps working"
	}
	return v, "- whether the old secret still works could not be checked (" + err.Error() + ")"
}

func proveNewSecret(ctx context.Context, e *Env, r Rotation) (Rotation, error) {
	secret := value(e.Vault, r.App+".client_secret")
	_, err := e.Globus.ClientCredentialsToken(ctx, globus.Credentials{ID: r.ClientID, Secret: secret}, rotateProofScopes...)
	if err != nil {
		return r, &Problem{What: "Globus does not accept the new " + appLabel(r.App) + " secret yet", Err: err,
			Do: Say(run(rotateCmd(r.App)), " again in a minute to prove it once more, or ", rotateFlag(r.App, "--undo"), " to go back to the old secret; the gateway still uses the old one")}
	}
	nr := r
	nr.Phase = RotateProven
	if err := e.Vault.Update(func(d *vault.Doc) error {
		markProven(d, r.App+".client_secret")
		return putRotation(d, nr)
	}); err != nil {
		return r, problem("recording the proof in the vault", err)
	}
	return nr, rotateStop("proven")
}
