package globustest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus/globustest/browse"
)

// The console is walked as the gateway's setup guide says, link by link
// and form by form: a missing link, field or button fails the walk.

func TestConsoleProjectPages(t *testing.T) {
	w := newWorld(t)
	b := browse.New(t)

	// The app root leads to the developers page.
	if a := expect(t, call{method: "GET", url: w.base + "/app/"}.do(t), http.StatusSeeOther); a.header.Get("Location") != "/app/settings/developers" {
		t.Errorf("root redirects to %q", a.header.Get("Location"))
	}
	front := b.Get(w.base + "/app/settings/developers")
	for _, want := range []string{"operator@example.org", "Gateway"} {
		if !strings.Contains(front.Body, want) {
			t.Errorf("the developers page lacks %q", want)
		}
	}
	// The front page shows no IDs: the guide opens the project for them.
	if strings.Contains(front.Body, "Project ID") || strings.Contains(front.Body, ">"+w.project) {
		t.Errorf("the developers page shows the Project ID")
	}

	// Step 1: Add Project (top right): Project Name, Contact Email, Project
	// Admins (the operator already), Submit.
	form := b.Follow(front, "Add Project")
	f := b.Form(form, "Submit")
	if admins, ok := f.Field("Project Admins"); !ok || admins.Default != "operator@example.org" {
		t.Errorf("Project Admins does not start with the signed-in operator: %+v", admins)
	}
	b.Fill(f, "Project Name", "Second")
	b.Fill(f, "Contact Email", "ops@example.org")
	front = b.Submit(form, f, "Submit")
	if !strings.Contains(front.Body, "Project Second created") {
		t.Errorf("no notice after Submit:\n%s", front.Body)
	}
	project := b.Follow(front, "Second")
	second := project.Text("project-id")
	if ps := w.s.Projects(); ps[len(ps)-1].ID != second || ps[len(ps)-1].Name != "Second" {
		t.Fatalf("the project page shows %q; the emulator holds %+v", second, ps)
	}
	if _, ok := project.FindLink("Policies"); !ok {
		t.Errorf("the project page has no Policies tab:\n%s", project.Body)
	}

	// A bad form changes nothing and says what to fix.
	n := len(w.s.Projects())
	for _, form := range []url.Values{
		{"display_name": {"x"}, "admins": {"operator@example.org"}},
		{"display_name": {"x"}, "contact_email": {"a@b.c"}, "admins": {"nobody@nowhere.example"}},
		{"display_name": {"x"}, "contact_email": {"a@b.c"}, "admins": {""}},
	} {
		expect(t, call{method: "POST", url: w.base + "/app/settings/developers/projects", form: form}.do(t), 400)
	}
	if len(w.s.Projects()) != n {
		t.Errorf("a refused form made a project")
	}
	back := browse.Parse(&url.URL{}, string(expect(t, call{method: "POST", url: w.base + "/app/settings/developers/projects", form: url.Values{
		"display_name": {"Kept"}, "contact_email": {"a@b.c"}, "admins": {"nobody@nowhere.example"}}}.do(t), 400).raw))
	if fd, _ := b.Form(back, "Submit").Field("Project Name"); fd == nil || fd.Value != "Kept" || !strings.Contains(back.Text("error"), "nobody@nowhere.example") {
		t.Errorf("the refused project form lost what was typed or does not say why:\n%s", back.Body)
	}

	// Another operator's project is not shown, nor reachable.
	other := w.s.AddProject("Theirs", "x@example.org", "someone@example.org")
	if strings.Contains(b.Get(w.base+"/app/settings/developers").Body, "Theirs") {
		t.Errorf("the developers page lists a project the operator does not administer")
	}
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/projects/" + other}.do(t), 404)
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/projects/" + other + "/policies"}.do(t), 404)
}

func TestConsoleRegisterApps(t *testing.T) {
	w := newWorld(t)
	b := browse.New(t)
	front := b.Get(w.base + "/app/settings/developers")

	// Register a service API …: select your project (two of them: nothing
	// preselected), the form, Register App, the app's Client UUID.
	sel := b.Follow(front, "Register a service API")
	f := b.Form(sel, "Continue")
	// One project: still the operator's choice (it may be an unrelated one).
	if pf, _ := f.Field("Select your Globus project"); pf == nil || pf.Default != "" {
		t.Fatalf("the only project is preselected: %+v", pf)
	}
	w.s.AddProject("Second", "ops@example.org", "operator@example.org")
	sel = b.Follow(front, "Register a service API")
	f = b.Form(sel, "Continue")
	if pf, _ := f.Field("Select your Globus project"); pf.Default != "" {
		t.Errorf("with two projects one is preselected: %q", pf.Default)
	}
	// Continue without a choice is refused.
	u, _ := url.Parse(sel.URL.String())
	u.RawQuery = f.Values().Encode()
	expect(t, call{method: "GET", url: u.String()}.do(t), 400)
	b.Choose(f, "Select your Globus project", "Gateway")
	reg := b.Submit(sel, f, "Continue")
	f = b.Form(reg, "Register App")
	b.Fill(f, "App Name", `Service API <b>"x"</b>`)
	b.Fill(f, "Redirect URIs", "http://localhost:8000")
	app := b.Submit(reg, f, "Register App")
	id := app.Text("client-id")
	if cs := w.s.Clients(w.project); cs[len(cs)-1].ID != id || cs[len(cs)-1].ClientType != HybridConfidentialRS {
		t.Fatalf("the app page shows %q; the project holds %+v", id, cs)
	}
	if strings.Contains(app.Body, `<b>"x"</b>`) || !strings.Contains(app.Body, "&lt;b&gt;") {
		t.Errorf("the app's name is not escaped:\n%s", app.Body)
	}
	if strings.Contains(app.Body, "client-secret") {
		t.Errorf("a secret is shown before Add Client Secret")
	}

	// Add Client Secret: a description, Generate Secret, the secret once.
	form := b.Follow(app, "Add Client Secret")
	f = b.Form(form, "Generate Secret")
	b.Fill(f, "Description", "inference token introspection")
	shown := b.Submit(form, f, "Generate Secret")
	secret := shown.Text("client-secret")
	if secret == "" {
		t.Fatalf("no secret shown:\n%s", shown.Body)
	}
	expect(t, w.clientCredentials(t, id, secret, ""), 200)
	app = b.Follow(shown, "Back to the app")
	if !strings.Contains(app.Body, "inference token introspection") || strings.Contains(app.Body, secret) {
		t.Errorf("the app page must list the secret's description and never the secret:\n%s", app.Body)
	}
	expect(t, call{method: "POST", url: w.base + "/app/settings/developers/projects/" + w.project + "/apps/" + id + "/secrets",
		form: url.Values{"name": {" "}}}.do(t), 400)

	// A service account's form has no redirect URIs.
	reg = b.Submit(b.Follow(front, "Register a service account"), chosen(b, b.Follow(front, "Register a service account"), "Gateway"), "Continue")
	f = b.Form(reg, "Register App")
	if _, ok := f.Field("Redirect URIs"); ok {
		t.Errorf("the service account form asks for redirect URIs")
	}
	b.Fill(f, "App Name", "Endpoints")
	b.Fill(f, "Privacy Policy", "https://example.org/privacy?a=1&b=2")
	app = b.Submit(reg, f, "Register App")
	if got := app.Text("privacy-policy"); got != "https://example.org/privacy?a=1&b=2" {
		t.Errorf("the app page shows the privacy policy %q", got)
	}
	if cs := w.s.Clients(w.project); cs[len(cs)-1].ClientType != ClientIdentity {
		t.Errorf("the service account registered as %s", cs[len(cs)-1].ClientType)
	}
	if _, ok := app.FindLink("Add Client Secret"); !ok {
		t.Errorf("the service account's page has no Add Client Secret")
	}

	// A thick client gets no secret.
	reg = b.Submit(b.Follow(front, "Register a thick client"), chosen(b, b.Follow(front, "Register a thick client"), "Gateway"), "Continue")
	f = b.Form(reg, "Register App")
	b.Fill(f, "App Name", "CLI")
	b.Fill(f, "Redirect URIs", "https://auth.globus.org/v2/web/auth-code")
	app = b.Submit(reg, f, "Register App")
	if _, ok := app.FindLink("Add Client Secret"); ok || !strings.Contains(app.Body, "has no secret") {
		t.Errorf("the thick client's page offers a secret:\n%s", app.Body)
	}
	thick := app.Text("client-id")
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/projects/" + w.project + "/apps/" + thick + "/secrets/new"}.do(t), 400)

	// The registration forms refuse what they cannot use, making nothing.
	n := len(w.s.Clients(""))
	apps := w.base + "/app/settings/developers/projects/" + w.project + "/apps"
	for _, form := range []url.Values{
		{"kind": {HybridConfidentialRS}, "name": {"No redirect"}},
		{"kind": {HybridConfidentialRS}, "name": {"Relative"}, "redirect_uris": {"localhost:8000/x"}},
		{"kind": {PublicInstalledClient}, "name": {" "}, "redirect_uris": {"https://a.example"}},
		{"kind": {"portal"}, "name": {"x"}},
		{"kind": {ClientIdentity}, "name": {"x"}, "terms_and_conditions": {"javascript:alert(1)"}},
	} {
		expect(t, call{method: "POST", url: apps, form: form}.do(t), 400)
	}
	if len(w.s.Clients("")) != n {
		t.Errorf("a refused form registered an app")
	}
	// The project's Apps tab lists them, with their Client UUIDs.
	page := b.Get(w.base + "/app/settings/developers/projects/" + w.project)
	for _, want := range []string{id, thick, "CLI", "Endpoints"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the project's Apps tab lacks %q", want)
		}
	}
	// Forms only take POST; an app of another project is not found.
	if a := (call{method: "GET", url: apps}).do(t); a.status == 200 {
		t.Errorf("GET on a form target answered 200")
	}
	second := w.s.Projects()[1].ID
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/projects/" + second + "/apps/" + id}.do(t), 404)
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/registration/portal"}.do(t), 404)
}

// chosen picks project on a "Select your Globus project" page's form.
func chosen(b *browse.Browser, sel *browse.Page, project string) *browse.Form {
	f := b.Form(sel, "Continue")
	b.Choose(f, "Select your Globus project", project)
	return f
}

func TestConsoleSelectsTheOnlyProject(t *testing.T) {
	s, base := NewTestServer(t)
	s.AddIdentity("operator@example.org", "Demo Operator", "operator@example.org", "example.org")
	s.SetOperator("operator@example.org")
	b := browse.New(t)
	// No project yet: the selection page says to add one.
	sel := b.Follow(b.Get(base+"/app/settings/developers"), "Register a thick client")
	if len(sel.Forms) != 0 {
		t.Errorf("the selection page offers a form without a project")
	}
	b.Follow(sel, "Add Project")
	s.AddProject("Only", "operator@example.org", "operator@example.org")
	sel = b.Follow(b.Get(base+"/app/settings/developers"), "Register a thick client")
	if pf, _ := b.Form(sel, "Continue").Field("Select your Globus project"); pf == nil || pf.Default != "" || !strings.Contains(sel.Words(), "Only") {
		t.Errorf("the only project is preselected, or not offered: %+v", pf)
	}
}

func TestConsolePolicyPages(t *testing.T) {
	w := newWorld(t)
	b := browse.New(t)

	// Step 5: your project, the Policies tab, Add a Policy.
	open := func() (*browse.Page, *browse.Form) {
		project := b.Follow(b.Get(w.base+"/app/settings/developers"), "Gateway")
		form := b.Follow(b.Follow(project, "Policies"), "Add a Policy")
		return form, b.Form(form, "Create Policy")
	}
	form, f := open()
	if fd, ok := f.Field("Authentication Assurance Timeout"); !ok || fd.Default != "" {
		t.Errorf("the timeout starts filled: %+v", fd)
	}
	if fd, ok := f.Field("High Assurance"); !ok || fd.Checked {
		t.Errorf("High Assurance is missing or already ticked: %+v", fd)
	}
	if _, ok := f.Field("Excluded Domains"); !ok {
		t.Errorf("the form has no Excluded Domains")
	}
	b.Fill(f, "Display Name", "HA <script>")
	b.Fill(f, "Description", "Who may use it")
	b.Tick(f, "High Assurance")
	b.Fill(f, "Authentication Assurance Timeout", "28800")
	b.Fill(f, "Included Domains", "uchicago.edu\nANL.gov\n")
	page := b.Submit(form, f, "Create Policy")
	id := page.Text("policy-id")
	pols := w.s.Policies(w.project)
	got := pols[len(pols)-1]
	if got.ID != id || !got.HighAssurance || got.Timeout != 28800 || !slices.Equal(got.Domains, []string{"uchicago.edu", "ANL.gov"}) {
		t.Fatalf("the policy page shows %q; the emulator holds %+v", id, got)
	}
	if strings.Contains(page.Body, "HA <script>") || !strings.Contains(page.Body, "HA &lt;script&gt;") {
		t.Errorf("the policy's name is not escaped:\n%s", page.Body)
	}
	if tab := b.Get(w.base + "/app/settings/developers/projects/" + w.project + "/policies"); !strings.Contains(tab.Body, id) {
		t.Errorf("the Policies tab does not list the policy")
	}

	// Edit: the domains, timeout, description and name change; High
	// Assurance stays as created (the form has no such box).
	edit := b.Follow(page, "Edit")
	f = b.Form(edit, "Update Policy")
	if _, ok := f.Field("High Assurance"); ok {
		t.Errorf("the edit form can change High Assurance")
	}
	if fd, _ := f.Field("Included Domains"); fd == nil || fd.Default != "uchicago.edu\nANL.gov" {
		t.Errorf("the edit form does not start with the domains: %+v", fd)
	}
	b.Fill(f, "Included Domains", "anl.gov")
	b.Fill(f, "Excluded Domains", "example.com")
	b.Fill(f, "Authentication Assurance Timeout", "3600")
	b.Fill(f, "Description", "Fixed")
	page = b.Submit(edit, f, "Update Policy")
	got = w.s.Policies(w.project)[len(pols)-1]
	if got.ID != id || !got.HighAssurance || got.Timeout != 3600 || got.Description != "Fixed" ||
		!slices.Equal(got.Domains, []string{"anl.gov"}) || !slices.Equal(got.Excluded, []string{"example.com"}) {
		t.Errorf("after Update Policy the emulator holds %+v", got)
	}
	if page.Text("included") != "anl.gov" {
		t.Errorf("the policy page shows the domains %q", page.Text("included"))
	}

	// Not ticked: not high assurance, and the timeout may stay empty.
	form, f = open()
	b.Fill(f, "Display Name", "Low")
	b.Fill(f, "Description", "Not high assurance")
	b.Fill(f, "Included Domains", "anl.gov")
	b.Submit(form, f, "Create Policy")
	if got := w.s.Policies(w.project); got[len(got)-1].HighAssurance {
		t.Errorf("an unticked policy is high assurance")
	}

	// Refusals: several domains on a line, none, a high-assurance policy
	// without a timeout, no description; nothing is made or changed.
	n := len(w.s.Policies(""))
	create := w.base + "/app/settings/developers/projects/" + w.project + "/policies"
	good := url.Values{"display_name": {"x"}, "description": {"y"}, "high_assurance": {"1"}, "timeout": {"60"}, "include": {"anl.gov"}}
	for k, v := range map[string]string{"include": "uchicago.edu, anl.gov", "exclude": "a.org b.org", "timeout": "", "description": ""} {
		bad := url.Values{}
		for kk, vv := range good {
			bad[kk] = vv
		}
		bad.Set(k, v)
		expect(t, call{method: "POST", url: create, form: bad}.do(t), 400)
		expect(t, call{method: "POST", url: create + "/" + id, form: bad}.do(t), 400)
	}
	// A refused form comes back with what was typed and why.
	back := browse.Parse(&url.URL{}, string(expect(t, call{method: "POST", url: create, form: url.Values{
		"display_name": {"Typed <name>"}, "description": {"y"}, "high_assurance": {"1"}, "timeout": {"60"},
		"include": {"uchicago.edu anl.gov"}}}.do(t), 400).raw))
	f = b.Form(back, "Create Policy")
	if fd, _ := f.Field("Display Name"); fd == nil || fd.Value != "Typed <name>" || !strings.Contains(back.Text("error"), "one domain per line") {
		t.Errorf("the refused form lost what was typed or does not say why:\n%s", back.Body)
	}
	if fd, _ := f.Field("High Assurance"); fd == nil || !fd.Checked {
		t.Errorf("the refused form lost the High Assurance tick")
	}
	noDomains := url.Values{"display_name": {"x"}, "description": {"y"}, "timeout": {"60"}}
	expect(t, call{method: "POST", url: create, form: noDomains}.do(t), 400)
	if len(w.s.Policies("")) != n || w.s.Policies(w.project)[len(pols)-1].Timeout != 3600 {
		t.Errorf("a refused form made or changed a policy")
	}
	other := w.s.AddProject("Theirs", "x@example.org", "someone@example.org")
	expect(t, call{method: "GET", url: w.base + "/app/settings/developers/projects/" + other + "/policies/" + id}.do(t), 404)
	expect(t, call{method: "POST", url: w.base + "/app/settings/developers/projects/" + other + "/policies", form: good}.do(t), 404)
}

func TestConsoleGroupPages(t *testing.T) {
	w := newWorld(t)
	w.s.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	b := browse.New(t)

	// Step 6: Create new group, its form, Create Group, the Group UUID.
	groups := b.Get(w.base + "/app/groups")
	form := b.Follow(groups, "Create new group")
	f := b.Form(form, "Create Group")
	b.Fill(f, "Group Name", "Gateway <Users>")
	b.Fill(f, "Description", "Who may use the gateway")
	if vis, ok := f.Field("Visibility"); !ok || vis.Default != "private" {
		t.Errorf("visibility does not start private: %+v", vis)
	}
	page := b.Submit(form, f, "Create Group")
	id := page.Text("group-id")
	if members := w.s.GroupMembers(id); len(members) != 1 || members[0].Role != "admin" {
		t.Fatalf("the group page shows %q, whose members are %+v", id, members)
	}
	if strings.Contains(page.Body, "Gateway <Users>") {
		t.Errorf("the group's name is not escaped")
	}
	if !strings.Contains(b.Get(w.base+"/app/groups").Body, "Gateway &lt;Users&gt;") {
		t.Errorf("the groups page does not list the group")
	}

	// Members tab, Invite Others, search, role, Send invitation.
	members := b.Follow(page, "Members")
	invite := b.Follow(members, "Invite Others")
	f = b.Form(invite, "Send invitation")
	b.Fill(f, "Search for a Globus identity", "alice@uchicago.edu")
	if role, _ := f.Field("Role"); role == nil || role.Default != "member" {
		t.Errorf("the role does not start as Member: %+v", role)
	}
	members = b.Submit(invite, f, "Send invitation")
	if got := w.s.GroupMembers(id); len(got) != 2 || got[1].Username != "alice@uchicago.edu" || got[1].Status != "invited" || got[1].Role != "member" {
		t.Errorf("after Send invitation the members are %+v", got)
	}
	if !strings.Contains(members.Body, "alice@uchicago.edu") {
		t.Errorf("the Members tab does not list the invitation")
	}
	// The invitee accepts (on Globus from the e-mail; here an emulator-only
	// button for them on the Members tab): they become an active member.
	members = b.Get(w.base + "/app/groups/" + id + "/members")
	accept := b.Form(members, "Accept the invitation as alice@uchicago.edu")
	members = b.Submit(members, accept, "Accept the invitation as alice@uchicago.edu")
	if got := w.s.GroupMembers(id); len(got) != 2 || got[1].Status != "active" {
		t.Errorf("after accepting, the members are %+v", got)
	}
	for _, f := range members.Forms {
		if slices.Contains(f.Buttons, "Accept the invitation as alice@uchicago.edu") {
			t.Errorf("an accepted invitation is offered again")
		}
	}
	acceptURL := w.base + "/app/groups/" + id + "/members/" + w.s.identityByUsername("operator@example.org").ID + "/accept"
	expect(t, call{method: "POST", url: acceptURL}.do(t), http.StatusConflict) // an active member has nothing to accept
	if err := w.s.Invite(id, "bob@anl.gov", "member"); err != nil {
		t.Fatal(err)
	}
	send := w.base + "/app/groups/" + id + "/invite"
	for _, form := range []url.Values{
		{"identity": {"bob@anl.gov"}, "role": {"member"}}, // already invited
		{"identity": {"nobody@nowhere.example"}, "role": {"member"}},
		{"identity": {"operator@example.org"}, "role": {"owner"}},
	} {
		expect(t, call{method: "POST", url: send, form: form}.do(t), 400)
	}

	// A group the operator is not in (and cannot see) is not found.
	hidden := w.s.AddGroup("Theirs", "someone@example.org")
	expect(t, call{method: "GET", url: w.base + "/app/groups/" + hidden}.do(t), 404)
	expect(t, call{method: "POST", url: w.base + "/app/groups/" + hidden + "/invite", form: url.Values{"identity": {"alice@uchicago.edu"}, "role": {"member"}}}.do(t), 404)
	// A member who does not manage it sees no Invite Others and may not invite.
	seen := w.s.AddGroup("Seen", "someone@example.org")
	if err := w.s.AddMember(seen, "operator@example.org", "member"); err != nil {
		t.Fatal(err)
	}
	if _, ok := b.Get(w.base + "/app/groups/" + seen + "/members").FindLink("Invite Others"); ok {
		t.Errorf("a plain member is offered Invite Others")
	}
	expect(t, call{method: "POST", url: w.base + "/app/groups/" + seen + "/invite", form: url.Values{"identity": {"alice@uchicago.edu"}, "role": {"member"}}}.do(t), 403)
}

func TestConsoleWithoutOperator(t *testing.T) {
	s, base := NewTestServer(t)
	expect(t, call{method: "GET", url: base + "/app/settings/developers"}.do(t), 200)
	expect(t, call{method: "POST", url: base + "/app/settings/developers/projects", form: url.Values{
		"display_name": {"x"}, "contact_email": {"a@b.c"}}}.do(t), http.StatusForbidden)
	pid := s.AddProject("p", "a@b.c", "someone@example.org")
	cid, _ := s.RegisterClient(pid, "cli", PublicInstalledClient)
	p := newPKCE()
	u := (&world{s: s, authURL: base + "/auth/"}).authorizeURL(cid, p, false, "openid")
	if _, err := s.ApproveLogin(u); err == nil {
		t.Errorf("ApproveLogin without an operator succeeded")
	}
	if _, err := s.ApproveLoginAs(u, "someone@example.org"); err != nil {
		t.Errorf("ApproveLoginAs: %v", err)
	}
	if _, err := s.ApproveLogin("http://127.0.0.1/elsewhere"); err == nil {
		t.Errorf("ApproveLogin accepted a foreign URL")
	}
}

// TestConsoleSpeaksTheGuides: every console word the wizard's guides set in
// bold (a link, button, field, tab or ID's label) is on some page of the
// demo console, so an operator following a guide there finds it.
func TestConsoleSpeaksTheGuides(t *testing.T) {
	w := newWorld(t)
	w.s.AddIdentity("alice@uchicago.edu", "Alice", "alice@uchicago.edu", "uchicago.edu")
	b := browse.New(t)
	var seen []*browse.Page
	see := func(p *browse.Page) *browse.Page { seen = append(seen, p); return p }

	front := see(b.Get(w.base + "/app/settings/developers"))
	see(b.Follow(front, "Add Project"))
	for _, kind := range []string{"Register a service API", "Register a service account", "Register a thick client"} {
		sel := see(b.Follow(front, kind))
		pick := b.Form(sel, "Continue")
		b.Choose(pick, "Select your Globus project", "Gateway")
		form := see(b.Submit(sel, pick, "Continue"))
		f := b.Form(form, "Register App")
		b.Fill(f, "App Name", kind)
		if _, ok := f.Field("Redirect URIs"); ok {
			b.Fill(f, "Redirect URIs", "https://auth.globus.org/v2/web/auth-code")
		}
		app := see(b.Submit(form, f, "Register App"))
		if _, ok := app.FindLink("Add Client Secret"); ok {
			see(b.Follow(app, "Add Client Secret"))
		}
	}
	project := see(b.Follow(front, "Gateway"))
	form := see(b.Follow(see(b.Follow(project, "Policies")), "Add a Policy"))
	f := b.Form(form, "Create Policy")
	b.Fill(f, "Display Name", "HA")
	b.Fill(f, "Description", "HA")
	b.Tick(f, "High Assurance")
	b.Fill(f, "Authentication Assurance Timeout", "60")
	b.Fill(f, "Included Domains", "anl.gov")
	see(b.Follow(see(b.Submit(form, f, "Create Policy")), "Edit"))
	groups := see(b.Get(w.base + "/app/groups"))
	form = see(b.Follow(groups, "Create new group"))
	f = b.Form(form, "Create Group")
	b.Fill(f, "Group Name", "G")
	see(b.Follow(see(b.Follow(see(b.Submit(form, f, "Create Group")), "Members")), "Invite Others"))

	var words strings.Builder
	for _, p := range seen {
		words.WriteString(p.Words())
		words.WriteString("\n")
	}
	// Bold words that are not the console's: advice, and the wizard's key.
	notConsole := []string{"The gateway requires this policy.", "right away", "o"}
	for _, id := range []string{"project", "service_api", "service_account", "public_client", "policy", "groups"} {
		_, how := assets.MustGuide(id)
		for _, m := range regexp.MustCompile(`\*\*([^*]+)\*\*`).FindAllStringSubmatch(how, -1) {
			term := strings.TrimSuffix(m[1], " …")
			if !slices.Contains(notConsole, term) && !strings.Contains(words.String(), term) {
				t.Errorf("the %s guide says **%s**, which no page of the demo console shows", id, m[1])
			}
		}
	}
}

// Registering an app, the operator may create its project on the way
// (globus-sdk-python's registration guide: "Create or Select a Project"):
// Add Project from the project selection leads back to the registration
// form, for the new project.
func TestConsoleAddProjectWhileRegistering(t *testing.T) {
	w := newWorld(t)
	b := browse.New(t)
	sel := b.Get(w.base + "/app/settings/developers/registration/" + PublicInstalledClient)
	form := b.Follow(sel, "Add Project")
	f := b.Form(form, "Submit")
	b.Fill(f, "Project Name", "Made on the way")
	b.Fill(f, "Contact Email", "ops@example.org")
	reg := b.Submit(form, f, "Submit")
	if !strings.Contains(reg.Words(), "Project: Made on the way") {
		t.Fatalf("after Add Project the registration did not go on for the new project:\n%s", reg.Words())
	}
	app := b.Form(reg, "Register App")
	b.Fill(app, "App Name", "Public")
	b.Fill(app, "Redirect URIs", "https://auth.globus.org/v2/web/auth-code")
	page := b.Submit(reg, app, "Register App")
	if id := page.Text("client-id"); id == "" {
		t.Fatalf("no Client UUID after registering in the new project:\n%s", page.Words())
	}
}
