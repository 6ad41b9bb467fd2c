package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Environment variables naming non-interactive passphrase sources.
const (
	EnvPassphraseFile    = "GLOBUS_SETUP_PASSPHRASE_FILE"
	EnvPassphraseCommand = "GLOBUS_SETUP_PASSPHRASE_COMMAND"
	// EnvPassphraseTimeout bounds how long the command may run ("90s", "2m" or seconds).
	EnvPassphraseTimeout = "GLOBUS_SETUP_PASSPHRASE_TIMEOUT"
)

// DefaultPassphraseTimeout is long enough for a person to answer a
// pinentry the command may open (pass, gpg), short enough that a command
// that never exits does not hang the tool.
const DefaultPassphraseTimeout = 2 * time.Minute

// maxPassphraseSize bounds what we read from a file or command.
const maxPassphraseSize = 64 << 10

// PromptLabel is what Unlock asks the Prompt func for.
const PromptLabel = "Vault passphrase: "

// PassphraseSources are where a passphrase may come from, in order: File,
// GLOBUS_SETUP_PASSPHRASE_FILE, GLOBUS_SETUP_PASSPHRASE_COMMAND, the OS
// keychain (identity remembered earlier), Prompt.
type PassphraseSources struct {
	File   string                             // --passphrase-file
	Getenv func(string) string                // nil means os.Getenv
	Prompt func(label string) ([]byte, error) // masked terminal prompt, nil when no TTY
	// Warn, if set, is told about a passphrase file that others can read.
	Warn func(msg string)
}

// fileSource is the passphrase file ReadPassphrase would read and the name of
// its setting; "" when the passphrase comes from elsewhere.
func (s PassphraseSources) fileSource() (path, source string) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	switch {
	case s.File != "":
		return s.File, "--passphrase-file"
	case getenv(EnvPassphraseFile) != "":
		return getenv(EnvPassphraseFile), EnvPassphraseFile
	}
	return "", ""
}

// PassphraseFileWarning is the warning ReadPassphrase gives Warn about the
// configured passphrase file ("" if none is due), for callers that must show
// it before reading, e.g. ahead of a full-screen UI.
func PassphraseFileWarning(s PassphraseSources) string {
	path, _ := s.fileSource()
	if path == "" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return readableWarning(path, fi)
}

// readableWarning: a passphrase file others can read is reported, as ssh does
// for private keys (it refuses; we only warn, see readPassphraseFile).
func readableWarning(path string, fi os.FileInfo) string {
	if runtime.GOOS == "windows" || !fi.Mode().IsRegular() {
		return "" // a pipe (/dev/fd/N, <(cmd)) is read once and gone
	}
	if perm := fi.Mode().Perm(); perm&0o044 != 0 {
		return fmt.Sprintf("WARNING: passphrase file %s can be read by other users (mode %04o); anyone who reads it can open the vault: run chmod 600 %s", path, perm, path)
	}
	return ""
}

// ReadPassphrase resolves only the non-interactive sources (file, env file,
// command); ok is false if none is set. The caller zeroes pass.
func ReadPassphrase(s PassphraseSources) (pass []byte, ok bool, err error) {
	getenv := s.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	limit := func() (time.Duration, error) { return passphraseTimeout(getenv(EnvPassphraseTimeout)) }
	switch file, source := s.fileSource(); {
	case file != "":
		pass, err = readPassphraseFile(file, source, limit, s.Warn)
	case getenv(EnvPassphraseCommand) != "":
		var d time.Duration
		if d, err = limit(); err == nil {
			pass, err = runPassphraseCommand(getenv(EnvPassphraseCommand), d)
		}
	default:
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	return pass, true, nil
}

// readPassphraseFile reads a passphrase file. Permissions: a world-writable
// file is refused, since anyone could replace the passphrase (and so choose
// the key of a vault being created). A group/world-readable one is only
// warned about: the operator may have reasons (a shared CI secret mount, a
// /dev/fd pipe) and refusing would push them to less safe places like argv.
//
// Kinds: a regular file is read; so is a pipe, as `--passphrase-file
// <(pass show vault)` gives one (/dev/fd/N), but one with nothing writing
// to it is refused at once rather than waited on forever, and one whose
// writer says nothing is given up after limit (GLOBUS_SETUP_PASSPHRASE_TIMEOUT,
// as for the command). Anything else (a device, a folder, a socket) is
// refused without being opened. The open never blocks (O_NONBLOCK), and
// what was opened is checked again through the descriptor.
func readPassphraseFile(path, source string, limit func() (time.Duration, error), warn func(string)) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("passphrase file (%s): %w", source, err)
	}
	if err := passphraseFileKind(path, source, fi); err != nil {
		return nil, err
	}
	if runtime.GOOS != "windows" {
		perm := fi.Mode().Perm()
		if perm&0o002 != 0 {
			return nil, fmt.Errorf("passphrase file (%s) %s is world-writable: anyone could change it; run chmod 600 on it", source, path)
		}
		if msg := readableWarning(path, fi); msg != "" && warn != nil {
			warn(msg)
		}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("passphrase file (%s): %w", source, err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("passphrase file (%s): %w", source, err)
	}
	if err := passphraseFileKind(path, source, fi); err != nil {
		return nil, err // swapped since the first look
	}
	isPipe := !fi.Mode().IsRegular()
	var wait time.Duration
	if isPipe {
		if wait, err = limit(); err != nil {
			return nil, err
		}
		if err := f.SetReadDeadline(time.Now().Add(wait)); err != nil {
			return nil, fmt.Errorf("passphrase file (%s) %s: %w", source, path, err)
		}
	}
	buf, err := io.ReadAll(io.LimitReader(f, maxPassphraseSize+1))
	if err != nil {
		clear(buf)
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return nil, fmt.Errorf("passphrase file (%s) %s is a pipe that gave no passphrase within %s: whatever writes to it did not finish; allow it longer with %s", source, path, wait, EnvPassphraseTimeout)
		}
		return nil, fmt.Errorf("passphrase file (%s): %w", source, err)
	}
	if isPipe && len(buf) == 0 {
		return nil, fmt.Errorf("passphrase file (%s) %s is a named pipe and nothing is writing to it (or what wrote to it gave nothing): nothing was read; give a regular file holding the passphrase, or use %s", source, path, EnvPassphraseCommand)
	}
	return finishPassphrase(buf, "passphrase file "+path)
}

// passphraseFileKind refuses what a passphrase is never read from.
func passphraseFileKind(path, source string, fi os.FileInfo) error {
	m := fi.Mode()
	if m.IsRegular() || m&fs.ModeNamedPipe != 0 {
		return nil
	}
	return fmt.Errorf("passphrase file (%s) %s is %s, not a regular file: it was not read; give the file that holds the passphrase", source, path, fileKind(m))
}

// passphraseTimeout reads GLOBUS_SETUP_PASSPHRASE_TIMEOUT: a Go duration
// or whole seconds; empty means the default.
func passphraseTimeout(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return DefaultPassphraseTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.Atoi(v)
		d, err = time.Duration(secs)*time.Second, serr
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration: use e.g. 90s or 2m", EnvPassphraseTimeout, v)
	}
	return d, nil
}

// runPassphraseCommand runs the command with sh -c; its stdout is the
// passphrase. Its output (stdout and stderr) never appears in errors: only
// the exit status does. After limit its whole process group is killed.
func runPassphraseCommand(command string, limit time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	ownProcessGroup(cmd)
	// A child left running in the background may hold stdout open after
	// the shell exits: stop waiting for it soon after.
	cmd.WaitDelay = time.Second
	stdout := &limitedWriter{w: &out, n: maxPassphraseSize}
	cmd.Stdout = stdout
	cmd.Stderr = nil // discarded: it is not ours to show, and may hold hints of the secret
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) {
		// The shell exited 0; a child it left behind kept the pipe open.
		killGroup(cmd)
		err = nil
	}
	buf := out.Bytes()
	if stdout.over {
		// Checked first: cut off, the command dies of SIGPIPE (exit 141),
		// which would blame the command for our limit.
		clear(buf)
		return nil, fmt.Errorf("%s printed more than %d KiB, more than any passphrase: it was stopped and nothing was used; make it print the passphrase alone", EnvPassphraseCommand, maxPassphraseSize>>10)
	}
	if err != nil {
		clear(buf)
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s did not finish within %s and was stopped: make sure it prints the passphrase and exits without waiting for input (its stdin is empty), or allow it longer with %s", EnvPassphraseCommand, limit, EnvPassphraseTimeout)
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("%s failed (%s); its output is not shown, run it yourself to see why", EnvPassphraseCommand, ee.ProcessState.String())
		}
		return nil, fmt.Errorf("%s could not be run: %w", EnvPassphraseCommand, err)
	}
	pass := bytes.Clone(buf)
	clear(buf)
	return finishPassphrase(pass, EnvPassphraseCommand)
}

// finishPassphrase checks the size, trims ONE trailing newline ("\n" or
// "\r\n": what echo or an editor adds; other whitespace is part of the
// passphrase) and refuses an empty result.
func finishPassphrase(buf []byte, source string) ([]byte, error) {
	if len(buf) > maxPassphraseSize {
		clear(buf)
		return nil, fmt.Errorf("%s is larger than %d KiB: not a passphrase", source, maxPassphraseSize>>10)
	}
	pass := trimOneNewline(buf)
	if len(pass) == 0 {
		clear(buf)
		return nil, fmt.Errorf("%w: %s gave an empty passphrase", ErrEmptyPassphrase, source)
	}
	return pass, nil
}

func trimOneNewline(b []byte) []byte {
	switch {
	case bytes.HasSuffix(b, []byte("\r\n")):
		clear(b[len(b)-2:])
		return b[:len(b)-2]
	case bytes.HasSuffix(b, []byte("\n")):
		clear(b[len(b)-1:])
		return b[:len(b)-1]
	}
	return b
}

// limitedWriter keeps at most n bytes and then fails (over), so a runaway
// command cannot fill memory.
type limitedWriter struct {
	w    io.Writer
	n    int
	over bool
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > l.n {
		_, _ = l.w.Write(p[:l.n])
		l.n = 0
		l.over = true
		return 0, errors.New("output too large")
	}
	l.n -= len(p)
	return l.w.Write(p)
}

// Unlock opens an existing vault: a passphrase from the file/env/command
// sources, else the identity remembered in the OS keychain, else the Prompt.
// A wrong passphrase from a non-interactive source is an error, not a
// reason to prompt. Passphrases obtained here are zeroed after use.
func Unlock(p Paths, s PassphraseSources, o Options) (*Vault, error) {
	if !Exists(p) {
		return nil, fmt.Errorf("%w at %s", ErrNotFound, p.Vault)
	}
	pass, ok, err := ReadPassphrase(s)
	if err != nil {
		return nil, err
	}
	if ok {
		defer clear(pass)
		return Open(p, pass, o)
	}
	id, ok, kerr := IdentityFromKeychain(p)
	if ok {
		v, err := OpenWithIdentity(p, id, o)
		if err == nil || !errors.Is(err, ErrWrongIdentity) {
			return v, err
		}
		// A stale entry (the vault was re-created): ask for the passphrase.
	}
	if s.Prompt == nil {
		if kerr != nil {
			return nil, fmt.Errorf("%w (%v)", ErrNoPassphrase, kerr)
		}
		return nil, ErrNoPassphrase
	}
	pass, err = s.Prompt(PromptLabel)
	defer clear(pass)
	if err != nil {
		return nil, fmt.Errorf("reading the passphrase: %w", err)
	}
	if len(pass) == 0 {
		return nil, ErrEmptyPassphrase
	}
	return Open(p, pass, o)
}
