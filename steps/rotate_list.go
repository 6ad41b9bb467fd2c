package steps

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// AppCredential is one of an app's secrets at Globus (never the secret
// itself: GET /v2/api/clients/{id}/credentials answers {"credentials":[{id,
// name, created, client, "secret": null}]}, globus-sdk-python
// src/globus_sdk/testing/data/auth/get_client_credentials.py) and what
// globus-setup knows of it.
type AppCredential struct {
	App        string
	Credential globus.Credential
	Role       CredentialRole
}

// CredentialRole says whose a credential is.
type CredentialRole string

const (
	RoleStored  CredentialRole = "in use"  // the secret the vault holds
	RoleNew     CredentialRole = "new"     // made by a rotation in progress
	RoleOld     CredentialRole = "old"     // replaced by a rotation in progress
	RoleUnknown CredentialRole = "unknown" // made elsewhere (the console, another tool)
	// RoleUnsure: the vault's secret is not recorded, so this may be it.
	RoleUnsure CredentialRole = "unsure"
	// RoleVaultRefused: the vault's secret is not recorded and Globus
	// refuses it, so this is not it; but it may be the one a gateway uses.
	RoleVaultRefused CredentialRole = "vault refused"
)

// CredentialTable is `rotate --list`: each secret on a line of columns
// (app, credential ID, age, whose it is), the ages padded to the widest so
// no column runs into the next, and its name, which may be long, on the
// line under it.
func CredentialTable(list []AppCredential, now time.Time) []string {
	ages := make([]string, len(list))
	width := 0
	for i, c := range list {
		ages[i] = "age unknown"
		if !c.Credential.Created.IsZero() {
			ages[i] = days(now.Sub(c.Credential.Created)) + " old"
		}
		width = max(width, len(ages[i]))
	}
	out := make([]string, 0, 2*len(list))
	for i, c := range list {
		out = append(out,
			fmt.Sprintf("%-15s %s  %-*s  %s", appLabel(c.App), c.Credential.ID, width, ages[i], c.Role.says()),
			fmt.Sprintf("%-15s named %q", "", sanitizeName(c.Credential.Name)))
	}
	return out
}

// says is the role in words, for rotate --list.
func (r CredentialRole) says() string {
	return map[CredentialRole]string{
		RoleStored:       "in use: the secret in the vault",
		RoleNew:          "new: made by the rotation in progress",
		RoleOld:          "old: --finish deletes it",
		RoleUnknown:      "unknown to globus-setup (made in the console or by another tool): delete it if nobody uses it",
		RoleUnsure:       "maybe the secret in the vault (it was stored by set, import or the wizard, so which credential it is is not recorded)",
		RoleVaultRefused: "not the secret in the vault, which Globus refuses; maybe the one the gateway uses",
	}[r]
}

// sanitizeName keeps a console-typed name to one printable line.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return -1
		}
		return r
	}, s)
}

// ListAppCredentials lists every secret of the apps that have a stored ID,
// each with what globus-setup knows of it.
func ListAppCredentials(ctx context.Context, e *Env) ([]AppCredential, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	if err := e.Vault.Reload(); err != nil {
		return nil, problem("reading the vault", err)
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return nil, err
	}
	doc := e.Vault.Doc()
	var out []AppCredential
	for _, app := range RotatableApps {
		id := strings.TrimSpace(doc.Values[app+".client_id"])
		if id == "" {
			continue
		}
		var creds []globus.Credential
		err := Redrive(ctx, e, func(ctx context.Context) error {
			var err error
			creds, err = e.Globus.ListCredentials(ctx, auth, id)
			return err
		})
		if err != nil {
			return out, problem("listing the "+appLabel(app)+" app's secrets", err)
		}
		meta, known := secretMeta(doc, app)
		rot, rotating := rotationIn(doc, app)
		unsure := RoleUnsure
		if !known && !rotating {
			// Asked, not assumed: a vault's secret Globus refuses is none
			// of these (one grant).
			if v, _ := CheckSecret(ctx, e.Globus, id, doc.Values[app+".client_secret"]); v == SecretRefused {
				unsure = RoleVaultRefused
			}
		}
		for _, c := range creds {
			role := RoleUnknown
			switch {
			case rotating && c.ID == rot.NewID:
				role = RoleNew
			case rotating && c.ID == rot.OldID:
				role = RoleOld
			case known && c.ID == meta.CredentialID:
				role = RoleStored
			case !known && !rotating:
				role = unsure
			}
			out = append(out, AppCredential{App: app, Credential: c, Role: role})
		}
	}
	return out, nil
}

// DeleteUnknownCredential deletes one of app's secrets that globus-setup
// knows nobody here uses. It refuses the stored secret, the ones a rotation
// in progress holds, and any when the stored secret's credential is not
// recorded (then any of them may be the one the gateway uses).
//
// confirm, when not nil, is asked once the credential is known to be one
// nobody here uses, before Globus is: an error from it stops the delete.
func DeleteUnknownCredential(ctx context.Context, e *Env, app, credID string, confirm func(AppCredential) error) error {
	if err := checkApp(app); err != nil {
		return err
	}
	list, err := ListAppCredentials(ctx, e)
	if err != nil {
		return err
	}
	for _, c := range list {
		if c.App != app || c.Credential.ID != credID {
			continue
		}
		switch c.Role {
		case RoleStored:
			return &Problem{What: "credential " + credID + " is the secret in the vault, which the gateway uses: not deleted",
				Do: Say("to replace it, ", run(rotateCmd(app)))}
		case RoleNew, RoleOld:
			return &Problem{What: "credential " + credID + " belongs to the rotation in progress: not deleted",
				Do: Say("finish it with ", rotateCmd(app, "--finish"), " (deletes the old one) or ", rotateFlag(app, "--undo"), " (deletes the new one)")}
		case RoleVaultRefused:
			return &Problem{What: "credential " + credID + " may be the secret the gateway uses (Globus refuses the vault's, so which one the gateway holds cannot be told): not deleted",
				Do: Say("store the gateway's working secret (", setKey(app+".client_secret"), ") or make a new one with ", rotateCmd(app), "; afterwards the secret in use is known and the others can be deleted")}
		case RoleUnsure:
			return &Problem{What: "globus-setup cannot tell whether credential " + credID + " is the secret the gateway uses (the stored secret was stored by hand, so which credential it is is not recorded): not deleted",
				Do: Say("rotate first (", rotateCmd(app), "): afterwards the secret in use is known and the others can be deleted")}
		}
		if confirm != nil {
			if err := confirm(c); err != nil {
				return err
			}
		}
		auth, err := OperatorToken(ctx, e, AuthResourceServer)
		if err != nil {
			return err
		}
		err = Redrive(ctx, e, func(ctx context.Context) error {
			return e.Globus.DeleteCredential(ctx, auth, value(e.Vault, app+".client_id"), credID)
		})
		if err != nil && !globus.IsStatus(err, 404) {
			return &Problem{What: "Globus refused to delete credential " + credID, Err: err, is: reauthIs(err),
				Do: thenAgain(err, "nothing was changed", rotateCmd(app, "--delete", credID))}
		}
		return nil
	}
	return &Problem{What: "the " + appLabel(app) + " app has no secret with credential ID " + credID,
		Do: Say(rotateCmd("", "--list"), " shows the IDs")}
}
