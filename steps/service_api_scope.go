package steps

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
)

// ScopeResult is the Service API app's action_all scope, as read back from
// Globus, and whether this run created it.
type ScopeResult struct {
	Scope   globus.Scope
	Created bool
}

// fixScopeHint is what to do when an existing action_all scope is not the
// guide's: Globus will not create a second one with the same suffix.
var fixScopeHint = Say("change the scope's dependent scopes to exactly the Groups scope ", globus.GroupsDependentScopeID, " (optional false, requires_refresh_token true), e.g. with `globus api auth PUT /v2/api/scopes/<scope ID>`, or register a new Service API app and store its ID and secret; then ", run(checkStep(serviceAPIID)), " again")

// EnsureScope makes sure the Service API app has the action_all scope with
// exactly the guide's dependent scope, and stores service_api.scope_id and
// service_api.scope_string. It looks before it creates, so running it twice
// creates at most one scope; a 409 from a concurrent creation is recovered by
// reading the scope back. An existing scope with the wrong dependent scopes
// is an error that says what is wrong; nothing is stored then.
func EnsureScope(ctx context.Context, e *Env) (ScopeResult, error) {
	if err := checkEnv(e); err != nil {
		return ScopeResult{}, err
	}
	cred, err := ServiceAPICredentials(e.Vault)
	if err != nil {
		return ScopeResult{}, err
	}
	g := e.Globus
	existing, err := findActionAll(ctx, g, cred)
	if err != nil {
		return ScopeResult{}, err
	}
	res := ScopeResult{}
	if existing != nil {
		e.progress("The Service API app already has an action_all scope (%s); checking it.", existing.ID)
		res.Scope = *existing
	} else {
		e.progress("Creating the action_all scope on the Service API app %s…", ShortID(cred.ID))
		sc, err := g.CreateScope(ctx, cred, globus.ActionAllScopeCreate(assets.ScopeName, assets.ScopeDescription))
		switch {
		case globus.IsStatus(err, http.StatusConflict):
			// Another run created it between our look and our POST.
			again, ferr := findActionAll(ctx, g, cred)
			if ferr != nil {
				return ScopeResult{}, ferr
			}
			if again == nil {
				return ScopeResult{}, &Problem{What: "Globus said the action_all scope already exists, but the Service API app lists no such scope", Do: Say(run(checkStep(serviceAPIID)), " again in a minute; if it persists, look at the app's scopes in the developers console"), Err: err}
			}
			res.Scope = *again
		case err != nil:
			return ScopeResult{}, credsProblem("creating the action_all scope", serviceAPIApp(), err)
		default:
			// Read it back: what Globus stored is what counts.
			back, err := g.GetScope(ctx, globus.Basic(cred), sc.ID)
			if err != nil {
				return ScopeResult{}, problem("reading back the new action_all scope "+sc.ID, err)
			}
			res.Scope, res.Created = *back, true
		}
	}
	if err := CheckActionAllScope(res.Scope, cred.ID); err != nil {
		return res, err
	}
	if err := storeScope(e.Vault, res.Scope); err != nil {
		return res, problem("storing the scope in the vault", err)
	}
	return res, nil
}

// findActionAll reads the client as itself and returns its action_all scope,
// or nil if it has none.
func findActionAll(ctx context.Context, g *globus.Client, cred globus.Credentials) (*globus.Scope, error) {
	a := globus.Basic(cred)
	cl, err := g.GetClient(ctx, a, cred.ID)
	if err != nil {
		return nil, credsProblem("reading the Service API app", serviceAPIApp(), err)
	}
	if cl.PublicClient {
		return nil, &Problem{
			What: "the stored Service API client " + cred.ID + " is a public client (" + cl.ClientType + "), which cannot own scopes",
			Do:   Say("store the ID and secret of the Service API app (a confidential client) in service_api.client_id and service_api.client_secret"),
		}
	}
	return actionAllOf(ctx, g, a, cl)
}

// actionAllOf reads cl's scopes (as a, the client itself or an admin of its
// project) and returns its action_all scope, or nil if it has none.
func actionAllOf(ctx context.Context, g *globus.Client, a globus.Authorizer, cl *globus.AppClient) (*globus.Scope, error) {
	if len(cl.Scopes) == 0 {
		return nil, nil
	}
	scopes, err := g.GetScopes(ctx, a, cl.Scopes)
	if err != nil {
		return nil, problem("reading the Service API app's scopes", err)
	}
	for i := range scopes {
		if isActionAll(scopes[i], cl.ID) {
			return &scopes[i], nil
		}
	}
	return nil, nil
}

func isActionAll(sc globus.Scope, clientID string) bool {
	return strings.HasSuffix(sc.ScopeString, "/"+clientID+"/"+globus.ActionAllSuffix) ||
		(sc.Client == clientID && strings.HasSuffix(sc.ScopeString, "/"+globus.ActionAllSuffix))
}

// CheckActionAllScope reports whether sc works as the gateway's scope: owned
// by clientID, suffix action_all, with the Groups scope as a required
// dependent scope. The error is a *Problem saying what is wrong and how to
// fix it. What works but differs from the guide is not an error: see
// ActionAllScopeNotes.
func CheckActionAllScope(sc globus.Scope, clientID string) error {
	var wrong []string
	if !isActionAll(sc, clientID) {
		wrong = append(wrong, fmt.Sprintf("its scope string %q is not the Service API app's action_all scope", sc.ScopeString))
	}
	found := false
	for _, d := range sc.DependentScopes {
		if d.Scope != globus.GroupsDependentScopeID {
			continue // a warning (ActionAllScopeNotes): the gateway still works
		}
		found = true
		if d.Optional {
			wrong = append(wrong, "its Groups dependent scope is optional (must be required: the gateway needs a Groups token for every user)")
		}
	}
	if !found {
		wrong = append(wrong, "it lacks the Groups dependent scope "+globus.GroupsDependentScopeID+", so the gateway cannot see its users' groups")
	}
	if len(wrong) == 0 {
		return nil
	}
	return &Problem{
		What: "the action_all scope " + sc.ID + " is not the one the gateway needs: " + strings.Join(wrong, "; "),
		Do:   fixScopeHint,
	}
}

// ActionAllScopeNotes says how a working action_all scope differs from the
// guide's, as warnings. A Groups dependent scope with
// requires_refresh_token false works with the gateway (it never asks for
// dependent refresh tokens, and Globus's own action-provider guide creates it
// so), and is only noted; an extra dependent scope is harmless to the gateway
// but makes users consent to more than it needs.
func ActionAllScopeNotes(sc globus.Scope) []string {
	var notes []string
	for _, d := range sc.DependentScopes {
		switch {
		case d.Scope != globus.GroupsDependentScopeID:
			notes = append(notes, "warning: it has an extra dependent scope "+d.Scope+", which the gateway does not use (users are asked to consent to it too)")
		case !d.RequiresRefreshToken:
			notes = append(notes, "its Groups dependent scope has requires_refresh_token false, unlike the guide's; that works with the gateway, so it is kept")
		}
	}
	return notes
}

// credsProblem explains a failure of a call made with a stored ID and secret;
// invalid_client (or another 401) means the pair is wrong, the commonest
// case; a 401 that is a GARE or invalid_grant is something else
// and keeps Globus's own words. It never repeats the secret.
func credsProblem(doing string, k appKind, err error) error {
	label, prefix := k.name, k.step
	if refusedPair(err) {
		return &Problem{
			What: doing + ": Globus did not accept the stored " + label + " client ID and secret",
			Do: Say("check "+prefix+".client_id (", getKey(prefix+".client_id"), "); if it is right, make a new secret by API with ",
				rotateCmd(prefix), " (your login; it writes the gateway's .env too), or generate a new secret "+
					"for that app in the developers console and store it with ", setKey(prefix+".client_secret")),
			Err: err,
		}
	}
	return problem(doing, err)
}

// ScopeLines describes a scope result in one or two lines.
func ScopeLines(r ScopeResult) []string {
	verb := "Reused the existing"
	if r.Created {
		verb = "Created the"
	}
	notes := ActionAllScopeNotes(r.Scope)
	dep := "required, refresh tokens"
	if slices.ContainsFunc(r.Scope.DependentScopes, func(d globus.DependentScope) bool {
		return d.Scope == globus.GroupsDependentScopeID && !d.RequiresRefreshToken
	}) {
		dep = "required"
	}
	out := []string{
		fmt.Sprintf("%s action_all scope %s, with the Groups dependent scope (%s).", verb, r.Scope.ID, dep),
		"Scope string: " + r.Scope.ScopeString,
	}
	for _, n := range notes {
		out = append(out, strings.ToUpper(n[:1])+n[1:]+".")
	}
	return out
}

// scopeAction is the Service API step's automated action.
func scopeAction(ctx context.Context, e *Env) (Report, error) {
	r, err := EnsureScope(ctx, e)
	if err != nil {
		return Report{}, err
	}
	return Report{Lines: ScopeLines(r), OK: true}, nil
}
