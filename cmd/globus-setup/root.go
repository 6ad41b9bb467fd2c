package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/tui"
	"github.com/globus-setup/globus-setup/vault"
)

// app carries what every command needs; tests build one with their own
// streams and environment instead of touching the process's.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// rawStdout is stdout before run made it safe (termsafe): only for the
	// escape sequences we mean to send, the clipboard's OSC 52.
	rawStdout io.Writer

	vaultFile      string
	passphraseFile string
	identityFile   string // --identity: an operator's own age or SSH key
	profile        string // --profile
	force          bool
	vaultOptions   vault.Options
	noSitting      bool // unlock: never through a sitting (cmd_unlock.go)

	// tty is the controlling terminal for prompts; nil when there is none.
	// Prompts never read stdin, so `set KEY -` can take a value from a pipe
	// while the passphrase still comes from the terminal.
	openTTY func() (*os.File, error)
	// isTerminal reports whether stdin and stdout are both terminals.
	isTerminal func() bool
	// stdoutTerminal reports whether stdout is a terminal, where a secret
	// printed stays on screen and in the scrollback; nil: it is not.
	stdoutTerminal func() bool
	browse         func(url string) error
	// startChild starts the detached clipboard-clear helper; nil means
	// startDetached. Tests record or run the command instead.
	startChild func(*exec.Cmd) error
	// execve replaces the process with a command (`exec`); nil means execCommand.
	execve func(path string, argv, env []string) error
}

func newApp() *app {
	return &app{
		stdin:  os.Stdin,
		stdout: os.Stdout,
		stderr: os.Stderr,
		getenv: os.Getenv,
		openTTY: func() (*os.File, error) {
			return os.OpenFile("/dev/tty", os.O_RDWR, 0)
		},
		isTerminal: func() bool {
			return term.IsTerminal(int(os.Stdin.Fd())) && term.IsTerminal(int(os.Stdout.Fd()))
		},
		stdoutTerminal: func() bool { return term.IsTerminal(int(os.Stdout.Fd())) },
		browse:         tui.OpenURL,
		vaultOptions:   vault.Options{Sittings: childSittings},
	}
}

// errSilent marks an error already explained to the operator.
var errSilent = errors.New("")

// exitError carries a specific exit code (e.g. verify's failed checks).
type exitError struct{ code int }

// exitInterrupted is the exit status after an interrupt (SIGINT, ctrl+c),
// as a shell gives a command a signal stopped: 128 + 2.
const exitInterrupted = 130

func isExit(err error, code int) bool {
	var ee exitError
	return errors.As(err, &ee) && ee.code == code
}

// interrupted: the command ended because of an interrupt (the signal's
// context), or the wizard says it was stopped so.
func interrupted(ctx context.Context, err error) bool {
	return errors.Is(err, tui.ErrInterrupted) || isExit(err, exitInterrupted) || (ctx.Err() != nil && err != nil)
}

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func run(ctx context.Context, args []string, a *app) int {
	// Every command prints through here, so this is where text from
	// outside (Globus's answers, files, values) is made safe for the
	// terminal, once: a hostile answer cannot set the clipboard or retitle
	// or clear the terminal through our output.
	a.rawStdout = a.stdout
	sout, serr := termsafe.NewWriter(a.stdout), termsafe.NewWriter(a.stderr)
	a.stdout, a.stderr = sout, serr
	defer sout.Flush()
	defer serr.Flush()
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	if interrupted(ctx, err) {
		// A shell expects 130 from a command an interrupt stopped; what it
		// stored before is kept (each command stores as it goes).
		if !errors.Is(err, errSilent) && !errors.Is(err, tui.ErrInterrupted) && !isExit(err, exitInterrupted) {
			fmt.Fprintln(a.stderr, "globus-setup: interrupted; what was stored before is kept.")
		}
		return exitInterrupted
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if err != errSilent && err.Error() != "" {
		fmt.Fprintln(a.stderr, "globus-setup:", err)
		if h := globus.Hint(err); h != "" {
			fmt.Fprintln(a.stderr, "  what to do:", h)
		}
	}
	return 1
}

func newRootCmd(a *app) *cobra.Command {
	var demo, accessible bool
	root := &cobra.Command{
		Use:   "globus-setup",
		Short: "Set up Globus for an inference gateway, step by step",
		Long: `globus-setup walks an operator through the Globus setup an inference gateway
needs: a project, a Service API app with its action_all scope, a Service Account
app, a public client, a high-assurance policy and optional groups. Values are
kept in an encrypted local vault; run with no command for the full-screen wizard.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runWizard(cmd.Context(), demo, accessible || a.getenv("ACCESSIBLE") != "")
		},
	}
	// Each command draws its network time from one budget, so a Globus that
	// never answers cannot hold it for retries × timeouts. The wizard gives
	// each of its operations a budget instead; the emulator makes no calls.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd == root || cmd.Name() == "emulator" {
			return nil
		}
		d, err := globus.NetworkBudgetFromEnv(a.getenv)
		if err != nil {
			return err
		}
		cmd.SetContext(globus.WithBudget(cmd.Context(), globus.NewBudget(d)))
		return nil
	}
	f := root.PersistentFlags()
	f.StringVar(&a.vaultFile, "vault", "", "path of vault.age (default $GLOBUS_SETUP_VAULT, else the user config folder)")
	f.StringVar(&a.passphraseFile, "passphrase-file", "", "read the vault passphrase from this file")
	f.StringVar(&a.identityFile, "identity", "", "unlock with your own age identity file or SSH private key (default $GLOBUS_SETUP_IDENTITY) instead of identity.age")
	f.StringVar(&a.profile, "profile", "", "use the vault of this profile, one per gateway (default $GLOBUS_SETUP_PROFILE; see 'globus-setup profiles')")
	f.BoolVar(&a.force, "force", false, "open a damaged vault anyway, keeping the damaged file aside")
	root.Flags().BoolVar(&demo, "demo", false, "run the wizard against the built-in Globus emulator with a throwaway vault")
	root.Flags().BoolVar(&accessible, "accessible", false, "screen-reader friendly prompts (also ACCESSIBLE=1)")

	root.AddCommand(
		newInitCmd(a), newSetCmd(a), newUnsetCmd(a), newGetCmd(a), newStatusCmd(a),
		newCopyCmd(a), newExportCmd(a), newClipboardClearCmd(a),
		newScopeCmd(a), newLoginCmd(a), newLogoutCmd(a), newGroupCmd(a), newVerifyCmd(a),
		newApplyCmd(a),
		newEmulatorCmd(a),
		newRotateCmd(a), newExecCmd(a),
		newRecipientsCmd(a), newProfilesCmd(a),
		newUnlockCmd(a), newLockCmd(a),
		newImportCmd(a),
	)
	return root
}

func (a *app) paths() (vault.Paths, error) {
	file := a.vaultFile
	if name, ok, err := a.profileName(); err != nil {
		return vault.Paths{}, err
	} else if ok {
		if file, err = vault.ProfileVaultFile(a.getenv, name); err != nil {
			return vault.Paths{}, err
		}
	}
	if file == "" {
		var err error
		if file, err = vault.DefaultVaultFile(a.getenv); err != nil {
			return vault.Paths{}, err
		}
	}
	return vault.PathsFor(file), nil
}

func (a *app) sources() vault.PassphraseSources {
	warned := false
	return vault.PassphraseSources{
		File:   a.passphraseFile,
		Getenv: a.getenv,
		Prompt: a.promptPassphrase,
		Warn: func(msg string) {
			if !warned { // --force may read the file twice
				warned = true
				fmt.Fprintln(a.stderr, "globus-setup:", msg)
			}
		},
	}
}

// unlock opens the existing vault through the passphrase sources, or with
// --force opens a damaged one for repair.
func (a *app) unlock() (*vault.Vault, error) {
	p, err := a.paths()
	if err != nil {
		return nil, err
	}
	if v, ok := a.fromSitting(p); ok {
		return v, nil
	}
	if id, err := a.identity(); err != nil || id != nil {
		if err != nil {
			return nil, err
		}
		return vault.OpenWith(p, id, a.vaultOptions)
	}
	if !vault.Exists(p) {
		return nil, fmt.Errorf("no vault at %s: run `globus-setup init` (or the wizard) to create one", p.Vault)
	}
	a.warnFolder(p)
	if !a.force {
		return vault.Unlock(p, a.sources(), a.vaultOptions)
	}
	// --force asks for the passphrase once and reuses it for the repair, so
	// a passphrase command runs once and the operator types it once.
	pass, err := a.passphrase("Vault passphrase: ")
	if err != nil {
		return nil, err
	}
	defer clear(pass)
	v, err := vault.Open(p, pass, a.vaultOptions)
	var ce *vault.CorruptError
	if errors.As(err, &ce) {
		fmt.Fprintf(a.stderr, "globus-setup: %s is damaged; opening anyway, the damaged file is kept aside\n", ce.File)
		if filepath.Base(ce.File) == vault.IdentityFileName {
			// Nothing can be decrypted without the key: OpenForce starts a
			// new vault with this passphrase, so a typo must not slip in.
			fmt.Fprintln(a.stderr, "globus-setup: without its key nothing can be read; a new, empty vault is created")
			fresh, err := a.newPassphrase()
			if err != nil {
				return nil, err
			}
			defer clear(fresh)
			return vault.OpenForce(p, fresh, a.vaultOptions)
		}
		return vault.OpenForce(p, pass, a.vaultOptions)
	}
	return v, err
}

// warnFolder says, on stderr, when others can write to the vault's folder.
func (a *app) warnFolder(p vault.Paths) {
	if msg := vault.FolderWarning(p); msg != "" {
		fmt.Fprintln(a.stderr, "globus-setup:", msg)
	}
}

// passphrase resolves a passphrase from the non-interactive sources, else the terminal.
func (a *app) passphrase(label string) ([]byte, error) {
	pass, ok, err := vault.ReadPassphrase(a.sources())
	if err != nil || ok {
		return pass, err
	}
	return a.promptPassphrase(label)
}

func (a *app) globusClient() (*globus.Client, error) {
	env, err := globus.EnvironmentFromEnv(a.getenv)
	if err != nil {
		return nil, err
	}
	if err := a.checkEnvironment(env); err != nil {
		return nil, err
	}
	return globus.New(env)
}

func (a *app) stepsEnv() (*steps.Env, error) {
	v, err := a.unlock()
	if err != nil {
		return nil, err
	}
	c, err := a.globusClient()
	if err != nil {
		return nil, err
	}
	return &steps.Env{Vault: v, Globus: c, Out: a.stdout}, nil
}

// promptPassphrase reads a masked line from the controlling terminal.
func (a *app) promptPassphrase(label string) ([]byte, error) {
	tty, err := a.openTTY()
	if err != nil {
		return nil, errNoTerminal
	}
	defer tty.Close()
	fmt.Fprint(tty, label)
	pass, err := term.ReadPassword(int(tty.Fd()))
	fmt.Fprintln(tty)
	if err != nil {
		return nil, fmt.Errorf("reading the passphrase: %w", err)
	}
	return pass, nil
}

var errNoTerminal = errors.New("no terminal to ask for the passphrase: use --passphrase-file, GLOBUS_SETUP_PASSPHRASE_FILE or GLOBUS_SETUP_PASSPHRASE_COMMAND")

// promptLine reads one visible line (e.g. a login code) from the terminal,
// falling back to stdin when stdin is not a terminal but carries input.
func (a *app) promptLine(label string) (string, error) {
	tty, err := a.openTTY()
	if err != nil {
		fmt.Fprint(a.stderr, label)
		line, rerr := bufio.NewReader(a.stdin).ReadString('\n')
		// Piped input is not echoed: end the prompt's line ourselves.
		fmt.Fprintln(a.stderr)
		if rerr != nil && line == "" {
			return "", fmt.Errorf("no terminal to read from and nothing on stdin")
		}
		return strings.TrimSpace(line), nil
	}
	defer tty.Close()
	fmt.Fprint(tty, label)
	line, err := bufio.NewReader(tty).ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

// openBrowser reports whether a browser was started; over SSH, or with no
// display, it does not try, so the caller shows the link instead.
func (a *app) openBrowser(url string) bool {
	return a.browse(url) == nil
}
