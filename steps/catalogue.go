// Package steps is the setup guide as data — six steps, their fields,
// guides and console pages — and the engine that validates what the operator
// types, stores it in the vault, tracks each step's state and writes the
// gateway's .env. It never imports Bubble Tea: the TUI and the command line
// share it.
//
// Each step is one module, a file named after its ID (project.go,
// service_api.go, service_account.go, public_client.go, policy.go,
// groups.go): its keys, fields, guide, console page, done rule, checks,
// what apply plans and does for it, and the gateway variables it provides.
// The engine (this file, engine.go, verify.go, apply.go) walks the list
// below and asks each step; nothing outside a step's module names its ID.
package steps

import (
	"context"
	"io"
	"slices"
	"sync"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// modules are the steps in the guide's order, each built by its module.
// A seventh step is a module, a guide in assets/guides and a line here.
// (A function, not a variable: the modules' code reaches the catalogue,
// which a package variable's initialiser may not.)
func modules() []func() Step {
	return []func() Step{
		projectStep,
		serviceAPIStep,
		serviceAccountStep,
		publicClientStep,
		policyStep,
		groupsStep,
	}
}

// Field is one value the operator types on a step's screen.
type Field struct {
	Key, Label, Placeholder string
	Kind                    Kind
	Secret, Optional        bool
	Help                    string
}

// CopyValue is something to type on the console, ready to copy.
type CopyValue struct{ Label, Value string }

// Step is one stage of the setup guide. The TUI and the non-interactive
// commands both drive the same values. The unexported parts are what the
// engine asks of the step's module.
type Step struct {
	ID, Title string
	Number    int
	Optional  bool
	Why       string // markdown, from assets
	Guide     string // markdown, from assets
	// ConsoleURL is the page to open in the browser.
	ConsoleURL func(globus.Environment) string
	// CopyValues are the values to type on that page, worked out from what
	// is stored so far.
	CopyValues func(doc vault.Doc, env globus.Environment) []CopyValue
	Fields     []Field
	// OpensAt is the key of the field the form opens at when the wizard
	// arrives on the step with nothing typed ("": none).
	OpensAt string
	// DependsOn lists steps whose values this step's verification used: when
	// one of their values changes, a verified step here needs verifying again.
	DependsOn []string
	Action    func(ctx context.Context, e *Env) (Report, error) // nil if none
	// Verify runs the step's checks as report lines (every step has one).
	Verify func(ctx context.Context, e *Env) (Report, error)

	// keys are the vault keys the step owns, in DESIGN.md order.
	keys []KeySpec
	// vars are the gateway's .env variables the step provides, in order.
	vars []gatewayVar
	// missing is the step's done rule: the keys still to be stored before
	// it is done (nil or empty: done). Required; requiredFields is the
	// rule of a step that needs only its required fields.
	missing func(values map[string]string) []string
	// requiredWhy, when set, is the error under a required field left empty.
	requiredWhy string
	// checks are what verify and the step's check run, in order. Required:
	// a step without checks stops Catalogue, so none reports "All good" by
	// omission.
	checks func(vf *verifier, ctx context.Context) []Check
	// plan adds the step's items to apply's plan (nil: apply cannot do the
	// step). planAlways: planned even when the step is not asked for,
	// because later steps build on it (the project they go into).
	plan       func(p *planner, ctx context.Context) error
	planAlways bool
	// ownPlan is a step's "do it for me" outside apply (the groups).
	ownPlan func(ctx context.Context, e *Env, values map[string]string) (SetupPlan, error)
	// checkCommand is the command that does the step's action and check
	// ("" verify does).
	checkCommand string
	ownApply     func(ctx context.Context, e *Env, approved SetupPlan, progress func(ApplyResult)) ([]ApplyResult, error)
	// warnings are what the step's stored values hold that the gateway
	// may refuse though no check failed (nil: none).
	warnings func(doc vault.Doc) []Advice
}

// Report is what an action or verification found, one line per fact, in
// the command line's words; LinesIn names its advice in a front-end's.
type Report struct {
	Lines []string
	OK    bool
	in    func(Namer) []string
}

// LinesIn is the report with its advice's actions named by n.
func (r Report) LinesIn(n Namer) []string {
	if r.in == nil {
		return r.Lines
	}
	return r.in(n)
}

// Env is what actions and verifications work with.
type Env struct {
	Vault  *vault.Vault
	Globus *globus.Client
	Out    io.Writer // optional progress lines
	// Reauth asks the operator to sign in again when Globus demands it
	// (see Redrive); nil where nobody can be asked (no terminal).
	Reauth ReauthFunc
}

var (
	catalogueOnce  sync.Once
	catalogueSteps []Step
)

// catalogue is built once; Catalogue hands out copies.
func catalogue() []Step {
	catalogueOnce.Do(func() { catalogueSteps = buildCatalogue() })
	return catalogueSteps
}

func buildCatalogue() []Step {
	mods := modules()
	defs := make([]Step, len(mods))
	for i, build := range mods {
		s := build()
		mustBeComplete(s)
		s.Number = i + 1
		s.Why, s.Guide = assets.MustGuide(s.ID)
		id := s.ID
		s.Verify = func(ctx context.Context, e *Env) (Report, error) { return verifyReport(ctx, e, id) }
		defs[i] = s
	}
	return defs
}

// mustBeComplete stops a step module that lacks what the engine asks of
// every step: a step without checks would report "All good" by omission.
func mustBeComplete(s Step) {
	switch {
	case s.ID == "" || s.Title == "":
		panic("steps: a step module lacks its ID or title")
	case s.checks == nil:
		panic("steps: the step " + s.ID + " has no checks (what verify and its check run)")
	case s.missing == nil:
		panic("steps: the step " + s.ID + " has no done rule")
	}
}

// Catalogue returns the steps in the guide's order. Each call hands out
// fresh slices, so a caller may change its copy.
func Catalogue() []Step {
	cat := slices.Clone(catalogue())
	for i := range cat {
		cat[i].Fields = slices.Clone(cat[i].Fields)
		cat[i].DependsOn = slices.Clone(cat[i].DependsOn)
	}
	return cat
}

// StepByID finds a step of the catalogue.
func StepByID(id string) (Step, bool) {
	s, ok := stepByID(id)
	if ok {
		s.Fields = slices.Clone(s.Fields)
		s.DependsOn = slices.Clone(s.DependsOn)
	}
	return s, ok
}

// stepByID is StepByID without the copy, for the engine's own reads.
func stepByID(id string) (Step, bool) {
	for _, s := range catalogue() {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

// CanApply reports whether the wizard can do the step by API ("do it for me").
func (s Step) CanApply() bool { return s.plan != nil || s.ownPlan != nil }

// ApplyStepIDs are the console steps Apply can do for a logged-in
// operator, in the catalogue's order.
func ApplyStepIDs() []string {
	var ids []string
	for _, s := range catalogue() {
		if s.plan != nil {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func developersConsole(env globus.Environment) string { return env.DevelopersConsoleURL() }

// newProjectCopy offers the project's name and contact on an app's step
// while no project is stored: the console's project selection can make one
// on the way ("Add Project"), as a new operator does for the first login.
func newProjectCopy(doc vault.Doc) []CopyValue {
	if !projectStored(doc) {
		return projectCopy(doc, "Project Name (for Add Project)")
	}
	return nil
}

var placeholders = map[Kind]string{
	KindUUID:         "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
	KindSecret:       "the secret shown once after Generate Secret",
	KindText:         assets.DefaultProjectName,
	KindEmail:        "ops@anl.gov",
	KindDomains:      "anl.gov uchicago.edu",
	KindUsernames:    "alice@anl.gov bob@uchicago.edu",
	KindDuration:     "8h",
	KindGroupsPerIdP: `{"uchicago.edu": "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"}`,
}

// fieldsOf builds a step's fields from its own keys: every key the operator
// types (not Auto), in order; optional names the optional ones. Labels and
// kinds are written once, in the key specs.
func fieldsOf(keys []KeySpec, optional ...string) []Field {
	var out []Field
	for _, k := range keys {
		if !k.Auto {
			out = append(out, fieldOf(k, slices.Contains(optional, k.Key)))
		}
	}
	return out
}

func fieldOf(s KeySpec, optional bool) Field {
	return Field{Key: s.Key, Label: s.Label, Placeholder: placeholders[s.Kind], Kind: s.Kind,
		Secret: s.Secret, Optional: optional, Help: s.Help}
}

// requiredFields is the done rule of a step that is done once its required
// fields are stored.
func requiredFields(fields []Field) func(map[string]string) []string {
	return func(values map[string]string) []string {
		var out []string
		for _, f := range fields {
			if !f.Optional && values[f.Key] == "" {
				out = append(out, f.Key)
			}
		}
		return out
	}
}
