package steps

import (
	"errors"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

const (
	uuidA = "0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c"
	uuidB = "1c5e6b2f-3a6d-4d2b-8b68-2e3f4a5b6c7d"
	uuidC = "2d6f7c3a-4b7e-4e3c-9c79-3f4a5b6c7d8e"
)

func stateIn(t *testing.T, v *vault.Vault, id string) (State, string) {
	t.Helper()
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	st, rec := stateOf(v.Doc(), id)
	return st, rec.Note
}

func TestResumeIndex(t *testing.T) {
	doc := docWith(map[string]string{})
	if got := ResumeIndex(doc); got != 0 {
		t.Fatalf("empty vault resumes at %d", got)
	}
	set := func(id string, s State) { doc.Steps[id] = vault.StepRecord{State: string(s)} }
	set("project", StateVerified)
	set("service_api", StateDone)
	set("service_account", StateInProgress)
	if got := ResumeIndex(doc); got != 2 {
		t.Fatalf("resume at %d, want 2 (in progress is not finished)", got)
	}
	set("service_account", StateSkipped)
	set("public_client", StateDone)
	set("policy", StateDone)
	if got := ResumeIndex(doc); got != 5 {
		t.Fatalf("resume at %d, want 5: the optional groups step is pending until done or skipped", got)
	}
	set("groups", StateSkipped)
	if got := ResumeIndex(doc); got != len(Catalogue()) {
		t.Fatalf("all finished resumes at %d", got)
	}
	doc.Steps["policy"] = vault.StepRecord{State: "from-the-future"}
	if got := ResumeIndex(doc); got != 4 {
		t.Fatalf("an unknown state must count as pending, got %d", got)
	}
	p := Progress(doc)
	if p.Total != 6 || p.Verified != 1 || p.Done != 2 || p.Skipped != 2 || p.Pending != 1 || p.Finished() != 5 {
		t.Fatalf("Progress = %+v", p)
	}
}

func TestAcceptStoresNormalisedValuesAndMarksDone(t *testing.T) {
	v := newVault(t)
	err := Accept(v, "project", map[string]string{"project.id": " \"" + strings.ToUpper(uuidA) + "\" ", "project.name": "  ALCF Inference "})
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	doc := v.Doc()
	if doc.Values["project.id"] != uuidA || doc.Values["project.name"] != "ALCF Inference" {
		t.Fatalf("stored %v", doc.Values)
	}
	if _, ok := doc.Values["project.contact_email"]; ok {
		t.Fatal("a blank optional field was stored")
	}
	if st, _ := stateIn(t, v, "project"); st != StateDone {
		t.Fatalf("project is %s", st)
	}
	if ResumeIndex(v.Doc()) != 1 {
		t.Fatalf("resume index %d", ResumeIndex(v.Doc()))
	}
	// A blank value keeps what is stored.
	if err := Accept(v, "project", map[string]string{"project.id": "", "project.name": "New name"}); err != nil {
		t.Fatal(err)
	}
	_ = v.Reload()
	if v.Doc().Values["project.id"] != uuidA || v.Doc().Values["project.name"] != "New name" {
		t.Fatalf("after a blank: %v", v.Doc().Values)
	}
}

func TestAcceptInvalidStoresNothing(t *testing.T) {
	v := newVault(t)
	err := Accept(v, "service_api", map[string]string{
		"service_api.client_id":     secretLike, // pasted into the wrong field
		"service_api.client_secret": uuidA,      // and the other way round
	})
	var fe FieldErrors
	if !errors.As(err, &fe) || len(fe) != 2 {
		t.Fatalf("want two field errors, got %v", err)
	}
	if !strings.Contains(fe["service_api.client_id"].Error(), "client secret") ||
		!strings.Contains(fe["service_api.client_secret"].Error(), "client ID") {
		t.Fatalf("messages: %v", fe)
	}
	if strings.Contains(err.Error(), secretLike) {
		t.Fatal("the error repeats the secret")
	}
	// The TUI reads the errors through a method.
	var withMethod interface{ FieldErrors() map[string]error }
	if !errors.As(err, &withMethod) || len(withMethod.FieldErrors()) != 2 {
		t.Fatal("FieldErrors() method not reachable")
	}
	_ = v.Reload()
	if len(v.Doc().Values) != 0 || len(v.Doc().Steps) != 0 {
		t.Fatalf("invalid input stored something: %v %v", v.Doc().Values, v.Doc().Steps)
	}

	// One bad field keeps the good one out too.
	err = Accept(v, "service_api", map[string]string{"service_api.client_id": uuidA, "service_api.client_secret": "x y"})
	if !errors.As(err, &fe) || len(fe) != 1 {
		t.Fatalf("got %v", err)
	}
	_ = v.Reload()
	if len(v.Doc().Values) != 0 {
		t.Fatal("a valid value was stored although another was wrong")
	}

	// Missing required fields, keys of other steps, and automated keys.
	err = Accept(v, "service_api", map[string]string{"service_api.client_id": uuidA, "policy.id": uuidB, "service_api.scope_id": uuidC})
	if !errors.As(err, &fe) || fe["policy.id"] == nil || fe["service_api.scope_id"] == nil {
		t.Fatalf("got %v", err)
	}
	err = Accept(v, "service_api", map[string]string{"service_api.client_id": uuidA})
	if !errors.As(err, &fe) || !errors.Is(fe["service_api.client_secret"], errRequired) {
		t.Fatalf("missing secret: %v", err)
	}
	_ = v.Reload()
	if len(v.Doc().Values) != 0 {
		t.Fatal("stored despite a missing field")
	}
	if err := Accept(v, "nope", nil); err == nil {
		t.Fatal("unknown step accepted")
	}
}

func TestAcceptMarksDependentsForReverification(t *testing.T) {
	v := newVault(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(Accept(v, "project", map[string]string{"project.id": uuidA, "project.name": "GW"}))
	must(Accept(v, "service_api", map[string]string{"service_api.client_id": uuidB, "service_api.client_secret": secretLike}))
	must(SetValues(v, map[string]string{"service_api.scope_id": uuidC,
		"service_api.scope_string": "https://auth.globus.org/scopes/" + uuidB + "/action_all"}))
	must(Accept(v, "policy", map[string]string{"policy.id": uuidC, "policy.domains": "anl.gov", "policy.assurance_timeout": "8h"}))
	must(Accept(v, "groups", map[string]string{"groups.users.members": "alice@anl.gov"}))
	for _, id := range []string{"project", "service_api", "policy", "groups"} {
		must(MarkState(v, id, StateVerified, ""))
	}

	// Same values again: nothing changed, so verification stands.
	must(Accept(v, "project", map[string]string{"project.id": uuidA, "project.name": "GW"}))
	if st, _ := stateIn(t, v, "project"); st != StateVerified {
		t.Fatalf("re-accepting the same values dropped verification: %s", st)
	}
	// A new name is not a reason to re-verify anything.
	must(Accept(v, "project", map[string]string{"project.name": "Gateway"}))
	if st, _ := stateIn(t, v, "policy"); st != StateVerified {
		t.Fatalf("a name change un-verified the policy: %s", st)
	}

	// A new project ID: the project is done, its verified dependents need re-verifying.
	must(Accept(v, "project", map[string]string{"project.id": uuidB}))
	if st, _ := stateIn(t, v, "project"); st != StateDone {
		t.Fatalf("project %s", st)
	}
	for _, id := range []string{"service_api", "policy"} {
		st, note := stateIn(t, v, id)
		if st != StateDone || note != "re-verify: project.id changed" {
			t.Fatalf("%s: %s %q", id, st, note)
		}
	}
	if st, _ := stateIn(t, v, "groups"); st != StateVerified {
		t.Fatalf("groups does not depend on the project, yet is %s", st)
	}

	// A new Service API client: its old scope is gone, groups must be re-verified.
	must(Accept(v, "service_api", map[string]string{"service_api.client_id": uuidA}))
	_ = v.Reload()
	if _, ok := v.Doc().Values["service_api.scope_id"]; ok {
		t.Fatal("the old client's scope ID survived a client ID change")
	}
	if _, ok := v.Doc().Values["service_api.scope_string"]; ok {
		t.Fatal("the old client's scope string survived a client ID change")
	}
	if v.Doc().Values["service_api.client_secret"] != secretLike {
		t.Fatal("the secret was lost")
	}
	if st, note := stateIn(t, v, "groups"); st != StateDone || note != "re-verify: service_api.client_id changed" {
		t.Fatalf("groups: %s %q", st, note)
	}
}

func TestAcceptGroups(t *testing.T) {
	v := newVault(t)
	var fe FieldErrors
	if err := Accept(v, "groups", map[string]string{}); !errors.As(err, &fe) || fe["groups.users.members"] == nil {
		t.Fatalf("empty groups step accepted: %v", err)
	}
	err := Accept(v, "groups", map[string]string{"groups.users.members": "Alice@ANL.gov, bob@uchicago.edu alice@anl.gov",
		"groups.admins.id": strings.ToUpper(uuidA), "groups.Bad.id": uuidB})
	if !errors.As(err, &fe) || len(fe) != 1 || fe["groups.Bad.id"] == nil {
		t.Fatalf("bad group name: %v", err)
	}
	if err := Accept(v, "groups", map[string]string{"groups.users.members": "Alice@ANL.gov, bob@uchicago.edu alice@anl.gov",
		"groups.admins.id": strings.ToUpper(uuidA)}); err != nil {
		t.Fatal(err)
	}
	_ = v.Reload()
	d := v.Doc()
	if d.Values["groups.users.members"] != "alice@anl.gov bob@uchicago.edu" || d.Values["groups.admins.id"] != uuidA {
		t.Fatalf("stored %v", d.Values)
	}
	if st, _ := stateOf(d, "groups"); st != StateDone {
		t.Fatalf("groups %s", st)
	}
}

func TestSetValues(t *testing.T) {
	v := newVault(t)
	if err := SetValue(v, "service_api.client_id", strings.ToUpper(uuidA)); err != nil {
		t.Fatal(err)
	}
	if st, _ := stateIn(t, v, "service_api"); st != StateInProgress {
		t.Fatalf("one of two values made the step %s", st)
	}
	if err := SetValue(v, "service_api.client_secret", secretLike); err != nil {
		t.Fatal(err)
	}
	// Step 2 is done with its action_all scope too (issue 23, item 7).
	if st, _ := stateIn(t, v, "service_api"); st != StateInProgress {
		t.Fatalf("ID and secret stored, no scope: step is %s", st)
	}
	if err := SetValues(v, map[string]string{"service_api.scope_id": uuidB,
		"service_api.scope_string": "https://auth.globus.org/scopes/" + uuidA + "/action_all"}); err != nil {
		t.Fatal(err)
	}
	if st, _ := stateIn(t, v, "service_api"); st != StateDone {
		t.Fatalf("all values stored, step is %s", st)
	}
	if v.Doc().Values["service_api.client_id"] != uuidA {
		t.Fatal("not normalised")
	}
	if err := MarkState(v, "service_api", StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(v, "service_api.client_secret", secretLike+"A"); err != nil {
		t.Fatal(err)
	}
	if st, note := stateIn(t, v, "service_api"); st != StateDone || note != "re-verify: service_api.client_secret changed" {
		t.Fatalf("after a new secret: %s %q", st, note)
	}
	if err := SetValue(v, "policy.domains", "@anl.gov"); err == nil {
		t.Fatal("invalid value stored")
	}
	if err := SetValue(v, "nope", "x"); err == nil {
		t.Fatal("unknown key stored")
	}
	// A skipped optional step becomes done when the operator sets one of its values.
	if err := MarkState(v, "groups", StateSkipped, "skipped by the operator"); err != nil {
		t.Fatal(err)
	}
	if err := SetValue(v, "groups.users.id", uuidB); err != nil {
		t.Fatal(err)
	}
	if st, _ := stateIn(t, v, "groups"); st != StateDone {
		t.Fatalf("groups %s", st)
	}
}

func TestMarkState(t *testing.T) {
	v := newVault(t)
	if err := MarkState(v, "policy", StateInProgress, "waiting for the console"); err != nil {
		t.Fatal(err)
	}
	st, note := stateIn(t, v, "policy")
	if st != StateInProgress || note != "waiting for the console" {
		t.Fatalf("%s %q", st, note)
	}
	if err := MarkState(v, "policy", State("bogus"), ""); err == nil {
		t.Fatal("bogus state accepted")
	}
	if err := MarkState(v, "nope", StateDone, ""); err == nil {
		t.Fatal("unknown step accepted")
	}
	s := Status(v.Doc())
	if len(s) != 6 || s[4].State != StateInProgress || s[4].Note != "waiting for the console" || s[0].State != StatePending {
		t.Fatalf("Status = %+v", s)
	}
}
