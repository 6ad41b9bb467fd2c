package assets

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

var stepIDs = []string{"project", "service_api", "service_account", "public_client", "policy", "groups"}

func TestEveryStepHasAGuide(t *testing.T) {
	for _, id := range stepIDs {
		why, how, err := Guide(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		// "Why it matters" is short on purpose: 2 to 4 sentences.
		n := len(regexp.MustCompile(`[.!?](\s|$)`).FindAllString(why, -1))
		if n < 2 || n > 4 {
			t.Errorf("%s: why has %d sentences, want 2-4:\n%s", id, n, why)
		}
		if !strings.Contains(how, "1. ") {
			t.Errorf("%s: the console section has no numbered steps", id)
		}
		if strings.Contains(why, "##") || strings.Contains(how, "## ") {
			t.Errorf("%s: a heading leaked into a section", id)
		}
	}
	if got := GuideIDs(); strings.Join(got, ",") != "groups,policy,project,public_client,service_account,service_api" {
		t.Errorf("GuideIDs = %v", got)
	}
}

func TestGuideFacts(t *testing.T) {
	_, how := MustGuide("public_client")
	if !strings.Contains(how, "https://auth.globus.org/v2/web/auth-code") {
		t.Error("the public client guide must give the auth-code redirect URI")
	}
	_, how = MustGuide("policy")
	for _, want := range []string{"High Assurance", "Included Domains", "Authentication Assurance Timeout"} {
		if !strings.Contains(how, want) {
			t.Errorf("policy guide lacks %q", want)
		}
	}
	for _, id := range []string{"service_api", "service_account"} {
		if _, how := MustGuide(id); !strings.Contains(how, "Generate Secret") {
			t.Errorf("%s guide does not say how to make the secret", id)
		}
	}
}

func TestUnknownGuide(t *testing.T) {
	for _, id := range []string{"", "nope", "../assets", "guides/project", "project.md"} {
		if _, _, err := Guide(id); !errors.Is(err, ErrNoGuide) {
			t.Errorf("Guide(%q) err = %v, want ErrNoGuide", id, err)
		}
	}
}

func TestSplitRejectsMalformed(t *testing.T) {
	for _, text := range []string{
		"no headings",
		"## On the console\n1. x\n## Why it matters\nA. B.\n",
		"## Why it matters\n\n## On the console\n1. x\n",
	} {
		if _, _, err := split("x", text); err == nil {
			t.Errorf("split accepted %q", text)
		}
	}
	why, how, err := split("x", "## Why it matters\r\nA. B.\r\n## On the console\r\n1. x\r\n")
	if err != nil || why != "A. B." || how != "1. x" {
		t.Errorf("CRLF guide: %q %q %v", why, how, err)
	}
}

func TestDemoAndNames(t *testing.T) {
	d := Demo()
	d.Members[0] = "changed"
	if Demo().Members[0] == "changed" {
		t.Error("Demo shares its slices")
	}
	if got := AppName("", ServiceAPISuffix); got != "Inference Gateway Service API" {
		t.Errorf("AppName = %q", got)
	}
	if got := AppName("ALCF Inference", PublicClientSuffix); got != "ALCF Inference Public Client" {
		t.Errorf("AppName = %q", got)
	}
}
