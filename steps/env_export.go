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

// gatewayVar is one variable the inference gateway reads.
type gatewayVar struct {
	name string
	list bool
	step string // the step that provides it, for "not set yet" comments
	// values returns the value's items; nil means we have nothing for it.
	values func(doc vault.Doc) []string
}

// groupsPerIdP is the name of the one variable whose value we never know:
// the setup has no per-domain group mapping, so a merge keeps what is there.
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

// GatewayVariables lists the .env variables an export writes or a merge may change.
func GatewayVariables() []string {
	vars := gatewayVars()
	out := make([]string, len(vars))
	for i, g := range vars {
		out[i] = g.name
	}
	return out
}

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

// Export renders the gateway's settings from doc. Secrets are included: the
// caller writes them only to a 0600 file or to stdout on request.
func Export(doc vault.Doc, f ExportFormat) ([]byte, error) {
	switch f {
	case FormatEnv:
		return exportEnv(doc)
	case FormatJSON:
		return exportJSON(doc)
	case FormatShell:
		return exportShell(doc)
	case FormatCompute:
		return exportCompute(doc)
	case FormatUsers:
		return exportUsers(doc)
	}
	return nil, fmt.Errorf("unknown export format %q: use env, json, shell, compute or users", f)
}

func notSetComment(g gatewayVar) string {
	s, _ := stepByID(g.step)
	return fmt.Sprintf("# %s: not set yet (step %d, %s)", g.name, s.Number, s.Title)
}

func exportEnv(doc vault.Doc) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Globus settings for the inference gateway, written by globus-setup.\n")
	b.WriteString("# Lists hold one item per line: the gateway splits them on blanks and ';', not on commas.\n")
	for _, g := range gatewayVars() {
		items := g.values(doc)
		switch {
		case g.name == groupsPerIdP:
			b.WriteString(groupsPerIdP + "='{}'\n")
		case len(items) == 0:
			b.WriteString(notSetComment(g) + "\n")
		default:
			line, err := envAssignment(g, items)
			if err != nil {
				return nil, err
			}
			b.WriteString(line + "\n")
		}
	}
	if cs := helperComments(doc); len(cs) > 0 {
		b.WriteString("\n")
		for _, c := range cs {
			b.WriteString(c.String() + "\n")
		}
	}
	return b.Bytes(), nil
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

func exportJSON(doc vault.Doc) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	first := true
	for _, g := range gatewayVars() {
		items := g.values(doc)
		var v any
		switch {
		case g.name == groupsPerIdP:
			v = map[string]string{}
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

func exportShell(doc vault.Doc) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Globus settings for the inference gateway, written by globus-setup.\n")
	b.WriteString("# Load with: . ./gateway-env.sh   (lists are space-separated: the gateway does not split on commas)\n")
	for _, g := range gatewayVars() {
		items := g.values(doc)
		switch {
		case g.name == groupsPerIdP:
			b.WriteString("export " + groupsPerIdP + "='{}'\n")
		case len(items) == 0:
			b.WriteString(notSetComment(g) + "\n")
		default:
			b.WriteString("export " + g.name + "=" + shellQuote(strings.Join(items, " ")) + "\n")
		}
	}
	for _, c := range helperComments(doc) {
		b.WriteString(c.String() + "\n")
	}
	return b.Bytes(), nil
}

// envStmt is one statement of a .env file: an assignment, or any other line.
type envStmt struct {
	start, end       int    // its bytes, through the final line break
	name             string // "" for comments, blank and unparsable lines
	valStart, valEnd int    // the value as written, quotes included
	line             int    // 1-based line number of its start
}

// parseEnv splits a .env file as python-dotenv reads it, closely enough to
// find where each variable's value starts and ends, multi-line quoted values
// included.
func parseEnv(data []byte) ([]envStmt, error) {
	var out []envStmt
	line := 1
	lineEnd := func(i int) int { // index just past the line break at or after i
		if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
			return i + j + 1
		}
		return len(data)
	}
	for pos := 0; pos < len(data); {
		st := envStmt{start: pos, line: line}
		i := skipBlanks(data, pos)
		if bytes.HasPrefix(data[i:], []byte("export")) && i+6 < len(data) && (data[i+6] == ' ' || data[i+6] == '\t') {
			i = skipBlanks(data, i+6)
		}
		k := i
		for k < len(data) && !strings.ContainsRune("=# \t\r\n", rune(data[k])) {
			k++
		}
		eq := skipBlanks(data, k)
		if k == i || eq >= len(data) || data[eq] != '=' {
			st.end = lineEnd(pos)
		} else {
			st.name = string(data[i:k])
			v := skipBlanks(data, eq+1)
			st.valStart = v
			if v < len(data) && (data[v] == '"' || data[v] == '\'') {
				q, j := data[v], v+1
				for ; j < len(data) && data[j] != q; j++ {
					if data[j] == '\\' {
						j++ // an escaped character never closes the value
					}
				}
				if j >= len(data) {
					return nil, fmt.Errorf("line %d: the quoted value of %s is never closed; fix the file, then merge again", line, st.name)
				}
				st.valEnd = j + 1
			} else {
				e := lineEnd(v)
				text := data[v:e]
				text = bytes.TrimRight(text, "\r\n")
				if c := bytes.Index(text, []byte(" #")); c >= 0 {
					text = text[:c]
				}
				if c := bytes.Index(text, []byte("\t#")); c >= 0 {
					text = text[:c]
				}
				st.valEnd = v + len(bytes.TrimRight(text, " \t"))
			}
			st.end = lineEnd(st.valEnd)
		}
		line += bytes.Count(data[st.start:st.end], []byte("\n"))
		out = append(out, st)
		pos = st.end
	}
	return out, nil
}

func skipBlanks(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t') {
		i++
	}
	return i
}

// MergeEnv updates the gateway's Globus variables in an existing .env and
// keeps every other byte: other variables, comments, blank lines, an inline
// comment after a value, an "export " prefix. Variables we have no value for
// are left as they are (AUTHORIZED_GROUPS_PER_IDP always is). Every
// assignment of a variable is replaced, since python-dotenv keeps the last.
// Variables missing from the file are appended under a comment header, as are
// the token-helper comments. Merging twice gives the same bytes.
//
// Comments are not edited, including an example file's outdated
// "comma-separated" advice: the values written show the right form.
func MergeEnv(existing []byte, doc vault.Doc) ([]byte, error) {
	stmts, err := parseEnv(existing)
	if err != nil {
		return nil, err
	}
	// CRLF only when every line break is CRLF: a stable choice, so that a
	// second merge writes the same bytes.
	nl := "\n"
	if n := bytes.Count(existing, []byte("\n")); n > 0 && n == bytes.Count(existing, []byte("\r\n")) {
		nl = "\r\n"
	}
	tokens := map[string]string{}
	var order []string
	for _, g := range gatewayVars() {
		items := g.values(doc)
		if g.name == groupsPerIdP || len(items) == 0 {
			continue
		}
		tok, err := envValue(g, items, nl)
		if err != nil {
			return nil, err
		}
		tokens[g.name] = tok
		order = append(order, g.name)
	}
	comments := helperComments(doc)
	present := map[string]bool{}
	commentSeen := make([]bool, len(comments))

	var b bytes.Buffer
	for _, st := range stmts {
		tok, ours := tokens[st.name]
		switch {
		case st.name != "" && ours:
			present[st.name] = true
			b.Write(existing[st.start:st.valStart])
			b.WriteString(tok)
			b.Write(existing[st.valEnd:st.end])
		case st.name == "":
			text := existing[st.start:st.end]
			replaced := false
			for i, c := range comments {
				if bytes.HasPrefix(text, []byte(c.prefix)) {
					commentSeen[i] = true
					body := bytes.TrimRight(text, "\r\n")
					b.WriteString(c.String())
					b.Write(text[len(body):])
					replaced = true
					break
				}
			}
			if !replaced {
				b.Write(text)
			}
		default:
			b.Write(existing[st.start:st.end])
		}
	}
	var add []string
	for _, name := range order {
		if !present[name] {
			add = append(add, name+"="+tokens[name])
		}
	}
	for i, c := range comments {
		if !commentSeen[i] {
			add = append(add, c.String())
		}
	}
	if len(add) > 0 {
		if b.Len() > 0 && !bytes.HasSuffix(b.Bytes(), []byte("\n")) {
			b.WriteString(nl)
		}
		if b.Len() > 0 {
			b.WriteString(nl)
		}
		b.WriteString("# --- Globus settings added by globus-setup ---" + nl)
		for _, l := range add {
			b.WriteString(l + nl)
		}
	}
	return b.Bytes(), nil
}

// EnvWarnings points out gateway list variables in an existing .env that the
// gateway would misread: it splits on blanks and ';', so "a,b" is one item.
// Messages name the variable and line, never a value.
func EnvWarnings(existing []byte) []string {
	stmts, err := parseEnv(existing)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, st := range stmts {
		for _, g := range gatewayVars() {
			if g.list && st.name == g.name && bytes.Contains(existing[st.valStart:st.valEnd], []byte(",")) {
				out = append(out, fmt.Sprintf("line %d: %s is comma-separated, but the gateway splits lists on blanks and ';' only; put one item per line", st.line, g.name))
			}
		}
	}
	return out
}
