package steps

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// filledExample is the gateway's env.example filled in as an operator
// would: values in its own layout, lists one per line, the per-domain
// groups as multi-line JSON in single quotes.
func filledExample(t *testing.T, api, apiSecret, acct, acctSecret, policy, domains string) []byte {
	t.Helper()
	s := string(readFixture(t))
	for _, r := range [][2]string{
		{`SECRET_KEY="<generate-a-strong-random-key>"`, `SECRET_KEY="django-insecure-0123456789abcdef"`},
		{`"<Your-Gateway-Service-API-Globus-App-Client-UUID>"`, `"` + api + `"`},
		{`"<Your-Gateway-Service-API-Globus-App-Client-Secret>"`, `"` + apiSecret + `"`},
		{`"<Your-Service-Account-Globus-App-Client-UUID>"`, `"` + acct + `"`},
		{`"<Your-Service-Account-Globus-App-Client-Secret>"`, `"` + acctSecret + `"`},
		{`GLOBUS_POLICIES=""`, `GLOBUS_POLICIES="` + policy + `"`},
		{"#          \"\nGLOBUS_GROUPS=\"\"", "#          \"\nGLOBUS_GROUPS=\"\n" + importGroup + "\n" + importGroup2 + "\n\""},
		{`AUTHORIZED_IDP_DOMAINS=""`, "AUTHORIZED_IDP_DOMAINS=\"\n" + strings.ReplaceAll(domains, " ", "\n") + "\n\""},
		{`AUTHORIZED_GROUPS_PER_IDP='{}'`, "AUTHORIZED_GROUPS_PER_IDP='\n{\n    \"uchicago.edu\": \"" + importGroup2 + "\"\n}\n'"},
		{`POSTGRES_PASSWORD="change-this-password"`, `POSTGRES_PASSWORD="pg-pass-never-stored"`},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("the example lacks %q", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	return []byte(s)
}

func writeEnvFile(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(path, data, 0o640); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestImportFilledExample(t *testing.T) {
	data := filledExample(t, uuidB, secretLike, uuidC, "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==", uuidA, "ANL.gov uchicago.edu")
	path := writeEnvFile(t, data)
	before, _ := os.Stat(path)
	imp, err := ReadEnvImport(path)
	if err != nil {
		t.Fatal(err)
	}
	v := newVault(t)
	imp.Resolve(v.Doc())
	want := map[string]string{
		"service_api.client_id":         uuidB,
		"service_api.client_secret":     secretLike,
		"service_account.client_id":     uuidC,
		"service_account.client_secret": "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==",
		"policy.id":                     uuidA,
		"policy.domains":                "ANL.gov uchicago.edu", // exactly as written
		"groups.users.id":               importGroup,
		"groups.users-2.id":             importGroup2,
		"groups.per_idp":                `{"uchicago.edu":"` + importGroup2 + `"}`,
	}
	for k, val := range want {
		if imp.Values[k] != val {
			t.Errorf("%s = %q, want %q", k, imp.Values[k], val)
		}
	}
	if len(imp.Values) != len(want) {
		t.Errorf("values %v", imp.Values)
	}
	if imp.Source["service_api.client_id"] != "line 21" || imp.Source["groups.per_idp"] != "line 60" {
		t.Errorf("sources %v", imp.Source)
	}
	for _, other := range []string{"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "POSTGRES_PASSWORD", "REDIS_URL", "INTERNAL_STREAMING_SECRET"} {
		if !slices.Contains(imp.Others, other) {
			t.Errorf("%s is not listed as left alone: %v", other, imp.Others)
		}
	}
	if err := imp.Store(v); err != nil {
		t.Fatal(err)
	}
	doc := v.Doc()
	for k, val := range want {
		if doc.Values[k] != val {
			t.Errorf("stored %s = %q", k, doc.Values[k])
		}
	}
	for k, val := range doc.Values {
		if _, ok := want[k]; !ok {
			t.Errorf("stored %s = %q, which is not a Globus value of the file", k, val)
		}
		if strings.Contains(val, "pg-pass") || strings.Contains(val, "django-insecure") {
			t.Errorf("%s holds another setting of the file", k)
		}
	}
	if doc.Internal[EnvTargetKey] != path || doc.Internal[EnvSecretFreeKey] != "" {
		t.Errorf("remembered %q (secret-free %q)", doc.Internal[EnvTargetKey], doc.Internal[EnvSecretFreeKey])
	}
	after, _ := os.Stat(path)
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) || after.Mode() != before.Mode() || !after.ModTime().Equal(before.ModTime()) {
		t.Error("the import changed the file")
	}
	// What was stored exports to the same settings the gateway read.
	out, err := Export(doc, FormatEnv)
	if err != nil {
		t.Fatal(err)
	}
	got, orig := readEnv(t, out), readEnv(t, data)
	for _, name := range GatewayVariables() {
		g, _ := gatewayVarNamed(name)
		a, b := got[name], orig[name]
		if g.list {
			a, b = strings.Join(strings.Fields(a), " "), strings.Join(strings.Fields(b), " ")
		}
		if name == groupsPerIdP {
			b, _ = NormalizeGroupsPerIdP(b)
		}
		if a != b {
			t.Errorf("%s exports as %q, the file had %q", name, a, b)
		}
	}
	// Importing the same again changes nothing and asks nothing.
	again, _ := ReadEnvImport(path)
	again.Resolve(v.Doc())
	if d := again.Differences(v.Doc()); len(d) != 0 {
		t.Errorf("differences on a second import: %v", d)
	}
}

func TestImportRefusesWhatTheGatewayWouldMisread(t *testing.T) {
	base := string(filledExample(t, uuidB, secretLike, uuidC, "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==", uuidA, "anl.gov"))
	swap := func(old, new string) string {
		if !strings.Contains(base, old) {
			t.Fatalf("%q not in the example", old)
		}
		return strings.Replace(base, old, new, 1)
	}
	for _, c := range []struct{ name, data, want string }{
		{"comma-joined policies", swap(`GLOBUS_POLICIES="`+uuidA+`"`, `GLOBUS_POLICIES="`+uuidA+`,`+uuidC+`"`), "line 29: GLOBUS_POLICIES: the policies are joined by a comma, but the gateway splits this list on blanks and ';' only (textfield_to_strlist in inference_gateway/utils.py), so it would read them as ONE policy ID and refuse to start; keep only the high-assurance policy's ID. The gateway's own env.example is wrong about this: its comment says \"comma-separated list of policy IDs\""},
		{"a trailing comma", swap(`GLOBUS_POLICIES="`+uuidA+`"`, `GLOBUS_POLICIES="`+uuidA+`,"`), "line 29: GLOBUS_POLICIES: the ID ends in a trailing comma, which the gateway keeps as part of it"},
		{"one secret for both apps", swap(`SERVICE_ACCOUNT_SECRET="Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA=="`, `SERVICE_ACCOUNT_SECRET="`+secretLike+`"`), "line 24: SERVICE_ACCOUNT_SECRET holds the same secret as GLOBUS_APPLICATION_SECRET (line 22): the two apps' secrets are never one"},
		{"a client secret as SECRET_KEY", swap(`SECRET_KEY="django-insecure-0123456789abcdef"`, `SECRET_KEY="`+secretLike+`"`), "GLOBUS_APPLICATION_SECRET holds the same secret as SECRET_KEY (line "},
		{"two policies", swap(`GLOBUS_POLICIES="`+uuidA+`"`, "GLOBUS_POLICIES=\"\n"+uuidA+"\n"+uuidC+"\n\""), "line 29: GLOBUS_POLICIES: 2 policies: the gateway refuses to start with more than one"},
		{"no policy", swap(`GLOBUS_POLICIES="`+uuidA+`"`, `GLOBUS_POLICIES=""`), "GLOBUS_POLICIES is not in the file (or is empty): no policy"},
		{"no domains", swap("AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\n\"", `AUTHORIZED_IDP_DOMAINS=""`), "AUTHORIZED_IDP_DOMAINS is not in the file (or is empty): no domains"},
		{"comma-joined domains", swap("AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\n\"", `AUTHORIZED_IDP_DOMAINS="anl.gov,uchicago.edu"`), `AUTHORIZED_IDP_DOMAINS: "anl.gov,uchicago.edu" is joined by a comma`},
		{"a domain twice", swap("AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\n\"", `AUTHORIZED_IDP_DOMAINS="anl.gov ANL.gov"`), `"anl.gov" and "ANL.gov" are one domain listed twice`},
		{"a trailing dot", swap("AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\n\"", `AUTHORIZED_IDP_DOMAINS="anl.gov."`), `"anl.gov." ends in '.'`},
		{"a malformed ID", swap(`SERVICE_ACCOUNT_ID="`+uuidC+`"`, `SERVICE_ACCOUNT_ID="`+uuidC[:35]+`"`), "line 23: SERVICE_ACCOUNT_ID: "},
		{"a secret in an ID", swap(`SERVICE_ACCOUNT_ID="`+uuidC+`"`, `SERVICE_ACCOUNT_ID="`+secretLike+`"`), "line 23: SERVICE_ACCOUNT_ID: this looks like a client secret"},
		{"a placeholder", swap(`GLOBUS_APPLICATION_SECRET="`+secretLike+`"`, `GLOBUS_APPLICATION_SECRET="<Your-Gateway-Service-API-Globus-App-Client-Secret>"`), "line 22: GLOBUS_APPLICATION_SECRET is still the example's placeholder <Your-Gateway-Service-API-Globus-App-Client-Secret>"},
		{"blanks inside the quotes", swap(`GLOBUS_APPLICATION_ID="`+uuidB+`"`, `GLOBUS_APPLICATION_ID=" `+uuidB+`"`), "line 21: GLOBUS_APPLICATION_ID: the value has blanks"},
		{"an upper-case group", swap(importGroup+"\n", strings.ToUpper(importGroup)+"\n"), "line 37: GLOBUS_GROUPS: " + strings.ToUpper(importGroup) + " is in upper case"},
		{"comma-joined groups", swap(importGroup+"\n"+importGroup2, importGroup+","+importGroup2), "GLOBUS_GROUPS: the group IDs are joined by a comma"},
		{"per-domain groups not a string", swap(`"uchicago.edu": "`+importGroup2+`"`, `"uchicago.edu": ["`+importGroup2+`"]`), `line 59: AUTHORIZED_GROUPS_PER_IDP: "uchicago.edu": the groups must be one string`},
		{"per-domain groups not JSON", swap(`"uchicago.edu": "`+importGroup2+`"`, `uchicago.edu: x`), "line 59: AUTHORIZED_GROUPS_PER_IDP: not valid JSON"},
		{"per-domain groups empty", swap("AUTHORIZED_GROUPS_PER_IDP='\n{\n    \"uchicago.edu\": \""+importGroup2+"\"\n}\n'", "AUTHORIZED_GROUPS_PER_IDP="), "line 59: AUTHORIZED_GROUPS_PER_IDP is empty, which the gateway cannot read as JSON"},
		{"a value from the environment", swap(`GLOBUS_APPLICATION_SECRET="`+secretLike+`"`, `GLOBUS_APPLICATION_SECRET="${GW_SECRET}"`), "line 22: GLOBUS_APPLICATION_SECRET takes ${GW_SECRET} from the gateway's environment"},
		{"an unclosed quote", swap(`GLOBUS_APPLICATION_SECRET="`+secretLike+`"`, `GLOBUS_APPLICATION_SECRET="`+secretLike), "line 22: python-dotenv cannot read this statement, so the gateway skips it: a quote in it is not closed"},
		{"a quote left open", swap(`GLOBUS_POLICIES="`+uuidA+`"`, `GLOBUS_POLICIES="`+uuidA), "line 29: GLOBUS_POLICIES: the quote opened at line 29 closes only at line 33, taking in 3 comment line(s); python-dotenv does read it so, and the gateway would get all of it as one multi-line value"},
		{"a byte-order mark", "\ufeffGLOBUS_APPLICATION_ID=" + uuidB + "\n" + base, "line 1: the file starts with a byte-order mark"},
		{"no gateway variable", "{\"vault\":true}\n", "this holds none of the gateway's variables"},
		{"not NAME=value", "{\"vault\": true}\n", "line 1: python-dotenv cannot read this statement, so the gateway skips it: it is not NAME=value"},
		{"not text", "age-encryption.org/v1\n\x00\x01\xff", "this is not a .env: line 2: "},
		{"missing ID", swap(`SERVICE_ACCOUNT_ID="`+uuidC+`"`, `# no service account`), "SERVICE_ACCOUNT_ID is not in the file (or is empty)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadEnvImport(writeEnvFile(t, []byte(c.data)))
			var ie *ImportError
			if !asImportError(err, &ie) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "nothing was stored") {
				t.Fatalf("err = %v\nwant %q", err, c.want)
			}
			if strings.Contains(err.Error(), "policies: the gateway refuses") && !strings.Contains(c.want, "policies: the gateway refuses") {
				t.Errorf("a problem that is not the file's: %v", err)
			}
			for _, secret := range []string{secretLike, "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==", "pg-pass"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
		})
	}
}

func asImportError(err error, target **ImportError) bool {
	ie, ok := err.(*ImportError)
	*target = ie
	return ok
}

// A vault holding other values: each is named (secrets masked), groups the
// file does not list are to be dropped, and names are kept for known IDs.
func TestImportDifferencesAndGroupNames(t *testing.T) {
	v := newVault(t)
	if err := SetValues(v, map[string]string{
		"service_api.client_id":     uuidC,
		"service_api.client_secret": "b3RoZXItc2VjcmV0LW9mLWZvcnR5LWZvdXItY2hhcnM=",
		"policy.domains":            "anl.gov",
		"groups.admins.id":          importGroup2, // the file's second group: its name is kept
		"groups.old.id":             uuidA,        // not in the file
		"groups.pending.members":    "alice@anl.gov",
		"groups.per_idp":            `{"anl.gov":"` + importGroup + `"}`,
	}); err != nil {
		t.Fatal(err)
	}
	data := "GLOBUS_APPLICATION_ID=" + uuidB + "\nGLOBUS_APPLICATION_SECRET=" + secretLike + "\nSERVICE_ACCOUNT_ID=" + uuidC +
		"\nGLOBUS_POLICIES=" + uuidA + "\nAUTHORIZED_IDP_DOMAINS='anl.gov uchicago.edu'\nGLOBUS_GROUPS='" + importGroup + " " + importGroup2 + "'\n"
	imp, err := ReadEnvImport(writeEnvFile(t, []byte(data)))
	if err != nil {
		t.Fatal(err)
	}
	imp.Resolve(v.Doc())
	if imp.Values["groups.users.id"] != importGroup || imp.Values["groups.admins.id"] != importGroup2 {
		t.Errorf("group names: %v", imp.Values)
	}
	var lines []string
	for _, d := range imp.Differences(v.Doc()) {
		lines = append(lines, d.Line())
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{
		"service_api.client_id: " + uuidC + " in the vault, " + uuidB + " at line 1",
		"service_api.client_secret: the vault's secret differs from the one at line 2 (neither is shown)",
		"policy.domains: anl.gov in the vault, anl.gov uchicago.edu at line 5",
		"groups.old.id: " + uuidA + " in the vault, not in the file (it would be removed)",
		"groups.pending.members: alice@anl.gov in the vault, not in the file",
		"groups.per_idp: {",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("differences lack %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, secretLike) || strings.Contains(text, "b3RoZXI") {
		t.Errorf("a secret is shown:\n%s", text)
	}
	// The file has no Service Account secret: the vault has none either.
	if len(imp.Notes) != 1 || !strings.Contains(imp.Notes[0].String(), "SERVICE_ACCOUNT_SECRET is not in the file, nor in the vault: store it with `globus-setup set service_account.client_secret`") {
		t.Errorf("notes %v", imp.Notes)
	}
	if err := imp.Store(v); err != nil {
		t.Fatal(err)
	}
	doc := v.Doc()
	for _, gone := range []string{"groups.old.id", "groups.pending.members", "groups.per_idp"} {
		if _, ok := doc.Values[gone]; ok {
			t.Errorf("%s was kept", gone)
		}
	}
	if doc.Values["service_api.client_id"] != uuidB || GroupNames(doc.Values)[0] != "admins" {
		t.Errorf("stored %v", doc.Values)
	}
}

// A file without secrets (written by export --no-secrets) keeps the
// vault's, and is remembered as secret-free, so later merges keep it so.
func TestImportSecretFreeFile(t *testing.T) {
	v := newVault(t)
	if err := SetValues(v, map[string]string{"service_api.client_secret": secretLike, "service_account.client_secret": "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA=="}); err != nil {
		t.Fatal(err)
	}
	out, err := ExportWith(fullDoc(), FormatEnv, EnvOptions{NoSecrets: true})
	if err != nil {
		t.Fatal(err)
	}
	path := writeEnvFile(t, out)
	imp, err := ReadEnvImport(path)
	if err != nil {
		t.Fatal(err)
	}
	imp.Resolve(v.Doc())
	if !imp.SecretFree || len(imp.Notes) != 2 || !strings.Contains(imp.Notes[0].String(), "GLOBUS_APPLICATION_SECRET is not in the file: the vault's service_api.client_secret is kept") {
		t.Fatalf("secret-free %v, notes %v", imp.SecretFree, imp.Notes)
	}
	if d := imp.Differences(v.Doc()); len(d) != 0 {
		t.Errorf("differences %v", d)
	}
	if err := imp.Store(v); err != nil {
		t.Fatal(err)
	}
	if got := v.Doc(); got.Values["service_api.client_secret"] != secretLike || got.Internal[EnvSecretFreeKey] != path {
		t.Errorf("secret %v, secret-free %q", got.Values["service_api.client_secret"] == secretLike, got.Internal[EnvSecretFreeKey])
	}
	w, err := MergeEnvFile(path, v.Doc()) // as rotate merges
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); strings.Contains(string(data), secretLike) || len(w.SecretsLeftOut) != 2 {
		t.Errorf("a merge into the secret-free file wrote a secret (%+v)", w)
	}
}

// Logged in, what the .env does not hold is read from Globus: the project
// (from the Service API app's record) and its name, the action_all scope,
// the project's only thick client, the policy's timeout; verify then
// checks every step.
func TestImportFillsFromGlobus(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	if _, err := EnsureScope(ctx, w.e); err != nil { // made on the console, say
		t.Fatal(err)
	}
	scopeID := w.get("service_api.scope_id")
	w.login()
	// A fresh vault but for the login.
	if err := w.e.Vault.Update(func(d *vault.Doc) error {
		d.Values, d.Steps = map[string]string{}, map[string]vault.StepRecord{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	data := filledExample(t, w.apiID, w.apiSecret, w.acctID, w.acctSecret, w.policyID, "example.org example.edu")
	data = bytes.Replace(data, []byte("GLOBUS_GROUPS=\"\n"+importGroup+"\n"+importGroup2+"\n\""), []byte(`GLOBUS_GROUPS=""`), 1)
	data = bytes.Replace(data, []byte("\"uchicago.edu\": \""+importGroup2+"\""), []byte(`"example.edu": "`+importGroup2+`"`), 1)
	imp, err := ReadEnvImport(writeEnvFile(t, data))
	if err != nil {
		t.Fatal(err)
	}
	doc := w.e.Vault.Doc()
	imp.Resolve(doc)
	imp.FillFromGlobus(ctx, w.e, doc)
	for k, want := range map[string]string{
		"project.id":               w.projectID,
		"project.name":             "Demo Inference Gateway",
		"service_api.scope_id":     scopeID,
		"service_api.scope_string": "https://auth.globus.org/scopes/" + w.apiID + "/action_all",
		"public_client.client_id":  w.publicID,
		"policy.assurance_timeout": "28800",
	} {
		if imp.Values[k] != want || !strings.Contains(imp.Source[k], "Globus") {
			t.Errorf("%s = %q from %q, want %q", k, imp.Values[k], imp.Source[k], want)
		}
	}
	if len(imp.Notes) != 0 {
		t.Errorf("notes %v", imp.Notes)
	}
	if err := imp.Store(w.e.Vault); err != nil {
		t.Fatal(err)
	}
	checks := VerifyAll(ctx, w.e)
	for _, c := range checks {
		if c.Status != CheckPass && c.Step != groupsID {
			t.Errorf("verify: %s", c.Line())
		}
	}
	for _, st := range Status(w.e.Vault.Doc()) {
		if st.Step.ID != groupsID && st.State != StateDone && st.State != StateVerified {
			t.Errorf("step %s is %s after the import", st.Step.ID, st.State)
		}
	}

	// A second thick client in the project: which one cannot be told.
	w.srv.RegisterClient(w.projectID, "Another CLI", "public_installed_client")
	imp2, _ := ReadEnvImport(writeEnvFile(t, data))
	fresh := docWith(map[string]string{})
	imp2.Resolve(fresh)
	imp2.FillFromGlobus(ctx, w.e, fresh)
	if _, ok := imp2.Values["public_client.client_id"]; ok || !slices.ContainsFunc(imp2.Notes, func(a Advice) bool {
		return strings.Contains(a.String(), "the project has 2 thick clients") && strings.Contains(a.String(), "set public_client.client_id ID")
	}) {
		t.Errorf("two thick clients: %v %v", imp2.Values["public_client.client_id"], imp2.Notes)
	}

	// Not logged in: the Service API app reads its own record and scope
	// (two requests), as `scope create` does; the note says what was not.
	if _, err := Logout(w.e.Vault); err != nil {
		t.Fatal(err)
	}
	n := len(w.srv.Requests())
	imp3, _ := ReadEnvImport(writeEnvFile(t, data))
	imp3.Resolve(fresh)
	imp3.FillFromGlobus(ctx, w.e, fresh)
	if len(w.srv.Requests()) != n+2 || len(imp3.Notes) != 1 || !strings.Contains(imp3.Notes[0].String(), "not logged in, so the project's name, the public client and the policy's timeout were not read") ||
		imp3.Values["service_api.scope_id"] == "" || imp3.Values["project.id"] == "" {
		t.Errorf("not logged in: %d requests, notes %v", len(w.srv.Requests())-n, imp3.Notes)
	}
	// Without a client as well: nothing is read, and the note says how.
	imp4, _ := ReadEnvImport(writeEnvFile(t, data))
	imp4.Resolve(fresh)
	imp4.FillFromGlobus(ctx, &Env{Vault: w.e.Vault}, fresh)
	if len(imp4.Notes) != 1 || !strings.Contains(imp4.Notes[0].String(), "not logged in, so the project, the action_all scope") {
		t.Errorf("not logged in, no client: notes %v", imp4.Notes)
	}
}
