package steps

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Group IDs for the .env tests.
const (
	importGroup  = "7c9e2f1a-3b4d-4e5f-8a6b-9c0d1e2f3a4b"
	importGroup2 = "8d0f3a2b-4c5e-4f60-9b7c-0d1e2f3a4b5c"
)

// --no-secrets removes every statement of the two secrets (an empty KEY=
// would beat the environment under override=True), leaves a comment where
// the first one was, keeps everything else, and is idempotent; a merge with
// the secrets puts each back where it was.
func TestMergeWithoutSecrets(t *testing.T) {
	orig := []byte("A=1\nexport GLOBUS_APPLICATION_SECRET=\"old\" # note\nSERVICE_ACCOUNT_SECRET=\n\nGLOBUS_APPLICATION_SECRET\nB='x'\nGLOBUS_APPLICATION_SECRET='again'\n")
	doc := fullDoc()
	merged, err := MergeEnvWith(orig, doc, EnvOptions{NoSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	env := readEnv(t, merged)
	for _, name := range SecretVariables() {
		if _, set := env[name]; set {
			t.Errorf("%s is still set", name)
		}
		if n := strings.Count(string(merged), omittedPrefix(name)); n != 1 {
			t.Errorf("%d comments for %s", n, name)
		}
	}
	if env["A"] != "1" || env["B"] != "x" || env["GLOBUS_APPLICATION_ID"] != uuidB {
		t.Errorf("read back %v", env)
	}
	for _, secret := range []string{secretLike, doc.Values["service_account.client_secret"], "old", "again"} {
		if strings.Contains(string(merged), secret) {
			t.Errorf("the merged file holds %q:\n%s", secret, merged)
		}
	}
	lines := strings.Split(string(merged), "\n")
	if !strings.HasPrefix(lines[1], omittedPrefix("GLOBUS_APPLICATION_SECRET")) || !strings.HasPrefix(lines[2], omittedPrefix("SERVICE_ACCOUNT_SECRET")) || lines[3] != "" || lines[4] != "B='x'" {
		t.Errorf("layout:\n%s", merged)
	}
	again, err := MergeEnvWith(merged, doc, EnvOptions{NoSecrets: true})
	if err != nil || !bytes.Equal(again, merged) {
		t.Fatalf("not idempotent (%v):\n%s", err, again)
	}
	// With the secrets, each goes back in its comment's place.
	back, err := MergeEnv(merged, doc)
	if err != nil {
		t.Fatal(err)
	}
	lines = strings.Split(string(back), "\n")
	if lines[1] != `GLOBUS_APPLICATION_SECRET="`+secretLike+`"` || !strings.HasPrefix(lines[2], "SERVICE_ACCOUNT_SECRET=") || strings.Contains(string(back), "kept out of this file") {
		t.Errorf("with the secrets again:\n%s", back)
	}
	if env := readEnv(t, back); env["GLOBUS_APPLICATION_SECRET"] != secretLike {
		t.Errorf("read back %v", env)
	}
	// A file that never had them gets the comments in the added block.
	out, _ := MergeEnvWith([]byte("A=1\n"), doc, EnvOptions{NoSecrets: true})
	if !strings.Contains(string(out), "# --- Globus settings added by globus-setup ---\nGLOBUS_APPLICATION_ID=") || strings.Count(string(out), "kept out of this file") != 2 {
		t.Errorf("added block:\n%s", out)
	}
}

func TestExportWithoutSecrets(t *testing.T) {
	for _, f := range []ExportFormat{FormatEnv, FormatJSON, FormatShell} {
		out, err := ExportWith(fullDoc(), f, EnvOptions{NoSecrets: true})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), secretLike) || strings.Contains(string(out), "Zm9vYmFy") || !strings.Contains(string(out), uuidB) {
			t.Errorf("%s:\n%s", f, out)
		}
	}
	if _, err := ExportWith(fullDoc(), FormatCompute, EnvOptions{NoSecrets: true}); err == nil || !strings.Contains(err.Error(), "without the secret there is nothing to export") {
		t.Errorf("compute: %v", err)
	}
}

// The merge reads its result back as the gateway would: a value that
// python-dotenv closed only by going back reaches over the lines written
// after it, so such a file is refused, not broken.
func TestMergeRefusesWhatItWouldChange(t *testing.T) {
	doc := docWith(map[string]string{"service_api.client_id": uuidB})
	// 'x\' closes at its own quote only while no quote follows.
	in := []byte("WIN_PATH='C:\\dir\\'\nA=1\n")
	if env := readEnv(t, in); env["WIN_PATH"] != `C:\dir\` || env["A"] != "1" {
		t.Fatalf("python-dotenv reads %v", env)
	}
	if _, err := MergeEnv(in, doc); err != nil {
		t.Fatalf("nothing written after it holds a quote: %v", err)
	}
	// The token helpers' comment ("users' token helpers") does.
	_, err := MergeEnv(in, fullDoc())
	if err == nil || !strings.Contains(err.Error(), "line 1: merging would change how the gateway reads") || !strings.Contains(err.Error(), "escaped quote") {
		t.Fatalf("err = %v", err)
	}
	// A line python-dotenv cannot read is named, and nothing is merged.
	_, err = MergeEnv([]byte("A=1\nthis is not a setting\n"), doc)
	if err == nil || !strings.Contains(err.Error(), "line 2: python-dotenv cannot read this statement") || !strings.Contains(err.Error(), "not NAME=value") {
		t.Fatalf("err = %v", err)
	}
	// "a\\" is closed in the shell's eyes, not python-dotenv's: it swallows B.
	_, err = MergeEnv([]byte("A=\"a\\\\\"\nB=\"c\"\n"), doc)
	if err == nil || !strings.Contains(err.Error(), "line 1: python-dotenv cannot read") {
		t.Fatalf("err = %v", err)
	}
}

// A stored per-domain mapping replaces the file's unless it means the same,
// when the file's layout is kept.
func TestMergeGroupsPerIdP(t *testing.T) {
	file := "AUTHORIZED_GROUPS_PER_IDP='\n{\n    \"uchicago.edu\": \"" + importGroup + "\"\n}\n'\n"
	doc := docWith(map[string]string{groupsPerIdPKey: `{"uchicago.edu":"` + importGroup + `"}`})
	out, err := MergeEnv([]byte(file), doc)
	if err != nil || !strings.HasPrefix(string(out), file) {
		t.Fatalf("same mapping (%v):\n%s", err, out)
	}
	doc.Values[groupsPerIdPKey] = `{"anl.gov":"` + importGroup2 + `"}`
	out, err = MergeEnv([]byte(file), doc)
	if err != nil || !strings.HasPrefix(string(out), `AUTHORIZED_GROUPS_PER_IDP='{"anl.gov":"`+importGroup2+`"}'`+"\n") {
		t.Fatalf("another mapping (%v):\n%s", err, out)
	}
	if readEnv(t, out)[groupsPerIdP] != doc.Values[groupsPerIdPKey] {
		t.Error("does not read back")
	}
	// Exported in each format.
	for f, want := range map[ExportFormat]string{
		FormatEnv:   `AUTHORIZED_GROUPS_PER_IDP='{"anl.gov":"` + importGroup2 + `"}'`,
		FormatShell: `export AUTHORIZED_GROUPS_PER_IDP='{"anl.gov":"` + importGroup2 + `"}'`,
		FormatJSON:  `"AUTHORIZED_GROUPS_PER_IDP": {"anl.gov":"` + importGroup2 + `"}`,
	} {
		if out, _ := Export(doc, f); !strings.Contains(string(out), want) {
			t.Errorf("%s lacks %q:\n%s", f, want, out)
		}
	}
}

func TestNormalizeGroupsPerIdP(t *testing.T) {
	ok := map[string]string{
		"{}": "{}",
		" {\n  \"uchicago.edu\": \"" + importGroup + ", " + importGroup2 + "\",\n  \"anl.gov\": \"\"\n}\n": `{"uchicago.edu":"` + importGroup + `, ` + importGroup2 + `","anl.gov":""}`,
	}
	for in, want := range ok {
		if got, err := NormalizeGroupsPerIdP(in); err != nil || got != want {
			t.Errorf("%q: %q, %v", in, got, err)
		}
	}
	for in, want := range map[string]string{
		"[]":               "not a JSON object",
		`{"anl.gov": 1}`:   "must be one string",
		`{"anl.gov": "x"}`: `"x" is not a group ID in lower case`,
		`{"anl.gov": "` + strings.ToUpper(importGroup) + `"}`: "not a group ID in lower case",
		`{"anl.gov": "", "anl.gov": ""}`:                      "listed twice",
		`{"https://anl.gov": ""}`:                             "is not an identity provider's domain",
		`{"anl.gov": ""} x`:                                   "something follows the object",
		`{"anl.gov": ""`:                                      "not valid JSON",
	} {
		if _, err := NormalizeGroupsPerIdP(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

// exec's command sees what the remembered .env sets over its environment:
// a secret there at all, and any other variable set to something else.
func TestExecOverrides(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	doc := fullDoc()
	doc.Internal = map[string]string{EnvTargetKey: path}
	vars, err := ExecVariables(doc, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	file := "GLOBUS_APPLICATION_ID=\"" + uuidB + "\"\n" + // the same: harmless
		"GLOBUS_APPLICATION_SECRET=\"" + secretLike + "\"\n" + // the same, but a secret on disk
		"SERVICE_ACCOUNT_SECRET=\n" + // empty beats the environment too
		"SERVICE_ACCOUNT_ID=\"" + uuidA + "\"\n" + // another value
		"AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\nuchicago.edu\n\"\n" + // the same list, another layout
		"GLOBUS_POLICIES\n" // no '=': sets nothing
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	got, over, err := ExecOverrides(doc, vars)
	if err != nil || got != path {
		t.Fatal(got, err)
	}
	var names []string
	for _, o := range over {
		names = append(names, o.Name)
		w := o.Warning(path)
		if !strings.Contains(w, path) || !strings.Contains(w, o.Name) || strings.Contains(w, secretLike) {
			t.Errorf("warning %q", w)
		}
	}
	if want := []string{"GLOBUS_APPLICATION_SECRET", "SERVICE_ACCOUNT_ID", "SERVICE_ACCOUNT_SECRET"}; !slices.Equal(names, want) {
		t.Errorf("overrides %v, want %v", names, want)
	}
	if w := over[0].Warning(path); !strings.Contains(w, "(line 2) holds GLOBUS_APPLICATION_SECRET in plaintext") || !strings.Contains(w, "--no-secrets") {
		t.Errorf("secret warning %q", w)
	}
	// No remembered .env: nothing to say.
	if p, over, err := ExecOverrides(fullDoc(), vars); p != "" || over != nil || err != nil {
		t.Errorf("%q %v %v", p, over, err)
	}
	doc.Internal[EnvTargetKey] = filepath.Join(dir, "gone")
	if _, _, err := ExecOverrides(doc, vars); err == nil {
		t.Error("a missing .env is not said")
	}
}

// A merge into the gateway's env.example: parse, merge, read back.
func BenchmarkMergeEnv(b *testing.B) {
	data, err := os.ReadFile("testdata/gateway-env.example")
	if err != nil {
		b.Fatal(err)
	}
	doc := fullDoc()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := MergeEnvWith(data, doc, EnvOptions{NoSecrets: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// With no Globus to ask, an app's ID the file sets otherwise than the vault
// is not advised overwritten: verify says which pair works first.
func TestExecPairUncheckedSaysVerify(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	doc := fullDoc()
	doc.Internal = map[string]string{EnvTargetKey: path}
	vars, err := ExecVariables(doc, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("SERVICE_ACCOUNT_ID=\""+uuidA+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, over, err := ExecOverrides(doc, vars)
	if err != nil || len(over) != 1 {
		t.Fatal(over, err)
	}
	CheckExecPairs(context.Background(), nil, doc, path, over)
	w := over[0].Warning(path)
	if !strings.Contains(w, "differ on the Service Account client ID or secret") || !strings.Contains(w, "run `globus-setup verify`") || strings.Contains(w, "export --merge") {
		t.Errorf("warning %q", w)
	}
}
