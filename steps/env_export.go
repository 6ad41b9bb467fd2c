package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/globus-setup/globus-setup/vault"
)

// ExportFormat is the shape of an export.
type ExportFormat string

// Export formats:
//   - env: the gateway's .env (python-dotenv syntax), lists one item per line
//     inside double quotes;
//   - json: one flat object, gateway variable → value; lists are arrays of
//     strings and AUTHORIZED_GROUPS_PER_IDP is an object; unset variables are
//     left out;
//   - shell: `export VAR='…'` lines for sh/bash, lists space-separated.
const (
	FormatEnv   ExportFormat = "env"
	FormatJSON  ExportFormat = "json"
	FormatShell ExportFormat = "shell"
)

// Managed comment lines: facts users' token helpers need, written as comments
// so the gateway ignores them. A merge recognises them by these prefixes.
const (
	publicClientComment = "# globus-setup: public client ID for users' token helpers: "
	scopeComment        = "# globus-setup: scope users' tokens must request: "
)

type managedComment struct{ prefix, value string }

func (c managedComment) String() string { return c.prefix + c.value }

func helperComments(doc vault.Doc) []managedComment {
	var out []managedComment
	if id := PublicClientID(doc); id != "" {
		out = append(out, managedComment{publicClientComment, id})
	}
	if s := scopeString(doc); s != "" {
		out = append(out, managedComment{scopeComment, s})
	}
	return out
}

// EnvOptions are choices in writing the gateway's variables.
type EnvOptions struct {
	// NoSecrets leaves the two client secrets out of what is written (a
	// .env loses their lines): the gateway is then started with `exec`,
	// which passes them in its environment only.
	NoSecrets bool
}

// Export renders the gateway's settings from doc. Secrets are included: the
// caller writes them only to a 0600 file or to stdout on request.
func Export(doc vault.Doc, f ExportFormat) ([]byte, error) { return ExportWith(doc, f, EnvOptions{}) }

// ExportWith is Export with options.
func ExportWith(doc vault.Doc, f ExportFormat, o EnvOptions) ([]byte, error) {
	switch f {
	case FormatEnv:
		return exportEnv(doc, o)
	case FormatJSON:
		return exportJSON(doc, o)
	case FormatShell:
		return exportShell(doc, o)
	case FormatCompute:
		if o.NoSecrets {
			return nil, &Problem{What: "the compute format is the Service Account's ID and secret: without the secret there is nothing to export",
				Do: Say("use ", command("exec", "--compute", "--", "COMMAND"), ", which keeps it off disk")}
		}
		return exportCompute(doc)
	case FormatUsers:
		return exportUsers(doc)
	}
	return nil, fmt.Errorf("unknown export format %q: use env, json, shell, compute or users", f)
}

// omittedComment stands where a secret's line was in a .env written
// without secrets, so that a reader does not put it back; a merge
// recognises it by its start.
func omittedComment(name string) string {
	return omittedPrefix(name) + Say("the gateway gets it from ", command("exec", "--", "COMMAND"), ", in its environment only").String()
}

func omittedPrefix(name string) string {
	return "# " + name + " is kept out of this file by globus-setup: "
}

func notSetComment(g gatewayVar) string {
	s, _ := stepByID(g.step)
	return fmt.Sprintf("# %s: not set yet (step %d, %s)", g.name, s.Number, s.Title)
}

func exportEnv(doc vault.Doc, o EnvOptions) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Globus settings for the inference gateway, written by globus-setup.\n")
	b.WriteString("# Lists hold one item per line: the gateway splits them on blanks and ';', not on commas.\n")
	if err := writeAssignments(&b, doc, o, "", envAssignment); err != nil {
		return nil, err
	}
	if cs := helperComments(doc); len(cs) > 0 {
		b.WriteString("\n")
		for _, c := range cs {
			b.WriteString(c.String() + "\n")
		}
	}
	return b.Bytes(), nil
}

// writeAssignments writes a line a gateway variable, for the env and shell
// formats alike: a secret left out and a variable not set yet are comments,
// an empty group map is '{}', assign renders the rest, and export ("export "
// for sh) starts each assignment.
func writeAssignments(b *bytes.Buffer, doc vault.Doc, o EnvOptions, export string, assign func(gatewayVar, []string) (string, error)) error {
	for _, g := range gatewayVars() {
		items := g.values(doc)
		switch {
		case o.NoSecrets && g.secret():
			b.WriteString(omittedComment(g.name) + "\n")
		case g.name == groupsPerIdP && len(items) == 0:
			b.WriteString(export + groupsPerIdP + "='{}'\n")
		case len(items) == 0:
			b.WriteString(notSetComment(g) + "\n")
		default:
			line, err := assign(g, items)
			if err != nil {
				return err
			}
			b.WriteString(export + line + "\n")
		}
	}
	return nil
}

// envAssignment renders VAR=value for the gateway's .env.
func envAssignment(g gatewayVar, items []string) (string, error) {
	tok, err := envValue(g, items, "\n")
	if err != nil {
		return "", err
	}
	return g.name + "=" + tok, nil
}

// envValue renders a value for python-dotenv, which the gateway uses. Plain
// values go in double quotes, lists one item per line. A value with '"',
// backslash or '$' goes in single quotes, where python-dotenv undoes only
// \\ and \' and docker compose expands no $VAR. What neither quoting can carry is
// refused: "${" (python-dotenv expands it even in single quotes) and a
// trailing backslash (it would escape the closing quote).
func envValue(g gatewayVar, items []string, nl string) (string, error) {
	for _, it := range items {
		if strings.Contains(it, "${") || strings.HasSuffix(it, `\`) {
			return "", fmt.Errorf("%s: the value has \"${\" or ends in a backslash, which a .env file cannot hold safely", g.name)
		}
		if strings.ContainsAny(it, "\r\n") || (g.list && strings.ContainsAny(it, " \t;")) {
			return "", fmt.Errorf("%s: a value contains a line break, or a list item a blank or ';', which the gateway would split", g.name)
		}
	}
	value := items[0]
	if g.list {
		value = nl + strings.Join(items, nl) + nl
	}
	if !strings.ContainsAny(value, "\"\\$") {
		return `"` + value + `"`, nil
	}
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(value) + "'", nil
}

func exportJSON(doc vault.Doc, o EnvOptions) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	first := true
	for _, g := range gatewayVars() {
		items := g.values(doc)
		var v any
		switch {
		case o.NoSecrets && g.secret():
			continue
		case g.name == groupsPerIdP:
			m := map[string]string{}
			if len(items) > 0 {
				if err := json.Unmarshal([]byte(items[0]), &m); err != nil {
					return nil, fmt.Errorf("%s: the stored %s is not JSON: %w", groupsPerIdP, groupsPerIdPKey, err)
				}
			}
			v = m
		case len(items) == 0:
			continue
		case g.list:
			v = items
		default:
			v = items[0]
		}
		kb, _ := json.Marshal(g.name)
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString("\n  ")
		b.Write(kb)
		b.WriteString(": ")
		b.Write(vb)
	}
	b.WriteString("\n}\n")
	return b.Bytes(), nil
}

// shellQuote single-quotes s for sh: nothing inside is special but the
// quote itself, written as '\”.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func exportShell(doc vault.Doc, o EnvOptions) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Globus settings for the inference gateway, written by globus-setup.\n")
	b.WriteString("# Load with: . ./gateway-env.sh   (lists are space-separated: the gateway does not split on commas)\n")
	err := writeAssignments(&b, doc, o, "export ", func(g gatewayVar, items []string) (string, error) {
		return g.name + "=" + shellQuote(strings.Join(items, " ")), nil
	})
	if err != nil {
		return nil, err
	}
	for _, c := range helperComments(doc) {
		b.WriteString(c.String() + "\n")
	}
	return b.Bytes(), nil
}
