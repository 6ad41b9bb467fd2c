package steps

import (
	"context"
	"os"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Going back to the old secret before the rotation finishes.

// UndoRotation puts the old secret back (vault and .env) and deletes the new
// credential at Globus. After the gateway restarted with the new secret, it
// must restart again.
func UndoRotation(ctx context.Context, e *Env, app string) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		return res, noRotation(e.Vault.Doc(), app, "its old secret is deleted at Globus, so it cannot be undone", Say("nothing to undo"))
	}
	if r.Phase == RotateDeleting {
		return res, &Problem{What: "the old secret is being deleted already, so it cannot come back", is: ErrNotWaitingRestart,
			Do: Say(run(rotateCmd(app, "--finish")), " to complete the rotation")}
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return res, err
	}
	wasRestart := r.Phase == RotateRestart
	if r.Phase != RotateUndoing && r.Phase != RotateCreating {
		r.Phase = RotateUndoing
		err := e.Vault.Update(func(d *vault.Doc) error {
			switch old, ok := d.Internal[rotationKey(app)+oldSecretPart]; {
			case ok && old != "":
				d.Values[app+".client_secret"] = old
				if r.OldID != "" {
					putSecretMeta(d, app, globus.Credential{ID: r.OldID, Created: r.OldAt}, old)
				}
			case ok:
				// There was none (a secret lost before the rotation): the
				// new one, about to be deleted, goes too.
				if s, found := stepByID(app); found {
					unsetIn(d, s, app+".client_secret")
				}
			}
			return putRotation(d, r)
		})
		if err != nil {
			return res, problem("putting the old secret back in the vault", err)
		}
		res.say("✓ the old secret is back in the vault")
		if err := rotateStop("undo-vault"); err != nil {
			return res, err
		}
	}
	secretFree := false
	if r.EnvPath != "" {
		if _, err := os.Stat(r.EnvPath); err != nil {
			res.say("! the .env at ", r.EnvPath, " is gone: put the old secret back yourself (", command("export", "--merge", "PATH"), ")")
		} else if w, err := MergeEnvFile(r.EnvPath, e.Vault.Doc()); err != nil {
			return res, problem("writing the old secret back into "+r.EnvPath, err)
		} else if secretFree = len(w.SecretsLeftOut) > 0; secretFree {
			// Said as what the write did: the file stays without secrets.
			res.say("✓ ", joinAdvice(secretFreeLines(w, "old"), "\n  "))
		} else {
			res.say("✓ ", joinAdvice(w.said("wrote the old secret back into"), "\n  "))
		}
	}
	err = Redrive(ctx, e, func(ctx context.Context) error {
		if r.NewID == "" {
			return deleteNamed(ctx, e, auth, r.ClientID, r.Name)
		}
		if err := e.Globus.DeleteCredential(ctx, auth, r.ClientID, r.NewID); err != nil && !globus.IsStatus(err, 404) {
			return err
		}
		return nil
	})
	if err != nil {
		return res, &Problem{What: "Globus refused to delete the new secret", Err: err, is: reauthIs(err),
			Do: thenAgain(err, "the old secret is back in place", rotateCmd(app, "--undo"))}
	}
	res.say("✓ deleted the new secret at Globus")
	err = e.Vault.Update(func(d *vault.Doc) error {
		dropRotation(d, app)
		return nil
	})
	if err != nil {
		return res, problem("clearing the undone rotation from the vault", err)
	}
	res.Rotation, res.Done = r, true
	switch {
	case r.NoEnv:
		res.say("If the gateway's settings got the new secret, put the old one back there (", command("export", "--format", "env"),
			", or ", shortCommand("exec"), ") and restart it: the new secret no longer works.")
	case secretFree:
		res.say("If the gateway was restarted with the new secret, restart it again now, under ", command("exec"),
			" as before, so it gets the old one: the new secret no longer works.")
	case wasRestart || r.EnvPath != "":
		res.say("If the gateway was restarted with the new secret, restart it again now: the new secret no longer works.")
	}
	return res, nil
}
