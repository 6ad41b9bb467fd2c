package tui

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// The engine's advice is written for the command line too ("run
// `globus-setup login`"); inside the wizard it names the wizard's keys.

var (
	reSet       = regexp.MustCompile("`globus-setup set ([a-z0-9_.<>-]+)(?: [A-Z]+)?`")
	reGet       = regexp.MustCompile("`globus-setup get [^`]*`")
	reGroup     = regexp.MustCompile("(?:run )?`globus-setup group (?:create|add)[^`]*`")
	reFlagGive  = regexp.MustCompile(`give (?:it|them|one) with --[a-z-]+(?: "[^"]*")? \(or (type [^)]*)\)`)
	reLoginWith = regexp.MustCompile("`globus-setup login --client-id ID`")
	// A login asking for what Globus asked (steps.LoginCommand): the wizard
	// opens that sign-in itself on the next try (steps.Redrive).
	reBoostRun   = regexp.MustCompile("run `globus-setup login --[^`]*`(?: in a terminal)?, then run this again")
	reBoostParen = regexp.MustCompile(" \\(`globus-setup login --[^`]*`\\), then run this again")
	reBoostHint  = regexp.MustCompile(": run `globus-setup login --[^`]*`")
)

var cliPhrases = []struct{ from, to string }{
	{"log in again with `globus-setup login`", "press L to log in again"},
	{"log in again (`globus-setup login`)", "press L to log in again"},
	{"run `globus-setup login` again", "press L to log in again"},
	{"run `globus-setup login`", "press L to log in"},
	{"log in first (`globus-setup login`)", "log in first (L)"},
	{"(`globus-setup login`)", "(L)"},
	{"`globus-setup login`", "L (log in)"},
	{"(`globus-setup apply --steps project`)", "(a on step 1)"},
	{"run `globus-setup scope create` again", "press x on step 2 again"},
	{"run `globus-setup scope create`", "press x on step 2"},
	{"with `globus-setup scope create`", "with x on step 2"},
	{"`globus-setup scope create`", "x on step 2"},
	{"against `globus-setup verify`", "with x on Finish"},
	{"(`globus-setup verify`)", "(x on Finish)"},
	{"`globus-setup verify`", "x on Finish"},
	{", or add --as-client to act as the Service API app", ""},
	{" (log in as them, or use or drop --as-client)", " (log in as them)"},
	{"then run apply again", "then press a again"},
	{"run apply again", "press a again"},
	{"another globus-setup apply", "another globus-setup"},
}

// wizardWords rewrites command-line advice into the wizard's keys.
func wizardWords(s string) string {
	if !strings.Contains(s, "globus-setup") && !strings.Contains(s, "--") && !strings.Contains(s, "apply again") {
		return s
	}
	s = reLoginWith.ReplaceAllString(s, "L (log in) with that client's ID")
	s = reBoostRun.ReplaceAllString(s, "try again here and sign in as asked on the page the wizard opens")
	s = reBoostParen.ReplaceAllString(s, " when you try again here (the wizard opens that sign-in page)")
	s = reBoostHint.ReplaceAllString(s, "")
	s = reFlagGive.ReplaceAllString(s, "$1")
	for _, p := range cliPhrases {
		s = strings.ReplaceAll(s, p.from, p.to)
	}
	s = reGroup.ReplaceAllString(s, "press a on step 6")
	s = reGet.ReplaceAllString(s, "v (values)")
	s = reSet.ReplaceAllStringFunc(s, func(m string) string {
		return fieldOf(reSet.FindStringSubmatch(m)[1])
	})
	return s
}

var rePressKey = regexp.MustCompile(`\b([Pp])ress ([A-Za-z])\b`)

// keysWhileTyping rewrites "press L" for a screen whose text field has the
// keys: a letter would be typed in, so the advice says esc first.
func keysWhileTyping(s string) string {
	return rePressKey.ReplaceAllStringFunc(s, func(m string) string {
		sub := rePressKey.FindStringSubmatch(m)
		if sub[1] == "P" {
			return "Press esc, then " + sub[2]
		}
		return "press esc, then " + sub[2]
	})
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
