package steps

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// What an import would replace that the operator cannot see: a secret
// (Globus shows one once, and an old .env, such as the .bak a merge left,
// may hold one a rotation has since deleted at Globus), and which file the
// vault remembers as the gateway's .env.

// ImportSecret is a stored secret the import would replace, with what
// Globus says of the vault's and of the file's (one grant each).
type ImportSecret struct {
	Key      string // service_api.client_secret
	Variable string // GLOBUS_APPLICATION_SECRET
	Source   string // where the file holds it ("line 22")
	// File and Vault are Globus's verdicts on the file's pair and the
	// vault's; FileErr and VaultErr say why one is unchecked.
	File, Vault       SecretVerdict
	FileErr, VaultErr error
	// Kept: Globus refuses the file's and accepts the vault's, so the
	// vault's stays and the file's is not imported.
	Kept bool
	// Taken: Globus accepts the file's and refuses the vault's (the same
	// app): the file's replaces it without asking, which loses nothing.
	Taken bool
	// Forced: the file's, which Globus refuses, replaces the vault's,
	// which it accepts, because the operator said so (StoreRefused).
	Forced bool
}

// Verdicts says what Globus answered for both, never a secret.
func (s ImportSecret) Verdicts() string {
	verb := map[SecretVerdict]string{SecretAccepted: "accepts", SecretRefused: "refuses"}
	unchecked := func(whose string, err error) string {
		why := "Globus did not answer"
		if err != nil {
			why = err.Error()
		}
		return whose + " could not be checked (" + why + ")"
	}
	switch {
	case s.File == s.Vault && s.File != SecretUnchecked:
		return "Globus " + verb[s.File] + " both"
	case s.File != SecretUnchecked && s.Vault != SecretUnchecked:
		return "Globus " + verb[s.File] + " the file's and " + verb[s.Vault] + " the vault's"
	case s.File != SecretUnchecked:
		return "Globus " + verb[s.File] + " the file's; " + unchecked("the vault's", s.VaultErr)
	case s.Vault != SecretUnchecked:
		return "Globus " + verb[s.Vault] + " the vault's; " + unchecked("the file's", s.FileErr)
	}
	return unchecked("neither", s.FileErr)
}

// StoreRefusedFlag is the command line's override that stores a file's
// secret Globus refuses over the vault's working one.
const StoreRefusedFlag = "--store-refused-secrets"

// CheckSecrets asks Globus whether it accepts each secret the import
// would replace, and the file's in its place, with one client-credentials
// grant each (the pair as each side holds it: the file's client ID with
// the file's secret). Then, for each:
//   - the file's refused, the vault's accepted: the vault's is kept and the
//     file's not imported (Kept), unless storeRefused; when the file names
//     another client ID the pair cannot be split, so nothing is stored
//     (the error says so);
//   - the file's accepted, the vault's refused, the same app: the file's
//     replaces it without asking (Taken);
//   - otherwise it stays a difference to ask about (Differences), its
//     verdicts said.
//
// g nil (no Globus to ask) leaves every secret unchecked: a difference.
func (imp *EnvImport) CheckSecrets(ctx context.Context, g *globus.Client, doc vault.Doc, storeRefused bool) error {
	imp.Secrets = nil
	for _, app := range RotatableApps {
		key := app + ".client_secret"
		stored := strings.TrimSpace(doc.Values[key])
		vaultID := strings.TrimSpace(doc.Values[app+".client_id"])
		// The file's pair is its ID with its secret, or with the vault's
		// when it holds none (the vault's is kept then).
		file, ok := imp.Values[key]
		if !ok {
			file = stored
		}
		fileID, ok := imp.Values[app+".client_id"]
		if !ok {
			fileID = vaultID
		}
		// A pair checks whenever either half differs: a mistyped ID
		// beside the same secret is as broken as a wrong secret.
		if stored == "" || vaultID == "" || stored == file && fileID == vaultID {
			continue
		}
		s := ImportSecret{Key: key, Variable: gatewayVarOfKey(key), Source: imp.Source[key]}
		s.File, s.FileErr = CheckSecret(ctx, g, fileID, file)
		s.Vault, s.VaultErr = CheckSecret(ctx, g, vaultID, stored)
		same := fileID == vaultID
		switch {
		case s.File == SecretRefused && s.Vault == SecretAccepted && storeRefused:
			s.Forced = true
		case s.File == SecretRefused && s.Vault == SecretAccepted && !same:
			idKey := app + ".client_id"
			where := gatewayVarOfKey(idKey) + " at " + imp.Source[idKey]
			if file != stored {
				where += ", " + s.Variable + " at " + s.Source
			}
			return &Problem{What: "Globus refuses the file's " + appLabel(app) + " client ID and secret (" + where +
				") and accepts the vault's, of another client ID (" + vaultID + "); an ID and its secret go together, so nothing was stored",
				Do: Say("check "+gatewayVarOfKey(idKey)+" (a typo?) and that this is the gateway's .env; ", StoreRefusedFlag+" stores the file's pair anyway")}
		case s.File == SecretRefused && s.Vault == SecretAccepted:
			s.Kept = true
			delete(imp.Values, key)
			delete(imp.Source, key)
		case s.File == SecretAccepted && s.Vault == SecretRefused && same:
			s.Taken = true
		}
		imp.Secrets = append(imp.Secrets, s)
	}
	return nil
}

// secretOf is the check of key's pair (key an app's client_secret or
// client_id), if one was made.
func (imp *EnvImport) secretOf(key string) (ImportSecret, bool) {
	app := strings.TrimSuffix(strings.TrimSuffix(key, ".client_secret"), ".client_id")
	for _, s := range imp.Secrets {
		if s.Key == app+".client_secret" {
			return s, true
		}
	}
	return ImportSecret{}, false
}

// PairVerdicts says, for the question before replacing, which pair of
// each app checked Globus accepts ("" when none was checked).
func (imp *EnvImport) PairVerdicts() string {
	var out []string
	for _, s := range imp.Secrets {
		app := strings.TrimSuffix(s.Key, ".client_secret")
		out = append(out, appLabel(app)+" ID and secret: "+s.Verdicts())
	}
	return strings.Join(out, "; ")
}

// SecretNotes say what became of each secret checked, for the report.
func (imp *EnvImport) SecretNotes() []Advice {
	var out []Advice
	for _, s := range imp.Secrets {
		app := strings.TrimSuffix(s.Key, ".client_secret")
		switch {
		case s.Kept:
			out = append(out, Say(s.Variable+" at "+s.Source+" was not stored: Globus refuses it (deleted at Globus since, by a rotation?), "+
				"while it accepts the vault's "+s.Key+", which is kept; "+StoreRefusedFlag+" stores the file's anyway"))
		case s.Taken:
			out = append(out, Say("the vault's "+s.Key+", which Globus refuses, was replaced by the file's ("+s.Source+"), which it accepts"))
		case s.Forced:
			out = append(out, Say("stored the file's "+s.Key+" ("+s.Source+"), which Globus refuses, over the vault's, which it accepted, as "+
				StoreRefusedFlag+" asked: the gateway cannot use it; ", rotateCmd(app), " makes a new one"))
		case s.File == SecretRefused && s.Vault == SecretRefused:
			out = append(out, Say("Globus refuses both the file's and the vault's "+s.Key+": ", rotateCmd(app), " makes a new one"))
		}
	}
	return out
}

// backupName matches a backup's name: FILE.bak (a merge's), FILE.bak-<UTC
// time> (earlier versions'), FILE~, FILE.orig, FILE.old.
var backupName = regexp.MustCompile(`(\.bak(-[0-9]{8}T[0-9]{6}Z(-[0-9]+)?)?|~|\.orig|\.old)$`)

// LooksLikeBackup: the file's name is a backup's, which the gateway does
// not read.
func LooksLikeBackup(path string) bool { return backupName.MatchString(filepath.Base(path)) }

// Takeover says what storing the import would change of which file the
// vault remembers as the gateway's .env (the one rotate writes into): old
// is the file remembered now when it is another ("" none, or this one),
// gone that it is no longer there, backup that this file's name is a
// backup's. Another file still there, or a backup, is asked about first.
func (imp *EnvImport) Takeover(doc vault.Doc) (old string, backup, gone bool) {
	old = doc.Internal[EnvTargetKey]
	if old == imp.Path {
		old = ""
	}
	if old != "" {
		_, err := os.Stat(old)
		gone = errors.Is(err, fs.ErrNotExist)
	}
	return old, LooksLikeBackup(imp.Path), gone
}
