package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/globus-setup/globus-setup/vault"
)

// maxSettingsFile bounds what is read of a .env to merge into or back up;
// a larger one is refused, never cut.
const maxSettingsFile = 16 << 20

// FileWrite is what writing a settings file did, for the operator.
type FileWrite struct {
	Path string // the name given
	// Target is the file written: Path, or where Path's symbolic links end.
	// The links are kept, so the gateway reading Path sees the new content.
	Target string
	// Backup (Target+".bak", mode 0600) holds the previous content; "" when
	// there was none or nothing changed. Each change replaces it, so old
	// secrets do not pile up.
	Backup string
	// Unchanged: Target already held exactly this; nothing was written.
	Unchanged bool
	// InPlace says why Target was rewritten in place rather than replaced by
	// a rename ("it has 2 hard links", ...); "" when it was replaced.
	InPlace string
	// OldBackups are Target.bak-<UTC time> files written by earlier versions,
	// one per export: they hold old secrets in plaintext and are never
	// deleted for the operator.
	OldBackups []string
}

// Lines describes the write, verb being what was done ("wrote", "updated
// the gateway's variables in"); the first line is the outcome.
func (w FileWrite) Lines(verb string) []string {
	name := w.Path
	if w.Target != w.Path {
		name = w.Target + " (through the symbolic link " + w.Path + ")"
	}
	var head string
	switch {
	case w.Unchanged:
		head = name + " already holds these settings: nothing was written"
	case w.Backup != "":
		head = verb + " " + name + " (previous version: " + w.Backup + ")"
	default:
		head = verb + " " + name
	}
	out := []string{head}
	if w.InPlace != "" {
		out = append(out, "it was rewritten in place rather than replaced, as "+w.InPlace+
			": every name of the file now holds the new settings")
	}
	if n := len(w.OldBackups); n > 0 {
		out = append(out, fmt.Sprintf("%d older backup(s) by an earlier globus-setup hold old secrets in plaintext: %s; delete them when no longer needed (rm %s.bak-*)",
			n, strings.Join(w.OldBackups, ", "), w.Target))
	}
	return out
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder, so a crash leaves the old file or the new one, never half of each.
// A symbolic link is followed and kept: its target is what is replaced. If the
// content changes, the previous one is first kept in <target>.bak (0600),
// replacing any older backup. Anything but a regular file at the target is
// refused, with nothing changed.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) (FileWrite, error) {
	w, old, existed, err := prepareWrite(path)
	if err != nil {
		return w, err
	}
	return w, finishWrite(&w, old, existed, data, perm)
}

// MergeEnvFile updates the gateway's variables in the .env at path, keeping
// every other line, as WriteFileAtomic does. The file gets mode 0600: it
// holds client secrets.
func MergeEnvFile(path string, doc vault.Doc) (FileWrite, error) {
	w, existing, existed, err := prepareWrite(path)
	if err != nil {
		return w, err
	}
	if !existed {
		return w, fmt.Errorf("there is no %s to merge into (nothing was written): check the path, or write a new file with export --out", w.Target)
	}
	merged, err := MergeEnv(existing, doc)
	if err != nil {
		return w, fmt.Errorf("merging into %s: %w", path, err)
	}
	return w, finishWrite(&w, existing, existed, merged, 0o600)
}

// prepareWrite finds the file path stands for and reads what it holds.
func prepareWrite(path string) (w FileWrite, old []byte, existed bool, err error) {
	w.Path = path
	if w.Target, err = resolveLinks(path); err != nil {
		return w, nil, false, err
	}
	w.OldBackups = oldBackups(w.Target)
	old, err = readSettingsFile(w.Target)
	if errors.Is(err, fs.ErrNotExist) {
		return w, nil, false, nil
	}
	if err != nil {
		return w, nil, false, err
	}
	return w, old, true, nil
}

func finishWrite(w *FileWrite, old []byte, existed bool, data []byte, perm os.FileMode) error {
	if existed && bytes.Equal(old, data) {
		w.Unchanged = true
		// Still tighten a file others can read: it holds secrets.
		if fi, err := os.Stat(w.Target); err == nil && fi.Mode().Perm()&^perm != 0 {
			return os.Chmod(w.Target, perm)
		}
		return nil
	}
	// A rename gives the path a new file: another hard link to the old one,
	// or a bind mount of it into a container, would go on holding the old
	// settings (and old secrets) while the operator is told it was written.
	// Such a file is rewritten in place instead (writeInPlace says why that
	// is safe enough). Refusing was the other choice; it would leave the
	// operator to copy the file by hand, which is the same in-place write
	// without the backup, the checks or the fsync.
	if n := linkCount(w.Target); existed && n > 1 {
		// Checked before the backup is made, so a refusal changes nothing.
		if err := inPlaceRefusal(w.Target); err != nil {
			return fmt.Errorf("writing %s: %w", w.Target, err)
		}
		w.InPlace = fmt.Sprintf("it has %d hard links", n)
	}
	if existed {
		backup := w.Target + ".bak"
		if err := writeAtomic(backup, old, 0o600); err != nil {
			return fmt.Errorf("keeping the previous %s as %s (nothing was changed): %w", w.Target, backup, err)
		}
		w.Backup = backup
	}
	if w.InPlace == "" {
		err := writeAtomic(w.Target, data, perm)
		if err == nil {
			return nil
		}
		var errno syscall.Errno
		if !existed || !errors.As(err, &errno) || (errno != syscall.EBUSY && errno != syscall.EXDEV) {
			return fmt.Errorf("writing %s: %w", w.Target, err)
		}
		// Renaming onto a mount point fails so: a file bind-mounted on its
		// own (a Docker single-file volume) seen from inside the container.
		w.InPlace = fmt.Sprintf("it cannot be replaced by a rename (%v; a single-file bind mount?)", errno)
	}
	if err := writeInPlace(w.Target, data, perm); err != nil {
		w.InPlace = ""
		if existed {
			err = fmt.Errorf("%w; the previous content is in %s", err, w.Backup)
		}
		return fmt.Errorf("writing %s: %w", w.Target, err)
	}
	return nil
}

// resolveLinks follows path's symbolic links to the file they end at, which
// need not exist yet (a link made ahead of the file). A path that is not a
// link is returned as given, links in its folders and all.
func resolveLinks(path string) (string, error) {
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		return path, nil
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		return real, nil
	}
	cur := path
	for range 40 { // as many as Linux follows
		fi, err := os.Lstat(cur)
		if errors.Is(err, fs.ErrNotExist) {
			return cur, nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return cur, nil
		}
		dest, err := os.Readlink(cur)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dir, err := filepath.EvalSymlinks(filepath.Dir(cur))
			if err != nil {
				return "", fmt.Errorf("the symbolic link %s points into %s: %w", cur, filepath.Dir(cur), err)
			}
			dest = filepath.Join(dir, dest)
		}
		cur = dest
	}
	return "", fmt.Errorf("%s: too many levels of symbolic links; point it at the real file", path)
}

// readSettingsFile reads an existing .env whole; a named pipe, device or
// folder is refused before it can block or be replaced.
func readSettingsFile(path string) ([]byte, error) {
	f, err := vault.OpenRegular(path)
	if err != nil {
		var nr *vault.NotRegularError
		if errors.As(err, &nr) {
			return nil, fmt.Errorf("%s is %s, not a regular file: give the path of the .env file itself (nothing was changed)", path, nr.Kind)
		}
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSettingsFile+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxSettingsFile {
		return nil, fmt.Errorf("%s is larger than %d MiB, which no .env is: check the path (nothing was changed)", path, maxSettingsFile>>20)
	}
	return data, nil
}

// oldBackupStamp matches the suffix earlier versions gave every backup.
var oldBackupStamp = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}Z(-[0-9]+)?$`)

// oldBackups lists target.bak-<UTC time>[-N] files beside target.
func oldBackups(target string) []string {
	entries, err := os.ReadDir(filepath.Dir(target))
	if err != nil {
		return nil
	}
	prefix := filepath.Base(target) + ".bak-"
	var out []string
	for _, e := range entries {
		if rest, ok := strings.CutPrefix(e.Name(), prefix); ok && oldBackupStamp.MatchString(rest) {
			out = append(out, filepath.Join(filepath.Dir(target), e.Name()))
		}
	}
	return out
}

// renameFile is os.Rename; tests make it fail as onto a mount point.
var renameFile = os.Rename

// writeAtomic replaces path (never following a link there) with data, mode
// perm, through a synced temporary file renamed over it.
func writeAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("%w (the file is replaced atomically, so its folder must be writable)", err)
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
	if err := renameFile(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
