package steps

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/globus-setup/globus-setup/dotenv"
	"github.com/globus-setup/globus-setup/vault"
)

// readEnvFile parses an existing .env as the gateway reads it (package
// dotenv: python-dotenv's own grammar), refusing what it cannot read: a
// file that is not text, and any statement python-dotenv would skip. Such
// a statement can be an unclosed quote that swallows the lines after it,
// the ones a merge writes too, so nothing is written into such a file.
func readEnvFile(data []byte) (*dotenv.File, error) {
	f, err := dotenv.Parse(data)
	if err != nil {
		return nil, err
	}
	if errs := unreadable(f); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return f, nil
}

// quotedValue: a statement whose value opens with a quote.
var quotedValue = regexp.MustCompile(`^\s*(?:export\s+)?(?:'[^']+'|[^=#\s]+)\s*=\s*['"]`)

// unreadable names, by line, each statement python-dotenv cannot parse.
func unreadable(f *dotenv.File) []error {
	var out []error
	for _, st := range f.Statements {
		if st.Err {
			text, _, _ := strings.Cut(string(st.Text(f.Data)), "\n")
			why := "it is not NAME=value, a comment or a blank line"
			if quotedValue.MatchString(text) {
				why = "a quote in it is not closed where the line ends (python-dotenv then reads on to the next quote, over the lines after it)"
			}
			out = append(out, fmt.Errorf("line %d: python-dotenv cannot read this statement, so the gateway skips it: %s; fix it, or make it a comment with #", st.Line, why))
		} else if swallowed := swallowedLines(f, st); swallowed != "" {
			out = append(out, fmt.Errorf("line %d: %s: the quote opened at line %d closes only at line %d, taking in %s; python-dotenv does read it so, and the gateway would get all of it as one multi-line value: close the quote on line %d",
				st.Line, st.Key, st.Line, st.ValLine, swallowed, st.Line))
		}
	}
	return out
}

// statementLike: a line that is a comment or a NAME= assignment of its own.
var statementLike = regexp.MustCompile(`^\s*(?:#|(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=(?:[^=]|$))`)

// swallowedLines says what a quoted value running over several lines took
// in when it looks like a quote left open, closed by one lines later: its
// first line holds a value, and lines after it read as comments or
// assignments of their own. "" otherwise: a value meant to run over lines
// (groups or domains one per line) opens its quote at the end of the line.
func swallowedLines(f *dotenv.File, st dotenv.Statement) string {
	if st.Quote == 0 || st.ValLine == st.Line {
		return ""
	}
	lines := strings.Split(string(f.Data[st.ValStart:st.ValEnd]), "\n")
	if strings.TrimSpace(lines[0][1:]) == "" {
		return ""
	}
	inner := lines[1:]
	var comments, assigns int
	for _, l := range inner {
		switch m := statementLike.FindString(l); {
		case m == "":
		case strings.HasSuffix(strings.TrimSpace(m), "#"):
			comments++
		default:
			assigns++
		}
	}
	var what []string
	if comments > 0 {
		what = append(what, fmt.Sprintf("%d comment line(s)", comments))
	}
	if assigns > 0 {
		what = append(what, fmt.Sprintf("%d NAME=value line(s)", assigns))
	}
	return strings.Join(what, " and ")
}

// MergeEnv updates the gateway's Globus variables in an existing .env and
// keeps every other byte: other variables, comments, blank lines, an inline
// comment after a value, an "export " prefix. Variables we have no value for
// are left as they are (AUTHORIZED_GROUPS_PER_IDP unless one is stored; a
// stored one that means the same as the file's keeps the file's layout).
// Every assignment of a variable is replaced, since python-dotenv keeps the
// last. Variables missing from the file are appended under a comment header,
// as are the token-helper comments. Merging twice gives the same bytes.
//
// Comments are not edited, including an example file's outdated
// "comma-separated" advice: the values written show the right form.
func MergeEnv(existing []byte, doc vault.Doc) ([]byte, error) {
	return MergeEnvWith(existing, doc, EnvOptions{})
}

// MergeEnvWith is MergeEnv with options. With NoSecrets every statement of
// the two secrets is removed, not blanked: under load_dotenv(override=True)
// even an empty KEY= would beat the value `exec` passes. The first one's
// place gets a comment saying where the secret comes from instead; a later
// merge with the secrets puts each back there.
func MergeEnvWith(existing []byte, doc vault.Doc, o EnvOptions) ([]byte, error) {
	f, err := readEnvFile(existing)
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
	omit := map[string]bool{}
	var order []string
	for _, g := range gatewayVars() {
		if o.NoSecrets && g.secret() {
			omit[g.name] = true
			order = append(order, g.name)
			continue
		}
		items := g.values(doc)
		if len(items) == 0 {
			continue
		}
		tok, err := envValue(g, items, nl)
		if err != nil {
			return nil, err
		}
		tokens[g.name] = tok
		order = append(order, g.name)
	}
	assigned := map[string]bool{} // an assignment of the variable is in the file
	for _, st := range f.Statements {
		if st.HasValue {
			assigned[st.Key] = true
		}
	}
	comments := helperComments(doc)
	commentSeen := make([]bool, len(comments))
	present := map[string]bool{}

	var b bytes.Buffer
	// Where an earlier merge's block of added settings ends in b (-1: no
	// block): lines added now go under it, not under a second header. The
	// block is its header and the lines after it up to a blank line.
	blockEnd, inBlock := -1, false
	for _, st := range f.Statements {
		lead, text := existing[st.Start:st.LineStart], existing[st.LineStart:st.End]
		if inBlock && bytes.ContainsAny(lead, "\r\n") {
			inBlock, blockEnd = false, b.Len()
		}
		if blockEnd < 0 && !inBlock && st.Key == "" && string(bytes.TrimSpace(text)) == mergeHeader {
			inBlock = true
		}
		tok, ours := tokens[st.Key]
		switch {
		case st.Key != "" && omit[st.Key]:
			// The line goes; the first one leaves the comment behind.
			b.Write(lead)
			if !present[st.Key] {
				present[st.Key] = true
				b.WriteString(omittedComment(st.Key) + lineEnd(text, nl))
			}
		case st.Key != "" && st.HasValue && ours:
			present[st.Key] = true
			if st.Key == groupsPerIdP && sameGroupsPerIdP(st, doc) {
				b.Write(existing[st.Start:st.End])
				continue
			}
			b.Write(existing[st.Start:st.ValStart])
			b.WriteString(tok)
			b.Write(existing[st.ValEnd:st.End])
		case st.Key == "":
			b.Write(lead)
			if name, ok := omittedCommentOf(text); ok {
				switch {
				case present[name]: // a repeated one is dropped
				case omit[name]:
					present[name] = true
					b.WriteString(omittedComment(name) + lineEnd(text, nl))
				case tokens[name] != "" && !assigned[name]:
					// The secret goes back where it was left out.
					present[name] = true
					b.WriteString(name + "=" + tokens[name] + lineEnd(text, nl))
				case tokens[name] == "":
					b.Write(text) // nothing stored to put back: still true
				}
				continue
			}
			replaced := false
			for i, c := range comments {
				if bytes.HasPrefix(text, []byte(c.prefix)) {
					commentSeen[i] = true
					b.WriteString(c.String() + lineEnd(text, nl))
					replaced = true
					break
				}
			}
			if !replaced {
				b.Write(text)
			}
		default:
			b.Write(existing[st.Start:st.End])
		}
	}
	var add []string
	for _, name := range order {
		switch {
		case present[name]:
		case omit[name]:
			add = append(add, omittedComment(name))
		default:
			add = append(add, name+"="+tokens[name])
		}
	}
	for i, c := range comments {
		if !commentSeen[i] {
			add = append(add, c.String())
		}
	}
	if inBlock {
		blockEnd = b.Len()
	}
	endsLine := func(p []byte) bool { return bytes.HasSuffix(p, []byte("\n")) || bytes.HasSuffix(p, []byte("\r")) }
	switch {
	case len(add) > 0 && blockEnd >= 0:
		var under bytes.Buffer
		if !endsLine(b.Bytes()[:blockEnd]) {
			under.WriteString(nl)
		}
		for _, l := range add {
			under.WriteString(l + nl)
		}
		rest := append([]byte(nil), b.Bytes()[blockEnd:]...)
		b.Truncate(blockEnd)
		b.Write(under.Bytes())
		b.Write(rest)
	case len(add) > 0:
		if b.Len() > 0 && !endsLine(b.Bytes()) {
			b.WriteString(nl)
		}
		if b.Len() > 0 {
			b.WriteString(nl)
		}
		b.WriteString(mergeHeader + nl)
		for _, l := range add {
			b.WriteString(l + nl)
		}
	}
	if err := checkMerged(f, b.Bytes(), tokens, omit, doc); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// mergeHeader opens the block of settings a merge adds to a .env.
const mergeHeader = "# --- Globus settings added by globus-setup ---"

// checkMerged reads the merged file back as the gateway would: every
// variable not ours must read as before, ours as written, the secrets left
// out not at all. A quoted value that python-dotenv closed only by going
// back (one ending in \' or \") reaches on to the next quote written after
// it, so a line added below it could change it.
func checkMerged(orig *dotenv.File, merged []byte, tokens map[string]string, omit map[string]bool, doc vault.Doc) error {
	after, err := dotenv.Parse(merged)
	if err != nil {
		return err
	}
	was, now := bindingMap(orig), bindingMap(after)
	changed := func(key string) error {
		line := 0
		if b, ok := was[key]; ok {
			line = b.Line
		} else if b, ok := now[key]; ok {
			line = b.Line
		}
		for _, st := range orig.Statements {
			if st.HasValue && st.Quote != 0 && st.Line <= line && strings.Contains(string(orig.Data[st.ValStart:st.ValEnd]), `\`+string(st.Quote)) {
				return fmt.Errorf("line %d: merging would change how the gateway reads %s, as the quoted value of %s holds an escaped quote (\\%c) that python-dotenv pairs with a quote written after it; write that value without it (in the other kind of quotes, say), then merge again (nothing was written)", st.Line, key, st.Key, st.Quote)
			}
		}
		return fmt.Errorf("merging would change how the gateway reads %s (nothing was written): please report this, with the file's layout but not its values", key)
	}
	for _, key := range slices.Sorted(maps.Keys(unionKeys(was, now))) {
		g, ours := gatewayVarNamed(key)
		w, n := was[key], now[key]
		switch {
		case omit[key]:
			if n.Set {
				return changed(key)
			}
		case ours && tokens[key] != "":
			items := g.values(doc)
			got := n.Value
			if key == groupsPerIdP {
				got, _ = NormalizeGroupsPerIdP(got) // the file's layout may be kept
			}
			if !n.Set || (g.list && !slices.Equal(dotenv.Fields(got), items)) || (!g.list && got != items[0]) {
				return changed(key)
			}
		case w.Set != n.Set || w.Value != n.Value:
			return changed(key)
		}
	}
	if errs := unreadable(after); len(errs) > 0 {
		return fmt.Errorf("merging would leave a statement python-dotenv cannot read (nothing was written; please report this, with the file's layout but not its values): %w", errors.Join(errs...))
	}
	return nil
}

func bindingMap(f *dotenv.File) map[string]dotenv.Binding {
	m := map[string]dotenv.Binding{}
	for _, b := range f.Bindings() {
		m[b.Key] = b
	}
	return m
}

func unionKeys(a, b map[string]dotenv.Binding) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// lineEnd is the line break that ends text: its own, nl where it has none
// (the last line of a file), so what follows starts on a line of its own.
func lineEnd(text []byte, nl string) string {
	body := bytes.TrimRight(text, "\r\n")
	if len(body) == len(text) {
		return nl
	}
	return string(text[len(body):])
}

// omittedCommentOf recognises a comment omittedComment wrote.
func omittedCommentOf(text []byte) (string, bool) {
	for _, name := range SecretVariables() {
		if bytes.HasPrefix(text, []byte(omittedPrefix(name))) {
			return name, true
		}
	}
	return "", false
}

// sameGroupsPerIdP: the statement's AUTHORIZED_GROUPS_PER_IDP means what
// the stored one does, so its layout (the example's JSON over several
// lines) is kept.
func sameGroupsPerIdP(st dotenv.Statement, doc vault.Doc) bool {
	norm, err := NormalizeGroupsPerIdP(st.Value)
	return err == nil && norm == doc.Values[groupsPerIdPKey]
}

// EnvWarnings points out gateway list variables in an existing .env that the
// gateway would misread: it splits on blanks and ';', so "a,b" is one item;
// and statements python-dotenv cannot read. Messages name the variable and
// line, never a value.
func EnvWarnings(existing []byte) []string {
	f, err := dotenv.Parse(existing)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range unreadable(f) {
		out = append(out, e.Error())
	}
	for _, bd := range f.Bindings() {
		if g, ok := gatewayVarNamed(bd.Key); ok && g.list && bd.Set && strings.Contains(bd.Value, ",") {
			out = append(out, fmt.Sprintf("line %d: %s is comma-separated, but the gateway splits lists on blanks and ';' only; put one item per line", bd.Line, g.name))
		}
	}
	return out
}
