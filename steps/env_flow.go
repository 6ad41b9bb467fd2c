package steps

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/globus-setup/globus-setup/vault"
)

// Writing the gateway's .env is one task, written once here for the
// wizard's Finish, accessible mode and `export --out`/`--merge`: the file
// written is remembered as the one `rotate` updates, whichever front-end
// wrote it, and whether it was written without secrets, so that every
// later write into it (a rotation's too) keeps them out.

// EnvSecretFreeKey (Internal) is the absolute path of the .env last
// written without secrets; "" when none is.
const EnvSecretFreeKey = "env.secret_free"

// Secrets says whether a .env written gets the two client secrets.
type Secrets int

const (
	// SecretsAsBefore: as the vault remembers for that file (left out
	// once it was written with SecretsOmit), else included.
	SecretsAsBefore Secrets = iota
	SecretsOmit             // export --no-secrets
	SecretsInclude          // export --with-secrets
)

// secretFree: the vault remembers path as written without secrets.
func secretFree(doc vault.Doc, path string) bool {
	abs, err := filepath.Abs(path)
	return err == nil && abs != "" && doc.Internal[EnvSecretFreeKey] == abs
}

func (s Secrets) options(doc vault.Doc, path string) EnvOptions {
	switch s {
	case SecretsOmit:
		return EnvOptions{NoSecrets: true}
	case SecretsInclude:
		return EnvOptions{}
	}
	return EnvOptions{NoSecrets: secretFree(doc, path)}
}

// EnvWrite is what WriteEnv did.
type EnvWrite struct {
	FileWrite
	Merged bool // the gateway's variables were merged into an existing file
	// Remembered is false when the vault could not record the file for
	// rotate (RememberErr says why); the file itself was written.
	RememberErr error
}

// WriteEnv writes the gateway's .env at path from what v holds: merged
// into an existing file (only the gateway's variables change) unless
// replace, else a new 0600 file; then remembers it for rotate. A file
// remembered as written without secrets stays so.
func WriteEnv(v *vault.Vault, path string, replace bool) (EnvWrite, error) {
	return WriteEnvWith(v, path, replace, SecretsAsBefore)
}

// WriteEnvWith is WriteEnv, choosing whether the secrets are written.
func WriteEnvWith(v *vault.Vault, path string, replace bool, s Secrets) (EnvWrite, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return EnvWrite{}, err
	}
	var w EnvWrite
	if _, statErr := os.Stat(abs); statErr == nil && !replace {
		w.Merged = true
		w.FileWrite, err = MergeEnvIntoWith(v, abs, s)
	} else {
		w.FileWrite, err = ExportFileWith(v, abs, FormatEnv, s)
	}
	if RememberFailed(err) {
		w.RememberErr, err = err, nil
	}
	return w, err
}

// ExportFile writes an export in format f to a new file at path (mode
// 0600); an env file is remembered for rotate.
func ExportFile(v *vault.Vault, path string, f ExportFormat) (FileWrite, error) {
	return ExportFileWith(v, path, f, SecretsAsBefore)
}

// ExportFileWith is ExportFile, choosing whether the secrets are written
// (for the env, json and shell formats).
func ExportFileWith(v *vault.Vault, path string, f ExportFormat, s Secrets) (FileWrite, error) {
	return exportFile(v, path, f, s, true)
}

// ExportFileKeepTarget is ExportFileWith leaving the remembered .env as it
// is: the file is only written (see OtherEnvTarget).
func ExportFileKeepTarget(v *vault.Vault, path string, f ExportFormat, s Secrets) (FileWrite, error) {
	return exportFile(v, path, f, s, false)
}

func exportFile(v *vault.Vault, path string, f ExportFormat, s Secrets, remember bool) (FileWrite, error) {
	o := s.options(v.Doc(), path)
	if f != FormatEnv && s == SecretsAsBefore {
		o = EnvOptions{} // only the .env is remembered
	}
	data, err := ExportWith(v.Doc(), f, o)
	if err != nil {
		return FileWrite{}, err
	}
	w, err := WriteFileAtomic(path, data, 0o600)
	if o.NoSecrets && f != FormatUsers {
		w.SecretsLeftOut = SecretVariables()
	}
	if err != nil || f != FormatEnv || !remember {
		return w, err
	}
	if w.TargetWas, err = rememberEnv(v, path, o.NoSecrets); err != nil {
		return w, &rememberError{err}
	}
	return w, nil
}

// MergeEnvInto merges the gateway's variables into the .env at path and
// remembers it for rotate.
func MergeEnvInto(v *vault.Vault, path string) (FileWrite, error) {
	return MergeEnvIntoWith(v, path, SecretsAsBefore)
}

// MergeEnvIntoWith is MergeEnvInto, choosing whether the secrets are
// written: SecretsOmit removes their lines.
func MergeEnvIntoWith(v *vault.Vault, path string, s Secrets) (FileWrite, error) {
	return mergeEnvInto(v, path, s, true)
}

// MergeEnvIntoKeepTarget is MergeEnvIntoWith leaving the remembered .env
// as it is: the file is only merged into (see OtherEnvTarget).
func MergeEnvIntoKeepTarget(v *vault.Vault, path string, s Secrets) (FileWrite, error) {
	return mergeEnvInto(v, path, s, false)
}

// CheckMergeInto is MergeEnvIntoWith's merge done in memory, writing
// nothing: the error it would fail with (no such file, a line the gateway
// cannot read), said before anything is asked about the file.
func CheckMergeInto(doc vault.Doc, path string, s Secrets) error {
	_, _, _, err := mergedEnv(path, doc, s.options(doc, path))
	return err
}

func mergeEnvInto(v *vault.Vault, path string, s Secrets, remember bool) (FileWrite, error) {
	o := s.options(v.Doc(), path)
	w, err := mergeEnvFile(path, v.Doc(), o)
	if err != nil || !remember {
		return w, err
	}
	if w.TargetWas, err = rememberEnv(v, path, o.NoSecrets); err != nil {
		return w, &rememberError{err}
	}
	return w, nil
}

// rememberEnv records path as the gateway's .env, for rotate, and whether
// it was written without secrets, in one vault update; was is the other
// file remembered before ("" none, or this one).
func rememberEnv(v *vault.Vault, path string, noSecrets bool) (was string, err error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	doc := v.Doc()
	free := doc.Internal[EnvSecretFreeKey]
	if old := doc.Internal[EnvTargetKey]; old != abs {
		was = old
	}
	if doc.Internal[EnvTargetKey] == abs && (free == abs) == noSecrets {
		return "", nil
	}
	return was, v.Update(func(d *vault.Doc) error {
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[EnvTargetKey] = abs
		switch {
		case noSecrets:
			d.Internal[EnvSecretFreeKey] = abs
		case d.Internal[EnvSecretFreeKey] == abs:
			delete(d.Internal, EnvSecretFreeKey)
		}
		return nil
	})
}

// rememberError: the file was written, but the vault could not record it
// for rotate.
type rememberError struct{ err error }

func (e *rememberError) Error() string {
	return "could not remember the .env for rotate: " + e.err.Error()
}
func (e *rememberError) Unwrap() error { return e.err }

// RememberFailed reports whether err only says the written file could not
// be remembered for rotate (the file itself was written).
func RememberFailed(err error) bool {
	var re *rememberError
	return errors.As(err, &re)
}

// OtherEnvTarget is the .env remembered for rotate when it is another file
// than path and is still there ("" otherwise). Writing path then does not
// take its place unasked, as import does not: export asks at a terminal,
// else keeps it unless --remember-file (a file written for a look, or a
// copy, would otherwise become the one a rotation writes its secret into).
func OtherEnvTarget(doc vault.Doc, path string) string {
	abs, err := filepath.Abs(path)
	old := doc.Internal[EnvTargetKey]
	if err != nil || old == "" || old == abs {
		return ""
	}
	if _, err := os.Stat(old); err != nil {
		return ""
	}
	return old
}
