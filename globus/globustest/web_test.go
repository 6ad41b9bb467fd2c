package globustest

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestConsolePages(t *testing.T) {
	w := newWorld(t)
	app := w.base + "/app/"

	// The app root leads to the console.
	if a := expect(t, call{method: "GET", url: app}.do(t), http.StatusSeeOther); a.header.Get("Location") != "/app/settings/developers" {
		t.Errorf("root redirects to %q", a.header.Get("Location"))
	}
	page := string(expect(t, call{method: "GET", url: app + "settings/developers"}.do(t), 200).raw)
	for _, want := range []string{"operator@example.org", "Gateway", w.project, w.publicID, `method="post"`} {
		if !strings.Contains(page, want) {
			t.Errorf("console lacks %q", want)
		}
	}

	// Create a project.
	a := expect(t, call{method: "POST", url: app + "settings/developers/projects", form: url.Values{
		"display_name": {"Second"}, "contact_email": {"ops@example.org"}}}.do(t), http.StatusSeeOther)
	if !strings.Contains(a.header.Get("Location"), "notice=") {
		t.Errorf("redirect %q", a.header.Get("Location"))
	}
	expect(t, call{method: "POST", url: app + "settings/developers/projects", form: url.Values{"display_name": {"x"}}}.do(t), 400)
	// The forms preselect the project just made, as the real console
	// registers apps from inside it.
	page = string(expect(t, call{method: "GET", url: app + "settings/developers"}.do(t), 200).raw)
	if n := strings.Count(page, `" selected>Second</option>`); n != 2 || strings.Contains(page, `" selected>Gateway</option>`) {
		t.Errorf("the app and policy forms do not preselect the newest project (%d)", n)
	}

	// Register an app, as the guide says: a redirect URI is required, the
	// page shows the Client UUID and offers Add Client Secret, whose secret
	// is shown once and works.
	expect(t, call{method: "POST", url: app + "settings/developers/apps", form: url.Values{
		"project": {w.project}, "name": {"No redirect"}, "client_type": {HybridConfidentialRS}}}.do(t), 400)
	shown := string(expect(t, call{method: "POST", url: app + "settings/developers/apps", form: url.Values{
		"project": {w.project}, "name": {"Service API"}, "client_type": {HybridConfidentialRS},
		"redirect_uris": {"http://localhost:8000"}}}.do(t), 200).raw)
	id := regexp.MustCompile(`id="client-id">([^<]+)<`).FindStringSubmatch(shown)
	if id == nil || strings.Contains(shown, "client-secret") || !strings.Contains(shown, "Generate Secret") {
		t.Fatalf("registration page (an ID, no secret yet, and Add Client Secret):\n%s", shown)
	}
	shown = string(expect(t, call{method: "POST", url: app + "settings/developers/apps/" + id[1] + "/secrets",
		form: url.Values{"name": {"inference token introspection"}}}.do(t), 200).raw)
	secret := regexp.MustCompile(`id="client-secret">([^<]+)<`).FindStringSubmatch(shown)
	if secret == nil {
		t.Fatalf("secret page:\n%s", shown)
	}
	secret[1] = html.UnescapeString(secret[1]) // as a browser shows it
	expect(t, w.clientCredentials(t, id[1], secret[1], ""), 200)
	page = string(expect(t, call{method: "GET", url: app + "settings/developers"}.do(t), 200).raw)
	if !strings.Contains(page, id[1]) || strings.Contains(html.UnescapeString(page), secret[1]) {
		t.Errorf("the console must list the app and never its secret again")
	}

	// A public client gets no secret.
	shown = string(expect(t, call{method: "POST", url: app + "settings/developers/apps", form: url.Values{
		"project": {w.project}, "name": {"CLI"}, "client_type": {PublicInstalledClient},
		"redirect_uris": {"https://auth.globus.org/v2/web/auth-code"}}}.do(t), 200).raw)
	if strings.Contains(shown, "client-secret") {
		t.Errorf("public client shown a secret")
	}
	expect(t, call{method: "POST", url: app + "settings/developers/apps", form: url.Values{
		"project": {"nope"}, "name": {"x"}, "client_type": {ClientIdentity}}}.do(t), 400)

	// A second secret, shown once.
	shown = string(expect(t, call{method: "POST", url: app + "settings/developers/apps/" + id[1] + "/secrets", form: url.Values{"name": {"rotated"}}}.do(t), 200).raw)
	second := regexp.MustCompile(`id="client-secret">([^<]+)<`).FindStringSubmatch(shown)
	if second == nil || second[1] == secret[1] {
		t.Fatalf("new secret page:\n%s", shown)
	}
	expect(t, w.clientCredentials(t, id[1], html.UnescapeString(second[1]), ""), 200)
	expect(t, w.clientCredentials(t, id[1], secret[1], ""), 200) // the first one still works

	// A policy.
	a = expect(t, call{method: "POST", url: app + "settings/developers/policies", form: url.Values{
		"project_id": {w.project}, "display_name": {"HA"}, "domains": {"uchicago.edu, anl.gov"}, "timeout": {"3600"}}}.do(t), http.StatusSeeOther)
	page = string(expect(t, call{method: "GET", url: w.base + a.header.Get("Location")}.do(t), 200).raw)
	if !strings.Contains(page, "uchicago.edu anl.gov") || !strings.Contains(page, "Policy HA created") {
		t.Errorf("policy not listed:\n%s", page)
	}
	expect(t, call{method: "POST", url: app + "settings/developers/policies", form: url.Values{
		"project_id": {w.project}, "display_name": {"HA"}, "domains": {""}, "timeout": {"3600"}}}.do(t), 400)
	// Not high assurance, when chosen.
	expect(t, call{method: "POST", url: app + "settings/developers/policies", form: url.Values{
		"project_id": {w.project}, "display_name": {"Low"}, "domains": {"anl.gov"}, "timeout": {"3600"}, "assurance": {"standard"}}}.do(t), http.StatusSeeOther)
	var ha = map[string]bool{}
	for _, p := range w.s.Policies(w.project) {
		ha[p.Name] = p.HighAssurance
	}
	if !ha["HA"] || ha["Low"] {
		t.Errorf("high assurance by name: %v", ha)
	}

	// The groups page creates a group, as the guide's step 6 says.
	page = string(expect(t, call{method: "GET", url: app + "groups"}.do(t), 200).raw)
	if !strings.Contains(page, "Create new group") {
		t.Errorf("the groups page has no Create new group:\n%s", page)
	}
	shown = string(expect(t, call{method: "POST", url: app + "groups", form: url.Values{"name": {"Gateway Users"}}}.do(t), 200).raw)
	made := regexp.MustCompile(`id="group-id">([^<]+)<`).FindStringSubmatch(shown)
	if made == nil || !strings.Contains(string(expect(t, call{method: "GET", url: app + "groups"}.do(t), 200).raw), made[1]) {
		t.Fatalf("group not created or not listed:\n%s", shown)
	}

	// Forms only accept POST.
	if a := (call{method: "GET", url: app + "settings/developers/apps"}).do(t); a.status == 200 {
		t.Errorf("GET on a form target answered 200")
	}

	// Groups page.
	gid := w.s.AddGroup("gateway users", "operator@example.org")
	if page := string(expect(t, call{method: "GET", url: app + "groups"}.do(t), 200).raw); !strings.Contains(page, gid) || !strings.Contains(page, "gateway users") {
		t.Errorf("groups page:\n%s", page)
	}
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
