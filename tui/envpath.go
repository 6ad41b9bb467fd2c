package tui

import "path/filepath"

// defaultEnvPath is where the .env is suggested: ./.env for real use; a
// demo's goes beside its vault, so demo secrets never land in the folder
// the wizard was started from (often a source checkout).
func defaultEnvPath(cfg Config) string {
	if cfg.Demo && cfg.Paths.Vault != "" {
		return filepath.Join(filepath.Dir(cfg.Paths.Vault), ".env")
	}
	return "./.env"
}

// absPath shows a path as the absolute one it names (the form says exactly
// where the file goes).
func absPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}
