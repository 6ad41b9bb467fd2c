package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/dotenv"
	"github.com/globus-setup/globus-setup/vault"
)

// What `exec` passes to the command it starts, and what in the gateway's
// .env would beat it there.

// ExecVariables are the NAME=value pairs `exec` puts in a command's
// environment: the gateway's variables that are stored (lists joined by
// blanks, which the gateway splits on), or with compute the two Globus
// Compute ones. only, when given, keeps just those names; an unknown one is
// an error naming the choices.
func ExecVariables(doc vault.Doc, compute bool, only []string) ([]string, error) {
	var pairs [][2]string
	var names []string
	if compute {
		vals, err := computeValues(doc)
		if err != nil {
			return nil, err
		}
		pairs, names = vals, ComputeVariables
	} else {
		for _, g := range gatewayVars() {
			names = append(names, g.name)
			if items := g.values(doc); len(items) > 0 {
				pairs = append(pairs, [2]string{g.name, strings.Join(items, " ")})
			}
		}
	}
	for _, o := range only {
		if !slices.Contains(names, o) {
			return nil, &Problem{What: fmt.Sprintf("--only %s: not one of the variables here", o),
				Do: Say("choose from " + strings.Join(names, ", "))}
		}
	}
	var out []string
	for _, kv := range pairs {
		if len(only) > 0 && !slices.Contains(only, kv[0]) {
			continue
		}
		out = append(out, kv[0]+"="+kv[1])
	}
	if len(out) == 0 {
		return nil, &Problem{What: "none of those variables is stored yet, so there is nothing to pass",
			Do: Say("run the setup first (", command(), " or ", applyStep(""), "); ", command("status"), " shows what is missing")}
	}
	return out, nil
}

// ChildEnvironment is base (NAME=value entries, e.g. os.Environ()) with
// vars set over it: an inherited value of the same name never wins. The
// vault's own passphrase sources (vault.SourceVariables) are left out.
func ChildEnvironment(base, vars []string) []string {
	set := map[string]bool{}
	for _, name := range vault.SourceVariables {
		set[name] = true
	}
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		set[name] = true
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !set[name] {
			out = append(out, kv)
		}
	}
	return append(out, vars...)
}

// ExecOverride is a variable `exec` passes that the gateway's remembered
// .env sets too: the gateway loads that file with load_dotenv(override=True)
// (inference_gateway/settings.py), so the file's value beats the one in
// its environment, an empty KEY= included.
type ExecOverride struct {
	Name   string
	Line   int
	Secret bool // a client secret, in plaintext on disk
	Empty  bool // the file sets it empty (KEY= or KEY=""): the gateway gets ""
	// App: the file and the vault differ on this app's ID or secret, and
	// File and Vault are Globus's verdicts on each side's pair
	// (CheckExecPairs); "" when not an app's pair, or not looked at.
	App         string
	File, Vault SecretVerdict
}

// ExecOverrides reads the .env the vault remembers as the gateway's and
// lists which of vars (NAME=value, as ExecVariables gives them) it sets to
// something else than what is passed, and every secret it holds at all.
// A variable the file sets to the same is harmless and not listed. path
// is "" when no .env is remembered.
func ExecOverrides(doc vault.Doc, vars []string) (path string, over []ExecOverride, err error) {
	path = doc.Internal[EnvTargetKey]
	if path == "" {
		return "", nil, nil
	}
	data, err := readSettingsFile(path)
	if err != nil {
		return path, nil, err
	}
	f, err := dotenv.Parse(data)
	if err != nil {
		return path, nil, err
	}
	for _, kv := range vars {
		name, passed, _ := strings.Cut(kv, "=")
		b, ok := f.Lookup(name)
		if !ok || !b.Set {
			continue // a key without '=' sets nothing
		}
		g, _ := gatewayVarNamed(name)
		same := b.Value == passed
		switch {
		case g.list:
			same = slices.Equal(dotenv.Fields(b.Value), dotenv.Fields(passed))
		case name == groupsPerIdP:
			norm, nerr := NormalizeGroupsPerIdP(b.Value)
			same = nerr == nil && norm == passed
		}
		if g.secret() || !same {
			over = append(over, ExecOverride{Name: name, Line: b.Line, Secret: g.secret(), Empty: strings.TrimSpace(b.Value) == ""})
		}
	}
	return path, over, nil
}

// startupVariables are what the gateway's start-up check needs
// (inference_gateway/apps.py AuthCheckConfig.ready): exactly one policy in
// GLOBUS_POLICIES, AUTHORIZED_IDP_DOMAINS, and the Service Account's ID and
// secret for the client-credentials grant that reads the policy. Without
// one the gateway refuses to start (ImproperlyConfigured, or the grant
// fails).
var startupVariables = []string{"GLOBUS_POLICIES", "AUTHORIZED_IDP_DOMAINS", "SERVICE_ACCOUNT_ID", "SERVICE_ACCOUNT_SECRET"}

// ExecGap is a variable the gateway's start-up needs that exec cannot pass
// (it is not stored) and the gateway's remembered .env does not set either.
type ExecGap struct{ Name, Key string }

// ExecGaps lists the start-up variables that are not stored and that the
// remembered .env does not set (not empty) either. One stored but left out
// by --only is the operator's choice, not listed.
func ExecGaps(doc vault.Doc, vars []string) []ExecGap {
	passed := map[string]bool{}
	for _, kv := range vars {
		name, _, _ := strings.Cut(kv, "=")
		passed[name] = true
	}
	var file *dotenv.File
	if path := doc.Internal[EnvTargetKey]; path != "" {
		if data, err := readSettingsFile(path); err == nil {
			file, _ = dotenv.Parse(data)
		}
	}
	var gaps []ExecGap
	for _, name := range startupVariables {
		if passed[name] {
			continue
		}
		if file != nil {
			if b, ok := file.Lookup(name); ok && b.Set && strings.TrimSpace(b.Value) != "" {
				continue
			}
		}
		if g, _ := gatewayVarNamed(name); len(g.values(doc)) == 0 {
			gaps = append(gaps, ExecGap{Name: name, Key: g.key})
		}
	}
	return gaps
}

// Warning is the gap for the operator: what is missing, that the gateway
// will not start, and how to store it.
func (g ExecGap) Warning() string {
	why := g.Key + " is not stored"
	fix := Say("store it with ", setKey(g.Key))
	if strings.HasSuffix(g.Key, ".client_secret") {
		fix = Say("store it with ", setKey(g.Key), ", or make a new one with ", command("rotate", strings.TrimSuffix(g.Key, ".client_secret")))
	}
	return Say(g.Name+" cannot be passed ("+why+") and the gateway's .env does not set it: the gateway's start-up check needs it (apps.py), so it would not start; ", fix).String()
}

// EnvFilesHoldingSecret are the files beside the vault that hold the same
// secret as key's: the gateway's remembered .env and the backup a write
// into it left (<.env>.bak), either in plaintext. Unsetting the secret
// names them: a copy is left there (and the last copy, if nowhere else).
func EnvFilesHoldingSecret(doc vault.Doc, key string) []string {
	path, stored := doc.Internal[EnvTargetKey], strings.TrimSpace(doc.Values[key])
	if path == "" || stored == "" {
		return nil
	}
	var out []string
	for _, p := range []string{path, path + ".bak"} {
		if fileHoldsValue(p, gatewayVarOfKey(key), stored) {
			out = append(out, p)
		}
	}
	return out
}

func fileHoldsValue(path, name, want string) bool {
	data, err := readSettingsFile(path)
	if err != nil {
		return false
	}
	f, err := dotenv.Parse(data)
	if err != nil {
		return false
	}
	b, ok := f.Lookup(name)
	return ok && b.Set && strings.TrimSpace(b.Value) == want
}

// Warning is the override for the operator, naming the file; never a value.
func (o ExecOverride) Warning(path string) string {
	if o.Empty {
		how := command("export", "--merge", path)
		if o.Secret {
			how = command("export", "--merge", path, "--no-secrets")
		}
		return Say(fmt.Sprintf("%s (line %d) sets %s empty, and the gateway loads that file with override=True, so the empty value beats the one exec passes: the gateway would get \"\"; remove the line with ", path, o.Line, o.Name),
			how).String()
	}
	if o.App != "" {
		what := fmt.Sprintf("%s (line %d) sets %s to another value than the vault's", path, o.Line, o.Name)
		if o.Secret {
			what = fmt.Sprintf("%s (line %d) holds %s in plaintext, another than the vault's", path, o.Line, o.Name)
		}
		return o.pairWarning(path, what).String()
	}
	if o.Secret {
		return Say(fmt.Sprintf("%s (line %d) holds %s in plaintext, and the gateway loads that file with override=True, so its value beats the one exec passes: remove it with ", path, o.Line, o.Name),
			command("export", "--merge", path, "--no-secrets")).String()
	}
	return Say(fmt.Sprintf("%s (line %d) sets %s to another value than the vault's, and the gateway loads that file with override=True, so the file's wins over the one exec passes: update it with ", path, o.Line, o.Name),
		command("export", "--merge", path)).String()
}
