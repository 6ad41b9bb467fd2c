// Package steps is the setup guide as data — six steps, their fields,
// guides and console pages — and the engine that validates what the operator
// types, stores it in the vault, tracks each step's state and writes the
// gateway's .env. It never imports Bubble Tea: the TUI and the command line
// share it.
package steps

import (
	"context"
	"io"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Field is one value the operator types on a step's screen.
type Field struct {
	Key, Label, Placeholder string
	Kind                    Kind
	Secret, Optional        bool
	Help                    string
}

// CopyValue is something to type on the console, ready to copy.
type CopyValue struct{ Label, Value string }

// Step is one stage of the setup guide, as data. The TUI and the
// non-interactive commands both drive the same values.
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
	// DependsOn lists steps whose values this step's verification used: when
	// one of their values changes, a verified step here needs verifying again.
	DependsOn []string
	Action    func(ctx context.Context, e *Env) (Report, error) // nil if none
	Verify    func(ctx context.Context, e *Env) (Report, error) // nil if none
}

// Report is what an action or verification found, one line per fact.
type Report struct {
	Lines []string
	OK    bool
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

// Catalogue returns the steps in the guide's order. Each call builds fresh
// values, so a caller may change its copy.
func Catalogue() []Step {
	defs := []Step{
		{
			ID: "project", Title: "Create a Globus project",
			ConsoleURL: developersConsole,
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				cv := []CopyValue{{"Project Name", projectName(doc)}}
				if e := doc.Values["project.contact_email"]; e != "" {
					cv = append(cv, CopyValue{"Contact Email", e})
				}
				return cv
			},
			Fields: []Field{
				field("project.id", false),
				field("project.name", false),
				field("project.contact_email", true),
			},
		},
		{
			ID: "service_api", Title: "Register the Service API app",
			ConsoleURL: developersConsole,
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				return append(newProjectCopy(doc), []CopyValue{
					{"App Name", assets.AppName(projectName(doc), assets.ServiceAPISuffix)},
					{"Redirect URI (the form needs one; unused)", assets.ServiceAPIRedirectURI},
					{"Client secret description", assets.ServiceAPISecretLabel},
				}...)
			},
			Fields:    []Field{field("service_api.client_id", false), field("service_api.client_secret", false)},
			DependsOn: []string{"project"},
		},
		{
			ID: "service_account", Title: "Register the Service Account app",
			ConsoleURL: func(env globus.Environment) string { return env.RegistrationURL(globus.ClientTypeServiceAccount) },
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				return append(newProjectCopy(doc), []CopyValue{
					{"App Name", assets.AppName(projectName(doc), assets.ServiceAccountSuffix)},
					{"Client secret description", assets.ServiceAcctSecretLabel},
				}...)
			},
			Fields:    []Field{field("service_account.client_id", false), field("service_account.client_secret", false)},
			DependsOn: []string{"project"},
		},
		{
			ID: "public_client", Title: "Register the public client",
			ConsoleURL: func(env globus.Environment) string { return env.RegistrationURL(globus.ClientTypePublicThick) },
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				return append(newProjectCopy(doc), []CopyValue{
					{"App Name", assets.AppName(projectName(doc), assets.PublicClientSuffix)},
					{"Redirect URI", env.AuthCodeRedirectURI()},
				}...)
			},
			Fields:    []Field{field("public_client.client_id", false)},
			DependsOn: []string{"project"},
		},
		{
			ID: "policy", Title: "Create the high-assurance policy",
			ConsoleURL: developersConsole,
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				cv := []CopyValue{
					{"Display Name", assets.AppName(projectName(doc), assets.PolicySuffix)},
					{"Description", assets.PolicyDescription},
				}
				timeout := doc.Values["policy.assurance_timeout"]
				if timeout == "" {
					timeout = assets.DefaultAssuranceTimeout
				}
				cv = append(cv, CopyValue{"Authentication Assurance Timeout (seconds)", timeout})
				if d := SplitList(doc.Values["policy.domains"]); len(d) > 0 {
					cv = append(cv, CopyValue{"Included Domains (one per line)", strings.Join(d, "\n")})
				}
				return cv
			},
			Fields: []Field{
				field("policy.id", false),
				field("policy.domains", false),
				field("policy.assurance_timeout", false),
			},
			DependsOn: []string{"project"},
		},
		{
			ID: "groups", Title: "Create Globus groups", Optional: true,
			ConsoleURL: func(env globus.Environment) string { return env.GroupsConsoleURL() },
			CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
				cv := []CopyValue{{"Group Name", assets.AppName(projectName(doc), assets.GroupSuffix)}}
				for _, name := range GroupNames(doc.Values) {
					if m := SplitList(doc.Values["groups."+name+".members"]); len(m) > 0 {
						cv = append(cv, CopyValue{"Members of " + name + " (one per line)", strings.Join(m, "\n")})
					}
				}
				return cv
			},
			// One group by default; more with `set groups.<name>.members`.
			// An ID means the group exists; members without an ID ask the
			// action to create it.
			Fields: []Field{
				field("groups."+DefaultGroup+".id", true),
				field("groups."+DefaultGroup+".members", true),
			},
			// Groups are created and read with the Service API app's credentials.
			DependsOn: []string{"service_api"},
		},
	}
	for i := range defs {
		defs[i].Number = i + 1
		defs[i].Why, defs[i].Guide = assets.MustGuide(defs[i].ID)
	}
	return withOps(defs)
}

// StepByID finds a step of the catalogue.
func StepByID(id string) (Step, bool) {
	for _, s := range Catalogue() {
		if s.ID == id {
			return s, true
		}
	}
	return Step{}, false
}

func developersConsole(env globus.Environment) string { return env.DevelopersConsoleURL() }

// newProjectCopy offers the project's name and contact on an app's step
// while no project is stored: the console's project selection can make one
// on the way ("Add Project"), as a new operator does for the first login.
func newProjectCopy(doc vault.Doc) []CopyValue {
	if strings.TrimSpace(doc.Values["project.id"]) != "" {
		return nil
	}
	cv := []CopyValue{{"Project Name (for Add Project)", projectName(doc)}}
	if e := doc.Values["project.contact_email"]; e != "" {
		cv = append(cv, CopyValue{"Contact Email", e})
	}
	return cv
}

func projectName(doc vault.Doc) string {
	if n := doc.Values["project.name"]; n != "" {
		return n
	}
	return assets.DefaultProjectName
}

var placeholders = map[Kind]string{
	KindUUID:      "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d",
	KindSecret:    "the secret shown once after Generate Secret",
	KindText:      assets.DefaultProjectName,
	KindEmail:     "ops@anl.gov",
	KindDomains:   "anl.gov uchicago.edu",
	KindUsernames: "alice@anl.gov bob@uchicago.edu",
	KindDuration:  "8h",
}

// field builds a step field from the key's spec, so labels and kinds are
// written once, in keys.go.
func field(key string, optional bool) Field {
	s, ok := Spec(key)
	if !ok {
		panic("steps: field for unknown key " + key)
	}
	return Field{Key: key, Label: s.Label, Placeholder: placeholders[s.Kind], Kind: s.Kind,
		Secret: s.Secret, Optional: optional, Help: s.Help}
}
