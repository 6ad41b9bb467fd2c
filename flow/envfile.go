package flow

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

// EnvOptions say where the gateway's .env goes.
type EnvOptions struct {
	// Path is the file ("": asked, Suggest offered).
	Path, Suggest string
	// Replace writes a new file even though one exists (the old one is
	// kept as a backup); otherwise only the gateway's variables change.
	Replace bool
}

// EnvWritten is what WriteEnv did.
type EnvWritten struct {
	steps.EnvWrite
	Path string // absolute
}

// WriteEnv writes the gateway's .env from what the vault holds: merged
// into an existing file (other lines kept) unless o.Replace, else a new
// 0600 file, the previous content kept as a backup; the file is remembered
// as the one `rotate` updates, whichever front-end wrote it
// (steps.WriteEnv). What the stored values hold that the gateway may
// refuse (domains never read from the policy) is said with it.
func WriteEnv(ctx context.Context, ui UI, v *vault.Vault, o EnvOptions) (EnvWritten, error) {
	path := strings.TrimSpace(o.Path)
	if path == "" {
		var err error
		path, err = ui.Ask(ctx, Question{Key: KeyEnvPath, Label: "Path of the .env file", Suggestion: o.Suggest})
		if err != nil {
			return EnvWritten{}, err
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return EnvWritten{}, err
	}
	ui.Progress(Progress{Doing: "Writing " + abs + "…"})
	w, err := steps.WriteEnv(v, abs, o.Replace)
	if err != nil {
		return EnvWritten{}, err
	}
	how := "wrote"
	if w.Merged {
		how = "updated the gateway's variables in"
	}
	lines := WrittenLines(w.FileWrite, how, ui.Words())
	if w.RememberErr != nil {
		lines = append(lines, "It could not be remembered for rotate: "+w.RememberErr.Error()+".")
	}
	ui.Outcome(Outcome{OK: true, Report: EnvWarnings(v.Doc(), ui.Words()), Summary: lines})
	return EnvWritten{EnvWrite: w, Path: abs}, nil
}

// envReadLimit: a file larger than this is no .env, so it is not read
// whole to compare (a write would refuse it anyway).
const envReadLimit = 16 << 20

// EnvHoldsStored reports whether the .env at path already holds what a
// merge (WriteEnv without Replace) would put there, secret-free as the
// vault remembers it, without writing anything: a resumed wizard then does
// not ask for a write that would change nothing. False when the file is
// missing, unreadable, or not a regular file.
func EnvHoldsStored(doc vault.Doc, path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	target, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return false
	}
	f, err := vault.OpenRegular(target) // never blocks on a named pipe
	if err != nil {
		return false
	}
	defer f.Close()
	old, err := io.ReadAll(io.LimitReader(f, envReadLimit+1))
	if err != nil || len(old) > envReadLimit {
		return false
	}
	o := steps.EnvOptions{NoSecrets: doc.Internal[steps.EnvSecretFreeKey] == abs}
	merged, err := steps.MergeEnvWith(old, doc, o)
	return err == nil && bytes.Equal(old, merged)
}

// EnvWarnings are the stored values' warnings (steps.Warnings) in n's
// words, each marked "!".
func EnvWarnings(doc vault.Doc, n steps.Namer) []string {
	var out []string
	for _, a := range steps.Warnings(doc) {
		out = append(out, "! "+a.In(n))
	}
	return out
}

// WrittenLines says what writing the .env did, in sentences, its advice
// in n's words; how is "wrote" or "updated the gateway's variables in".
func WrittenLines(w steps.FileWrite, how string, n steps.Namer) []string {
	name := w.Target
	if w.Target != w.Path {
		name += " (through the symbolic link " + w.Path + ")"
	}
	var lines []string
	perm := w.Perm
	if perm == 0 {
		perm = 0o600
	}
	switch {
	case w.Unchanged:
		lines = []string{name + " already holds these settings: nothing was written."}
	case len(w.SecretsLeftOut) > 0:
		lines = []string{fmt.Sprintf("%s %s (mode %04o), without its client secrets, as it was written.", strings.ToUpper(how[:1])+how[1:], name, perm)}
	default:
		lines = []string{fmt.Sprintf("%s %s (mode %04o: it holds client secrets).", strings.ToUpper(how[:1])+how[1:], name, perm)}
	}
	if w.Backup != "" {
		lines = append(lines, "The previous file is kept as "+w.Backup+" (the next change replaces it).")
	}
	for _, l := range w.LinesIn(how, n)[1:] { // older backups, exec for a secret-free file
		lines = append(lines, strings.ToUpper(l[:1])+l[1:]+".")
	}
	return lines
}
