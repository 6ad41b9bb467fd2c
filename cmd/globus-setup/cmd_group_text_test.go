package main

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// A group's name or description with escapes or control characters is
// refused before anything is sent to Globus, with what to do instead, and
// the vault is left as it was.
func TestGroupCreateRefusesControlCharacters(t *testing.T) {
	cases := []struct {
		name, errHas, fix string
		args              []string
		projectName       string // stored project.name, when the test overrides it
	}{
		{name: "OSC 52 in the display name", args: []string{"--display-name", "Users\x1b]52;c;cm0gLXJmIH4K\x07"},
			errHas: "--display-name", fix: "--display-name"},
		{name: "clear screen in the description", args: []string{"--description", "gateway users\x1b[2J\x1b[H"},
			errHas: "--description", fix: "--description"},
		{name: "C1 CSI in the description", args: []string{"--description", "users \u009b31m red"},
			errHas: "control character", fix: "--description"},
		{name: "bidi override in the display name", args: []string{"--display-name", "Users \u202egpj.exe"},
			errHas: "text-direction", fix: "--display-name"},
		{name: "newline in the display name", args: []string{"--display-name", "Users\nFake: line"},
			errHas: "one line", fix: "--display-name"},
		{name: "over-long description", args: []string{"--description", strings.Repeat("d", 1001)},
			errHas: "too long", fix: "--description"},
		{name: "default name from a hostile project.name", projectName: "Gateway\x1b]0;pwned\x07",
			errHas: "made from project.name", fix: "project.name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newOpsWorld(t)
			w.login()
			if c.projectName != "" {
				// As a value Globus handed back might be stored: raw, past validation.
				if err := w.vault().Update(func(d *vault.Doc) error { d.Values["project.name"] = c.projectName; return nil }); err != nil {
					t.Fatal(err)
				}
			}
			before, err := os.ReadFile(w.paths.Vault)
			if err != nil {
				t.Fatal(err)
			}
			args := append([]string{"group", "create", "users", "--member", "alice@example.org"}, c.args...)
			exit, out, errs := w.run(args...)
			if exit == 0 {
				t.Fatalf("exit 0:\n%s%s", out, errs)
			}
			for _, want := range []string{c.errHas, "what to do:", c.fix, "nothing was sent to Globus"} {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs)
				}
			}
			if strings.ContainsAny(errs+out, "\x1b\x07\u009b\u202e") {
				t.Errorf("the refused text was echoed raw: %q", errs)
			}
			if n := w.srv.CountRequests("", "/v2/groups"); n != 0 {
				t.Errorf("%d requests reached Groups", n)
			}
			if n := w.srv.CountRequests(http.MethodGet, "/v2/api/identities"); n != 0 {
				t.Errorf("%d identity look-ups made", n)
			}
			after, err := os.ReadFile(w.paths.Vault)
			if err != nil {
				t.Fatal(err)
			}
			if string(after) != string(before) {
				t.Error("the vault changed")
			}
		})
	}
}
