package steps

import (
	"bytes"
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/globus-setup/globus-setup/dotenv"
	"github.com/globus-setup/globus-setup/vault"
)

func fullDoc() vault.Doc {
	return docWith(map[string]string{
		"project.id":                    uuidA,
		"service_api.client_id":         uuidB,
		"service_api.client_secret":     secretLike,
		"service_api.scope_string":      "https://auth.globus.org/scopes/" + uuidB + "/action_all",
		"service_account.client_id":     uuidC,
		"service_account.client_secret": "Zm9vYmFyYmF6cXV4cXV1eHF1dXhxdXV4cXV1eA==",
		"public_client.client_id":       "3e7a8d4b-5c8f-4f4d-8d8a-4a5b6c7d8e9f",
		"policy.id":                     "4f8b9e5c-6d9a-4a5e-9e9b-5b6c7d8e9fa0",
		"policy.domains":                "anl.gov uchicago.edu",
		"groups.users.id":               "5a9caf6d-7eab-4b6f-8fac-6c7d8e9fa0b1",
		"groups.admins.id":              "6badb07e-8fbc-4c70-9abd-7d8e9fa0b1c2",
		"groups.pending.members":        "alice@anl.gov",
	})
}

// readEnv is what the gateway's load_dotenv(override=True) sets from data
// (package dotenv, checked against python-dotenv itself).
func readEnv(t *testing.T, data []byte) map[string]string {
	t.Helper()
	f, err := dotenv.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, b := range f.Bindings() {
		if b.Set {
			out[b.Key] = b.Value
		}
	}
	return out
}

// gatewayList splits a list variable as the gateway does: on blanks and ';'.
func gatewayList(s string) []string {
	return regexp.MustCompile(`[\s;]+`).Split(strings.TrimSpace(s), -1)
}

func TestExportEnv(t *testing.T) {
	out, err := Export(fullDoc(), FormatEnv)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"GLOBUS_APPLICATION_ID=\"" + uuidB + "\"\n",
		"GLOBUS_APPLICATION_SECRET=\"" + secretLike + "\"\n",
		"SERVICE_ACCOUNT_ID=\"" + uuidC + "\"\n",
		"GLOBUS_POLICIES=\"\n4f8b9e5c-6d9a-4a5e-9e9b-5b6c7d8e9fa0\n\"\n",
		"AUTHORIZED_IDP_DOMAINS=\"\nanl.gov\nuchicago.edu\n\"\n",
		// groups in name order; a group without an ID is not exported
		"GLOBUS_GROUPS=\"\n6badb07e-8fbc-4c70-9abd-7d8e9fa0b1c2\n5a9caf6d-7eab-4b6f-8fac-6c7d8e9fa0b1\n\"\n",
		"AUTHORIZED_GROUPS_PER_IDP='{}'\n",
		"# globus-setup: public client ID for users' token helpers: 3e7a8d4b-5c8f-4f4d-8d8a-4a5b6c7d8e9f\n",
		"# globus-setup: scope users' tokens must request: https://auth.globus.org/scopes/" + uuidB + "/action_all\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("env export lacks %q:\n%s", want, text)
		}
	}
	assertNoCommaLists(t, out)
	env := readEnv(t, out)
	if got := gatewayList(env["AUTHORIZED_IDP_DOMAINS"]); strings.Join(got, " ") != "anl.gov uchicago.edu" {
		t.Errorf("the gateway would read domains %q", got)
	}
	if env["GLOBUS_APPLICATION_SECRET"] != secretLike {
		t.Error("secret does not round-trip")
	}

	// Nothing stored: comments say what is missing, nothing is blanked.
	out, _ = Export(docWith(nil), FormatEnv)
	if !strings.Contains(string(out), "# GLOBUS_POLICIES: not set yet (step 5, Create the high-assurance policy)") {
		t.Errorf("empty export:\n%s", out)
	}
	if env := readEnv(t, out); len(env) != 1 || env["AUTHORIZED_GROUPS_PER_IDP"] != "{}" {
		t.Errorf("empty export assigns %v", env)
	}
}

func assertNoCommaLists(t *testing.T, data []byte) {
	t.Helper()
	env := readEnv(t, data)
	for _, name := range []string{"GLOBUS_POLICIES", "GLOBUS_GROUPS", "AUTHORIZED_IDP_DOMAINS"} {
		if strings.Contains(env[name], ",") {
			t.Errorf("%s is comma-separated: %q", name, env[name])
		}
	}
}

func TestEnvQuoting(t *testing.T) {
	g := gatewayVar{name: "X"}
	for _, v := range []string{`a"b`, `a\b`, `a$b`, `it's`, `\'x`, `"'$\`[:4] + "z"} {
		tok, err := envValue(g, []string{v}, "\n")
		if err != nil {
			t.Fatalf("%q: %v", v, err)
		}
		line := "X=" + tok + "\nY=\"after\"\n"
		env := readEnv(t, []byte(line))
		if env["X"] != v || env["Y"] != "after" {
			t.Errorf("%q written as %s reads back as %q (Y=%q)", v, tok, env["X"], env["Y"])
		}
		if strings.ContainsAny(v, `"$\`) && !strings.HasPrefix(tok, "'") {
			t.Errorf("%q should be single-quoted, got %s", v, tok)
		}
	}
	for _, v := range []string{"a${HOME}", `ends\`, "two\nlines"} {
		if _, err := envValue(g, []string{v}, "\n"); err == nil {
			t.Errorf("%q accepted", v)
		} else if strings.Contains(err.Error(), v) {
			t.Errorf("error repeats the value: %v", err)
		}
	}
	if _, err := envValue(gatewayVar{name: "L", list: true}, []string{"a b"}, "\n"); err == nil {
		t.Error("a list item with a blank was accepted")
	}
}

func TestExportJSON(t *testing.T) {
	out, err := Export(fullDoc(), FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if m["GLOBUS_APPLICATION_ID"] != uuidB || m["GLOBUS_APPLICATION_SECRET"] != secretLike {
		t.Errorf("scalars: %v", m)
	}
	if d, ok := m["AUTHORIZED_IDP_DOMAINS"].([]any); !ok || len(d) != 2 || d[0] != "anl.gov" {
		t.Errorf("domains: %#v", m["AUTHORIZED_IDP_DOMAINS"])
	}
	if p, ok := m["AUTHORIZED_GROUPS_PER_IDP"].(map[string]any); !ok || len(p) != 0 {
		t.Errorf("groups per IdP: %#v", m["AUTHORIZED_GROUPS_PER_IDP"])
	}
	// Variable order follows the gateway's file.
	if bytes.Index(out, []byte("GLOBUS_APPLICATION_ID")) > bytes.Index(out, []byte("GLOBUS_POLICIES")) {
		t.Error("keys out of order")
	}
	out, _ = Export(docWith(nil), FormatJSON)
	m = nil
	if err := json.Unmarshal(out, &m); err != nil || len(m) != 1 {
		t.Errorf("empty json export: %s", out)
	}
}

func TestExportShell(t *testing.T) {
	doc := fullDoc()
	doc.Values["service_account.client_secret"] = "it's-a-secret-with-quote0123456"
	out, err := Export(doc, FormatShell)
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, want := range []string{
		"export GLOBUS_APPLICATION_ID='" + uuidB + "'\n",
		"export SERVICE_ACCOUNT_SECRET='it'\\''s-a-secret-with-quote0123456'\n",
		"export AUTHORIZED_IDP_DOMAINS='anl.gov uchicago.edu'\n",
		"export AUTHORIZED_GROUPS_PER_IDP='{}'\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("shell export lacks %q:\n%s", want, text)
		}
	}
	if _, err := Export(doc, "yaml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func readFixture(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/gateway-env.example")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestMergeEnvIntoExample(t *testing.T) {
	orig := readFixture(t)
	merged, err := MergeEnv(orig, fullDoc())
	if err != nil {
		t.Fatal(err)
	}
	text := string(merged)
	for _, want := range []string{
		"GLOBUS_APPLICATION_ID=\"" + uuidB + "\"\nGLOBUS_APPLICATION_SECRET=\"" + secretLike + "\"\n",
		"# Example: GLOBUS_POLICIES=\"policy-id-1,policy-id-2\"\nGLOBUS_POLICIES=\"\n4f8b9e5c-6d9a-4a5e-9e9b-5b6c7d8e9fa0\n\"\n",
		"#          \"\nAUTHORIZED_IDP_DOMAINS=\"\nanl.gov\nuchicago.edu\n\"\n\n# --- Authorized Groups Per IDP ---",
		"AUTHORIZED_GROUPS_PER_IDP='{}'\n", // left alone
		"\n# --- Globus settings added by globus-setup ---\n# globus-setup: public client ID for users' token helpers: 3e7a8d4b",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("merged file lacks %q", want)
		}
	}
	assertNoCommaLists(t, merged)

	// Every line that is not a Globus variable is kept byte for byte.
	keep := func(b []byte) []string {
		var lines []string
		f, _ := dotenv.Parse(b)
		for _, st := range f.Statements {
			if st.Key == "" && strings.HasPrefix(string(st.Text(b)), "# globus-setup:") {
				lines = append(lines, string(b[st.Start:st.LineStart]))
				continue
			}
			if st.Key == "" || !contains(GatewayVariables(), st.Key) {
				lines = append(lines, string(b[st.Start:st.End]))
			} else {
				lines = append(lines, string(b[st.Start:st.LineStart]))
			}
		}
		return lines
	}
	// (The fixture's last line gains the line break it lacked, so lines can follow.)
	a, b := keep(orig), keep(merged)
	if !strings.HasPrefix(strings.Join(b, ""), strings.Join(a, "")) {
		t.Errorf("other lines changed:\n%q\n%q", a, b)
	}

	// Idempotent: merging again gives the same bytes.
	again, err := MergeEnv(merged, fullDoc())
	if err != nil || !bytes.Equal(again, merged) {
		t.Fatalf("second merge differs (err %v):\n%s", err, again)
	}
	// The gateway reads back exactly our values; other variables are intact.
	env, origEnv := readEnv(t, merged), readEnv(t, orig)
	if env["POSTGRES_DB"] != "inferencegateway" || env["ALLOWED_HOSTS"] != origEnv["ALLOWED_HOSTS"] || env["SERVICE_ACCOUNT_ID"] != uuidC {
		t.Errorf("read back: %v", env)
	}
	if got := gatewayList(env["GLOBUS_GROUPS"]); len(got) != 2 {
		t.Errorf("groups read back as %q", got)
	}
}

func contains(list []string, s string) bool { return containsString(list, s) }

func TestMergeEnvSkipsUnsetAndAppendsMissing(t *testing.T) {
	orig := []byte("SECRET_KEY=\"x\"\nexport GLOBUS_APPLICATION_ID=old # keep this comment\nGLOBUS_GROUPS=\"\ng1\ng2\n\"\nAUTHORIZED_GROUPS_PER_IDP='\n{\n  \"anl.gov\": \"g1\"\n}\n'\nGLOBUS_APPLICATION_ID=\"older\"\nTAIL=1")
	doc := docWith(map[string]string{"service_api.client_id": uuidB, "policy.id": uuidC})
	merged, err := MergeEnv(orig, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "SECRET_KEY=\"x\"\n" +
		"export GLOBUS_APPLICATION_ID=\"" + uuidB + "\" # keep this comment\n" +
		"GLOBUS_GROUPS=\"\ng1\ng2\n\"\n" + // no groups stored: left alone
		"AUTHORIZED_GROUPS_PER_IDP='\n{\n  \"anl.gov\": \"g1\"\n}\n'\n" +
		"GLOBUS_APPLICATION_ID=\"" + uuidB + "\"\n" + // every assignment, as the last one wins
		"TAIL=1\n" +
		"\n# --- Globus settings added by globus-setup ---\n" +
		"GLOBUS_POLICIES=\"\n" + uuidC + "\n\"\n"
	if string(merged) != want {
		t.Fatalf("merged:\n%s\nwant:\n%s", merged, want)
	}
	again, _ := MergeEnv(merged, doc)
	if !bytes.Equal(again, merged) {
		t.Fatalf("not idempotent:\n%s", again)
	}
	// The multi-line single-quoted JSON is replaced whole when it is ours to write.
	g := gatewayVar{name: "AUTHORIZED_GROUPS_PER_IDP"}
	tok, _ := envValue(g, []string{`{"anl.gov": "g3"}`}, "\n")
	f, _ := dotenv.Parse(merged)
	for _, st := range f.Statements {
		if st.Key == "AUTHORIZED_GROUPS_PER_IDP" {
			if got := string(merged[st.ValStart:st.ValEnd]); got != "'\n{\n  \"anl.gov\": \"g1\"\n}\n'" {
				t.Fatalf("value span %q", got)
			}
			repl := string(merged[:st.ValStart]) + tok + string(merged[st.ValEnd:])
			if readEnv(t, []byte(repl))["AUTHORIZED_GROUPS_PER_IDP"] != `{"anl.gov": "g3"}` {
				t.Fatal("replacement does not read back")
			}
		}
	}
}

func TestMergeEnvEdgeCases(t *testing.T) {
	doc := docWith(map[string]string{"service_api.client_id": uuidB})
	// Empty file: only the appended block.
	out, err := MergeEnv(nil, doc)
	if err != nil || string(out) != "# --- Globus settings added by globus-setup ---\nGLOBUS_APPLICATION_ID=\""+uuidB+"\"\n" {
		t.Fatalf("%q %v", out, err)
	}
	// CRLF files stay CRLF.
	out, err = MergeEnv([]byte("A=1\r\nGLOBUS_APPLICATION_ID=\r\n"), doc)
	if err != nil || string(out) != "A=1\r\nGLOBUS_APPLICATION_ID=\""+uuidB+"\"\r\n" {
		t.Fatalf("%q %v", out, err)
	}
	// An unterminated quote is an error naming the line, not a guess.
	_, err = MergeEnv([]byte("A=1\nB=\"open\nC=2\n"), doc)
	if err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("unterminated quote: %v", err)
	}
	// A lookalike inside another variable's multi-line value is not touched.
	in := []byte("NOTE=\"\nGLOBUS_APPLICATION_ID=inside\n\"\n")
	out, _ = MergeEnv(in, doc)
	if !bytes.HasPrefix(out, in) || !strings.Contains(string(out), "added by globus-setup") {
		t.Fatalf("lookalike: %q", out)
	}
	// Nothing to write: the file is returned unchanged.
	orig := readFixture(t)
	out, _ = MergeEnv(orig, docWith(nil))
	if !bytes.Equal(out, orig) {
		t.Fatal("an empty vault changed the file")
	}
}

func FuzzMergeEnv(f *testing.F) {
	if b, err := os.ReadFile("testdata/gateway-env.example"); err == nil {
		f.Add(b, uuidB)
	}
	f.Add([]byte("A='x\\'\nGLOBUS_POLICIES=\"a,b\" # c\n"), uuidC)
	f.Add([]byte("export GLOBUS_GROUPS=\"\r\nx\r\n\""), "a$b")
	f.Fuzz(func(t *testing.T, data []byte, secret string) {
		doc := fullDoc()
		doc.Values["service_api.client_secret"] = secret
		out, err := MergeEnv(data, doc)
		if err != nil {
			return
		}
		again, err := MergeEnv(out, doc)
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("not idempotent: %v\n%q\n%q", err, out, again)
		}
		env := readEnv(t, out)
		if got := gatewayList(env["GLOBUS_POLICIES"]); len(got) != 1 || got[0] != doc.Values["policy.id"] {
			t.Fatalf("the gateway would read policies %q", got)
		}
		if got := gatewayList(env["AUTHORIZED_IDP_DOMAINS"]); strings.Join(got, " ") != doc.Values["policy.domains"] {
			t.Fatalf("the gateway would read domains %q", got)
		}
	})
}

func TestEnvWarnings(t *testing.T) {
	w := EnvWarnings([]byte("A=1\nGLOBUS_POLICIES=\"p1,p2\"\nNOTE=\"a,b\"\nGLOBUS_GROUPS=\"\ng1\n\"\n"))
	if len(w) != 1 || !strings.Contains(w[0], "line 2: GLOBUS_POLICIES is comma-separated") || strings.Contains(w[0], "p1") {
		t.Fatalf("warnings %q", w)
	}
	merged, _ := MergeEnv(readFixture(t), fullDoc())
	if w := EnvWarnings(merged); len(w) != 0 {
		t.Fatalf("a merged file still warns: %q", w)
	}
	if w := EnvWarnings([]byte("X=\"open\n")); len(w) != 1 {
		t.Fatalf("unterminated quote: %q", w)
	}
}
