package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// gatewayEnv is the gateway's env.example filled in as an operator would,
// with the world's IDs and secrets and the gateway's own settings.
func gatewayEnv(t *testing.T, w *opsWorld, policy, group string) string {
	t.Helper()
	data, err := os.ReadFile("../../steps/testdata/gateway-env.example")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range [][2]string{
		{`SECRET_KEY="<generate-a-strong-random-key>"`, `SECRET_KEY="django-key-stays-in-the-file"`},
		{`"<Your-Gateway-Service-API-Globus-App-Client-UUID>"`, `"` + w.apiID + `"`},
		{`"<Your-Gateway-Service-API-Globus-App-Client-Secret>"`, `"` + w.apiSecret + `"`},
		{`"<Your-Service-Account-Globus-App-Client-UUID>"`, `"` + w.acctID + `"`},
		{`"<Your-Service-Account-Globus-App-Client-Secret>"`, `"` + w.acctSecret + `"`},
		{`GLOBUS_POLICIES=""`, `GLOBUS_POLICIES="` + policy + `"`},
		{"#          \"\nGLOBUS_GROUPS=\"\"", "#          \"\nGLOBUS_GROUPS=\"\n" + group + "\n\""},
		{`AUTHORIZED_IDP_DOMAINS=""`, "AUTHORIZED_IDP_DOMAINS=\"\nexample.org\nexample.edu\n\""},
		{`AUTHORIZED_GROUPS_PER_IDP='{}'`, "AUTHORIZED_GROUPS_PER_IDP='\n{\n    \"example.edu\": \"" + group + "\"\n}\n'"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("the example lacks %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return s
}

// importWorld is a running gateway set up by hand: Globus holds the
// project, both apps with their secrets and the scope, the public client,
// the policy and a group; the operator is logged in to a vault holding
// nothing else, and the gateway's .env is on disk.
func importWorld(t *testing.T) (*opsWorld, string) {
	t.Helper()
	w := newOpsWorld(t)
	if code, _, errs := w.run("scope", "create"); code != 0 {
		t.Fatal(errs)
	}
	w.login()
	policy, _ := w.vault().Get("policy.id")
	group := w.srv.AddGroup("Gateway users", "operator@example.org")
	if err := w.vault().Update(func(d *vault.Doc) error {
		d.Values, d.Steps = map[string]string{}, map[string]vault.StepRecord{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "gateway", ".env")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(gatewayEnv(t, w, policy, group)), 0o640); err != nil {
		t.Fatal(err)
	}
	return w, path
}

func TestImportAdoptsARunningGateway(t *testing.T) {
	w, path := importWorld(t)
	before, _ := os.ReadFile(path)
	code, out, errs := w.run("import", path)
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	t.Logf("$ globus-setup import %s\n%s", path, out)
	for _, want := range []string{
		"Imported " + path + " (the file was not changed):",
		"service_api.client_id          " + w.apiID + "  [line 21]",
		"service_api.client_secret      (secret, not shown)  [line 22]",
		"project.id", "[the Service API app's record at Globus]",
		"service_api.scope_id", "[the Service API app's scopes at Globus]",
		"public_client.client_id        " + w.publicID + "  [the project's only thick client at Globus]",
		"policy.domains                 example.org example.edu  [line 47]",
		"groups.per_idp",
		"Left alone in the file, not stored: SECRET_KEY, DEBUG, ALLOWED_HOSTS,",
		"It is remembered as the gateway's .env",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("import said nothing of %q", want)
		}
	}
	noLeak(t, "import", out, errs)
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the import changed the file")
	}
	doc := w.vault().Doc()
	for k, v := range doc.Values {
		if strings.Contains(v, "django-key") || strings.Contains(v, "change-this-password") {
			t.Errorf("%s holds one of the file's other settings", k)
		}
	}
	if doc.Internal["env.target"] != path {
		t.Errorf("remembered %q", doc.Internal["env.target"])
	}
	code, out, errs = w.run("verify")
	t.Logf("$ globus-setup verify\n%s", out)
	if code != 0 || !strings.Contains(out, "The gateway would start") || strings.Contains(out, "not stored") {
		t.Errorf("verify after the import: exit %d\n%s%s", code, out, errs)
	}
	// The same again: nothing differs, nothing asked.
	if code, _, errs := w.run("import", path); code != 0 {
		t.Errorf("second import: %d %s", code, errs)
	}
}

func TestImportBadFileStoresNothing(t *testing.T) {
	w, path := importWorld(t)
	data, _ := os.ReadFile(path)
	policy, _, _ := strings.Cut(strings.SplitN(string(data), "\nGLOBUS_POLICIES=\"", 2)[1], `"`)
	bad := strings.Replace(string(data), `GLOBUS_POLICIES="`+policy+`"`, `GLOBUS_POLICIES="`+policy+`,`+w.apiID+`"`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o640); err != nil {
		t.Fatal(err)
	}
	before := w.vault().Doc()
	// Said before the passphrase is asked: there is none to read.
	w.env["GLOBUS_SETUP_PASSPHRASE_FILE"] = filepath.Join(t.TempDir(), "none")
	code, out, errs := w.run("import", path)
	if code != 1 || out != "" || !strings.Contains(errs, "cannot be imported, so nothing was stored") ||
		!strings.Contains(errs, "line 29: GLOBUS_POLICIES: the policies are joined by a comma") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if after := w.vault().Doc(); len(after.Values) != len(before.Values) || after.Internal["env.target"] != "" {
		t.Errorf("something was stored: %v", after.Values)
	}
	if code, _, errs := w.run("import", filepath.Join(t.TempDir(), "missing.env")); code != 1 || !strings.Contains(errs, "no such file") {
		t.Errorf("missing file: %d %s", code, errs)
	}
}

func TestImportOverDifferentValues(t *testing.T) {
	w, path := importWorld(t)
	other := "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
	if err := setRaw(w, map[string]string{"service_account.client_id": other, "service_api.client_secret": "b3RoZXItc2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcnM="}); err != nil {
		t.Fatal(err)
	}
	// Not at a terminal: nothing stored, what differs said, --replace named.
	code, out, errs := w.run("import", path)
	if code != 2 || !strings.Contains(errs, "service_account.client_id: "+other+" in the vault, "+w.acctID+" at line 23") ||
		!strings.Contains(errs, "service_api.client_secret: the vault's secret differs from the one at line 22 (neither is shown)") ||
		!strings.Contains(errs, "add --replace") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	noLeak(t, "import", out, errs)
	if v, _ := w.vault().Get("service_account.client_id"); v != other {
		t.Fatal("stored without asking")
	}
	// At a terminal: asked; no keeps the vault's.
	w.terminal = true
	w.pasted <- "n"
	if code, out, _ := w.run("import", path); code != 1 || !strings.Contains(out, "Cancelled: nothing was stored.") {
		t.Fatalf("answered no: %d %s", code, out)
	}
	if v, _ := w.vault().Get("service_account.client_id"); v != other {
		t.Fatal("stored after a no")
	}
	w.pasted <- "y"
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatalf("answered yes: %d %s", code, errs)
	}
	if v, _ := w.vault().Get("service_account.client_id"); v != w.acctID {
		t.Fatal("not stored after a yes")
	}
	w.terminal = false
	if err := setRaw(w, map[string]string{"service_account.client_id": other}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := w.run("import", "--replace", path); code != 0 {
		t.Fatalf("--replace: %d %s", code, errs)
	}
	if v, _ := w.vault().Get("service_account.client_id"); v != w.acctID {
		t.Fatal("not stored with --replace")
	}
}

// setRaw stores values as they are, past the validators and step states.
func setRaw(w *opsWorld, values map[string]string) error {
	return w.vault().SetMany(values)
}

// The whole way: import, take the secrets out of the .env, start the
// gateway under exec. exec warns while the file would beat what it passes;
// a stand-in for the gateway reading the .env with python-dotenv (when it
// is installed) sees the secrets from exec and the rest from the file.
func TestImportThenSecretFreeEnvThenExec(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	_, errs, st := w.runChild("exec", "--", "true")
	if st.ExitCode() != 0 || !strings.Contains(errs, "warning: "+path+" (line 22) holds GLOBUS_APPLICATION_SECRET in plaintext") ||
		!strings.Contains(errs, "(line 24) holds SERVICE_ACCOUNT_SECRET") || strings.Contains(errs, "GLOBUS_APPLICATION_ID") {
		t.Fatalf("exec with the secrets in the file: %d\n%s", st.ExitCode(), errs)
	}
	code, out, errs := w.run("export", "--merge", path, "--no-secrets")
	if code != 0 || !strings.Contains(errs, "without GLOBUS_APPLICATION_SECRET or SERVICE_ACCOUNT_SECRET") || !strings.Contains(errs, ".bak, the previous version, still holds them") {
		t.Fatalf("export --no-secrets: %d\n%s%s", code, out, errs)
	}
	data, _ := os.ReadFile(path)
	if strings.Contains(string(data), w.apiSecret) || strings.Contains(string(data), w.acctSecret) || !strings.Contains(string(data), "SECRET_KEY=\"django-key-stays-in-the-file\"") {
		t.Fatalf("the .env:\n%s", data)
	}
	// Rotation's merge (and any later one) keeps the file secret-free.
	if code, _, errs := w.run("export", "--merge", path); code != 0 || !strings.Contains(errs, "already holds these settings") {
		t.Errorf("a plain merge into the secret-free file: %d %s", code, errs)
	}
	out, errs, st = w.runChild("exec", "--", "env")
	if st.ExitCode() != 0 || strings.Contains(errs, "warning") || !strings.Contains(out, "GLOBUS_APPLICATION_SECRET="+w.apiSecret+"\n") {
		t.Fatalf("exec with a secret-free file: %d\n%s", st.ExitCode(), errs)
	}

	py, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(py, "-c", "import dotenv").Run()
	}
	if err != nil {
		t.Logf("python-dotenv is not installed here (%v): the gateway stand-in is not run", err)
		return
	}
	standin := filepath.Join(filepath.Dir(path), "inference_gateway", "standin.py")
	if err := os.MkdirAll(filepath.Dir(standin), 0o755); err != nil {
		t.Fatal(err)
	}
	// As inference_gateway/settings.py: load_dotenv(override=True), which
	// finds the .env above its own folder.
	script := `import os
from dotenv import dotenv_values, find_dotenv, load_dotenv
file = dotenv_values(find_dotenv())
env = dict(os.environ)
load_dotenv(override=True)
for k in ["GLOBUS_APPLICATION_ID", "GLOBUS_APPLICATION_SECRET", "SERVICE_ACCOUNT_SECRET", "GLOBUS_POLICIES", "SECRET_KEY"]:
    src = "file" if file.get(k) is not None else ("exec" if k in env else "unset")
    print(k, src, (os.environ.get(k) or "").split() == (env.get(k) or "").split())
`
	if err := os.WriteFile(standin, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errs, st = w.runChild("exec", "--", py, standin)
	want := "GLOBUS_APPLICATION_ID file True\nGLOBUS_APPLICATION_SECRET exec True\nSERVICE_ACCOUNT_SECRET exec True\nGLOBUS_POLICIES file True\nSECRET_KEY file False\n"
	if st.ExitCode() != 0 || out != want {
		t.Errorf("the stand-in saw:\n%s%s\nwant:\n%s", out, errs, want)
	}
}
