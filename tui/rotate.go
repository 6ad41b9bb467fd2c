package tui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// The finish screen's day-two part: rotating a secret (R), with a rotation
// left half done shown there, and copying what the gateway's users need (U).
// The engine is steps.Rotate / FinishRotation / UndoRotation, as for
// `globus-setup rotate`.

type rotateDone struct {
	res steps.RotateResult
	err error
}

// rotateState: open shows the rotation panel; app is the app it acts on.
type rotateState struct {
	open bool
	app  string
}

var (
	keyRotate      = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "rotate a secret"))
	keyCopyUsers   = key.NewBinding(key.WithKeys("U"), key.WithHelp("U", "copy users' values"))
	keyRotateAPI   = key.NewBinding(key.WithKeys("1"), key.WithHelp("1", "Service API"))
	keyRotateAcct  = key.NewBinding(key.WithKeys("2"), key.WithHelp("2", "Service Account"))
	keyRestarted   = key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "gateway restarted: check, delete old"))
	keyRotateUndo  = key.NewBinding(key.WithKeys("z"), key.WithHelp("z", "undo"))
	keyRotateClose = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "close"))
)

func (f *finishModel) rotateBindings() []key.Binding {
	if !f.rot.open {
		return []key.Binding{keyRotate, keyCopyUsers}
	}
	b := []key.Binding{keyRotateAPI, keyRotateAcct}
	if r, ok := f.rotation(); ok {
		if r.Phase == steps.RotateRestart || r.Phase == steps.RotateDeleting {
			b = append(b, keyRestarted)
		}
		if r.Phase != steps.RotateDeleting {
			b = append(b, keyRotateUndo)
		}
	}
	return append(b, keyRotateClose)
}

// rotation is the selected app's rotation in progress, if any.
func (f *finishModel) rotation() (steps.Rotation, bool) {
	for _, r := range steps.Rotations(f.sh.m.vault.Doc()) {
		if r.App == f.rot.app {
			return r, true
		}
	}
	return steps.Rotation{}, false
}

// rotateKey handles the day-two keys when nothing is being typed.
func (f *finishModel) rotateKey(msg tea.KeyMsg) (tea.Cmd, bool) {
	m := f.sh.m
	if !f.rot.open {
		switch {
		case key.Matches(msg, keyRotate):
			f.rot.open = true
			if f.rot.app == "" {
				f.rot.app = steps.RotatableApps[0]
				// Open on a rotation left half done, if there is one.
				if rs := steps.Rotations(m.vault.Doc()); len(rs) > 0 {
					f.rot.app = rs[0].App
				}
			}
			return nil, true
		case key.Matches(msg, keyCopyUsers):
			data, err := steps.Export(m.vault.Doc(), steps.FormatUsers)
			if err != nil {
				f.result = outcome{summary: explain(err)}
				return nil, true
			}
			return m.copyCmd("the users' values (no secret)", string(data)), true
		}
		return nil, false
	}
	switch {
	case key.Matches(msg, keyRotateClose):
		f.rot.open = false
		return nil, true
	case key.Matches(msg, keyRotateAPI), key.Matches(msg, keyRotateAcct):
		app := steps.RotatableApps[0] // a: the Service API, c: the Service Account
		if key.Matches(msg, keyRotateAcct) {
			app = steps.RotatableApps[1]
		}
		f.rot.app = app
		opts := steps.RotateOptions{EnvPath: f.rotateEnvPath()}
		return f.runRotate("Rotating the "+app+" secret…", func(ctx context.Context, ui flow.UI, e *steps.Env) (steps.RotateResult, error) {
			return flow.RotateSecret(ctx, ui, e, app, opts)
		}), true
	case key.Matches(msg, keyRestarted):
		if r, ok := f.rotation(); ok && (r.Phase == steps.RotateRestart || r.Phase == steps.RotateDeleting) {
			return f.runRotate("Deleting the old secret…", func(ctx context.Context, ui flow.UI, e *steps.Env) (steps.RotateResult, error) {
				return flow.FinishRotation(ctx, ui, e, r.App)
			}), true
		}
		return nil, true
	case key.Matches(msg, keyRotateUndo):
		if r, ok := f.rotation(); ok {
			return f.runRotate("Going back to the old secret…", func(ctx context.Context, ui flow.UI, e *steps.Env) (steps.RotateResult, error) {
				return flow.UndoRotation(ctx, ui, e, r.App)
			}), true
		}
		return nil, true
	}
	return nil, false
}

// rotateEnvPath: the .env rotate last wrote or export merged into wins
// (steps remembers it); else the finish screen's path when that file exists.
func (f *finishModel) rotateEnvPath() string {
	if p, _ := f.sh.m.vault.Internal(steps.EnvTargetKey); p != "" {
		return ""
	}
	if abs, err := filepath.Abs(f.target()); err == nil {
		if _, err := os.Stat(abs); err == nil {
			return abs
		}
	}
	return ""
}

// runRotate runs one stage of a rotation on the finish screen. No network
// budget: a rotation waits for Globus between its stages, and stopping it
// half-way is what esc is for.
func (f *finishModel) runRotate(label string, fn func(context.Context, flow.UI, *steps.Env) (steps.RotateResult, error)) tea.Cmd {
	m := f.sh.m
	if m.cfg.Globus == nil {
		f.result = outcome{summary: []string{"No Globus client is configured, so nothing can be rotated."}}
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	base := m.env()
	return m.runIn(ctx, cancel, &f.job, f, label+" (esc cancels)", func(ctx context.Context, ui flow.UI) any {
		res, err := fn(ctx, ui, flow.Env(ui, base)) // Globus may ask for a new sign-in before a delete
		return rotateDone{res: res, err: err}
	})
}

func (f *finishModel) rotated(msg rotateDone) {
	// Said in the Rotate panel's words: its keys, never rotate's flags.
	o := outcome{report: msg.res.LinesIn(wizardRotating), ok: msg.err == nil}
	switch {
	case errors.Is(msg.err, context.Canceled):
		o.summary = []string{"Cancelled. Whatever was done is in the vault: press R and the same app to carry on."}
	case msg.err != nil:
		o.summary = explainIn(msg.err, wizardRotating)
	case msg.res.Done:
		o.summary = []string{"Done."}
	default:
		// y runs steps.FinishRotation: the start-up check first, and the
		// old secret kept when it fails.
		o.summary = []string{"Restart the gateway now. When it runs with the new secret, press y here: globus-setup cannot see which secret the gateway holds, so that is your word. " +
			"y first runs the gateway's whole start-up check with the new secret in place; only if it passes is the old secret deleted at Globus. If it fails, nothing is deleted and the old secret is kept."}
	}
	f.result = o
}

// rotateLines: any rotation left half done and any secret past its age,
// always; the panel's choices when it is open.
func (f *finishModel) rotateLines(w int) []string {
	st := f.sh.m.st
	doc := f.sh.m.vault.Doc()
	words := wizardWords // "R on Finish, then y" while the panel is shut
	if f.rot.open {
		words = wizardRotating
	}
	var out []string
	for _, r := range steps.Rotations(doc) {
		out = append(out, styledWrap(st.warn, "! "+r.LineIn(words), w)...)
	}
	for _, a := range steps.SecretAges(doc, time.Now(), steps.DefaultMaxSecretAge) {
		if a.Old {
			out = append(out, styledWrap(st.warn, "! "+a.LineIn(steps.DefaultMaxSecretAge, words), w)...)
		}
	}
	if !f.rot.open {
		if len(out) > 0 {
			out = append([]string{""}, out...)
		}
		return out
	}
	out = append([]string{"", st.title.Render("Rotate a client secret")}, out...)
	out = append(out, wrap("1 or 2 makes a new secret for the Service API or the Service Account app (or carries on one started), stores it, proves it and "+f.rotateEnvWords()+"; both secrets work until you say the gateway restarted (y). "+
		"y then runs the gateway's whole start-up check with the new secret, and deletes the old one at Globus only if it passes; if it fails, the old secret is kept. z undoes.", w)...)
	for _, a := range steps.SecretAges(doc, time.Now(), steps.DefaultMaxSecretAge) {
		out = append(out, styledWrap(st.faint, "  "+a.LineIn(steps.DefaultMaxSecretAge, wizardRotating), w)...)
	}
	return out
}

// rotateEnvWords says where a rotation started here puts its new secret:
// the .env it would write (rotateEnvPath's choice), which may be one kept
// without secrets, whose gateway gets them from the vault through exec.
func (f *finishModel) rotateEnvWords() string {
	doc := f.sh.m.vault.Doc()
	path := doc.Internal[steps.EnvTargetKey]
	if path == "" {
		path = f.rotateEnvPath()
	}
	switch {
	case path == "":
		return "writes it into the gateway's .env, once one is written here (w)"
	case doc.Internal[steps.EnvSecretFreeKey] == path:
		exec := steps.InAShell(steps.Action{Kind: steps.ActCommand, Args: []string{"exec"}})
		return "updates the gateway's .env (" + termsafe.Line(path) + "), which stays without secrets: the gateway, started under " + exec + ", gets the new secret from the vault"
	}
	return "writes it into the gateway's .env (" + termsafe.Line(path) + ")"
}
