package tui

import (
	"path/filepath"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// defaultEnvPath is where the .env is suggested, as the absolute path it
// names: the gateway's .env the vault remembers (steps.EnvTargetKey, which
// every write and import records), so Finish writes into it as it was
// written (secret-free stays so) rather than a second plaintext copy in
// the current folder; else ./.env for real use, and a demo's beside its
// vault, so demo secrets never land in the folder the wizard was started
// from (often a source checkout).
func defaultEnvPath(cfg Config, doc vault.Doc) string {
	if p := strings.TrimSpace(doc.Internal[steps.EnvTargetKey]); p != "" {
		return absPath(p)
	}
	if cfg.Demo && cfg.Paths.Vault != "" {
		return absPath(filepath.Join(filepath.Dir(cfg.Paths.Vault), ".env"))
	}
	return absPath(".env")
}

// absPath shows a path as the absolute one it names (the form says exactly
// where the file goes).
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
