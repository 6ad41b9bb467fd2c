package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/globus-setup/globus-setup/vault"
)

// WriteFileAtomic writes data to path through a temporary file in the same
// folder, so a crash leaves the old file or the new one, never half of each.
// An existing file is first copied to path.bak-<UTC time>; its name is
// returned ("" when there was nothing to keep).
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (backup string, err error) {
	if old, err := os.ReadFile(path); err == nil {
		if backup, err = writeBackup(path, old, perm); err != nil {
			return "", fmt.Errorf("keeping a backup of %s: %w", path, err)
		}
	} else if !os.IsNotExist(err) {
		return "", err
	}
	if err := writeAtomic(path, data, perm); err != nil {
		return backup, err
	}
	return backup, nil
}

// writeBackup writes a new path.bak-<UTC time>[-N] file, never over an older
// backup: two writes in the same second must not lose the original.
func writeBackup(path string, data []byte, perm os.FileMode) (string, error) {
	base := path + ".bak-" + time.Now().UTC().Format("20060102T150405Z")
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s-%d", base, n)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
		if os.IsExist(err) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, werr := f.Write(data)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(name)
			return "", werr
		}
		return name, nil
	}
	return "", fmt.Errorf("too many backups of %s already", path)
}

func writeAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// MergeEnvFile updates the gateway's variables in the .env at path, keeping
// every other line, and returns the backup's name. The file keeps mode 0600:
// it holds client secrets.
func MergeEnvFile(path string, doc vault.Doc) (backup string, err error) {
	existing, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("reading %s to merge into: %w", path, err)
	}
	merged, err := MergeEnv(existing, doc)
	if err != nil {
		return "", fmt.Errorf("merging into %s: %w", path, err)
	}
	return WriteFileAtomic(path, merged, 0o600)
}
