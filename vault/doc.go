// Package vault is globus-setup's encrypted store of values and step progress.
//
// File layout, all in one folder (mode 0700, files 0600):
//
//	identity.age   an age X25519 identity ("AGE-SECRET-KEY-1…"), encrypted with
//	               an age scrypt recipient (the operator's passphrase, work factor 18)
//	vault.age      a versioned JSON Doc, encrypted to that identity's recipient
//	vault.lock     empty; flock(2) on it serialises writers across processes
//	recipients.txt optional (a team vault): the public keys vault.age is
//	               encrypted to, age X25519 and SSH, in `age -R` format
//	globus-environment  the Globus environment the vault was first used with
//	.vault.age.tmp-*             a save in progress (ciphertext only); stale ones
//	                             are removed by the next save
//	vault.age.damaged-<UTC time> a damaged file kept aside by OpenForce
//
// Unlocking pays one scrypt derivation (identity.age); saving needs only the
// public recipient, so it is fast. Anyone with the passphrase and the stock age
// tool can read the vault without this program:
//
//	age -d -i identity.age vault.age
//
// Saves are atomic (temp file in the same folder, fsync, rename, fsync folder),
// and Update re-reads the file under the lock, so concurrent processes never lose
// each other's values.
//
// The document is not trusted: a team vault's can be written by anyone who
// can commit. A key outside the key syntax (keys.go) refuses the whole
// document when it is read, and is never written. Fields a newer build
// added, that this one does not know, are kept and written back (unknown.go).
//
// Why not 99designs/keyring's file backend: it writes one file per key (the key
// names leak), derives its key with PBKDF2 at 8,192 iterations (far below current
// guidance) and accepts a wrong passphrase on write. keyring is used only for what
// it does well: remembering the unlocked identity in a real OS keychain (macOS
// Keychain, Secret Service, Windows Credential Manager, Linux kernel keyring) when
// the operator asks for it, and keeping a sitting's key off Linux (sitting.go;
// on Linux a sitting is a kernel key with its own timeout, set through keyctl
// directly). Its file and pass backends are never enabled.
package vault
