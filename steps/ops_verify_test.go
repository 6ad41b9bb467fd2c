package steps

import (
	"context"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

func lines(cs []Check) string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Line())
	}
	return strings.Join(out, "\n")
}

func statusOf(t *testing.T, cs []Check, name string) Check {
	t.Helper()
	for _, c := range cs {
		if strings.HasPrefix(c.Name, name) {
			return c
		}
	}
	t.Fatalf("no check %q in\n%s", name, lines(cs))
	return Check{}
}

// readyWorld has the scope and a group, as after the automated steps.
func readyWorld(t testing.TB) *world {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := EnsureScope(ctx, w.e); err != nil {
		t.Fatal(err)
	}
	if _, err := CreateGroup(ctx, w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org"}, AsClient: true}); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestVerifyAllPassAndSkip(t *testing.T) {
	w := readyWorld(t)
	ctx := context.Background()
	cs := VerifyAll(ctx, w.e)
	out := lines(cs)
	if AnyFailed(cs) {
		t.Fatalf("failures:\n%s", out)
	}
	mustContain(t, out,
		"- Operator login: skipped: not logged in",
		"- Project exists: skipped: log in to check",
		"✓ Service API credentials work (client "+w.apiID[:8]+"…)",
		"✓ Service API app is a confidential client (hybrid_confidential_client_resource_server)",
		"✓ action_all scope has the Groups dependent scope (https://auth.globus.org/scopes/"+w.apiID+"/action_all)",
		"✓ Service Account credentials work",
		"✓ Service Account app is a service account (client_identity)",
		"- Public client exists and is public: skipped: log in to check",
		"- Policy is high assurance with the stored domains: skipped: log in to check",
		"✓ Group \"Demo Inference Gateway Users\" exists and holds its members (2 members on Globus, the 1 stored among them)")
	if strings.Contains(out, w.apiSecret) || strings.Contains(out, w.acctSecret) {
		t.Fatal("a secret in the report")
	}

	w.login()
	cs = VerifyAll(ctx, w.e)
	out = lines(cs)
	for _, c := range cs {
		if c.Status != CheckPass {
			t.Errorf("logged in, not passing: %s", c.Line())
		}
	}
	mustContain(t, out, "✓ Project exists (\"Demo Inference Gateway\"", "✓ Public client exists and is public (public_installed_client",
		"✓ Policy is high assurance with the stored domains (example.org example.edu)")

	if err := RecordChecks(w.e, cs); err != nil {
		t.Fatal(err)
	}
	for _, s := range Catalogue() {
		if st, _ := stateIn(t, w.e.Vault, s.ID); st != StateVerified {
			t.Errorf("step %s is %s after all checks passed", s.ID, st)
		}
	}
}

func TestVerifyAllFailures(t *testing.T) {
	w := readyWorld(t)
	w.login()
	ctx := context.Background()
	if err := RecordChecks(w.e, VerifyAll(ctx, w.e)); err != nil {
		t.Fatal(err)
	}
	bad := "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5"
	w.set(map[string]string{
		"service_account.client_secret": bad,
		"policy.domains":                "example.org anl.gov",
		"public_client.client_id":       w.acctID,
		"groups.users.members":          "alice@example.org bob@example.edu",
	})
	cs := VerifyAll(ctx, w.e)
	out := lines(cs)
	if !AnyFailed(cs) {
		t.Fatal("no failure")
	}
	if strings.Contains(out, bad) {
		t.Fatal("the secret is in the report")
	}
	c := statusOf(t, cs, "Service Account credentials work")
	if c.Status != CheckFail {
		t.Fatal(c.Line())
	}
	mustContain(t, c.Line(), "✗ Service Account credentials work: ", "did not accept", " — ", "service_account.client_secret")
	mustContain(t, statusOf(t, cs, "Policy").Line(), "✗ Policy", "lacks anl.gov", "also has example.edu", "AUTHORIZED_IDP_DOMAINS")
	mustContain(t, statusOf(t, cs, "Public client").Line(), "✗ Public client", "is not public (client_identity)")
	mustContain(t, statusOf(t, cs, "Group ").Line(), "lacks bob@example.edu", "globus-setup group add users bob@example.edu")
	if c := statusOf(t, cs, "Service API credentials"); c.Status != CheckPass {
		t.Error(c.Line())
	}

	// The per-step Verify of the catalogue reports and demotes.
	if err := MarkState(w.e.Vault, "policy", StateVerified, ""); err != nil {
		t.Fatal(err)
	}
	s, _ := StepByID("policy")
	rep, err := s.Verify(ctx, w.e)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || len(rep.Lines) != 2 || !strings.HasPrefix(rep.Lines[0], "✗ ") || !strings.HasPrefix(rep.Lines[1], "✗ The gateway would start") {
		t.Fatalf("%+v", rep)
	}
	st, note := stateIn(t, w.e.Vault, "policy")
	if st != StateDone || !strings.Contains(note, "verification failed") {
		t.Errorf("policy step %s %q", st, note)
	}
}

func TestVerifyStepMarksVerified(t *testing.T) {
	w := readyWorld(t)
	s, _ := StepByID("service_api")
	rep, err := s.Verify(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK || len(rep.Lines) != 3 {
		t.Fatalf("%+v", rep)
	}
	if st, _ := stateIn(t, w.e.Vault, "service_api"); st != StateVerified {
		t.Errorf("state %s", st)
	}
	// A step with a skipped check is not marked verified.
	s, _ = StepByID("policy")
	rep, err = s.Verify(context.Background(), w.e)
	if err != nil || !rep.OK {
		t.Fatalf("%+v %v", rep, err)
	}
	if st, _ := stateIn(t, w.e.Vault, "policy"); st == StateVerified {
		t.Error("verified without checking")
	}
}

func TestVerifyScopeMissingAndWrong(t *testing.T) {
	w := newWorld(t)
	cs := VerifyStep(context.Background(), w.e, "service_api")
	mustContain(t, lines(cs), "✗ action_all scope has the Groups dependent scope: no action_all scope is stored — run `globus-setup scope create`")
	id, str, err := w.srv.AddScope(w.apiID, "action_all")
	if err != nil {
		t.Fatal(err)
	}
	w.set(map[string]string{"service_api.scope_id": id, "service_api.scope_string": str})
	cs = VerifyStep(context.Background(), w.e, "service_api")
	mustContain(t, lines(cs), "✗ action_all scope has the Groups dependent scope: the action_all scope "+id+" is not the one the gateway needs", "lacks the Groups dependent scope")
}

func TestVerifyGroupOfOperatorWithoutLogin(t *testing.T) {
	w := newWorld(t)
	w.login()
	if _, err := CreateGroup(context.Background(), w.e, GroupRequest{Name: "users", Members: []string{"alice@example.org"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := Logout(w.e.Vault); err != nil {
		t.Fatal(err)
	}
	c := statusOf(t, VerifyStep(context.Background(), w.e, "groups"), "Group ")
	if c.Status != CheckSkip || !strings.Contains(c.Detail, "log in to check") {
		t.Errorf("%s", c.Line())
	}
	w.login()
	w.set(map[string]string{"groups.users.id": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"})
	c = statusOf(t, VerifyStep(context.Background(), w.e, "groups"), "Group ")
	if c.Status != CheckFail || !strings.Contains(c.Line(), "does not exist") {
		t.Errorf("%s", c.Line())
	}
}

// A group member whose identity domain is outside AUTHORIZED_IDP_DOMAINS can
// never get in: verify says so (the proof would refuse them), without failing.
func TestVerifyWarnsMemberOutsideDomains(t *testing.T) {
	w := readyWorld(t)
	ctx := context.Background()
	w.srv.AddIdentity("carol@elsewhere.net", "Carol", "carol@elsewhere.net", "")
	if _, err := AddGroupMembers(ctx, w.e, "users", []string{"carol@elsewhere.net"}, true); err != nil {
		t.Fatal(err)
	}
	c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group ")
	if c.Status != CheckPass {
		t.Fatal(c.Line())
	}
	mustContain(t, c.Line(), "warning: the gateway will refuse carol@elsewhere.net (elsewhere.net)", "AUTHORIZED_IDP_DOMAINS (example.org example.edu)")
	if strings.Contains(c.Line(), "alice@example.org") {
		t.Errorf("warns about a member inside the domains: %s", c.Line())
	}
}

// A member only invited is refused by the gateway (Groups counts an
// invitation once accepted) and by the proof: verify says so rather than
// "holds its members", whether or not the member is stored, and passes
// once they accept.
func TestVerifyGroupWithInvitationNotAccepted(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	gid := w.srv.AddGroup("Gateway Users", "operator@example.org")
	w.set(map[string]string{"groups.users.id": gid})
	if err := w.srv.Invite(gid, "alice@example.org", "member"); err != nil {
		t.Fatal(err)
	}
	c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group ")
	if c.Status != CheckFail {
		t.Fatalf("an invitation not accepted passes: %s", c.Line())
	}
	mustContain(t, c.Line(), `Group "Gateway Users"`, "alice@example.org invited but not a member yet", "until they accept", "globus-setup group add users alice@example.org")

	w.set(map[string]string{"groups.users.members": "alice@example.org"})
	if c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group "); c.Status != CheckFail || !strings.Contains(c.Line(), "invited but not a member yet") {
		t.Errorf("a stored member only invited: %s", c.Line())
	}
	if err := w.srv.AddMember(gid, "alice@example.org", "member"); err != nil { // accepted
		t.Fatal(err)
	}
	if c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group "); c.Status != CheckPass {
		t.Errorf("accepted: %s", c.Line())
	}
}

// A Service Account app registered in another project is caught at step 3:
// the gateway reads the policy with it, and only the project's own apps can.
func TestVerifyServiceAccountOfAnotherProject(t *testing.T) {
	w := readyWorld(t)
	other := w.srv.AddProject("Elsewhere", "ops@example.org", operator)
	id, secret := w.srv.RegisterClient(other, "Endpoints", globustest.ClientIdentity)
	w.set(map[string]string{"service_account.client_id": id, "service_account.client_secret": secret})
	s, _ := StepByID("service_account")
	rep, err := s.Verify(context.Background(), w.e)
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rep.Lines, "\n")
	if rep.OK || !strings.Contains(got, "belongs to project "+other) || !strings.Contains(got, "policy") {
		t.Fatalf("a Service Account of another project passed:\n%s", got)
	}
}
