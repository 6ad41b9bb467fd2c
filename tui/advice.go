package tui

import (
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// The engine's advice is a value (steps.Advice): the wizard names each
// action by its own keys, as the commands name them by command lines.

// wizard names actions as the full-screen wizard's keys; typing says a
// text field has the keys, so a letter key is named after esc.
type wizardNamer struct{ typing bool }

var (
	wizardWords = wizardNamer{}
	// wizardTyping is for text shown while a field has the keys.
	wizardTyping = wizardNamer{typing: true}
)

func (w wizardNamer) press(k string) string {
	if w.typing {
		return "esc, then " + k
	}
	return k
}

func (w wizardNamer) Name(a steps.Action) string {
	n := w.name(a)
	if a.Run {
		return "press " + n
	}
	return n
}

func (w wizardNamer) name(a steps.Action) string {
	switch a.Kind {
	case steps.ActSet:
		return fieldOf(a.Key)
	case steps.ActGet:
		return w.press("v") + " (values)"
	case steps.ActLogin:
		switch {
		case a.Req != nil:
			return "a new try here (the wizard opens that sign-in page)"
		case a.Run:
			return w.press("L") + " to log in"
		case a.ClientID != "":
			return w.press("L") + " (log in) with that client's ID"
		}
		return w.press("L")
	case steps.ActRedrive:
		switch a.Value {
		case steps.RedriveParen:
			return " when you try again here (the wizard opens that sign-in page)"
		case steps.RedriveHint:
			return ""
		}
		return "try again here and sign in as asked on the page the wizard opens"
	case steps.ActApply:
		if s, ok := steps.StepByID(a.Step); ok {
			return fmt.Sprintf("%s on step %d", w.press("a"), s.Number)
		}
		return w.press("A") + " (set up everything)"
	case steps.ActCheck, steps.ActGroup:
		key := "x"
		if a.Kind == steps.ActGroup {
			key = "a"
		}
		if s, ok := steps.StepByID(a.Step); ok {
			return fmt.Sprintf("%s on step %d", w.press(key), s.Number)
		}
		return w.press("x") + " on Finish"
	case steps.ActVerify:
		return w.press("x") + " on Finish"
	case steps.ActWords:
		return a.Args[1]
	}
	// A command the wizard has no key for (rotate, export, exec): the
	// command line's words, which work beside the wizard.
	return steps.CLI.Name(a)
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

// adviceLine is what err says to do, in the wizard's words ("" nothing).
func adviceLine(err error, typing bool) string {
	n := wizardWords
	if typing {
		n = wizardTyping
	}
	return steps.AdviceOf(err).In(n)
}
