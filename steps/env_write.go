package steps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/globus-setup/globus-setup/atomicfile"
	"github.com/globus-setup/globus-setup/dotenv"
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
	// ModeWas is the mode Target had when the write changed it (0: it did
	// not, or there was no file); Perm is the mode it has now.
	ModeWas, Mode, Perm os.FileMode
	// GroupKept names the group that keeps read ("daemon (gid 1)"): the
	// file had group read and a group not the writer's, which is how a
	// gateway running as another user reads it (envPerm).
	GroupKept string
	// OwnerKept names the owner Target kept when it is not the writer
	// ("gateway (uid 1001)"): a merge run as root into the gateway's file
	// leaves it the gateway's, which must read it. OwnerWas and OwnerNow
	// name them when the owner changed (only root can keep another's).
	OwnerKept, OwnerWas, OwnerNow string
	// SecretsLeftOut lists the secret variables the file was written
	// without (export --no-secrets, or a file remembered so);
	// BackupHoldsSecrets: the previous content, kept in Backup, had them.
	SecretsLeftOut     []string
	BackupHoldsSecrets bool
	// TargetWas is the other file the vault remembered as the gateway's
	// .env before this write made Path the one ("" none, or the same).
	TargetWas string
}

// Lines describes the write, verb being what was done ("wrote", "updated
// the gateway's variables in"); the first line is the outcome.
func (w FileWrite) Lines(verb string) []string { return w.LinesIn(verb, CLI) }

// LinesIn is Lines with the actions named by n (a front-end's).
func (w FileWrite) LinesIn(verb string, n Namer) []string {
	var out []string
	for _, a := range w.said(verb) {
		out = append(out, a.In(n))
	}
	return out
}

// said is Lines as advice.
func (w FileWrite) said(verb string) []Advice {
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
	out := []Advice{Say(head)}
	say := func(parts ...any) { out = append(out, Say(parts...)) }
	if w.InPlace != "" {
		say("it was rewritten in place rather than replaced, as " + w.InPlace +
			": every name of the file now holds the new settings")
	}
	switch {
	case w.ModeWas != 0 && w.GroupKept != "":
		say(fmt.Sprintf("its mode changed from %04o to %04o, so that only its owner and its group %s can read it (a .env holds secrets; the gateway may read it through that group)", w.ModeWas, w.Mode, w.GroupKept))
	case w.ModeWas != 0:
		say(fmt.Sprintf("its mode changed from %04o to %04o, so that only its owner can read it (a .env holds secrets)", w.ModeWas, w.Mode))
	case w.GroupKept != "":
		say(fmt.Sprintf("it stays mode %04o: its group %s can still read it, as before, since the gateway may read it through that group (chmod 600 it if nothing does)", w.Perm, w.GroupKept))
	}
	switch {
	case w.OwnerWas != "":
		say("its owner changed from " + w.OwnerWas + " to " + w.OwnerNow + ": only root can give a file back to another user, so whoever runs the gateway may no longer read it (chown it)")
	case w.OwnerKept != "":
		say("it is still owned by " + w.OwnerKept + ", as before")
	}
	if len(w.SecretsLeftOut) > 0 {
		say("without "+strings.Join(w.SecretsLeftOut, " or ")+": start the gateway with ", command("exec", "--", "COMMAND"),
			", which passes them in its environment only")
		if w.BackupHoldsSecrets && w.Backup != "" {
			say(w.Backup + ", the previous version, still holds them in plaintext: once the gateway runs without them, delete it (rm " + w.Backup + ")")
		}
	}
	if w.TargetWas != "" {
		say("it is now the gateway's .env that rotate writes into, in place of " + w.TargetWas)
	}
	if n := len(w.OldBackups); n > 0 {
		say(fmt.Sprintf("%d older backup(s) by an earlier globus-setup hold old secrets in plaintext: %s; delete them when no longer needed (rm %s.bak-*)",
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
// holds client secrets. A file the vault remembers as written without
// secrets (export --no-secrets) stays without them: a rotation's merge
// does not put the new secret there, since the gateway gets it from exec.
func MergeEnvFile(path string, doc vault.Doc) (FileWrite, error) {
	return mergeEnvFile(path, doc, EnvOptions{NoSecrets: secretFree(doc, path)})
}

func mergeEnvFile(path string, doc vault.Doc, o EnvOptions) (FileWrite, error) {
	w, existing, merged, err := mergedEnv(path, doc, o)
	if err != nil {
		return w, err
	}
	if o.NoSecrets {
		w.SecretsLeftOut = SecretVariables()
		w.BackupHoldsSecrets = setsSecrets(existing)
	}
	return w, finishWrite(&w, existing, true, merged, 0o600)
}

// mergedEnv reads the .env at path and merges doc into it in memory:
// what mergeEnvFile writes, and CheckMergeInto's dry run.
func mergedEnv(path string, doc vault.Doc, o EnvOptions) (w FileWrite, existing, merged []byte, err error) {
	w, existing, existed, err := prepareWrite(path)
	if err != nil {
		return w, nil, nil, err
	}
	if !existed {
		return w, nil, nil, fmt.Errorf("there is no %s to merge into (nothing was written): check the path, or write a new file with export --out", w.Target)
	}
	merged, err = MergeEnvWith(existing, doc, o)
	if err != nil {
		return w, nil, nil, fmt.Errorf("merging into %s (nothing was written): %w", path, err)
	}
	return w, existing, merged, nil
}

// setsSecrets: the .env data sets one of the client secrets.
func setsSecrets(data []byte) bool {
	f, err := dotenv.Parse(data)
	if err != nil {
		return false
	}
	for _, name := range SecretVariables() {
		if b, ok := f.Lookup(name); ok && b.Set && b.Value != "" {
			return true
		}
	}
	return false
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
	var before os.FileInfo
	if existed {
		before, _ = os.Stat(w.Target)
	}
	perm, w.GroupKept = envPerm(before, perm)
	err := writeContent(w, before, old, existed, data, perm)
	if err == nil && before != nil {
		w.noteChanges(before)
	}
	if fi, serr := os.Stat(w.Target); err == nil && serr == nil {
		w.Perm = fi.Mode().Perm()
	}
	return err
}

// envPerm is the mode a write gives an existing file: perm (0600), plus
// group read where the group is how the gateway reads it: the file had
// group read, it is the writer's own and its group is not (root merging
// into a root:daemon 0640 .env that a gateway running as daemon reads).
// Taking that read away would stop the gateway at its next start, which
// is worse than a group that could read the file already; group write and
// everything for others still go. A file another user owns is read by its
// owner (the gateway's own file), so its group read goes. kept names the
// group ("" when none keeps read).
func envPerm(before os.FileInfo, perm os.FileMode) (_ os.FileMode, kept string) {
	if before == nil || before.Mode().Perm()&0o040 == 0 || perm&0o040 != 0 {
		return perm, ""
	}
	o, ok := atomicfile.OwnerOf(before)
	if !ok || o.UID != geteuid() || o.GID == getegid() {
		return perm, ""
	}
	return perm | 0o040, groupOf(before)
}

// noteChanges records what the write changed of the file's mode and owner.
func (w *FileWrite) noteChanges(before os.FileInfo) {
	after, err := os.Stat(w.Target)
	if err != nil {
		return
	}
	if m := before.Mode().Perm(); m != after.Mode().Perm() {
		w.ModeWas, w.Mode = m, after.Mode().Perm()
	}
	was, ok1 := atomicfile.OwnerOf(before)
	now, ok2 := atomicfile.OwnerOf(after)
	switch {
	case !ok1 || !ok2:
	case was.UID != now.UID:
		w.OwnerWas, w.OwnerNow = userName(was.UID), userName(now.UID)
	case was.UID != geteuid():
		w.OwnerKept = userName(was.UID)
	}
}

// userName is "gateway (uid 1001)", or "uid 1001" for a user the system
// does not name.
func userName(uid int) string {
	id := strconv.Itoa(uid)
	if u, err := user.LookupId(id); err == nil && u.Username != "" {
		return u.Username + " (uid " + id + ")"
	}
	return "uid " + id
}

// groupOf names fi's group, "daemon (gid 1)"; "" where the system does
// not say.
func groupOf(fi os.FileInfo) string {
	o, ok := atomicfile.OwnerOf(fi)
	if !ok {
		return ""
	}
	id := strconv.Itoa(o.GID)
	if g, err := user.LookupGroupId(id); err == nil && g.Name != "" {
		return g.Name + " (gid " + id + ")"
	}
	return "gid " + id
}

// fileOwner is the owner a write keeps: the file's, when there is one.
func fileOwner(fi os.FileInfo) *atomicfile.Owner {
	if fi == nil {
		return nil
	}
	if o, ok := atomicfile.OwnerOf(fi); ok {
		return &o
	}
	return nil
}

func writeContent(w *FileWrite, before os.FileInfo, old []byte, existed bool, data []byte, perm os.FileMode) error {
	if existed && bytes.Equal(old, data) {
		w.Unchanged = true
		// Still tighten a file others can read: it holds secrets.
		if before != nil && before.Mode().Perm()&^perm != 0 {
			return os.Chmod(w.Target, perm)
		}
		return nil
	}
	owner := fileOwner(before)
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
		if err := writeAtomic(backup, old, 0o600, owner); err != nil {
			return fmt.Errorf("keeping the previous %s as %s (nothing was changed): %w", w.Target, backup, err)
		}
		w.Backup = backup
	}
	if w.InPlace == "" {
		err := writeAtomic(w.Target, data, perm, owner)
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
// perm, owned by owner when set and permitted (atomicfile: the vault's
// files are written the same way).
func writeAtomic(path string, data []byte, perm os.FileMode, owner *atomicfile.Owner) error {
	return atomicfile.Write(path, data, atomicfile.Options{Perm: perm, Owner: owner, Rename: renameFile})
}
