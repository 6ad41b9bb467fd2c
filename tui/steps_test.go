package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/steps"
)

// open builds a model at 200×60 (nothing wraps) on the given step.
func openOn(t *testing.T, cfg Config, stepIdx int) *Model {
	t.Helper()
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 200, Height: 60})
	m.shell.goTo(stepIdx)
	return m
}

func send(m *Model, msgs ...tea.Msg) {
	for _, msg := range msgs {
		_, cmd := m.Update(msg)
		if r := runCmd(cmd); r != nil {
			m.Update(r)
		}
	}
}

func TestAcceptFieldErrorsShowUnderFields(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Globus = nil       // no network: only the vault's answer matters here
	m := openOn(t, cfg, 5) // groups: both fields optional, but one is needed
	send(m, tea.KeyMsg{Type: tea.KeyEnter}, tea.KeyMsg{Type: tea.KeyCtrlS})
	p := m.shell.stepsPg["groups"]
	if p.fields[1].err == "" && p.fields[0].err == "" {
		t.Fatalf("no field error shown; form error %q", p.formErr)
	}
	if !strings.Contains(m.View(), "✗ ") {
		t.Fatal("the error is not on screen")
	}
}

func TestSkipOptionalStep(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := openOn(t, cfg, 5)
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("s")})
	if st := steps.Status(cfg.Vault.Doc())[5].State; st != steps.StateSkipped {
		t.Fatalf("groups state %q, want skipped", st)
	}
	if m.shell.sel != m.shell.finishIndex() {
		t.Fatalf("after skipping the last step the screen is %d", m.shell.sel)
	}
}

func TestRevisitPrefillsAndMasksSecrets(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	s := steps.Catalogue()[1]
	vals := stepValues(t, s)
	if err := steps.Accept(cfg.Vault, s.ID, vals); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 1)
	v := m.View()
	if !strings.Contains(v, vals["service_api.client_id"]) {
		t.Fatal("stored ID not prefilled")
	}
	secret := vals["service_api.client_secret"]
	if strings.Contains(v, secret) {
		t.Fatal("stored secret shown unmasked")
	}
	// ctrl+r reveals only while editing that field, on request.
	send(m, tea.KeyMsg{Type: tea.KeyEnter}, tea.KeyMsg{Type: tea.KeyTab}, tea.KeyMsg{Type: tea.KeyCtrlR})
	if !strings.Contains(m.View(), secret) {
		t.Fatal("ctrl+r did not reveal the secret being edited")
	}
	send(m, tea.KeyMsg{Type: tea.KeyCtrlR})
	if strings.Contains(m.View(), secret) {
		t.Fatal("ctrl+r did not hide the secret again")
	}
}

func TestDependentStepShowsReverifyNote(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	s := steps.Catalogue()[1]
	vals := stepValues(t, s)
	if err := steps.Accept(cfg.Vault, s.ID, vals); err != nil {
		t.Fatal(err)
	}
	if err := steps.MarkState(cfg.Vault, "groups", steps.StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	vals["service_api.client_id"] = "2d6f7c3a-4b7e-4e3c-9c79-3f4a5b6c7d8e"
	if err := steps.Accept(cfg.Vault, s.ID, vals); err != nil {
		t.Fatal(err)
	}
	note := steps.Status(cfg.Vault.Doc())[5].Note
	if note == "" {
		t.Fatal("the steps package set no note")
	}
	m := openOn(t, cfg, 5)
	if !strings.Contains(m.View(), "⚠ "+note) {
		t.Fatalf("note %q not shown", note)
	}
}

// A client secret pasted into an ID field is refused and cleared from it:
// it must not stay on screen in plain text.
func TestSecretInIDFieldIsCleared(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Globus = nil
	m := openOn(t, cfg, 1) // Service API app: client ID first
	const secret = "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
	send(m, tea.KeyMsg{Type: tea.KeyEnter})
	p := m.shell.stepsPg["service_api"]
	p.focus = 0
	send(m, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(secret)})
	if p.fields[0].f.Key != "service_api.client_id" {
		t.Fatalf("first field is %s", p.fields[0].f.Key)
	}
	v := m.View()
	if strings.Contains(v, secret[:20]) || inputValue(p.fields[0].in) != "" {
		t.Fatalf("the secret stays in the ID field:\n%s", v)
	}
	if !strings.Contains(p.fields[0].err, "cleared") {
		t.Fatalf("the field does not say it was cleared: %q", p.fields[0].err)
	}
}

// Step 6 labels the default group with its display name on Globus (as
// verify names it), not its key, and follows a change of project name.
func TestGroupFieldsNamedAsOnGlobus(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	cfg.Globus = nil
	if err := cfg.Vault.Set("project.name", "Acme Gateway"); err != nil {
		t.Fatal(err)
	}
	m := openOn(t, cfg, 5)
	send(m, tea.KeyMsg{Type: tea.KeyEnter}) // into the form, as the operator would
	v := m.View()
	for _, want := range []string{`Group ID ("Acme Gateway Users")`, `Members ("Acme Gateway Users")`} {
		if !strings.Contains(v, want) {
			t.Errorf("step 6 lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "(users)") {
		t.Errorf("step 6 still names the group by its key:\n%s", v)
	}
	if err := cfg.Vault.Set("project.name", "Beta Gateway"); err != nil {
		t.Fatal(err)
	}
	m.shell.refresh()
	if v := m.View(); !strings.Contains(v, `Members ("Beta Gateway Users")`) {
		t.Errorf("after renaming the project:\n%s", v)
	}
}
