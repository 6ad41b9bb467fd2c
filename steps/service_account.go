package steps

import (
	"context"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 3: the Service Account app (a client identity), with which the
// gateway reads its policy at start-up and calls Globus Compute.

const serviceAccountID = "service_account"

func serviceAccountKeys() []KeySpec {
	return []KeySpec{
		{Key: "service_account.client_id", Label: "Service account client ID", Kind: KindUUID, Step: serviceAccountID,
			Help: "Client UUID of the Service Account app (a client identity); the gateway's SERVICE_ACCOUNT_ID."},
		{Key: "service_account.client_secret", Label: "Service account client secret", Kind: KindSecret, Secret: true, Step: serviceAccountID,
			Help: "A client secret generated for the Service Account app; the gateway's SERVICE_ACCOUNT_SECRET."},
	}
}

func serviceAccountApp() appKind {
	return appKind{step: serviceAccountID, name: "Service Account", suffix: assets.ServiceAccountSuffix,
		label: assets.ServiceAcctSecretLabel, clientType: globus.ClientTypeServiceAccount,
		accept:   []string{globus.ClientTypeServiceAccount},
		describe: "a service account",
		compute:  true,
	}
}

func serviceAccountStep() Step {
	fields := fieldsOf(serviceAccountKeys())
	return Step{
		ID: serviceAccountID, Title: "Register the Service Account app",
		ConsoleURL: func(env globus.Environment) string { return env.RegistrationURL(globus.ClientTypeServiceAccount) },
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
			return append(newProjectCopy(doc), []CopyValue{
				{"App Name", assets.AppName(projectName(doc), assets.ServiceAccountSuffix)},
				{"Client secret description", assets.ServiceAcctSecretLabel},
			}...)
		},
		Fields:    fields,
		DependsOn: []string{projectID},
		keys:      serviceAccountKeys(),
		missing:   requiredFields(fields),
		vars: []gatewayVar{
			scalarVar("SERVICE_ACCOUNT_ID", "service_account.client_id"),
			scalarVar("SERVICE_ACCOUNT_SECRET", "service_account.client_secret"),
		},
		checks: (*verifier).serviceAccount,
		plan:   func(p *planner, ctx context.Context) error { return p.planAppStep(ctx, serviceAccountApp()) },
	}
}

// ServiceAccountCredentials returns the stored Service Account ID and secret.
func ServiceAccountCredentials(v *vault.Vault) (globus.Credentials, error) {
	return storedCredentials(v, serviceAccountApp())
}

// serviceAccountClientID is the stored Service Account app's ID ("" when none).
func serviceAccountClientID(v *vault.Vault) string { return value(v, "service_account.client_id") }

// ServiceAccountStored: step 3's secret is stored, so a policy can be
// read with it, as the gateway does (ReadPolicyValues).
func ServiceAccountStored(doc vault.Doc) bool {
	return doc.Values["service_account.client_secret"] != ""
}

func (vf *verifier) serviceAccount(ctx context.Context) []Check {
	const step = serviceAccountID
	const typeName = "Service Account app is a service account"
	cred, c, ok := vf.credsCheck(ctx, serviceAccountApp())
	out := []Check{c}
	if !ok {
		if c.Status == CheckFail && !c.NoAnswer {
			out = append(out, skip(step, typeName, "the credentials do not work"))
		}
		return out
	}
	if strings.EqualFold(cred.ID, serviceAPIClientID(vf.e.Vault.Doc())) {
		return append(out, fail(step, typeName, "it is the same app as the Service API",
			"register a separate service account app (step 3) and store its ID and secret"))
	}
	cl, err := vf.e.Globus.GetClient(ctx, globus.Basic(cred), cred.ID)
	switch {
	case err != nil:
		out = append(out, vf.failErr(step, typeName, problem("reading the app", err)))
	case vf.otherProject(cl.Project) != "":
		// The gateway reads the policy as this app (inference_gateway/apps.py),
		// and a project's policies are read by its own apps.
		out = append(out, fail(step, typeName, "the app belongs to project "+cl.Project+", not the stored project "+vf.otherProject(cl.Project)+", so it could not read the project's policy at the gateway's start",
			"register the Service Account app in the stored project (step 1's), or check project.id and service_account.client_id"))
	case cl.ClientType == globus.ClientTypeServiceAccount:
		out = append(out, pass(step, typeName, cl.ClientType))
	case cl.PublicClient || cl.ClientType == globus.ClientTypePublicThick:
		out = append(out, fail(step, typeName, "client "+cred.ID+" is a public client", "store the service account app's ID and secret"))
	default:
		// Any confidential client can get its own tokens, which is all the
		// gateway asks of it; say so rather than fail.
		out = append(out, pass(step, typeName, cl.ClientType+", not client_identity as the guide registers it, but it works"))
	}
	return out
}
