package steps

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// The rotation record (Internal "rotate.<app>"), its phases, and what every
// stage of a rotation shares: see rotate.go for the stages.

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
	NewFP     string      `json:"new_fp,omitempty"`        // the new secret's fingerprint (rotate_age.go), never the secret
	OldID     string      `json:"old_id,omitempty"`        // the old credential, when known
	OldAt     time.Time   `json:"old_created,omitempty"`   // when Globus made the old one
	EnvPath   string      `json:"env_path,omitempty"`      // the .env updated (absolute)
	NoEnv     bool        `json:"no_env,omitempty"`        // the operator updates the gateway's settings
	Started   time.Time   `json:"started"`                 // when this rotation began
	OldUnsure bool        `json:"old_ambiguous,omitempty"` // several secrets could be the old one

	unknown vault.Unknown // fields of a newer version, kept (records_unknown.go)
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
func (r Rotation) Line() string { return r.LineIn(CLI) }

// LineIn is Line with the actions named by n.
func (r Rotation) LineIn(n Namer) string {
	head := fmt.Sprintf("%s secret rotation started %s", appLabel(r.App), r.Started.UTC().Format("2006-01-02 15:04 UTC"))
	switch r.Phase {
	case RotateCreating, RotateCreated:
		return Say(head, ": not finished making the new secret — ", run(rotateCmd(r.App)), " to carry on, or ", rotateFlag(r.App, "--undo")).In(n)
	case RotateProven:
		return Say(head, ": the new secret made and proven; the .env not written yet — ", rotateCmd(r.App), " carries on, or ", rotateFlag(r.App, "--undo")).In(n)
	case RotateRestart:
		return Say(head, ": waiting for the gateway's restart with the new secret — then ", rotateCmd(r.App, "--finish"), " (or ", rotateFlag(r.App, "--undo"), ")").In(n)
	case RotateDeleting:
		return Say(head, ": deleting the old secret — ", run(rotateCmd(r.App, "--finish")), " to complete it").In(n)
	case RotateUndoing:
		return Say(head, ": being undone — ", run(rotateCmd(r.App, "--undo")), " to complete it").In(n)
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

// dropRotation forgets app's rotation and the old secret kept for it.
func dropRotation(d *vault.Doc, app string) {
	delete(d.Internal, rotationKey(app))
	delete(d.Internal, rotationKey(app)+oldSecretPart)
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
	// Lines are what was done and what to do next, in the command line's
	// words; LinesIn names the advice in them in a front-end's.
	Lines []string
	Done  bool // the rotation is over (finished or undone)
	said  []Advice
}

// say adds a line of words and actions (as Say).
func (r *RotateResult) say(parts ...any) {
	a := Say(parts...)
	r.said = append(r.said, a)
	r.Lines = append(r.Lines, a.String())
}

// LinesIn is Lines with the actions named by n.
func (r RotateResult) LinesIn(n Namer) []string {
	if len(r.said) != len(r.Lines) {
		return r.Lines // made by hand, words only
	}
	out := make([]string, len(r.said))
	for i, a := range r.said {
		out[i] = a.In(n)
	}
	return out
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
		if h := AdviceOf(err); !h.Empty() {
			return Say(holds+"; ", h.retrying(again))
		}
	}
	return Say(holds+": fix what the error names, then ", run(again), " again")
}

// ErrMidRotation: a change to an app's ID or secret while a rotation of
// that app is in progress, refused.
var ErrMidRotation = errors.New("a rotation of this app's secret is in progress")

// newSecretFP is the fingerprint of the secret the rotation made: its own
// record, or (a record from before it kept one) the secret's facts when
// they are about the new credential; "" when neither says.
func (r Rotation) newSecretFP(doc vault.Doc) string {
	if r.NewFP != "" {
		return r.NewFP
	}
	var m SecretMeta
	if r.NewID != "" && json.Unmarshal([]byte(doc.Internal[secretMetaPrefix+r.App]), &m) == nil && m.CredentialID == r.NewID {
		return m.FP
	}
	return ""
}

// RotationBlocks refuses storing values (or, for drop, removing the keys)
// that change an app's client ID or secret while a rotation of that app is
// in progress: --finish would prove whatever the vault then holds, record
// it as the new secret and delete the old credential at Globus, and --undo
// needs the old one the rotation kept. Storing the value already there, or
// the rotation's own new secret back, changes nothing it relies on.
// Refusing (not warning) is the choice: a secret lost here may be the only
// working copy, and --undo or --finish first is always possible.
func RotationBlocks(doc vault.Doc, values map[string]string, drop []string) error {
	for _, r := range Rotations(doc) {
		for _, part := range []string{".client_secret", ".client_id"} {
			key := r.App + part
			cur := strings.TrimSpace(doc.Values[key])
			then := "then remove it"
			changes := slices.Contains(drop, key) && cur != ""
			if v, ok := values[key]; ok && strings.TrimSpace(v) != cur {
				fp := r.newSecretFP(doc)
				changes, then = part == ".client_id" || fp == "" || fingerprint(v) != fp, "then store it"
			}
			if changes {
				return midRotation(r, key, then)
			}
		}
	}
	return nil
}

func midRotation(r Rotation, key, then string) *Problem {
	return &Problem{is: ErrMidRotation,
		What: key + " was not changed: the " + appLabel(r.App) + " secret rotation started " + r.Started.UTC().Format("2006-01-02 15:04 UTC") +
			" is in progress, and it relies on the vault keeping the new secret it made (--finish proves and keeps that one, then deletes the old at Globus) and the old one (--undo puts it back)",
		Do: Say("finish the rotation (", rotateCmd(r.App, "--finish"), ", once the gateway restarted) or undo it (",
			rotateCmd(r.App, "--undo"), ", which puts the old secret back), "+then)}
}
