package steps

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/vault"
)

// applyWorld is an emulator with only the operator and a thick client of
// someone else's project to log in with, and an empty vault.
type applyWorld struct {
	t       testing.TB
	srv     *globustest.Server
	e       *Env
	out     *bytes.Buffer
	loginID string
}

func newApplyWorld(t testing.TB, login bool) *applyWorld {
	t.Helper()
	srv, _ := globustest.NewTestServer(t)
	srv.AddIdentity(operator, "Op Erator", operator, "")
	srv.AddIdentity("tools@example.org", "Tools", "tools@example.org", "")
	srv.SetOperator(operator)
	tools := srv.AddProject("Operator Tools", "tools@example.org", "tools@example.org")
	loginID, _ := srv.RegisterClient(tools, "Login Tool", globustest.PublicInstalledClient)
	client, err := globus.New(globus.Environment{Name: "custom", AuthURL: srv.AuthURL(), GroupsURL: srv.GroupsURL(), Timeout: 30 * time.Second},
		globus.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	w := &applyWorld{t: t, srv: srv, out: &bytes.Buffer{}, loginID: loginID}
	w.e = &Env{Vault: newVault(t), Globus: client, Out: w.out}
	if login {
		flow, err := StartLogin(w.e, loginID)
		if err != nil {
			t.Fatal(err)
		}
		code, err := srv.ApproveLogin(flow.URL)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := FinishLogin(context.Background(), w.e, flow, code); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

var withDomains = ApplyOptions{Values: map[string]string{"policy.domains": "example.org example.edu"}}

func (w *applyWorld) get(key string) string {
	w.t.Helper()
	if err := w.e.Vault.Reload(); err != nil {
		w.t.Fatal(err)
	}
	v, _ := w.e.Vault.Get(key)
	return v
}

func (w *applyWorld) set(values map[string]string) {
	w.t.Helper()
	if err := SetValues(w.e.Vault, values); err != nil {
		w.t.Fatal(err)
	}
}

func (w *applyWorld) creates() int { return w.srv.CountRequests("POST", "/v2/api/") }

// works proves a stored ID/secret pair with a client-credentials grant.
func (w *applyWorld) works(prefix string) bool {
	w.t.Helper()
	cred := globus.Credentials{ID: w.get(prefix + ".client_id"), Secret: w.get(prefix + ".client_secret")}
	if cred.ID == "" || cred.Secret == "" {
		return false
	}
	_, err := w.e.Globus.ClientCredentialsToken(context.Background(), cred, globus.OpenIDScope)
	return err == nil
}

func (w *applyWorld) intents() []string {
	w.t.Helper()
	if err := w.e.Vault.Reload(); err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for k := range w.e.Vault.Doc().Internal {
		if strings.HasPrefix(k, intentPrefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func summary(p Plan) []string {
	var out []string
	for _, it := range p.Items {
		out = append(out, it.Step+"/"+it.What+"/"+string(it.Action))
	}
	return out
}

func mustProblem(t *testing.T, err error, wants ...string) {
	t.Helper()
	var p *Problem
	if !errors.As(err, &p) {
		t.Fatalf("want a *Problem, got %T %v", err, err)
	}
	mustContain(t, err.Error()+" — "+Hint(err), wants...)
}

func TestApplyFromEmptyVault(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	plan, err := MakePlan(ctx, w.e, withDomains)
	if err != nil {
		t.Fatal(err)
	}
	if w.creates() != 0 {
		t.Fatalf("MakePlan made %d creating calls", w.creates())
	}
	want := []string{"project/project/create", "service_api/app/create", "service_api/client secret/create",
		"service_api/scope/create", "service_account/app/create", "service_account/client secret/create",
		"public_client/app/create", "policy/policy/create"}
	if got := summary(plan); !slices.Equal(got, want) {
		t.Fatalf("plan:\n%s\nwant %v", strings.Join(plan.Lines(), "\n"), want)
	}
	if plan.Creates() != 8 || plan.Operator != operator || plan.LoginClient != w.loginID {
		t.Errorf("plan: %d creates, operator %q, client %q", plan.Creates(), plan.Operator, plan.LoginClient)
	}
	lines := strings.Join(plan.Lines(), "\n")
	mustContain(t, lines,
		"As operator@example.org, through client "+w.loginID,
		`create  project "Inference Gateway" (admin operator@example.org, contact operator@example.org)`,
		`create  app "Inference Gateway Service API" (a service API, redirect URI http://localhost:8000 (the form wants one; unused))`,
		`create  app "Inference Gateway Public Client" (a thick client, redirect URI `+w.e.Globus.Environment().AuthCodeRedirectURI()+`)`,
		`create  client secret "inference compute endpoints"`,
		`create  policy "Inference Gateway High Assurance Policy" (high assurance, domains example.org example.edu; re-authenticate after 28800 (8h))`)

	var progress []ApplyResult
	got, results, err := Apply(ctx, w.e, withDomains, &plan, func(r ApplyResult) { progress = append(progress, r) })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(summary(got), want) || len(results) != 8 || len(progress) != 8 {
		t.Fatalf("apply: plan %v, %d results, %d progress", summary(got), len(results), len(progress))
	}
	for _, r := range results {
		if r.Err != nil || r.ID == "" || !strings.HasPrefix(r.Line(), "✓ created "+r.Item.What) {
			t.Errorf("result %q (ID %q)", r.Line(), r.ID)
		}
	}

	projects := w.srv.Projects()
	if len(projects) != 2 || projects[1].Name != "Inference Gateway" || projects[1].ContactEmail != operator ||
		!slices.Equal(projects[1].Admins, []string{operator}) {
		t.Fatalf("projects: %+v", projects)
	}
	pid := projects[1].ID
	clients := w.srv.Clients(pid)
	if len(clients) != 3 {
		t.Fatalf("clients: %+v", clients)
	}
	wantTypes := map[string]string{
		"Inference Gateway Service API":   globustest.HybridConfidentialRS,
		"Inference Gateway Endpoints":     globustest.ClientIdentity,
		"Inference Gateway Public Client": globustest.PublicInstalledClient,
	}
	for _, c := range clients {
		if wantTypes[c.Name] != c.ClientType {
			t.Errorf("client %q is %s", c.Name, c.ClientType)
		}
	}
	if !slices.Equal(clients[0].RedirectURIs, []string{"http://localhost:8000"}) ||
		!slices.Equal(clients[2].RedirectURIs, []string{w.e.Globus.Environment().AuthCodeRedirectURI()}) {
		t.Errorf("redirect URIs: %+v", clients)
	}
	pols := w.srv.Policies(pid)
	if len(pols) != 1 || !pols[0].HighAssurance || pols[0].Timeout != 28800 ||
		!slices.Equal(pols[0].Domains, []string{"example.org", "example.edu"}) {
		t.Fatalf("policies: %+v", pols)
	}

	stored := map[string]string{
		"project.id": pid, "project.name": "Inference Gateway", "project.contact_email": operator,
		"service_api.client_id": clients[0].ID, "service_account.client_id": clients[1].ID,
		"public_client.client_id": clients[2].ID, "policy.id": pols[0].ID,
		"policy.domains": "example.org example.edu", "policy.assurance_timeout": "28800",
		"service_api.scope_string": "https://auth.globus.org/scopes/" + clients[0].ID + "/action_all",
	}
	for k, v := range stored {
		if got := w.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if w.get("service_api.scope_id") == "" {
		t.Error("no scope stored")
	}
	for _, p := range []string{"service_api", "service_account"} {
		if !w.works(p) {
			t.Errorf("the stored %s secret does not work", p)
		}
		if n := len(w.srv.Credentials(w.get(p + ".client_id"))); n != 1 {
			t.Errorf("%s has %d secrets", p, n)
		}
	}
	if len(w.intents()) != 0 {
		t.Errorf("intents left: %v", w.intents())
	}
	for _, s := range Status(w.e.Vault.Doc()) {
		if slices.Contains(ApplyStepIDs(), s.Step.ID) && s.State != StateDone {
			t.Errorf("step %s is %s", s.Step.ID, s.State)
		}
	}
	// The live checks agree with what Apply stored.
	for _, c := range VerifyAll(ctx, w.e) {
		if c.Status == CheckFail {
			t.Errorf("verify: %s", c.Line())
		}
	}

	// A second run creates nothing.
	before := w.creates()
	again, err := MakePlan(ctx, w.e, ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Creates() != 0 {
		t.Fatalf("second plan:\n%s", strings.Join(again.Lines(), "\n"))
	}
	for _, it := range again.Items {
		if it.Action != PlanKeep {
			t.Errorf("second plan: %s", it.Line())
		}
	}
	_, results, err = Apply(ctx, w.e, ApplyOptions{}, &again, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w.creates() != before {
		t.Errorf("the second run made %d creating calls", w.creates()-before)
	}
	for _, r := range results {
		if !strings.HasPrefix(r.Line(), "✓ kept ") {
			t.Errorf("second run: %s", r.Line())
		}
	}
	if len(w.srv.Projects()) != 2 || len(w.srv.Clients(pid)) != 3 || len(w.srv.Policies("")) != 1 {
		t.Error("the second run changed what Globus holds")
	}
}

func TestApplyReusesSameNamed(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
	apiID, _ := w.srv.RegisterClient(pid, "Inference Gateway Service API", globustest.HybridConfidentialRS)
	acctID, acctSecret := w.srv.RegisterClient(pid, "Inference Gateway Endpoints", globustest.ClientIdentity)
	pubID, _ := w.srv.RegisterClient(pid, "Inference Gateway Public Client", globustest.PublicInstalledClient)
	polID := w.srv.AddPolicy(pid, "Inference Gateway High Assurance Policy", []string{"example.org"}, 3600)
	// A secret stored without its app's ID is kept once it is proven.
	w.set(map[string]string{"service_account.client_secret": acctSecret})

	plan, err := MakePlan(ctx, w.e, withDomains)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"project/project/reuse", "service_api/app/reuse", "service_api/client secret/create",
		"service_api/scope/create", "service_account/app/reuse", "service_account/client secret/keep",
		"public_client/app/reuse", "policy/policy/reuse"}
	if got := summary(plan); !slices.Equal(got, want) {
		t.Fatalf("plan:\n%s\nwant %v", strings.Join(plan.Lines(), "\n"), want)
	}
	lines := strings.Join(plan.Lines(), "\n")
	mustContain(t, lines, `reuse   project "Inference Gateway" (ID `+pid,
		`reuse   app "Inference Gateway Service API" (ID `+apiID,
		"domains example.org (not the wanted example.org example.edu", "re-authenticate after 3600 (1h)")

	if _, _, err := Apply(ctx, w.e, withDomains, &plan, nil); err != nil {
		t.Fatal(err)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/projects"); n != 0 {
		t.Errorf("%d projects created", n)
	}
	if n := w.srv.CountRequests("POST", "/v2/api/policies"); n != 0 {
		t.Errorf("%d policies created", n)
	}
	if n := len(w.srv.Clients(pid)); n != 3 {
		t.Errorf("%d apps in the project", n)
	}
	if n := len(w.srv.Credentials(apiID)); n != 2 {
		t.Errorf("the Service API app has %d secrets, want the seeded one and a new one", n)
	}
	if n := len(w.srv.Credentials(acctID)); n != 1 {
		t.Errorf("the service account has %d secrets, want its working one kept", n)
	}
	for k, v := range map[string]string{"project.id": pid, "project.contact_email": "ops@example.org",
		"service_api.client_id": apiID, "service_account.client_id": acctID, "public_client.client_id": pubID,
		"policy.id": polID, "policy.domains": "example.org", "policy.assurance_timeout": "3600"} {
		if got := w.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !w.works("service_api") || !w.works("service_account") {
		t.Error("a stored secret does not work")
	}
}

func TestApplyReplacesAStoredSecretThatFails(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
	apiID, _ := w.srv.RegisterClient(pid, "Inference Gateway Service API", globustest.HybridConfidentialRS)
	_, otherSecret := w.srv.RegisterClient(pid, "Other", globustest.ClientIdentity)
	w.set(map[string]string{"project.id": pid, "service_api.client_id": apiID, "service_api.client_secret": otherSecret})

	opts := ApplyOptions{Steps: []string{"service_api"}}
	plan, err := MakePlan(ctx, w.e, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(plan); !slices.Equal(got, []string{"service_api/app/keep", "service_api/client secret/create", "service_api/scope/create"}) {
		t.Fatalf("plan %v", got)
	}
	mustContain(t, plan.Items[1].Detail, "does not work")
	if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
		t.Fatal(err)
	}
	if !w.works("service_api") || len(w.srv.Credentials(apiID)) != 2 {
		t.Errorf("works %v, %d secrets", w.works("service_api"), len(w.srv.Credentials(apiID)))
	}
}

func TestApplyTwoSameNamedIsAProblem(t *testing.T) {
	t.Run("projects", func(t *testing.T) {
		w := newApplyWorld(t, true)
		a := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
		b := w.srv.AddProject("inference gateway", "ops@example.org", operator)
		_, err := MakePlan(context.Background(), w.e, withDomains)
		mustProblem(t, err, "2 projects named", a, b, "globus-setup set project.id")
		_, _, err = Apply(context.Background(), w.e, withDomains, nil, nil)
		mustProblem(t, err, "2 projects named")
		if w.creates() != 0 {
			t.Errorf("%d creating calls", w.creates())
		}
	})
	t.Run("apps", func(t *testing.T) {
		w := newApplyWorld(t, true)
		pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
		a, _ := w.srv.RegisterClient(pid, "Inference Gateway Endpoints", globustest.ClientIdentity)
		b, _ := w.srv.RegisterClient(pid, "Inference Gateway Endpoints", globustest.ClientIdentity)
		_, err := MakePlan(context.Background(), w.e, withDomains)
		mustProblem(t, err, "2 apps named", a, b, "globus-setup set service_account.client_id")
	})
	t.Run("wrong type", func(t *testing.T) {
		w := newApplyWorld(t, true)
		pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
		w.srv.RegisterClient(pid, "Inference Gateway Public Client", globustest.HybridConfidentialRS)
		_, err := MakePlan(context.Background(), w.e, withDomains)
		mustProblem(t, err, "not a thick client", "public_client.client_id")
	})
}

func TestApplyStoredIDUnknownIsAProblem(t *testing.T) {
	cases := []struct {
		name, key string
		value     func(w *applyWorld) string
	}{
		{"unknown project", "project.id", func(*applyWorld) string { return "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d" }},
		{"someone else's project", "project.id", func(w *applyWorld) string { return w.srv.Projects()[0].ID }},
		{"unknown app", "public_client.client_id", func(*applyWorld) string { return "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d" }},
		{"unknown policy", "policy.id", func(*applyWorld) string { return "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newApplyWorld(t, true)
			id := c.value(w)
			w.set(map[string]string{c.key: id})
			_, err := MakePlan(context.Background(), w.e, withDomains)
			mustProblem(t, err, c.key+" is "+id, "globus-setup set "+c.key)
			_, _, err = Apply(context.Background(), w.e, withDomains, nil, nil)
			mustProblem(t, err, c.key)
			if w.creates() != 0 {
				t.Errorf("%d creating calls", w.creates())
			}
		})
	}
}

func TestApplyNeedsLogin(t *testing.T) {
	w := newApplyWorld(t, false)
	if _, err := MakePlan(context.Background(), w.e, withDomains); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("MakePlan: %v", err)
	}
	if _, _, err := Apply(context.Background(), w.e, withDomains, nil, nil); !errors.Is(err, ErrNotLoggedIn) {
		t.Errorf("Apply: %v", err)
	}

	// A login Globus no longer accepts is no login either.
	w = newApplyWorld(t, true)
	w.srv.RevokeTokens(operator)
	_, err := MakePlan(context.Background(), w.e, withDomains)
	if !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("revoked login: %v", err)
	}
	mustContain(t, Hint(err), "globus-setup login")
}

func TestApplyInputs(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	_, err := MakePlan(ctx, w.e, ApplyOptions{})
	mustProblem(t, err, "policy.domains", "--domains")

	// Without the policy step, no domains are needed.
	plan, err := MakePlan(ctx, w.e, ApplyOptions{Steps: []string{"public_client", "project"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(plan); !slices.Equal(got, []string{"project/project/create", "public_client/app/create"}) {
		t.Errorf("plan %v", got)
	}

	_, err = MakePlan(ctx, w.e, ApplyOptions{Values: map[string]string{"policy.assurance_timeout": "forever", "service_api.client_secret": "x"}})
	var fe FieldErrors
	if !errors.As(err, &fe) || fe["policy.assurance_timeout"] == nil || fe["service_api.client_secret"] == nil {
		t.Errorf("bad inputs: %v", err)
	}
	_, err = MakePlan(ctx, w.e, ApplyOptions{Steps: []string{"groups"}})
	mustProblem(t, err, `"groups"`)

	// A later step alone needs the project stored first.
	_, err = MakePlan(ctx, w.e, ApplyOptions{Steps: []string{"service_api"}})
	mustProblem(t, err, "project.id", "--steps project")

	// Inputs given to the run are used and stored with what is created.
	opts := ApplyOptions{Steps: []string{"project", "policy"}, Values: map[string]string{
		"project.name": "ALCF Inference", "project.contact_email": "ops@example.org",
		"policy.domains": "example.edu", "policy.assurance_timeout": "90m"}}
	plan, err = MakePlan(ctx, w.e, opts)
	if err != nil {
		t.Fatal(err)
	}
	mustContain(t, strings.Join(plan.Lines(), "\n"), `create  project "ALCF Inference"`, "contact ops@example.org",
		`create  policy "ALCF Inference High Assurance Policy"`, "re-authenticate after 5400 (1h30m)")
	if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"project.name": "ALCF Inference", "project.contact_email": "ops@example.org",
		"policy.domains": "example.edu", "policy.assurance_timeout": "5400"} {
		if got := w.get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

func TestApplyRefusesAChangedPlan(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	approved, err := MakePlan(ctx, w.e, ApplyOptions{Steps: []string{"project"}})
	if err != nil {
		t.Fatal(err)
	}
	fresh, results, err := Apply(ctx, w.e, withDomains, &approved, nil)
	if !errors.Is(err, ErrPlanChanged) || len(results) != 0 {
		t.Fatalf("err %v, %d results", err, len(results))
	}
	mustContain(t, err.Error(), `app "Inference Gateway Service API"`)
	if fresh.Creates() != 8 || w.creates() != 0 {
		t.Errorf("fresh plan creates %d; %d creating calls made", fresh.Creates(), w.creates())
	}
	// The plan that was approved still runs.
	if _, _, err := Apply(ctx, w.e, ApplyOptions{Steps: []string{"project"}}, &approved, nil); err != nil {
		t.Fatal(err)
	}
}

// TestApplyCrashBetweenCreateAndStore loses the answer to each creating call
// after Globus has acted on it: the first run fails and leaves its intent;
// the second adopts what was made (or deletes the orphaned secret) and ends
// with exactly one of everything.
func TestApplyCrashBetweenCreateAndStore(t *testing.T) {
	cases := []struct {
		name, prefix, intent string
	}{
		{"project", "/v2/api/projects", intentKey("project", "project")},
		{"app", "/v2/api/clients", intentKey("service_api", "app")},                   // the first client POST is the Service API app
		{"credential", "/v2/api/clients/", intentKey("service_api", "client secret")}, // the first POST under a client is its secret
		{"policy", "/v2/api/policies", intentKey("policy", "policy")},
	}
	failures := map[string]globustest.Failure{
		"500":  {AfterHandling: true, Status: 500},
		"502":  {AfterHandling: true, Status: 502},
		"504":  {AfterHandling: true, Status: 504},
		"drop": {AfterHandling: true, Drop: true},
	}
	for _, c := range cases {
		for fname, f := range failures {
			t.Run(c.name+"/"+fname, func(t *testing.T) {
				w := newApplyWorld(t, true)
				ctx := context.Background()
				w.srv.FailNext("POST", c.prefix, 1, f)
				_, results, err := Apply(ctx, w.e, withDomains, nil, nil)
				if err == nil {
					t.Fatal("the first run did not fail")
				}
				if last := results[len(results)-1]; last.Err == nil {
					t.Fatalf("last result %s", last.Line())
				}
				mustContain(t, Hint(err), "run apply again")
				if got := w.intents(); !slices.Equal(got, []string{c.intent}) {
					t.Fatalf("intents after the crash: %v", got)
				}
				raw, _ := w.e.Vault.Internal(c.intent)
				orphan := readIntents(map[string]string{c.intent: raw})[c.intent]

				plan, err := MakePlan(ctx, w.e, withDomains)
				if err != nil {
					t.Fatal(err)
				}
				mustContain(t, strings.Join(plan.Lines(), "\n"), "an earlier run was interrupted")
				if _, _, err := Apply(ctx, w.e, withDomains, &plan, nil); err != nil {
					t.Fatal(err)
				}

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
					creds := w.srv.Credentials(w.get(p + ".client_id"))
					if len(creds) != 1 {
						t.Errorf("%s has secrets %+v, want one", p, creds)
					} else if c.name == "credential" && p == "service_api" && creds[0].Name == orphan.Name {
						t.Errorf("the orphaned secret %q was kept", orphan.Name)
					}
					if !w.works(p) {
						t.Errorf("the stored %s secret does not work", p)
					}
				}
				if got := w.intents(); len(got) != 0 {
					t.Errorf("intents left: %v", got)
				}
				if w.get("project.id") != pid || w.get("policy.id") != w.srv.Policies(pid)[0].ID {
					t.Error("the vault does not hold the adopted objects")
				}
			})
		}
	}
}

// An intent with no object behind it (the run died before its call) just
// creates.
func TestApplyIntentWithoutObjectCreates(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	if err := w.e.Vault.SetInternal(intentKey("project", "project"), `{"name":"Inference Gateway"}`); err != nil {
		t.Fatal(err)
	}
	opts := ApplyOptions{Steps: []string{"project"}}
	plan, err := MakePlan(ctx, w.e, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(plan); !slices.Equal(got, []string{"project/project/create"}) {
		t.Fatalf("plan %v", got)
	}
	if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
		t.Fatal(err)
	}
	if len(w.srv.Projects()) != 2 || len(w.intents()) != 0 {
		t.Errorf("projects %+v, intents %v", w.srv.Projects(), w.intents())
	}
}

func TestApplyNeverShowsSecrets(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	var lines []string
	collect := func(r ApplyResult) { lines = append(lines, r.Line()) }
	run := func(opts ApplyOptions) error {
		plan, err := MakePlan(ctx, w.e, opts)
		if err != nil {
			return err
		}
		lines = append(lines, plan.Lines()...)
		_, results, err := Apply(ctx, w.e, opts, &plan, collect)
		for _, r := range results {
			lines = append(lines, r.Line())
		}
		if err != nil {
			lines = append(lines, err.Error(), Hint(err))
		}
		return err
	}
	// A lost answer to a new secret, then the run that replaces it.
	w.srv.FailNext("POST", "/v2/api/clients/", 1, globustest.Failure{AfterHandling: true, Status: 500})
	if err := run(withDomains); err == nil {
		t.Fatal("the first run did not fail")
	}
	if err := run(withDomains); err != nil {
		t.Fatal(err)
	}
	// A stored secret that no longer works is replaced.
	_, other := w.srv.RegisterClient(w.get("project.id"), "Other", globustest.ClientIdentity)
	w.set(map[string]string{"service_account.client_secret": other})
	if err := run(withDomains); err != nil {
		t.Fatal(err)
	}

	secrets := []string{other, w.get("service_api.client_secret"), w.get("service_account.client_secret")}
	if l, ok := readLogin(w.e.Vault.Doc().Internal); ok {
		for _, tok := range l.Tokens {
			secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
		}
	}
	all := strings.Join(append(lines, w.out.String()), "\n")
	if len(lines) < 20 {
		t.Fatalf("only %d lines collected", len(lines))
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(all, s) {
			t.Errorf("a secret or token appears in the output")
		}
	}
}

// A kept or reused project keeps its own name and contact: apps and the
// policy are named after it, and a typed name or contact that differs is
// said in the plan, never silently replaced or stored.
func TestApplyKeepsTheProjectsOwnName(t *testing.T) {
	cases := []struct {
		name   string
		stored map[string]string // besides project.id
		values map[string]string
		notes  []string
	}{
		{"typed", nil,
			map[string]string{"project.name": "Inference Gateway", "project.contact_email": "other@example.org"},
			[]string{`not renamed to "Inference Gateway": apply never renames`,
				"contact ops@example.org", "contact other@example.org not applied"}},
		{"stored", map[string]string{"project.name": "Inference Gateway"}, nil,
			[]string{"contact ops@example.org"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := newApplyWorld(t, true)
			ctx := context.Background()
			pid := w.srv.AddProject("ALCF Inference", "ops@example.org", operator)
			apiID, _ := w.srv.RegisterClient(pid, "ALCF Inference Service API", globustest.HybridConfidentialRS)
			stored := map[string]string{"project.id": pid}
			for k, v := range c.stored {
				stored[k] = v
			}
			w.set(stored)
			opts := ApplyOptions{Values: map[string]string{"policy.domains": "example.org"}}
			for k, v := range c.values {
				opts.Values[k] = v
			}
			plan, err := MakePlan(ctx, w.e, opts)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"project/project/keep", "service_api/app/reuse", "service_api/client secret/create",
				"service_api/scope/create", "service_account/app/create", "service_account/client secret/create",
				"public_client/app/create", "policy/policy/create"}
			if got := summary(plan); !slices.Equal(got, want) {
				t.Fatalf("plan:\n%s\nwant %v", strings.Join(plan.Lines(), "\n"), want)
			}
			mustContain(t, plan.Items[0].Line(), append([]string{`keep    project "ALCF Inference" (ID ` + pid}, c.notes...)...)
			mustContain(t, strings.Join(plan.Lines(), "\n"), `reuse   app "ALCF Inference Service API" (ID `+apiID,
				`create  app "ALCF Inference Endpoints"`, `create  policy "ALCF Inference High Assurance Policy"`)
			if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
				t.Fatal(err)
			}
			if got := w.get("project.name"); got != "ALCF Inference" {
				t.Errorf("project.name = %q, want the project's own name", got)
			}
			if got := w.get("project.contact_email"); got != "ops@example.org" {
				t.Errorf("project.contact_email = %q, want the project's own contact", got)
			}
			if got := w.srv.Projects()[1]; got.Name != "ALCF Inference" || got.ContactEmail != "ops@example.org" {
				t.Errorf("the project on Globus changed: %+v", got)
			}
			var names []string
			for _, cl := range w.srv.Clients(pid) {
				names = append(names, cl.Name)
			}
			if !slices.Equal(names, []string{"ALCF Inference Service API", "ALCF Inference Endpoints", "ALCF Inference Public Client"}) {
				t.Errorf("apps %q", names)
			}
			if again, err := MakePlan(ctx, w.e, opts); err != nil || again.Creates() != 0 {
				t.Errorf("a rerun would create %d (%v)", again.Creates(), err)
			}
		})
	}
}

// A kept project with no contact e-mail shows none, rather than "contact "
// with nothing after it.
func TestApplyKeptProjectWithoutContact(t *testing.T) {
	w := newApplyWorld(t, true)
	pid := w.srv.AddProject("Inference Gateway", "", operator)
	w.set(map[string]string{"project.id": pid})
	plan, err := MakePlan(context.Background(), w.e, ApplyOptions{Steps: []string{"project"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Items) != 1 || strings.Contains(plan.Items[0].Line(), "contact") {
		t.Fatalf("plan:\n%s", strings.Join(plan.Lines(), "\n"))
	}
	if _, _, err := Apply(context.Background(), w.e, ApplyOptions{Steps: []string{"project"}}, &plan, nil); err != nil {
		t.Fatal(err)
	}
	if got := w.get("project.contact_email"); got != "" {
		t.Errorf("project.contact_email = %q", got)
	}
}

// Values Globus holds that the validators reject: an optional one is not
// stored and the plan says so; policy domains, which the gateway must use,
// are a Problem naming the policy and the value.
func TestApplyValuesGlobusHoldsThatDoNotValidate(t *testing.T) {
	t.Run("optional", func(t *testing.T) {
		w := newApplyWorld(t, true)
		ctx := context.Background()
		pid := w.srv.AddProject("Inference Gateway", "ops at example.org", operator)
		tooLong := MaxDurationSeconds + 1
		w.srv.AddPolicy(pid, "Inference Gateway High Assurance Policy", []string{"Example.org"}, tooLong)
		opts := ApplyOptions{Steps: []string{"project", "policy"}}
		plan, err := MakePlan(ctx, w.e, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(plan); !slices.Equal(got, []string{"project/project/reuse", "policy/policy/reuse"}) {
			t.Fatalf("plan %v", got)
		}
		mustContain(t, plan.Items[0].Detail, `its contact e-mail "ops at example.org" is not one the vault accepts`, "not stored")
		if strings.Contains(plan.Items[0].Detail, "contact ops") {
			t.Errorf("the plan shows the rejected contact as the contact: %s", plan.Items[0].Detail)
		}
		mustContain(t, plan.Items[1].Detail, `its re-authentication time "`+strconv.Itoa(tooLong)+`" is not one the vault accepts`)
		if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
			t.Fatal(err)
		}
		for k, v := range map[string]string{"project.id": pid, "project.contact_email": "", "policy.domains": "Example.org",
			"policy.assurance_timeout": ""} {
			if got := w.get(k); got != v {
				t.Errorf("%s = %q, want %q", k, got, v)
			}
		}
		// The rerun gets past it as well.
		if _, _, err := Apply(ctx, w.e, opts, nil, nil); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("policy domains", func(t *testing.T) {
		w := newApplyWorld(t, true)
		ctx := context.Background()
		pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
		polID := w.srv.AddPolicy(pid, "Inference Gateway High Assurance Policy", []string{"*.example.org"}, 3600)
		_, err := MakePlan(ctx, w.e, withDomains)
		mustProblem(t, err, `policy "Inference Gateway High Assurance Policy"`, polID, `"*.example.org"`, "developers console", "globus-setup set policy.id")
		var fe FieldErrors
		if errors.As(err, &fe) {
			t.Errorf("a FieldErrors about a key the operator never typed: %v", fe)
		}
		_, _, err = Apply(ctx, w.e, withDomains, nil, nil)
		mustProblem(t, err, polID)
		if w.creates() != 0 {
			t.Errorf("%d creating calls", w.creates())
		}
	})
}

// A stored app ID of the wrong type is caught when it is kept, not only when
// a secret is made for it (a public client never gets one).
func TestApplyStoredAppOfTheWrongType(t *testing.T) {
	cases := []struct{ key, clientType, name string }{
		{"service_api.client_id", globustest.PublicInstalledClient, "Some Thick Client"},
		{"public_client.client_id", globustest.ClientIdentity, "Some Service Account"},
	}
	for _, c := range cases {
		t.Run(c.key, func(t *testing.T) {
			w := newApplyWorld(t, true)
			pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
			id, _ := w.srv.RegisterClient(pid, c.name, c.clientType)
			w.set(map[string]string{"project.id": pid, c.key: id})
			_, err := MakePlan(context.Background(), w.e, withDomains)
			mustProblem(t, err, c.key+" is "+id, `"`+c.name+`"`, c.clientType, "globus-setup set "+c.key)
			_, _, err = Apply(context.Background(), w.e, withDomains, nil, nil)
			mustProblem(t, err, c.key)
			if w.creates() != 0 {
				t.Errorf("%d creating calls", w.creates())
			}
		})
	}
}

// dropProjectFilter removes ?project_id= from requests, as a Globus that
// ignores the (undocumented) filter would.
type dropProjectFilter struct{ next http.RoundTripper }

func (d dropProjectFilter) RoundTrip(r *http.Request) (*http.Response, error) {
	if q := r.URL.Query(); q.Has("project_id") {
		r = r.Clone(r.Context())
		q.Del("project_id")
		r.URL.RawQuery = q.Encode()
	}
	return d.next.RoundTrip(r)
}

// An app of the intended name in another of the operator's projects is not
// reused, even when Globus lists every app the operator administers.
func TestApplyIgnoresSameNamedAppOfAnotherProject(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	g, err := globus.New(w.e.Globus.Environment(), globus.WithHTTPClient(&http.Client{Transport: dropProjectFilter{http.DefaultTransport}}),
		globus.WithSleep(func(ctx context.Context, _ time.Duration) error { return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	w.e.Globus = g
	pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
	old := w.srv.AddProject("Old Gateway", "ops@example.org", operator)
	oldID, _ := w.srv.RegisterClient(old, "Inference Gateway Service API", globustest.HybridConfidentialRS)
	w.set(map[string]string{"project.id": pid})

	opts := ApplyOptions{Steps: []string{"service_api"}}
	plan, err := MakePlan(ctx, w.e, opts)
	if err != nil {
		t.Fatal(err)
	}
	if w.srv.CountRequests("GET", "/v2/api/clients") == 0 {
		t.Fatal("the apps were not listed")
	}
	if got := summary(plan); !slices.Equal(got, []string{"service_api/app/create", "service_api/client secret/create", "service_api/scope/create"}) {
		t.Fatalf("plan:\n%s", strings.Join(plan.Lines(), "\n"))
	}
	if _, _, err := Apply(ctx, w.e, opts, &plan, nil); err != nil {
		t.Fatal(err)
	}
	made := w.srv.Clients(pid)
	if len(made) != 1 || w.get("service_api.client_id") != made[0].ID {
		t.Errorf("apps in the project %+v, stored %q", made, w.get("service_api.client_id"))
	}
	if len(w.srv.Clients(old)) != 1 || len(w.srv.Credentials(oldID)) != 1 {
		t.Error("the other project's app was touched")
	}
}

// Two apply runs on one vault never run at once: the second is refused
// before it looks or creates anything, and the lock goes with the run.
func TestApplyOneRunAtATime(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	// The second run opens the vault on its own, as another process would.
	other, err := vault.Open(w.e.Vault.Paths(), []byte("test passphrase"), vault.Options{WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	otherEnv := &Env{Vault: other, Globus: w.e.Globus}
	var second error
	var secondResults []ApplyResult
	tried, made, requests := false, 0, 0
	during := func(r ApplyResult) {
		if tried {
			return
		}
		tried = true
		before, reqs := w.creates(), len(w.srv.Requests())
		_, secondResults, second = Apply(ctx, otherEnv, withDomains, nil, nil)
		made, requests = w.creates()-before, len(w.srv.Requests())-reqs
	}
	if _, _, err := Apply(ctx, w.e, withDomains, nil, during); err != nil {
		t.Fatal(err)
	}
	mustProblem(t, second, "another globus-setup apply is running on this vault", "run apply again")
	if len(secondResults) != 0 || made != 0 || requests != 0 {
		t.Errorf("the refused run: %d results, %d creating calls, %d requests", len(secondResults), made, requests)
	}
	if len(w.srv.Projects()) != 2 || len(w.srv.Clients(w.get("project.id"))) != 3 {
		t.Errorf("not one of everything: projects %+v", w.srv.Projects())
	}
	plan, _, err := Apply(ctx, otherEnv, withDomains, nil, nil)
	if err != nil || plan.Creates() != 0 {
		t.Errorf("the run after: %d creates (%v)", plan.Creates(), err)
	}
}

// An orphan's intent read by a plan may be stale: a run that stored the
// secret since cleared it, and that secret must not be deleted.
func TestApplyDoesNotDeleteASecretStoredSince(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	pid := w.srv.AddProject("Inference Gateway", "ops@example.org", operator)
	apiID, _ := w.srv.RegisterClient(pid, "Inference Gateway Service API", globustest.HybridConfidentialRS)
	w.set(map[string]string{"project.id": pid, "service_api.client_id": apiID})
	key := intentKey("service_api", "client secret")
	in, _ := json.Marshal(applyIntent{Name: "inference compute endpoints 0a1b2c", ClientID: apiID})
	if err := w.e.Vault.SetInternal(key, string(in)); err != nil {
		t.Fatal(err)
	}
	secret, err := w.srv.AddClientSecret(apiID, "inference compute endpoints 0a1b2c")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlanner(ctx, w.e, ApplyOptions{Steps: []string{"service_api"}})
	if err != nil {
		t.Fatal(err)
	}
	intent := p.intentFor("service_api", "client secret")
	if intent == nil {
		t.Fatal("the planner did not read the intent")
	}
	// Meanwhile the run that made it stores it and clears its intent.
	if err := storeAndClear(w.e.Vault, map[string]string{"service_api.client_secret": secret}, ReadBack{}, key); err != nil {
		t.Fatal(err)
	}
	if err := p.deleteOrphans(ctx, key, *intent, apiID); err != nil {
		t.Fatal(err)
	}
	if n := len(w.srv.Credentials(apiID)); n != 2 || !w.works("service_api") {
		t.Errorf("%d secrets left, the stored one works: %v", n, w.works("service_api"))
	}
}

// An intent is recorded only when a creating call goes out, and it stays
// only while that call may have made something.
func TestApplyLeavesNoIntentWhenNothingWasMade(t *testing.T) {
	t.Run("stopped before sending", func(t *testing.T) {
		w := newApplyWorld(t, true)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		stop := func(r ApplyResult) {
			if r.Item.What == "project" {
				cancel()
			}
		}
		_, results, err := Apply(ctx, w.e, withDomains, nil, stop)
		if !errors.Is(err, context.Canceled) || len(results) != 2 {
			t.Fatalf("err %v, %d results", err, len(results))
		}
		if got := w.intents(); len(got) != 0 {
			t.Errorf("intents left: %v", got)
		}
		if w.creates() != 1 {
			t.Errorf("%d creating calls, want only the project's", w.creates())
		}
		plan, err := MakePlan(context.Background(), w.e, withDomains)
		if err != nil {
			t.Fatal(err)
		}
		if l := strings.Join(plan.Lines(), "\n"); strings.Contains(l, "interrupted") {
			t.Errorf("the next plan claims an interrupted run:\n%s", l)
		}
	})
	cases := []struct {
		name, prefix string
		status       int
	}{
		{"project", "/v2/api/projects", 400},
		{"app", "/v2/api/clients", 403},
		{"credential", "/v2/api/clients/", 409},
		{"policy", "/v2/api/policies", 422},
	}
	for _, c := range cases {
		t.Run(c.name+" refused", func(t *testing.T) {
			w := newApplyWorld(t, true)
			ctx := context.Background()
			w.srv.FailNext("POST", c.prefix, 1, globustest.Failure{Status: c.status})
			_, _, err := Apply(ctx, w.e, withDomains, nil, nil)
			if !globus.IsStatus(err, c.status) {
				t.Fatalf("err %v, want the %d", err, c.status)
			}
			if got := w.intents(); len(got) != 0 {
				t.Errorf("intents left: %v", got)
			}
			plan, err := MakePlan(ctx, w.e, withDomains)
			if err != nil {
				t.Fatal(err)
			}
			if l := strings.Join(plan.Lines(), "\n"); strings.Contains(l, "interrupted") {
				t.Errorf("the next plan claims an interrupted run:\n%s", l)
			}
			if _, _, err := Apply(ctx, w.e, withDomains, &plan, nil); err != nil {
				t.Fatal(err)
			}
			if len(w.srv.Projects()) != 2 || len(w.srv.Clients(w.get("project.id"))) != 3 {
				t.Errorf("not one of everything: projects %+v", w.srv.Projects())
			}
		})
	}
}

// The first login needs a thick client, so a new operator registers the
// public client by hand, in a project of their own naming, before any
// project is stored: the plan puts everything in that project, not a new
// one, and keeps the public client.
func TestApplyUsesTheProjectOfAStoredApp(t *testing.T) {
	w := newApplyWorld(t, true)
	ctx := context.Background()
	pid := w.srv.AddProject("My GW", "ops@example.org", operator)
	pub, _ := w.srv.RegisterClient(pid, "GW Public", globustest.PublicInstalledClient)
	w.set(map[string]string{"public_client.client_id": pub})
	plan, err := MakePlan(ctx, w.e, withDomains)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(plan); got[0] != "project/project/reuse" || !slices.Contains(got, "public_client/app/keep") {
		t.Fatalf("plan:\n%s", strings.Join(plan.Lines(), "\n"))
	}
	mustContain(t, strings.Join(plan.Lines(), "\n"), `"My GW"`, "the project of the stored app GW Public (a thick client)")
	if _, _, err := Apply(ctx, w.e, withDomains, &plan, nil); err != nil {
		t.Fatal(err)
	}
	if w.get("project.id") != pid || len(w.srv.Clients(pid)) != 3 {
		t.Fatalf("stored project %q; apps in My GW: %d", w.get("project.id"), len(w.srv.Clients(pid)))
	}

	// Apps stored from two projects: which one is meant is not guessed.
	w2 := newApplyWorld(t, true)
	a := w2.srv.AddProject("A", "ops@example.org", operator)
	b := w2.srv.AddProject("B", "ops@example.org", operator)
	pubA, _ := w2.srv.RegisterClient(a, "Public", globustest.PublicInstalledClient)
	acctB, secB := w2.srv.RegisterClient(b, "Endpoints", globustest.ClientIdentity)
	w2.set(map[string]string{"public_client.client_id": pubA, "service_account.client_id": acctB, "service_account.client_secret": secB})
	_, err = MakePlan(ctx, w2.e, withDomains)
	mustProblem(t, err, "the stored apps are in two projects", "globus-setup set project.id")
}

// The one form offers the stored apps' project (name, contact, group name
// from it), which the plan reuses, not defaults the plan would not apply.
func TestSuggestOffersTheProjectOfTheStoredApps(t *testing.T) {
	w := newApplyWorld(t, true)
	pid := w.srv.AddProject("My GW", "gw-team@example.org", operator)
	pub, _ := w.srv.RegisterClient(pid, "GW Public", globustest.PublicInstalledClient)
	w.set(map[string]string{"public_client.client_id": pub})
	got, err := Suggest(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"project.name": "My GW", "project.contact_email": "gw-team@example.org", SetupGroupName: "My GW Users"}
	for _, s := range got {
		if v, ok := want[s.Key]; ok && s.Value != v {
			t.Errorf("%s suggested %q (%s), want %q", s.Key, s.Value, s.From, v)
		}
	}
}

// A stored project is kept as it is: the one form offers its own contact,
// not the login's e-mail, which the plan would say it does not apply
// (tester item 6).
func TestSuggestOffersTheStoredProjectsContact(t *testing.T) {
	w := newApplyWorld(t, true)
	pid := w.srv.AddProject("My GW", "gw-team@example.org", operator)
	w.set(map[string]string{"project.id": pid, "project.name": "My GW"})
	got, err := Suggest(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got {
		if s.Key == "project.contact_email" && s.Value != "gw-team@example.org" {
			t.Errorf("contact suggested %q (%s), want the project's own", s.Value, s.From)
		}
	}
	p, err := MakePlan(context.Background(), w.e, ApplyOptions{Values: map[string]string{"project.contact_email": "gw-team@example.org", "policy.domains": "example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if l := strings.Join(p.Lines(), "\n"); strings.Contains(l, "not applied") {
		t.Errorf("the plan with the suggested contact says it is not applied:\n%s", l)
	}
}
