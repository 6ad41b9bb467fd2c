package flow

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

const operator = "operator@example.org"

// scriptUI is a person answering from a script: answers by question key
// (a function may look at the question), confirmations by key; a question
// without an answer is not asked (as the commands with no terminal).
type scriptUI struct {
	answer  map[string]func(Question) string
	confirm map[string]bool
	asked   []Question
	shown   []Link
	said    []string
}

func (u *scriptUI) Ask(_ context.Context, q Question) (string, error) {
	u.asked = append(u.asked, q)
	f, ok := u.answer[q.Key]
	if !ok {
		return "", NotAsked(q.Label, "")
	}
	v := f(q)
	if q.Validate != nil && v != "" {
		if err := q.Validate(v); err != nil {
			return "", err
		}
	}
	return v, nil
}

func (u *scriptUI) Confirm(_ context.Context, c Confirm) (bool, error) {
	if c.Harmless {
		return true, nil
	}
	yes, ok := u.confirm[c.Key]
	if !ok {
		return false, NotAsked(c.Ask, "")
	}
	return yes, nil
}

func (u *scriptUI) Show(l Link)            { u.shown = append(u.shown, l) }
func (u *scriptUI) Progress(p Progress)    { u.said = append(u.said, p.Doing+p.Note+p.Line) }
func (u *scriptUI) Outcome(o Outcome)      { u.said = append(u.said, append(o.Report, o.Summary...)...) }
func (u *scriptUI) Words() steps.Namer     { return steps.CLI }
func (u *scriptUI) saidAll() string        { return strings.Join(u.said, "\n") }
func fixed(v string) func(Question) string { return func(Question) string { return v } }

// world is the emulator with the operator, a thick client of theirs to log
// in through and an empty vault.
func world(t *testing.T) (*globustest.Server, *steps.Env, string) {
	t.Helper()
	srv, _ := globustest.NewTestServer(t)
	srv.AddIdentity(operator, "Op", operator, "")
	srv.SetOperator(operator)
	tools := srv.AddProject("Operator Tools", operator, operator)
	thick, _ := srv.RegisterClient(tools, "My CLI", globustest.PublicInstalledClient)
	g, err := globus.New(globus.Environment{Name: "custom", AuthURL: srv.AuthURL(), GroupsURL: srv.GroupsURL(), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Create(vault.PathsFor(filepath.Join(t.TempDir(), "vault.age")), []byte("flow test passphrase"), vault.Options{WorkFactor: 10})
	if err != nil {
		t.Fatal(err)
	}
	return srv, &steps.Env{Vault: v, Globus: g}, thick
}

// login answers the code question by approving its link.
func login(t *testing.T, srv *globustest.Server) func(Question) string {
	return func(q Question) string {
		code, err := srv.ApproveLogin(q.Link.URL)
		if err != nil {
			t.Error(err)
		}
		return code
	}
}

// A refused code is asked again, with the refusal and the same link; where
// nobody can paste another, the refusal itself is the answer.
func TestLoginAsksAgainForARefusedCode(t *testing.T) {
	srv, e, thick := world(t)
	tries := 0
	ui := &scriptUI{answer: map[string]func(Question) string{
		KeyLoginCode: func(q Question) string {
			if tries++; tries == 1 {
				return "not-a-code"
			}
			return login(t, srv)(q)
		},
	}}
	r, err := Login(context.Background(), ui, e, LoginOptions{ClientID: thick})
	if err != nil || r.Info.ClientID != thick {
		t.Fatalf("login: %+v, %v", r, err)
	}
	if len(ui.asked) != 2 || ui.asked[1].Again == nil || ui.asked[1].Link.URL != ui.asked[0].Link.URL {
		t.Fatalf("the refused code was not asked again with its refusal and the same link: %+v", ui.asked)
	}
	if !strings.Contains(ui.saidAll(), "Logged in through client "+thick) {
		t.Errorf("the login's outcome was not shown:\n%s", ui.saidAll())
	}

	if _, err := steps.Logout(e.Vault); err != nil {
		t.Fatal(err)
	}
	noAgain := &againless{scriptUI: &scriptUI{answer: map[string]func(Question) string{KeyLoginCode: fixed("not-a-code")}}}
	if _, err := Login(context.Background(), noAgain, e, LoginOptions{ClientID: thick}); err == nil || errors.Is(err, ErrNotAsked) ||
		!strings.Contains(err.Error(), "did not accept the code") {
		t.Fatalf("with nobody to paste another code: %v, want Globus's refusal", err)
	}
}

// againless cannot ask a question a second time (a script, a pipe).
type againless struct{ *scriptUI }

func (u *againless) Ask(ctx context.Context, q Question) (string, error) {
	if q.Again != nil {
		return "", NotAsked(q.Label, "")
	}
	return u.scriptUI.Ask(ctx, q)
}

// Without a public client and nobody to name one, the login says how to
// get a client (the Problem of steps.StartLogin), not "nobody to ask".
func TestLoginWithoutAClientSaysHowToGetOne(t *testing.T) {
	_, e, _ := world(t)
	_, err := Login(context.Background(), &scriptUI{}, e, LoginOptions{})
	if err == nil || errors.Is(err, ErrNotAsked) || !strings.Contains(err.Error(), "no public client to log in with") {
		t.Fatalf("login without a client: %v", err)
	}
}

// A policy ID given with no domains typed has the policy's read back, in
// its spelling, and stored as read from it; typed domains are kept; when
// the read fails and the person's form asks for the rest, the missing
// value comes back unstored.
func TestSaveStepReadsThePolicyBack(t *testing.T) {
	srv, e, thick := world(t)
	if _, err := Login(context.Background(), &scriptUI{answer: map[string]func(Question) string{KeyLoginCode: login(t, srv)}}, e, LoginOptions{ClientID: thick}); err != nil {
		t.Fatal(err)
	}
	pid := srv.AddProject("GW", operator, operator)
	policy := srv.AddPolicy(pid, "Console-made", []string{"ANL.gov"}, 3600)
	ui := &scriptUI{}
	sv, err := SaveStep(context.Background(), ui, e, SaveOptions{Step: "policy", Values: map[string]string{"policy.id": policy}})
	if err != nil || !sv.Stored || sv.Read.Values["policy.domains"] != "ANL.gov" {
		t.Fatalf("save: %+v, %v", sv, err)
	}
	doc := e.Vault.Doc()
	if doc.Values["policy.domains"] != "ANL.gov" || doc.Values["policy.assurance_timeout"] != "3600" || !steps.DomainsRead(doc) {
		t.Fatalf("stored %q %q, read %v", doc.Values["policy.domains"], doc.Values["policy.assurance_timeout"], steps.DomainsRead(doc))
	}

	sv, err = SaveStep(context.Background(), ui, e, SaveOptions{Step: "policy",
		Values: map[string]string{"policy.id": policy, "policy.domains": "anl.gov", "policy.assurance_timeout": "1h"},
		Typed:  map[string]bool{"policy.domains": true, "policy.assurance_timeout": true}})
	if err != nil || len(sv.Read.Values) != 0 || e.Vault.Doc().Values["policy.domains"] != "anl.gov" {
		t.Fatalf("typed domains: %+v, %v, stored %q", sv, err, e.Vault.Doc().Values["policy.domains"])
	}

	if _, err := steps.UnsetValue(e.Vault, "policy.domains"); err != nil {
		t.Fatal(err)
	}
	other := srv.AddPolicy(srv.AddProject("Not yours", "x@example.org", "x@example.org"), "Elsewhere", []string{"x.org"}, 60)
	sv, err = SaveStep(context.Background(), ui, e, SaveOptions{Step: "policy", Values: map[string]string{"policy.id": other}})
	if err != nil || sv.Stored || sv.Missing != "policy.domains" || sv.ReadErr == nil {
		t.Fatalf("an unreadable policy: %+v, %v", sv, err)
	}
	if e.Vault.Doc().Values["policy.id"] == other {
		t.Error("the unreadable policy was stored with its domains missing")
	}
}

// The plan is approved through the UI (a plan creating nothing needs no
// yes); declined, nothing is made; the inputs nobody gave are what the one
// form suggests.
func TestPlanAndApplyAsksBeforeCreating(t *testing.T) {
	srv, e, thick := world(t)
	if _, err := Login(context.Background(), &scriptUI{answer: map[string]func(Question) string{KeyLoginCode: login(t, srv)}}, e, LoginOptions{ClientID: thick}); err != nil {
		t.Fatal(err)
	}
	o := PlanOptions{Steps: []string{"project", "policy"}, Suggest: true}
	a, err := PlanAndApply(context.Background(), &scriptUI{confirm: map[string]bool{KeyPlan: false}}, e, o)
	if err != nil || !a.Declined || srv.CountRequests("POST", "/v2/api/") != 0 {
		t.Fatalf("declined: %+v, %v", a, err)
	}
	if _, err := PlanAndApply(context.Background(), &scriptUI{}, e, o); !errors.Is(err, ErrNotAsked) {
		t.Fatalf("nobody to approve: %v", err)
	}
	ui := &scriptUI{confirm: map[string]bool{KeyPlan: true}}
	a, err = PlanAndApply(context.Background(), ui, e, o)
	if err != nil || a.Created() != 2 {
		t.Fatalf("approved: %+v, %v", a, err)
	}
	if got := e.Vault.Doc().Values["policy.domains"]; got != "example.org" {
		t.Errorf("domains %q, want the login's suggested example.org", got)
	}
	again, err := PlanAndApply(context.Background(), &scriptUI{}, e, o) // nothing to create: no yes needed
	if err != nil || again.Created() != 0 || again.Kept() != 2 {
		t.Fatalf("again: %+v, %v", again, err)
	}
}

// A new vault's passphrase is asked again when too short or mistyped, an
// existing one's when wrong; each time saying why.
func TestUnlockAsksAgainSayingWhy(t *testing.T) {
	p := vault.PathsFor(filepath.Join(t.TempDir(), "vault.age"))
	news := []string{"short", "long enough passphrase", "long enough passphrase"}
	agains := []string{"mistyped", "long enough passphrase"}
	var whys []error
	ui := &scriptUI{answer: map[string]func(Question) string{
		KeyNewPassphrase: func(q Question) string {
			whys = append(whys, q.Again)
			v := news[0]
			news = news[1:]
			return v
		},
		KeyPassphraseAgain: func(Question) string { v := agains[0]; agains = agains[1:]; return v },
	}}
	o := UnlockOptions{Paths: p, Options: vault.Options{WorkFactor: 10}}
	u, err := Unlock(context.Background(), ui, o)
	if err != nil || u.Vault == nil {
		t.Fatalf("create: %v", err)
	}
	if len(whys) != 3 || whys[0] != nil || !errors.Is(whys[1], ErrTooShort) || !errors.Is(whys[2], ErrDiffer) {
		t.Fatalf("asked again for %v", whys)
	}
	pass := []string{"wrong one", "long enough passphrase"}
	whys = nil
	ui = &scriptUI{answer: map[string]func(Question) string{KeyPassphrase: func(q Question) string {
		whys = append(whys, q.Again)
		v := pass[0]
		pass = pass[1:]
		return v
	}}}
	if u, err := Unlock(context.Background(), ui, o); err != nil || u.Vault == nil || len(whys) != 2 || !errors.Is(whys[1], ErrWrongPass) {
		t.Fatalf("unlock: %v, asked again for %v", err, whys)
	}
}
