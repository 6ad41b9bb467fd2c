package steps

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
)

// reauthBy answers every sign-in request with approve (the operator in the
// browser) and records the requests.
func (w *applyWorld) reauthBy(approve func(string) (string, error)) *[]*Reauth {
	asked := &[]*Reauth{}
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		*asked = append(*asked, r)
		return approve(r.Flow.URL)
	}
	return asked
}

// exactlyOneOfEverything: the end state of a full apply, with no duplicate.
func (w *applyWorld) exactlyOneOfEverything(t *testing.T) {
	t.Helper()
	projects := w.srv.Projects()
	if len(projects) != 2 || projects[1].Name != "Inference Gateway" {
		t.Fatalf("projects: %+v", projects)
	}
	pid := projects[1].ID
	if n := len(w.srv.Clients(pid)); n != 3 {
		t.Errorf("%d apps, want 3", n)
	}
	if n := len(w.srv.Policies(pid)); n != 1 {
		t.Errorf("%d policies, want 1", n)
	}
	for _, p := range []string{"service_api", "service_account"} {
		if creds := w.srv.Credentials(w.get(p + ".client_id")); len(creds) != 1 {
			t.Errorf("%s has secrets %+v, want one", p, creds)
		}
		if !w.works(p) {
			t.Errorf("the stored %s secret does not work", p)
		}
	}
	if got := w.intents(); len(got) != 0 {
		t.Errorf("intents left: %v", got)
	}
	if w.get("policy.id") == "" || w.get("public_client.client_id") == "" {
		t.Error("the vault lacks values")
	}
}

// An MFA demand met mid-way (creating the policy, after the project, the
// apps and their secrets): one login with session_required_mfa, then the
// run finishes from the same approved plan and makes nothing twice.
func TestApplyRedrivesAnMFADemand(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	plan, err := MakePlan(ctx, w.e, withDomains)
	if err != nil {
		t.Fatal(err)
	}
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/policies", MFA: true, Message: "MFA is required to manage policies"})
	asked := w.reauthBy(w.srv.ApproveLogin)
	var lines []string
	_, results, err := Apply(ctx, w.e, withDomains, &plan, func(r ApplyResult) { lines = append(lines, r.Line()) })
	if err != nil {
		t.Fatalf("%v\n%s", err, strings.Join(lines, "\n"))
	}
	if len(*asked) != 1 {
		t.Fatalf("asked %d times to sign in", len(*asked))
	}
	r := (*asked)[0]
	mustContain(t, strings.Join(r.Lines(), "\n"), "Globus needs you to sign in again with MFA (a second factor) to create a policy.",
		"Globus says: MFA is required to manage policies")
	q := mustURL(t, r.Flow.URL).Query()
	if q.Get("session_required_mfa") != "True" || q.Get("client_id") != w.loginID || q.Get("prompt") != "login" {
		t.Errorf("boosted URL %s", r.Flow.URL)
	}
	// Every creating call but the refused one was made once.
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 1 {
		t.Errorf("%d project creations", n)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/policies"); n != 2 || w.srv.Refusals() != 1 {
		t.Errorf("%d policy creations, %d refusals: want the refused one and its retry", n, w.srv.Refusals())
	}
	w.exactlyOneOfEverything(t)
	// The results: every item once, none failed; the refused try left out.
	var created []string
	for _, res := range results {
		if res.Err != nil {
			t.Errorf("failed result %s", res.Line())
		}
		if res.Item.Action == PlanCreate {
			created = append(created, res.Item.Step+"/"+res.Item.What)
		}
	}
	// Made by the first run and kept by the second: counted once, as created.
	if len(results) != 8 || len(created) != 8 || countOf(created, "project/project") != 1 || !slices.Contains(created, "policy/policy") {
		t.Errorf("%d results, created %v", len(results), created)
	}
	// The progress shown live named the refusal, then the rerun kept what was made.
	mustContain(t, strings.Join(lines, "\n"), `✗ create policy`, `✓ kept project "Inference Gateway"`, `✓ created policy`)
}

func countOf(l []string, s string) int {
	n := 0
	for _, x := range l {
		if x == s {
			n++
		}
	}
	return n
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// MFA to delete a client secret: an interrupted run left an orphaned
// secret; deleting it is refused until the operator signs in with MFA.
func TestApplyRedrivesMFAOnDelete(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	w.srv.FailNext("POST", "/v2/api/clients/", 1, globustest.Failure{AfterHandling: true, Drop: true})
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err == nil {
		t.Fatal("the first run did not fail")
	}
	w.srv.DemandSession(globustest.Demand{Method: "DELETE", Path: "/v2/api/clients/*/credentials/*", MFA: true})
	asked := w.reauthBy(w.srv.ApproveLogin)
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	if len(*asked) != 1 || (*asked)[0].Ask() != "Globus needs you to sign in again with MFA (a second factor) to delete a client secret." {
		t.Fatalf("asked %v", *asked)
	}
	if w.srv.CountRequests("DELETE", "/v2/api/clients/") != 2 {
		t.Errorf("%d deletes: want the refused one and its retry", w.srv.CountRequests("DELETE", "/v2/api/clients/"))
	}
	w.exactlyOneOfEverything(t)
}

var extraScope string

// Each kind of requirement goes through the same path and the login asks
// for exactly it.
func TestApplyRedrivesEachKind(t *testing.T) {
	cases := []struct {
		name  string
		setup func(w *applyWorld) globustest.Demand
		check func(t *testing.T, q url.Values, ask string)
	}{
		{"single domain", func(w *applyWorld) globustest.Demand {
			w.srv.AddIdentity("op@anl.gov", "Op at ANL", "op@anl.gov", "anl.gov")
			w.srv.LinkIdentity(operator, "op@anl.gov")
			return globustest.Demand{Method: "POST", Path: "/v2/api/policies", SingleDomain: []string{"anl.gov"}}
		}, func(t *testing.T, q url.Values, ask string) {
			if q.Get("session_required_single_domain") != "anl.gov" || ask != "Globus needs you to sign in again with an identity from anl.gov to create a policy." {
				t.Errorf("%v / %s", q, ask)
			}
		}},
		{"policy", func(w *applyWorld) globustest.Demand {
			w.srv.AddIdentity("op@anl.gov", "Op at ANL", "op@anl.gov", "anl.gov")
			w.srv.LinkIdentity(operator, "op@anl.gov")
			other := w.srv.AddProject("Lab", operator, operator)
			pol := w.srv.AddPolicy(other, "Lab policy", []string{"anl.gov"}, 1800)
			return globustest.Demand{Method: "POST", Path: "/v2/api/policies", Policies: []string{pol}, Legacy: true}
		}, func(t *testing.T, q url.Values, ask string) {
			if q.Get("session_required_policies") == "" || !strings.Contains(ask, "meeting the authentication policy "+q.Get("session_required_policies")) {
				t.Errorf("%v / %s", q, ask)
			}
		}},
		{"consent", func(w *applyWorld) globustest.Demand {
			tools := w.srv.AddProject("Other", operator, operator)
			rs, _ := w.srv.RegisterClient(tools, "Other API", globustest.HybridConfidentialRS)
			_, extra, err := w.srv.AddScope(rs, "extra")
			if err != nil {
				t.Fatal(err)
			}
			extraScope = extra
			return globustest.Demand{Method: "POST", Path: "/v2/api/policies", Scopes: []string{extra}, Legacy: true}
		}, func(t *testing.T, q url.Values, ask string) {
			if !strings.Contains(q.Get("scope"), extraScope) || !strings.Contains(q.Get("scope"), globus.ManageProjectsScope) || q.Has("session_required_mfa") ||
				ask != "Globus needs you to sign in again and grant consent to "+extraScope+" to create a policy." {
				t.Errorf("%v / %s", q, ask)
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newApplyWorld(t, true)
			d := c.setup(w)
			w.srv.DemandSession(d)
			asked := w.reauthBy(w.srv.ApproveLogin)
			if _, _, err := Apply(context.Background(), w.e, withDomains, nil, nil); err != nil {
				t.Fatal(err)
			}
			if len(*asked) != 1 {
				t.Fatalf("asked %d times", len(*asked))
			}
			c.check(t, mustURL(t, (*asked)[0].Flow.URL).Query(), (*asked)[0].Ask())
			if w.srv.Refusals() != 1 || w.get("policy.id") == "" {
				t.Errorf("refusals %d, policy %q", w.srv.Refusals(), w.get("policy.id"))
			}
		})
	}
}

// A sign-in that does not satisfy Globus: one more try, then an error that
// names what was asked. Nothing is made twice.
func TestApplyBoostThatDoesNotSatisfy(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/policies", MFA: true})
	asked := w.reauthBy(w.srv.ApproveLoginWithoutMFA)
	_, _, err := Apply(ctx, w.e, withDomains, nil, nil)
	if !errors.Is(err, ErrReauthRequired) || len(*asked) != 1 {
		t.Fatalf("err %v after %d sign-ins", err, len(*asked))
	}
	mustProblem(t, err, "Globus still refuses to create a policy after the new sign-in: it asks to sign in with MFA (a second factor)",
		"did not give Globus what it asked", "globus-setup login --client-id "+w.loginID+" --mfa")
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 1 {
		t.Errorf("%d project creations", n)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/policies"); n != 2 {
		t.Errorf("%d policy creations: want one try and one retry", n)
	}
	if got := w.intents(); len(got) != 0 {
		t.Errorf("a refused create left intents %v", got)
	}
	// Signing in with MFA then lets a rerun finish, still with no duplicate.
	w.reauthBy(w.srv.ApproveLogin)
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.exactlyOneOfEverything(t)
}

// With nobody to ask (no terminal), the error names the login command.
func TestApplyReauthWithoutATerminal(t *testing.T) {
	w := newApplyWorld(t, true)
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/api/policies", MFA: true, SingleDomain: []string{"anl.gov"},
		Scopes: []string{"urn:globus:auth:scope:x:all[*y]"}})
	_, _, err := Apply(context.Background(), w.e, withDomains, nil, nil)
	if !errors.Is(err, ErrReauthRequired) {
		t.Fatalf("err %v", err)
	}
	mustProblem(t, err, "Globus needs you to sign in again with MFA (a second factor), with an identity from anl.gov and granting consent to urn:globus:auth:scope:x:all[*y] to create a policy",
		"run `globus-setup login --client-id "+w.loginID+" --mfa --domain anl.gov --scope 'urn:globus:auth:scope:x:all[*y]'` in a terminal, then run this again")
	if w.srv.CountRequests("POST", "/v2/api/policies") != 1 {
		t.Error("retried without a new login")
	}
}

func TestDescribeCall(t *testing.T) {
	for _, c := range []struct{ m, p, want string }{
		{"DELETE", "/v2/api/clients/a/credentials/b", "delete a client secret"},
		{"DELETE", "/v2/api/clients/a", "delete an app"},
		{"DELETE", "/v2/api/projects/a", "delete a project"},
		{"POST", "/v2/api/clients", "register an app"},
		{"GET", "/v2/api/clients/a", "read your apps"},
		{"POST", "/v2/groups/g", "add members to a group"},
		{"PATCH", "/v2/x", "make the call PATCH /v2/x"},
	} {
		if got := DescribeCall(c.m, c.p); got != c.want {
			t.Errorf("%s %s: %q", c.m, c.p, got)
		}
	}
}

// Groups: adding members refused until MFA; the group made before the
// refusal is reused by the retry, never made twice.
func TestCreateGroupRedrives(t *testing.T) {
	w := newWorld(t)
	w.login()
	w.srv.DemandSession(globustest.Demand{Method: "POST", Path: "/v2/groups/*", MFA: true})
	var asked []*Reauth
	w.e.Reauth = func(ctx context.Context, r *Reauth) (string, error) {
		asked = append(asked, r)
		return w.srv.ApproveLogin(r.Flow.URL)
	}
	res, err := CreateGroup(context.Background(), w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].Ask() != "Globus needs you to sign in again with MFA (a second factor) to add members to a group." {
		t.Fatalf("asked %v", asked)
	}
	if !res.Reused || res.Members[0].Result != MemberAdded {
		t.Errorf("result %+v", res)
	}
	if n := w.count(http.MethodPost, "/v2/groups"); n != 3 { // create, refused add, add
		t.Errorf("%d POSTs under /v2/groups, want 3", n)
	}
}

// verify: a refused check is asked about once, then every check runs again;
// with nobody to ask, its hint names the login command.
func TestVerifyRedrives(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.srv.DemandSession(globustest.Demand{Method: "GET", Path: "/v2/api/projects", Policies: nil, MFA: true})
	checks := VerifyAll(ctx, w.e)
	var line string
	for _, c := range checks {
		if c.Name == "Project exists" {
			line = c.Line()
		}
	}
	mustContain(t, line, "✗ Project exists", "Globus asks you to sign in again with MFA (a second factor): run `globus-setup login --client-id "+w.loginID+" --mfa`")

	asked := w.reauthBy(w.srv.ApproveLogin)
	checks = VerifyAll(ctx, w.e)
	if AnyFailed(checks) || len(*asked) != 1 {
		var lines []string
		for _, c := range checks {
			lines = append(lines, c.Line())
		}
		t.Fatalf("asked %d times:\n%s", len(*asked), strings.Join(lines, "\n"))
	}
}

// One step's checks redrive as verify does: asked once, then run again;
// a second refusal names what was asked; a declined sign-in records nothing.
func TestVerifyStepRedrives(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err != nil {
		t.Fatal(err)
	}
	w.srv.DemandSession(globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true, Times: 1})
	asked := w.reauthBy(w.srv.ApproveLogin)
	checks := VerifyStep(ctx, w.e, "project")
	if len(*asked) != 1 || len(checks) != 1 || checks[0].Status != CheckPass {
		t.Fatalf("asked %d times: %+v", len(*asked), checks)
	}

	w.srv.ClearDemands()
	w.srv.DemandSession(globustest.Demand{Method: "GET", Path: "/v2/api/projects", MFA: true, Always: true})
	*asked = nil
	rep, err := Catalogue()[0].Verify(ctx, w.e)
	if err != nil || rep.OK || len(*asked) != 1 {
		t.Fatalf("asked %d times, err %v, report %v", len(*asked), err, rep)
	}
	mustContain(t, strings.Join(rep.Lines, "\n"), "✗ Project exists",
		"✗ Sign in again as Globus asks: Globus still refuses to read your projects after the new sign-in: it asks to sign in with MFA (a second factor)")
	if st, _ := stateOf(w.e.Vault.Doc(), "project"); st == StateVerified {
		t.Errorf("step verified after a refusal")
	}

	if err := MarkState(w.e.Vault, "project", StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	w.e.Reauth = func(context.Context, *Reauth) (string, error) { return "", context.Canceled }
	if _, err := Catalogue()[0].Verify(ctx, w.e); !errors.Is(err, context.Canceled) {
		t.Fatalf("declined: %v", err)
	}
	if st, _ := stateOf(w.e.Vault.Doc(), "project"); st != StateVerified {
		t.Errorf("a declined sign-in changed the step to %s", st)
	}
}
