package flow

import (
	"context"
	"errors"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// LoginOptions say how the operator logs in.
type LoginOptions struct {
	// ClientID is the thick client to log in through when the person named
	// one ("": the stored public client, or asked when none is stored).
	ClientID string
	// Suggested is the client the question offers (the demo's own thick
	// client), From where it comes from; NotOffered is never offered as
	// step 4's public client (that same demo client).
	Suggested, SuggestedFrom, NotOffered string
	// SuggestedNote says what the suggested client is, before asking.
	SuggestedNote string
	// Require is what to ask Globus for beyond a plain login (login --mfa).
	Require *globus.AuthRequirements
}

// LoginResult is a finished login (never its tokens).
type LoginResult struct {
	Info steps.LoginInfo
	// Through is the client the login went through when it was not the
	// stored public client.
	Through string
	// Adopted is the login's client, stored as step 4's public client.
	Adopted *steps.LoginClient
}

// Login logs the operator in: through the stored public client, or, for
// the very first login, a thick client the person names; shows the login
// page, takes the code pasted back (a refused code is asked again: the
// link stays good), keeps the tokens in the vault, and offers a client
// that can be the gateway's public client as step 4's value.
func Login(ctx context.Context, ui UI, e *steps.Env, o LoginOptions) (LoginResult, error) {
	var res LoginResult
	id := strings.TrimSpace(o.ClientID)
	if id == "" && !PublicClientStored(e) {
		q := Question{
			Key:   KeyLoginClient,
			Label: "Client ID to log in with",
			Intro: []string{"No public client is stored yet, and the very first login needs a thick (native) client: " +
				"register the gateway's public client by hand (step 4 shows how; the console can create the project on the way) and give its ID, or the ID of any thick client you have."},
			Suggestion: o.Suggested, From: o.SuggestedFrom,
			Validate: valid("public_client.client_id"),
			Flag:     "--client-id",
		}
		if o.SuggestedNote != "" {
			q.Intro = append(q.Intro, o.SuggestedNote)
		}
		v, err := ui.Ask(ctx, q)
		if errors.Is(err, ErrNotAsked) {
			_, err = steps.StartLogin(e, "") // its Problem says how to get a client
			return res, err
		}
		if err != nil {
			return res, err
		}
		id = v
	}
	f, err := steps.StartLoginWith(e, id, o.Require)
	if err != nil {
		return res, err
	}
	if o.Require != nil {
		ui.Progress(Progress{Note: "Asking Globus for a session " + o.Require.Describe() + "."})
	}
	q := Question{
		Key:   KeyLoginCode,
		Label: "Code from the Globus page (or the page's address)",
		Link: &Link{Key: KeyLoginCode, What: "login page", URL: f.URL,
			Intro: []string{"Log in to Globus at this address and allow access, then paste the code Globus shows (or the whole address of its page)."}},
		Validate: required("Paste the code Globus showed after you allowed access."),
	}
	var info steps.LoginInfo
	for {
		code, err := ui.Ask(ctx, q)
		if errors.Is(err, ErrNotAsked) && q.Again != nil {
			return res, q.Again // nobody to paste another code: the refusal is the answer
		}
		if err != nil {
			return res, err
		}
		ui.Progress(Progress{Doing: "Logging in…"})
		info, err = steps.FinishLogin(ctx, e, f, code)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		// The login link stays good: ask for a new code.
		q.Again, q.AgainDo = err, "paste a new code: the link above still works"
	}
	res.Info, res.Through = info, id
	if id == "" {
		res.Through = ""
	}
	ui.Outcome(Outcome{OK: true, Summary: []string{"Logged in through client " + info.ClientID + " (" + strings.Join(info.ResourceServers, ", ") + ")."}})
	if id == "" || id == o.NotOffered || PublicClientStored(e) {
		return res, nil
	}
	adopted, err := offerLoginClient(ctx, ui, e, id)
	res.Adopted = adopted
	return res, err
}

// offerLoginClient asks whether the thick client the operator just logged
// in through is the gateway's public client (step 4): the first login
// needs one, and the wizard tells a new operator to register the gateway's
// own for it, so it is kept rather than made twice. Yes stores it; a
// client that cannot be step 4's is not offered.
func offerLoginClient(ctx context.Context, ui UI, e *steps.Env, id string) (*steps.LoginClient, error) {
	lc, err := steps.ReadLoginClient(ctx, e, id)
	if err != nil || !lc.Gateway {
		return nil, nil // not one to offer: it only logged the operator in
	}
	yes, err := ui.Confirm(ctx, Confirm{
		Key: KeyAdoptClient,
		Ask: termsafe.Line("You logged in through " + lc.Name + " (" + lc.ID + "), a thick client with Globus's code page as its redirect URI, in your project " + lc.ProjectName +
			". Is it the gateway's public client (step 4)? Yes stores it, and the setup puts everything else into " + lc.ProjectName + "."),
		Default: true,
		Offer:   true,
		OfferNote: steps.Say("Not stored as step 4's public client (there is nobody to ask); if it is the gateway's, store it with ",
			steps.Action{Kind: steps.ActSet, Key: "public_client.client_id", Value: lc.ID}, "."),
	})
	if err != nil || !yes {
		return nil, err
	}
	if err := steps.AdoptLoginClient(e.Vault, lc.ID); err != nil {
		return nil, err
	}
	ui.Outcome(Outcome{OK: true, Summary: []string{termsafe.Line("Stored " + lc.Name + " as step 4's public client; the setup goes into its project, " + lc.ProjectName + ".")}})
	return &lc, nil
}

// PublicClientStored: step 4's client is stored, so logins go through it.
func PublicClientStored(e *steps.Env) bool {
	return e != nil && e.Vault != nil && steps.PublicClientID(e.Vault.Doc()) != ""
}
