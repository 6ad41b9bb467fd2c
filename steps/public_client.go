package steps

import (
	"context"
	"net/http"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 4: the public (thick, native) client the gateway's users, and the
// operator's own login, go through.

const publicClientID = "public_client"

func publicClientKeys() []KeySpec {
	return []KeySpec{
		{Key: "public_client.client_id", Label: "Public client ID", Kind: KindUUID, Step: publicClientID,
			Help: "Client UUID of the public (thick, native) client users log in through; it has no secret."},
	}
}

func publicClientApp() appKind {
	return appKind{step: publicClientID, name: "public client", suffix: assets.PublicClientSuffix,
		clientType: globus.ClientTypePublicThick,
		redirect:   func(env globus.Environment) string { return env.AuthCodeRedirectURI() },
		accept:     []string{globus.ClientTypePublicThick},
		describe:   "a thick client",
		firstLogin: true,
	}
}

func publicClientStep() Step {
	fields := fieldsOf(publicClientKeys())
	return Step{
		ID: publicClientID, Title: "Register the public client",
		ConsoleURL: func(env globus.Environment) string { return env.RegistrationURL(globus.ClientTypePublicThick) },
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue {
			return append(newProjectCopy(doc), []CopyValue{
				{"App Name", assets.AppName(projectName(doc), assets.PublicClientSuffix)},
				{"Redirect URI", env.AuthCodeRedirectURI()},
			}...)
		},
		Fields:    fields,
		DependsOn: []string{projectID},
		keys:      publicClientKeys(),
		missing:   requiredFields(fields),
		checks:    func(vf *verifier, ctx context.Context) []Check { return []Check{vf.publicClient(ctx)} },
		plan:      func(p *planner, ctx context.Context) error { return p.planAppStep(ctx, publicClientApp()) },
	}
}

// PublicClientID is the stored public client's ID ("" when none): the
// operator's login goes through it by default.
func PublicClientID(doc vault.Doc) string { return trimmed(doc, "public_client.client_id") }

// AdoptLoginClient stores the thick client the operator logged in through
// as step 4's public client (the first login needs one, and the wizard says
// to register the gateway's own for it).
func AdoptLoginClient(v *vault.Vault, clientID string) error {
	return Accept(v, publicClientID, map[string]string{"public_client.client_id": clientID})
}

func (vf *verifier) publicClient(ctx context.Context) Check {
	const step, name = publicClientID, "Public client exists and is public"
	id := vf.val("public_client.client_id")
	if id == "" {
		return notStored(step, name, "public_client.client_id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return vf.loginSkip(step, name)
	}
	if c, ok := vf.unreachable(step, name); ok {
		return c
	}
	cl, err := vf.e.Globus.GetClient(ctx, vf.authTok, id)
	switch {
	case globus.IsStatus(err, http.StatusNotFound) || globus.IsStatus(err, http.StatusForbidden):
		return fail(step, name, "client "+id+" is not an app of a project you administer",
			"check public_client.client_id against the developers console")
	case err != nil:
		return vf.failErr(step, name, problem("reading the public client", err))
	case !cl.PublicClient:
		return fail(step, name, "client "+id+" is not public ("+cl.ClientType+"): users' token helpers cannot use it",
			"register a thick client (\"Register a thick client or script that will be installed and run by users on their devices\") and store its ID")
	}
	return pass(step, name, cl.ClientType+", "+ShortID(cl.ID))
}
