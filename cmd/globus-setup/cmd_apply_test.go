package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
)

const testDomains = "example.org example.edu"

// tokenTap serves the emulator through a recorder of every token and code it
// hands out, so a test can assert that none of them reached the screen: the
// user's tokens in a proof live only in the process's memory.
type tokenTap struct {
	mu   sync.Mutex
	seen []string
}

func tapTokens(w *opsWorld) *tokenTap {
	w.t.Helper()
	tap := &tokenTap{}
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		w.srv.ServeHTTP(rec, r)
		tap.collect(rec.Body.Bytes())
		for k, v := range rec.Header() {
			rw.Header()[k] = v
		}
		rw.WriteHeader(rec.Code)
		rw.Write(rec.Body.Bytes())
	}))
	w.t.Cleanup(ts.Close)
	base := w.srv.BaseURL()
	for k, v := range w.env {
		if strings.HasPrefix(v, base) {
			w.env[k] = ts.URL + strings.TrimPrefix(v, base)
		}
	}
	return tap
}

// collect records the string values of token fields anywhere in a JSON answer
// (other_tokens, dependent-token arrays included).
func (tap *tokenTap) collect(body []byte) {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && s != "" && (k == "access_token" || k == "refresh_token" || k == "id_token") {
					tap.mu.Lock()
					tap.seen = append(tap.seen, s)
					tap.mu.Unlock()
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

func (tap *tokenTap) tokens() []string {
	tap.mu.Lock()
	defer tap.mu.Unlock()
	return slices.Clone(tap.seen)
}

// assertNoSecrets fails if any token handed out, or any secret or code
// given, appears in the printed output.
func assertNoSecrets(t *testing.T, tap *tokenTap, printed string, secrets ...string) {
	t.Helper()
	toks := tap.tokens()
	if len(toks) == 0 {
		t.Error("no token was handed out: the tap saw nothing")
	}
	for _, s := range append(toks, secrets...) {
		if s != "" && strings.Contains(printed, s) {
			t.Fatalf("a token, secret or code was printed (%d characters long)", len(s))
		}
	}
}

// newApplyWorld is an empty vault and an emulator where the operator has only
// a thick client of their own in another project, to log in through the
// first time, as the guide's first login needs.
func newApplyWorld(t *testing.T) (w *opsWorld, thickID string) {
	t.Helper()
	w = newBareWorld(t)
	tools := w.srv.AddProject("Operator Tools", "operator@example.org", "operator@example.org")
	thickID, _ = w.srv.RegisterClient(tools, "My CLI", globustest.PublicInstalledClient)
	return w, thickID
}

// loginThrough logs the operator in through clientID, approving in the
// emulator as the operator's browser would.
func (w *opsWorld) loginThrough(clientID string) {
	w.t.Helper()
	w.browser = func(url string) string {
		code, err := w.srv.ApproveLogin(url)
		if err != nil {
			w.t.Error(err)
		}
		return code
	}
	if code, out, errs := w.run("login", "--client-id", clientID); code != 0 {
		w.t.Fatalf("login: %d\n%s%s", code, out, errs)
	}
	w.browser = nil
}

// project finds the emulator's project of that name.
func (w *opsWorld) project(name string) (globustest.ProjectInfo, bool) {
	for _, p := range w.srv.Projects() {
		if p.Name == name {
			return p, true
		}
	}
	return globustest.ProjectInfo{}, false
}

// creatingPOSTs counts the developers-console calls that make something.
func (w *opsWorld) creatingPOSTs() int {
	return w.srv.CountRequests(http.MethodPost, "/v2/api/")
}

func TestApplyFromEmptyVault(t *testing.T) {
	w, thick := newApplyWorld(t)
	tap := tapTokens(w)
	w.loginThrough(thick)
	ctx := context.Background()

	// What the CLI must show is what steps plans.
	e := &steps.Env{Vault: w.vault()}
	var err error
	if e.Globus, err = (&app{getenv: func(k string) string { return w.env[k] }}).globusClient(); err != nil {
		t.Fatal(err)
	}
	plan, err := steps.MakePlan(ctx, e, steps.ApplyOptions{Values: map[string]string{"policy.domains": testDomains, "policy.assurance_timeout": "8h"}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Creates() != 8 || len(plan.Items) != 8 {
		t.Fatalf("from nothing the plan creates %d of %d items, want 8 of 8:\n%s", plan.Creates(), len(plan.Items), strings.Join(plan.Lines(), "\n"))
	}

	var printed strings.Builder
	runApply := func(args ...string) (int, string, string) {
		t.Helper()
		code, out, errs := w.run(append([]string{"apply"}, args...)...)
		printed.WriteString(out + errs)
		return code, out, errs
	}

	before := w.creatingPOSTs()
	code, out, errs := runApply("--dry-run", "--domains", testDomains, "--assurance-timeout", "8h")
	if code != 0 {
		t.Fatalf("dry run: exit %d\n%s%s", code, out, errs)
	}
	for _, l := range plan.Lines() {
		if !strings.Contains(out, l+"\n") {
			t.Errorf("dry run lacks the plan line %q:\n%s", l, out)
		}
	}
	if !strings.Contains(out, "Dry run: nothing was created or stored.") {
		t.Errorf("dry run said:\n%s", out)
	}
	t.Logf("$ globus-setup apply --dry-run --domains %q --assurance-timeout 8h\n%s", testDomains, out)

	// A script without --yes: nobody to ask, so nothing is made.
	code, _, errs = runApply("--domains", testDomains, "--assurance-timeout", "8h")
	if code != 2 || !strings.Contains(errs, "add --yes") {
		t.Errorf("no --yes off a terminal: exit %d\n%s", code, errs)
	}
	if n := w.creatingPOSTs(); n != before {
		t.Fatalf("%d creating POSTs before anything was approved", n-before)
	}
	if id, _ := w.vault().Get("project.id"); id != "" {
		t.Fatalf("project.id %q stored before anything was approved", id)
	}

	code, out, errs = runApply("--yes", "--domains", testDomains, "--assurance-timeout", "8h")
	if code != 0 {
		t.Fatalf("apply --yes: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup apply --yes --domains %q --assurance-timeout 8h\n%s", testDomains, out)
	if n := strings.Count(out, "✓ "); n != 8 {
		t.Errorf("%d ✓ lines, want 8:\n%s", n, out)
	}
	if !strings.Contains(out, "Done: 8 created, 0 kept or reused") {
		t.Errorf("apply said:\n%s", out)
	}
	if w.creatingPOSTs() == before {
		t.Error("apply --yes made no creating POST")
	}

	v := w.vault()
	values := map[string]string{}
	for _, k := range []string{"project.id", "service_api.client_id", "service_api.client_secret", "service_api.scope_string",
		"service_account.client_id", "service_account.client_secret", "public_client.client_id", "policy.id"} {
		if values[k], _ = v.Get(k); values[k] == "" {
			t.Errorf("%s not stored", k)
		}
	}
	p, ok := w.project(assets.DefaultProjectName)
	if !ok || p.ID != values["project.id"] || p.ContactEmail != "operator@example.org" || !slices.Contains(p.Admins, "operator@example.org") {
		t.Errorf("project on Globus %+v (found %v), stored %s", p, ok, values["project.id"])
	}
	types := map[string]string{}
	for _, c := range w.srv.Clients(p.ID) {
		types[c.ID] = c.ClientType
	}
	if len(types) != 3 || types[values["service_api.client_id"]] != globustest.HybridConfidentialRS ||
		types[values["service_account.client_id"]] != globustest.ClientIdentity ||
		types[values["public_client.client_id"]] != globustest.PublicInstalledClient {
		t.Errorf("apps on Globus %v", types)
	}
	pols := w.srv.Policies(p.ID)
	if len(pols) != 1 || pols[0].ID != values["policy.id"] || !pols[0].HighAssurance || pols[0].Timeout != 28800 ||
		strings.Join(pols[0].Domains, " ") != testDomains {
		t.Errorf("policies on Globus %+v", pols)
	}

	// Everything made checks out live, by the same checks as by hand.
	if code, out, _ := w.run("verify"); code != 0 || !strings.Contains(out, " 0 failed") {
		t.Errorf("verify after apply: exit %d\n%s", code, out)
	}

	made := w.creatingPOSTs()
	code, out, errs = runApply("--yes")
	if code != 0 || !strings.Contains(out, "Nothing to create: everything is in place.") || strings.Contains(out, "create ") {
		t.Errorf("second apply: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup apply --yes   # again\n%s", out)
	// Nothing to create needs no yes, even from a script.
	if code, out, errs := runApply(); code != 0 || !strings.Contains(out, "Nothing to create") {
		t.Errorf("third apply without --yes: exit %d\n%s%s", code, out, errs)
	}
	if n := w.creatingPOSTs(); n != made {
		t.Errorf("%d creating POSTs on runs with nothing to create", n-made)
	}

	assertNoSecrets(t, tap, printed.String(), values["service_api.client_secret"], values["service_account.client_secret"])
}

func TestApplyAsksAtTerminal(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	w.terminal = true
	before := w.creatingPOSTs()

	w.pasted <- "n"
	code, out, errs := w.run("apply", "--steps", "project", "--project-name", "Lab Gateway", "--contact-email", "lab@example.org")
	if code != 1 || !strings.Contains(out, "Cancelled: nothing was created.") {
		t.Errorf("answered no: exit %d\n%s%s", code, out, errs)
	}
	if n := w.creatingPOSTs(); n != before {
		t.Fatalf("%d creating POSTs after a no", n-before)
	}

	w.pasted <- "y"
	code, out, errs = w.run("apply", "--steps", "project", "--project-name", "Lab Gateway", "--contact-email", "lab@example.org")
	if code != 0 || !strings.Contains(out, `"Lab Gateway"`) || !strings.Contains(out, "Done: 1 created") {
		t.Fatalf("answered yes: exit %d\n%s%s", code, out, errs)
	}
	p, ok := w.project("Lab Gateway")
	if !ok || p.ContactEmail != "lab@example.org" {
		t.Fatalf("project on Globus %+v (found %v)", p, ok)
	}
	// --steps project made the project only.
	if cs := w.srv.Clients(p.ID); len(cs) != 0 {
		t.Errorf("apps made with --steps project: %+v", cs)
	}
	v := w.vault()
	if id, _ := v.Get("project.id"); id != p.ID {
		t.Errorf("stored project.id %q, made %q", id, p.ID)
	}
	if name, _ := v.Get("project.name"); name != "Lab Gateway" {
		t.Errorf("stored project.name %q", name)
	}
}

func TestApplyBadInput(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	code, out, errs := w.run("apply", "--dry-run", "--domains", testDomains, "--contact-email", "not an address")
	if code != 1 || !strings.Contains(errs, "globus-setup: --contact-email: ") || !strings.Contains(errs, "nothing was created") {
		t.Errorf("bad e-mail: exit %d\n%s%s", code, out, errs)
	}
	if w.creatingPOSTs() != 0 {
		t.Error("something was created")
	}
}

func TestApplyNotLoggedIn(t *testing.T) {
	// The very first run: nothing stored, so no client to log in through.
	w, _ := newApplyWorld(t)
	code, out, errs := w.run("apply", "--dry-run", "--domains", testDomains)
	if code != 1 {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{
		"not logged in", "the very first login needs one",
		"globus-setup login --client-id ID", "register the guide's public client by hand (step 4)",
		"globus-setup set public_client.client_id ID", "then `globus-setup apply` again",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if w.creatingPOSTs() != 0 {
		t.Error("something was created without a login")
	}

	// With a public client stored, logging in through it is all there is to do.
	w = newOpsWorld(t)
	code, _, errs = w.run("apply", "--yes")
	if code != 1 || !strings.Contains(errs, "run `globus-setup login` (it goes through the stored public client "+steps.ShortID(w.publicID)+")") ||
		strings.Contains(errs, "--client-id") {
		t.Errorf("stored public client: exit %d\n%s", code, errs)
	}
}

// A failure stops apply at that item, says what to do, and keeps what was
// made; the next run carries on without making anything twice.
func TestApplyStopsAtFailure(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	w.srv.FailNext(http.MethodPost, "/auth/v2/api/policies", 1, globustest.Failure{Status: http.StatusInternalServerError})
	code, out, errs := w.run("apply", "--yes", "--domains", testDomains)
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"✗ create policy ", "500", "run apply again", "`globus-setup apply` carries on from there"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if n := strings.Count(out, "✓ created "); n != 7 {
		t.Errorf("%d items made before the failure, want 7:\n%s", n, out)
	}
	p, _ := w.project(assets.DefaultProjectName)
	if ps := w.srv.Policies(p.ID); len(ps) != 0 {
		t.Fatalf("policies after a failed create: %+v", ps)
	}

	code, out, errs = w.run("apply", "--yes", "--domains", testDomains)
	if code != 0 || !strings.Contains(out, "Done: 1 created, 7 kept or reused") {
		t.Fatalf("rerun: exit %d\n%s%s", code, out, errs)
	}
	if n := len(w.srv.Clients(p.ID)); n != 3 {
		t.Errorf("%d apps after the rerun, want 3", n)
	}
	if ps := w.srv.Policies(p.ID); len(ps) != 1 {
		t.Errorf("%d policies after the rerun, want 1", len(ps))
	}
}

// If Globus changes while the operator reads the plan so that apply would
// make something not shown, nothing more is made and the operator is told
// to look again.
func TestApplyPlanChanged(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	if code, out, errs := w.run("apply", "--yes", "--steps", "project,service_api,service_account"); code != 0 {
		t.Fatalf("first apply: exit %d\n%s%s", code, out, errs)
	}
	acct, _ := w.vault().Get("service_account.client_id")

	// While the question is asked, someone deletes the Service Account's
	// secret on Globus: the next plan would create a new one.
	w.terminal = true
	w.onPrompt = func() {
		ctx := context.Background()
		c, err := (&app{getenv: func(k string) string { return w.env[k] }}).globusClient()
		if err != nil {
			t.Fatal(err)
		}
		auth, err := steps.OperatorToken(ctx, &steps.Env{Vault: w.vault(), Globus: c}, steps.AuthResourceServer)
		if err != nil {
			t.Fatal(err)
		}
		for _, cr := range w.srv.Credentials(acct) {
			if err := c.DeleteCredential(ctx, auth, acct, cr.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.pasted <- "y"
	before := w.creatingPOSTs()
	code, out, errs := w.run("apply", "--domains", testDomains)
	if code != 1 || !strings.Contains(errs, "the plan changed") || !strings.Contains(errs, "run `globus-setup apply` again to see the new plan") {
		t.Errorf("exit %d\n%s%s", code, out, errs)
	}
	if n := w.creatingPOSTs(); n != before {
		t.Errorf("%d creating POSTs after the plan changed", n-before)
	}
	t.Logf("stderr:\n%s", errs)
}

// With nothing given on a fresh vault, the dry run shows the whole plan
// with the values the wizard's one form suggests (the policy's domain from
// the operator's login, the default name and window, the login's e-mail),
// each marked as a suggestion and naming the flag that gives another; a
// run then does what the dry run showed.
func TestApplyDryRunShowsSuggestions(t *testing.T) {
	w, thick := newApplyWorld(t)
	w.loginThrough(thick)
	code, out, errs := w.run("apply", "--dry-run")
	if code != 0 {
		t.Fatalf("dry run with nothing given: exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup apply --dry-run\n%s", out)
	mustHave(t, out,
		`create  policy "Inference Gateway High Assurance Policy" (high assurance, domains example.org; re-authenticate after 28800 (8h))`,
		`create  project "Inference Gateway" (admin operator@example.org, contact operator@example.org)`,
		"Suggested, as the wizard's one form would",
		"  Identity provider domains: example.org (suggested: your Globus login; --domains gives another)",
		"  Project name: Inference Gateway (suggested: default; --project-name gives another)",
		"  Contact e-mail: operator@example.org (suggested: your Globus login; --contact-email gives another)",
		"  Re-authenticate after: 28800 (8h) (suggested: default; --assurance-timeout gives another)",
		"Dry run: nothing was created or stored.")
	if n := strings.Count(out, "\n  create "); n != 8 {
		t.Errorf("%d creates in the plan, want the whole setup's 8:\n%s", n, out)
	}
	if w.creatingPOSTs() != 0 {
		t.Fatal("the dry run created something")
	}
	// Given values are not suggestions.
	_, out, _ = w.run("apply", "--dry-run", "--domains", "anl.gov")
	if !strings.Contains(out, "domains anl.gov;") || strings.Contains(out, "Identity provider domains: ") {
		t.Errorf("a given value is shown as a suggestion:\n%s", out)
	}
	code, out, errs = w.run("apply", "--yes")
	if code != 0 || !strings.Contains(out, "Done: 8 created") {
		t.Fatalf("apply after the dry run: exit %d\n%s%s", code, out, errs)
	}
	if got, _ := w.vault().Get("policy.domains"); got != "example.org" {
		t.Errorf("stored domains %q, want the suggested example.org", got)
	}
}
