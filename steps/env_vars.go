package steps

import (
	"slices"

	"github.com/globus-setup/globus-setup/vault"
)

// The gateway's .env, as one file group (env_*.go): env_vars.go its
// variables (each step module declares its own; this is their index),
// env_export.go and env_export_day2.go the formats, env_merge.go the merge
// into an existing file, env_write.go the writing (atomic, backup, owner),
// env_flow.go the one flow every front-end writes through, env_import.go
// the import of a gateway's existing .env, env_exec.go what `exec` passes.
// The file's syntax is python-dotenv's, read by package dotenv.

// gatewayVar is one variable the inference gateway reads.
type gatewayVar struct {
	name string
	// key is the vault key the variable is made from, "" when it is made
	// from several (GLOBUS_GROUPS: every group's ID).
	key  string
	list bool
	step string // the step that provides it, for "not set yet" comments
	// values returns the value's items; nil means we have nothing for it.
	values func(doc vault.Doc) []string
}

// scalarVar and listVar are variables made from one stored key.
func scalarVar(name, key string) gatewayVar {
	return gatewayVar{name: name, key: key, values: func(doc vault.Doc) []string {
		if v := doc.Values[key]; v != "" {
			return []string{v}
		}
		return nil
	}}
}

func listVar(name, key string) gatewayVar {
	return gatewayVar{name: name, key: key, list: true,
		values: func(doc vault.Doc) []string { return SplitList(doc.Values[key]) }}
}

// secret: the variable holds a client secret (its key is a secret's).
func (g gatewayVar) secret() bool {
	s, ok := Spec(g.key)
	return ok && s.Secret
}

// groupsPerIdP is the variable holding per-domain groups, stored as
// groups.per_idp (JSON); without it, a merge keeps what the file has.
const groupsPerIdP = "AUTHORIZED_GROUPS_PER_IDP"

// gatewayVars are every step's variables, in the catalogue's order, each
// marked with its step.
func gatewayVars() []gatewayVar {
	var out []gatewayVar
	for _, s := range catalogue() {
		for _, g := range s.vars {
			g.step = s.ID
			out = append(out, g)
		}
	}
	return out
}

func gatewayVarNamed(name string) (gatewayVar, bool) {
	vars := gatewayVars()
	i := slices.IndexFunc(vars, func(g gatewayVar) bool { return g.name == name })
	if i < 0 {
		return gatewayVar{}, false
	}
	return vars[i], true
}

// GatewayVariables lists the .env variables an export writes or a merge may change.
func GatewayVariables() []string {
	vars := gatewayVars()
	out := make([]string, len(vars))
	for i, g := range vars {
		out[i] = g.name
	}
	return out
}

// SecretVariables are the gateway's variables that hold a client secret:
// what `export --no-secrets` leaves out.
func SecretVariables() []string {
	var out []string
	for _, g := range gatewayVars() {
		if g.secret() {
			out = append(out, g.name)
		}
	}
	return out
}
