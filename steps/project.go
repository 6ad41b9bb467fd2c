package steps

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Step 1: the Globus project that holds the gateway's apps and policy.

const projectID = "project"

func projectKeys() []KeySpec {
	return []KeySpec{
		{Key: "project.id", Label: "Project ID", Kind: KindUUID, Step: projectID,
			Help: "The UUID of the Globus project that holds the gateway's apps and policy (shown as Project ID on the console)."},
		{Key: "project.name", Label: "Project name", Kind: KindText, Step: projectID,
			Help:    "The project's display name; the wizard derives suggested app names from it.",
			suggest: func(vault.Doc) (string, string) { return assets.DefaultProjectName, "default" }},
		{Key: "project.contact_email", Label: "Contact e-mail", Kind: KindEmail, Step: projectID,
			Help: "The project's contact address; needed only when the wizard creates the project for you."},
	}
}

func projectStep() Step {
	fields := fieldsOf(projectKeys(), "project.contact_email")
	return Step{
		ID: projectID, Title: "Create a Globus project",
		ConsoleURL: developersConsole,
		CopyValues: func(doc vault.Doc, env globus.Environment) []CopyValue { return projectCopy(doc, "Project Name") },
		Fields:     fields,
		keys:       projectKeys(),
		missing:    requiredFields(fields),
		checks:     func(vf *verifier, ctx context.Context) []Check { return []Check{vf.project(ctx)} },
		plan:       (*planner).planProject,
		planAlways: true, // the apps and the policy go into the project planned here
	}
}

// projectName is the stored project's name, else the default one, which
// app, policy and group names are made from.
func projectName(doc vault.Doc) string {
	if n := doc.Values["project.name"]; n != "" {
		return n
	}
	return assets.DefaultProjectName
}

// projectStored: a project ID is stored.
func projectStored(doc vault.Doc) bool { return strings.TrimSpace(doc.Values["project.id"]) != "" }

// storedProject is the stored project's ID ("" when none).
func storedProject(v *vault.Vault) string { return value(v, "project.id") }

// projectContact is the stored contact e-mail ("" when none).
func projectContact(doc vault.Doc) string {
	return strings.TrimSpace(doc.Values["project.contact_email"])
}

// projectCopy is the project's name (labelled) and contact, to type on the console.
func projectCopy(doc vault.Doc, nameLabel string) []CopyValue {
	cv := []CopyValue{{nameLabel, projectName(doc)}}
	if e := doc.Values["project.contact_email"]; e != "" {
		cv = append(cv, CopyValue{"Contact Email", e})
	}
	return cv
}

// otherProject says, for a check, that an object belongs to another project
// than the stored one ("" when it does not, or either is unknown).
func (vf *verifier) otherProject(project string) string {
	stored := storedProject(vf.e.Vault)
	if stored == "" || project == "" || strings.EqualFold(stored, project) {
		return ""
	}
	return stored
}

func (vf *verifier) project(ctx context.Context) Check {
	const name = "Project exists"
	id := vf.val("project.id")
	if id == "" {
		return notStored(projectID, name, "project.id")
	}
	vf.login(ctx)
	if vf.authTok == nil {
		return vf.loginSkip(projectID, name)
	}
	if c, ok := vf.unreachable(projectID, name); ok {
		return c
	}
	ps, err := vf.e.Globus.ListProjects(ctx, vf.authTok)
	if err != nil {
		return vf.failErr(projectID, name, problem("listing your projects", err))
	}
	for _, p := range ps {
		if strings.EqualFold(p.ID, id) {
			return pass(projectID, name, fmt.Sprintf("%q, %s", p.DisplayName, ShortID(p.ID)))
		}
	}
	return fail(projectID, name, "project "+id+" is not among the projects you administer",
		"check project.id, or log in as one of the project's admins")
}

// ---- apply ----

const whatProject = "project"

func (p *planner) planProject(ctx context.Context) error {
	it := &planned{PlanItem: PlanItem{Step: projectID, What: whatProject}, do: (*planner).doProject}
	name := p.input("project.name")
	if id := storedProject(p.e.Vault); id != "" {
		pr, err := p.g.GetProject(ctx, p.auth, id)
		if notAdministered(err) {
			return storedUnknown("project", "project.id", id, err)
		}
		if err != nil {
			return problem("reading the project "+id, err)
		}
		it.Action = PlanKeep
		p.keepProject(it, pr)
		p.add(it)
		return nil
	}
	if pr, from, err := projectOfStoredApps(ctx, p.e, p.auth); err != nil {
		return err
	} else if pr != nil {
		// An app registered by hand (the public client the first login
		// needs) already lives in a project: everything else goes there
		// too, never into a second project of the same gateway.
		it.Action, it.ID, it.Detail = PlanReuse, pr.ID, "the project of the stored "+from
		p.keepProject(it, pr)
		p.add(it)
		return nil
	}
	if !p.doing(projectID) {
		return &Problem{What: "no project is stored yet (project.id)",
			Do: Say("do the project step first (", applyStep(projectID), "), or store its ID with ", setKey("project.id"))}
	}
	if name == "" {
		name = assets.DefaultProjectName
	}
	p.projectName, it.Name = name, name
	it.intent = p.intentFor(projectID, whatProject)
	all, err := p.g.ListProjects(ctx, p.auth)
	if err != nil {
		return problem("listing your projects", err)
	}
	var ids []string
	var found *globus.Project
	for i := range all {
		if nameMatches(all[i].DisplayName, name, it.intent) {
			ids, found = append(ids, all[i].ID), &all[i]
		}
	}
	if err := pick(it, "project", "project.id", ids); err != nil {
		return err
	}
	if it.Action == PlanReuse {
		p.keepProject(it, found)
		p.add(it)
		return nil
	}
	it.contact = p.input("project.contact_email")
	if it.contact == "" {
		if em, err := Validate("project.contact_email", p.who.Email); err == nil {
			it.contact = em
		}
	}
	if it.contact == "" {
		return &Problem{What: "the project needs a contact e-mail (project.contact_email), and your Globus login has none",
			Do: Say("give one with --contact-email (or type it on the project step), or store it with ", setKey("project.contact_email"))}
	}
	it.Detail = "admin " + p.operator() + ", contact " + it.contact
	p.add(it)
	return nil
}

// projectOfStoredApps is the project holding the apps stored without a
// project (nil when none is stored or none can be read). An app's record
// names its project (globus-sdk-python testing/data/auth/get_client.py:
// "project"). Apps in two projects stop the plan: which one is meant is
// the operator's call. The first login's client is looked at first.
func projectOfStoredApps(ctx context.Context, e *Env, auth globus.Authorizer) (*globus.Project, string, error) {
	var found *globus.Project
	var from string
	for _, k := range appKindsByLogin() {
		id := value(e.Vault, k.step+".client_id")
		if id == "" {
			continue
		}
		cl, err := e.Globus.GetClient(ctx, auth, id)
		if err != nil || cl.Project == "" {
			continue // planApp says what is wrong with it
		}
		label := "app " + cl.Name + " (" + k.describe + ")"
		if found != nil {
			if !strings.EqualFold(found.ID, cl.Project) {
				return nil, "", &Problem{
					What: fmt.Sprintf("the stored apps are in two projects: %s in %s, %s in %s", from, found.ID, label, cl.Project),
					Do:   Say("store the project to use with ", setKey("project.id"), ", and register the apps of the other one again in it"),
				}
			}
			continue
		}
		pr, err := e.Globus.GetProject(ctx, auth, cl.Project)
		if err != nil {
			continue // not a project the operator administers: planApp says so
		}
		found, from = pr, label
	}
	return found, from, nil
}

// keepProject takes a kept or reused project as Globus has it. Apply never
// renames a project or changes its contact, so app and policy names derive
// from its own name, the vault records what Globus holds, and a typed value
// that differs is said rather than silently dropped.
func (p *planner) keepProject(it *planned, pr *globus.Project) {
	p.projectID, p.projectName = pr.ID, pr.DisplayName
	it.ID, it.Name = pr.ID, pr.DisplayName
	it.store = map[string]string{}
	var notes []string
	if it.Detail != "" {
		notes = append(notes, it.Detail)
	}
	if v, note := fromGlobus("project.name", "its name", pr.DisplayName); note != "" {
		notes = append(notes, note)
	} else {
		it.store["project.name"] = v
	}
	if asked := p.inputs["project.name"]; asked != "" && !strings.EqualFold(asked, strings.TrimSpace(pr.DisplayName)) {
		notes = append(notes, fmt.Sprintf("not renamed to %q: apply never renames, the existing project keeps its own name", asked))
	}
	contact := ""
	if strings.TrimSpace(pr.ContactEmail) != "" {
		v, note := fromGlobus("project.contact_email", "its contact e-mail", pr.ContactEmail)
		if note != "" {
			notes = append(notes, note)
		} else {
			contact, it.store["project.contact_email"] = v, v
			notes = append(notes, "contact "+v)
		}
	}
	if asked := p.inputs["project.contact_email"]; asked != "" && !strings.EqualFold(asked, contact) {
		notes = append(notes, "contact "+asked+" not applied: apply does not change an existing project")
	}
	it.Detail = strings.Join(notes, "; ")
}

func (p *planner) doProject(ctx context.Context, it *planned) (string, error) {
	key := intentKey(projectID, whatProject)
	if it.Action != PlanCreate {
		vals := maps.Clone(it.store)
		vals["project.id"] = it.ID
		return it.ID, p.store(vals, key)
	}
	if err := p.writeIntent(ctx, key, applyIntent{Name: it.Name}); err != nil {
		return "", err
	}
	pr, err := p.g.CreateProject(ctx, p.auth, globus.ProjectCreate{
		DisplayName: it.Name, ContactEmail: it.contact, AdminIDs: []string{p.who.Sub}})
	if err != nil {
		return "", p.createFailed(key, "the project", err)
	}
	err = p.store(map[string]string{"project.id": pr.ID, "project.name": it.Name, "project.contact_email": it.contact}, key)
	return pr.ID, storeProblem("the project", err)
}
