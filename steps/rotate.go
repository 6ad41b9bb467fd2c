package steps

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Rotating a confidential app's client secret without downtime:
//
//  1. create a new credential at Globus (POST /v2/api/clients/{id}/credentials,
//     answer {"credential":{id,name,secret,client,created}}: globus-sdk-python
//     src/globus_sdk/testing/data/auth/create_client_credential.py), its intent
//     recorded first and the new secret stored in the same vault update that
//     records the answer, as apply does (apply_run.go);
//  2. prove the new secret with a client-credentials grant, merge it into the
//     gateway's .env (through MergeEnvFile, the export path) and ask the
//     operator to restart the gateway; both secrets are valid meanwhile;
//  3. when the operator says the gateway restarted (nothing outside the
//     gateway can check which secret it holds), delete the old credential
//     at Globus (DELETE /v2/api/clients/{id}/credentials/{credential_id},
//     answer {"credential":{...,"secret":null}}: testing/data/auth/
//     delete_client_credential.py) and drop the old secret from the vault.
//
// Each stage is committed to the vault before the next starts, so a run
// killed anywhere is carried on by the next `rotate` of the same app.

// RotatableApps are the vault prefixes of the apps that hold a secret.
var RotatableApps = []string{serviceAPIID, serviceAccountID}

// RotatePhase is how far a rotation got. Each is stored before the work
// after it begins.
type RotatePhase string

const (
	RotateCreating RotatePhase = "creating" // intent: a credential named Name is about to be made
	RotateCreated  RotatePhase = "created"  // the new secret is stored; not proven yet
	RotateProven   RotatePhase = "proven"   // Globus accepts the new secret
	RotateRestart  RotatePhase = "restart"  // .env updated: waiting for the operator's restart
	RotateDeleting RotatePhase = "deleting" // the operator confirmed: deleting the old credential
	RotateUndoing  RotatePhase = "undoing"  // undo began: the old secret is back in place
)

// Rotation is a rotation in progress, kept in the vault (Internal
// "rotate.<app>"). It never holds a secret: the old one is kept apart
// (Internal "rotate.<app>.old_secret") until the end.
type Rotation struct {
	App       string      `json:"app"`
	ClientID  string      `json:"client_id"`
	Phase     RotatePhase `json:"phase"`
	Name      string      `json:"name"`                    // the new credential's name
	NewID     string      `json:"new_id,omitempty"`        // the new credential's ID
	NewAt     time.Time   `json:"new_created,omitempty"`   // when Globus made it
	OldID     string      `json:"old_id,omitempty"`        // the old credential, when known
	OldAt     time.Time   `json:"old_created,omitempty"`   // when Globus made the old one
	EnvPath   string      `json:"env_path,omitempty"`      // the .env updated (absolute)
	NoEnv     bool        `json:"no_env,omitempty"`        // the operator updates the gateway's settings
	Started   time.Time   `json:"started"`                 // when this rotation began
	OldUnsure bool        `json:"old_ambiguous,omitempty"` // several secrets could be the old one
}

// Label names the app in words: "Service API".
func appLabel(app string) string {
	if k, ok := rotatable(app); ok {
		return k.name
	}
	return app
}

// rotatable is the app kind of a rotatable app's step ID.
func rotatable(app string) (appKind, bool) {
	for _, k := range []appKind{serviceAPIApp(), serviceAccountApp()} {
		if k.step == app {
			return k, true
		}
	}
	return appKind{}, false
}

// Line says where a rotation stands and what to do next, in one line.
func (r Rotation) Line() string {
	head := fmt.Sprintf("%s secret rotation started %s", appLabel(r.App), r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	switch r.Phase {
	case RotateCreating, RotateCreated, RotateProven:
		return Say(head, ": not finished making the new secret — ", run(command("rotate", r.App)), " to carry on, or `--undo`").String()
	case RotateRestart:
		return Say(head, ": waiting for the gateway's restart with the new secret — then ", command("rotate", r.App, "--finish"), " (or `--undo`)").String()
	case RotateDeleting:
		return Say(head, ": deleting the old secret — ", run(command("rotate", r.App, "--finish")), " to complete it").String()
	case RotateUndoing:
		return Say(head, ": being undone — ", run(command("rotate", r.App, "--undo")), " to complete it").String()
	}
	return head
}

const (
	rotatePrefix  = "rotate."
	oldSecretPart = ".old_secret"
	// EnvTargetKey (Internal) is the .env the gateway reads, remembered from
	// the last `export --merge` or `rotate --env`, so a rotation can update it.
	EnvTargetKey = "env.target"
	// secretMetaPrefix (Internal "secret.<app>") records which Globus
	// credential the stored secret is, and when Globus made it.
	secretMetaPrefix = "secret."
)

func rotationKey(app string) string { return rotatePrefix + app }

// Rotations lists the rotations in progress in doc.
func Rotations(doc vault.Doc) []Rotation {
	var out []Rotation
	for _, app := range RotatableApps {
		if r, ok := rotationIn(doc, app); ok {
			out = append(out, r)
		}
	}
	return out
}

func rotationIn(doc vault.Doc, app string) (Rotation, bool) {
	raw, ok := doc.Internal[rotationKey(app)]
	if !ok {
		return Rotation{}, false
	}
	var r Rotation
	if json.Unmarshal([]byte(raw), &r) != nil || r.App != app {
		return Rotation{}, false
	}
	return r, true
}

func putRotation(d *vault.Doc, r Rotation) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if d.Internal == nil {
		d.Internal = map[string]string{}
	}
	d.Internal[rotationKey(r.App)] = string(b)
	return nil
}

// SecretMeta says which credential the stored secret is. FP is a short hash
// of the secret: a secret typed in later (set, the wizard) no longer matches,
// so stale facts are never shown as the new secret's.
type SecretMeta struct {
	CredentialID string    `json:"credential_id"`
	Created      time.Time `json:"created"`
	FP           string    `json:"fp"`
}

func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:8])
}

// secretMeta returns the facts about the app's stored secret, if known and
// still about that secret.
func secretMeta(doc vault.Doc, app string) (SecretMeta, bool) {
	raw, ok := doc.Internal[secretMetaPrefix+app]
	if !ok {
		return SecretMeta{}, false
	}
	var m SecretMeta
	secret := strings.TrimSpace(doc.Values[app+".client_secret"])
	if json.Unmarshal([]byte(raw), &m) != nil || secret == "" || m.FP != fingerprint(secret) {
		return SecretMeta{}, false
	}
	return m, true
}

func putSecretMeta(d *vault.Doc, app string, cr globus.Credential, secret string) {
	b, _ := json.Marshal(SecretMeta{CredentialID: cr.ID, Created: cr.Created, FP: fingerprint(secret)})
	if d.Internal == nil {
		d.Internal = map[string]string{}
	}
	d.Internal[secretMetaPrefix+app] = string(b)
}

// DefaultMaxSecretAge is how old a secret may get before status flags it:
// 90 days, a common rotation policy.
const DefaultMaxSecretAge = 90 * 24 * time.Hour

// SecretAge is one stored secret's age.
type SecretAge struct {
	App     string
	Known   bool // Globus's creation time is known
	Created time.Time
	Age     time.Duration
	Old     bool // older than the limit
}

// SecretAges lists the age of each stored secret at now.
func SecretAges(doc vault.Doc, now time.Time, max time.Duration) []SecretAge {
	var out []SecretAge
	for _, app := range RotatableApps {
		if strings.TrimSpace(doc.Values[app+".client_secret"]) == "" {
			continue
		}
		a := SecretAge{App: app}
		if m, ok := secretMeta(doc, app); ok && !m.Created.IsZero() {
			a.Known, a.Created, a.Age = true, m.Created, now.Sub(m.Created)
			a.Old = max > 0 && a.Age > max
		}
		out = append(out, a)
	}
	return out
}

// Line is "Service API secret: 12 days old" with a flag when too old.
func (a SecretAge) Line(max time.Duration) string {
	if !a.Known {
		return Say(appLabel(a.App), " secret: age unknown (not made by globus-setup; ", command("rotate", a.App), " replaces it with one whose age is known)").String()
	}
	s := fmt.Sprintf("%s secret: %s old (made %s)", appLabel(a.App), days(a.Age), a.Created.UTC().Format("2006-01-02"))
	if a.Old {
		s += fmt.Sprintf(Say(" — older than %s: rotate it with ", command("rotate", "%s")).String(), days(max), a.App)
	}
	return s
}

func days(d time.Duration) string {
	n := int(d / (24 * time.Hour))
	if n == 1 {
		return "1 day"
	}
	return fmt.Sprintf("%d days", n)
}

// ---- errors ----

// ErrNoSecretToRotate: the app has no stored ID or secret.
var ErrNoSecretToRotate = errors.New("nothing to rotate")

// ErrEnvTargetMissing: the .env the rotation should update is not there.
var ErrEnvTargetMissing = errors.New("the gateway's .env is not where it was")

// ErrNotWaitingRestart: --finish asked before the new secret is in place.
var ErrNotWaitingRestart = errors.New("the rotation is not waiting for a restart")

// ErrNoRotation: --finish or --undo with no rotation in progress.
var ErrNoRotation = errors.New("no rotation in progress")

// RotateOptions are the operator's choices for a rotation's .env step.
type RotateOptions struct {
	EnvPath string // the .env to update; "" means the remembered one
	NoEnv   bool   // update no file: the operator changes the gateway's settings
}

// RotateResult says what a call did, for the operator.
type RotateResult struct {
	Rotation Rotation
	Lines    []string
	Done     bool // the rotation is over (finished or undone)
}

// rotateStop lets tests stop a rotation after a stage, as a killed process
// would: every stage is in the vault before it is called.
var rotateStop = func(stage string) error { return nil }

// rotateProofScopes are asked for when proving a secret with a
// client-credentials grant: exactly what the gateway's own grant sends at
// start-up (inference_gateway/apps.py, globus-sdk v3 defaults), so a secret
// that passes here is one the gateway can use.
var rotateProofScopes = globus.GatewaySDKDefaultScopes()

func checkApp(app string) error {
	for _, a := range RotatableApps {
		if a == app {
			return nil
		}
	}
	return &Problem{What: fmt.Sprintf("%q has no client secret to rotate", app),
		Do: Say("name one of: " + strings.Join(RotatableApps, ", "))}
}

// openRotation is every rotation command's start: the app is known, the
// vault and client are there, this process holds the apply lock (released
// by unlock), and the vault is read afresh for the rotation in progress.
func openRotation(e *Env, app string) (unlock func(), r Rotation, inProgress bool, err error) {
	if err := checkApp(app); err != nil {
		return nil, Rotation{}, false, err
	}
	if err := checkEnv(e); err != nil {
		return nil, Rotation{}, false, err
	}
	unlock, err = lockApply(e.Vault)
	if err != nil {
		return nil, Rotation{}, false, err
	}
	if err := e.Vault.Reload(); err != nil {
		unlock()
		return nil, Rotation{}, false, problem("reading the vault", err)
	}
	r, inProgress = rotationIn(e.Vault.Doc(), app)
	return unlock, r, inProgress, nil
}

// Rotate starts a rotation of app's secret, or carries on the one in
// progress, up to the point where the gateway must restart.
func Rotate(ctx context.Context, e *Env, app string, opts RotateOptions) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		if r, err = beginRotation(ctx, e, app, opts); err != nil {
			return res, err
		}
	} else {
		res.Lines = append(res.Lines, "Carrying on the rotation started "+r.Started.UTC().Format("2006-01-02 15:04 UTC")+".")
	}
	switch r.Phase {
	case RotateDeleting:
		return res, &Problem{What: "this rotation was deleting the old secret when it stopped", is: ErrNotWaitingRestart,
			Do: Say(run(command("rotate", app, "--finish")), " to complete it")}
	case RotateUndoing:
		return res, &Problem{What: "this rotation was being undone when it stopped", is: ErrNotWaitingRestart,
			Do: Say(run(command("rotate", app, "--undo")), " to complete it")}
	}
	if r.Phase == RotateCreating {
		if r, err = createNewSecret(ctx, e, r); err != nil {
			return res, err
		}
		res.Lines = append(res.Lines, fmt.Sprintf("✓ made the new secret %q (credential %s) and stored it in the vault", r.Name, r.NewID))
	}
	if r.Phase == RotateCreated {
		if r, err = proveNewSecret(ctx, e, r); err != nil {
			return res, err
		}
		res.Lines = append(res.Lines, "✓ Globus accepts the new secret (client-credentials grant); the old one still works too")
	}
	if r.Phase == RotateProven || r.Phase == RotateRestart {
		line, nr, err := writeRotationEnv(e, r, opts)
		if err != nil {
			return res, err
		}
		r = nr
		res.Lines = append(res.Lines, line)
	}
	res.Rotation = r
	res.Lines = append(res.Lines,
		"Restart the gateway now, so it reads the new secret. Both secrets work until you finish.",
		Say("Then ", run(command("rotate", app, "--finish")), ": it replays the gateway's start-up check with the new secret, then deletes the old one at Globus. globus-setup cannot see which secret the running gateway holds, so finishing is your word that it restarted.").String(),
		Say("Changed your mind? ", command("rotate", app, "--undo"), " puts the old secret back and deletes the new one.").String())
	if k, _ := rotatable(app); k.compute {
		// The gateway's Globus Compute guide has the same ID and secret set as
		// GLOBUS_COMPUTE_CLIENT_ID/SECRET for the Compute endpoints and tools.
		res.Lines = append(res.Lines, ComputeRestartHint)
	}
	return res, nil
}

// ComputeRestartHint is the last line of a service_account rotation: its
// long back-quoted command must wrap, never be cut (the wizard's test uses it).
var ComputeRestartHint = Say("Anything else holding this app's secret needs the new one before you finish: Globus Compute endpoints and tools started with GLOBUS_COMPUTE_CLIENT_SECRET (restart them under ", command("exec", "--compute", "--", "…"), ").").String()

// beginRotation checks there is something to rotate, finds which credential
// the stored secret is when that can be known, and records the intent.
func beginRotation(ctx context.Context, e *Env, app string, opts RotateOptions) (Rotation, error) {
	k, _ := rotatable(app)
	cred, err := storedCredentials(e.Vault, k)
	if err != nil {
		var p *Problem
		if errors.As(err, &p) {
			p.What = "cannot rotate: " + p.What
			p.is = ErrNoSecretToRotate
		}
		return Rotation{}, err
	}
	// Where the new secret goes is known before it is made.
	if _, _, err := rotationEnvPath(e, app, Rotation{App: app}, opts, false); err != nil {
		return Rotation{}, err
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return Rotation{}, err
	}
	r := Rotation{App: app, ClientID: cred.ID, Phase: RotateCreating, Started: time.Now().UTC()}
	if m, ok := secretMeta(e.Vault.Doc(), app); ok {
		r.OldID, r.OldAt = m.CredentialID, m.Created
	} else {
		var creds []globus.Credential
		err := Redrive(ctx, e, func(ctx context.Context) error {
			var err error
			creds, err = e.Globus.ListCredentials(ctx, auth, cred.ID)
			return err
		})
		if err != nil {
			return Rotation{}, problem("listing the "+appLabel(app)+" app's secrets", err)
		}
		// The stored secret is one of the app's credentials: with only one,
		// it is that one. With several, which cannot be told from outside.
		if len(creds) == 1 {
			r.OldID, r.OldAt = creds[0].ID, creds[0].Created
		} else {
			r.OldUnsure = true
		}
	}
	who := "globus-setup"
	if u, err := e.Globus.UserInfo(ctx, auth); err == nil && u.PreferredUsername != "" {
		who = sanitizeName(u.PreferredUsername)
	}
	// When and by whom, and a suffix that finds it again if the answer is lost.
	r.Name = fmt.Sprintf("rotated %s by %s %s", r.Started.Format("2006-01-02 15:04Z"), who, shortSuffix())
	if err := ctx.Err(); err != nil {
		return Rotation{}, problem("stopped before creating the new secret", err)
	}
	if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, r) }); err != nil {
		return Rotation{}, problem("recording the rotation in the vault", err)
	}
	return r, nil
}

// createNewSecret makes the new credential. A record still at "creating"
// may come from a run killed after Globus made it: a credential of that name
// holds a secret nobody has, so it is deleted and another made.
func createNewSecret(ctx context.Context, e *Env, r Rotation) (Rotation, error) {
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return r, err
	}
	err = Redrive(ctx, e, func(ctx context.Context) error { return deleteNamed(ctx, e, auth, r.ClientID, r.Name) })
	if err != nil {
		return r, problem("removing the secret an interrupted rotation made but never stored", err)
	}
	if err := rotateStop("intent"); err != nil {
		return r, err
	}
	var cr *globus.Credential
	err = Redrive(ctx, e, func(ctx context.Context) error {
		var err error
		cr, err = e.Globus.CreateCredential(ctx, auth, r.ClientID, r.Name)
		return err
	})
	if err != nil {
		p := createProblem("the new client secret", err).(*Problem)
		if p.Do.Empty() {
			p.Do = Say("nothing was changed: fix what the error names and ", run(command("rotate", r.App)), " again")
		} else {
			p.Do = Say("Globus may have made it anyway: ", run(command("rotate", r.App)), " again, which deletes that unsaved secret and makes another")
		}
		return r, p
	}
	if err := rotateStop("answered"); err != nil {
		return r, err
	}
	key := r.App + ".client_secret"
	norm, fe := normalizeFor("", map[string]string{key: cr.Secret}, false)
	if len(fe) > 0 {
		return r, problem("Globus's new secret does not look like a client secret", fe)
	}
	nr := r
	nr.Phase, nr.NewID, nr.NewAt = RotateCreated, cr.ID, cr.Created
	err = e.Vault.Update(func(d *vault.Doc) error {
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[rotationKey(r.App)+oldSecretPart] = d.Values[key]
		setValuesIn(d, norm)
		putSecretMeta(d, r.App, *cr, norm[key])
		return putRotation(d, nr)
	})
	if err != nil {
		return r, &Problem{What: "made the new client secret but could not store it in the vault", Err: err,
			Do: Say("fix what the error names and ", run(command("rotate", r.App)), " again: it deletes that unsaved secret and makes another")}
	}
	return nr, rotateStop("stored")
}

// deleteNamed deletes the app's credentials called name (a 404 is gone already).
func deleteNamed(ctx context.Context, e *Env, auth globus.Authorizer, clientID, name string) error {
	creds, err := e.Globus.ListCredentials(ctx, auth, clientID)
	if err != nil {
		return err
	}
	for _, c := range creds {
		if c.Name != name {
			continue
		}
		if err := e.Globus.DeleteCredential(ctx, auth, clientID, c.ID); err != nil && !globus.IsStatus(err, 404) {
			return err
		}
	}
	return nil
}

func proveNewSecret(ctx context.Context, e *Env, r Rotation) (Rotation, error) {
	secret := value(e.Vault, r.App+".client_secret")
	_, err := e.Globus.ClientCredentialsToken(ctx, globus.Credentials{ID: r.ClientID, Secret: secret}, rotateProofScopes...)
	if err != nil {
		return r, &Problem{What: "Globus does not accept the new " + appLabel(r.App) + " secret yet", Err: err,
			Do: Say(run(command("rotate", r.App)), " again in a minute to prove it once more, or `--undo` to go back to the old secret; the gateway still uses the old one")}
	}
	nr := r
	nr.Phase = RotateProven
	if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, nr) }); err != nil {
		return r, problem("recording the proof in the vault", err)
	}
	return nr, rotateStop("proven")
}

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
			Do: Say(run(command("rotate", app, "--env", "PATH")), " with the .env the gateway reads (or `--no-env` to update its settings yourself); ", kept)}
	}
	if _, err := os.Stat(path); err != nil {
		p := &Problem{What: "the gateway's .env is not at " + path + " any more (moved or deleted?)", Err: err, is: ErrEnvTargetMissing,
			Do: Say(run(command("rotate", app, "--env", "NEWPATH")), " with where it is now; ", kept)}
		if opts.EnvPath != "" {
			p.What = "there is no file at " + path
			p.Do = Say("give the .env the gateway reads, or write one first with ", command("export", "--out", path), "; ", kept)
		}
		return "", false, p
	}
	return path, false, nil
}

func writeRotationEnv(e *Env, r Rotation, opts RotateOptions) (string, Rotation, error) {
	nr := r
	nr.Phase = RotateRestart
	var line string
	path, noEnv, err := rotationEnvPath(e, r.App, r, opts, true)
	if err != nil {
		return "", r, err
	}
	if noEnv {
		nr.NoEnv, nr.EnvPath = true, ""
		line = Say("No .env written, as asked: put the new secret in the gateway's settings yourself (", command("export", "--format", "env"), ", or `exec`).").String()
	} else {
		doc := e.Vault.Doc()
		w, err := MergeEnvFile(path, doc)
		if err != nil {
			return "", r, problem("writing the new secret into "+path, err)
		}
		nr.EnvPath, nr.NoEnv = path, false
		line = "✓ " + strings.Join(w.Lines("wrote the new secret into"), "\n  ")
		if err := RememberEnvTarget(e.Vault, path); err != nil {
			return "", r, problem("remembering the .env", err)
		}
	}
	if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, nr) }); err != nil {
		return "", r, problem("recording the .env update in the vault", err)
	}
	return line, nr, rotateStop("env")
}

// FinishRotation is the operator's word that the gateway restarted with the
// new secret: the gateway's start-up check runs with it (finishCheck), then
// the old credential is deleted at Globus and the old secret dropped from
// the vault.
func FinishRotation(ctx context.Context, e *Env, app string) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		return res, &Problem{What: "no rotation of the " + appLabel(app) + " secret is in progress", is: ErrNoRotation,
			Do: Say("start one with ", command("rotate", app))}
	}
	switch r.Phase {
	case RotateRestart, RotateDeleting:
	case RotateUndoing:
		return res, &Problem{What: "this rotation is being undone", is: ErrNotWaitingRestart,
			Do: Say(run(command("rotate", app, "--undo")), " to complete that")}
	default:
		return res, &Problem{What: "the new secret is not in place yet, so the old one is still needed", is: ErrNotWaitingRestart,
			Do: Say(run(command("rotate", app)), " to carry on; it says when to restart the gateway and finish")}
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return res, err
	}
	if r.Phase == RotateRestart {
		// Safe either way: never delete the old secret while the new one
		// fails, or while a gateway with these settings would not start.
		lines, err := finishCheck(ctx, e, r)
		if err != nil {
			return res, err
		}
		res.Lines = append(res.Lines, lines...)
		if r.OldID == "" {
			var creds []globus.Credential
			err := Redrive(ctx, e, func(ctx context.Context) error {
				var err error
				creds, err = e.Globus.ListCredentials(ctx, auth, r.ClientID)
				return err
			})
			if err != nil {
				return res, problem("listing the app's secrets to find the old one", err)
			}
			var others []globus.Credential
			for _, c := range creds {
				if c.ID != r.NewID {
					others = append(others, c)
				}
			}
			if len(others) == 1 && !r.OldUnsure {
				r.OldID, r.OldAt = others[0].ID, others[0].Created
			}
		}
		r.Phase = RotateDeleting
		if err := e.Vault.Update(func(d *vault.Doc) error { return putRotation(d, r) }); err != nil {
			return res, problem("recording the deletion in the vault", err)
		}
		if err := rotateStop("deleting"); err != nil {
			return res, err
		}
	}
	if r.OldID != "" {
		err := Redrive(ctx, e, func(ctx context.Context) error {
			return e.Globus.DeleteCredential(ctx, auth, r.ClientID, r.OldID)
		})
		switch {
		case err == nil:
			res.Lines = append(res.Lines, "✓ deleted the old secret (credential "+r.OldID+") at Globus")
		case globus.IsStatus(err, 404):
			res.Lines = append(res.Lines, "✓ the old secret (credential "+r.OldID+") was already deleted at Globus")
		default:
			return res, &Problem{What: "Globus refused to delete the old secret (credential " + r.OldID + ")", Err: err, is: reauthIs(err),
				Do: thenAgain(err, "both secrets still work and the vault keeps the old one", command("rotate", app, "--finish"))}
		}
		if err := rotateStop("deleted"); err != nil {
			return res, err
		}
	} else {
		res.Lines = append(res.Lines, Say("! the app has other secrets and globus-setup cannot tell which one the gateway used before: none was deleted. ", command("rotate", "--list"), " shows them; delete the ones nobody uses with ", command("rotate", app, "--delete", "ID")).String())
	}
	err = e.Vault.Update(func(d *vault.Doc) error {
		delete(d.Internal, rotationKey(app))
		delete(d.Internal, rotationKey(app)+oldSecretPart)
		putSecretMeta(d, app, globus.Credential{ID: r.NewID, Created: r.NewAt}, strings.TrimSpace(d.Values[app+".client_secret"]))
		return nil
	})
	if err != nil {
		return res, problem("clearing the finished rotation from the vault", err)
	}
	res.Rotation, res.Done = r, true
	res.Lines = append(res.Lines, "✓ the old secret is gone from the vault; the rotation is finished")
	return res, nil
}

// finishCheck is what --finish checks before the old secret goes: the
// gateway's whole start-up check (GatewayStartCheck: the Service Account's
// client-credentials grant, the policy read with its token, the domains
// compared as apps.py compares them), with the new secret in place. That
// check uses nothing of the Service API app, so rotating it, the new secret
// is first proven with its own grant, as the gateway uses it per request.
func finishCheck(ctx context.Context, e *Env, r Rotation) ([]string, error) {
	undo := command("rotate", r.App, "--undo")
	var lines []string
	forAPI := r.App == serviceAPIID
	if forAPI {
		secret := value(e.Vault, r.App+".client_secret")
		if _, err := e.Globus.ClientCredentialsToken(ctx, globus.Credentials{ID: r.ClientID, Secret: secret}, rotateProofScopes...); err != nil {
			return nil, &Problem{What: "Globus no longer accepts the new secret, so the old one is kept (nothing was deleted)", Err: err,
				Do: Say("check the app in the developers console; ", undo, " goes back to the old secret")}
		}
		lines = append(lines, "✓ Globus accepts the new Service API secret (client-credentials grant)")
	}
	c := GatewayStartCheck(ctx, e)
	if c.Status == CheckPass {
		line := "✓ the gateway's start-up check passes with the new secret: " + c.Detail
		if forAPI {
			line = "✓ the gateway's start-up check passes (" + c.Detail + "); it uses nothing of the Service API app, whose new secret the grant above proved"
		}
		return append(lines, line), nil
	}
	what := "nothing was deleted, the old secret is kept: the gateway's start-up check fails with the new secret in place (" + c.Detail + ")"
	restart := "; restart the gateway, then "
	switch {
	case c.NoAnswer:
		what, restart = "nothing was deleted, the old secret is kept: Globus did not answer the gateway's start-up check ("+c.Detail+")", "; "
	case c.Status == CheckSkip:
		what = "nothing was deleted, the old secret is kept: the gateway's start-up check cannot run (" + c.Detail + ")"
	}
	if forAPI {
		what += ". The start-up check uses nothing of the Service API app: it reads the policy as the Service Account (the Service API ID and secret serve each request, introspecting users' tokens). So the new Service API secret, which Globus accepts, is not what fails; but a gateway that stops at start-up cannot have restarted with it"
	}
	do := c.Hint
	if c.Status == CheckSkip {
		do = Say("store what it names")
	}
	again := Say(run(command("rotate", r.App, "--finish")), " again, or ", undo, " to go back to the old secret")
	if !do.Empty() {
		again = Say(do, restart, again)
	}
	return lines, &Problem{What: what, Do: again}
}

// UndoRotation puts the old secret back (vault and .env) and deletes the new
// credential at Globus. After the gateway restarted with the new secret, it
// must restart again.
func UndoRotation(ctx context.Context, e *Env, app string) (RotateResult, error) {
	unlock, r, ok, err := openRotation(e, app)
	if err != nil {
		return RotateResult{}, err
	}
	defer unlock()
	var res RotateResult
	if !ok {
		return res, &Problem{What: "no rotation of the " + appLabel(app) + " secret is in progress", is: ErrNoRotation, Do: Say("nothing to undo")}
	}
	if r.Phase == RotateDeleting {
		return res, &Problem{What: "the old secret is being deleted already, so it cannot come back", is: ErrNotWaitingRestart,
			Do: Say(run(command("rotate", app, "--finish")), " to complete the rotation")}
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return res, err
	}
	wasRestart := r.Phase == RotateRestart
	if r.Phase != RotateUndoing && r.Phase != RotateCreating {
		r.Phase = RotateUndoing
		err := e.Vault.Update(func(d *vault.Doc) error {
			if old, ok := d.Internal[rotationKey(app)+oldSecretPart]; ok && old != "" {
				d.Values[app+".client_secret"] = old
				if r.OldID != "" {
					putSecretMeta(d, app, globus.Credential{ID: r.OldID, Created: r.OldAt}, old)
				}
			}
			return putRotation(d, r)
		})
		if err != nil {
			return res, problem("putting the old secret back in the vault", err)
		}
		res.Lines = append(res.Lines, "✓ the old secret is back in the vault")
		if err := rotateStop("undo-vault"); err != nil {
			return res, err
		}
	}
	if r.EnvPath != "" {
		if _, err := os.Stat(r.EnvPath); err != nil {
			res.Lines = append(res.Lines, Say("! the .env at ", r.EnvPath, " is gone: put the old secret back yourself (", command("export", "--merge", "PATH"), ")").String())
		} else if _, err := MergeEnvFile(r.EnvPath, e.Vault.Doc()); err != nil {
			return res, problem("writing the old secret back into "+r.EnvPath, err)
		} else {
			res.Lines = append(res.Lines, "✓ wrote the old secret back into "+r.EnvPath)
		}
	}
	err = Redrive(ctx, e, func(ctx context.Context) error {
		if r.NewID == "" {
			return deleteNamed(ctx, e, auth, r.ClientID, r.Name)
		}
		if err := e.Globus.DeleteCredential(ctx, auth, r.ClientID, r.NewID); err != nil && !globus.IsStatus(err, 404) {
			return err
		}
		return nil
	})
	if err != nil {
		return res, &Problem{What: "Globus refused to delete the new secret", Err: err, is: reauthIs(err),
			Do: thenAgain(err, "the old secret is back in place", command("rotate", app, "--undo"))}
	}
	res.Lines = append(res.Lines, "✓ deleted the new secret at Globus")
	err = e.Vault.Update(func(d *vault.Doc) error {
		delete(d.Internal, rotationKey(app))
		delete(d.Internal, rotationKey(app)+oldSecretPart)
		return nil
	})
	if err != nil {
		return res, problem("clearing the undone rotation from the vault", err)
	}
	res.Rotation, res.Done = r, true
	if wasRestart || r.EnvPath != "" {
		res.Lines = append(res.Lines, "If the gateway was restarted with the new secret, restart it again now: the new secret no longer works.")
	}
	return res, nil
}

// reauthIs keeps ErrReauthRequired findable through a Problem wrapping it.
func reauthIs(err error) error {
	if errors.Is(err, ErrReauthRequired) {
		return ErrReauthRequired
	}
	return nil
}

// thenAgain is advice after a refused call: what holds meanwhile, then the
// fix (a sign-in Globus asks for, or what the error names) and the command.
func thenAgain(err error, holds string, again Action) Advice {
	if errors.Is(err, ErrReauthRequired) {
		if h := Hint(err); h != "" {
			return Say(holds + "; " + strings.Replace(h, "run this again", "run "+CLI.Name(again)+" again", 1))
		}
	}
	return Say(holds+": fix what the error names, then run ", again, " again")
}
