package tui

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

var (
	// inAShell is a command the wizard has no key for, said as one to run
	// in a shell (steps.InAShell).
	inAShell = regexp.MustCompile("`globus-setup [^`]*` in a shell")
	// aCommand is a globus-setup command line in words.
	aCommand = regexp.MustCompile(`globus-setup (login|rotate|export|exec|set|unset|get|apply|verify|status|group|import|team)\b`)
)

// rotationWords is what the Finish screen says of the rotation: the last
// result (report and summary) and the rotation's lines, unwrapped.
func rotationWords(f *finishModel) string {
	return ansi.Strip(resultText(f.result) + "\n" + strings.Join(f.rotateLines(1<<20), "\n"))
}

// assertWizardWords fails when the rotation's screens name a command or a
// flag in back quotes, except a command said to run in a shell.
func assertWizardWords(t *testing.T, state, text string, wants ...string) {
	t.Helper()
	rest := inAShell.ReplaceAllString(text, "")
	if strings.Contains(rest, "`") || aCommand.MatchString(rest) {
		t.Errorf("%s: the wizard says a command line:\n%s", state, text)
	}
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s: %q is not said:\n%s", state, w, text)
		}
	}
}

// A rotation in the wizard is said in the wizard's words at every state:
// its keys (1, y, z; R on Finish with the panel shut), a sign-in Globus
// demands on the delete as y again, and a command only where the wizard has
// no key, as one to run in a shell.
func TestRotationSpeaksTheWizardsWords(t *testing.T) {
	cfg, srv, rec := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	e := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), e, steps.ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.finishIndex())
	f := m.shell.finish
	env := filepath.Join(t.TempDir(), ".env")
	setInput(f.path, env)
	drive(m, keys("w"))
	if !f.result.ok {
		t.Fatalf("writing the .env: %s", resultText(f.result))
	}

	drive(m, keys("R"))
	assertWizardWords(t, "the panel", rotationWords(f), "writes it into the gateway's .env ("+env+")")

	drive(m, keys("1"))
	if !f.result.ok {
		t.Fatalf("rotate: %s", resultText(f.result))
	}
	assertWizardWords(t, "started", rotationWords(f),
		"Then press y: it replays", "Changed your mind? z puts the old secret back", "waiting for the gateway's restart with the new secret — then y (or z)")

	drive(m, esc) // the panel shut: its keys after R
	assertWizardWords(t, "waiting for the restart", rotationWords(f), "then R on Finish, then y (or z)")
	drive(m, keys("R"))

	// The start-up check fails (the vault's domains are not the policy's):
	// y is refused and the old secret kept.
	domains, _ := cfg.Vault.Get("policy.domains")
	if err := cfg.Vault.Set("policy.domains", "elsewhere.org"); err != nil {
		t.Fatal(err)
	}
	drive(m, keys("y"))
	if f.result.ok || len(steps.Rotations(cfg.Vault.Doc())) != 1 {
		t.Fatalf("y with a failing start-up check: %s", resultText(f.result))
	}
	assertWizardWords(t, "finish refused", rotationWords(f), "press y again, or z to go back to the old secret")
	if err := cfg.Vault.Set("policy.domains", domains); err != nil {
		t.Fatal(err)
	}

	drive(m, keys("z"))
	if !f.result.ok || len(steps.Rotations(cfg.Vault.Doc())) != 0 {
		t.Fatalf("z: %s", resultText(f.result))
	}
	assertWizardWords(t, "undone", rotationWords(f), "✓ deleted the new secret at Globus")

	// Globus demands MFA to delete the old secret; the operator signs in
	// without it, so Globus refuses again.
	drive(m, keys("1"))
	srv.DemandSession(globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/*/credentials/*", MFA: true})
	drive(m, keys("y"))
	if m.shell.login.ask == nil {
		t.Fatal("y did not ask for the sign-in Globus demands")
	}
	code, err := srv.ApproveLoginWithoutMFA(rec.lastOpened())
	if err != nil {
		t.Fatal(err)
	}
	drive(m, paste(code))
	drive(m, enter)
	if f.result.ok || !strings.Contains(resultText(f.result), "Globus refused to delete the old secret") {
		t.Fatalf("the sign-in without MFA: %s", resultText(f.result))
	}
	assertWizardWords(t, "a sign-in demanded on delete", rotationWords(f),
		"sign in meeting exactly that when you press y again (the wizard opens that sign-in page)")
}

// A .env written without secrets stays so: Finish and the panel say the
// gateway gets the secrets from the vault through exec, a command to run in
// a shell, not that the secret goes into the file.
func TestRotationIntoSecretFreeEnvSaysExecInAShell(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	e := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), e, steps.ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(t.TempDir(), ".env")
	if _, err := steps.WriteEnvWith(cfg.Vault, env, false, steps.SecretsOmit); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.finishIndex())
	f := m.shell.finish
	// w on Finish writes into it again, still without secrets: exec is
	// said as a command to run in a shell there too.
	setInput(f.path, env)
	drive(m, keys("w"))
	if !f.result.ok {
		t.Fatalf("w: %s", resultText(f.result))
	}
	assertWizardWords(t, "the .env written", rotationWords(f), "`globus-setup exec -- COMMAND` in a shell")

	drive(m, keys("R"))
	panel := rotationWords(f)
	assertWizardWords(t, "the panel", panel, "which stays without secrets", "`globus-setup exec` in a shell")
	if strings.Contains(panel, "writes it into the gateway's .env") {
		t.Errorf("the panel says the secret goes into a secret-free .env:\n%s", panel)
	}
	drive(m, keys("1"))
	if !f.result.ok {
		t.Fatalf("rotate: %s", resultText(f.result))
	}
	assertWizardWords(t, "started", rotationWords(f), "under `globus-setup exec` in a shell")
	drive(m, keys("z"))
	if !f.result.ok {
		t.Fatalf("z: %s", resultText(f.result))
	}
	assertWizardWords(t, "undone", rotationWords(f), "under `globus-setup exec` in a shell")
}

// With no .env known, 1 is refused before anything is made, saying the
// wizard's way (write it on Finish, then 1 again); --no-env, which the
// wizard has no key for, as a command to run in a shell.
func TestRotationWithoutEnvSaysWriteItHere(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	e := &steps.Env{Vault: cfg.Vault, Globus: cfg.Globus}
	if _, _, err := steps.Apply(context.Background(), e, steps.ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}, nil, nil); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 0)
	m.shell.goTo(m.shell.finishIndex())
	f := m.shell.finish
	setInput(f.path, filepath.Join(t.TempDir(), "none", ".env"))
	drive(m, keys("R"))
	assertWizardWords(t, "the panel", rotationWords(f), "once one is written here (w)")
	drive(m, keys("2"))
	if f.result.ok || len(steps.Rotations(cfg.Vault.Doc())) != 0 {
		t.Fatalf("2 without a .env: %s", resultText(f.result))
	}
	assertWizardWords(t, "refused", rotationWords(f),
		"write the gateway's .env on Finish (w; e edits its path first), then press 2 (or `globus-setup rotate service_account --no-env` in a shell to update its settings yourself); nothing was made yet")
}
