package tui

import (
	"errors"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// The engine's advice is a value (steps.Advice): the wizard names each
// action by its own keys, as the commands name them by command lines.

// wizard names actions as the full-screen wizard's keys; rotating says
// Finish's Rotate panel is open, so its keys are named bare. ("esc, then"
// before a key is added where a note is drawn while a field has the keys.)
type wizardNamer struct{ rotating bool }

var (
	wizardWords = wizardNamer{}
	// wizardRotating is for text shown in the Rotate panel (R on Finish).
	wizardRotating = wizardNamer{rotating: true}
)

func (w wizardNamer) Name(a steps.Action) string {
	if shell(a) {
		return steps.InAShell(a)
	}
	n := w.name(a)
	if a.Run && !rotateEnv(a) {
		return "press " + n
	}
	return n
}

func (w wizardNamer) name(a steps.Action) string {
	switch a.Kind {
	case steps.ActSet:
		return fieldOf(a.Key)
	case steps.ActGet:
		return "v (values)"
	case steps.ActLogin:
		switch {
		case a.Req != nil:
			return "a new try here (the wizard opens that sign-in page)"
		case a.Run:
			return "L to log in"
		case a.ClientID != "":
			return "L (log in) with that client's ID"
		}
		return "L"
	case steps.ActRedrive:
		again := "try again here"
		if a.Again != nil {
			again = "press " + w.name(*a.Again) + " again" // the refused work's own key
		}
		switch a.Value {
		case steps.RedriveParen:
			return " when you " + again + " (the wizard opens that sign-in page)"
		case steps.RedriveHint:
			return ""
		}
		return again + " and sign in as asked on the page the wizard opens"
	case steps.ActRotate:
		return w.rotateKey(a)
	case steps.ActApply:
		if s, ok := steps.StepByID(a.Step); ok {
			return fmt.Sprintf("%s on step %d", "a", s.Number)
		}
		return "A (set up everything)"
	case steps.ActCheck, steps.ActGroup:
		key := "x"
		if a.Kind == steps.ActGroup {
			key = "a"
		}
		if s, ok := steps.StepByID(a.Step); ok {
			return fmt.Sprintf("%s on step %d", key, s.Number)
		}
		return "x on Finish"
	case steps.ActVerify:
		return "x on Finish"
	case steps.ActWords:
		return a.Args[1]
	}
	return steps.CLI.Name(a)
}

// shell: a command the wizard has no key for (export, exec, rotate --list
// or --delete): the command line's words, said as a command to run in a
// shell beside the wizard.
func shell(a steps.Action) bool {
	if a.Kind == steps.ActCommand {
		return true
	}
	if a.Kind != steps.ActRotate {
		return false
	}
	_, keyed := steps.RotateKeys(a)
	return !keyed && !rotateEnv(a)
}

// rotateEnv: rotate --env, which the wizard does by writing the .env on
// Finish (remembered for rotate), then rotating.
func rotateEnv(a steps.Action) bool {
	a = a.Unrun()
	return a.Kind == steps.ActRotate && len(a.Args) > 0 && a.Args[0] == "--env"
}

// rotateKey names a rotation's command by the Rotate panel's keys: 1 or 2
// (make or carry on), y (--finish), z (--undo); outside the panel, after
// R on Finish, which opens it. A flag said alone (steps.Short) follows
// the command already named, so its key is bare.
func (w wizardNamer) rotateKey(a steps.Action) string {
	app := "1"
	if a.Step == steps.RotatableApps[1] {
		app = "2"
	}
	if rotateEnv(a) {
		k := app
		if a.Run {
			k = "press " + app
		}
		return "write the gateway's .env on Finish (w; e edits its path first), then " + k
	}
	k := app
	if flag, _ := steps.RotateKeys(a); flag == "--finish" {
		k = "y"
	} else if flag == "--undo" {
		k = "z"
	}
	if w.rotating || a.Value == steps.Short {
		return k
	}
	return "R on Finish, then " + k
}

// fieldOf names where a key is typed: "the Project ID field of step 1".
func fieldOf(key string) string {
	spec, ok := steps.Spec(key)
	if !ok {
		return "its field on its step"
	}
	// The default group's fields are labelled with its name on Globus
	// (steps.SpecIn), which this has no document to know: "Group ID" alone.
	label := spec.Label
	if strings.HasPrefix(key, "groups."+steps.DefaultGroup+".") {
		label = strings.TrimSuffix(label, " ("+steps.DefaultGroup+")")
	}
	st, ok := steps.StepByID(spec.Step)
	if !ok {
		return "the " + label + " field"
	}
	return fmt.Sprintf("the %s field of step %d (enter there)", label, st.Number)
}

// explainIn is explain with the advice named by n (the Rotate panel's).
func explainIn(err error, n steps.Namer) []string {
	out := []string{"Problem: " + err.Error()}
	if h := steps.AdviceOf(err).In(n); h != "" {
		out = append(out, "What to do: "+h)
	}
	if errors.Is(err, steps.ErrNotLoggedIn) && !strings.Contains(strings.Join(out, " "), "press L") {
		out = append(out, "Press L to log in to Globus from here.")
	}
	return out
}
