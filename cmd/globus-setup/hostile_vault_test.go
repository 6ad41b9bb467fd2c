package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/globus-setup/globus-setup/vault"
)

// hostileKeyName retitles the terminal (OSC 0) and sets its clipboard
// (OSC 52), were it shown as it is.
const hostileKeyName = "groups.x\x1b]0;PWNED\x07\x1b]52;c;SGVsbG8gZnJvbSBtYWxsb3J5\x07.id"

// plantValue adds a value to vault.age the way a teammate with commit
// access could: the stock age library, the vault's own key, no check of
// ours in between.
func plantValue(t *testing.T, p vault.Paths, passphrase, key, value string) {
	t.Helper()
	plantDoc(t, p, passphrase, func(doc map[string]any) {
		values, _ := doc["values"].(map[string]any)
		if values == nil {
			values = map[string]any{}
		}
		values[key] = value
		doc["values"] = values
	})
}

// plantDoc rewrites vault.age's document with edit, as plantValue does.
func plantDoc(t *testing.T, p vault.Paths, passphrase string, edit func(doc map[string]any)) {
	t.Helper()
	si, err := age.NewScryptIdentity(passphrase)
	if err != nil {
		t.Fatal(err)
	}
	idFile, err := os.ReadFile(p.Identity)
	if err != nil {
		t.Fatal(err)
	}
	r, err := age.Decrypt(bytes.NewReader(idFile), si)
	if err != nil {
		t.Fatal(err)
	}
	idText, _ := io.ReadAll(r)
	ids, err := age.ParseIdentities(bytes.NewReader(idText))
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p.Vault)
	if err != nil {
		t.Fatal(err)
	}
	r, err = age.Decrypt(bytes.NewReader(data), ids...)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	edit(doc)
	plain, _ := json.Marshal(doc)
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, ids[0].(*age.X25519Identity).Recipient())
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p.Vault, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

type fileStamp struct {
	data  []byte
	mtime time.Time
}

func dirStamps(t *testing.T, dir string) map[string]fileStamp {
	t.Helper()
	out := map[string]fileStamp{}
	for name, data := range dirBytes(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = fileStamp{data, fi.ModTime()}
	}
	return out
}

func sameStamps(t *testing.T, what string, a, b map[string]fileStamp) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%s: files changed: %d → %d", what, len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v.data, b[k].data) || !v.mtime.Equal(b[k].mtime) {
			t.Errorf("%s: %s changed", what, k)
		}
	}
}

// A document holding a key globus-setup never writes is refused by every
// command, with the key shown escaped; no file changes.
func TestHostileKeyRefused(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.name", "Gateway")
	plantValue(t, c.paths, vcPass, hostileKeyName, "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b")
	before := dirStamps(t, c.paths.Dir)
	for _, args := range [][]string{{"status"}, {"get", "project.name"}, {"set", "project.id", "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"}, {"export"}, {"recipients", "list"}} {
		msg := c.fails("", args...)
		for _, want := range []string{`"groups.x\x1b]0;PWNED\a\x1b]52;c;SGVsbG8gZnJvbSBtYWxsb3J5\a.id"`, "was not opened", "nothing was changed", "git log -p"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%q: %q not in\n%s", args, want, msg)
			}
		}
		if strings.ContainsAny(msg, "\x1b\x07") {
			t.Errorf("%q: the error carries the raw key: %q", args, msg)
		}
		sameStamps(t, strings.Join(args, " "), before, dirStamps(t, c.paths.Dir))
	}
}

// A key name typed on the command line is shown escaped in get and copy's
// errors, like any text from outside.
func TestKeyNameEscapedInErrors(t *testing.T) {
	c := newVaultCLI(t)
	for _, cmd := range []string{"get", "copy", "set"} {
		msg := c.fails("", cmd, hostileKeyName)
		if strings.ContainsAny(msg, "\x1b\x07") || !strings.Contains(msg, `\x1b]0;PWNED`) {
			t.Errorf("%s: %q", cmd, msg)
		}
	}
	for _, cmd := range []string{"get", "copy"} {
		msg := c.fails("", cmd, "groups.users\u200f.id")
		if strings.ContainsRune(msg, '\u200f') || !strings.Contains(msg, `\u200f`) {
			t.Errorf("%s with a text-direction mark: %q", cmd, msg)
		}
	}
}
