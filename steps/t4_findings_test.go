package steps

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/vault"
)

// A quote left open, closed by one lines later, is refused by a merge too
// (it would rewrite the lines the value took in), naming both lines; a
// value meant to run over lines is merged as before.
func TestMergeRefusesAQuoteLeftOpen(t *testing.T) {
	doc := docWith(map[string]string{"policy.id": uuidA})
	in := []byte("DEBUG=1\nGLOBUS_POLICIES=\"" + uuidA + "\n\n# Optional\nGLOBUS_GROUPS=\"\n")
	_, err := MergeEnv(in, doc)
	if err == nil || !strings.Contains(err.Error(), "line 2: GLOBUS_POLICIES: the quote opened at line 2 closes only at line 5, taking in 1 comment line(s) and 1 NAME=value line(s)") {
		t.Fatalf("merge into a quote left open: %v", err)
	}
	if _, err := MergeEnv([]byte("GLOBUS_GROUPS=\"\n# a group\n\"\n"), doc); err != nil {
		t.Fatalf("a value meant to run over lines: %v", err)
	}
}

// rotate --list asks Globus about a vault secret whose credential is not
// recorded: one Globus refuses is none of the app's secrets, so none is
// called "maybe the secret in the vault", and none can be deleted (one may
// be the gateway's); one it accepts keeps "maybe", worded as stored by
// hand rather than "typed in".
func TestListSaysWhenTheVaultsSecretIsRefused(t *testing.T) {
	w, _ := newRotateWorld(t)
	ctx := context.Background()
	roles := func() []string {
		list, err := ListAppCredentials(ctx, w.e)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range list {
			if c.App == "service_api" {
				out = append(out, c.Role.says())
			}
		}
		return out
	}
	if err := w.e.Vault.Update(func(d *vault.Doc) error { delete(d.Internal, secretMetaPrefix+"service_api"); return nil }); err != nil {
		t.Fatal(err)
	}
	if got := roles(); len(got) != 1 || !strings.HasPrefix(got[0], "maybe the secret in the vault (it was stored by set, import or the wizard") {
		t.Fatalf("an unrecorded working secret: %q", got)
	}
	if err := w.e.Vault.Update(func(d *vault.Doc) error {
		d.Values["service_api.client_secret"] = "d3Jvbmctc2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcnMuLg=="
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got := roles()
	if len(got) != 1 || got[0] != "not the secret in the vault, which Globus refuses; maybe the one the gateway uses" {
		t.Fatalf("a refused vault secret: %q", got)
	}
	id := w.get("service_api.client_id")
	err := DeleteUnknownCredential(ctx, w.e, "service_api", w.credIDs(id)[0], nil)
	if err == nil || !strings.Contains(err.Error(), "may be the secret the gateway uses") || len(w.credIDs(id)) != 1 {
		t.Fatalf("--delete of what may be the gateway's secret: %v", err)
	}
}

// import warns, by line, that the gateway's SECRET_KEY is still
// env.example's placeholder (not storing it), and imports the rest.
func TestImportWarnsOfThePlaceholderSecretKey(t *testing.T) {
	data := strings.Replace(string(filledExample(t, uuidB, secretLike, uuidC, "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==", uuidA, "anl.gov")),
		`SECRET_KEY="django-insecure-0123456789abcdef"`, `SECRET_KEY="<generate-a-strong-random-key>"`, 1)
	imp, err := ReadEnvImport(writeEnvFile(t, []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, w := range imp.Warnings {
		said = append(said, w.String())
	}
	if !strings.Contains(strings.Join(said, "\n"), "the gateway's SECRET_KEY is still env.example's placeholder <generate-a-strong-random-key>, which Django signs sessions with") {
		t.Fatalf("warnings: %q", said)
	}
	for _, v := range imp.Values {
		if strings.Contains(v, "generate-a-strong") {
			t.Fatal("SECRET_KEY was stored")
		}
	}
}

// verify's group line claims "holds its members" only when members are
// stored to check.
func TestVerifyGroupNamesWhatItChecked(t *testing.T) {
	w := newWorld(t)
	w.login()
	ctx := context.Background()
	gid := w.srv.AddGroup("Gateway Users", "operator@example.org")
	if err := w.srv.AddMember(gid, "alice@example.org", "member"); err != nil {
		t.Fatal(err)
	}
	w.set(map[string]string{"groups.users.id": gid})
	c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group ")
	if c.Status != CheckPass || c.Name != `Group "Gateway Users" exists` || !strings.Contains(c.Detail, "none stored here to check") {
		t.Fatalf("no members stored: %s", c.Line())
	}
	w.set(map[string]string{"groups.users.members": "alice@example.org"})
	if c := statusOf(t, VerifyStep(ctx, w.e, "groups"), "Group "); c.Status != CheckPass || c.Name != `Group "Gateway Users" exists and holds its members` {
		t.Fatalf("a member stored: %s", c.Line())
	}
}

// A secret-age limit below a day is said in its own unit, the age as
// finely: never "0 days old … older than 0 days".
func TestSecretAgeBelowADay(t *testing.T) {
	a := SecretAge{App: "service_api", Known: true, Created: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Age: 90 * time.Second, Old: true}
	if got := a.Line(time.Second); !strings.Contains(got, "secret: 1m30s old (made 2026-12-01) — older than 1s: rotate it") {
		t.Fatalf("a 1s limit: %s", got)
	}
	a.Age = 100 * 24 * time.Hour
	if got := a.Line(DefaultMaxSecretAge); !strings.Contains(got, "100 days old") || !strings.Contains(got, "older than 90 days") {
		t.Fatalf("the default limit: %s", got)
	}
}
