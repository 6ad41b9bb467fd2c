package vault

import (
	"os"
	"path/filepath"

	"github.com/globus-setup/globus-setup/atomicfile"
)

// The vault's files keep their owner. A `sudo globus-setup set …` on
// someone's vault replaces vault.age through a new file, which would be
// root's (mode 0600): its owner could no longer read it, save, or take the
// lock. So each save gives the new file the owner of the one it replaces,
// as the .env merge does (steps/env_write.go), and a file new to the
// folder (recipients.txt, a lock, a fresh vault.age after a repair) the
// owner of the vault's files there, else the folder's. Only root can give
// a file to another user; for anyone else the file is theirs, as before,
// and so is everything they can write in a folder of their own. A file
// kept aside (*.damaged-*) is renamed, which keeps its owner.

// ownerFor is the owner target is written with (nil: the writer's, where
// the system has no numeric owners or nothing says otherwise).
func ownerFor(target string, refs ...string) *atomicfile.Owner {
	for _, f := range append([]string{target}, refs...) {
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() {
			if o, ok := atomicfile.OwnerOf(fi); ok {
				return &o
			}
		}
	}
	if fi, err := os.Stat(filepath.Dir(target)); err == nil {
		if o, ok := atomicfile.OwnerOf(fi); ok {
			return &o
		}
	}
	return nil
}

// vaultOwnerFor is ownerFor with the vault's own files as the reference.
func vaultOwnerFor(p Paths, target string) *atomicfile.Owner {
	return ownerFor(target, p.Vault, p.Identity)
}

// giveNewFile gives a file this process just created (a lock) the owner
// ownerFor names; best effort: only root may, and Lchown never follows a
// link put there meanwhile.
func giveNewFile(path string, o *atomicfile.Owner) {
	if o != nil {
		_ = os.Lchown(path, o.UID, o.GID)
	}
}
