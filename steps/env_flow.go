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
// wrote it.

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
// replace, else a new 0600 file; then remembers it for rotate.
func WriteEnv(v *vault.Vault, path string, replace bool) (EnvWrite, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return EnvWrite{}, err
	}
	var w EnvWrite
	if _, statErr := os.Stat(abs); statErr == nil && !replace {
		w.Merged = true
		w.FileWrite, err = MergeEnvInto(v, abs)
	} else {
		w.FileWrite, err = ExportFile(v, abs, FormatEnv)
	}
	if RememberFailed(err) {
		w.RememberErr, err = err, nil
	}
	return w, err
}

// ExportFile writes an export in format f to a new file at path (mode
// 0600); an env file is remembered for rotate.
func ExportFile(v *vault.Vault, path string, f ExportFormat) (FileWrite, error) {
	data, err := Export(v.Doc(), f)
	if err != nil {
		return FileWrite{}, err
	}
	w, err := WriteFileAtomic(path, data, 0o600)
	if err != nil || f != FormatEnv {
		return w, err
	}
	if err := RememberEnvTarget(v, path); err != nil {
		return w, &rememberError{err}
	}
	return w, nil
}

// MergeEnvInto merges the gateway's variables into the .env at path and
// remembers it for rotate.
func MergeEnvInto(v *vault.Vault, path string) (FileWrite, error) {
	w, err := MergeEnvFile(path, v.Doc())
	if err != nil {
		return w, err
	}
	if err := RememberEnvTarget(v, path); err != nil {
		return w, &rememberError{err}
	}
	return w, nil
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
