package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/term"

	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// runAccessible is the wizard as plain sequential prompts (huh's accessible
// mode): nothing redraws, so screen readers read every line once.
func runAccessible(ctx context.Context, cfg Config) error {
	if cfg.Getenv == nil {
		cfg.Getenv = os.Getenv
	}
	in := cfg.Input
	if in == nil {
		in = os.Stdin
	}
	lr := &lineReader{r: in}
	out := cfg.Output
	if out == nil {
		out = os.Stdout
	}
	a := &access{ctx: ctx, cfg: cfg, in: lr, out: out}
	// The prompts block on a line read that a signal cannot interrupt, so
	// the run goes on aside and an interrupt returns at once.
	done := make(chan error, 1)
	go func() { done <- a.run() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		fmt.Fprintln(out, "\nInterrupted. Everything accepted so far is saved in the vault.")
		return nil
	}
}

type access struct {
	ctx context.Context
	cfg Config
	in  *lineReader
	out io.Writer
	v   *vault.Vault
}

// lineReader reads one byte at a time, so each prompt's scanner takes only
// its own line from a pipe; Fd keeps passphrase prompts on the terminal. It
// remembers the end of input: huh's prompts would otherwise ask forever.
type lineReader struct {
	r   io.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) > 1 {
		p = p[:1]
	}
	n, err := l.r.Read(p)
	if err == io.EOF {
		l.eof = true
	}
	return n, err
}

func (l *lineReader) Fd() uintptr {
	if f, ok := l.r.(interface{ Fd() uintptr }); ok {
		return f.Fd()
	}
	return ^uintptr(0)
}

// say is where accessible mode prints text that may come from outside
// (Globus's answers, values, paths), made safe once (termsafe), and
// wrapped between words at the terminal's width, so no
// word is cut in two by the terminal (a screen reader reads it whole).
func (a *access) say(format string, args ...any) {
	s := termsafe.Text(fmt.Sprintf(format, args...)) // text from outside is made safe here
	if w := a.width(); w > 0 {
		s = ansi.Wordwrap(s, w, "")
	}
	fmt.Fprintln(a.out, s)
}

// width is the output terminal's width less one, or 0 (no wrapping) when
// the output is not a terminal.
func (a *access) width() int {
	f, ok := a.out.(term.File)
	if !ok {
		return 0
	}
	w, _, err := term.GetSize(f.Fd())
	if err != nil || w < 20 {
		return 0
	}
	return w - 1
}

// accessibleGuide drops what only the full-screen wizard has: the o key and
// its panel of values to copy (read out after the guide here).
func accessibleGuide(l string) string {
	for _, r := range [][2]string{
		{" (press o)", ""},
		{"in the copy panel", "read out below"},
		{"the copy panel", "the values read out below"},
	} {
		l = strings.ReplaceAll(l, r[0], r[1])
	}
	return l
}

func (a *access) ask(fields ...huh.Field) error {
	if err := a.ctx.Err(); err != nil {
		return err
	}
	err := huh.NewForm(huh.NewGroup(fields...)).WithAccessible(true).
		WithInput(a.in).WithOutput(a.out).RunWithContext(a.ctx)
	if err == nil && a.in.eof {
		err = errInputEnded
	}
	return err
}

var errInputEnded = errors.New("the input ended before the wizard did; everything accepted so far is saved")

func (a *access) confirm(q string, def bool) bool {
	ok := def
	if a.ask(huh.NewConfirm().Title(q).Value(&ok)) != nil {
		return false
	}
	return ok
}

func (a *access) run() error {
	env := a.cfg.Env.Name
	if a.cfg.Demo {
		env = "demo, against the built-in emulator"
	}
	if a.cfg.Profile != "" {
		a.say("globus-setup, accessible mode. Profile: %s. Globus environment: %s. Vault: %s.", a.cfg.Profile, env, a.cfg.Paths.Vault)
	} else {
		a.say("globus-setup, accessible mode. Globus environment: %s. Vault: %s.", env, a.cfg.Paths.Vault)
	}
	if err := a.unlock(); err != nil {
		return err
	}
	if rs, err := a.v.Recipients(); err == nil && len(rs) > 1 {
		a.say("The vault opens for %d keys: %s.", len(rs), vault.RecipientsSummary(rs))
	}
	cat := steps.Catalogue()
	for i := steps.ResumeIndex(a.v.Doc()); i < len(cat); i++ {
		if err := a.step(cat[i], len(cat)); err != nil {
			return err
		}
	}
	a.say("All steps are done or skipped.")
	if a.confirm("Write the gateway's .env file now?", true) {
		a.writeEnv()
	}
	if err := a.offerProof(); err != nil {
		return err
	}
	a.say("%s", exitNote(a.cfg))
	return nil
}

func (a *access) unlock() error {
	if a.cfg.Vault != nil {
		a.v = a.cfg.Vault
		return nil
	}
	p, o := a.cfg.Paths, a.cfg.VaultOptions
	create := !vault.Exists(p)
	if pass, ok, err := vault.ReadPassphrase(a.cfg.Sources); err != nil {
		return err
	} else if ok {
		defer wipe(pass)
		if create {
			a.v, err = vault.Create(p, pass, o)
		} else {
			a.v, err = vault.Open(p, pass, o)
		}
		return err
	}
	if !create {
		if id, ok, err := vault.IdentityFromKeychain(p); err == nil && ok {
			if v, err := vault.OpenWithIdentity(p, id, o); err == nil {
				a.v = v
				a.say("Unlocked with the OS keychain.")
				return nil
			}
		}
	}
	for tries := 0; tries < 5; tries++ {
		var pass, again string
		if create {
			a.say("Create the vault: choose a passphrase of at least 8 characters.")
			if err := a.ask(huh.NewInput().Title("Passphrase:").EchoMode(huh.EchoModePassword).Value(&pass),
				huh.NewInput().Title("Passphrase again:").EchoMode(huh.EchoModePassword).Value(&again)); err != nil {
				return err
			}
			if len([]rune(pass)) < 8 {
				a.say("Too short: use at least 8 characters.")
				continue
			}
			if pass != again {
				a.say("The two passphrases differ. Type them again.")
				continue
			}
			a.say("Creating the vault; deriving the key takes a second.")
			v, err := vault.Create(p, []byte(pass), o)
			if err != nil {
				return err
			}
			a.v = v
		} else {
			if err := a.ask(huh.NewInput().Title("Vault passphrase:").EchoMode(huh.EchoModePassword).Value(&pass)); err != nil {
				return err
			}
			a.say("Unlocking; deriving the key takes a second.")
			v, err := vault.Open(p, []byte(pass), o)
			var ce *vault.CorruptError
			if errors.As(err, &ce) && a.cfg.Force {
				v, err = vault.OpenForce(p, []byte(pass), o)
			}
			if errors.Is(err, vault.ErrWrongPassphrase) {
				a.say("Wrong passphrase. Nothing was changed; try again.")
				continue
			}
			if err != nil {
				return err
			}
			a.v = v
		}
		if vault.KeychainAvailable() && a.confirm("Remember the vault in the OS keychain, so no passphrase is needed next time?", false) {
			if err := a.v.RememberInKeychain(); err != nil {
				a.say("Could not save to the keychain: %v", err)
			}
		}
		return nil
	}
	return vault.ErrWrongPassphrase
}

func (a *access) step(s steps.Step, total int) error {
	a.say("")
	a.say("Step %d of %d: %s.", s.Number, total, s.Title)
	for _, l := range markdown(s.Why, 1<<16) {
		a.say("%s", l)
	}
	if done, err := a.offerApply(s); err != nil || done {
		return err
	}
	if s.Guide != "" {
		a.say("On the Globus console:")
		for _, l := range markdown(s.Guide, 1<<16) {
			a.say("%s", accessibleGuide(l))
		}
	}
	if s.ConsoleURL != nil {
		a.offerLink("console page", s.ConsoleURL(a.cfg.Env))
	}
	if s.CopyValues != nil {
		for _, c := range s.CopyValues(a.v.Doc(), a.cfg.Env) {
			a.say("Type on the console, %s: %s", c.Label, c.Value)
		}
	}
	if s.Optional && !a.confirm("This step is optional. Do it now?", true) {
		return steps.MarkState(a.v, s.ID, steps.StateSkipped, "")
	}
	for {
		values := map[string]string{}
		doc := a.v.Doc()
		var fields []huh.Field
		ptrs := map[string]*string{}
		for _, f := range s.Fields {
			f = steps.FieldIn(doc, f) // a group by its name on Globus
			val := doc.Values[f.Key]
			stored := val
			ptrs[f.Key] = &val
			f := f
			title := fieldTitle(f)
			if stored != "" {
				title += " (enter keeps the stored value)"
			}
			in := huh.NewInput().Title(title + ":").Value(&val).Validate(func(v string) error {
				v = strings.TrimSpace(v)
				if v == "" {
					if f.Optional || stored != "" {
						return nil
					}
					return fmt.Errorf("%s is required", f.Label)
				}
				_, err := steps.Validate(f.Key, v)
				if err != nil {
					return errors.New(safeMessage(err.Error(), v))
				}
				return nil
			})
			if f.Secret {
				in.EchoMode(huh.EchoModePassword)
			}
			fields = append(fields, in)
		}
		if len(fields) > 0 {
			if err := a.ask(fields...); err != nil {
				return err
			}
		}
		for k, p := range ptrs {
			if v := strings.TrimSpace(*p); v != "" {
				values[k] = v
			} else if old := doc.Values[k]; old != "" {
				values[k] = old // a blank answer keeps what is stored
			}
		}
		if err := steps.Accept(a.v, s.ID, values); err != nil {
			a.say("Not saved: %v", err)
			if a.confirm("Try again?", true) {
				continue
			}
			return nil
		}
		a.say("Saved.")
		if a.check(s) {
			return nil
		}
		if !a.confirm("Fix it and try this step again?", true) {
			return nil
		}
	}
}

// check runs the step's action and verification as the full screen does
// after saving, saying what they found; false when something is wrong.
func (a *access) check(s steps.Step) bool {
	if a.cfg.Globus == nil || (s.Action == nil && s.Verify == nil) {
		return true
	}
	a.say("Checking with Globus…")
	ok := true
	var failure error
	var lines []string
	for _, fn := range []func(context.Context, *steps.Env) (steps.Report, error){s.Action, s.Verify} {
		if fn == nil {
			continue
		}
		rep, err := fn(a.op(), a.env())
		for _, l := range rep.Lines {
			a.say("%s", l)
		}
		lines = append(lines, rep.Lines...)
		if err != nil {
			failure = err
			break
		}
		ok = ok && rep.OK
	}
	switch {
	case failure != nil:
		a.problem(failure)
	case ok && skipped(lines):
		a.say("Saved. Some checks could not run yet.")
		return true
	case ok:
		a.say("All good.")
		return true
	default:
		a.say("The check found a problem.")
	}
	return false
}

func (a *access) writeEnv() {
	path := defaultEnvPath(a.cfg)
	if a.ask(huh.NewInput().Title("Path of the .env file (enter for "+path+"):").Value(&path)) != nil {
		return
	}
	abs, err := filepath.Abs(strings.TrimSpace(path))
	if err != nil {
		a.say("%v", err)
		return
	}
	w, err := steps.WriteEnv(a.v, abs, false) // remembered for rotate
	if err != nil {
		a.say("Could not write the .env: %v", err)
		return
	}
	how := "wrote"
	if w.Merged {
		how = "updated the gateway's variables in"
	}
	for _, l := range writtenLines(w.FileWrite, how) {
		a.say("%s", l)
	}
}
