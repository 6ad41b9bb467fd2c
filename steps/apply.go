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

// ApplyStepIDs: the console steps Apply can do for a logged-in operator.
var ApplyStepIDs = []string{"project", "service_api", "service_account", "public_client", "policy"}

// applyInputs are the values ApplyOptions.Values may give.
var applyInputs = []string{"project.name", "project.contact_email", "policy.domains", "policy.assurance_timeout"}

// ApplyOptions says which steps to do and gives inputs not yet stored.
type ApplyOptions struct {
	Steps []string // subset of ApplyStepIDs; empty = all five, always run in catalogue order
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
	What   string // "project", "app", "client secret", "scope", "policy"
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
	prefix string            // vault key prefix of apps and secrets: "service_api", …
	store  map[string]string // values to store when kept or reused
	intent *applyIntent      // an earlier run's intent for this object, to reconcile
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
				Do: "log in again with `globus-setup login` and grant every scope asked for"}
		}
		return nil, problem("asking Globus who is logged in", err)
	}
	info, _ := LoggedIn(e.Vault)
	return &planner{e: e, g: e.Globus, auth: auth, who: who, login: info.ClientID, steps: steps,
		inputs: inputs, intents: readIntents(e.Vault.Doc().Internal)}, nil
}

// applySteps checks the steps asked for and puts them in catalogue order.
func applySteps(asked []string) ([]string, error) {
	if len(asked) == 0 {
		return slices.Clone(ApplyStepIDs), nil
	}
	for _, s := range asked {
		if !slices.Contains(ApplyStepIDs, s) {
			return nil, &Problem{What: fmt.Sprintf("apply cannot do the step %q", s),
				Do: "choose among " + strings.Join(ApplyStepIDs, ", ")}
		}
	}
	var out []string
	for _, s := range ApplyStepIDs {
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

// App kinds of the three app steps.
type appKind struct {
	step, suffix, label, clientType string
	redirect                        func(globus.Environment) string
	accept                          []string // client types a same-named app may have to be reused
	describe                        string
}

var appKinds = []appKind{
	{step: "service_api", suffix: assets.ServiceAPISuffix, label: assets.ServiceAPISecretLabel, clientType: globus.ClientTypeHybrid,
		redirect: func(globus.Environment) string { return assets.ServiceAPIRedirectURI },
		accept:   []string{globus.ClientTypeHybrid, globus.ClientTypeConfidential, globus.ClientTypeResourceServer},
		describe: "a service API"},
	{step: "service_account", suffix: assets.ServiceAccountSuffix, label: assets.ServiceAcctSecretLabel, clientType: globus.ClientTypeServiceAccount,
		accept:   []string{globus.ClientTypeServiceAccount},
		describe: "a service account"},
	{step: "public_client", suffix: assets.PublicClientSuffix, clientType: globus.ClientTypePublicThick,
		redirect: func(env globus.Environment) string { return env.AuthCodeRedirectURI() },
		accept:   []string{globus.ClientTypePublicThick},
		describe: "a thick client"},
}

func (p *planner) plan(ctx context.Context) error {
	if err := p.planProject(ctx); err != nil {
		return err
	}
	for _, k := range appKinds {
		if !p.doing(k.step) {
			continue
		}
		if err := p.planAppStep(ctx, k); err != nil {
			return err
		}
	}
	if p.doing("policy") {
		return p.planPolicy(ctx)
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
		Do: "check it against the developers console and store the right one with `globus-setup set " + key +
			"`, or log in as an admin of its project; apply does not replace a stored ID by itself",
		Err: err,
	}
}

// sameNamed is the Problem of two or more objects of the intended name.
func sameNamed(what, name, key string, ids []string, intent *applyIntent) error {
	p := &Problem{
		What: fmt.Sprintf("%d %ss named %q exist that you administer (%s)", len(ids), what, name, strings.Join(ids, ", ")),
		Do:   "choose one and store its ID with `globus-setup set " + key + " ID`, then run apply again",
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

func (p *planner) planProject(ctx context.Context) error {
	it := &planned{PlanItem: PlanItem{Step: "project", What: "project"}}
	name := p.input("project.name")
	if id := value(p.e.Vault, "project.id"); id != "" {
		pr, err := p.g.GetProject(ctx, p.auth, id)
		if notAdministered(err) {
			return storedUnknown("project", "project.id", id, err)
		}
		if err != nil {
			return problem("reading the project "+id, err)
		}
		it.Action = PlanKeep
		p.keepProject(it, pr)
		p.add(it)
		return nil
	}
	if pr, from, err := projectOfStoredApps(ctx, p.e, p.auth); err != nil {
		return err
	} else if pr != nil {
		// An app registered by hand (the public client the first login
		// needs) already lives in a project: everything else goes there
		// too, never into a second project of the same gateway.
		it.Action, it.ID, it.Detail = PlanReuse, pr.ID, "the project of the stored "+from
		p.keepProject(it, pr)
		p.add(it)
		return nil
	}
	if !p.doing("project") {
		return &Problem{What: "no project is stored yet (project.id)",
			Do: "do the project step first (`globus-setup apply --steps project`), or store its ID with `globus-setup set project.id`"}
	}
	if name == "" {
		name = assets.DefaultProjectName
	}
	p.projectName, it.Name = name, name
	it.intent = p.intentFor("project", "project")
	all, err := p.g.ListProjects(ctx, p.auth)
	if err != nil {
		return problem("listing your projects", err)
	}
	var ids []string
	var found *globus.Project
	for i := range all {
		if nameMatches(all[i].DisplayName, name, it.intent) {
			ids, found = append(ids, all[i].ID), &all[i]
		}
	}
	if err := pick(it, "project", "project.id", ids); err != nil {
		return err
	}
	if it.Action == PlanReuse {
		p.keepProject(it, found)
		p.add(it)
		return nil
	}
	it.contact = p.input("project.contact_email")
	if it.contact == "" {
		if em, err := Validate("project.contact_email", p.who.Email); err == nil {
			it.contact = em
		}
	}
	if it.contact == "" {
		return &Problem{What: "the project needs a contact e-mail (project.contact_email), and your Globus login has none",
			Do: "give one with --contact-email (or type it on the project step), or store it with `globus-setup set project.contact_email`"}
	}
	it.Detail = "admin " + p.operator() + ", contact " + it.contact
	p.add(it)
	return nil
}

// projectOfStoredApps is the project holding the apps stored without a
// project (nil when none is stored or none can be read). An app's record
// names its project (globus-sdk-python testing/data/auth/get_client.py:
// "project"). Apps in two projects stop the plan: which one is meant is
// the operator's call.
func projectOfStoredApps(ctx context.Context, e *Env, auth globus.Authorizer) (*globus.Project, string, error) {
	var found *globus.Project
	var from string
	for _, k := range []appKind{appKinds[2], appKinds[0], appKinds[1]} {
		id := value(e.Vault, k.step+".client_id")
		if id == "" {
			continue
		}
		cl, err := e.Globus.GetClient(ctx, auth, id)
		if err != nil || cl.Project == "" {
			continue // planApp says what is wrong with it
		}
		label := "app " + cl.Name + " (" + k.describe + ")"
		if found != nil {
			if !strings.EqualFold(found.ID, cl.Project) {
				return nil, "", &Problem{
					What: fmt.Sprintf("the stored apps are in two projects: %s in %s, %s in %s", from, found.ID, label, cl.Project),
					Do:   "store the project to use with `globus-setup set project.id`, and register the apps of the other one again in it",
				}
			}
			continue
		}
		pr, err := e.Globus.GetProject(ctx, auth, cl.Project)
		if err != nil {
			continue // not a project the operator administers: planApp says so
		}
		found, from = pr, label
	}
	return found, from, nil
}

// keepProject takes a kept or reused project as Globus has it. Apply never
// renames a project or changes its contact, so app and policy names derive
// from its own name, the vault records what Globus holds, and a typed value
// that differs is said rather than silently dropped.
func (p *planner) keepProject(it *planned, pr *globus.Project) {
	p.projectID, p.projectName = pr.ID, pr.DisplayName
	it.ID, it.Name = pr.ID, pr.DisplayName
	it.store = map[string]string{}
	var notes []string
	if it.Detail != "" {
		notes = append(notes, it.Detail)
	}
	if v, note := fromGlobus("project.name", "its name", pr.DisplayName); note != "" {
		notes = append(notes, note)
	} else {
		it.store["project.name"] = v
	}
	if asked := p.inputs["project.name"]; asked != "" && !strings.EqualFold(asked, strings.TrimSpace(pr.DisplayName)) {
		notes = append(notes, fmt.Sprintf("not renamed to %q: apply never renames, the existing project keeps its own name", asked))
	}
	contact := ""
	if strings.TrimSpace(pr.ContactEmail) != "" {
		v, note := fromGlobus("project.contact_email", "its contact e-mail", pr.ContactEmail)
		if note != "" {
			notes = append(notes, note)
		} else {
			contact, it.store["project.contact_email"] = v, v
			notes = append(notes, "contact "+v)
		}
	}
	if asked := p.inputs["project.contact_email"]; asked != "" && !strings.EqualFold(asked, contact) {
		notes = append(notes, "contact "+asked+" not applied: apply does not change an existing project")
	}
	it.Detail = strings.Join(notes, "; ")
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
	if k.label == "" {
		return nil // a public client has no secret
	}
	sec, err := p.planSecret(ctx, k, app)
	if err != nil {
		return err
	}
	p.add(sec)
	if k.step == "service_api" {
		sc, err := p.planScope(ctx, app, cl)
		if err != nil {
			return err
		}
		p.add(sc)
	}
	return nil
}

// planApp decides about one app; cl is the app as Globus has it (nil when
// it is to be created).
func (p *planner) planApp(ctx context.Context, k appKind) (*planned, *globus.AppClient, error) {
	key := k.step + ".client_id"
	it := &planned{PlanItem: PlanItem{Step: k.step, What: "app", Name: assets.AppName(p.projectName, k.suffix)},
		prefix: k.step, clientType: k.clientType}
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
				Do:   "store the right app's ID with `globus-setup set " + key + "`, then run apply again",
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
			Do:   "rename it in the developers console so apply creates the right one, or store the right app's ID with `globus-setup set " + key + "`",
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
	it := &planned{PlanItem: PlanItem{Step: k.step, What: "client secret", Name: k.label}, prefix: k.step}
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

// planScope looks for the Service API app's action_all scope; EnsureScope
// does the work when Apply runs.
func (p *planner) planScope(ctx context.Context, app *planned, cl *globus.AppClient) (*planned, error) {
	it := &planned{PlanItem: PlanItem{Step: "service_api", What: "scope", Name: assets.ScopeName,
		Action: PlanCreate, Detail: "action_all, with the Groups dependent scope"}}
	if cl == nil {
		return it, nil
	}
	sc, err := actionAllOf(ctx, p.g, p.auth, cl)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		return it, nil
	}
	if err := CheckActionAllScope(*sc, cl.ID); err != nil {
		return nil, err
	}
	it.Action, it.ID, it.Detail = PlanReuse, sc.ID, strings.Join(append([]string{sc.ScopeString}, ActionAllScopeNotes(*sc)...), "; ")
	if sc.Name != "" {
		it.Name = sc.Name
	}
	if app.Action == PlanKeep && value(p.e.Vault, "service_api.scope_id") == sc.ID {
		it.Action = PlanKeep
	}
	return it, nil
}

func (p *planner) planPolicy(ctx context.Context) error {
	it := &planned{PlanItem: PlanItem{Step: "policy", What: "policy", Name: assets.AppName(p.projectName, assets.PolicySuffix)}}
	it.intent = p.intentFor("policy", "policy")
	wanted := SplitList(p.input("policy.domains"))
	var found *globus.Policy
	if id := value(p.e.Vault, "policy.id"); id != "" {
		pol, err := p.g.GetPolicy(ctx, p.auth, id)
		if notAdministered(err) {
			return storedUnknown("policy", "policy.id", id, err)
		}
		if err != nil {
			return problem("reading the policy "+id, err)
		}
		it.Action, found = PlanKeep, pol
	} else if p.projectID != "" {
		all, err := p.g.ListPolicies(ctx, p.auth)
		if err != nil {
			return problem("listing your policies", err)
		}
		var ids []string
		for i := range all {
			if strings.EqualFold(all[i].ProjectID, p.projectID) && nameMatches(all[i].DisplayName, it.Name, it.intent) {
				ids, found = append(ids, all[i].ID), &all[i]
			}
		}
		if err := pick(it, "policy", "policy.id", ids); err != nil {
			return err
		}
	} else {
		it.Action = PlanCreate
	}
	if it.Action != PlanCreate {
		if err := p.keepPolicy(it, found, wanted); err != nil {
			return err
		}
		p.add(it)
		return nil
	}
	if len(wanted) == 0 {
		return &Problem{What: "the policy needs its identity provider domains (policy.domains), and none are given",
			Do: "give them with --domains \"anl.gov uchicago.edu\" (or type them on the policy step), or store them with `globus-setup set policy.domains`"}
	}
	secs := p.input("policy.assurance_timeout")
	if secs == "" {
		secs = assets.DefaultAssuranceTimeout
	}
	it.timeout, _ = strconv.Atoi(secs)
	it.domains = wanted
	it.Detail = fmt.Sprintf("high assurance, domains %s; re-authenticate after %s", strings.Join(wanted, " "), humanSeconds(it.timeout))
	p.add(it)
	return nil
}

// keepPolicy describes a kept or reused policy and stores what it holds:
// the gateway's AUTHORIZED_IDP_DOMAINS must match the policy, not a wish.
// Domains the gateway cannot use are a Problem naming the policy: the
// operator never typed them, so a FieldErrors would point nowhere.
func (p *planner) keepPolicy(it *planned, pol *globus.Policy, wanted []string) error {
	it.ID, it.Name = pol.ID, pol.DisplayName
	it.store = map[string]string{}
	var notes []string
	if it.Detail != "" {
		notes = append(notes, it.Detail)
	}
	var have []string
	if raw := strings.TrimSpace(strings.Join(pol.DomainConstraintsInclude, " ")); raw != "" {
		_, err := Validate("policy.domains", raw)
		if err != nil {
			return &Problem{
				What: fmt.Sprintf("the policy %q (%s) includes the domains %q, which the gateway cannot use: %v", pol.DisplayName, pol.ID, raw, err),
				Do: "correct the policy's included domains in the developers console (the gateway's AUTHORIZED_IDP_DOMAINS must match them), " +
					"or store another policy's ID with `globus-setup set policy.id`, then run apply again",
			}
		}
		// Stored exactly as Globus holds them: the gateway refuses to start
		// unless AUTHORIZED_IDP_DOMAINS equals them, case included.
		have = policyDomains(pol)
		it.store["policy.domains"] = strings.Join(have, " ")
	}
	if pol.AuthenticationAssuranceTimeout > 0 {
		v, note := fromGlobus("policy.assurance_timeout", "its re-authentication time", strconv.Itoa(pol.AuthenticationAssuranceTimeout))
		if note != "" {
			notes = append(notes, note)
		} else {
			it.store["policy.assurance_timeout"] = v
		}
	}
	if !pol.HighAssurance {
		notes = append(notes, "it is NOT high assurance: make it so in the developers console")
	}
	d := "domains " + strings.Join(have, " ")
	if len(have) == 0 {
		d = "no domains included"
	}
	if len(wanted) > 0 && !slices.Equal(sortedCopy(wanted), sortedCopy(have)) {
		d += " (not the wanted " + strings.Join(wanted, " ") + ": the vault records the policy's own, which the gateway must use)"
	}
	notes = append(notes, d+"; re-authenticate after "+humanSeconds(pol.AuthenticationAssuranceTimeout))
	it.Detail = strings.Join(notes, "; ")
	return nil
}

// policyDomains is a policy's included domains exactly as Globus holds them
// (only blanks around each trimmed), the source of AUTHORIZED_IDP_DOMAINS.
func policyDomains(pol *globus.Policy) []string {
	var out []string
	for _, d := range pol.DomainConstraintsInclude {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// humanSeconds writes 28800 as 8h and 5400 as 1h30m.
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
