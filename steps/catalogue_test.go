package steps

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/assets"
	"github.com/globus-setup/globus-setup/globus"
)

var prodEnv = globus.Environment{Name: "production", AuthURL: "https://auth.globus.org/",
	GroupsURL: "https://groups.api.globus.org/", AppURL: "https://app.globus.org/"}

func TestCatalogueShape(t *testing.T) {
	cat := Catalogue()
	var ids []string
	for i, s := range cat {
		ids = append(ids, s.ID)
		if s.Number != i+1 || s.Title == "" || s.Why == "" || s.Guide == "" || s.ConsoleURL == nil || s.CopyValues == nil {
			t.Errorf("step %s is incomplete: %+v", s.ID, s)
		}
		if s.Optional != (s.ID == "groups") {
			t.Errorf("step %s: Optional = %v", s.ID, s.Optional)
		}
		for _, d := range s.DependsOn {
			if _, ok := StepByID(d); !ok || d == s.ID {
				t.Errorf("step %s depends on %q", s.ID, d)
			}
		}
		for _, f := range s.Fields {
			spec, ok := Spec(f.Key)
			if !ok || spec.Step != s.ID || spec.Auto {
				t.Errorf("step %s: field %s does not belong to it", s.ID, f.Key)
			}
			if f.Kind != spec.Kind || f.Secret != spec.Secret || f.Label == "" || f.Placeholder == "" {
				t.Errorf("step %s: field %+v disagrees with its key", s.ID, f)
			}
		}
	}
	if got := strings.Join(ids, ","); got != "project,service_api,service_account,public_client,policy,groups" {
		t.Fatalf("catalogue order %s", got)
	}
	// Every guide file belongs to a step and every step has one.
	if got := strings.Join(assets.GuideIDs(), ","); len(assets.GuideIDs()) != len(cat) {
		t.Errorf("guides %s do not match the catalogue", got)
	}
}

func TestConsoleURLsAndCopyValues(t *testing.T) {
	doc := docWith(map[string]string{"project.name": "ALCF Inference", "policy.domains": "anl.gov uchicago.edu", "policy.assurance_timeout": "3600",
		"groups.users.members": "alice@anl.gov bob@uchicago.edu"})
	want := map[string]string{
		"project": "https://app.globus.org/settings/developers", "policy": "https://app.globus.org/settings/developers",
		"groups": "https://app.globus.org/groups",
	}
	copies := map[string]map[string]string{}
	for _, s := range Catalogue() {
		if w, ok := want[s.ID]; ok && s.ConsoleURL(prodEnv) != w {
			t.Errorf("%s console URL %s, want %s", s.ID, s.ConsoleURL(prodEnv), w)
		}
		copies[s.ID] = map[string]string{}
		for _, c := range s.CopyValues(doc, prodEnv) {
			copies[s.ID][c.Label] = c.Value
		}
	}
	checks := []struct{ step, label, want string }{
		{"project", "Project Name", "ALCF Inference"},
		{"service_api", "App Name", "ALCF Inference Service API"},
		{"service_account", "App Name", "ALCF Inference Endpoints"},
		{"public_client", "App Name", "ALCF Inference Public Client"},
		{"public_client", "Redirect URI", "https://auth.globus.org/v2/web/auth-code"},
		{"policy", "Included Domains (one per line)", "anl.gov\nuchicago.edu"},
		{"policy", "Authentication Assurance Timeout (seconds)", "3600"},
		{"groups", "Group Name", "ALCF Inference Users"},
		{"groups", `Members of "ALCF Inference Users" (one per line)`, "alice@anl.gov\nbob@uchicago.edu"}, // as Globus will name it, not by its key
	}
	for _, c := range checks {
		if got := copies[c.step][c.label]; got != c.want {
			t.Errorf("%s %q = %q, want %q", c.step, c.label, got, c.want)
		}
	}
	// The redirect URI follows the environment.
	preview := globus.Environment{AuthURL: "https://auth.preview.globus.org/", AppURL: "https://app.preview.globus.org/"}
	s, _ := StepByID("public_client")
	for _, c := range s.CopyValues(docWith(nil), preview) {
		if c.Label == "Redirect URI" && c.Value != "https://auth.preview.globus.org/v2/web/auth-code" {
			t.Errorf("preview redirect URI %s", c.Value)
		}
	}
	if s, _ := StepByID("project"); s.CopyValues(docWith(nil), prodEnv)[0].Value != assets.DefaultProjectName {
		t.Error("no default project name suggested")
	}
}

func TestKeys(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range Keys() {
		if seen[k.Key] {
			t.Errorf("duplicate key %s", k.Key)
		}
		seen[k.Key] = true
		if k.Label == "" || k.Help == "" || k.Kind.String() == "unknown" {
			t.Errorf("key %s incomplete", k.Key)
		}
		if _, ok := StepByID(k.Step); !ok {
			t.Errorf("key %s names step %q", k.Key, k.Step)
		}
		if k.Secret != (k.Kind == KindSecret) {
			t.Errorf("key %s: Secret flag and kind disagree", k.Key)
		}
	}
	for _, k := range []string{"project.id", "project.name", "service_api.client_id", "service_api.client_secret",
		"service_api.scope_id", "service_api.scope_string", "service_account.client_id", "service_account.client_secret",
		"public_client.client_id", "policy.id", "policy.domains", "policy.assurance_timeout", "groups.users.id", "groups.users.members"} {
		if !seen[k] {
			t.Errorf("stable key %s missing", k)
		}
	}
	if s, ok := Spec("groups.admins_2.members"); !ok || s.Kind != KindUsernames || s.Step != "groups" {
		t.Errorf("Spec(groups.admins_2.members) = %+v, %v", s, ok)
	}
	for _, bad := range []string{"groups.Admins.id", "groups.a.b.id", "groups.-x.id", "groups." + strings.Repeat("a", 33) + ".id"} {
		if _, ok := Spec(bad); ok {
			t.Errorf("Spec(%q) accepted", bad)
		}
	}
	// Keys returns copies.
	Keys()[0].Label = "changed"
	if Keys()[0].Label == "changed" {
		t.Error("Keys shares its specs")
	}
	names := GroupNames(map[string]string{"groups.b.id": "x", "groups.a.members": "y", "groups.a.id": "z", "groups.Bad.id": "q", "project.id": "p"})
	if strings.Join(names, ",") != "a,b" {
		t.Errorf("GroupNames = %v", names)
	}
}

// Every step answers the engine: checks (so verify never says "All good" by
// omission), a done rule, a report. A module without checks stops the
// catalogue.
func TestEveryStepHasChecks(t *testing.T) {
	e := newWorld(t).e
	for _, s := range Catalogue() {
		if s.checks == nil || s.missing == nil || s.Verify == nil {
			t.Fatalf("%s: checks %v, done rule %v, Verify %v", s.ID, s.checks != nil, s.missing != nil, s.Verify != nil)
		}
		if cs := VerifyStep(context.Background(), e, s.ID); len(cs) == 0 {
			t.Errorf("%s: no check at all on an empty vault", s.ID)
		}
	}
	for _, broken := range []Step{{ID: "seventh", Title: "Seventh", missing: requiredFields(nil)}, {ID: "seventh", Title: "Seventh"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("a step without checks or done rule was accepted: %+v", broken.ID)
				}
			}()
			mustBeComplete(broken)
		}()
	}
}

// Advice names commands only through a Namer: no file of steps but
// advice.go (the command line's namer) writes a globus-setup command into
// an operator message.
func TestNoCommandLineInStepsMessages(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "advice.go" {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, "`globus-setup") && !strings.HasPrefix(strings.TrimSpace(line), "//") {
				t.Errorf("%s:%d writes a command into a message: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
