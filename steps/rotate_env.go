package steps

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/globus-setup/globus-setup/vault"
)

// The gateway's .env a rotation writes its new secret into.

// envTarget is the .env to update: the option, else the remembered one.
func envTarget(e *Env, opts RotateOptions) (string, error) {
	if opts.EnvPath != "" {
		return filepath.Abs(opts.EnvPath)
	}
	p, _ := e.Vault.Internal(EnvTargetKey)
	return p, nil
}

// RememberEnvTarget records path as the gateway's .env (after a merge into it).
func RememberEnvTarget(v *vault.Vault, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if old, _ := v.Internal(EnvTargetKey); old == abs {
		return nil
	}
	return v.SetInternal(EnvTargetKey, abs)
}

// rotationEnvPath is the .env a rotation writes its new secret into, or
// noEnv when the operator updates the gateway's settings. It is checked
// before a new secret is made, too, so a .env that is not there stops the
// rotation while nothing exists yet; made says which case this is.
func rotationEnvPath(e *Env, app string, r Rotation, opts RotateOptions, made bool) (path string, noEnv bool, err error) {
	if opts.NoEnv || (r.NoEnv && opts.EnvPath == "") {
		return "", true, nil
	}
	if path, err = envTarget(e, opts); err != nil {
		return "", false, err
	}
	kept := "nothing was made yet"
	if made {
		kept = "the new secret is stored and nothing is lost"
	}
	if path == "" {
		return "", false, &Problem{What: "globus-setup does not know where the gateway's .env is", is: ErrEnvTargetMissing,
			Do: Say(run(rotateCmd(app, "--env", "PATH")), wordsFor(" with the .env the gateway reads", "", " with the .env the gateway reads"),
				" (or ", rotateFlag(app, "--no-env"), " to update its settings yourself); ", kept)}
	}
	if _, err := os.Stat(path); err != nil {
		p := &Problem{What: "the gateway's .env is not at " + path + " any more (moved or deleted?)", Err: err, is: ErrEnvTargetMissing,
			Do: Say(run(rotateCmd(app, "--env", "NEWPATH")), wordsFor(" with where it is now", "", " with where it is now"), "; ", kept)}
		if opts.EnvPath != "" {
			p.What = "there is no file at " + path
			p.Do = Say("give the .env the gateway reads, or write one first with ", command("export", "--out", path), "; ", kept)
		}
		return "", false, p
	}
	return path, false, nil
}

// writeRotationEnv puts the new secret where the gateway reads it and says
// so in line; secretFree: the .env is one the gateway reads without its
// secrets (started under exec), which the merge leaves so.
func writeRotationEnv(e *Env, r Rotation, opts RotateOptions) (line Advice, secretFree bool, _ Rotation, _ error) {
	nr := r
	nr.Phase = RotateRestart
	path, noEnv, err := rotationEnvPath(e, r.App, r, opts, true)
	if err != nil {
		return line, false, r, err
	}
	if noEnv {
		nr.NoEnv, nr.EnvPath = true, ""
		line = Say("No .env written, as asked: put the new secret in the gateway's settings yourself (", command("export", "--format", "env"), ", or ", shortCommand("exec"), ").")
	} else {
		doc := e.Vault.Doc()
		w, err := MergeEnvFile(path, doc)
		if err != nil {
			return line, false, r, &rotationEnvError{path: path, err: err}
		}
		nr.EnvPath, nr.NoEnv = path, false
		secretFree = len(w.SecretsLeftOut) > 0
		if secretFree {
			line = Say("✓ ", joinAdvice(secretFreeLines(w, "new"), "\n  "))
		} else {
			line = Say("✓ ", joinAdvice(w.said("wrote the new secret into"), "\n  "))
		}
		if err := RememberEnvTarget(e.Vault, path); err != nil {
			return line, false, r, problem("remembering the .env", err)
		}
	}
	if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, nr) }); err != nil {
		return line, false, r, problem("recording the .env update in the vault", err)
	}
	return line, secretFree, nr, rotateStop("env")
}

// secretFreeLines say what a rotation's merge did to a .env without
// secrets: it stays so, and where the gateway gets which secret ("new",
// "old") instead.
func secretFreeLines(w FileWrite, which string) []Advice {
	rest := w
	rest.SecretsLeftOut, rest.BackupHoldsSecrets = nil, false
	out := rest.said("updated the gateway's variables in")
	head := out[0].String() // words only: the head names no action
	name := strings.TrimSuffix(head, " already holds these settings: nothing was written")
	if w.Unchanged {
		head = name + " stays without secrets, as it was written (export --no-secrets): nothing was written to it"
	} else {
		head += ", which stays without secrets, as it was written (export --no-secrets)"
	}
	out[0] = Say(head, "; the gateway, started under ", command("exec"), ", gets the "+which+" secret from the vault when it next starts")
	if w.BackupHoldsSecrets && w.Backup != "" {
		out = append(out, Say(w.Backup+", the previous version, still holds the old secrets in plaintext: once the gateway runs without them, delete it (rm "+w.Backup+")"))
	}
	return out
}

// rotationEnvError is a proven rotation's .env that could not be written:
// RotateSecret says where that leaves the rotation (rotationEnvProblem).
type rotationEnvError struct {
	path string
	err  error
}

func (e *rotationEnvError) Error() string {
	return "writing the new secret into " + e.path + ": " + e.err.Error()
}
func (e *rotationEnvError) Unwrap() error { return e.err }

// rotationEnvProblem says, beside the write's error, what the operator
// cannot see from it: the new secret is stored and works, whether the old
// one still does, that the running gateway is unaffected, and how to go on.
func rotationEnvProblem(app string, we *rotationEnvError, oldWorks SecretVerdict) error {
	state := "the gateway's .env was not written, but the new secret is stored in the vault and Globus accepts it"
	if oldWorks == SecretAccepted {
		state += "; both secrets work until you finish"
	}
	state += "; the running gateway is unaffected (it still holds the secret it started with). The write failed"
	otherEnv := Action{Kind: ActRotate, Step: app, Args: []string{"--env", "PATH"}, Value: Short}
	return &Problem{What: state, Err: we.err,
		Do: Say("fix "+we.path+" and run ", rotateCmd(app), " again, which carries on from here (or give it ", otherEnv, " for another .env, or ", rotateFlag(app, "--no-env"), " to put the secret in the gateway's settings yourself)")}
}
