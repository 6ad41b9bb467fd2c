package tui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/termsafe"
)

// The accessible mode's "do it for me" (steps 1–5 by API), the in-line
// operator login it needs, and the links both show.

func (a *access) env() *steps.Env {
	return &steps.Env{Vault: a.v, Globus: a.cfg.Globus, Reauth: a.reauth}
}

// ended is the reason to stop asking: the input ran out or the run was
// interrupted; nil otherwise. confirm swallows both, so callers check here.
func (a *access) ended() error {
	if a.in.eof {
		return errInputEnded
	}
	return a.ctx.Err()
}

// problem says what went wrong and what to do, in the mode's words.
func (a *access) problem(err error) {
	a.say("Problem: %s", err)
	if h := steps.Hint(err); h != "" && !strings.Contains(err.Error(), h) {
		a.say("What to do: %s", h)
	}
}

func (a *access) open(url string) error {
	if a.cfg.OpenBrowser != nil {
		return a.cfg.OpenBrowser(url)
	}
	return defaultOpen(a.cfg.Getenv, url)
}

// offerLink opens url in a browser if the operator wants and one opens;
// otherwise the link is read out to open elsewhere (over SSH, say).
func (a *access) offerLink(what, url string) {
	if a.confirm("Open the "+what+" in a browser?", true) && a.open(url) == nil {
		a.say("Opened %s", url)
		return
	}
	a.say("%s: %s", strings.ToUpper(what[:1])+what[1:], url)
}

// offerApply lets the wizard do an API-capable step. done is true when the
// step needs nothing more; false sends the operator to the browser path.
func (a *access) offerApply(s steps.Step) (done bool, err error) {
	if a.cfg.Globus == nil || !slices.Contains(steps.ApplyStepIDs(), s.ID) {
		return false, nil
	}
	choice := "wizard"
	if err := a.ask(huh.NewSelect[string]().
		Title("Let the wizard do this step for you (needs your Globus login), or do it yourself in the browser?").
		Options(huh.NewOption("Let the wizard do it", "wizard"), huh.NewOption("Do it yourself in the browser", "browser")).
		Value(&choice)); err != nil {
		return false, err
	}
	if choice != "wizard" {
		return false, nil
	}
	done, err = a.applyStep(s)
	if err == nil && !done {
		a.say("Do this step yourself in the browser, then.")
	}
	return done, err
}

// applyStep logs in if needed, asks the inputs not stored, shows the plan,
// and once approved creates what is missing and checks the step.
func (a *access) applyStep(s steps.Step) (bool, error) {
	if _, ok := steps.LoggedIn(a.v); !ok {
		a.say("The wizard works as you, so it needs your own Globus login first.")
		if ok, err := a.login(); err != nil || !ok {
			return false, err
		}
	}
	values, err := a.applyInputs(s)
	if err != nil {
		return false, err
	}
	opts := steps.ApplyOptions{Steps: []string{s.ID}, Values: values}
	var plan steps.Plan
	for relogged := false; ; relogged = true {
		a.say("Looking at what is there already…")
		plan, err = steps.MakePlan(a.op(), a.env(), opts)
		if err == nil {
			break
		}
		a.problem(err)
		// A stored login may have expired or lack a scope: one fresh login.
		if relogged || !errors.Is(err, steps.ErrNotLoggedIn) || a.ctx.Err() != nil || !a.confirm("Log in again now?", true) {
			return false, a.ended()
		}
		if ok, err := a.login(); err != nil || !ok {
			return false, err
		}
	}
	a.say("The plan:")
	for _, l := range plan.Lines() {
		a.say("%s", l)
	}
	if plan.Creates() == 0 {
		a.say("Nothing to create: what was found is kept and stored.")
	} else if !a.confirm("Create these?", false) {
		a.say("Nothing was created.")
		return false, a.ended()
	}
	a.say("Doing it…")
	_, results, err := steps.Apply(a.op(), a.env(), opts, &plan, func(r steps.ApplyResult) {
		if !signInAsked(r.Err) { // the request to sign in again says it in words
			a.say("%s", r.Line())
		}
	})
	if err != nil {
		// A failed item's line already said what went wrong and what to do.
		if n := len(results); n == 0 || results[n-1].Err == nil {
			a.problem(err)
		}
		if len(results) > 0 {
			a.say("Whatever was created is stored in the vault, and is not made twice when the wizard tries again.")
		}
		return false, a.ctx.Err()
	}
	switch n := created(results); n {
	case 0:
		a.say("Nothing needed creating; what was found is stored in the vault.")
	case 1:
		a.say("Created 1 thing and stored it in the vault.")
	default:
		a.say("Created %d things and stored them in the vault.", n)
	}
	if a.check(s) {
		return true, nil
	}
	if a.confirm("Fix it yourself in the browser now?", true) {
		return false, nil
	}
	return true, a.ended()
}

func created(results []steps.ApplyResult) int {
	n := 0
	for _, r := range results {
		if r.Err == nil && r.Item.Action == steps.PlanCreate {
			n++
		}
	}
	return n
}

// applyDefaults says what a blank answer to an optional input of Apply
// means: Apply fills it in itself.
var applyDefaults = map[string]string{
	"project.name":             "the name " + assets.DefaultProjectName,
	"project.contact_email":    "the e-mail of your Globus login",
	"policy.assurance_timeout": humanTimeout(assets.DefaultAssuranceTimeout),
}

func humanTimeout(secs string) string {
	n, err := strconv.Atoi(secs)
	if err == nil && n > 0 && n%3600 == 0 {
		return fmt.Sprintf("%d hours", n/3600)
	}
	return secs + " seconds"
}

// applyInputs asks for the step's typed inputs that are not stored (names,
// e-mail, domains, timeout). IDs and secrets are what Apply finds or makes;
// when the step's object is stored already, Apply takes its values from
// Globus, so nothing is asked.
func (a *access) applyInputs(s steps.Step) (map[string]string, error) {
	doc := a.v.Doc()
	var ask []steps.Field
	for _, f := range s.Fields {
		f = steps.FieldIn(doc, f)
		switch {
		case f.Kind == steps.KindUUID && doc.Values[f.Key] != "":
			return nil, nil
		case f.Kind == steps.KindUUID, f.Secret, doc.Values[f.Key] != "":
		default:
			ask = append(ask, f)
		}
	}
	if len(ask) == 0 {
		return nil, nil
	}
	vals := make([]string, len(ask))
	var fields []huh.Field
	for i, f := range ask {
		def, optional := applyDefaults[f.Key]
		title := f.Label
		if optional {
			title += " (enter for " + def + ")"
		}
		fields = append(fields, huh.NewInput().Title(title+":").Value(&vals[i]).Validate(func(v string) error {
			v = strings.TrimSpace(v)
			if v == "" {
				if optional {
					return nil
				}
				return fmt.Errorf("%s is required: the wizard cannot make it up", f.Label)
			}
			if _, err := steps.Validate(f.Key, v); err != nil {
				return errors.New(safeMessage(err.Error(), v))
			}
			return nil
		}))
	}
	if err := a.ask(fields...); err != nil {
		return nil, err
	}
	values := map[string]string{}
	for i, f := range ask {
		if v := strings.TrimSpace(vals[i]); v != "" {
			values[f.Key] = v
		}
	}
	return values, nil
}

// login is the operator's PKCE login in line: a link to sign in and the code
// pasted back. false (with a nil error) when it did not work out.
func (a *access) login() (bool, error) {
	for try := 0; try < 3; try++ {
		if try > 0 && !a.confirm("Try logging in again?", true) {
			return false, a.ended()
		}
		id := ""
		if strings.TrimSpace(a.v.Doc().Values["public_client.client_id"]) == "" {
			var err error
			if id, err = a.askLoginClient(); err != nil {
				return false, err
			}
		}
		flow, err := steps.StartLogin(a.env(), id)
		if err != nil {
			a.problem(err)
			continue
		}
		a.offerLink("login page", flow.URL)
		a.say("Sign in there and allow access; Globus then shows a code to paste here.")
		var code string
		if err := a.ask(huh.NewInput().Title("Code from the Globus page (or the page's address):").Value(&code).
			Validate(required("Paste the code Globus showed after you allowed access."))); err != nil {
			return false, err
		}
		a.say("Logging in…")
		info, err := steps.FinishLogin(a.op(), a.env(), flow, strings.TrimSpace(code))
		if err != nil {
			if a.ctx.Err() != nil {
				return false, a.ctx.Err()
			}
			a.problem(err)
			continue
		}
		a.say("Logged in through client %s (%s).", info.ClientID, strings.Join(info.ResourceServers, ", "))
		if id != "" && id != a.cfg.DemoLoginClient {
			a.offerLoginClient(id)
		}
		return true, nil
	}
	return false, a.ended()
}

// offerLoginClient asks whether the thick client just logged in through is
// the gateway's public client, as on the login screen (login.go).
func (a *access) offerLoginClient(id string) {
	lc, err := steps.ReadLoginClient(a.op(), a.env(), id)
	if err != nil || !lc.Gateway {
		return
	}
	q := termsafe.Line("You logged in through " + lc.Name + " (" + lc.ID + "), a thick client with Globus's code page as its redirect URI, in your project " + lc.ProjectName +
		". Is it the gateway's public client (step 4)? Yes stores it, and the setup puts everything else into " + lc.ProjectName + ".")
	if !a.confirm(q, true) {
		return
	}
	if err := steps.AdoptLoginClient(a.v, lc.ID); err != nil {
		a.problem(err)
		return
	}
	a.say("Stored %s as step 4's public client.", lc.Name)
}

// askLoginClient asks which client to log in through while no public
// client is stored.
func (a *access) askLoginClient() (string, error) {
	a.say("No public client is stored yet, and the very first login needs a thick (native) client: " +
		"register the gateway's public client by hand (step 4 shows how; the console can create the project on the way) and give its ID, or the ID of any thick client you have.")
	id := a.cfg.DemoLoginClient
	title := "Client ID to log in with:"
	if id != "" {
		a.say("Demo: the emulator's operator already has a thick client (\"Operator's own CLI\").")
		title = "Client ID to log in with (enter uses the demo's thick client):"
	}
	def := id
	err := a.ask(huh.NewInput().Title(title).Value(&id).Validate(func(v string) error {
		v = strings.TrimSpace(v)
		if v == "" {
			if def != "" {
				return nil
			}
			return errors.New("give the ID of the client to log in through")
		}
		if _, err := steps.Validate("public_client.client_id", v); err != nil {
			return errors.New(safeMessage(err.Error(), v))
		}
		return nil
	}))
	return strings.TrimSpace(id), err
}

func required(msg string) func(string) error {
	return func(v string) error {
		if strings.TrimSpace(v) == "" {
			return errors.New(msg)
		}
		return nil
	}
}
