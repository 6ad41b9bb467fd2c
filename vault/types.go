package vault

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"
)

// FormatVersion is the version of the JSON document this build writes and the
// newest one it reads.
const FormatVersion = 1

// DefaultWorkFactor is the scrypt log2(N) for identity.age (about 1 s here).
const DefaultWorkFactor = 18

// MaxWorkFactor is the largest work factor accepted: the stock age tool refuses
// to decrypt anything above it, and the vault must stay readable by it.
const MaxWorkFactor = 22

// DefaultLockTimeout is how long a writer waits for another one to finish.
const DefaultLockTimeout = 30 * time.Second

// File names inside the vault folder.
const (
	IdentityFileName = "identity.age"
	LockFileName     = "vault.lock"
)

var (
	ErrWrongPassphrase = errors.New("wrong passphrase: the vault was not changed")
	ErrNotFound        = errors.New("no vault found")
	ErrExists          = errors.New("a vault already exists there")
	ErrBusy            = errors.New("vault busy: another globus-setup is writing to it; try again when it has finished")
	ErrEmptyPassphrase = errors.New("empty passphrase refused")
	// ErrNewerFormat: vault.age was written by a newer globus-setup. Never
	// repaired or overwritten: upgrading is the fix.
	ErrNewerFormat = errors.New("vault written by a newer globus-setup")
	// ErrWrongIdentity: an identity (typically from the keychain) does not open
	// this vault, e.g. the vault was re-created since it was remembered.
	ErrWrongIdentity = errors.New("the remembered identity does not open this vault")
	// ErrNoPassphrase: no passphrase source and no terminal to prompt on.
	ErrNoPassphrase = errors.New("no passphrase available and no terminal to ask on: use --passphrase-file, GLOBUS_SETUP_PASSPHRASE_FILE or GLOBUS_SETUP_PASSPHRASE_COMMAND")
	// ErrChanged: the vault was re-created under this process since it was
	// unlocked; saving would encrypt to a key the new vault does not use.
	ErrChanged = errors.New("the vault was re-created by another process since it was unlocked: unlock it again")
)

// CorruptError reports a damaged vault.age or identity.age. The file is left
// untouched; only OpenForce (--force) sets it aside.
type CorruptError struct {
	File   string // path of the damaged file
	Reason string // what is wrong; never contains secret material
}

func (e *CorruptError) Error() string {
	if filepath.Base(e.File) == IdentityFileName {
		return fmt.Sprintf("%s is damaged (%s): restore it from a backup; or run again with --force to keep it and vault.age aside and start a new, empty vault (vault.age cannot be read without it)", e.File, e.Reason)
	}
	return fmt.Sprintf("%s is damaged (%s): restore it from a backup; or run again with --force to keep it aside as %s.damaged-<time> and start a fresh document", e.File, e.Reason, filepath.Base(e.File))
}

// StepRecord is the progress of one step.
type StepRecord struct {
	State     string    `json:"state"`
	UpdatedAt time.Time `json:"updated_at"`
	Note      string    `json:"note,omitempty"`
	// unknown holds the fields a newer globus-setup wrote, kept as they
	// are (see unknown.go).
	unknown map[string]json.RawMessage
}

// Doc is the plaintext of vault.age.
type Doc struct {
	Version   int                   `json:"version"`
	Values    map[string]string     `json:"values"`
	Steps     map[string]StepRecord `json:"steps"`
	Internal  map[string]string     `json:"internal,omitempty"`
	UpdatedAt time.Time             `json:"updated_at"`
	// Writer names the copy that saved it last (user@host:path), so a save
	// can tell another operator's file (a git pull) from another
	// globus-setup of its own. Older builds drop it; they are treated as ours.
	Writer string `json:"writer,omitempty"`
	// Recipients are the keys the file was encrypted to, so a
	// recipients.txt edited by hand (or pulled without its vault.age) is
	// noticed before a save encrypts the secrets to a key nobody added here.
	Recipients []string `json:"recipients,omitempty"`
	// unknown holds the fields a newer globus-setup wrote, kept as they
	// are (see unknown.go).
	unknown map[string]json.RawMessage
}

// Clone returns a deep copy; its maps are never nil.
func (d Doc) Clone() Doc {
	c := d
	c.Values = maps.Clone(d.Values)
	c.Steps = maps.Clone(d.Steps)
	c.Internal = maps.Clone(d.Internal)
	c.Recipients = slices.Clone(d.Recipients)
	c.unknown = maps.Clone(d.unknown)
	if c.Values == nil {
		c.Values = map[string]string{}
	}
	if c.Steps == nil {
		c.Steps = map[string]StepRecord{}
	}
	if c.Internal == nil {
		c.Internal = map[string]string{}
	}
	return c
}

func newDoc() Doc {
	return Doc{Version: FormatVersion}.Clone()
}

// Paths are the files of one vault.
type Paths struct{ Dir, Vault, Identity, Lock string }

// RecipientsFileName lists, beside vault.age, the public keys it is
// encrypted to (a team vault); absent, it is encrypted to identity.age alone.
const RecipientsFileName = "recipients.txt"

// RecipientsFile is recipients.txt beside vault.age.
func (p Paths) RecipientsFile() string { return filepath.Join(p.Dir, RecipientsFileName) }

// PathsFor returns the paths for vault file vaultFile: identity.age and
// vault.lock beside it. Relative paths are made absolute so a later chdir and
// the keychain entry name do not depend on the working directory.
func PathsFor(vaultFile string) Paths {
	if abs, err := filepath.Abs(vaultFile); err == nil {
		vaultFile = abs
	} else {
		vaultFile = filepath.Clean(vaultFile)
	}
	dir := filepath.Dir(vaultFile)
	return Paths{
		Dir:      dir,
		Vault:    vaultFile,
		Identity: filepath.Join(dir, IdentityFileName),
		Lock:     filepath.Join(dir, LockFileName),
	}
}

// DefaultVaultFile is GLOBUS_SETUP_VAULT, else
// os.UserConfigDir()/globus-setup/vault.age. getenv nil means os.Getenv.
func DefaultVaultFile(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if f := getenv("GLOBUS_SETUP_VAULT"); f != "" {
		return filepath.Abs(f)
	}
	dir, err := userConfigDir(getenv)
	if err != nil {
		return "", fmt.Errorf("cannot find a folder for the vault (%v): set GLOBUS_SETUP_VAULT or use --vault", err)
	}
	return filepath.Join(dir, "globus-setup", "vault.age"), nil
}

// userConfigDir is os.UserConfigDir, but reads the XDG variables through getenv
// on the platforms that use them, so callers can inject their environment.
func userConfigDir(getenv func(string) string) (string, error) {
	switch runtime.GOOS {
	case "windows", "darwin", "ios", "plan9":
		return os.UserConfigDir()
	}
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return d, nil
	}
	if h := getenv("HOME"); h != "" {
		return filepath.Join(h, ".config"), nil
	}
	return os.UserConfigDir()
}

// Exists reports whether anything of a vault is there (vault.age or
// identity.age), i.e. whether Create would refuse.
func Exists(p Paths) bool {
	return fileExists(p.Vault) || fileExists(p.Identity)
}

func fileExists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Options tune a vault; the zero value is the production setting.
type Options struct {
	WorkFactor  int           // 0 → DefaultWorkFactor; tests may use e.g. 10
	LockTimeout time.Duration // 0 → 30s; negative → try once, no wait
	Sittings    SittingStore  // nil → the OS's (sitting.go); tests give their own
}

func (o Options) normalized() (Options, error) {
	if o.WorkFactor == 0 {
		o.WorkFactor = DefaultWorkFactor
	}
	if o.WorkFactor < 1 || o.WorkFactor > MaxWorkFactor {
		return o, fmt.Errorf("work factor %d out of range 1..%d", o.WorkFactor, MaxWorkFactor)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	return o, nil
}
