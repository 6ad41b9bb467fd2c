package steps

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
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
	_, err := w.e.Globus.ClientCredentialsToken(context.Background(), cred)
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
		`create  app "Inference Gateway Service API" (a service API, redirect URI http://localhost:8000)`,
		`create  app "Inference Gateway Public Client" (a thick client, redirect URI `+w.e.Globus.Environment().AuthCodeRedirectURI()+`)`,
		`create  client secret "inference compute endpoints"`,
		`create  policy "Inference Gateway High Assurance Policy" (high assurance, domains example.org example.edu; re-authenticate after 8h)`)

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
		if slices.Contains(ApplyStepIDs, s.Step.ID) && s.State != StateDone {
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
		"domains example.org (not the wanted example.org example.edu", "re-authenticate after 1h")

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
		`create  policy "ALCF Inference High Assurance Policy"`, "re-authenticate after 1h30m")
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
