// Package dotenv reads a .env file exactly as python-dotenv does, which is
// how the inference gateway reads its settings (inference_gateway/settings.py:
// load_dotenv(override=True); the gateway locks python-dotenv 1.2.1 in its
// uv.lock). The grammar is python-dotenv's own (src/dotenv/parser.py, the
// same in 1.2.1 and 1.2.2), its regular expressions carried over one for
// one: Go's regexp picks the match a backtracking engine would, as Python's
// re does, so a statement python-dotenv cannot read, a quoted value that
// runs over several lines, or a quote that swallows the lines after it, are
// read here the same way. Values are expanded as src/dotenv/main.py
// (resolve_variables) and variables.py do. It imports nothing of ours.
package dotenv

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Python's \s in a str pattern: the characters str.isspace() accepts.
const (
	pySpace       = `\t\n\x0b\x0c\r\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}`
	pySpaceNoLine = `\t\x0b\x0c\x1c-\x1f \x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}` // [^\S\r\n]
)

// parser.py's expressions, each anchored where the reader stands.
var (
	reMultilineWS = regexp.MustCompile(`^[` + pySpace + `]*`)
	reWhitespace  = regexp.MustCompile(`^[` + pySpaceNoLine + `]*`)
	reExport      = regexp.MustCompile(`^(?:export[` + pySpaceNoLine + `]+)?`)
	reQuotedKey   = regexp.MustCompile(`^'([^']+)'`)
	reUnquotedKey = regexp.MustCompile(`^([^=#` + pySpace + `]+)`)
	reEqualSign   = regexp.MustCompile(`^(=[` + pySpaceNoLine + `]*)`)
	reSingleValue = regexp.MustCompile(`^'((?:\\'|[^'])*)'`)
	reDoubleValue = regexp.MustCompile(`^"((?:\\"|[^"])*)"`)
	reUnquoted    = regexp.MustCompile(`^([^\r\n]*)`)
	reComment     = regexp.MustCompile(`^(?:[` + pySpaceNoLine + `]*#[^\r\n]*)?`)
	reEndOfLine   = regexp.MustCompile(`^[` + pySpaceNoLine + `]*(?:\r\n|\n|\r|$)`)
	reRestOfLine  = regexp.MustCompile(`^[^\r\n]*(?:\r|\n|\r\n)?`)
	// parse_unquoted_value: re.sub(r"\s+#.*", "", part).rstrip()
	reInlineComment = regexp.MustCompile(`[` + pySpace + `]+#.*`)
	reDoubleEscapes = regexp.MustCompile(`\\[\\'"abfnrtv]`)
	reSingleEscapes = regexp.MustCompile(`\\[\\']`)
	// variables.py's _posix_variable: ${NAME} and ${NAME:-default}
	reVariable = regexp.MustCompile(`\$\{([^}:]*)(?::-([^}]*))?\}`)
	reNewline  = regexp.MustCompile(`\r\n|\n|\r`)
)

// Statement is one of python-dotenv's bindings: an assignment, a key with
// no '=', a comment or blank line, or a statement it cannot parse.
type Statement struct {
	// Start and End are its bytes in the file, through its line break.
	// Start includes the blank lines and indentation before it, as
	// python-dotenv counts them; LineStart is where its first line with
	// anything on it begins.
	Start, End, LineStart int
	Line                  int // 1-based line of its first non-blank character
	// ValLine is the line its value ends on: after Line only for a
	// quoted value that runs over several lines (python-dotenv reads on to
	// the closing quote, however far).
	ValLine          int
	Key              string // "" for comments, blank lines and errors
	KeyStart, KeyEnd int    // the key as written (quotes included)
	// HasValue: the key is followed by '='. A key alone sets nothing
	// (python-dotenv's None: load_dotenv leaves the variable as it is).
	HasValue         bool
	ValStart, ValEnd int    // the value as written, quotes included
	Quote            byte   // '\'', '"' or 0 (unquoted)
	Value            string // decoded, not yet expanded
	// Err: python-dotenv cannot parse the statement; it logs a warning
	// and skips it (the rest of its line goes with it).
	Err bool
}

// Text is the statement from its first line with anything on it.
func (s Statement) Text(data []byte) []byte { return data[s.LineStart:s.End] }

// File is a parsed .env.
type File struct {
	Data       []byte
	Statements []Statement
}

// NotTextError: the file is not UTF-8 text, which python-dotenv cannot
// read at all (it opens the file as utf-8: the gateway would stop).
type NotTextError struct {
	Line int
	What string // "a NUL byte", "bytes that are not UTF-8"
}

func (e *NotTextError) Error() string {
	return fmt.Sprintf("line %d: %s, so this is not a text file python-dotenv can read", e.Line, e.What)
}

// Parse reads data as python-dotenv does. The only error is a
// *NotTextError; a statement python-dotenv cannot parse is a Statement
// with Err set, as python-dotenv goes on after it.
func Parse(data []byte) (*File, error) {
	if !utf8.Valid(data) {
		return nil, &NotTextError{Line: lineAt(data, firstInvalid(data)), What: "bytes that are not UTF-8"}
	}
	// python-dotenv reads a NUL as any other character; a file with one is
	// something else than a .env (a binary, an encrypted vault).
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, &NotTextError{Line: lineAt(data, i), What: "a NUL byte"}
	}
	f := &File{Data: data}
	line := 1
	for pos := 0; pos < len(data); {
		st, next := parseStatement(data, pos)
		st.Line = line + newlines(data[pos:st.LineStart])
		st.ValLine = st.Line
		if st.HasValue && st.ValEnd > st.LineStart {
			st.ValLine += newlines(data[st.LineStart:st.ValEnd])
		}
		line += newlines(data[pos:next])
		st.End = next
		f.Statements = append(f.Statements, st)
		pos = next
	}
	return f, nil
}

// parseStatement is parse_binding: one statement from pos; next is where
// the following one starts.
func parseStatement(data []byte, pos int) (st Statement, next int) {
	st.Start = pos
	match := func(re *regexp.Regexp) ([]int, bool) {
		m := re.FindSubmatchIndex(data[pos:])
		if m == nil {
			return nil, false
		}
		for i := range m {
			if m[i] >= 0 {
				m[i] += pos
			}
		}
		pos = m[1]
		return m, true
	}
	m, _ := match(reMultilineWS)
	st.LineStart = lineStart(data, st.Start, m[1])
	if pos >= len(data) {
		return st, pos // only blanks left: nothing, and no error
	}
	fail := func() (Statement, int) {
		match(reRestOfLine)
		return Statement{Start: st.Start, LineStart: st.LineStart, Err: true}, pos
	}
	match(reExport)
	switch {
	case pos < len(data) && data[pos] == '#':
	case pos < len(data) && data[pos] == '\'':
		k, ok := match(reQuotedKey)
		if !ok {
			return fail()
		}
		st.Key, st.KeyStart, st.KeyEnd = universalNewlines(string(data[k[2]:k[3]])), k[0], k[1]
	default:
		k, ok := match(reUnquotedKey)
		if !ok {
			return fail()
		}
		st.Key, st.KeyStart, st.KeyEnd = string(data[k[2]:k[3]]), k[0], k[1]
	}
	match(reWhitespace)
	if st.Key != "" && pos < len(data) && data[pos] == '=' {
		// parse_key returned None for a comment, so '=' can follow only a key.
		match(reEqualSign)
		st.HasValue = true
		st.ValStart = pos
		var ok bool
		if st.Value, st.Quote, st.ValEnd, ok = parseValue(data, &pos); !ok {
			return fail()
		}
	}
	match(reComment)
	if _, ok := match(reEndOfLine); !ok {
		return fail()
	}
	return st, pos
}

// parseValue is parse_value, from *pos; end is where the value as written
// ends (an unquoted one before its inline comment and trailing blanks); ok
// is false where python-dotenv raises its parse error.
func parseValue(data []byte, pos *int) (value string, quote byte, end int, ok bool) {
	start, rest := *pos, data[*pos:]
	var re *regexp.Regexp
	switch {
	case len(rest) == 0 || rest[0] == '\n' || rest[0] == '\r':
		return "", 0, start, true
	case rest[0] == '\'':
		re, quote = reSingleValue, '\''
	case rest[0] == '"':
		re, quote = reDoubleValue, '"'
	default:
		m := reUnquoted.FindSubmatchIndex(rest)
		*pos += m[1]
		part := rest[m[2]:m[3]]
		// re.sub(r"\s+#.*", "", part) cuts at the first match: nothing
		// in part ends a line, so ".*" runs to its end.
		if c := reInlineComment.FindIndex(part); c != nil {
			part = part[:c[0]]
		}
		v := strings.TrimRightFunc(string(part), IsSpace)
		return v, 0, start + len(v), true
	}
	m := re.FindSubmatchIndex(rest)
	if m == nil {
		return "", 0, start, false
	}
	*pos += m[1]
	end = *pos
	// Python reads the file with universal newlines: a line break inside
	// the quotes is "\n" whatever the file holds.
	raw := universalNewlines(string(rest[m[2]:m[3]]))
	if quote == '\'' {
		return reSingleEscapes.ReplaceAllStringFunc(raw, func(s string) string { return s[1:] }), quote, end, true
	}
	return reDoubleEscapes.ReplaceAllStringFunc(raw, decodeEscape), quote, end, true
}

// decodeEscape is codecs.decode(s, "unicode-escape") for the two-character
// escapes python-dotenv decodes in double quotes.
func decodeEscape(s string) string {
	switch s[1] {
	case 'a':
		return "\a"
	case 'b':
		return "\b"
	case 'f':
		return "\f"
	case 'n':
		return "\n"
	case 'r':
		return "\r"
	case 't':
		return "\t"
	case 'v':
		return "\v"
	}
	return s[1:] // \\ \' \"
}

func universalNewlines(s string) string {
	if !strings.ContainsRune(s, '\r') {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// Binding is what load_dotenv(override=True) makes of one variable.
type Binding struct {
	Key string
	// Set: the file sets the variable, over the environment (an empty
	// value too). False for a key with no '=': the environment's stays.
	Set   bool
	Value string // expanded; meaningful when Set
	// Statement is the index of the statement that decides it: python-
	// dotenv keeps the last.
	Statement int
	Line      int
	// FromEnv names the ${NAME}s the value takes from the environment
	// (not set earlier in the file): what they give cannot be known here,
	// and Value holds what an environment without them gives.
	FromEnv []string
}

// Bindings is what the file sets, variable by variable, in the order
// python-dotenv first meets them, each with the last statement's value.
func (f *File) Bindings() []Binding {
	var order []string
	byKey := map[string]Binding{}
	for i, st := range f.Statements {
		if st.Key == "" || st.Err {
			continue
		}
		b := Binding{Key: st.Key, Statement: i, Line: st.Line, Set: st.HasValue}
		if st.HasValue {
			b.Value, b.FromEnv = expand(st.Value, byKey)
		}
		if _, seen := byKey[st.Key]; !seen {
			order = append(order, st.Key)
		}
		byKey[st.Key] = b
	}
	out := make([]Binding, len(order))
	for i, k := range order {
		out[i] = byKey[k]
	}
	return out
}

// Lookup is the binding of key, if the file has one.
func (f *File) Lookup(key string) (Binding, bool) {
	for _, b := range f.Bindings() {
		if b.Key == key {
			return b, true
		}
	}
	return Binding{}, false
}

// expand is resolve_variables with override=True: a ${NAME} set earlier
// in the file takes the file's value (an unset one ""), any other the
// environment's, else its default.
func expand(value string, earlier map[string]Binding) (string, []string) {
	var fromEnv []string
	out := reVariable.ReplaceAllStringFunc(value, func(ref string) string {
		m := reVariable.FindStringSubmatchIndex(ref)
		name := ref[m[2]:m[3]]
		def := ""
		if m[4] >= 0 {
			def = ref[m[4]:m[5]]
		}
		if b, ok := earlier[name]; ok {
			if !b.Set {
				return "" // python-dotenv's None resolves to ""
			}
			return b.Value
		}
		fromEnv = append(fromEnv, name)
		return def
	})
	return out, fromEnv
}

// IsSpace is Python's str.isspace() for one character.
func IsSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, ' ', 0x85, 0xa0,
		0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

// Fields splits a value into items as the gateway's textfield_to_strlist
// does (inference_gateway/utils.py: re.split(r"[\s;]+", text.strip()),
// empty items dropped): on whitespace and ';', never on commas.
func Fields(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ';' || IsSpace(r) })
}

// lineStart is where the line holding i begins, not before from.
func lineStart(data []byte, from, i int) int {
	for j := i; j > from; j-- {
		if data[j-1] == '\n' || data[j-1] == '\r' {
			return j
		}
	}
	return from
}

func newlines(b []byte) int { return len(reNewline.FindAllIndex(b, -1)) }

func lineAt(data []byte, i int) int { return 1 + newlines(data[:i]) }

func firstInvalid(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(data)
}
