package flow

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/globus-setup/globus-setup/steps"
)

// Checked is what a step's action and checks found.
type Checked struct {
	Lines []string // in the UI's words, each marked ✓ ✗ or -
	OK    bool
	// Err: the checks could not run to the end (cancelled, a refusal).
	Err error
}

// CheckStep runs a step's action (step 2's makes its scope) when
// withAction, then its checks, as verify does for that step.
func CheckStep(ctx context.Context, ui UI, e *steps.Env, s steps.Step, withAction bool) Checked {
	ui.Progress(Progress{Doing: say(ui, Words("Checking with Globus…", "Talking to Globus…", "Checking with Globus…"))})
	var c Checked
	c.OK = true
	for _, fn := range []func(context.Context, *steps.Env) (steps.Report, error){action(s, withAction), s.Verify} {
		if fn == nil {
			continue
		}
		rep, err := fn(ctx, e)
		c.Lines = append(c.Lines, rep.LinesIn(ui.Words())...)
		if ctx.Err() != nil {
			err = ctx.Err() // checks report a cut-short call as failed; say cancelled
		}
		if err != nil {
			c.OK, c.Err = false, err
			return c
		}
		c.OK = c.OK && rep.OK
	}
	return c
}

func action(s steps.Step, with bool) func(context.Context, *steps.Env) (steps.Report, error) {
	if !with {
		return nil
	}
	return s.Action
}

// Checks reports whether the step has anything to check.
func Checks(s steps.Step) bool { return s.Action != nil || s.Verify != nil }

// SaveOptions are a step's values as given on its screen or prompts.
type SaveOptions struct {
	Step string
	// Values by key; a blank one keeps what is stored.
	Values map[string]string
	// Typed are the keys the person typed (or pasted): what is read back
	// from Globus never replaces them.
	Typed map[string]bool
	// Read is a read-back made before for one of Values (not made again).
	Read steps.ReadBack
	// Check runs the step's action and checks once it is saved.
	Check bool
}

// Saved is what SaveStep did.
type Saved struct {
	// Read is what was read from Globus into the values (a pasted
	// policy's domains and timeout), ReadErr why it could not be.
	Read    steps.ReadBack
	ReadErr error
	// Missing is a required value neither given, stored nor read: it was
	// asked for, and a front-end asking it in its own form has it to ask.
	Missing string
	Stored  bool
	Check   *Checked
}

// SaveStep saves a step's values and checks it: a value naming something
// on Globus that holds the values stored beside it (a policy ID: its
// domains and timeout) has them read back first, exactly as Globus spells
// them, unless typed; a required value still missing is asked for; then
// everything is stored in one vault update (steps.AcceptRead, which
// records what was read from Globus) and, with o.Check, checked.
func SaveStep(ctx context.Context, ui UI, e *steps.Env, o SaveOptions) (Saved, error) {
	var res Saved
	s, ok := steps.StepByID(o.Step)
	if !ok {
		return res, errors.New("unknown step " + o.Step)
	}
	values := maps.Clone(o.Values)
	if values == nil {
		values = map[string]string{}
	}
	res.Read, res.ReadErr = readBack(ctx, ui, e, values, o)
	for k, v := range res.Read.Values {
		if !o.Typed[k] {
			values[k] = v
		}
	}
	doc := e.Vault.Doc()
	for _, f := range s.Fields {
		if f.Optional || strings.TrimSpace(values[f.Key]) != "" || strings.TrimSpace(doc.Values[f.Key]) != "" {
			continue
		}
		f = steps.FieldIn(doc, f)
		v, err := ui.Ask(ctx, Question{Key: f.Key, Label: f.Label, Secret: f.Secret, Validate: valid(f.Key), Intro: readNote(res)})
		if errors.Is(err, ErrNotAsked) {
			res.Missing = f.Key
			return res, nil
		}
		if err != nil {
			return res, err
		}
		values[f.Key] = v
	}
	if err := steps.AcceptRead(e.Vault, s.ID, values, res.Read); err != nil {
		return res, err
	}
	res.Stored = true
	if o.Check && e.Globus != nil && Checks(s) {
		c := CheckStep(ctx, ui, e, s, true)
		res.Check = &c
	}
	return res, nil
}

// readBack reads back what a given value names, unless every value it
// would fill was typed, or o.Read already holds it.
func readBack(ctx context.Context, ui UI, e *steps.Env, values map[string]string, o SaveOptions) (steps.ReadBack, error) {
	for k, v := range values {
		v = strings.TrimSpace(v)
		doing, has := steps.ReadsBack(k)
		if v == "" || !has || allTyped(k, o.Typed) {
			continue
		}
		if n, err := steps.Validate(k, v); err == nil {
			v = n
		}
		if o.Read.Key == k && o.Read.Of == v {
			return o.Read, nil
		}
		if e.Globus == nil {
			continue
		}
		ui.Progress(Progress{Doing: doing})
		rb, _, err := steps.ReadBackOf(ctx, e, k, v)
		return rb, err
	}
	return steps.ReadBack{}, nil
}

// allTyped: every value key's read-back fills was typed (a step's other
// fields are what it can fill).
func allTyped(key string, typed map[string]bool) bool {
	spec, ok := steps.Spec(key)
	if !ok {
		return true
	}
	s, ok := steps.StepByID(spec.Step)
	if !ok {
		return true
	}
	for _, f := range s.Fields {
		if f.Key != key && !f.Secret && f.Kind != steps.KindUUID && !typed[f.Key] {
			return false
		}
	}
	return true
}

func readNote(res Saved) []string {
	if res.ReadErr != nil {
		return []string{"It could not be read from Globus (" + res.ReadErr.Error() + ")."}
	}
	return nil
}

// SetResult is what Set did beside storing the value.
type SetResult struct {
	// Read is what was read back from Globus and stored with the value;
	// ReadErr why it could not be (the value is stored all the same).
	Read    steps.ReadBack
	Has     bool // the key has something to read back
	ReadErr error
	// Pair is the live check of an app's ID and secret after storing
	// either, as the wizard checks a step after a save; nil for other keys.
	Pair *PairCheck
}

// PairCheck is Globus's verdict on an app's stored ID and secret.
type PairCheck struct {
	App     string // service_api, service_account
	Verdict steps.SecretVerdict
	// Err is why it is unchecked, or Globus's refusal.
	Err error
	// Missing is the other half, not stored yet: nothing was checked.
	Missing string
}

// checkPair asks Globus, with one client-credentials grant, whether it
// accepts app's stored ID and secret.
func checkPair(ctx context.Context, ui UI, e *steps.Env, app string) *PairCheck {
	c := &PairCheck{App: app}
	doc := e.Vault.Doc()
	id, secret := strings.TrimSpace(doc.Values[app+".client_id"]), strings.TrimSpace(doc.Values[app+".client_secret"])
	switch {
	case id == "":
		c.Missing = app + ".client_id"
	case secret == "":
		c.Missing = app + ".client_secret"
	case e.Globus == nil:
		c.Err = errors.New("no Globus client")
	default:
		ui.Progress(Progress{Doing: "Checking the pair with Globus…"})
		c.Verdict, c.Err = steps.CheckSecret(ctx, e.Globus, id, secret)
	}
	return c
}

// pairApp is the app whose ID or secret key is, if it is one.
func pairApp(key string) (string, bool) {
	for _, app := range steps.RotatableApps {
		if key == app+".client_id" || key == app+".client_secret" {
			return app, true
		}
	}
	return "", false
}

// Set stores one value, as `globus-setup set` does; a value that names
// something on Globus holding values stored beside it (a policy ID: its
// domains and timeout) has them read back and stored exactly as Globus
// spells them, as the wizard's paste does (SaveStep). Logged out (and
// without the Service Account), the read cannot be made: ReadErr says why,
// and what is stored beside it stays as it was, marked as not read. An
// app's ID or secret is checked live with the other half, as the wizard
// checks a step after its save (Pair).
func Set(ctx context.Context, ui UI, e *steps.Env, key, value string) (SetResult, error) {
	var res SetResult
	if err := steps.SetValue(e.Vault, key, value); err != nil {
		return res, err
	}
	if app, ok := pairApp(key); ok {
		res.Pair = checkPair(ctx, ui, e, app)
	}
	doing, has := steps.ReadsBack(key)
	if !has {
		return res, nil
	}
	res.Has = true
	if e.Globus == nil {
		res.ReadErr = errors.New("no Globus client")
		return res, nil
	}
	n, _ := steps.Validate(key, value)
	ui.Progress(Progress{Doing: doing})
	rb, _, err := steps.ReadBackOf(ctx, e, key, n)
	if err != nil {
		res.ReadErr = err
		return res, nil
	}
	vals := maps.Clone(rb.Values)
	vals[key] = n
	if err := steps.SetRead(e.Vault, vals, rb); err != nil {
		return res, err
	}
	res.Read = rb
	return res, nil
}

// AskStep asks for each of a step's fields in turn, as a front-end without
// a form of its own does (accessible mode): a blank answer keeps what is
// stored; once a value naming something on Globus is given (a policy ID),
// what it holds is read back and offered for the fields after it (enter
// keeps the policy's domains, exactly as Globus spells them). The options
// returned are SaveStep's.
func AskStep(ctx context.Context, ui UI, e *steps.Env, s steps.Step) (SaveOptions, error) {
	o := SaveOptions{Step: s.ID, Values: map[string]string{}, Typed: map[string]bool{}, Check: true}
	doc := e.Vault.Doc()
	for _, f := range s.Fields {
		f = steps.FieldIn(doc, f) // a group by its name on Globus
		stored := strings.TrimSpace(doc.Values[f.Key])
		q := Question{Key: f.Key, Label: f.Label, Secret: f.Secret, Optional: f.Optional || stored != ""}
		if f.Optional {
			q.Label += " (optional)"
		}
		if stored != "" {
			q.Suggestion, q.From = stored, "stored"
		} else if v, from := steps.SuggestValue(doc, f.Key); v != "" {
			// What the wizard's form offers (the project's name), so
			// every front-end takes it at enter.
			q.Suggestion, q.From = v, from
		}
		if v, ok := o.Read.Values[f.Key]; ok && v != "" {
			q.Suggestion, q.From = v, "read from "+o.Read.What
		}
		key, label := f.Key, f.Label
		q.Validate = func(v string) error {
			if _, err := steps.Validate(key, v); err != nil {
				return err
			}
			return nil
		}
		if !q.Optional {
			q.Validate = func(v string) error {
				if strings.TrimSpace(v) == "" {
					return errors.New(label + " is required")
				}
				_, err := steps.Validate(key, v)
				return err
			}
		}
		v, err := ui.Ask(ctx, q)
		if err != nil {
			return o, err
		}
		if v == "" {
			v = q.Suggestion
		}
		if v == "" {
			continue
		}
		o.Values[f.Key] = v
		if read, ok := o.Read.Values[f.Key]; !ok || read != v {
			o.Typed[f.Key] = v != stored
		}
		if doing, reads := steps.ReadsBack(f.Key); reads && e.Globus != nil && v != "" {
			ui.Progress(Progress{Doing: doing})
			n, _ := steps.Validate(f.Key, v)
			rb, _, err := steps.ReadBackOf(ctx, e, f.Key, n)
			if err != nil {
				ui.Progress(Progress{Note: "It could not be read from Globus (" + err.Error() + "); give its values yourself."})
				continue
			}
			o.Read = rb
		}
	}
	return o, nil
}
