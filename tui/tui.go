// Package tui is the full-screen wizard: unlock or create the vault, then a
// shell with the six steps in a sidebar, the current step in the main pane,
// a values browser and a finish screen that writes the gateway's .env.
// Every key derivation, vault write and network call runs as a tea.Cmd.
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/term"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// Config is what cmd wires in.
type Config struct {
	Paths        vault.Paths
	Profile      string                  // --profile NAME, shown in the header; "" for --vault or the default
	Sources      vault.PassphraseSources // File/Getenv used; Prompt is ignored (the unlock screen asks)
	VaultOptions vault.Options
	Globus       *globus.Client
	Env          globus.Environment
	Demo         bool
	// DemoLoginClient is the demo emulator's stand-in for "a thick client
	// you already have", offered for the first login.
	DemoLoginClient string
	// DemoUsers are the usernames the demo emulator knows (group members).
	DemoUsers []string
	Ephemeral bool // the vault is thrown away at exit (--demo without --vault)
	// SaveDemo saves a kept demo's emulator state beside its vault; the
	// wizard calls it before its last words say the state is there.
	SaveDemo func() error
	// Invocation runs this program again in the words the operator used:
	// "globus-setup", a path, or "go run ./cmd/globus-setup" ("" → globus-setup).
	Invocation string
	Accessible bool // line-by-line prompts for screen readers instead of the full screen
	Force      bool // open a damaged vault with the typed passphrase, keeping the damaged file aside
	Input      io.Reader
	Output     io.Writer
	// OpenBrowser opens a URL; nil → $BROWSER or pkg/browser, refusing over
	// SSH or without a display so the screen shows the link instead.
	OpenBrowser func(url string) error
	// Clipboard copies text; nil → OSC 52 through the wizard's own output
	// (serialised with the renderer) plus the native clipboard, cleared
	// after 45s or when the wizard exits.
	Clipboard func(text string) error
	// Vault, when set, is already unlocked: the unlock screen is skipped.
	Vault *vault.Vault
	// Getenv reads the environment (nil → os.Getenv).
	Getenv func(string) string
	// NetworkBudget bounds each operation's network time (0 → the default).
	NetworkBudget time.Duration
}

// ErrInterrupted: the wizard was stopped from outside (a signal) before
// the operator quit it; everything accepted is saved. A shell expects the
// command to exit 130 then.
var ErrInterrupted = errors.New("interrupted")

// ClipboardClearAfter is how long a copied value stays on the clipboard.
const ClipboardClearAfter = 45 * time.Second

// Run starts the wizard and returns when the operator quits. Everything
// accepted is already in the vault, so quitting at any point loses nothing.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Accessible {
		return runAccessible(ctx, cfg)
	}
	in, out := cfg.Input, cfg.Output
	if in == nil {
		in = os.Stdin
	}
	if out == nil {
		out = os.Stdout
	}
	progOut, clipOut := lockOutput(out)
	m := newModel(ctx, cfg, clipOut)
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx),
		tea.WithInput(in), tea.WithOutput(progOut))
	_, err := p.Run()
	m.clearClipboardNow()
	// Interrupted from outside (a signal), or ctrl+c with a task in flight:
	// what was accepted and made is already saved.
	interrupted := m.interrupted || (errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil)
	if interrupted {
		err = nil
	}
	if err != nil {
		return err
	}
	printLines(out, m.closingWords(interrupted))
	if interrupted {
		return ErrInterrupted
	}
	return nil
}

// closingWords are what is printed once the screen is gone: what an
// interrupt kept, the values lost or stored at quit, where progress is.
func (m *Model) closingWords(interrupted bool) string {
	var out []string
	if interrupted {
		out = append(out, interruptedNote(m.cfg))
	}
	if m.quitNote != "" {
		out = append(out, m.quitNote)
	}
	switch {
	case m.vault != nil:
		out = append(out, lastWords(m.cfg))
	case m.cfg.Ephemeral && !interrupted:
		out = append(out, neverMadeNote)
	}
	return strings.Join(out, "\n")
}

// printLines prints s line by line, each made safe (a path may hold
// anything).
func printLines(out io.Writer, s string) {
	if s == "" {
		return
	}
	for _, l := range strings.Split(s, "\n") {
		fmt.Fprintln(out, termsafe.Line(l))
	}
}

// DemoKeepPath is the vault path suggested for keeping a demo.
const DemoKeepPath = "~/globus-setup-demo/vault.age"

// neverMadeNote: a throwaway demo quit before its vault was made leaves
// nothing (its folder is removed with the emulator), which is said rather
// than ending in silence.
const neverMadeNote = "Demo over before its vault was made: nothing was made, and its folder is removed."

// interruptedNote says what an interrupt kept: everything made, in the
// vault, unless the vault is a throwaway demo's.
func interruptedNote(cfg Config) string {
	if cfg.Ephemeral {
		return "Interrupted: what was made went into the demo's vault, which is thrown away now with its emulator."
	}
	return "Interrupted: what was made before is stored in the vault, and is not made twice when you carry on."
}

// lastWords saves a kept demo's emulator state, then says where progress
// is (exitNote), so nothing is written after the words that say it was.
func lastWords(cfg Config) string {
	if cfg.SaveDemo != nil {
		if err := cfg.SaveDemo(); err != nil {
			return fmt.Sprintf("Demo progress is saved in %s, but the demo emulator's state could not be saved beside it (%v): resumed, the emulator will not know the stored IDs.",
				cfg.Paths.Vault, err)
		}
	}
	return exitNote(cfg)
}

// exitNote says where progress is and the exact command that resumes it;
// a throwaway demo vault is already deleted, so it is not named.
func exitNote(cfg Config) string {
	run := cfg.Invocation
	if run == "" {
		run = "globus-setup"
	}
	switch {
	case cfg.Ephemeral:
		return "Demo over: its vault and emulator are thrown away. To keep a demo and resume it later, start it with:\n" +
			run + " --demo --vault " + DemoKeepPath
	case cfg.Demo:
		// The command on a line of its own: a copy takes it whole, and
		// the sentence is not folded at 100 columns before its colon.
		return fmt.Sprintf("Demo progress is saved in %s, with the demo emulator's state beside it.\nResume with: %s --demo --vault %s",
			cfg.Paths.Vault, run, ShellQuote(cfg.Paths.Vault))
	}
	return fmt.Sprintf("Progress is saved in %s.\nRun %s again to carry on.", cfg.Paths.Vault, run)
}

// ShellQuote quotes a path for a POSIX shell when it needs it.
func ShellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-~+=:,@") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// NewModel builds the wizard's root model (tests, benchmarks).
func NewModel(cfg Config) tea.Model {
	return newModel(context.Background(), cfg, nil)
}

// lockedWriter serialises the renderer's frames and OSC 52 clipboard writes,
// so a clipboard sequence never lands inside a frame.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// lockedFile keeps the terminal visible to Bubble Tea (size, raw mode) while
// writes go through the lock.
type lockedFile struct {
	*lockedWriter
	f term.File
}

func (l lockedFile) Read(p []byte) (int, error) { return l.f.Read(p) }
func (l lockedFile) Close() error               { return nil } // never close the terminal
func (l lockedFile) Fd() uintptr                { return l.f.Fd() }

func lockOutput(w io.Writer) (io.Writer, io.Writer) {
	lw := &lockedWriter{w: w}
	if f, ok := w.(term.File); ok {
		return lockedFile{lockedWriter: lw, f: f}, lw
	}
	return lw, lw
}
