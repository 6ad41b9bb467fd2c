package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
)

// Apply does the console steps 1–5 through Globus Auth's API for a
// logged-in operator: it plans (looks, reads only), then creates what is
// missing, recording intent before each creating call so that a crash
// between "created" and "stored" is reconciled on the next run instead of
// making a duplicate. The planning lives here; carrying it out, intents and
// reconciliation in apply_run.go.

// applyInputs are the values ApplyOptions.Values may give.
var applyInputs = []string{"project.name", "project.contact_email", "policy.domains", "policy.assurance_timeout"}

// ApplyOptions says which steps to do and gives inputs not yet stored.
type ApplyOptions struct {
	Steps []string // subset of ApplyStepIDs(); empty = all five, always run in catalogue order
	// Values are inputs not yet stored that override the vault: project.name,
	// project.contact_email, policy.domains, policy.assurance_timeout
	// (validated with Validate; stored by Apply with what it creates).
	Values map[string]string
}

// PlanAction is what Apply will do about one object.
type PlanAction string

// Plan actions.
const (
	PlanKeep   PlanAction = "keep"   // stored, and Globus confirms it exists
	PlanReuse  PlanAction = "reuse"  // not stored; exactly one of that name found that the operator administers
	PlanCreate PlanAction = "create" // nothing to keep or reuse
)

// PlanItem is one object of the plan. It never holds a secret.
type PlanItem struct {
	Step   string // step ID
	What   string // what it is: a project, an app, a client secret, a scope, a policy
	Name   string // the display name it has or will get
	Action PlanAction
	ID     string // the existing ID (keep, reuse)
	Detail string // one plain line about it
}

// Line is the item in one line, e.g.
// `create  app "Inference Gateway Service API" (redirect URI http://localhost:8000)`.
func (i PlanItem) Line() string {
	s := fmt.Sprintf("%-7s %s %q", i.Action, i.What, i.Name)
	var extra []string
	if i.ID != "" {
		extra = append(extra, "ID "+i.ID)
	}
	if i.Detail != "" {
		extra = append(extra, i.Detail)
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, "; ") + ")"
	}
	return s
}

// Plan is what Apply would do, as the operator approves it.
type Plan struct {
	Operator    string // username of the logged-in operator
	LoginClient string // the client ID the login went through
	Items       []PlanItem
}

// Creates counts the items Apply would create.
func (p Plan) Creates() int {
	n := 0
	for _, it := range p.Items {
		if it.Action == PlanCreate {
			n++
		}
	}
	return n
}

// Lines is a header line, then one line per item.
func (p Plan) Lines() []string {
	out := []string{fmt.Sprintf("As %s, through client %s:", p.Operator, p.LoginClient)}
	for _, it := range p.Items {
		out = append(out, "  "+it.Line())
	}
	return out
}

// ErrPlanChanged: Apply's fresh plan creates something the approved plan did not.
var ErrPlanChanged = errors.New("the plan changed since it was approved")

// MakePlan looks (reads only) and says what Apply would do. Needs the
// operator's login (errors.Is(err, ErrNotLoggedIn) otherwise). Missing inputs
// (no domains for the policy) are a *Problem saying which value and how to
// give it; invalid ones are FieldErrors.
func MakePlan(ctx context.Context, e *Env, opts ApplyOptions) (Plan, error) {
	var plan Plan
	err := Redrive(ctx, e, func(ctx context.Context) error { // reads only: safe to run again
		var err error
		plan, err = makePlan(ctx, e, opts)
		return err
	})
	return plan, err
}

func makePlan(ctx context.Context, e *Env, opts ApplyOptions) (Plan, error) {
	p, err := newPlanner(ctx, e, opts)
	if err != nil {
		return Plan{}, err
	}
	if err := p.plan(ctx); err != nil {
		return Plan{}, err
	}
	return p.result(), nil
}

// planned is a plan item with what carrying it out needs.
type planned struct {
	PlanItem
	prefix string            // vault key prefix of apps and secrets: the app step's ID
	store  map[string]string // values to store when kept or reused
	intent *applyIntent      // an earlier run's intent for this object, to reconcile
	// do carries the item out (the module that planned it says how) and
	// returns the ID now stored.
	do func(p *planner, ctx context.Context, it *planned) (string, error)
	// what a creation sends
	contact      string
	clientType   string
	redirectURIs []string
	domains      []string
	timeout      int
}

// planner holds what planning found, so later steps build on earlier ones
// (apps go into the project planned before them).
type planner struct {
	e       *Env
	g       *globus.Client
	auth    globus.Authorizer
	who     *globus.UserInfo
	login   string
	steps   []string
	inputs  map[string]string
	intents map[string]applyIntent
	items   []*planned

	projectID   string // "" while the project is still to be created
	projectName string
}

// Format keeps the operator's token out of any fmt output.
func (p *planner) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "planner{steps: %v}", p.steps)
}

func newPlanner(ctx context.Context, e *Env, opts ApplyOptions) (*planner, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	// Another run or `globus-setup set` may have changed the vault since it was opened.
	if err := e.Vault.Reload(); err != nil {
		return nil, problem("reading the vault", err)
	}
	steps, err := applySteps(opts.Steps)
	if err != nil {
		return nil, err
	}
	inputs, err := validateApplyInputs(opts.Values)
	if err != nil {
		return nil, err
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		return nil, err
	}
	who, err := e.Globus.UserInfo(ctx, auth)
	if err != nil {
		if globus.IsStatus(err, 401) || globus.IsStatus(err, 403) {
			return nil, &Problem{What: "Globus does not accept the stored login", Err: err, is: ErrNotLoggedIn,
				Do: Say("log in again with ", logIn(), " and grant every scope asked for")}
		}
		return nil, problem("asking Globus who is logged in", err)
	}
	info, _ := LoggedIn(e.Vault)
	return &planner{e: e, g: e.Globus, auth: auth, who: who, login: info.ClientID, steps: steps,
		inputs: inputs, intents: readIntents(e.Vault.Doc().Internal)}, nil
}

// applySteps checks the steps asked for and puts them in catalogue order.
func applySteps(asked []string) ([]string, error) {
	ids := ApplyStepIDs()
	if len(asked) == 0 {
		return ids, nil
	}
	for _, s := range asked {
		if !slices.Contains(ids, s) {
			return nil, &Problem{What: fmt.Sprintf("apply cannot do the step %q", s),
				Do: Say("choose among " + strings.Join(ids, ", "))}
		}
	}
	var out []string
	for _, s := range ids {
		if slices.Contains(asked, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

// validateApplyInputs validates the inputs; blanks are left out.
func validateApplyInputs(values map[string]string) (map[string]string, error) {
	out := map[string]string{}
	fe := FieldErrors{}
	for k, raw := range values {
		if !slices.Contains(applyInputs, k) {
			fe[k] = errors.New("not an input of apply (it takes " + strings.Join(applyInputs, ", ") + ")")
			continue
		}
		if strings.TrimSpace(raw) == "" {
			continue
		}
		n, err := Validate(k, raw)
		if err != nil {
			fe[k] = err
			continue
		}
		out[k] = n
	}
	if len(fe) > 0 {
		return nil, fe
	}
	return out, nil
}

// input is an input given to this run, else the stored value.
func (p *planner) input(key string) string {
	if v, ok := p.inputs[key]; ok {
		return v
	}
	return value(p.e.Vault, key)
}

func (p *planner) doing(step string) bool { return slices.Contains(p.steps, step) }

func (p *planner) add(it *planned) {
	if p.doing(it.Step) {
		p.items = append(p.items, it)
	}
}

func (p *planner) result() Plan {
	pl := Plan{Operator: p.operator(), LoginClient: p.login}
	for _, it := range p.items {
		pl.Items = append(pl.Items, it.PlanItem)
	}
	return pl
}

func (p *planner) operator() string {
	for _, s := range []string{p.who.PreferredUsername, p.who.Email, p.who.Sub} {
		if s != "" {
			return s
		}
	}
	return ""
}

// appKind is one of the app steps (2–4), as its module declares it: how
// apply registers it and how its credentials are named.
type appKind struct {
	step, name                string // step ID; the app's name in messages ("Service API")
	suffix, label, clientType string // app name suffix; secret label ("" no secret); client type
	redirect                  func(globus.Environment) string
	accept                    []string // client types a same-named app may have to be reused
	describe                  string
	firstLogin                bool // the first login's client: its project is the one to reuse
	compute                   bool // Globus Compute holds its credentials too (rotate says so)
	// more plans what the app's step needs beyond the app and its secret
	// (the Service API's scope).
	more func(p *planner, ctx context.Context, app *planned, cl *globus.AppClient) error
}

// appKindsByLogin are the app steps' kinds, the first login's first.
func appKindsByLogin() []appKind {
	all := []appKind{serviceAPIApp(), serviceAccountApp(), publicClientApp()}
	slices.SortStableFunc(all, func(a, b appKind) int {
		switch {
		case a.firstLogin == b.firstLogin:
			return 0
		case a.firstLogin:
			return -1
		}
		return 1
	})
	return all
}

// plan asks each step of the catalogue for its part, in order: later steps
// build on earlier ones (apps go into the project planned before them).
func (p *planner) plan(ctx context.Context) error {
	for _, s := range catalogue() {
		if s.plan == nil || !(s.planAlways || p.doing(s.ID)) {
			continue
		}
		if err := s.plan(p, ctx); err != nil {
			return err
		}
	}
	return nil
}

// notAdministered: Globus answers 404 for an unknown object and 403 for one
// of a project the operator does not administer; both mean "not yours".
func notAdministered(err error) bool {
	return globus.IsStatus(err, 404) || globus.IsStatus(err, 403)
}

// storedUnknown is the Problem of a stored ID Globus does not confirm.
// Apply never replaces a stored ID on its own: it may be right and the
// login wrong.
func storedUnknown(what, key, id string, err error) error {
	return &Problem{
		What: fmt.Sprintf("%s is %s, but Globus knows no %s of that ID that you administer", key, id, what),
		Do: Say("check it against the developers console and store the right one with ", setKey(key),
			", or log in as an admin of its project; apply does not replace a stored ID by itself"),
		Err: err,
	}
}

// sameNamed is the Problem of two or more objects of the intended name.
func sameNamed(what, name, key string, ids []string, intent *applyIntent) error {
	p := &Problem{
		What: fmt.Sprintf("%d %ss named %q exist that you administer (%s)", len(ids), what, name, strings.Join(ids, ", ")),
		Do:   Say("choose one and store its ID with ", setKeyTo(key, "ID"), ", then ", againApply),
	}
	if intent != nil {
		p.What += "; an earlier run was interrupted while creating one"
	}
	return p
}

const adoptedDetail = "an earlier run was interrupted while creating it: adopted, not made twice"

// pick decides between reuse and create among the same-named objects found.
func pick(it *planned, what, key string, ids []string) error {
	switch {
	case len(ids) > 1:
		return sameNamed(what, it.Name, key, ids, it.intent)
	case len(ids) == 1:
		it.Action, it.ID = PlanReuse, ids[0]
		if it.intent != nil {
			it.Detail = adoptedDetail
		}
	default:
		it.Action = PlanCreate
	}
	return nil
}

// nameMatches compares display names as the console shows them: case and
// surrounding blanks do not make another object. An interrupted run's name
// matches too, in case the name changed since.
func nameMatches(have, want string, intent *applyIntent) bool {
	have = strings.TrimSpace(have)
	return strings.EqualFold(have, strings.TrimSpace(want)) ||
		(intent != nil && strings.EqualFold(have, strings.TrimSpace(intent.Name)))
}

// fromGlobus validates an optional value Globus holds before the vault
// stores it: one the validators reject would fail every later store, and no
// rerun could get past it. note says why it is not stored.
func fromGlobus(key, what, raw string) (v, note string) {
	v, err := Validate(key, raw)
	if err != nil {
		return "", fmt.Sprintf("%s %q is not one the vault accepts (%v): not stored", what, raw, err)
	}
	return v, ""
}

func (p *planner) planAppStep(ctx context.Context, k appKind) error {
	app, cl, err := p.planApp(ctx, k)
	if err != nil {
		return err
	}
	p.add(app)
	if k.label != "" { // a public client has no secret
		sec, err := p.planSecret(ctx, k, app)
		if err != nil {
			return err
		}
		p.add(sec)
	}
	if k.more != nil {
		return k.more(p, ctx, app, cl)
	}
	return nil
}

// planApp decides about one app; cl is the app as Globus has it (nil when
// it is to be created).
func (p *planner) planApp(ctx context.Context, k appKind) (*planned, *globus.AppClient, error) {
	key := k.step + ".client_id"
	it := &planned{PlanItem: PlanItem{Step: k.step, What: "app", Name: assets.AppName(p.projectName, k.suffix)},
		prefix: k.step, clientType: k.clientType, do: (*planner).doApp}
	if k.redirect != nil {
		it.redirectURIs = []string{k.redirect(p.g.Environment())}
	}
	it.intent = p.intentFor(k.step, "app")
	if id := value(p.e.Vault, key); id != "" {
		cl, err := p.g.GetClient(ctx, p.auth, id)
		if notAdministered(err) {
			return nil, nil, storedUnknown("app", key, id, err)
		}
		if err != nil {
			return nil, nil, problem("reading the app "+id, err)
		}
		// Caught here, not only when its secret is made (a public client has none).
		if !slices.Contains(k.accept, cl.ClientType) {
			return nil, nil, &Problem{
				What: fmt.Sprintf("%s is %s, the app %q, which is a %s, not %s as this step needs", key, cl.ID, cl.Name, cl.ClientType, k.describe),
				Do:   Say("store the right app's ID with ", setKey(key), ", then ", againApply),
			}
		}
		it.Action, it.ID, it.Name, it.Detail = PlanKeep, cl.ID, cl.Name, cl.ClientType
		return it, cl, nil
	}
	if p.projectID == "" {
		it.Action = PlanCreate
		it.Detail = createAppDetail(k, it.redirectURIs)
		return it, nil, nil
	}
	all, err := p.g.ListClients(ctx, p.auth, p.projectID)
	if err != nil {
		return nil, nil, problem("listing the project's apps", err)
	}
	var ids []string
	var found *globus.AppClient
	for i := range all {
		// Globus does not document ?project_id= filtering: an app of another
		// of the operator's projects must not be reused.
		if strings.EqualFold(all[i].Project, p.projectID) && nameMatches(all[i].Name, it.Name, it.intent) {
			ids, found = append(ids, all[i].ID), &all[i]
		}
	}
	if err := pick(it, "app", key, ids); err != nil {
		return nil, nil, err
	}
	if it.Action == PlanCreate {
		it.Detail = createAppDetail(k, it.redirectURIs)
		return it, nil, nil
	}
	if !slices.Contains(k.accept, found.ClientType) {
		return nil, nil, &Problem{
			What: fmt.Sprintf("the app %q (%s) is a %s, not %s as this step needs", found.Name, found.ID, found.ClientType, k.describe),
			Do:   Say("rename it in the developers console so apply creates the right one, or store the right app's ID with ", setKey(key)),
		}
	}
	it.Name = found.Name
	if it.Detail == "" {
		it.Detail = found.ClientType
	}
	return it, found, nil
}

func createAppDetail(k appKind, redirects []string) string {
	d := k.describe
	if len(redirects) > 0 {
		d += ", redirect URI " + redirects[0]
		if redirects[0] == assets.ServiceAPIRedirectURI {
			d += " (the form wants one; unused)"
		}
	}
	return d
}

// planSecret keeps a stored secret only if a client-credentials grant with
// it works; otherwise the app gets a new one.
func (p *planner) planSecret(ctx context.Context, k appKind, app *planned) (*planned, error) {
	it := &planned{PlanItem: PlanItem{Step: k.step, What: "client secret", Name: k.label}, prefix: k.step, do: (*planner).doSecret}
	it.intent = p.intentFor(k.step, "client secret")
	var notes []string
	if it.intent != nil {
		notes = append(notes, "an earlier run was interrupted while creating a secret: that unsaved secret will be deleted")
	}
	stored := value(p.e.Vault, k.step+".client_secret")
	switch {
	case app.Action == PlanCreate:
		it.Action = PlanCreate
	case stored == "":
		it.Action = PlanCreate
	default:
		_, err := p.g.ClientCredentialsToken(ctx, globus.Credentials{ID: app.ID, Secret: stored}, globus.OpenIDScope)
		switch {
		case err == nil:
			it.Action = PlanKeep
			notes = append(notes, "the stored secret works")
		case refusedCredentials(err):
			it.Action = PlanCreate
			notes = append(notes, "the stored secret does not work for this app")
		default:
			return nil, problem("trying the stored "+k.step+" secret", err)
		}
	}
	if it.Action == PlanCreate {
		notes = append(notes, "stored in the vault, never shown")
	}
	it.Detail = strings.Join(notes, "; ")
	return it, nil
}

// refusedCredentials: Globus said the ID/secret pair is wrong (rather than
// failing to answer).
func refusedCredentials(err error) bool {
	var ge *globus.Error
	return errors.As(err, &ge) && (ge.Status == 401 || strings.EqualFold(ge.OAuthError, "invalid_client"))
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// humanSeconds writes 28800 as 8h and 5400 as 1h30m.
// timeoutShown is a re-authentication window as every front-end shows it,
// the stored seconds with their reading: "28800 (8h)".
func timeoutShown(s int) string {
	if s <= 0 {
		return humanSeconds(s)
	}
	return strconv.Itoa(s) + " (" + humanSeconds(s) + ")"
}

// ShowValue is a stored value as the operator reads it: the assurance
// timeout's seconds with their reading ("28800 (8h)"), any other as it is.
func ShowValue(key, value string) string {
	if key != "policy.assurance_timeout" {
		return value
	}
	norm, err := NormalizeDuration(value)
	if err != nil {
		return value
	}
	secs, _ := strconv.Atoi(norm)
	return timeoutShown(secs)
}

func humanSeconds(s int) string {
	if s <= 0 {
		return "(not set)"
	}
	var b strings.Builder
	for _, u := range []struct {
		n    int
		unit string
	}{{86400, "d"}, {3600, "h"}, {60, "m"}, {1, "s"}} {
		if s >= u.n {
			fmt.Fprintf(&b, "%d%s", s/u.n, u.unit)
			s %= u.n
		}
	}
	return b.String()
}
