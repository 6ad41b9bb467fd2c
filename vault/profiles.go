package vault

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
)

// A profile is one vault per gateway (production, staging, preview):
// <config>/globus-setup/profiles/NAME/vault.age. The vault that predates
// profiles stays where it was and is the profile "default".

// EnvProfile selects a profile, as --profile does.
const EnvProfile = "GLOBUS_SETUP_PROFILE"

// DefaultProfile names the vault outside the profiles folder.
const DefaultProfile = "default"

// EnvironmentFileName records, beside vault.age, the Globus environment
// (GLOBUS_SDK_ENVIRONMENT) the vault was first used with.
const EnvironmentFileName = "globus-environment"

var (
	ErrBadProfileName = errors.New("bad profile name")
	// ErrEnvironmentMismatch: the vault's IDs belong to another Globus
	// environment; nothing is sent.
	ErrEnvironmentMismatch = errors.New("wrong Globus environment for this vault")
)

var profileName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckProfileName refuses names that are not a plain folder name.
func CheckProfileName(name string) error {
	if !profileName.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("%w %q: use letters, digits, '-', '_' and '.' (up to 64, starting with a letter or digit); it names a folder, so no '/'", ErrBadProfileName, name)
	}
	return nil
}

// ProfilesDir is <config>/globus-setup/profiles.
func ProfilesDir(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	dir, err := userConfigDir(getenv)
	if err != nil {
		return "", fmt.Errorf("cannot find the config folder for profiles (%v): use --vault PATH", err)
	}
	return filepath.Join(dir, "globus-setup", "profiles"), nil
}

// ProfileVaultFile is the vault.age of a profile; "default" is
// DefaultVaultFile (where the vault was before profiles).
func ProfileVaultFile(getenv func(string) string, name string) (string, error) {
	if name == DefaultProfile {
		return DefaultVaultFile(getenv)
	}
	if err := CheckProfileName(name); err != nil {
		return "", err
	}
	dir, err := ProfilesDir(getenv)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, name, "vault.age"), nil
}

// ProfileInfo is what `profiles` shows, read without unlocking anything.
type ProfileInfo struct {
	Name        string
	Paths       Paths
	Exists      bool      // vault.age or identity.age is there
	Modified    time.Time // vault.age's modification time
	Environment string    // recorded Globus environment; "" if none yet
	Recipients  int       // keys in recipients.txt; 1 (identity.age) without it
	RecipErr    error
}

// Profiles lists the default vault and every folder under profiles/.
func Profiles(getenv func(string) string) ([]ProfileInfo, error) {
	def, err := DefaultVaultFile(getenv)
	if err != nil {
		return nil, err
	}
	out := []ProfileInfo{profileInfo(DefaultProfile, PathsFor(def))}
	dir, err := ProfilesDir(getenv)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() && CheckProfileName(e.Name()) == nil {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, profileInfo(n, PathsFor(filepath.Join(dir, n, "vault.age"))))
	}
	return out, nil
}

func profileInfo(name string, p Paths) ProfileInfo {
	pi := ProfileInfo{Name: name, Paths: p, Exists: Exists(p)}
	if fi, err := os.Stat(p.Vault); err == nil {
		pi.Modified = fi.ModTime()
	}
	pi.Environment, _ = RecordedEnvironment(p)
	rs, ok, err := ReadRecipients(p)
	switch {
	case err != nil:
		pi.RecipErr = err
	case ok:
		pi.Recipients = len(rs)
	case pi.Exists:
		pi.Recipients = 1
	}
	return pi
}

func environmentFile(p Paths) string { return filepath.Join(p.Dir, EnvironmentFileName) }

func envName(env string) string {
	if env == "" {
		return "production"
	}
	return env
}

// RecordedEnvironment reads the Globus environment recorded for a vault;
// "" when none is.
func RecordedEnvironment(p Paths) (string, error) {
	data, err := readFile(environmentFile(p))
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// CheckEnvironment is called before a vault's IDs are used with Globus: the
// first time it records env (GLOBUS_SDK_ENVIRONMENT, "" for production);
// later a different env is ErrEnvironmentMismatch, so a preview setup never
// talks to production by mistake (or the other way round).
func CheckEnvironment(p Paths, env string) error {
	env = envName(env)
	rec, err := RecordedEnvironment(p)
	if err != nil {
		return fmt.Errorf("reading %s: %w", environmentFile(p), err)
	}
	if rec == "" {
		if err := ensureDir(p); err != nil {
			return err
		}
		// Under the writers' lock, as every save: a save clears the
		// folder's stale temporary files, which without the lock would
		// be another process's vault.age mid-save.
		fl, err := lock(p, DefaultLockTimeout)
		if err != nil {
			return err
		}
		defer unlock(fl)
		if rec, err = RecordedEnvironment(p); err != nil || rec != "" {
			if err != nil {
				return fmt.Errorf("reading %s: %w", environmentFile(p), err)
			}
			return CheckEnvironment(p, env) // another process recorded one meanwhile
		}
		return writeAtomic(p, environmentFile(p), []byte(env+"\n"))
	}
	if rec == env {
		return nil
	}
	fix := "GLOBUS_SDK_ENVIRONMENT=" + rec
	if rec == "production" {
		fix = "GLOBUS_SDK_ENVIRONMENT unset"
	}
	return fmt.Errorf("%w: the vault %s was set up against Globus's %s environment, but GLOBUS_SDK_ENVIRONMENT selects %s; nothing was sent. Run with %s, or pick the profile made for %s (globus-setup profiles)",
		ErrEnvironmentMismatch, p.Vault, rec, env, fix, env)
}
