package steps

import (
	"context"
	"strings"

	"github.com/globus-setup/globus-setup/dotenv"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// An app's ID or secret the gateway's .env sets otherwise than the vault
// is not a stale line to overwrite: the file's pair may be the one that
// works (the vault holding a mistyped ID). exec asks Globus which.

// CheckExecPairs tries, for each app whose client ID or secret the .env at
// path sets otherwise than the vault (over, from ExecOverrides), the
// file's pair and the vault's, one client-credentials grant each, and
// marks those overrides with the app and the verdicts for their warning.
// g nil leaves them unchecked: the warning then says to run verify.
func CheckExecPairs(ctx context.Context, g *globus.Client, doc vault.Doc, path string, over []ExecOverride) {
	data, err := readSettingsFile(path)
	if err != nil {
		return
	}
	f, err := dotenv.Parse(data)
	if err != nil {
		return
	}
	fileValue := func(key string) (string, bool) {
		b, ok := f.Lookup(gatewayVarOfKey(key))
		if !ok || !b.Set || strings.TrimSpace(b.Value) == "" {
			return strings.TrimSpace(doc.Values[key]), false
		}
		return strings.TrimSpace(b.Value), true
	}
	for _, app := range RotatableApps {
		idKey, secretKey := app+".client_id", app+".client_secret"
		vaultID, vaultSecret := strings.TrimSpace(doc.Values[idKey]), strings.TrimSpace(doc.Values[secretKey])
		fileID, _ := fileValue(idKey)
		fileSecret, _ := fileValue(secretKey)
		if fileID == vaultID && fileSecret == vaultSecret {
			continue
		}
		// Only the lines that differ: a secret the same as the vault's is
		// warned of for its plaintext alone.
		differs := map[string]bool{gatewayVarOfKey(idKey): fileID != vaultID, gatewayVarOfKey(secretKey): fileSecret != vaultSecret}
		var mine []int
		for i, o := range over {
			if differs[o.Name] && !o.Empty {
				mine = append(mine, i)
			}
		}
		if len(mine) == 0 {
			continue
		}
		var fileVerdict, vaultVerdict SecretVerdict
		if g != nil {
			fileVerdict, _ = CheckSecret(ctx, g, fileID, fileSecret)
			vaultVerdict, _ = CheckSecret(ctx, g, vaultID, vaultSecret)
		}
		for _, i := range mine {
			over[i].App, over[i].File, over[i].Vault = app, fileVerdict, vaultVerdict
		}
	}
}

// pairWarning is the override of an app's ID or secret that differs from
// the vault's: which pair Globus accepts decides which side to change.
func (o ExecOverride) pairWarning(path, what string) Advice {
	label := appLabel(o.App)
	lead := what + ", and the gateway loads that file with override=True, so the file's wins over the one exec passes; "
	switch {
	case o.File == SecretAccepted && o.Vault != SecretAccepted:
		return Say(lead+"Globus accepts the file's "+label+" client ID and secret and "+verdictWord(o.Vault)+" the vault's: keep the file as it is, and store its pair in the vault with ",
			command("import", path), " (exporting the vault's into the file would break the gateway)")
	case o.Vault == SecretAccepted && o.File != SecretAccepted:
		how := command("export", "--merge", path)
		if o.Secret {
			how = command("export", "--merge", path, "--no-secrets")
		}
		return Say(lead+"Globus accepts the vault's "+label+" client ID and secret and "+verdictWord(o.File)+" the file's: update the file with ", how)
	case o.Vault == SecretAccepted && o.File == SecretAccepted:
		return Say(lead+"Globus accepts both the file's "+label+" client ID and secret and the vault's: check which the gateway should use before changing either (", command("verify"), " checks the vault's)")
	}
	return Say(lead+"the vault and the file differ on the "+label+" client ID or secret, and which pair Globus accepts was not found out: run ", command("verify"),
		", which says whether Globus accepts the vault's, before changing either side")
}

func verdictWord(v SecretVerdict) string {
	switch v {
	case SecretRefused:
		return "refuses"
	case SecretAccepted:
		return "accepts"
	}
	return "could not check"
}
