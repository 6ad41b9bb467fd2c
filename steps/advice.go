package steps

import (
	"errors"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
)

// Advice is what to do, as a value: words around actions (set a key, log
// in with what Globus asked, run or check a step, a command). Each
// front-end names the actions in its own words through a Namer: the
// commands as command lines (CLI), the wizard as its keys. No front-end
// rewrites another's text. The zero Advice says nothing.
type Advice struct{ parts []advicePart }

type advicePart struct {
	text string
	act  *Action
}

// ActionKind is what an Action asks for.
type ActionKind int

// Actions advice can ask for.
const (
	ActSet     ActionKind = iota + 1 // store Key (Value: what the command line shows after it, e.g. "ID")
	ActGet                           // read Key
	ActLogin                         // log in (Req: what Globus asked; ClientID: through that client)
	ActApply                         // let the wizard/apply do Step ("" every step)
	ActCheck                         // run Step's action and check (the scope of step 2)
	ActVerify                        // check everything stored
	ActGroup                         // Args: "create" NAME [USERS] or "add" NAME USERS
	ActCommand                       // Args: a command only the command line has (rotate, export, exec)
	ActWords                         // words that differ: Args[0] for the command line, Args[1] the wizard's, Args[2] (when given) accessible mode's
	ActRedrive                       // sign in as Req asks, then try the refused work again (Again: that work, named)
	ActRotate                        // a rotation's command: Step the app ("" for --list), Args its flags (Value Short: the flags alone)
)

// Action is one thing advice asks the operator to do.
type Action struct {
	Kind     ActionKind
	Key      string // ActSet, ActGet
	Value    string // ActSet: the value placeholder the command line shows
	Step     string // ActApply, ActCheck
	Req      *globus.AuthRequirements
	ClientID string // ActLogin: through this client ("" the stored one)
	Args     []string
	Run      bool // asked to run it ("run …", "press …")
	// Again is the work an ActRedrive tries again, named in the front-end's
	// words ("run `globus-setup rotate service_api --finish` again", "press
	// y again"); nil: "this".
	Again *Action
}

// Namer names an action in a front-end's words.
type Namer interface{ Name(Action) string }

// Say builds advice from words (strings) and actions, in order.
func Say(parts ...any) Advice {
	var a Advice
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			if p != "" {
				a.parts = append(a.parts, advicePart{text: p})
			}
		case Action:
			a.parts = append(a.parts, advicePart{act: &p})
		case Advice:
			a.parts = append(a.parts, p.parts...)
		}
	}
	return a
}

// Empty reports whether the advice says nothing.
func (a Advice) Empty() bool { return len(a.parts) == 0 }

// In renders the advice with n naming the actions.
func (a Advice) In(n Namer) string {
	var b strings.Builder
	for _, p := range a.parts {
		if p.act != nil {
			b.WriteString(n.Name(*p.act))
		} else {
			b.WriteString(p.text)
		}
	}
	return b.String()
}

// String is the advice in the command line's words.
func (a Advice) String() string { return a.In(CLI) }

// Actions lists the advice's actions.
func (a Advice) Actions() []Action {
	var out []Action
	for _, p := range a.parts {
		if p.act != nil {
			out = append(out, *p.act)
		}
	}
	return out
}

// Action constructors.
func setKey(key string) Action          { return Action{Kind: ActSet, Key: key} }
func setKeyTo(key, value string) Action { return Action{Kind: ActSet, Key: key, Value: value} }
func getKey(key string) Action          { return Action{Kind: ActGet, Key: key} }
func logIn() Action                     { return Action{Kind: ActLogin} }
func logInAs(e *Env, req *globus.AuthRequirements) Action {
	a := Action{Kind: ActLogin, Req: req}
	if e != nil && e.Vault != nil {
		if info, ok := LoggedIn(e.Vault); ok && info.ClientID != value(e.Vault, "public_client.client_id") {
			a.ClientID = info.ClientID
		}
	}
	return a
}
func logInThrough(id string) Action  { return Action{Kind: ActLogin, ClientID: id} }
func applyStep(step string) Action   { return Action{Kind: ActApply, Step: step} }
func checkStep(step string) Action   { return Action{Kind: ActCheck, Step: step} }
func verifyAll() Action              { return Action{Kind: ActVerify} }
func groupCmd(args ...string) Action { return Action{Kind: ActGroup, Step: groupsID, Args: args} }

// addInvited is making invited users members at once: `group add` on the
// command line; in the wizard, their usernames in step 6's members, then
// a (which adds the stored members).
func addInvited(name string, users []string) Action {
	cli := "`globus-setup group add " + name + " " + strings.Join(users, " ") + "`"
	return wordsFor(cli, "type them in the Members field of step 6, then press a there", cli)
}

// addToGroup is adding users to a stored group: `group add` with its key
// on the command line; in the wizard, step 6's Members field, the group
// named as Globus names it (shown, when read).
func addToGroup(key, shown string, users ...string) Action {
	cli := "`globus-setup group add " + key + " " + strings.Join(users, " ") + "`"
	group := ""
	if shown != "" {
		group = fmt.Sprintf(" (group %q)", shown)
	}
	return wordsFor(cli, "type "+strings.Join(users, " ")+" in the Members field of step 6"+group+", then press a there", cli)
}

// proveAgain is starting the proof again: verify --as-user, or p on Finish.
func proveAgain() Action {
	cli := "`globus-setup verify --as-user`"
	return wordsFor(cli, "p on Finish", cli)
}

func command(args ...string) Action { return Action{Kind: ActCommand, Args: args} }

// rotateCmd is `globus-setup rotate APP FLAGS…`: in the wizard its keys
// (1 or 2, y for --finish, z for --undo), where it has them.
func rotateCmd(app string, flags ...string) Action {
	return Action{Kind: ActRotate, Step: app, Args: flags}
}

// rotateFlag is a rotation's flag alone ("`--undo`"), said beside the
// whole command; the wizard names its key all the same.
func rotateFlag(app, flag string) Action {
	return Action{Kind: ActRotate, Step: app, Args: []string{flag}, Value: Short}
}

// shortCommand is a command's words alone ("`exec`"), said beside
// another command; elsewhere it is named whole.
func shortCommand(args ...string) Action {
	return Action{Kind: ActCommand, Args: args, Value: Short}
}

// Short (an ActRotate's or ActCommand's Value): the command line names the
// flags (or the command's words) alone, a command having been said just
// before; a front-end that says commands to run in a shell names it whole.
const Short = "short"

// joinAdvice joins advice as strings.Join joins words.
func joinAdvice(as []Advice, sep string) Advice {
	var out Advice
	for i, a := range as {
		if i > 0 {
			out = Say(out, sep)
		}
		out = Say(out, a)
	}
	return out
}

// RotateKeys are the rotation's flags a front-end may have keys for:
// "" (make or carry on), --finish, --undo. Any other (--list, --delete,
// --env, --no-env) is the command line's alone.
func RotateKeys(a Action) (flag string, ok bool) {
	a = a.Unrun()
	switch {
	case a.Kind != ActRotate || a.Step == "":
		return "", false
	case len(a.Args) == 0:
		return "", true
	case len(a.Args) == 1 && (a.Args[0] == "--finish" || a.Args[0] == "--undo"):
		return a.Args[0], true
	}
	return "", false
}

// retrying is a redrive's advice naming again as the work to try again.
func (a Advice) retrying(again Action) Advice {
	var out Advice
	for _, p := range a.parts {
		if p.act != nil && p.act.Kind == ActRedrive {
			act := *p.act
			act.Again = &again
			p.act = &act
		}
		out.parts = append(out.parts, p)
	}
	return out
}
func cliOnly(cli, other string) Action { return Action{Kind: ActWords, Args: []string{cli, other}} }

// wordsFor is words for each front-end: the command line's, the wizard's,
// accessible mode's.
func wordsFor(cli, wizard, accessible string) Action {
	return Action{Kind: ActWords, Args: []string{cli, wizard, accessible}}
}

// run is a as something to run: "run `globus-setup login`" on the command
// line, "press L to log in" in the wizard.
func run(a Action) Action {
	a.Args = append([]string{"run"}, a.Args...)
	a.Run = true
	return a
}

// CLI names actions as the commands' command lines.
var CLI Namer = cliNamer{}

type cliNamer struct{}

func (c cliNamer) Name(a Action) string {
	if a.Run {
		a.Run, a.Args = false, a.Args[1:]
		return "run " + c.Name(a)
	}
	cmd := func(args ...string) string { return "`globus-setup " + strings.Join(args, " ") + "`" }
	switch a.Kind {
	case ActSet:
		if a.Value != "" {
			return cmd("set", a.Key, a.Value)
		}
		return cmd("set", a.Key)
	case ActGet:
		return cmd("get", a.Key)
	case ActLogin:
		return "`" + loginCommandLine(a.ClientID, a.Req) + "`"
	case ActApply:
		if a.Step == "" {
			return cmd("apply")
		}
		return cmd("apply", "--steps", a.Step)
	case ActCheck:
		if s, ok := stepByID(a.Step); ok && s.checkCommand != "" {
			return cmd(s.checkCommand)
		}
		return cmd("verify")
	case ActVerify:
		return cmd("verify")
	case ActGroup:
		return cmd(append([]string{"group"}, a.Args...)...)
	case ActCommand:
		if a.Value == Short {
			return "`" + strings.Join(a.Args, " ") + "`"
		}
		return cmd(a.Args...)
	case ActRotate:
		if a.Value == Short {
			return "`" + strings.Join(a.Args, " ") + "`"
		}
		if a.Step == "" {
			return cmd(append([]string{"rotate"}, a.Args...)...)
		}
		return cmd(append([]string{"rotate", a.Step}, a.Args...)...)
	case ActWords:
		return a.Args[0]
	case ActRedrive:
		login := "`" + loginCommandLine(a.ClientID, a.Req) + "`"
		again := "run this again"
		if a.Again != nil {
			again = "run " + c.Name(*a.Again) + " again"
		}
		switch a.Value {
		case RedriveParen:
			return " (" + login + "), then " + again
		case RedriveHint:
			return ": run " + login
		case RedriveHere:
			return "run " + login + ", then " + again
		}
		return "run " + login + " in a terminal, then " + again
	}
	return ""
}

// Unrun is a without being asked to run it (run's marker taken off its Args).
func (a Action) Unrun() Action {
	if a.Run {
		a.Run, a.Args = false, a.Args[1:]
	}
	return a
}

// InAShell is a command the front-end has no key or answer for, said as
// one to run in a shell: "`globus-setup rotate --list` in a shell" (run:
// "run … in a shell").
func InAShell(a Action) string {
	run := a.Run
	a = a.Unrun()
	if a.Kind == ActRotate || a.Kind == ActCommand {
		a.Value = "" // the whole command: its words alone name nothing here
	}
	s := CLI.Name(a) + " in a shell"
	if run {
		return "run " + s
	}
	return s
}

// againApply: apply carries on from what an earlier run stored.
var againApply = wordsFor("run apply again", "press a again", "let the wizard do the step again")

// How an ActRedrive is worded (its Value): in a sentence of its own (""),
// after "sign in meeting exactly that", after what Globus asks, or where
// the operator is at a terminal already.
const (
	RedriveParen = "paren"
	RedriveHint  = "hint"
	RedriveHere  = "here"
)

// redrive asks to sign in as req asks and try again; how is one of the
// redrive wordings above.
func redrive(e *Env, req *globus.AuthRequirements, how string) Action {
	a := logInAs(e, req)
	a.Kind, a.Value = ActRedrive, how
	return a
}

// AdviceOf is what err says to do: a Problem's advice (or its cause's),
// else the Globus error's hint as plain words.
func AdviceOf(err error) Advice {
	var p *Problem
	if errors.As(err, &p) {
		if !p.Do.Empty() {
			return p.Do
		}
		if p.Err != nil {
			return AdviceOf(p.Err)
		}
		return Advice{}
	}
	return Say(globus.Hint(err))
}
