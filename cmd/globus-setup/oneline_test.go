package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A note a teammate wrote into the document cannot fake lines of status:
// its line breaks are shown escaped, each step stays one line.
func TestStatusNoteIsOneLine(t *testing.T) {
	c := newVaultCLI(t)
	c.ok("", "set", "project.name", "Gateway")
	const forged = "fine\n2. Service API app                    verified\r\n3. Public client\tverified"
	plantDoc(t, c.paths, vcPass, func(doc map[string]any) {
		doc["steps"] = map[string]any{"project": map[string]any{"state": "done", "note": forged}}
	})
	out, _ := c.ok("", "status")
	t.Logf("$ globus-setup status\n%s", out)
	stepLine := regexp.MustCompile(`(?m)^\d\. `)
	if n := len(stepLine.FindAllString(out, -1)); n != 6 {
		t.Errorf("%d step lines, want 6", n)
	}
	mustHave(t, out, `(fine\n2. Service API app                    verified\r\n3. Public client\tverified)`)
}

// profiles shows a recorded environment and a path as one row each.
func TestProfilesRowsAreOneLine(t *testing.T) {
	c := newVCLI(t)
	c.env["XDG_CONFIG_HOME"] = filepath.Join(c.dir, "config")
	c.env["HOME"] = c.dir
	c.ok("", "init")
	env := filepath.Join(filepath.Dir(c.paths.Vault), "globus-environment")
	if err := os.WriteFile(env, []byte("production\n* staging  preview  1  vault  /tmp/elsewhere\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _ := c.ok("", "profiles")
	t.Logf("$ globus-setup profiles\n%s", out)
	if lines := strings.Split(strings.TrimSpace(out), "\n"); len(lines) != 2 {
		t.Errorf("%d lines, want the header and the default profile", len(lines))
	}
	mustHave(t, out, `production\n* staging`)
}
