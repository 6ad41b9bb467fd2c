package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckKey(t *testing.T) {
	for _, k := range []string{
		"project.id", "service_api.client_secret", "groups.users.id", "groups.a-b_c.members",
		"tokens.operator", "apply.intent.service_account.client_secret", "rotate.service_api.old_secret",
		"project", "k", "k2", "proc1.key0", strings.Repeat("a", MaxKeyLength),
	} {
		if err := CheckKey(k); err != nil {
			t.Errorf("%q refused: %v", k, err)
		}
	}
	for _, k := range []string{
		"", ".", "a.", ".a", "a..b", "_a", "a._b", "-a", "A", "project.ID", "a b", "a/b", "a:b",
		"groups.x\x1b]0;PWNED\x07.id", "groups.x\u200f.id", "é", "a\x00", strings.Repeat("a", MaxKeyLength+1),
	} {
		err := CheckKey(k)
		if err == nil {
			t.Errorf("%q accepted", k)
			continue
		}
		if strings.ContainsAny(err.Error(), "\x1b\x07\x00\u200f") {
			t.Errorf("%q: the error carries the raw key: %q", k, err)
		}
	}
}

// hostileKey would retitle the terminal and set its clipboard, were it shown.
const hostileKey = "groups.x\x1b]0;PWNED\x07\x1b]52;c;SGVsbG8=\x07.id"

// plantDoc writes vault.age holding doc as a teammate with commit access
// could: encrypted to the vault's recipient, no check of ours in between.
func plantDoc(t *testing.T, v *Vault, edit func(d *Doc)) {
	t.Helper()
	d := v.Doc()
	edit(&d)
	data, err := encryptDoc(d, v.id.Recipient())
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, v.paths.Vault, data, 0o600)
}

// A document whose keys are not of the key syntax is refused when it is
// read (every way of opening it, --force too), with an error that shows the
// key escaped, and no file changes.
func TestOpenRefusesBadKeys(t *testing.T) {
	for _, tc := range []struct {
		name, where, shown string
		edit               func(d *Doc)
	}{
		{"escape sequences in a value's key", "values", `"groups.x\x1b]0;PWNED\a\x1b]52;c;SGVsbG8=\a.id"`,
			func(d *Doc) { d.Values[hostileKey] = "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b" }},
		{"a text-direction mark in a step ID", "steps", `"project\u200f"`,
			func(d *Doc) { d.Steps["project\u200f"] = StepRecord{State: "done"} }},
		{"a newline in an internal key", "internal", `"tokens\nFAKE LINE"`,
			func(d *Doc) { d.Internal["tokens\nFAKE LINE"] = "x" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, p := newTestVault(t)
			if err := v.Set("project.name", "Gateway"); err != nil {
				t.Fatal(err)
			}
			plantDoc(t, v, tc.edit)
			before := snapshot(t, p.Dir)
			opens := map[string]func() error{
				"Open":             func() error { _, err := Open(p, testPass, testOpts()); return err },
				"OpenForce":        func() error { _, err := OpenForce(p, testPass, testOpts()); return err },
				"OpenWithIdentity": func() error { _, err := OpenWithIdentity(p, v.id.String(), testOpts()); return err },
				"Reload":           v.Reload,
				"Set":              func() error { return v.Set("project.id", "x") },
			}
			for how, open := range opens {
				err := open()
				var bk *BadKeyError
				if !errors.As(err, &bk) || bk.Where != tc.where || bk.File != p.Vault {
					t.Fatalf("%s: want a BadKeyError in %s naming %s, got %T %v", how, tc.where, p.Vault, err, err)
				}
				msg := err.Error()
				if !strings.Contains(msg, tc.shown) || !strings.Contains(msg, "nothing was changed") {
					t.Errorf("%s: the error does not show the key as %s, or say nothing changed:\n%s", how, tc.shown, msg)
				}
				if strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x200f }) {
					t.Errorf("%s: the error carries a raw control character: %q", how, msg)
				}
				assertUnchanged(t, before, snapshot(t, p.Dir))
			}
		})
	}
}

// Nothing this package saves breaks the syntax: such a document would be
// refused at the next read.
func TestSaveRefusesBadKeys(t *testing.T) {
	v, p := newTestVault(t)
	if err := v.Set("project.name", "Gateway"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, p.Dir)
	for how, save := range map[string]func() error{
		"Set":         func() error { return v.Set(hostileKey, "x") },
		"SetMany":     func() error { return v.SetMany(map[string]string{"project.id": "x", "Project.Name": "y"}) },
		"SetStep":     func() error { return v.SetStep("step one", StepRecord{State: "done"}) },
		"SetInternal": func() error { return v.SetInternal("a..b", "x") },
		"Update values": func() error {
			return v.Update(func(d *Doc) error { d.Values["groups.x\u200e.id"] = "x"; return nil })
		},
		"Update steps": func() error {
			return v.Update(func(d *Doc) error { d.Steps["policy\x1b[2J"] = StepRecord{State: "done"}; return nil })
		},
	} {
		err := save()
		if err == nil {
			t.Errorf("%s: a bad key was saved", how)
			continue
		}
		if strings.ContainsFunc(err.Error(), func(r rune) bool { return r < 0x20 || r == 0x200e }) {
			t.Errorf("%s: the error carries a raw control character: %q", how, err)
		}
	}
	assertUnchanged(t, before, snapshot(t, p.Dir))
	if _, err := Open(p, testPass, testOpts()); err != nil {
		t.Fatalf("the vault no longer opens: %v", err)
	}
}
