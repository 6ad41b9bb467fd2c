package steps

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// ApplyResult is what became of one plan item. It never holds a secret.
type ApplyResult struct {
	Item PlanItem
	ID   string // the ID now stored (the secret's credential ID for "client secret")
	Err  error
}

// Line is the result in one line: "✓ created app … (ID …)", "✓ kept …" or
// "✗ …: error — hint".
func (r ApplyResult) Line() string { return r.LineIn(CLI) }

// LineIn is Line with the advice's actions named by n.
func (r ApplyResult) LineIn(n Namer) string {
	if r.Err != nil {
		s := fmt.Sprintf("✗ %s %s %q: %v", r.Item.Action, r.Item.What, r.Item.Name, r.Err)
		if h := AdviceOf(r.Err).In(n); h != "" && !strings.Contains(s, h) {
			s += " — " + h
		}
		return s
	}
	verb := map[PlanAction]string{PlanKeep: "kept", PlanReuse: "reused", PlanCreate: "created"}[r.Item.Action]
	s := fmt.Sprintf("✓ %s %s %q", verb, r.Item.What, r.Item.Name)
	if r.ID != "" {
		s += " (ID " + r.ID + ")"
	}
	if strings.HasPrefix(r.Item.Detail, adoptedDetail) {
		s += ": " + adoptedDetail
	}
	return s
}

// Apply makes a fresh plan, refuses with ErrPlanChanged if approved != nil
// and the fresh plan would create anything approved did not, then carries it
// out in order. Before each creating call it records intent (vault Internal
// "apply.intent.<step>.<what>"); right after, it stores the new ID (and
// secret) and clears the intent in one vault update. An intent found on a
// later run is reconciled: a named object is looked up by name and adopted;
// an orphaned credential (its secret lost) is deleted and a new one made.
// Steps whose values are all stored are marked done. It stops at the first
// failure; a rerun carries on. progress may be nil. One Apply at a time runs
// on a vault: another is refused with a Problem before it looks at anything.
//
// When Globus refuses a call until the operator signs in again (MFA, a
// domain, a policy, consent), Apply asks through e.Reauth and runs once
// more from a fresh plan (Redrive): what the first run made is stored, so it
// is kept, not made again, and the approval still holds as the fresh plan
// creates nothing new. The refused item's result is then left out.
func Apply(ctx context.Context, e *Env, opts ApplyOptions, approved *Plan, progress func(ApplyResult)) (Plan, []ApplyResult, error) {
	var plan Plan
	var all []ApplyResult
	err := Redrive(ctx, e, func(ctx context.Context) error {
		if n := len(all); n > 0 {
			if _, _, refused := globus.RequirementsOf(all[n-1].Err); refused {
				all = all[:n-1]
			}
		}
		p, rs, err := applyOnce(ctx, e, opts, approved, progress)
		plan = p
		for _, r := range rs {
			// Made by the first run and kept by the second: one thing, created.
			if r.Err == nil && r.Item.Action != PlanCreate && slices.ContainsFunc(all, func(a ApplyResult) bool {
				return a.Err == nil && a.Item.Action == PlanCreate && a.Item.Step == r.Item.Step && a.Item.What == r.Item.What
			}) {
				continue
			}
			all = append(all, r)
		}
		return err
	})
	return plan, all, err
}

func applyOnce(ctx context.Context, e *Env, opts ApplyOptions, approved *Plan, progress func(ApplyResult)) (Plan, []ApplyResult, error) {
	if err := checkEnv(e); err != nil {
		return Plan{}, nil, err
	}
	unlock, err := lockApply(e.Vault)
	if err != nil {
		return Plan{}, nil, err
	}
	defer unlock()
	p, err := newPlanner(ctx, e, opts)
	if err != nil {
		return Plan{}, nil, err
	}
	if err := p.plan(ctx); err != nil {
		return Plan{}, nil, err
	}
	fresh := p.result()
	if approved != nil {
		if err := planChanged(*approved, fresh); err != nil {
			return fresh, nil, err
		}
	}
	var results []ApplyResult
	for i, it := range p.items {
		id, err := p.carryOut(ctx, it)
		r := ApplyResult{Item: it.PlanItem, ID: id, Err: err}
		results = append(results, r)
		if progress != nil {
			progress(r)
		}
		if err != nil {
			return fresh, results, err
		}
		if i == len(p.items)-1 || p.items[i+1].Step != it.Step {
			if err := markApplied(e.Vault, it.Step); err != nil {
				return fresh, results, problem("recording the "+it.Step+" step as done", err)
			}
		}
	}
	return fresh, results, nil
}

// lockApply takes the apply-wide lock beside the vault, for the whole run:
// two runs at once would plan from the same snapshot, both create, and each
// could delete as an orphan the secret the other has just stored.
func lockApply(v *vault.Vault) (unlock func(), err error) {
	path := filepath.Join(v.Paths().Dir, "apply.lock")
	release, ok, err := vault.LockFile(path, -1) // a pipe there is refused, not waited on
	var nr *vault.NotRegularError
	if errors.As(err, &nr) {
		return nil, err
	}
	if err != nil {
		return nil, problem("locking "+path, err)
	}
	if !ok {
		return nil, &Problem{What: "another globus-setup apply is running on this vault",
			Do: Say("let it finish (or end it), then run apply again: it carries on from what the other run stored")}
	}
	return release, nil
}

// planChanged: the operator approved what they saw; anything more to create
// (or creating as someone else) needs a new approval.
func planChanged(approved, fresh Plan) error {
	var more []string
	for _, it := range fresh.Items {
		if it.Action != PlanCreate {
			continue
		}
		seen := false
		for _, a := range approved.Items {
			if a.Action == PlanCreate && a.Step == it.Step && a.What == it.What && a.Name == it.Name {
				seen = true
				break
			}
		}
		if !seen {
			more = append(more, fmt.Sprintf("%s %q", it.What, it.Name))
		}
	}
	do := Say("look at the new plan and approve it again")
	if len(more) > 0 {
		return &Problem{What: "the plan changed since it was approved: it would now also create " + strings.Join(more, ", "),
			Do: do, is: ErrPlanChanged}
	}
	if fresh.Creates() > 0 && approved.Operator != "" && approved.Operator != fresh.Operator {
		return &Problem{What: "the plan was approved as " + approved.Operator + ", but the login is now " + fresh.Operator,
			Do: do, is: ErrPlanChanged}
	}
	return nil
}

// markApplied marks a step done once all its values are stored (SetValues
// does so when values change; this covers a step whose values were all
// kept as they were).
func markApplied(v *vault.Vault, stepID string) error {
	doc := v.Doc()
	s, ok := stepByID(stepID)
	if !ok || len(MissingKeys(doc.Values, s)) > 0 {
		return nil
	}
	if st, _ := stateOf(doc, stepID); st == StateDone || st == StateVerified {
		return nil
	}
	return MarkState(v, stepID, StateDone, "")
}

func (p *planner) carryOut(ctx context.Context, it *planned) (string, error) {
	if it.do == nil {
		return "", fmt.Errorf("apply: nothing knows how to make a %q", it.What)
	}
	return it.do(p, ctx, it)
}

func (p *planner) doApp(ctx context.Context, it *planned) (string, error) {
	key := intentKey(it.Step, "app")
	idKey := it.prefix + ".client_id"
	if it.Action != PlanCreate {
		return it.ID, p.store(map[string]string{idKey: it.ID}, key)
	}
	project, err := p.beginCreate(ctx, key, it.Name, "register the app in")
	if err != nil {
		return "", err
	}
	cl, err := p.g.CreateClient(ctx, p.auth, globus.ClientCreate{
		Name: it.Name, Project: project, ClientType: it.clientType, RedirectURIs: it.redirectURIs})
	if err != nil {
		return "", p.createFailed(key, "the app", err)
	}
	return cl.ID, storeProblem("the app", p.store(map[string]string{idKey: cl.ID}, key))
}

// doSecret first deletes any secret an interrupted run made but never
// stored (nobody can ever know it), then makes a new one if the plan says so
// and stores it before anything else happens.
func (p *planner) doSecret(ctx context.Context, it *planned) (string, error) {
	key := intentKey(it.Step, "client secret")
	clientID := value(p.e.Vault, it.prefix+".client_id")
	if it.intent != nil {
		if err := p.deleteOrphans(ctx, key, *it.intent, clientID); err != nil {
			return "", err
		}
	}
	if it.Action != PlanCreate {
		if it.intent != nil {
			if err := p.e.Vault.SetInternal(key, ""); err != nil {
				return "", problem("clearing the interrupted run's record", err)
			}
		}
		return "", nil
	}
	// The suffix lets a later run find this secret by name if its answer is lost.
	name := it.Name + " " + shortSuffix()
	if err := p.writeIntent(ctx, key, applyIntent{Name: name, ClientID: clientID}); err != nil {
		return "", err
	}
	cr, err := p.g.CreateCredential(ctx, p.auth, clientID, name)
	if err != nil {
		return "", p.createFailed(key, "the client secret", err)
	}
	if err := p.store(map[string]string{it.prefix + ".client_id": clientID, it.prefix + ".client_secret": cr.Secret}, key); err != nil {
		return "", &Problem{What: "made a new client secret but could not store it in the vault", Err: err,
			Do: Say("fix what the error names and run apply again: it deletes that unsaved secret and makes another")}
	}
	// Which credential it is and when Globus made it, for its age in status
	// and for rotate. Lost in a crash here, the age reads as unknown: harmless.
	_ = p.e.Vault.Update(func(d *vault.Doc) error { putSecretMeta(d, it.prefix, *cr, cr.Secret); return nil })
	return cr.ID, nil
}

// deleteOrphans deletes the secrets named as in intent: they were made by a
// run that never stored them. A 404 means one is gone already.
func (p *planner) deleteOrphans(ctx context.Context, key string, in applyIntent, clientID string) error {
	if in.ClientID != "" {
		clientID = in.ClientID
	}
	if clientID == "" || in.Name == "" {
		return nil
	}
	creds, err := p.g.ListCredentials(ctx, p.auth, clientID)
	if notAdministered(err) {
		return nil // the app itself is gone or not ours: nothing of ours to delete
	}
	if err != nil {
		return problem("listing the app's secrets to remove one an interrupted run left", err)
	}
	// The planner's snapshot may be stale: a run that stored the secret
	// cleared its intent in the same update, so only a still-recorded
	// intent names a secret nobody holds.
	if err := p.e.Vault.Reload(); err != nil {
		return problem("re-reading the vault before removing a secret an interrupted run left", err)
	}
	if raw, ok := p.e.Vault.Internal(key); !ok || readIntents(map[string]string{key: raw})[key].Name != in.Name {
		return nil
	}
	for _, c := range creds {
		if c.Name != in.Name {
			continue
		}
		if err := p.g.DeleteCredential(ctx, p.auth, clientID, c.ID); err != nil && !globus.IsStatus(err, 404) {
			return problem("deleting the secret "+c.ID+" an interrupted run left unsaved", err)
		}
	}
	return nil
}

// beginCreate finds the stored project an object goes into and records the
// intent to create it there, named name.
func (p *planner) beginCreate(ctx context.Context, key, name, purpose string) (string, error) {
	project := storedProject(p.e.Vault)
	if project == "" {
		return "", &Problem{What: "no project is stored (project.id) to " + purpose, Do: Say("do the project step first")}
	}
	return project, p.writeIntent(ctx, key, applyIntent{Name: name})
}

// createFailed explains a failed creating call. A clear refusal made
// nothing, so its intent goes: the next plan must not claim that an earlier
// run was interrupted. Any other failure keeps the intent, as the object may
// exist anyway and the next run must look for it.
func (p *planner) createFailed(key, what string, err error) error {
	if refusedCreate(err) {
		// Should this fail, the intent left is harmless: the next run finds
		// nothing of that name and creates.
		_ = p.e.Vault.SetInternal(key, "")
	}
	return createProblem(what, err)
}

// refusedCreate: Globus answered with a 4xx that means the request was
// refused and nothing was made. 408 and 429 are not refusals of the request.
func refusedCreate(err error) bool {
	var ge *globus.Error
	return errors.As(err, &ge) && ge.Status >= 400 && ge.Status <= 499 && ge.Status != 408 && ge.Status != 429
}

// createProblem explains a failed creating call. Without an answer the
// object may exist anyway; the intent left behind lets the next run find it.
func createProblem(what string, err error) error {
	p := &Problem{What: "creating " + what, Err: err}
	var ne *globus.NetworkError
	if globus.IsStatus(err, 500) || globus.IsStatus(err, 502) || globus.IsStatus(err, 504) || errors.As(err, &ne) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		p.Do = Say("Globus may have made it anyway: ", againApply, cliOnly(", which looks for it before making another", ": it looks for it before making another"))
	}
	return p
}

func storeProblem(what string, err error) error {
	if err == nil {
		return nil
	}
	return &Problem{What: "created " + what + " but could not store its ID in the vault", Err: err,
		Do: Say("fix what the error names and run apply again: it finds " + what + " by name and adopts it")}
}

// ---- intents ----

const intentPrefix = "apply.intent."

// applyIntent records a creating call about to be made, so that a run that
// dies before storing the answer leaves a trace to reconcile.
type applyIntent struct {
	Name     string `json:"name"`                // display name, or a secret's unique name
	ClientID string `json:"client_id,omitempty"` // the app a secret was being made for

	unknown vault.Unknown // fields of a newer version, kept (records_unknown.go)
}

func intentKey(step, what string) string {
	return intentPrefix + step + "." + strings.ReplaceAll(what, " ", "_")
}

func readIntents(internal map[string]string) map[string]applyIntent {
	out := map[string]applyIntent{}
	for k, raw := range internal {
		if !strings.HasPrefix(k, intentPrefix) {
			continue
		}
		var in applyIntent
		if json.Unmarshal([]byte(raw), &in) == nil {
			out[k] = in
		}
	}
	return out
}

func (p *planner) intentFor(step, what string) *applyIntent {
	if in, ok := p.intents[intentKey(step, what)]; ok {
		return &in
	}
	return nil
}

func (p *planner) writeIntent(ctx context.Context, key string, in applyIntent) error {
	// Stopped before sending: nothing will be made, so nothing to record.
	if err := ctx.Err(); err != nil {
		return problem("stopped before creating "+in.Name, err)
	}
	err := p.e.Vault.Update(func(d *vault.Doc) error {
		var was applyIntent
		if json.Unmarshal([]byte(d.Internal[key]), &was) == nil && was.Name == in.Name && was.ClientID == in.ClientID {
			in.unknown = was.unknown // the same call recorded again
		}
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[key] = string(b)
		return nil
	})
	if err != nil {
		return problem("recording in the vault what is about to be created", err)
	}
	return nil
}

func (p *planner) store(values map[string]string, intentKeys ...string) error {
	return storeAndClear(p.e.Vault, values, ReadBack{}, intentKeys...)
}

// storeRead is store, recording that rb's values were read from Globus.
func (p *planner) storeRead(values map[string]string, rb ReadBack, intentKeys ...string) error {
	return storeAndClear(p.e.Vault, values, rb, intentKeys...)
}

// storeAndClear stores values as SetValues does and deletes the intents in
// the same vault update, so a crash leaves either the intent or the stored
// values, never neither and never both (both would make the next run delete
// a secret that is stored).
func storeAndClear(v *vault.Vault, values map[string]string, rb ReadBack, intentKeys ...string) error {
	norm, fe := normalizeFor("", values, false)
	if len(fe) > 0 {
		return fe
	}
	return v.Update(func(d *vault.Doc) error {
		recordSources(d, setValuesIn(d, norm), rb)
		for _, k := range intentKeys {
			delete(d.Internal, k)
		}
		return nil
	})
}

// shortSuffix is 6 hex digits: unique enough among one app's secrets.
func shortSuffix() string {
	b := make([]byte, 3)
	rand.Read(b)
	return hex.EncodeToString(b)
}
