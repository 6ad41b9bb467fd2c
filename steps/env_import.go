package steps

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/globus-setup/globus-setup/dotenv"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/vault"
)

// Importing a running gateway's .env (`globus-setup import FILE`): the file
// is read as the gateway reads it (package dotenv: python-dotenv's grammar,
// load_dotenv(override=True)), each Globus value is checked as the gateway
// would use it (inference_gateway/settings.py and apps.py), and only the
// Globus values are stored; every other setting stays in the file alone.
// The file is never written.

// EnvImport is a gateway's .env read for import.
type EnvImport struct {
	Path string // absolute
	// Values are the vault keys to store, normalised; Source says where
	// each came from ("line 20", or what Globus record).
	Values map[string]string
	Source map[string]string
	// GroupIDs are GLOBUS_GROUPS' IDs, in the file's order; they become
	// groups.<name>.id once the vault is known (Resolve).
	GroupIDs  []string
	groupLine int
	// Drop are stored keys the file says are not there (a group it does
	// not list, a per-domain mapping it does not have): removed on Store.
	Drop []string
	// Others are the file's other settings, left alone and not stored.
	Others []string
	// Notes say what was not taken and why (a secret the file does not
	// hold), and what Globus could not fill in.
	Notes []Advice
	// SecretFree: the file holds neither secret (written by export
	// --no-secrets, or by hand so).
	SecretFree bool
	// Secrets are the stored secrets the import would replace, with what
	// Globus says of each side (CheckSecrets).
	Secrets []ImportSecret
	// KeepTarget: the vault's remembered gateway .env stays what it is;
	// this file is only read (see Takeover).
	KeepTarget bool
	// Warnings are about the file itself: plaintext secrets others can read.
	Warnings []Advice
	// GroupNames are the groups' names on Globus, by ID, where they were
	// read (logged in): recorded, so every screen names a group as Globus
	// does rather than by a name made up for it.
	GroupNames map[string]string
	// Refusals are what Globus showed the gateway would refuse (the
	// policy's domains not the file's), by line: nothing is stored then
	// (Refused).
	Refusals []string
}

// Refused is the ImportError of what FillFromGlobus found the gateway
// would refuse; nil when nothing.
func (imp *EnvImport) Refused() error {
	if len(imp.Refusals) == 0 {
		return nil
	}
	return &ImportError{Path: imp.Path, Problems: imp.Refusals}
}

// ImportError is every problem of a file that cannot be imported, by line.
// Nothing is stored then.
type ImportError struct {
	Path     string
	Problems []string
}

func (e *ImportError) Error() string {
	return e.Path + " cannot be imported, so nothing was stored:\n  " + strings.Join(e.Problems, "\n  ")
}

// ReadEnvImport reads and checks the gateway's .env at path. Its values
// are not yet tied to a vault (see Resolve).
func ReadEnvImport(path string) (*EnvImport, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	data, err := readSettingsFile(abs)
	if err != nil {
		return nil, err
	}
	imp := &EnvImport{Path: abs, Values: map[string]string{}, Source: map[string]string{}}
	bad := &ImportError{Path: abs}
	problem := func(line int, format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if line > 0 {
			msg = fmt.Sprintf("line %d: %s", line, msg)
		}
		bad.Problems = append(bad.Problems, msg)
	}
	f, err := dotenv.Parse(data)
	if err != nil {
		problem(0, "this is not a .env: %v", err)
		return nil, bad
	}
	for _, e := range unreadable(f) {
		bad.Problems = append(bad.Problems, e.Error())
	}
	bindings := map[string]dotenv.Binding{}
	for _, b := range f.Bindings() {
		bindings[b.Key] = b
		if _, ours := gatewayVarNamed(b.Key); !ours {
			imp.Others = append(imp.Others, b.Key)
		}
		// python-dotenv 1.2 keeps a byte-order mark in the first name
		// (parser.py reads the file as utf-8, not utf-8-sig).
		if name, ok := strings.CutPrefix(b.Key, "\ufeff"); ok {
			if _, ours := gatewayVarNamed(name); ours {
				problem(b.Line, "the file starts with a byte-order mark, which python-dotenv reads as part of the first name, so the gateway never sees %s: save the file without it (UTF-8 without BOM)", name)
			}
		}
	}
	found := 0
	for _, g := range gatewayVars() {
		b, ok := bindings[g.name]
		if ok && len(b.FromEnv) > 0 {
			problem(b.Line, "%s takes ${%s} from the gateway's environment, which globus-setup cannot see: write the value itself in the file, or leave the variable out and store it with the set command", g.name, strings.Join(b.FromEnv, "}, ${"))
			found++
			continue
		}
		if !ok || !b.Set || strings.TrimSpace(b.Value) == "" {
			if g.name == groupsPerIdP && ok && b.Set {
				// json.loads("") raises: the gateway stops at start-up.
				problem(b.Line, "%s is empty, which the gateway cannot read as JSON (it stops at start-up): write '{}' or remove the line", g.name)
			}
			continue
		}
		found++
		if swallowedLines(f, f.Statements[b.Statement]) != "" {
			continue // said by unreadable, with the lines the quote took in
		}
		if p := placeholder(b.Value); p != "" {
			problem(b.Line, "%s is still the example's placeholder %s: put the real value there, or remove the line", g.name, p)
			continue
		}
		if err := imp.take(g, b); err != nil {
			problem(b.Line, "%s: %v", g.name, err)
		}
	}
	sameSecrets(bindings, problem)
	if found == 0 && len(bad.Problems) == 0 {
		problem(0, "this holds none of the gateway's variables (%s), so it is not the gateway's .env", strings.Join(GatewayVariables(), ", "))
	}
	for _, req := range []struct{ name, key, why string }{
		{"GLOBUS_APPLICATION_ID", "service_api.client_id", "the gateway checks every user's token with it"},
		{"SERVICE_ACCOUNT_ID", "service_account.client_id", "the gateway reads its policy with it at start-up"},
		{"GLOBUS_POLICIES", "policy.id", "no policy: the gateway refuses to start without exactly one high-assurance policy"},
		{"AUTHORIZED_IDP_DOMAINS", "policy.domains", "no domains: the gateway refuses to start without at least one"},
	} {
		if _, ok := imp.Values[req.key]; !ok && found > 0 && !mentioned(bad.Problems, req.name) {
			problem(0, "%s is not in the file (or is empty): %s", req.name, req.why)
		}
	}
	if len(bad.Problems) > 0 {
		return nil, bad
	}
	_, hasAPI := imp.Values["service_api.client_secret"]
	_, hasAcct := imp.Values["service_account.client_secret"]
	imp.SecretFree = !hasAPI && !hasAcct
	if !imp.SecretFree {
		imp.Warnings = exposedSecrets(abs, hasAPI, hasAcct)
	}
	if b, ok := bindings["SECRET_KEY"]; ok && b.Set {
		if p := placeholder(b.Value); p != "" {
			// Not ours to store, but a gateway started so signs its
			// sessions with a key everyone who read env.example knows.
			imp.Warnings = append(imp.Warnings, Say(fmt.Sprintf("line %d: the gateway's SECRET_KEY is still env.example's placeholder %s, which Django signs sessions with: put a long random value there (globus-setup does not store it)", b.Line, p)))
		}
	}
	return imp, nil
}

// sameSecrets refuses, by line, one secret in two of the file's SECRET
// variables: the two apps' secrets are never one (Globus makes each for its
// own app, so one of the two is the wrong app's), and Django's SECRET_KEY
// holding a client secret would sign sessions with it.
func sameSecrets(bindings map[string]dotenv.Binding, problem func(int, string, ...any)) {
	names := []string{"SECRET_KEY", "GLOBUS_APPLICATION_SECRET", "SERVICE_ACCOUNT_SECRET"}
	for i, a := range names {
		for _, b := range names[i+1:] {
			x, okx := bindings[a]
			y, oky := bindings[b]
			if !okx || !oky || !x.Set || !y.Set || strings.TrimSpace(x.Value) == "" || placeholder(x.Value) != "" || strings.TrimSpace(x.Value) != strings.TrimSpace(y.Value) {
				continue
			}
			why := "the two apps' secrets are never one: Globus makes each for its own app, so one of them is the wrong app's"
			if a == "SECRET_KEY" {
				why = "Django would sign its sessions with the app's client secret: give SECRET_KEY a long random value of its own"
			}
			problem(y.Line, "%s holds the same secret as %s (line %d): %s", b, a, x.Line, why)
		}
	}
}

// exposedSecrets warns when the .env holding plaintext secrets can be read
// by others than its owner: its group (often how the gateway reads it) or
// every user of the machine.
func exposedSecrets(path string, api, acct bool) []Advice {
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o044 == 0 {
		return nil
	}
	var held []string
	if api {
		held = append(held, gatewayVarOfKey("service_api.client_secret"))
	}
	if acct {
		held = append(held, gatewayVarOfKey("service_account.client_secret"))
	}
	who := "every user of this machine"
	if fi.Mode().Perm()&0o004 == 0 {
		who = "its group"
		if g := groupOf(fi); g != "" {
			who += " " + g
		}
	}
	return []Advice{Say(fmt.Sprintf("%s is mode %04o: %s can read the plaintext %s in it. Take them out with ", path, fi.Mode().Perm(), who, strings.Join(held, " and ")),
		command("export", "--merge", path, "--no-secrets"), " (then start the gateway under ", command("exec"), "), or ",
		"chmod 600 "+path+" if nothing needs that read")}
}

func mentioned(problems []string, name string) bool {
	return slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, name) })
}

// placeholder is the example's placeholder in v ("<Your-…>"), "" if none:
// env.example's values are <Your-Gateway-Service-API-Globus-App-Client-UUID>
// and the like. Only a placeholder is ever quoted back, never a value.
func placeholder(v string) string {
	s := strings.TrimSpace(v)
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 && !strings.ContainsAny(s[i:i+j], " \t\n") {
			return s[i : i+j+1]
		}
	}
	return ""
}

// take checks one gateway variable's value as the gateway would use it
// and keeps it under its vault key.
func (imp *EnvImport) take(g gatewayVar, b dotenv.Binding) error {
	line := "line " + strconv.Itoa(b.Line)
	keep := func(key, v string) {
		imp.Values[key], imp.Source[key] = v, line
	}
	value := b.Value
	switch {
	case g.name == "GLOBUS_GROUPS":
		return imp.takeGroups(b)
	case g.name == groupsPerIdP:
		norm, err := NormalizeGroupsPerIdP(value)
		if err != nil {
			return err
		}
		if norm != "{}" {
			keep(groupsPerIdPKey, norm)
		}
		return nil
	case g.name == "GLOBUS_POLICIES":
		items := dotenv.Fields(value)
		if len(items) > 1 {
			return fmt.Errorf("%d policies: the gateway refuses to start with more than one (store only the high-assurance policy's ID)", len(items))
		}
		if id, ok := strings.CutSuffix(items[0], ","); ok && !strings.Contains(id, ",") {
			return fmt.Errorf("the ID ends in a trailing comma, which the gateway keeps as part of it (textfield_to_strlist in inference_gateway/utils.py splits on blanks and ';' only), so it would look for a policy %q and refuse to start; remove the comma", items[0])
		}
		if strings.Contains(items[0], ",") {
			return fmt.Errorf("the policies are joined by a comma, but the gateway splits this list on blanks and ';' only (textfield_to_strlist in inference_gateway/utils.py), so it would read them as ONE policy ID and refuse to start; keep only the high-assurance policy's ID. The gateway's own env.example is wrong about this: its comment says \"comma-separated list of policy IDs\"")
		}
		id, err := strictUUID(items[0])
		if err != nil {
			return err
		}
		keep(g.key, id)
		return nil
	case g.name == "AUTHORIZED_IDP_DOMAINS":
		items := dotenv.Fields(value)
		seen := map[string]string{}
		for _, d := range items {
			if strings.Contains(d, ",") {
				return fmt.Errorf("%q is joined by a comma, but the gateway splits this list on blanks and ';' only, so it reads one domain %q that no identity has; put one domain per line", d, d)
			}
			norm, err := normalizeDomain(d)
			if err != nil {
				return fmt.Errorf("%q: %v", d, err)
			}
			if norm != d {
				return fmt.Errorf("%q ends in '.', which the gateway keeps and compares with the policy's domains exactly: write it as the policy holds it", d)
			}
			if first, dup := seen[strings.ToLower(d)]; dup {
				return fmt.Errorf("%q and %q are one domain listed twice: the gateway compares this list with the policy's domains exactly, where it is once", first, d)
			}
			seen[strings.ToLower(d)] = d
		}
		joined := strings.Join(items, " ")
		if norm, err := Validate(g.key, joined); err != nil || norm != joined {
			return fmt.Errorf("the domains cannot be stored exactly as written (%v)", err)
		}
		keep(g.key, joined)
		return nil
	}
	spec, _ := Spec(g.key)
	if unwrap(value) != value {
		return errors.New("the value has blanks or quotes inside its own quotes, which the gateway would send to Globus as part of it")
	}
	if spec.Secret {
		v, err := ValidateSecret(value)
		if err != nil {
			return err
		}
		keep(g.key, v)
		return nil
	}
	id, err := strictUUID(value)
	if err != nil {
		return err
	}
	keep(g.key, id)
	return nil
}

// strictUUID is NormalizeUUID for a value the gateway uses as it is: no
// blanks or quotes around it.
func strictUUID(v string) (string, error) {
	if unwrap(v) != v {
		return "", errors.New("the ID has blanks or quotes around it inside the value, which the gateway would send as part of it")
	}
	return NormalizeUUID(v)
}

func (imp *EnvImport) takeGroups(b dotenv.Binding) error {
	for _, id := range dotenv.Fields(b.Value) {
		if strings.Contains(id, ",") {
			return fmt.Errorf("the group IDs are joined by a comma, but the gateway splits this list on blanks and ';' only, so it would read ONE group ID that no user is in; put one per line")
		}
		if !isUUIDShape(id) {
			return fmt.Errorf("%q is not a group ID: %s", id, uuidExample)
		}
		if strings.ToLower(id) != id {
			return fmt.Errorf("%s is in upper case, but the gateway compares group IDs exactly with the ones Groups answers, which are lower case, so no user would be in it: write it in lower case", id)
		}
		if !slices.Contains(imp.GroupIDs, id) {
			imp.GroupIDs = append(imp.GroupIDs, id)
		}
	}
	imp.groupLine = b.Line
	return nil
}

// Resolve ties the import to the vault's document: each group ID gets the
// name the vault already gives it, else the next free one (users, users-2,
// ...); stored groups the file does not list, and a stored per-domain
// mapping it does not have, are to be dropped; a secret the file does not
// hold is noted, the vault's kept.
func (imp *EnvImport) Resolve(doc vault.Doc) {
	names := map[string]string{} // stored group ID → name
	for _, n := range GroupNames(doc.Values) {
		if id := doc.Values["groups."+n+".id"]; id != "" {
			names[strings.ToLower(id)] = n
		}
	}
	taken := map[string]bool{}
	for _, id := range imp.GroupIDs {
		if n, ok := names[id]; ok {
			taken[n] = true
		}
	}
	next := func() string {
		for i := 1; ; i++ {
			n := DefaultGroup
			if i > 1 {
				n = DefaultGroup + "-" + strconv.Itoa(i)
			}
			if !taken[n] && doc.Values["groups."+n+".id"] == "" && doc.Values["groups."+n+".members"] == "" {
				taken[n] = true
				return n
			}
		}
	}
	for _, id := range imp.GroupIDs {
		n, ok := names[id]
		if !ok {
			n = next()
		}
		key := "groups." + n + ".id"
		imp.Values[key], imp.Source[key] = id, "line "+strconv.Itoa(imp.groupLine)
	}
	imp.Drop = nil
	for _, n := range GroupNames(doc.Values) {
		if id := doc.Values["groups."+n+".id"]; id == "" || !slices.Contains(imp.GroupIDs, strings.ToLower(id)) {
			for _, f := range []string{"id", "members"} {
				if k := "groups." + n + "." + f; doc.Values[k] != "" {
					imp.Drop = append(imp.Drop, k)
				}
			}
		}
	}
	if _, ok := imp.Values[groupsPerIdPKey]; !ok && doc.Values[groupsPerIdPKey] != "" {
		imp.Drop = append(imp.Drop, groupsPerIdPKey)
	}
	for _, k := range []string{"service_api.client_secret", "service_account.client_secret"} {
		if _, ok := imp.Values[k]; ok {
			continue
		}
		g := gatewayVarOfKey(k)
		if doc.Values[k] != "" {
			imp.Notes = append(imp.Notes, Say(g+" is not in the file: the vault's "+k+" is kept"))
		} else {
			imp.Notes = append(imp.Notes, Say(g+" is not in the file, nor in the vault: store it with ", setKey(k), " (a hidden prompt)"))
		}
	}
}

func gatewayVarOfKey(key string) string {
	for _, g := range gatewayVars() {
		if g.key == key {
			return g.name
		}
	}
	return key
}

// ImportDiff is a value the vault holds that the import would change.
type ImportDiff struct {
	Key    string
	Secret bool
	Vault  string // the stored value ("" for a secret: never shown)
	New    string // the import's ("" when the key is dropped, or a secret)
	Source string // where the new value comes from
	// Verdicts: what Globus says of a secret's two sides (CheckSecrets).
	Verdicts string
}

// Line is the difference for the operator; secrets are not shown.
func (d ImportDiff) Line() string {
	switch {
	case d.Secret && d.Verdicts != "":
		return d.Key + ": the vault's secret differs from the one at " + d.Source + " (neither is shown): " + d.Verdicts
	case d.Secret:
		return d.Key + ": the vault's secret differs from the one at " + d.Source + " (neither is shown)"
	case d.New == "":
		return d.Key + ": " + d.Vault + " in the vault, not in the file (it would be removed)"
	case d.Verdicts != "":
		return d.Key + ": " + d.Vault + " in the vault, " + d.New + " at " + d.Source + "; with its secret: " + d.Verdicts
	}
	return d.Key + ": " + d.Vault + " in the vault, " + d.New + " at " + d.Source
}

// Differences lists the values the vault holds that the import would
// replace or remove; an empty vault, or one holding the same, has none.
func (imp *EnvImport) Differences(doc vault.Doc) []ImportDiff {
	var out []ImportDiff
	for _, k := range slices.Sorted(maps.Keys(imp.Values)) {
		old := doc.Values[k]
		if old == "" || old == imp.Values[k] {
			continue
		}
		spec, _ := Spec(k)
		d := ImportDiff{Key: k, Secret: spec.Secret, Source: imp.Source[k]}
		if !d.Secret {
			d.Vault, d.New = old, imp.Values[k]
		}
		if c, ok := imp.secretOf(k); ok {
			if c.Taken {
				continue // a working secret for a refused one: nothing to ask
			}
			d.Verdicts = c.Verdicts()
		}
		out = append(out, d)
	}
	for _, k := range imp.Drop {
		spec, _ := Spec(k)
		if spec.Secret {
			continue
		}
		out = append(out, ImportDiff{Key: k, Vault: doc.Values[k]})
	}
	return out
}

// Store keeps the import in the vault in one update: its values (steps
// move on as their values are complete), the dropped keys removed, and,
// unless KeepTarget, the file remembered as the gateway's .env (for
// rotate), as written without secrets when it holds neither.
func (imp *EnvImport) Store(v *vault.Vault) error {
	if v == nil {
		return errors.New("no vault open")
	}
	return v.Update(func(d *vault.Doc) error {
		initDoc(d)
		if err := RotationBlocks(*d, imp.Values, imp.Drop); err != nil {
			return err
		}
		for _, k := range imp.Drop {
			if spec, ok := Spec(k); ok {
				if s, ok := stepByID(spec.Step); ok {
					unsetIn(d, s, k)
				}
			}
		}
		setValuesIn(d, imp.Values)
		for k, id := range imp.Values {
			if name, field, ok := splitGroupKey(k); ok && field == "id" {
				recordGroupName(d, name, id, imp.GroupNames[id])
			}
		}
		if imp.KeepTarget {
			return nil
		}
		if d.Internal == nil {
			d.Internal = map[string]string{}
		}
		d.Internal[EnvTargetKey] = imp.Path
		switch {
		case imp.SecretFree:
			d.Internal[EnvSecretFreeKey] = imp.Path
		case d.Internal[EnvSecretFreeKey] == imp.Path:
			delete(d.Internal, EnvSecretFreeKey)
		}
		return nil
	})
}

// FillFromGlobus looks up, as the logged-in operator, what a gateway's
// .env does not hold, so that verify can check everything: the project,
// from the Service API app's record (globus-sdk-python
// testing/data/auth/get_client.py: a client names its project), and its
// name; the app's action_all scope; the public client when the project
// holds exactly one thick client; the policy's assurance timeout. What
// cannot be read is noted, never an error: the import stands without it.
// Not logged in, nothing is looked up.
func (imp *EnvImport) FillFromGlobus(ctx context.Context, e *Env, doc vault.Doc) {
	note := func(parts ...any) { imp.Notes = append(imp.Notes, Say(parts...)) }
	if _, ok := LoggedIn(e.Vault); !ok {
		apiID, secret := imp.Values["service_api.client_id"], imp.apiSecret(doc)
		if e.Globus == nil || apiID == "" || secret == "" {
			note("not logged in, so the project, the action_all scope, the public client and the policy's timeout were not read from Globus: ", run(logIn()), ", then import again (what is stored already stays)")
			return
		}
		// As `scope create` does without a login: the Service API app
		// reads its own record and scopes (client credentials).
		reader := globus.Basic(globus.Credentials{ID: apiID, Secret: secret})
		if cl, err := e.Globus.GetClient(ctx, reader, apiID); err != nil {
			note("the Service API app "+apiID+" could not read its own record ("+err.Error()+"), so its project and scope were not filled in; ", verifyAll(), " says more")
		} else {
			imp.fillFromAppRecord(ctx, e.Globus, reader, cl)
		}
		note("not logged in, so the project's name, the public client and the policy's timeout were not read from Globus (the project and the action_all scope were, as the Service API app): ", run(logIn()), ", then import again (what is stored already stays)")
		return
	}
	auth, err := OperatorToken(ctx, e, AuthResourceServer)
	if err != nil {
		note("the project, scope, public client and timeout were not read from Globus: "+err.Error()+"; ", run(logIn()), ", then import again")
		return
	}
	g := e.Globus
	fill := func(key, value, source string) {
		if norm, err := Validate(key, value); err == nil {
			imp.Values[key], imp.Source[key] = norm, source
		}
	}
	apiID := imp.Values["service_api.client_id"]
	reader := auth
	cl, err := g.GetClient(ctx, auth, apiID)
	if (globus.IsStatus(err, http.StatusForbidden) || globus.IsStatus(err, http.StatusNotFound)) && imp.apiSecret(doc) != "" {
		// Not an admin of its project: the app reads its own record.
		reader = globus.Basic(globus.Credentials{ID: apiID, Secret: imp.apiSecret(doc)})
		cl, err = g.GetClient(ctx, reader, apiID)
	}
	if err != nil {
		note("the Service API app "+apiID+" could not be read ("+err.Error()+"), so its project and scope were not filled in; ", verifyAll(), " says more")
	} else {
		imp.fillFromAppRecord(ctx, g, reader, cl)
		if cl.Project != "" {
			if p, err := g.GetProject(ctx, auth, cl.Project); err == nil {
				fill("project.name", p.DisplayName, "the project's record at Globus")
			}
		}
		if cl.Project != "" {
			imp.fillPublicClient(ctx, e, auth, cl.Project, doc)
		}
	}
	if len(imp.GroupIDs) > 0 {
		// Best effort: a group not read is named by its key until verify
		// reads it (GroupShownName). The read is verify's own (with its
		// memberships: the request shape contract_test.go holds).
		if gt, err := OperatorToken(ctx, e, GroupsResourceServer); err == nil {
			for _, id := range imp.GroupIDs {
				if grp, err := g.GetGroup(ctx, gt, id, true); err == nil && grp.Name != "" {
					if imp.GroupNames == nil {
						imp.GroupNames = map[string]string{}
					}
					imp.GroupNames[id] = grp.Name
				}
			}
		}
	}
	if id := imp.Values["policy.id"]; id != "" {
		pol, err := g.GetPolicy(ctx, auth, id)
		if err == nil && pol.AuthenticationAssuranceTimeout > 0 {
			fill("policy.assurance_timeout", strconv.Itoa(pol.AuthenticationAssuranceTimeout), "the policy's record at Globus")
		}
		if domains, ok := imp.Values["policy.domains"]; ok && err == nil {
			// A refusal, not a warning: stored, these domains would make
			// every export a .env the gateway refuses at start-up (apps.py
			// compares them exactly), and the fix is in the file or the
			// policy, not in the vault.
			if msg, _ := domainsMismatch(policyDomains(pol), strings.Fields(domains), "AUTHORIZED_IDP_DOMAINS"); msg != "" {
				imp.Refusals = append(imp.Refusals, imp.Source["policy.domains"]+": AUTHORIZED_IDP_DOMAINS: "+msg+
					" (policy "+id+"), so the gateway refuses to start (\"The Globus Policy and AUTHORIZED_IDP_DOMAINS are inconsistent.\"): write in the file exactly what the policy holds ("+
					strings.Join(policyDomains(pol), " ")+"), or edit the policy's included domains in the developers console")
			}
		}
		if err != nil {
			note("the policy " + id + " could not be read (" + err.Error() + "), so its assurance timeout was not filled in")
		}
	}
}

// fillFromAppRecord takes the project and the action_all scope from the
// Service API app's record cl, its scopes read with reader.
func (imp *EnvImport) fillFromAppRecord(ctx context.Context, g *globus.Client, reader globus.Authorizer, cl *globus.AppClient) {
	note := func(parts ...any) { imp.Notes = append(imp.Notes, Say(parts...)) }
	fill := func(key, value, source string) {
		if norm, err := Validate(key, value); err == nil {
			imp.Values[key], imp.Source[key] = norm, source
		}
	}
	apiID := imp.Values["service_api.client_id"]
	if cl.Project != "" {
		fill("project.id", cl.Project, "the Service API app's record at Globus")
	}
	switch sc, err := actionAllOf(ctx, g, reader, cl); {
	case err != nil:
		note("the Service API app's scopes could not be read (" + err.Error() + ")")
	case sc == nil:
		note("the Service API app has no action_all scope yet, which the gateway's users need: ", run(checkStep(serviceAPIID)))
	case CheckActionAllScope(*sc, apiID) != nil:
		note(CheckActionAllScope(*sc, apiID).Error())
	default:
		fill("service_api.scope_id", sc.ID, "the Service API app's scopes at Globus")
		fill("service_api.scope_string", sc.ScopeString, "the Service API app's scopes at Globus")
	}
}

func (imp *EnvImport) apiSecret(doc vault.Doc) string {
	if s := imp.Values["service_api.client_secret"]; s != "" {
		return s
	}
	return doc.Values["service_api.client_secret"]
}

// fillPublicClient takes the project's thick client when it has exactly
// one; a stored public client that is one of them is kept.
func (imp *EnvImport) fillPublicClient(ctx context.Context, e *Env, auth globus.Authorizer, project string, doc vault.Doc) {
	clients, err := e.Globus.ListClients(ctx, auth, project)
	if err != nil {
		imp.Notes = append(imp.Notes, Say("the project's apps could not be listed ("+err.Error()+"), so the public client was not filled in"))
		return
	}
	var thick []string
	for _, c := range clients {
		// Filtered here too: the list's project filter is not relied on.
		if c.Project == project && c.ClientType == globus.ClientTypePublicThick {
			thick = append(thick, c.ID)
		}
	}
	stored := PublicClientID(doc)
	switch {
	case stored != "" && slices.Contains(thick, stored):
	case len(thick) == 1:
		imp.Values["public_client.client_id"], imp.Source["public_client.client_id"] = thick[0], "the project's only thick client at Globus"
	case len(thick) == 0:
		imp.Notes = append(imp.Notes, Say("the project has no public (thick) client, which the gateway's users log in through: register one (step 4) or ", run(applyStep(publicClientID))))
	default:
		imp.Notes = append(imp.Notes, Say(fmt.Sprintf("the project has %d thick clients, so which one the gateway's users log in through cannot be told: ", len(thick)), setKeyTo("public_client.client_id", "ID")))
	}
}

// Keys are the keys to store, in the catalogue's order, groups last.
func (imp *EnvImport) Keys() []string {
	var out []string
	for _, s := range keySpecs() {
		if _, ok := imp.Values[s.Key]; ok {
			out = append(out, s.Key)
		}
	}
	var groups []string
	for k := range imp.Values {
		if !slices.Contains(out, k) {
			groups = append(groups, k)
		}
	}
	slices.Sort(groups)
	return append(out, groups...)
}
