package steps

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 2: the Service API app (a confidential client that owns the
// gateway's action_all scope), its secret and that scope.

const serviceAPIID = "service_api"

func serviceAPIKeys() []KeySpec {
	return []KeySpec{
		{Key: "service_api.client_id", Label: "Service API client ID", Kind: KindUUID, Step: serviceAPIID,
			Help: "Client UUID of the Service API app (a confidential client); the gateway's GLOBUS_APPLICATION_ID."},
		{Key: "service_api.client_secret", Label: "Service API client secret", Kind: KindSecret, Secret: true, Step: serviceAPIID,
			Help: "A client secret generated for the Service API app; the gateway's GLOBUS_APPLICATION_SECRET."},
		{Key: "service_api.scope_id", Label: "Service API scope ID", Kind: KindUUID, Step: serviceAPIID, Auto: true,
			DerivedFrom: []string{"service_api.client_id"},
			Help:        "UUID of the Service API app's action_all scope, created by the wizard."},
		{Key: "service_api.scope_string", Label: "Service API scope string", Kind: KindScopeString, Step: serviceAPIID, Auto: true,
			DerivedFrom: []string{"service_api.client_id"},
			Help:        "The scope users' tokens must carry: https://auth.globus.org/scopes/<client ID>/action_all."},
	}
}

// serviceAPIApp() is the Service API app, as apply makes it and the
// credential checks name it.
func serviceAPIApp() appKind {
	return appKind{step: serviceAPIID, name: "Service API", suffix: assets.ServiceAPISuffix,
		label: assets.ServiceAPISecretLabel, clientType: globus.ClientTypeHybrid,
		redirect: func(globus.Environment) string { return assets.ServiceAPIRedirectURI },
		accept:   []string{globus.ClientTypeHybrid, globus.ClientTypeConfidential, globus.ClientTypeResourceServer},
		describe: "a service API",
		more:     (*planner).planScope,
	}
}

func serviceAPIStep() Step {
	fields := fieldsOf(serviceAPIKeys())
	required := requiredFields(fields)
	return Step{
		ID: serviceAPIID, Title: "Register the Service API app",
		ConsoleURL: developersConsole,
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
			return append(newProjectCopy(doc), []CopyValue{
				{"App Name", assets.AppName(projectName(doc), assets.ServiceAPISuffix)},
				{"Redirect URI (the form needs one; unused)", assets.ServiceAPIRedirectURI},
				{"Client secret description", assets.ServiceAPISecretLabel},
			}...)
		},
		Fields:    fields,
		DependsOn: []string{projectID},
		// Done with its ID, its secret and its action_all scope: the
		// gateway's users cannot get a token for it without the scope.
		missing: func(values map[string]string) []string {
			out := required(values)
			if values["service_api.scope_id"] == "" {
				out = append(out, "service_api.scope_id")
			}
			return out
		},
		keys: serviceAPIKeys(),
		vars: []gatewayVar{
			scalarVar("GLOBUS_APPLICATION_ID", "service_api.client_id"),
			scalarVar("GLOBUS_APPLICATION_SECRET", "service_api.client_secret"),
		},
		Action:       scopeAction,
		checkCommand: "scope create",
		checks:       (*verifier).serviceAPI,
		plan:         func(p *planner, ctx context.Context) error { return p.planAppStep(ctx, serviceAPIApp()) },
	}
}

// ServiceAPICredentials returns the stored Service API ID and secret, or a
// Problem saying which is missing and how to store it.
func ServiceAPICredentials(v *vault.Vault) (globus.Credentials, error) {
	return storedCredentials(v, serviceAPIApp())
}

// serviceAPIClientID is the stored Service API app's ID ("" when none).
func serviceAPIClientID(doc vault.Doc) string {
	return strings.TrimSpace(doc.Values["service_api.client_id"])
}

// scopeString is the stored action_all scope string ("" when none).
func scopeString(doc vault.Doc) string {
	return strings.TrimSpace(doc.Values["service_api.scope_string"])
}

func (vf *verifier) serviceAPI(ctx context.Context) []Check {
	const step = serviceAPIID
	const typeName = "Service API app is a confidential client"
	cred, c, ok := vf.credsCheck(ctx, serviceAPIApp())
	out := []Check{c}
	if !ok {
		if c.Status == CheckFail && !c.NoAnswer {
			out = append(out, skip(step, typeName, "the credentials do not work"),
				skip(step, scopeCheckName, "the credentials do not work"))
		}
		return out
	}
	cl, err := vf.e.Globus.GetClient(ctx, globus.Basic(cred), cred.ID)
	switch {
	case err != nil:
		out = append(out, vf.failErr(step, typeName, problem("reading the app", err)))
	case cl.PublicClient || cl.ClientType == globus.ClientTypePublicThick:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a public client ("+cl.ClientType+")",
			"store the Service API app's ID and secret (a confidential client registered as a service API)"))
	case cl.ClientType == globus.ClientTypeServiceAccount:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a service account (client_identity), which cannot own the gateway's scope",
			Say("the Service API and Service Account IDs may be swapped: check ", getKey("service_api.client_id"), " against the console")))
	case !slices.Contains([]string{globus.ClientTypeConfidential, globus.ClientTypeResourceServer, globus.ClientTypeHybrid, ""}, cl.ClientType):
		out = append(out, fail(step, typeName, "client "+cred.ID+" has the unexpected type "+cl.ClientType,
			"register the Service API app as the guide says (a service API, i.e. a confidential client)"))
	case vf.otherProject(cl.Project) != "":
		out = append(out, fail(step, typeName, "the app belongs to project "+cl.Project+", not the stored project "+vf.otherProject(cl.Project),
			"check project.id and service_api.client_id"))
	default:
		t := cl.ClientType
		if t == "" {
			t = "confidential"
		}
		out = append(out, pass(step, typeName, t))
	}
	return append(out, vf.scope(ctx, cred))
}

const scopeCheckName = "action_all scope has the Groups dependent scope"

func (vf *verifier) scope(ctx context.Context, cred globus.Credentials) Check {
	const step, name = serviceAPIID, scopeCheckName
	id := vf.val("service_api.scope_id")
	if id == "" {
		return fail(step, name, "no action_all scope is stored", Say(run(checkStep(serviceAPIID))))
	}
	sc, err := vf.e.Globus.GetScope(ctx, globus.Basic(cred), id)
	if err != nil {
		if globus.IsStatus(err, http.StatusNotFound) {
			return fail(step, name, "the stored scope "+id+" does not exist", Say(run(checkStep(serviceAPIID)), " to find or create it again"))
		}
		return vf.failErr(step, name, problem("reading the scope", err))
	}
	if err := CheckActionAllScope(*sc, cred.ID); err != nil {
		return failErr(step, name, err)
	}
	if s := vf.val("service_api.scope_string"); s != "" && s != sc.ScopeString {
		return fail(step, name, "the stored scope string differs from Globus's ("+sc.ScopeString+")", Say(run(checkStep(serviceAPIID)), " to store it again"))
	}
	return pass(step, name, strings.Join(append([]string{sc.ScopeString}, ActionAllScopeNotes(*sc)...), "; "))
}

// planScope looks for the Service API app's action_all scope; EnsureScope
// does the work when Apply runs.
func (p *planner) planScope(ctx context.Context, app *planned, cl *globus.AppClient) error {
	it := &planned{PlanItem: PlanItem{Step: serviceAPIID, What: "scope", Name: assets.ScopeName,
		Action: PlanCreate, Detail: "action_all, with the Groups dependent scope"},
		do: func(p *planner, ctx context.Context, _ *planned) (string, error) {
			r, err := EnsureScope(ctx, p.e)
			return r.Scope.ID, err
		}}
	var sc *globus.Scope
	if cl != nil {
		var err error
		if sc, err = actionAllOf(ctx, p.g, p.auth, cl); err != nil {
			return err
		}
	}
	if sc == nil {
		p.add(it)
		return nil
	}
	if err := CheckActionAllScope(*sc, cl.ID); err != nil {
		return err
	}
	it.Action, it.ID, it.Detail = PlanReuse, sc.ID, strings.Join(append([]string{sc.ScopeString}, ActionAllScopeNotes(*sc)...), "; ")
	if sc.Name != "" {
		it.Name = sc.Name
	}
	if app.Action == PlanKeep && value(p.e.Vault, "service_api.scope_id") == sc.ID {
		it.Action = PlanKeep
	}
	p.add(it)
	return nil
}

// storeScope records the action_all scope Globus holds.
func storeScope(v *vault.Vault, sc globus.Scope) error {
	return SetValues(v, map[string]string{
		"service_api.scope_id":     sc.ID,
		"service_api.scope_string": sc.ScopeString,
	})
}
