//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/globus/globustest/browse"
)

// consolePerson is the operator in a browser on the emulator's console,
// doing what the gateway's setup guide says: each link or button clicked,
// field typed (a field left at its default is not), box ticked, option
// chosen and value copied is one action in its tally.
type consolePerson struct {
	t testing.TB
	b *browse.Browser
	a *actions
}

// person starts a browser on the console; a nil tally counts nothing.
func (c *consoleClient) person(a *actions) *consolePerson {
	if a == nil {
		a = &actions{}
	}
	return &consolePerson{t: c.t, b: browse.New(c.t), a: a}
}

// developers is the developers page, reached without counting (the
// callers count how they came to it).
func (c *consoleClient) developers(p *consolePerson) *browse.Page {
	return p.b.Get(c.base + "/app/settings/developers")
}

func (p *consolePerson) click(pg *browse.Page, link string) *browse.Page {
	p.a.add("console: click " + link)
	return p.b.Follow(pg, link)
}

func (p *consolePerson) fill(f *browse.Form, label, value string) {
	if p.b.Fill(f, label, value) {
		p.a.add("console: type " + label)
	}
}

func (p *consolePerson) tick(f *browse.Form, label string) {
	p.b.Tick(f, label)
	p.a.add("console: tick " + label)
}

func (p *consolePerson) choose(f *browse.Form, label, option string) {
	if p.b.Choose(f, label, option) {
		p.a.add("console: choose " + option + " in " + label)
	}
}

// press clicks a form's button; the form is found by that button.
func (p *consolePerson) press(pg *browse.Page, button string, fill func(*browse.Form)) *browse.Page {
	f := p.b.Form(pg, button)
	if fill != nil {
		fill(f)
	}
	p.a.add("console: click " + button)
	return p.b.Submit(pg, f, button)
}

// copy reads the value shown as what (the element with id) off the page.
func (p *consolePerson) copy(pg *browse.Page, id, what string) string {
	p.t.Helper()
	v := pg.Text(id)
	if v == "" {
		p.t.Fatalf("no %s (#%s) on %s:\n%s", what, id, pg.URL, pg.Body)
	}
	p.a.add("console: copy the " + what)
	return v
}

// addProject is step 1 from the developers page: Add Project, the form,
// Submit, then the new project for its Project ID.
func (p *consolePerson) addProject(front *browse.Page, name, email string) string {
	form := p.click(front, "Add Project")
	front = p.press(form, "Submit", func(f *browse.Form) {
		p.fill(f, "Project Name", name)
		p.fill(f, "Contact Email", email)
		// Project Admins starts with the signed-in operator: left alone.
	})
	return p.copy(p.click(front, name), "project-id", "Project ID")
}

// registerApp is steps 2–4 from the developers page: the "Register a …"
// link, Select your Globus project, the form, Register App, then the app's
// page with its Client UUID. redirect "" leaves Redirect URIs out.
func (p *consolePerson) registerApp(front *browse.Page, kind, project, name, redirect string) (id string, app *browse.Page) {
	sel := front // the wizard's link may open the registration page itself
	if _, ok := front.FindLink(kind); ok {
		sel = p.click(front, kind)
	}
	form := p.press(sel, "Continue", func(f *browse.Form) { p.choose(f, "Select your Globus project", project) })
	app = p.press(form, "Register App", func(f *browse.Form) {
		p.fill(f, "App Name", name)
		if redirect != "" {
			p.fill(f, "Redirect URIs", redirect)
		}
	})
	return p.copy(app, "client-id", "Client UUID"), app
}

// addSecret is Add Client Secret on an app's page: a description,
// Generate Secret, and the secret copied (it is shown once).
func (p *consolePerson) addSecret(app *browse.Page, description string) string {
	form := p.click(app, "Add Client Secret")
	shown := p.press(form, "Generate Secret", func(f *browse.Form) { p.fill(f, "Description", description) })
	return p.copy(shown, "client-secret", "client secret")
}

// addPolicy is step 5 from the developers page: the project, its Policies
// tab, Add a Policy, the form with High Assurance ticked, Create Policy,
// then the policy's Policy ID.
func (p *consolePerson) addPolicy(front *browse.Page, project, name, description, timeout string, domains ...string) string {
	tab := p.click(p.click(front, project), "Policies")
	form := p.click(tab, "Add a Policy")
	page := p.press(form, "Create Policy", func(f *browse.Form) {
		p.fill(f, "Display Name", name)
		p.fill(f, "Description", description)
		p.tick(f, "High Assurance")
		p.fill(f, "Authentication Assurance Timeout", timeout)
		p.fill(f, "Included Domains", strings.Join(domains, "\n"))
	})
	return p.copy(page, "policy-id", "Policy ID")
}
