package steps

import (
	"context"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// A rotation's last stage: the operator says the gateway restarted.

// FinishRotation is the operator's word that the gateway restarted with the
// new secret: the gateway's start-up check runs with it (finishCheck), then
// the old credential is deleted at Globus and the old secret dropped from
// the vault.
func FinishRotation(ctx context.Context, e *Env, app string) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		return res, noRotation(e.Vault.Doc(), app, "nothing to finish", Say("start one with ", rotateCmd(app)))
	}
	switch r.Phase {
	case RotateRestart, RotateDeleting:
	case RotateUndoing:
		return res, &Problem{What: "this rotation is being undone", is: ErrNotWaitingRestart,
			Do: Say(run(rotateCmd(app, "--undo")), " to complete that")}
	default:
		return res, &Problem{What: "the new secret is not in place yet, so the old one is still needed", is: ErrNotWaitingRestart,
			Do: Say(run(rotateCmd(app)), " to carry on; it says when to restart the gateway and finish")}
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return res, err
	}
	if r.Phase == RotateRestart {
		if err := vaultHoldsNew(e.Vault.Doc(), r); err != nil {
			return res, err
		}
		// Safe either way: never delete the old secret while the new one
		// fails, or while a gateway with these settings would not start.
		lines, err := finishCheck(ctx, e, r)
		if err != nil {
			return res, err
		}
		for _, l := range lines {
			res.say(l)
		}
		if r.OldID == "" {
			var creds []globus.Credential
			err := Redrive(ctx, e, func(ctx context.Context) error {
				var err error
				creds, err = e.Globus.ListCredentials(ctx, auth, r.ClientID)
				return err
			})
			if err != nil {
				return res, problem("listing the app's secrets to find the old one", err)
			}
			var others []globus.Credential
			for _, c := range creds {
				if c.ID != r.NewID {
					others = append(others, c)
				}
			}
			if len(others) == 1 && !r.OldUnsure {
				r.OldID, r.OldAt = others[0].ID, others[0].Created
			}
		}
		r.Phase = RotateDeleting
		if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, r) }); err != nil {
			return res, problem("recording the deletion in the vault", err)
		}
		if err := rotateStop("deleting"); err != nil {
			return res, err
		}
	}
	if r.OldID != "" {
		err := Redrive(ctx, e, func(ctx context.Context) error {
			return e.Globus.DeleteCredential(ctx, auth, r.ClientID, r.OldID)
		})
		switch {
		case err == nil:
			res.say("✓ deleted the old secret (credential " + r.OldID + ") at Globus")
		case globus.IsStatus(err, 404):
			res.say("✓ the old secret (credential " + r.OldID + ") was already deleted at Globus")
		default:
			return res, &Problem{What: "Globus refused to delete the old secret (credential " + r.OldID + ")", Err: err, is: reauthIs(err),
				Do: thenAgain(err, "both secrets still work and the vault keeps the old one", rotateCmd(app, "--finish"))}
		}
		if err := rotateStop("deleted"); err != nil {
			return res, err
		}
	} else {
		res.say("! the app has other secrets and globus-setup cannot tell which one the gateway used before: none was deleted. ", rotateCmd("", "--list"), " shows them; delete the ones nobody uses with ", rotateCmd(app, "--delete", "ID"))
	}
	err = e.Vault.Update(func(d *vault.Doc) error {
		dropRotation(d, app)
		putSecretMeta(d, app, globus.Credential{ID: r.NewID, Created: r.NewAt}, strings.TrimSpace(d.Values[app+".client_secret"]))
		markRotated(d, app, time.Now())
		markProven(d, app+".client_secret")
		return nil
	})
	if err != nil {
		return res, problem("clearing the finished rotation from the vault", err)
	}
	res.Rotation, res.Done = r, true
	res.say("✓ the old secret is gone from the vault; the rotation is finished")
	return res, nil
}

// finishCheck is what --finish checks before the old secret goes: the
// gateway's whole start-up check (GatewayStartCheck: the Service Account's
// client-credentials grant, the policy read with its token, the domains
// compared as apps.py compares them), with the new secret in place. That
// check uses nothing of the Service API app, so rotating it, the new secret
// is first proven with its own grant, as the gateway uses it per request.
func finishCheck(ctx context.Context, e *Env, r Rotation) ([]string, error) {
	undo := rotateCmd(r.App, "--undo")
	var lines []string
	forAPI := r.App == serviceAPIID
	if forAPI {
		secret := value(e.Vault, r.App+".client_secret")
		if _, err := e.Globus.ClientCredentialsToken(ctx, globus.Credentials{ID: r.ClientID, Secret: secret}, rotateProofScopes...); err != nil {
			return nil, &Problem{What: "Globus no longer accepts the new secret, so the old one is kept (nothing was deleted)", Err: err,
				Do: Say("check the app in the developers console; ", undo, " goes back to the old secret")}
		}
		lines = append(lines, "✓ Globus accepts the new Service API secret (client-credentials grant)")
	}
	c := GatewayStartCheck(ctx, e)
	if c.Status == CheckPass {
		line := "✓ the gateway's start-up check passes with the new secret: " + c.Detail
		if forAPI {
			line = "✓ the gateway's start-up check passes (" + c.Detail + "); it uses nothing of the Service API app, whose new secret the grant above proved"
		}
		return append(lines, line), nil
	}
	what := "nothing was deleted, the old secret is kept: the gateway's start-up check fails with the new secret in place (" + c.Detail + ")"
	restart := "; restart the gateway, then "
	switch {
	case c.NoAnswer:
		what, restart = "nothing was deleted, the old secret is kept: Globus did not answer the gateway's start-up check ("+c.Detail+")", "; "
	case c.Status == CheckSkip:
		what = "nothing was deleted, the old secret is kept: the gateway's start-up check cannot run (" + c.Detail + ")"
	}
	if forAPI {
		what += ". The start-up check uses nothing of the Service API app: it reads the policy as the Service Account (the Service API ID and secret serve each request, introspecting users' tokens). So the new Service API secret, which Globus accepts, is not what fails; but a gateway that stops at start-up cannot have restarted with it"
	}
	do := c.Hint
	if c.Status == CheckSkip {
		do = Say("store what it names")
	}
	again := Say(run(rotateCmd(r.App, "--finish")), " again, or ", undo, " to go back to the old secret")
	if !do.Empty() {
		again = Say(do, restart, again)
	}
	return lines, &Problem{What: what, Do: again}
}

// vaultHoldsNew refuses to finish when the vault's secret is not the one
// the rotation made (changed or removed since, by a version without
// RotationBlocks or by hand): proving it would prove the wrong secret,
// record it as the new one, and delete the old credential at Globus, which
// may be the only one still working.
func vaultHoldsNew(doc vault.Doc, r Rotation) error {
	fp := r.newSecretFP(doc)
	if fp == "" {
		return nil // a record that cannot tell: the proof below decides
	}
	secret := trimmed(doc, r.App+".client_secret")
	if secret != "" && fingerprint(secret) == fp {
		return nil
	}
	what := "the vault's " + appLabel(r.App) + " secret is no longer the one this rotation made (it was changed since, by import or set)"
	if secret == "" {
		what = "the vault no longer holds the " + appLabel(r.App) + " secret this rotation made (it was removed since)"
	}
	return &Problem{What: what + ", so nothing was done: the old credential is not deleted at Globus, and the rotation waits",
		is: ErrNotWaitingRestart,
		Do: Say(rotateCmd(r.App, "--undo"), " puts the old secret back (vault and .env) and deletes the new credential at Globus; then ",
			rotateCmd(r.App), " starts afresh. If you still hold the new secret, storing it back (",
			setKey(r.App+".client_secret"), ") lets ", rotateCmd(r.App, "--finish"), " carry on")}
}
