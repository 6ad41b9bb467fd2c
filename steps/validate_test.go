package steps

import (
	"strings"
	"testing"
)

const (
	goodUUID = "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d"
	// A value shaped like a Globus client secret (made up).
	secretLike = "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI="
)

type vcase struct {
	in, want string // want "" means an error is expected
	errHas   string // part of the error message, when an error is expected
}

func runCases(t *testing.T, name string, f func(string) (string, error), cases []vcase) {
	t.Helper()
	for _, c := range cases {
		got, err := f(c.in)
		if c.want != "" {
			if err != nil || got != c.want {
				t.Errorf("%s(%q) = %q, %v; want %q", name, c.in, got, err, c.want)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s(%q) = %q, want an error", name, c.in, got)
			continue
		}
		if c.errHas != "" && !strings.Contains(err.Error(), c.errHas) {
			t.Errorf("%s(%q) error %q does not mention %q", name, c.in, err, c.errHas)
		}
	}
}

func TestNormalizeUUID(t *testing.T) {
	runCases(t, "NormalizeUUID", NormalizeUUID, []vcase{
		{in: goodUUID, want: goodUUID},
		{in: "  1B2C3D4E-5F60-4A7B-8C9D-0E1F2A3B4C5D\n", want: goodUUID},
		{in: `"` + goodUUID + `"`, want: goodUUID},
		{in: ` '` + goodUUID + `' `, want: goodUUID},
		{in: "`" + goodUUID + "`", want: goodUUID},
		{in: "", errHas: "empty"},
		{in: "   ", errHas: "empty"},
		{in: goodUUID[:35], errHas: "got 35 characters"},
		{in: goodUUID + "0", errHas: "got 37 characters"},
		{in: "{" + goodUUID + "}", errHas: "braces"},
		{in: "urn:uuid:" + goodUUID, errHas: "urn:uuid:"},
		{in: strings.ReplaceAll(goodUUID, "-", ""), errHas: "dashes are missing"},
		{in: "1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5g", errHas: `character 36, "g", is not a hex digit`},
		{in: "1b2c3d4e_5f60-4a7b-8c9d-0e1f2a3b4c5d", errHas: "character 9 should be '-'"},
		{in: "Client UUID: " + goodUUID, errHas: "inside a longer text"},
		{in: "https://app.globus.org/settings/developers/projects/" + goodUUID, errHas: "inside a longer text"},
		{in: goodUUID + " " + goodUUID, errHas: "found 2 UUIDs"},
		{in: "00000000-0000-0000-0000-000000000000", errHas: "all-zero"},
		{in: "<Your-Gateway-Service-API-Globus-App-Client-UUID>", errHas: "placeholder"},
		{in: secretLike, errHas: "looks like a client secret"},
		{in: "1234-not-a-uuid", errHas: "got 15 characters"},
	})
}

func TestErrorsNeverEchoSecrets(t *testing.T) {
	secrets := []string{secretLike, "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==", "abcDEFghiJKLmnoPQRstuVWXyz0123456789/+AB"}
	for _, s := range secrets {
		for _, key := range []string{"project.id", "project.name", "project.contact_email", "service_api.client_secret",
			"policy.domains", "policy.assurance_timeout", "groups.users.members", "service_api.scope_string"} {
			for _, in := range []string{s, s + " x", "x " + s, "a@" + s, s + "@anl.gov", "anl.gov, " + s} {
				_, err := Validate(key, in)
				if err != nil && strings.Contains(err.Error(), s) {
					t.Errorf("Validate(%s) echoed a secret: %v", key, err)
				}
			}
		}
	}
}

func TestValidateSecret(t *testing.T) {
	runCases(t, "ValidateSecret", ValidateSecret, []vcase{
		{in: secretLike, want: secretLike},
		{in: "  " + secretLike + "\n", want: secretLike},
		{in: `"` + secretLike + `"`, want: secretLike},
		{in: "", errHas: "empty"},
		{in: goodUUID, errHas: "looks like a client ID"},
		{in: strings.ToUpper(goodUUID), errHas: "looks like a client ID"},
		{in: secretLike[:20] + " " + secretLike[20:], errHas: "space or line break"},
		{in: secretLike[:20] + "\n" + secretLike[20:], errHas: "space or line break"},
		{in: "short", errHas: "only 5 characters"},
		{in: secretLike + "é", errHas: "printable ASCII"},
		{in: "<Your-Gateway-Service-API-Globus-App-Client-Secret>", errHas: "placeholder"},
		{in: strings.Repeat("a", 513), errHas: "too long"},
	})
}

func TestNormalizeDomains(t *testing.T) {
	runCases(t, "NormalizeDomains", NormalizeDomains, []vcase{
		{in: "anl.gov", want: "anl.gov"},
		// Case is kept (the gateway compares exactly); a repeat in another case is dropped.
		{in: "ANL.gov, uchicago.edu;alcf.anl.gov\nanl.gov  ", want: "ANL.gov uchicago.edu alcf.anl.gov"},
		{in: "anl.gov.", want: "anl.gov"},
		{in: `"anl.gov" 'x-y.example.org'`, want: "anl.gov x-y.example.org"},
		{in: "xn--bcher-kva.example", want: "xn--bcher-kva.example"},
		{in: "", errHas: "at least one"},
		{in: " , ; ", errHas: "at least one"},
		{in: "@anl.gov", errHas: "without the '@'"},
		{in: "alice@anl.gov", errHas: "part after '@'"},
		{in: "https://anl.gov", errHas: "web address"},
		{in: "www.anl.gov", errHas: "web address"},
		{in: "anl", errHas: `"anl": has no dot`},
		{in: "*.edu", errHas: "wildcards"},
		{in: "10.0.0.1", errHas: "IP address"},
		{in: "bücher.de", errHas: "xn--"},
		{in: "-anl.gov", errHas: "starts or ends with '-'"},
		{in: "anl..gov", errHas: "empty part"},
		{in: "anl_x.gov", errHas: "only letters"},
		{in: strings.Repeat("a", 64) + ".gov", errHas: "63"},
		{in: "anl.gov " + secretLike, errHas: "item 2"},
	})
}

func TestNormalizeUsernames(t *testing.T) {
	runCases(t, "NormalizeUsernames", NormalizeUsernames, []vcase{
		{in: "alice@anl.gov", want: "alice@anl.gov"},
		{in: "Alice@ANL.gov, bob@uchicago.edu alice@anl.gov", want: "alice@anl.gov bob@uchicago.edu"},
		{in: "0000-0002-1825-0097@orcid.org;" + strings.ToUpper(goodUUID), want: "0000-0002-1825-0097@orcid.org " + goodUUID},
		{in: "o'brien@example.org", want: "o'brien@example.org"},
		{in: "", errHas: "at least one"},
		{in: "alice", errHas: "alice@anl.gov"},
		{in: "@anl.gov", errHas: "name before it"},
		{in: "alice@anl", errHas: "no dot"},
		{in: "a(b)@anl.gov", errHas: "before '@'"},
		{in: secretLike, errHas: "client secret"},
	})
}

func TestNormalizeDuration(t *testing.T) {
	runCases(t, "NormalizeDuration", NormalizeDuration, []vcase{
		{in: "30m", want: "1800"},
		{in: "1h", want: "3600"},
		{in: "3600", want: "3600"},
		{in: "3600s", want: "3600"},
		{in: " 8 hours ", want: "28800"},
		{in: "1h30m", want: "5400"},
		{in: "1D", want: "86400"},
		{in: `"28800"`, want: "28800"},
		{in: "60", want: "60"},
		{in: "30d", want: "2592000"},
		{in: "", errHas: "empty"},
		{in: "0", errHas: "too short"},
		{in: "59s", errHas: "too short"},
		{in: "-5m", errHas: "positive"},
		{in: "1.5h", errHas: "whole numbers"},
		{in: "31d", errHas: "too long"},
		{in: "99999999999999999999", errHas: "too long"},
		{in: "8x", errHas: "unknown unit"},
		{in: "h", errHas: "expected a number"},
		{in: "1h30", errHas: "expected a unit"},
	})
}

func TestValidateEmail(t *testing.T) {
	runCases(t, "ValidateEmail", ValidateEmail, []vcase{
		{in: "ops@anl.gov", want: "ops@anl.gov"},
		{in: " Ops.Team+gw@ANL.GOV ", want: "Ops.Team+gw@anl.gov"},
		{in: "", errHas: "empty"},
		{in: "ops", errHas: "one address"},
		{in: "Ops <ops@anl.gov>", errHas: "angle brackets"},
		{in: "a@b@anl.gov", errHas: "one address"},
		{in: "ops@anl", errHas: "no dot"},
		{in: "o ps@anl.gov", errHas: "before '@'"},
	})
}

func TestValidateText(t *testing.T) {
	runCases(t, "ValidateText", ValidateText, []vcase{
		{in: "  Inference gateway ", want: "Inference gateway"},
		{in: "ALCF — inference", want: "ALCF — inference"},
		{in: "", errHas: "empty"},
		{in: "two\nlines", errHas: "one line"},
		{in: "tab\x01", errHas: "control"},
		{in: "\xff", errHas: "UTF-8"},
		{in: strings.Repeat("x", 201), errHas: "too long"},
		{in: secretLike, errHas: "client secret"},
	})
}

func TestValidateScopeString(t *testing.T) {
	s := "https://auth.globus.org/scopes/" + goodUUID + "/action_all"
	runCases(t, "ValidateScopeString", ValidateScopeString, []vcase{
		{in: s, want: s},
		{in: " " + s + " ", want: s},
		{in: "urn:globus:auth:scope:groups.api.globus.org:all", want: "urn:globus:auth:scope:groups.api.globus.org:all"},
		{in: "", errHas: "empty"},
		{in: "action_all", errHas: "expected a scope string"},
		{in: s + " x", errHas: "no blanks"},
	})
}

func TestValidateDispatch(t *testing.T) {
	for key, in := range map[string]string{
		"project.id": goodUUID, "project.name": "Gateway", "project.contact_email": "a@anl.gov",
		"service_api.client_secret": secretLike, "policy.domains": "anl.gov",
		"policy.assurance_timeout": "8h", "groups.users.id": goodUUID, "groups.admins-2.members": "a@anl.gov",
		"service_api.scope_string": "https://auth.globus.org/scopes/" + goodUUID + "/action_all",
	} {
		if _, err := Validate(key, in); err != nil {
			t.Errorf("Validate(%s): %v", key, err)
		}
	}
	for _, key := range []string{"nope", "groups.users", "groups.Users.id", "groups.users.name", "groups..id", "groups.1x.id"} {
		if _, err := Validate(key, "x"); err == nil || !strings.Contains(err.Error(), "unknown key") {
			t.Errorf("Validate(%q) err = %v, want unknown key", key, err)
		}
	}
}

// fuzzNormalizer checks the properties every validator must have: no panic,
// the output re-validates to itself, and errors never carry secret-like input.
func fuzzNormalizer(f *testing.F, f1 func(string) (string, error), seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := f1(in)
		if err != nil {
			if looksLikeSecret(unwrap(in)) && strings.Contains(err.Error(), unwrap(in)) {
				t.Fatalf("error echoes secret-like input: %v", err)
			}
			return
		}
		again, err := f1(out)
		if err != nil {
			t.Fatalf("output %q does not re-validate: %v", out, err)
		}
		if again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}

func FuzzNormalizeUUID(f *testing.F) {
	fuzzNormalizer(f, NormalizeUUID, goodUUID, " \""+strings.ToUpper(goodUUID)+"\" ", "{"+goodUUID+"}", secretLike, "")
}

func FuzzValidateSecret(f *testing.F) {
	fuzzNormalizer(f, ValidateSecret, secretLike, "'"+secretLike+"'", goodUUID, "a b", "\"'\"x\"'\"")
}

func FuzzNormalizeDomains(f *testing.F) {
	fuzzNormalizer(f, NormalizeDomains, "anl.gov, UChicago.edu;x.org\n", "@anl.gov", "*.edu", "a.b.", "1.2.3.4")
}

func FuzzNormalizeUsernames(f *testing.F) {
	fuzzNormalizer(f, NormalizeUsernames, "alice@anl.gov bob@x.org", goodUUID, "'a@b.c'", "x@y")
}

func FuzzNormalizeDuration(f *testing.F) {
	fuzzNormalizer(f, NormalizeDuration, "8h", "1h30m", "3600", "3600s", "-1", "1.5h", "30 days")
}

func FuzzValidateEmail(f *testing.F) {
	fuzzNormalizer(f, ValidateEmail, "ops@anl.gov", "A@B.ORG", "<a@b.c>", "\"a@b.c\"")
}

func FuzzValidateText(f *testing.F) {
	fuzzNormalizer(f, ValidateText, "Inference gateway", " x ", "a\nb", secretLike)
}

func FuzzValidateScopeString(f *testing.F) {
	fuzzNormalizer(f, ValidateScopeString, "https://auth.globus.org/scopes/"+goodUUID+"/action_all", "urn:globus:auth:scope:x:all")
}
