//go:build unix

package vault

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func readPassFile(path string, env map[string]string) ([]byte, error) {
	pass, _, err := ReadPassphrase(PassphraseSources{File: path, Getenv: func(k string) string { return env[k] }})
	return pass, err
}

// A named pipe that nothing writes to is refused at once, never waited on.
func TestPassphraseFIFOWithoutWriterRefused(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pass.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	err := returnsOrRelease(t, fifo, func() error { _, err := readPassFile(fifo, nil); return err })
	if err == nil || !strings.Contains(err.Error(), "named pipe and nothing is writing to it") || !strings.Contains(err.Error(), fifo) {
		t.Fatalf("want the pipe refused, naming it: %v", err)
	}
	// Unlock says the same, and nothing of the vault changes.
	_, p := newTestVault(t)
	before := snapshot(t, p.Dir)
	err = returnsOrRelease(t, fifo, func() error {
		_, err := Unlock(p, PassphraseSources{File: fifo}, testOpts())
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "nothing is writing to it") {
		t.Fatalf("Unlock: %v", err)
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
}

// A pipe something writes to, as `--passphrase-file <(pass show vault)`
// gives (/dev/fd/N), is still read; one whose writer never writes is given
// up after GLOBUS_SETUP_PASSPHRASE_TIMEOUT.
func TestPassphrasePipeWithWriter(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	path := fmt.Sprintf("/dev/fd/%d", r.Fd())
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no %s here: %v", path, err)
	}
	go func() {
		time.Sleep(50 * time.Millisecond) // the reader is there first, as with a slow pass(1)
		w.Write([]byte("pipe passphrase\n"))
		w.Close()
	}()
	pass, err := readPassFile(path, nil)
	if err != nil || string(pass) != "pipe passphrase" {
		t.Fatalf("read %q, %v", pass, err)
	}

	r2, w2, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	defer w2.Close() // held open, never written
	path = fmt.Sprintf("/dev/fd/%d", r2.Fd())
	done := make(chan error, 1)
	go func() { _, err := readPassFile(path, map[string]string{EnvPassphraseTimeout: "200ms"}); done <- err }()
	select {
	case err = <-done:
	case <-time.After(time.Minute): // a hang guard, not a timing assertion
		t.Fatal("still reading a pipe whose writer never writes")
	}
	if err == nil || !strings.Contains(err.Error(), "gave no passphrase within 200ms") || !strings.Contains(err.Error(), EnvPassphraseTimeout) {
		t.Fatalf("want the deadline named: %v", err)
	}
}

// Anything else that is not a regular file is refused without reading it.
func TestPassphraseFileNotRegularRefused(t *testing.T) {
	for path, kind := range map[string]string{"/dev/null": "a character device", t.TempDir(): "a folder"} {
		_, err := readPassFile(path, nil)
		if err == nil || !strings.Contains(err.Error(), "is "+kind+", not a regular file") {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// A command that prints more than a passphrase can be is told so, not
// blamed for the SIGPIPE our limit gives it.
func TestPassphraseCommandPrintsTooMuch(t *testing.T) {
	for _, command := range []string{
		"yes",                                  // never stops: killed by SIGPIPE (exit 141)
		"head -c 70000 /dev/zero | tr '\\0' x", // stops, but past the limit
		fmt.Sprintf("head -c %d /dev/zero | tr '\\0' x", maxPassphraseSize+1), // one byte over
	} {
		env := map[string]string{EnvPassphraseCommand: command}
		_, _, err := ReadPassphrase(PassphraseSources{Getenv: func(k string) string { return env[k] }})
		if err == nil || !strings.Contains(err.Error(), "printed more than 64 KiB") || strings.Contains(err.Error(), "exit status") {
			t.Errorf("%s: %v", command, err)
		}
	}
	// The limit itself is a passphrase (of an odd size).
	env := map[string]string{EnvPassphraseCommand: fmt.Sprintf("head -c %d /dev/zero | tr '\\0' x", maxPassphraseSize)}
	if pass, _, err := ReadPassphrase(PassphraseSources{Getenv: func(k string) string { return env[k] }}); err != nil || len(pass) != maxPassphraseSize {
		t.Errorf("exactly the limit: %d bytes, %v", len(pass), err)
	}
}
