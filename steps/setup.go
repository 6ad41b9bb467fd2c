package steps

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// The whole setup in one plan: the inputs of steps 1–6 suggested from what
// is stored and who is logged in, then MakePlan/Apply for steps 1–5 and
// CreateGroup for step 6. Nothing here is a second engine.

// Suggestion is one input of the whole setup with the value offered and
// where it comes from ("stored", "your Globus login", "default").
type Suggestion struct {
	Key, Label, Value, From string
	Optional                bool
}

// Keys of the whole setup's inputs that are not vault keys.
const (
	SetupGroupName    = "group.name"    // the group's display name on Globus; blank = no group
	SetupGroupMembers = "group.members" // usernames to add to it
)

// Suggest offers a value for every input of the whole setup. The operator's
// login (userinfo) gives the contact e-mail and the identity domain; without
// a login the stored values and defaults are offered and err says why.
func Suggest(ctx context.Context, e *Env) ([]Suggestion, error) {
	if err := checkEnv(e); err != nil {
		return nil, err
	}
	var who *globus.UserInfo
	var project *globus.Project
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err == nil {
		who, err = e.Globus.UserInfo(ctx, auth)
	}
	from := "the project of the stored apps"
	if id := strings.TrimSpace(e.Vault.Doc().Values["project.id"]); err == nil && id == "" {
		// The plan will reuse the project of the apps already stored (the
		// public client registered by hand for the first login): offer its
		// name and contact, not defaults the plan would not apply.
		project, _, _ = projectOfStoredApps(ctx, e, auth)
	} else if err == nil {
		// A stored project is kept as it is (apply never changes it): its
		// own contact, not the login's, which the plan would not apply.
		project, _ = e.Globus.GetProject(ctx, auth, id)
		from = "the stored project, on Globus"
	}
	s := suggestFrom(e, who)
	if project != nil {
		for i := range s {
			switch s[i].Key {
			case "project.name":
				if s[i].From != "stored" {
					s[i].Value, s[i].From = project.DisplayName, from
				}
			case "project.contact_email":
				if v, err := Validate("project.contact_email", project.ContactEmail); err == nil && s[i].From != "stored" {
					s[i].Value, s[i].From = v, from
				}
			case SetupGroupName:
				if s[i].From != "stored" {
					s[i].Value = assets.AppName(project.DisplayName, assets.GroupSuffix)
				}
			}
		}
	}
	return s, err
}

func suggestFrom(e *Env, who *globus.UserInfo) []Suggestion {
	doc := e.Vault.Doc()
	stored := func(k string) string { return strings.TrimSpace(doc.Values[k]) }
	pick := func(key, label string, opts ...[2]string) Suggestion {
		s := Suggestion{Key: key, Label: label}
		if v := stored(key); v != "" {
			s.Value, s.From = v, "stored"
			return s
		}
		for _, o := range opts {
			if o[0] != "" {
				if n, err := Validate(key, o[0]); err == nil {
					s.Value, s.From = n, o[1]
					return s
				}
			}
		}
		return s
	}
	var email, domain string
	if who != nil {
		email = who.Email
		for _, u := range []string{who.PreferredUsername, who.Email} {
			if _, d, ok := strings.Cut(u, "@"); ok && d != "" {
				domain = strings.ToLower(d)
				break
			}
		}
	}
	name := pick("project.name", "Project name", [2]string{assets.DefaultProjectName, "default"})
	timeout := pick("policy.assurance_timeout", "Re-authenticate after", [2]string{assets.DefaultAssuranceTimeout, "default"})
	if secs, err := strconv.Atoi(timeout.Value); err == nil {
		timeout.Value = humanSeconds(secs) // typed back as 8h, not 28800
	}
	group := Suggestion{Key: SetupGroupName, Label: "Group name (blank: no group)", Optional: true,
		Value: assets.AppName(name.Value, assets.GroupSuffix), From: "default"}
	if v := stored("groups." + DefaultGroup + ".id"); v != "" {
		group.From = "stored"
	}
	members := Suggestion{Key: SetupGroupMembers, Label: "Group members", Optional: true,
		Value: stored("groups." + DefaultGroup + ".members")}
	if members.Value != "" {
		members.From = "stored"
	}
	return []Suggestion{
		name,
		pick("project.contact_email", "Contact e-mail", [2]string{email, "your Globus login"}),
		pick("policy.domains", "Identity provider domains", [2]string{domain, "your Globus login"}),
		timeout,
		group,
		members,
	}
}

// SetupPlan is the whole setup's plan: steps 1–5 by Apply, the group, and
// the .env target (described by the caller).
type SetupPlan struct {
	Plan
	Group   *PlanItem // nil: no group
	Members []string
}

// Lines renders the plan, the group included.
func (sp SetupPlan) Lines() []string {
	var out []string
	if sp.Operator != "" || len(sp.Items) > 0 {
		out = sp.Plan.Lines()
	}
	if sp.Group != nil {
		out = append(out, "  "+sp.Group.Line())
	}
	return out
}

// Creates counts what would be created, the group included.
func (sp SetupPlan) Creates() int {
	n := sp.Plan.Creates()
	if sp.Group != nil && sp.Group.Action == PlanCreate {
		n++
	}
	return n
}

// setupValues splits the inputs into Apply's and the group's.
func setupValues(values map[string]string) (apply map[string]string, group string, members []string, err error) {
	apply = map[string]string{}
	for k, v := range values {
		switch k {
		case SetupGroupName:
			group = strings.TrimSpace(v)
		case SetupGroupMembers:
			if strings.TrimSpace(v) == "" {
				continue
			}
			n, verr := Validate("groups."+DefaultGroup+".members", v)
			if verr != nil {
				return nil, "", nil, FieldErrors{SetupGroupMembers: verr}
			}
			members = SplitList(n)
		default:
			apply[k] = v
		}
	}
	return apply, group, members, nil
}

// MakeSetupPlan plans steps 1–6 with the given inputs (Suggestion keys).
func MakeSetupPlan(ctx context.Context, e *Env, values map[string]string) (SetupPlan, error) {
	av, group, members, err := setupValues(values)
	if err != nil {
		return SetupPlan{}, err
	}
	p, err := MakePlan(ctx, e, ApplyOptions{Values: av})
	if err != nil {
		return SetupPlan{}, err
	}
	return SetupPlan{Plan: p, Group: planGroup(e, group, members), Members: members}, nil
}

// ApplySetup carries out an approved SetupPlan: Apply for steps 1–5 (which
// refuses a plan that changed), then the group. progress gets each result.
func ApplySetup(ctx context.Context, e *Env, values map[string]string, approved SetupPlan, progress func(ApplyResult)) ([]ApplyResult, error) {
	av, _, _, err := setupValues(values)
	if err != nil {
		return nil, err
	}
	_, results, err := Apply(ctx, e, ApplyOptions{Values: av}, &approved.Plan, progress)
	if err != nil {
		return results, err
	}
	if approved.Group == nil {
		if err := MarkState(e.Vault, groupsID, StateSkipped, ""); err != nil {
			return results, err
		}
		return results, nil
	}
	gr, err := ApplyGroupPlan(ctx, e, approved, progress)
	return append(results, gr...), err
}

// SuggestValue is the default a step's field offers when nothing is
// stored, and where it comes from: each key's module says (the project's
// default name, the default re-authentication window, the domain of the
// stored contact e-mail for the policy's domains).
func SuggestValue(doc vault.Doc, key string) (value, from string) {
	if s, ok := Spec(key); ok && s.suggest != nil {
		return s.suggest(doc)
	}
	return "", ""
}

// PlanStep is one step's own plan, for "do it for me" on its screen: what
// Apply would do for that step with values typed there (names, e-mail,
// domains, timeout), or the step's own plan (the groups'). It reads only.
func PlanStep(ctx context.Context, e *Env, stepID string, values map[string]string) (SetupPlan, error) {
	s, ok := stepByID(stepID)
	switch {
	case !ok || !s.CanApply():
		return SetupPlan{}, &Problem{What: fmt.Sprintf("the wizard cannot do the step %q for you", stepID)}
	case s.ownPlan != nil:
		return s.ownPlan(ctx, e, values)
	}
	p, err := MakePlan(ctx, e, ApplyOptions{Steps: []string{stepID}, Values: values})
	return SetupPlan{Plan: p}, err
}

// ApplyStep carries out a plan PlanStep made and the operator approved,
// with the same values; progress gets each result.
func ApplyStep(ctx context.Context, e *Env, stepID string, values map[string]string, approved SetupPlan, progress func(ApplyResult)) ([]ApplyResult, error) {
	s, ok := stepByID(stepID)
	switch {
	case !ok || !s.CanApply():
		return nil, &Problem{What: fmt.Sprintf("the wizard cannot do the step %q for you", stepID)}
	case s.ownApply != nil:
		return s.ownApply(ctx, e, approved, progress)
	}
	_, results, err := Apply(ctx, e, ApplyOptions{Steps: []string{stepID}, Values: values}, &approved.Plan, progress)
	return results, err
}
