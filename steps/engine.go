package steps

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/vault"
)

// State is a step's progress, stored in the vault's step records.
type State string

// Step states. A step is finished when done, verified or skipped.
const (
	StatePending    State = "pending"
	StateInProgress State = "in_progress"
	StateDone       State = "done"
	StateVerified   State = "verified"
	StateSkipped    State = "skipped"
)

// Valid reports whether s is one of the states above.
func (s State) Valid() bool {
	switch s {
	case StatePending, StateInProgress, StateDone, StateVerified, StateSkipped:
		return true
	}
	return false
}

// Finished reports whether the wizard can move past a step in this state.
func (s State) Finished() bool {
	return s == StateDone || s == StateVerified || s == StateSkipped
}

// StepStatus is a step with its stored progress.
type StepStatus struct {
	Step  Step
	State State
	// Note is the stored note made one safe line (termsafe.Inline): it comes
	// from the document, which anyone who can commit to a team vault may
	// write, and every front-end shows it inside a line of its own.
	Note      string
	UpdatedAt time.Time
	// Missing is what a step in progress still needs stored, by its done
	// rule (MissingKeys); nil for any other state.
	Missing []string
}

// Words is the state as a front-end shows it: "in progress", not the
// stored "in_progress".
func (s State) Words() string { return strings.ReplaceAll(string(s), "_", " ") }

// stateOf reads a step's state; anything missing or unknown is pending, so a
// vault written by a newer version still opens.
func stateOf(doc vault.Doc, id string) (State, vault.StepRecord) {
	rec, ok := doc.Steps[id]
	if !ok || !State(rec.State).Valid() {
		return StatePending, rec
	}
	return State(rec.State), rec
}

// Status lists every step of the catalogue with its state.
func Status(doc vault.Doc) []StepStatus {
	cat := catalogue()
	out := make([]StepStatus, len(cat))
	for i, s := range cat {
		st, rec := stateOf(doc, s.ID)
		out[i] = StepStatus{Step: s, State: st, Note: termsafe.Inline(rec.Note), UpdatedAt: rec.UpdatedAt}
		if st == StateInProgress {
			out[i].Missing = MissingKeys(doc.Values, s)
		}
	}
	return out
}

// ResumeIndex is the index of the first step that is not done, verified or
// skipped (the optional groups step too), or len(Catalogue()) when all are.
func ResumeIndex(doc vault.Doc) int {
	cat := catalogue()
	for i, s := range cat {
		if st, _ := stateOf(doc, s.ID); !st.Finished() {
			return i
		}
	}
	return len(cat)
}

// ProgressCount counts the steps in each state.
type ProgressCount struct {
	Pending, InProgress, Done, Verified, Skipped, Total int
}

// Finished is the number of steps the wizard can move past.
func (p ProgressCount) Finished() int { return p.Done + p.Verified + p.Skipped }

// Progress counts the catalogue's steps by state.
func Progress(doc vault.Doc) ProgressCount {
	var p ProgressCount
	for _, s := range Status(doc) {
		p.Total++
		switch s.State {
		case StatePending:
			p.Pending++
		case StateInProgress:
			p.InProgress++
		case StateDone:
			p.Done++
		case StateVerified:
			p.Verified++
		case StateSkipped:
			p.Skipped++
		}
	}
	return p
}

// MissingKeys lists what s still needs stored before it is done, by the
// step's own done rule (step 2 needs its scope too, not only its ID and
// secret).
func MissingKeys(values map[string]string, s Step) []string {
	if s.missing == nil {
		return requiredFields(s.Fields)(values)
	}
	return s.missing(values)
}

// stateFor is the state a step's stored values put it in when they change:
// done by its done rule, else in progress (or pending when none is stored).
func stateFor(values map[string]string, s Step) State {
	if len(MissingKeys(values, s)) == 0 {
		return StateDone
	}
	for _, k := range s.keys {
		if values[k.Key] != "" {
			return StateInProgress
		}
	}
	for _, f := range s.Fields {
		if values[f.Key] != "" {
			return StateInProgress
		}
	}
	return StatePending
}

// FieldErrors maps a key to what is wrong with its value, so the UI can show
// each message under its field and keep what was typed. No message holds a
// secret.
type FieldErrors map[string]error

func (fe FieldErrors) Error() string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + fe[k].Error()
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return fmt.Sprintf("%d values need attention: %s", len(parts), strings.Join(parts, "; "))
}

// FieldErrors returns a copy of the map (the TUI reads errors through this method).
func (fe FieldErrors) FieldErrors() map[string]error {
	out := make(map[string]error, len(fe))
	for k, v := range fe {
		out[k] = v
	}
	return out
}

var errRequired = errors.New("required")

// Accept validates every value typed on a step's screen, then stores the
// normalised values and marks the step done, in one vault update. A blank
// value keeps what is stored. Nothing is written when any value is wrong.
//
// When values change, steps that depend on this one and were verified go back
// to done with a note saying what to re-verify, and values derived from a
// changed one (the scope of a changed client ID) are removed. Accepting the
// same values again, or a new name or contact address, leaves a verified step
// verified.
func Accept(v *vault.Vault, stepID string, values map[string]string) error {
	return AcceptRead(v, stepID, values, ReadBack{})
}

// AcceptRead is Accept, recording that the values rb read from Globus came
// from there (where each value came from is kept, so a value typed is
// told apart from one Globus holds: SourceOf).
func AcceptRead(v *vault.Vault, stepID string, values map[string]string, rb ReadBack) error {
	step, ok := stepByID(stepID)
	if !ok {
		return fmt.Errorf("unknown step %q", stepID)
	}
	if v == nil {
		return errors.New("no vault open")
	}
	norm, fe := normalizeFor(stepID, values, true)
	if len(fe) > 0 {
		return fe
	}
	var missing FieldErrors
	err := v.Update(func(d *vault.Doc) error {
		initDoc(d)
		merged := make(map[string]string, len(d.Values)+len(norm))
		for k, val := range d.Values {
			merged[k] = val
		}
		for k, val := range norm {
			merged[k] = val
		}
		// The fields the form asks for; what the step needs beyond them
		// (step 2's scope) keeps it in progress until an action stores it.
		for _, k := range MissingKeys(merged, step) {
			if slices.ContainsFunc(step.Fields, func(f Field) bool { return f.Key == k }) {
				if missing == nil {
					missing = FieldErrors{}
				}
				missing[k] = requiredError(step)
			}
		}
		if missing != nil {
			return missing
		}
		now := time.Now().UTC()
		changed := applyValues(d, norm)
		recordSources(d, changed, rb)
		switch st, _ := stateOf(*d, stepID); {
		case stateFor(d.Values, step) != StateDone:
			d.Steps[stepID] = vault.StepRecord{State: string(StateInProgress), UpdatedAt: now}
		case invalidates(changed) || (st != StateDone && st != StateVerified):
			d.Steps[stepID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now}
		}
		markDependents(d, stepID, changed, now)
		return nil
	})
	if missing != nil {
		return missing
	}
	return err
}

func requiredError(s Step) error {
	if s.requiredWhy != "" {
		return errors.New(s.requiredWhy)
	}
	return errRequired
}

// SetValue validates and stores one value, as `globus-setup set` does.
func SetValue(v *vault.Vault, key, value string) error {
	return SetValues(v, map[string]string{key: value})
}

// SetValues validates and stores values of any steps in one vault update,
// for the command line and for automated actions (e.g. the scope's ID and
// string). A step whose stored values changed after it was verified goes back
// to done, as do verified steps depending on it; a step that was not finished
// (or skipped) becomes done once all its required values are stored.
func SetValues(v *vault.Vault, values map[string]string) error {
	return SetRead(v, values, ReadBack{})
}

// SetRead is SetValues, recording that the values rb read from Globus came
// from there (see AcceptRead).
func SetRead(v *vault.Vault, values map[string]string, rb ReadBack) error {
	if v == nil {
		return errors.New("no vault open")
	}
	norm, fe := normalizeFor("", values, false)
	if len(fe) > 0 {
		return fe
	}
	return v.Update(func(d *vault.Doc) error {
		if err := RotationBlocks(*d, norm, nil); err != nil {
			return err
		}
		recordSources(d, setValuesIn(d, norm), rb)
		return nil
	})
}

// setValuesIn is SetValues's edit of the document, for callers that must
// change more in the same vault update (Apply clears its intent with it).
func setValuesIn(d *vault.Doc, norm map[string]string) (changed []string) {
	initDoc(d)
	now := time.Now().UTC()
	changed = applyValues(d, norm)
	byStep := map[string][]string{}
	for _, k := range changed {
		if s, ok := Spec(k); ok {
			byStep[s.Step] = append(byStep[s.Step], k)
		}
	}
	for _, s := range catalogue() {
		keys := byStep[s.ID]
		if len(keys) == 0 {
			continue
		}
		st, _ := stateOf(*d, s.ID)
		next := stateFor(d.Values, s)
		switch {
		case next != StateDone && st != next:
			// A partly filled step is in progress, so status and the
			// sidebar show that something was already stored there; one
			// whose done rule no longer holds (a changed client ID drops
			// its scope) goes back to it.
			d.Steps[s.ID] = vault.StepRecord{State: string(next), UpdatedAt: now}
		case next != StateDone:
		case st == StateVerified && invalidates(keys):
			d.Steps[s.ID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now, Note: reverifyNote(keys)}
		case !st.Finished() || st == StateSkipped:
			d.Steps[s.ID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now}
		}
		markDependents(d, s.ID, keys, now)
	}
	return changed
}

// normalizeFor validates values. With stepID set, every key must belong to
// that step and be typed by the operator (not Auto); blanks are dropped.
func normalizeFor(stepID string, values map[string]string, dropBlank bool) (map[string]string, FieldErrors) {
	norm := map[string]string{}
	fe := FieldErrors{}
	for k, raw := range values {
		spec, ok := Spec(k)
		switch {
		case !ok:
			fe[k] = errors.New("unknown key")
			continue
		case stepID != "" && (spec.Step != stepID || spec.Auto):
			fe[k] = fmt.Errorf("not a value typed on the %s step", stepID)
			continue
		}
		if dropBlank && strings.TrimSpace(raw) == "" {
			continue
		}
		n, err := Validate(k, raw)
		if err != nil {
			fe[k] = err
			continue
		}
		norm[k] = n
	}
	return norm, fe
}

func initDoc(d *vault.Doc) {
	if d.Values == nil {
		d.Values = map[string]string{}
	}
	if d.Steps == nil {
		d.Steps = map[string]vault.StepRecord{}
	}
}

// applyValues stores norm into d, removes values derived from changed keys,
// and returns the changed keys, sorted.
func applyValues(d *vault.Doc, norm map[string]string) []string {
	var changed []string
	for k, val := range norm {
		if old, ok := d.Values[k]; !ok || old != val {
			changed = append(changed, k)
			d.Values[k] = val
		}
	}
	sort.Strings(changed)
	for _, s := range keySpecs() {
		for _, from := range s.DerivedFrom {
			if _, set := norm[s.Key]; !set && containsString(changed, from) {
				delete(d.Values, s.Key)
			}
		}
	}
	return changed
}

// invalidates reports whether a change to keys can make a past verification
// wrong: names and contact addresses cannot.
func invalidates(keys []string) bool {
	for _, k := range keys {
		if s, ok := Spec(k); ok && s.Kind != KindText && s.Kind != KindEmail {
			return true
		}
	}
	return false
}

func reverifyNote(keys []string) string {
	var ks []string
	for _, k := range keys {
		if invalidates([]string{k}) {
			ks = append(ks, k)
		}
	}
	return "re-verify: " + strings.Join(ks, ", ") + " changed"
}

// markProven puts back to verified the steps that storing key alone had
// moved from verified to done (their note names key and nothing else),
// once Globus accepted key's new value (a rotation's grant): what was
// verified before is unchanged, and the change is now proven too.
func markProven(d *vault.Doc, key string) {
	note := reverifyNote([]string{key})
	now := time.Now().UTC()
	for id, rec := range d.Steps {
		if State(rec.State) == StateDone && rec.Note == note {
			d.Steps[id] = vault.StepRecord{State: string(StateVerified), UpdatedAt: now}
		}
	}
}

// markDependents moves verified steps that depend on stepID back to done.
func markDependents(d *vault.Doc, stepID string, changed []string, now time.Time) {
	if !invalidates(changed) {
		return
	}
	note := reverifyNote(changed)
	for _, s := range catalogue() {
		if !containsString(s.DependsOn, stepID) {
			continue
		}
		if st, _ := stateOf(*d, s.ID); st == StateVerified {
			d.Steps[s.ID] = vault.StepRecord{State: string(StateDone), UpdatedAt: now, Note: note}
		}
	}
}

// MarkState records a step's state, e.g. verified after a live check or
// skipped by the operator.
func MarkState(v *vault.Vault, stepID string, s State, note string) error {
	if _, ok := StepByID(stepID); !ok {
		return fmt.Errorf("unknown step %q", stepID)
	}
	if !s.Valid() {
		return fmt.Errorf("unknown state %q", s)
	}
	if v == nil {
		return errors.New("no vault open")
	}
	return v.SetStep(stepID, vault.StepRecord{State: string(s), UpdatedAt: time.Now().UTC(), Note: note})
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// UnsetValue removes a stored value (any known key, secrets too) and the
// values derived from it (a client ID's scope), in one vault update; the
// step goes back to the state its done rule gives (in progress, or
// pending with nothing left), and verified steps depending on it to done.
// had is false when nothing was stored under key.
func UnsetValue(v *vault.Vault, key string) (had bool, err error) {
	spec, ok := Spec(key)
	if !ok {
		return false, fmt.Errorf("unknown key %q", key)
	}
	if v == nil {
		return false, errors.New("no vault open")
	}
	s, ok := stepByID(spec.Step)
	if !ok {
		return false, fmt.Errorf("unknown step %q", spec.Step)
	}
	err = v.Update(func(d *vault.Doc) error {
		initDoc(d)
		if err := RotationBlocks(*d, nil, []string{key}); err != nil {
			return err
		}
		if _, had = d.Values[key]; had {
			unsetIn(d, s, key)
		}
		return nil
	})
	return had, err
}

// DerivedFrom are the values doc holds that were made from key (a client
// ID's scope): a change of key removes them.
func DerivedFrom(doc vault.Doc, key string) []string {
	var out []string
	for _, k := range keySpecs() {
		if containsString(k.DerivedFrom, key) && strings.TrimSpace(doc.Values[k.Key]) != "" {
			out = append(out, k.Key)
		}
	}
	return out
}

// unsetIn is UnsetValue's edit of the document, for key of step s.
func unsetIn(d *vault.Doc, s Step, key string) {
	delete(d.Values, key)
	delete(d.Internal, sourcePrefix+key)
	for _, k := range keySpecs() {
		if containsString(k.DerivedFrom, key) {
			delete(d.Values, k.Key)
			delete(d.Internal, sourcePrefix+k.Key)
		}
	}
	now := time.Now().UTC()
	d.Steps[s.ID] = vault.StepRecord{State: string(stateFor(d.Values, s)), UpdatedAt: now}
	markDependents(d, s.ID, []string{key}, now)
}

// ReadBack is what was read from Globus about a stored value: the values
// it holds that are stored beside it (a policy's domains and timeout), and
// where they were read from.
type ReadBack struct {
	// Key and Of are the stored value it was read for (policy.id, its ID).
	Key, Of string
	Values  map[string]string
	// From names the object read, as SourceOf reports it ("policy:<ID>").
	From string
	// What says it in words: "the policy on Globus".
	What string
}

// sourcePrefix (Internal "source.<key>") records where a stored value was
// read from; no record means it was typed (or stored by an older version).
const sourcePrefix = "source."

// recordSources keeps, for each value rb read that d now holds, where it
// was read from, and forgets it for every other value that changed.
func recordSources(d *vault.Doc, changed []string, rb ReadBack) {
	if d.Internal == nil {
		d.Internal = map[string]string{}
	}
	for _, k := range changed {
		delete(d.Internal, sourcePrefix+k)
	}
	for k, v := range rb.Values {
		if rb.From != "" && d.Values[k] != "" && d.Values[k] == v {
			d.Internal[sourcePrefix+k] = rb.From
		}
	}
}

// SourceOf is where the stored value of key was read from ("policy:<ID>"),
// or "" when it was typed.
func SourceOf(doc vault.Doc, key string) string { return doc.Internal[sourcePrefix+key] }

// ReadsBack reports whether key's value names something on Globus whose
// values are stored beside it, and what reading it is, in words.
func ReadsBack(key string) (doing string, ok bool) {
	spec, ok := Spec(key)
	if !ok || spec.readBack == nil {
		return "", false
	}
	return spec.readBack.doing, true
}

// ReadsWhat names what key's value names on Globus ("the policy"), and
// the keys a read-back stores beside it.
func ReadsWhat(key string) (what string, beside []string) {
	spec, ok := Spec(key)
	if !ok || spec.readBack == nil {
		return "", nil
	}
	return spec.readBack.what, append([]string(nil), spec.readBack.beside...)
}

// ReadBackOf reads from Globus what value (for key) names that is stored
// beside it; has is false for a key with nothing to read back.
func ReadBackOf(ctx context.Context, e *Env, key, value string) (rb ReadBack, has bool, err error) {
	spec, ok := Spec(key)
	if !ok || spec.readBack == nil {
		return ReadBack{}, false, nil
	}
	rb, err = spec.readBack.read(ctx, e, value)
	return rb, true, err
}

// Warnings are what the stored values hold that the gateway may refuse,
// though no check has failed: each step's own (the policy's domains typed,
// never read from the policy). Export says them, as Finish does.
func Warnings(doc vault.Doc) []Advice {
	var out []Advice
	for _, s := range catalogue() {
		if s.warnings != nil {
			out = append(out, s.warnings(doc)...)
		}
	}
	return out
}
