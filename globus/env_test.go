package globus

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestEnvironmentFromEnv(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		want Environment
	}{
		{"default is production", nil, Production},
		{"explicit production", map[string]string{EnvEnvironment: "production"}, Production},
		{"preview", map[string]string{EnvEnvironment: " preview "}, Preview},
		{"emulator layout derives the app URL", map[string]string{
			EnvAuthURL: "http://127.0.0.1:8080/auth", EnvGroupsURL: "http://127.0.0.1:8080/groups/",
		}, Environment{Name: "custom", AuthURL: "http://127.0.0.1:8080/auth/", GroupsURL: "http://127.0.0.1:8080/groups/", AppURL: "http://127.0.0.1:8080/app/", Timeout: DefaultTimeout}},
		{"other auth override keeps the environment's app", map[string]string{EnvEnvironment: "preview", EnvAuthURL: "https://auth.example.org"},
			Environment{Name: "custom", AuthURL: "https://auth.example.org/", GroupsURL: Preview.GroupsURL, AppURL: Preview.AppURL, Timeout: DefaultTimeout}},
		{"app override wins", map[string]string{EnvAuthURL: "http://localhost:9/auth/", EnvAppURL: "http://localhost:9/console"},
			Environment{Name: "custom", AuthURL: "http://localhost:9/auth/", GroupsURL: Production.GroupsURL, AppURL: "http://localhost:9/console/", Timeout: DefaultTimeout}},
		{"timeout seconds", map[string]string{EnvHTTPTimeout: "120"}, withTimeout(Production, 120*time.Second)},
		{"timeout fraction", map[string]string{EnvHTTPTimeout: "2.5"}, withTimeout(Production, 2500*time.Millisecond)},
		{"timeout -1 is none", map[string]string{EnvHTTPTimeout: "-1"}, withTimeout(Production, -1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := EnvironmentFromEnv(envOf(tc.vars))
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func withTimeout(e Environment, d time.Duration) Environment { e.Timeout = d; return e }

func TestEnvironmentFromEnvErrors(t *testing.T) {
	tests := []struct {
		vars     map[string]string
		mentions []string
	}{
		{map[string]string{EnvEnvironment: "sandbox"}, []string{EnvEnvironment, "sandbox", "production or preview"}},
		{map[string]string{EnvHTTPTimeout: "soon"}, []string{EnvHTTPTimeout, "soon", "seconds"}},
		{map[string]string{EnvHTTPTimeout: "0"}, []string{EnvHTTPTimeout, "above 0"}},
		{map[string]string{EnvHTTPTimeout: "NaN"}, []string{EnvHTTPTimeout}},
		{map[string]string{EnvAuthURL: "auth.globus.org"}, []string{EnvAuthURL, "absolute"}},
		{map[string]string{EnvGroupsURL: "ftp://groups.example.org/"}, []string{EnvGroupsURL}},
		{map[string]string{EnvAuthURL: "https://auth.example.org/?x=1"}, []string{EnvAuthURL, "query"}},
		{map[string]string{EnvAppURL: "nope"}, []string{EnvAppURL}},
	}
	for _, tc := range tests {
		_, err := EnvironmentFromEnv(envOf(tc.vars))
		if err == nil {
			t.Errorf("%v: no error", tc.vars)
			continue
		}
		for _, m := range tc.mentions {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("%v: error %q does not mention %q", tc.vars, err, m)
			}
		}
	}
}

func TestEnvironmentURLs(t *testing.T) {
	if got := Production.DevelopersConsoleURL(); got != "https://app.globus.org/settings/developers" {
		t.Error(got)
	}
	if got := Preview.GroupsConsoleURL(); got != "https://app.preview.globus.org/groups" {
		t.Error(got)
	}
	if got := Production.AuthCodeRedirectURI(); got != "https://auth.globus.org/v2/web/auth-code" {
		t.Error(got)
	}
	if got := ActionAllScopeString(Production.AuthURL, "abc"); got != "https://auth.globus.org/scopes/abc/action_all" {
		t.Error(got)
	}
	if got := ActionAllScopeString("http://127.0.0.1:5/auth", "abc"); got != "http://127.0.0.1:5/auth/scopes/abc/action_all" {
		t.Error(got)
	}
}

func TestNewRefusesInsecureURLs(t *testing.T) {
	ok := []string{"https://auth.globus.org/", "http://127.0.0.1:8080/auth/", "http://127.9.8.7/", "http://localhost:1/", "http://LOCALHOST/", "http://[::1]:9/"}
	for _, u := range ok {
		if _, err := New(Environment{AuthURL: u, GroupsURL: u}); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	bad := []string{"http://auth.globus.org/", "http://10.0.0.1/", "http://localhost.example.org/", "http://[::2]/", "ftp://127.0.0.1/"}
	for _, u := range bad {
		_, err := New(Environment{AuthURL: "https://auth.globus.org/", GroupsURL: u})
		if err == nil {
			t.Errorf("%s accepted", u)
			continue
		}
		if !strings.Contains(err.Error(), strings.TrimSuffix(u, "/")) || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("%s: error does not name the URL and the rule: %v", u, err)
		}
	}
	if _, err := New(Environment{}); err == nil {
		t.Error("empty environment accepted")
	}
}

func TestNewTimeout(t *testing.T) {
	for env, want := range map[time.Duration]time.Duration{0: DefaultTimeout, -1: 0, 5 * time.Second: 5 * time.Second} {
		c, err := New(Environment{AuthURL: Production.AuthURL, GroupsURL: Production.GroupsURL, Timeout: env})
		if err != nil {
			t.Fatal(err)
		}
		if c.httpc.Timeout != want {
			t.Errorf("Timeout %v: client timeout %v, want %v", env, c.httpc.Timeout, want)
		}
	}
	c, _ := New(Production, WithHTTPClient(&http.Client{Timeout: time.Second}))
	if c.httpc.Timeout != time.Second {
		t.Errorf("WithHTTPClient's timeout replaced: %v", c.httpc.Timeout)
	}
}
