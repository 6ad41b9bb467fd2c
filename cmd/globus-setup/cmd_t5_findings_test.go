package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// typoID is id with its last digit changed: a mistyped client ID.
func typoID(id string) string {
	last := id[len(id)-1]
	next := byte('0')
	if last == '0' {
		next = '1'
	}
	return id[:len(id)-1] + string(next)
}

// writeTypoEnv copies the gateway's .env with GLOBUS_APPLICATION_ID
// mistyped and the secret unchanged.
func writeTypoEnv(t *testing.T, w *opsWorld, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), w.apiID) {
		t.Fatal("the .env does not hold the Service API ID")
	}
	typo := filepath.Join(t.TempDir(), "typo.env")
	if err := os.WriteFile(typo, []byte(strings.ReplaceAll(string(data), w.apiID, typoID(w.apiID))), 0o600); err != nil {
		t.Fatal(err)
	}
	return typo
}

// A file naming a mistyped client ID beside the same secret is a pair
// Globus refuses: it never replaces the vault's working pair, even with
// --replace, and the scope stays.
func TestImportRefusesAMistypedIDBesideTheSameSecret(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	scope := w.value("service_api.scope_id")
	if scope == "" {
		t.Fatal("no scope imported")
	}
	typo := writeTypoEnv(t, w, path)
	code, out, errs := w.run("import", typo, "--replace")
	t.Logf("$ globus-setup import %s --replace\n%s%s", typo, out, errs)
	if code == 0 || !strings.Contains(errs, "Globus refuses the file's Service API client ID and secret (GLOBUS_APPLICATION_ID at line 21)") ||
		!strings.Contains(errs, "nothing was stored") || !strings.Contains(errs, "check GLOBUS_APPLICATION_ID (a typo?)") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	if got := w.value("service_api.client_id"); got != w.apiID {
		t.Fatalf("the mistyped ID was stored: %s", got)
	}
	if got := w.value("service_api.scope_id"); got != scope {
		t.Fatalf("the scope went: %q", got)
	}
	noLeak(t, "import", out, errs)
}

// Asked at a terminal, the question says which pair Globus accepts.
func TestImportQuestionSaysWhichPairGlobusAccepts(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	// Globus accepts the file's and not the vault's: the vault holds the typo.
	if err := setRaw(w, map[string]string{"service_api.client_id": typoID(w.apiID)}); err != nil {
		t.Fatal(err)
	}
	w.terminal = true
	w.pasted <- "n"
	code, out, errs := w.run("import", path)
	t.Logf("$ globus-setup import %s\n%s%s", path, out, errs)
	if code != 1 || !strings.Contains(out+errs, "Replace them with the file's (Service API ID and secret: Globus accepts the file's and refuses the vault's)? [y/N]") ||
		!strings.Contains(errs, "service_api.client_id: "+typoID(w.apiID)+" in the vault, "+w.apiID+" at line 21; with its secret: Globus accepts the file's and refuses the vault's") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// set of a mistyped client ID is an ID whose pair Globus refuses over one
// it accepts: never stored unasked, the advice says to check the ID first,
// and what it removes (the scope made from the old ID) is said.
func TestSetOfAMistypedClientIDKeepsTheWorkingPair(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	scope := w.value("service_api.scope_id")
	typo := typoID(w.apiID)
	code, out, errs := w.run("set", "service_api.client_id", typo)
	t.Logf("$ globus-setup set service_api.client_id %s\n%s%s", typo, out, errs)
	if code != 2 || !strings.Contains(errs, "Globus refuses client ID "+typo+" with the stored service_api.client_secret") ||
		!strings.Contains(errs, "what to do: check the ID (a typo?") || strings.Contains(errs, "stored service_api.client_id") ||
		w.value("service_api.client_id") != w.apiID || w.value("service_api.scope_id") != scope {
		t.Fatalf("a mistyped ID over a working pair: %d\n%s%s", code, out, errs)
	}
	w.terminal = true
	w.pasted <- "n"
	code, out, errs = w.run("set", "service_api.client_id", typo)
	if code != 1 || !strings.Contains(out+errs, "Store it anyway, replacing the working one, and removing service_api.scope_id and service_api.scope_string, made from it? [y/N]") ||
		w.value("service_api.client_id") != w.apiID {
		t.Fatalf("no at the question: %d\n%s%s", code, out, errs)
	}
	w.terminal = false
	code, out, errs = w.run("set", "--store-refused", "service_api.client_id", typo)
	t.Logf("$ globus-setup set --store-refused service_api.client_id %s\n%s%s", typo, out, errs)
	if code != 1 || !strings.Contains(errs, "stored service_api.client_id, and removed service_api.scope_id and service_api.scope_string, made from the old one") ||
		!strings.Contains(errs, "what to do: check the client ID just stored (a typo?") || w.value("service_api.client_id") != typo {
		t.Fatalf("--store-refused: %d\n%s%s", code, out, errs)
	}
}

// exec with the vault and the .env differing on an app's ID says which
// pair Globus accepts, and advises changing the side it refuses: never
// overwriting a working file with the vault's mistyped ID.
func TestExecSaysWhichSideOfADifferingPairWorks(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	typo := typoID(w.apiID)
	if err := setRaw(w, map[string]string{"service_api.client_id": typo}); err != nil {
		t.Fatal(err)
	}
	_, errs, st := w.runChild("exec", "--", "true")
	t.Logf("$ globus-setup exec -- true (the vault holds a mistyped ID)\n%s", errs)
	if st.ExitCode() != 0 || !strings.Contains(errs, path+" (line 21) sets GLOBUS_APPLICATION_ID to another value than the vault's") ||
		!strings.Contains(errs, "Globus accepts the file's Service API client ID and secret and refuses the vault's: keep the file as it is, and store its pair in the vault with `globus-setup import "+path+"`") ||
		strings.Contains(errs, "update it with `globus-setup export --merge "+path+"`") {
		t.Fatalf("the vault wrong: %d\n%s", st.ExitCode(), errs)
	}

	// The other way round: the file holds the typo.
	if err := setRaw(w, map[string]string{"service_api.client_id": w.apiID}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(string(data), w.apiID, typo)), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errs, st = w.runChild("exec", "--", "true")
	if st.ExitCode() != 0 || !strings.Contains(errs, "Globus accepts the vault's Service API client ID and secret and refuses the file's: update the file with `globus-setup export --merge "+path+"`") ||
		!strings.Contains(errs, path+" (line 22) holds GLOBUS_APPLICATION_SECRET in plaintext, and the gateway loads") {
		t.Fatalf("the file wrong: %d\n%s", st.ExitCode(), errs)
	}
}

// A rotation whose .env cannot be written (an unclosed quote) says where
// that leaves it: the new secret stored and working, both working, the
// gateway unaffected, and how to go on; status names the phase it is in.
func TestRotateWhoseEnvWriteFailsSaysWhereItStands(t *testing.T) {
	w, env := newRotateCmdWorld(t)
	if code, _, errs := w.run("export", "--merge", env); code != 0 {
		t.Fatal(errs)
	}
	data, err := os.ReadFile(env)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env, append(data, []byte("BROKEN=\"never closed\n")...), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := w.run("rotate", "service_api")
	t.Logf("$ globus-setup rotate service_api (the .env has an unclosed quote)\n%s%s", out, errs)
	for _, want := range []string{
		"the gateway's .env was not written, but the new secret is stored in the vault and Globus accepts it; both secrets work until you finish; the running gateway is unaffected",
		"The write failed: merging into " + env,
		"fix " + env + " and run `globus-setup rotate service_api` again, which carries on from here",
		"`--env PATH`", "`--no-env`",
	} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Fatalf("exit %d, no %q\n%s%s", code, want, out, errs)
		}
	}
	_, out, _ = w.run("status")
	if !strings.Contains(out, "the new secret made and proven; the .env not written yet — `globus-setup rotate service_api` carries on") {
		t.Errorf("status:\n%s", out)
	}
}

// The gateway's own start-up read of the policy, as the Service Account,
// is a read of the domains: a logged-out verify whose start-up check found
// them equal clears export's warning that they were never read.
func TestLoggedOutVerifyOfTheGatewayStartClearsTheDomainsWarning(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("logout"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	const warning = "AUTHORIZED_IDP_DOMAINS (policy.domains) was not read from the policy on Globus"
	if _, _, errs := w.run("export"); !strings.Contains(errs, warning) {
		t.Fatalf("export after a logged-out import:\n%s", errs)
	}
	_, out, errs := w.run("verify")
	t.Logf("$ globus-setup verify   # logged out\n%s%s", out, errs)
	if !strings.Contains(out, "✓ The gateway would start") {
		t.Fatalf("verify:\n%s%s", out, errs)
	}
	if _, _, errs := w.run("export"); strings.Contains(errs, warning) {
		t.Errorf("export still warns after the start-up check read the policy:\n%s", errs)
	}
	// A change of the domains is a guess again.
	if code, _, errs := w.run("set", "policy.domains", "example.org"); code != 0 {
		t.Fatal(errs)
	}
	if _, _, errs := w.run("export"); !strings.Contains(errs, warning) {
		t.Errorf("export after the domains changed:\n%s", errs)
	}
}

// export --merge into a file it cannot merge into says so at once, before
// asking whether that file becomes the remembered .env.
func TestMergeIntoAnUnreadableFileSaysSoBeforeAsking(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	bad := filepath.Join(t.TempDir(), "bad.env")
	if err := os.WriteFile(bad, []byte("A=1\nB=\"never closed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w.terminal = true
	code, out, errs := w.run("export", "--merge", bad)
	t.Logf("$ globus-setup export --merge %s\n%s%s", bad, out, errs)
	if code == 0 || strings.Contains(out+errs, "Remember ") || !strings.Contains(errs, "merging into "+bad+" (nothing was written): line 2") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}

// Importing a secret-free .env names the next step that is true: start
// under exec, not take out secrets it does not hold.
func TestImportOfASecretFreeEnvSaysStartUnderExec(t *testing.T) {
	w, path := importWorld(t)
	if code, _, errs := w.run("import", path); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := w.run("export", "--merge", path, "--no-secrets"); code != 0 {
		t.Fatal(errs)
	}
	code, out, errs := w.run("import", path)
	t.Logf("$ globus-setup import %s   # secret-free\n%s%s", path, out, errs)
	if code != 0 || strings.Contains(out, "--no-secrets` takes the secrets out") ||
		!strings.Contains(out, "the file holds no secrets, so start the gateway with `globus-setup exec -- COMMAND`") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}
