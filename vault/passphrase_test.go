package vault

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

func TestReadPassphrase(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		mustWrite(t, path, []byte(content), mode)
		return path
	}
	flagFile := file("flag", "from-flag\n", 0o600)
	envFile := file("env", "from-env-file", 0o600)
	type passphraseCase struct {
		name     string
		file     string
		env      map[string]string
		want     string
		wantOK   bool
		wantErr  error  // errors.Is target, if any
		errHas   string // substring of the error
		errLacks string // must not appear in the error
		warned   bool
	}
	tests := []passphraseCase{
		{name: "nothing set", wantOK: false},
		{name: "flag file first", file: flagFile, env: map[string]string{EnvPassphraseFile: envFile, EnvPassphraseCommand: "echo cmd"}, want: "from-flag", wantOK: true},
		{name: "env file before command", env: map[string]string{EnvPassphraseFile: envFile, EnvPassphraseCommand: "echo cmd"}, want: "from-env-file", wantOK: true},
		{name: "command", env: map[string]string{EnvPassphraseCommand: "echo from-cmd"}, want: "from-cmd", wantOK: true},
		{name: "one newline trimmed only", env: map[string]string{EnvPassphraseCommand: `printf 'pass\n\n'`}, want: "pass\n", wantOK: true},
		{name: "CRLF is one newline", env: map[string]string{EnvPassphraseCommand: `printf 'pass\r\n'`}, want: "pass", wantOK: true},
		{name: "other whitespace kept", env: map[string]string{EnvPassphraseCommand: `printf '  pass  '`}, want: "  pass  ", wantOK: true},
		{name: "file newline trimmed once", file: file("nl2", "p\n\n", 0o600), want: "p\n", wantOK: true},
		{name: "failing command shows status not output", env: map[string]string{EnvPassphraseCommand: "echo leaked-secret; echo err-secret >&2; exit 3"}, wantOK: true, errHas: "exit status 3", errLacks: "secret"},
		{name: "command not found", env: map[string]string{EnvPassphraseCommand: "/nonexistent/cmd-xyz"}, wantOK: true, errHas: "exit status 127"},
		{name: "empty command output", env: map[string]string{EnvPassphraseCommand: "echo"}, wantOK: true, wantErr: ErrEmptyPassphrase},
		{name: "empty file", file: file("empty", "", 0o600), wantOK: true, wantErr: ErrEmptyPassphrase},
		{name: "newline-only file", file: file("nl", "\n", 0o600), wantOK: true, wantErr: ErrEmptyPassphrase},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantOK: true, wantErr: os.ErrNotExist},
		{name: "folder", file: dir, wantOK: true, errHas: "folder"},
		{name: "huge file", file: file("huge", strings.Repeat("x", maxPassphraseSize+10), 0o600), wantOK: true, errHas: "larger than"},
	}
	if runtime.GOOS != "windows" {
		tests = append(tests,
			passphraseCase{name: "world-writable refused", file: file("ww", "pw", 0o666), wantOK: true, errHas: "world-writable", errLacks: "pw\n"},
			passphraseCase{name: "group-readable warned", file: file("gr", "pw", 0o640), want: "pw", wantOK: true, warned: true},
		)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var warned []string
			pass, ok, err := ReadPassphrase(PassphraseSources{
				File:   tt.file,
				Getenv: func(k string) string { return tt.env[k] },
				Warn:   func(m string) { warned = append(warned, m) },
			})
			if ok != tt.wantOK {
				t.Fatalf("ok=%v", ok)
			}
			wantFail := tt.wantErr != nil || tt.errHas != ""
			if wantFail {
				if err == nil {
					t.Fatalf("want an error, got %q", pass)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error %q lacks %q", err, tt.errHas)
				}
				if tt.errLacks != "" && strings.Contains(err.Error(), tt.errLacks) {
					t.Fatalf("error %q shows %q", err, tt.errLacks)
				}
				return
			}
			if err != nil || string(pass) != tt.want {
				t.Fatalf("got %q, %v; want %q", pass, err, tt.want)
			}
			if tt.warned != (len(warned) > 0) {
				t.Fatalf("warnings %v", warned)
			}
		})
	}
}

// withKeyring swaps the OS keychain for an in-memory one for the test.
func withTestKeyring(t *testing.T, kr keyring.Keyring, err error) {
	t.Helper()
	old := openKeyring
	openKeyring = func() (keyring.Keyring, error) { return kr, err }
	t.Cleanup(func() { openKeyring = old })
}

func TestUnlockSources(t *testing.T) {
	passFile := filepath.Join(t.TempDir(), "pass")
	mustWrite(t, passFile, append(append([]byte{}, testPass...), '\n'), 0o600)
	wrongFile := filepath.Join(t.TempDir(), "wrong")
	mustWrite(t, wrongFile, []byte("nope\n"), 0o600)

	type result struct {
		ok       bool
		err      error
		prompted bool
	}
	tests := []struct {
		name       string
		sources    func(prompted *bool) PassphraseSources
		remembered bool // identity in the keychain
		stale      bool // keychain holds another vault's identity
		want       result
	}{
		{"file", func(*bool) PassphraseSources { return PassphraseSources{File: passFile} }, false, false, result{ok: true}},
		{"wrong file is an error, no prompt", func(p *bool) PassphraseSources {
			return PassphraseSources{File: wrongFile, Prompt: promptWith(p, testPass)}
		}, false, false, result{err: ErrWrongPassphrase}},
		{"env file", func(*bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(EnvPassphraseFile, passFile)}
		}, false, false, result{ok: true}},
		{"command", func(*bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(EnvPassphraseCommand, "cat "+passFile)}
		}, false, false, result{ok: true}},
		{"keychain before prompt", func(p *bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(), Prompt: promptWith(p, testPass)}
		}, true, false, result{ok: true}},
		{"file before keychain", func(*bool) PassphraseSources { return PassphraseSources{File: wrongFile} }, true, false, result{err: ErrWrongPassphrase}},
		{"stale keychain entry falls back to prompt", func(p *bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(), Prompt: promptWith(p, testPass)}
		}, true, true, result{ok: true, prompted: true}},
		{"prompt", func(p *bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(), Prompt: promptWith(p, testPass)}
		}, false, false, result{ok: true, prompted: true}},
		{"prompt wrong", func(p *bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(), Prompt: promptWith(p, []byte("nope"))}
		}, false, false, result{err: ErrWrongPassphrase, prompted: true}},
		{"prompt empty", func(p *bool) PassphraseSources {
			return PassphraseSources{Getenv: envOf(), Prompt: promptWith(p, nil)}
		}, false, false, result{err: ErrEmptyPassphrase, prompted: true}},
		{"no terminal", func(*bool) PassphraseSources { return PassphraseSources{Getenv: envOf()} }, false, false, result{err: ErrNoPassphrase}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, p := newTestVault(t)
			if err := v.Set("k", "v"); err != nil {
				t.Fatal(err)
			}
			kr := keyring.NewArrayKeyring(nil)
			withTestKeyring(t, kr, nil)
			if tt.remembered {
				if err := v.RememberInKeychain(); err != nil {
					t.Fatal(err)
				}
				if tt.stale {
					if err := kr.Set(keyring.Item{Key: keychainKey(p), Data: []byte(mustIdentity(t).String())}); err != nil {
						t.Fatal(err)
					}
				}
			}
			var prompted bool
			got, err := Unlock(p, tt.sources(&prompted), testOpts())
			if prompted != tt.want.prompted {
				t.Fatalf("prompted=%v", prompted)
			}
			if tt.want.err != nil {
				if !errors.Is(err, tt.want.err) {
					t.Fatalf("got %v, want %v", err, tt.want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := got.Get("k"); s != "v" {
				t.Fatal("value")
			}
		})
	}
}

func TestNoPassphraseMessage(t *testing.T) {
	for _, w := range []string{"--passphrase-file", EnvPassphraseFile, EnvPassphraseCommand, "terminal"} {
		if !strings.Contains(ErrNoPassphrase.Error(), w) {
			t.Errorf("ErrNoPassphrase does not name %s", w)
		}
	}
}

func envOf(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func promptWith(prompted *bool, pass []byte) func(string) ([]byte, error) {
	return func(label string) ([]byte, error) {
		*prompted = true
		if label != PromptLabel {
			return nil, errors.New("unexpected label " + label)
		}
		return append([]byte(nil), pass...), nil
	}
}

func TestPassphraseZeroedAfterUnlock(t *testing.T) {
	_, p := newTestVault(t)
	var handed []byte
	prompt := func(string) ([]byte, error) {
		handed = append([]byte(nil), testPass...)
		return handed, nil
	}
	if _, err := Unlock(p, PassphraseSources{Getenv: envOf(), Prompt: prompt}, testOpts()); err != nil {
		t.Fatal(err)
	}
	for _, b := range handed {
		if b != 0 {
			t.Fatal("prompted passphrase not zeroed")
		}
	}
	// Open does not touch the caller's slice (callers retry with it).
	mine := append([]byte(nil), testPass...)
	if _, err := Open(p, mine, testOpts()); err != nil {
		t.Fatal(err)
	}
	if string(mine) != string(testPass) {
		t.Fatal("Open modified the caller's passphrase")
	}
}

func TestPassphraseFileWarning(t *testing.T) {
	dir := t.TempDir()
	open, shut := filepath.Join(dir, "open"), filepath.Join(dir, "shut")
	mustWrite(t, open, []byte("pw\n"), 0o640)
	mustWrite(t, shut, []byte("pw\n"), 0o600)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		s    PassphraseSources
		want bool
	}{
		{PassphraseSources{File: open, Getenv: env(nil)}, true},
		{PassphraseSources{Getenv: env(map[string]string{EnvPassphraseFile: open})}, true},
		{PassphraseSources{File: shut, Getenv: env(map[string]string{EnvPassphraseFile: open})}, false}, // the flag wins
		{PassphraseSources{Getenv: env(map[string]string{EnvPassphraseCommand: "cat " + open})}, false},
	} {
		msg := PassphraseFileWarning(tc.s)
		if (msg != "") != tc.want || (tc.want && !strings.Contains(msg, "(mode 0640)")) {
			t.Errorf("%+v: warning %q, want one: %v", tc.s.File, msg, tc.want)
		}
	}
}
