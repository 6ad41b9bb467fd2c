package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

// policyWorld stores steps 1 and 3 as made on the emulator's console, with
// a policy the operator created there; it returns the model on step 5.
func policyWorld(t *testing.T, domains []string) (*Model, Config, *globustest.Server, string) {
	t.Helper()
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	project := srv.AddProject("Inference Gateway", "ops@example.org")
	acct, secret := srv.RegisterClient(project, "Endpoints", globustest.ClientIdentity)
	for id, vals := range map[string]map[string]string{
		"project":         {"project.id": project, "project.name": "Inference Gateway"},
		"service_account": {"service_account.client_id": acct, "service_account.client_secret": secret},
	} {
		if err := steps.Accept(cfg.Vault, id, vals); err != nil {
			t.Fatal(err)
		}
	}
	policy := srv.AddPolicy(project, "Console-made", domains, 5400)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(4)
	return m, cfg, srv, policy
}

// Pasting the policy ID on step 5 reads its domains and timeout from Globus
// (as the gateway does, with the Service Account), saves, checks, and moves
// on to step 6 saying what was read.
func TestPastedPolicyReadsItsDomainsAndMovesOn(t *testing.T) {
	m, cfg, _, policy := policyWorld(t, []string{"ANL.gov", "uchicago.edu"})
	drive(m, paste(policy))
	doc := cfg.Vault.Doc()
	if doc.Values["policy.id"] != policy || doc.Values["policy.domains"] != "ANL.gov uchicago.edu" || doc.Values["policy.assurance_timeout"] != "5400" {
		t.Fatalf("stored %q %q %q; flash %q", doc.Values["policy.id"], doc.Values["policy.domains"], doc.Values["policy.assurance_timeout"], m.shell.flash)
	}
	if m.shell.sel != 5 {
		t.Fatalf("on screen %d after step 5 passed, want step 6", m.shell.sel)
	}
	v := strings.Join(strings.Fields(mainPane(m.View())), " ")
	for _, want := range []string{"✓ Step 5 saved and checked", "Read from the policy on Globus: domains ANL.gov uchicago.edu."} {
		if !strings.Contains(v, want) {
			t.Errorf("step 6 does not say %q:\n%s", want, m.View())
		}
	}
	// Shift+tab (after esc: step 6 opened its form) goes back to step 5,
	// its fields saying where they came from.
	drive(m, esc)
	drive(m, tea.KeyMsg{Type: tea.KeyShiftTab})
	if m.shell.sel != 4 {
		t.Fatalf("shift+tab went to screen %d, not step 5", m.shell.sel)
	}
	if v := strings.Join(strings.Fields(m.shell.stepPage("policy").fields[1].in.View()), " "); !strings.Contains(v, "(suggested: read from the policy on Globus)") {
		t.Errorf("the domains do not say where they came from:\n%s", v)
	}
}

// A policy the Service Account cannot read (another project's) is not
// guessed at: the ID waits in its field, the domains are asked for, the
// reason is shown, and nothing is stored.
func TestUnreadablePolicyAsksForTheDomains(t *testing.T) {
	m, cfg, srv, _ := policyWorld(t, []string{"example.org"})
	other := srv.AddProject("Someone else's", "x@example.org", "x@example.org")
	elsewhere := srv.AddPolicy(other, "Elsewhere", []string{"example.org"}, 3600)
	drive(m, paste(elsewhere))
	p := m.shell.stepPage("policy")
	if m.shell.sel != 4 || inputValue(p.fields[0].in) != elsewhere || inputValue(p.fields[1].in) != "" {
		t.Fatalf("screen %d, fields %q %q", m.shell.sel, inputValue(p.fields[0].in), inputValue(p.fields[1].in))
	}
	if !strings.Contains(m.shell.flash, "could not be read from Globus") || !strings.Contains(m.shell.flash, "Next: Identity provider domains") {
		t.Errorf("the flash does not say why or what is next: %q", m.shell.flash)
	}
	if _, ok := cfg.Vault.Doc().Values["policy.id"]; ok {
		t.Error("policy.id stored with the domains missing")
	}
}

// A check run with x (not after a save) stays on its step, as does a
// failed check after a save (TestBadSecretSaysWhatToFixAndKeepsValues).
func TestRecheckStaysOnTheStep(t *testing.T) {
	m, _, _, policy := policyWorld(t, []string{"example.org"})
	drive(m, paste(policy))
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); !strings.Contains(v, "(esc, then L — optional)") {
		t.Errorf("step 6 opened its form, but the note does not say esc first:\n%s", m.View())
	}
	drive(m, esc)
	// The form closed, the note's keys need no esc (tester item 8).
	if v := strings.Join(strings.Fields(mainPane(m.View())), " "); strings.Contains(v, "esc, then L") || !strings.Contains(v, "(L — optional)") {
		t.Errorf("the form closed, the note still says esc first:\n%s", m.View())
	}
	drive(m, tea.KeyMsg{Type: tea.KeyShiftTab})
	drive(m, keys("x"))
	p := m.shell.stepPage("policy")
	if m.shell.sel != 4 || !p.result.ok || !strings.Contains(resultText(p.result), "Press tab for the next step") {
		t.Fatalf("x moved on or failed (screen %d): %s", m.shell.sel, resultText(p.result))
	}
}

// Arriving on step 6 by itself, the wizard opens its form at the members;
// a group ID pasted there goes to the group ID field instead.
func TestGroupsFormOpensOnArrivalAndPasteFindsItsField(t *testing.T) {
	m, _, _, policy := policyWorld(t, []string{"example.org"})
	drive(m, paste(policy))
	p := m.shell.stepPage("groups")
	if m.shell.sel != 5 || !p.editing || !strings.HasSuffix(p.fields[p.focus].f.Key, ".members") {
		t.Fatalf("step 6's form is not open at the members (screen %d, editing %t, focus %d)", m.shell.sel, p.editing, p.focus)
	}
	id := "c0ffee00-5b0e-4b8f-8a57-2b0f3d6c1e01"
	drive(m, paste(id))
	if inputValue(p.fields[0].in) != id || inputValue(p.fields[1].in) != "" {
		t.Fatalf("the pasted group ID went to %q / %q", inputValue(p.fields[0].in), inputValue(p.fields[1].in))
	}
	if !strings.Contains(m.shell.flash, "Pasted into Group ID") || !strings.Contains(m.shell.flash, "add a member's identity UUID after it") {
		t.Errorf("the flash does not say where the paste went: %q", m.shell.flash)
	}
	// The form stays open, where enter moves to the next field: the note
	// names the key that saves.
	if !strings.Contains(m.shell.flash, "ctrl+s saves") {
		t.Errorf("the paste note does not say ctrl+s saves: %q", m.shell.flash)
	}
	// Reached with tab, the step opens as any other: not typing.
	drive(m, esc)
	m.shell.goTo(4)
	drive(m, tab)
	if m.shell.sel != 5 || p.editing {
		t.Fatalf("tab to step 6 opened its form (screen %d)", m.shell.sel)
	}
}

// The note stays pinned until the operator saves on the page it is on; a
// failed check there stays on that step, with its own result and no note.
func TestNoteGoesWhenTheNextStepIsSaved(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(0)
	drive(m, paste("3f2a6c1e-5b0e-4b8f-8a57-2b0f3d6c1e99"))
	if m.shell.sel != 1 || !strings.Contains(m.View(), "✓ Step 1 saved") {
		t.Fatalf("step 1 did not move on with its note (screen %d)", m.shell.sel)
	}
	drive(m, paste("c0ffee00-5b0e-4b8f-8a57-2b0f3d6c1e01")) // no such client
	drive(m, paste("kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="))
	p := m.shell.stepPage("service_api")
	if m.shell.sel != 1 || p.result.ok || p.result.empty() {
		t.Fatalf("a failed check moved on or showed nothing (screen %d): %s", m.shell.sel, resultText(p.result))
	}
	if strings.Contains(m.View(), "✓ Step 1 saved") {
		t.Errorf("step 1's note is still pinned over step 2's failed check:\n%s", m.View())
	}
}
