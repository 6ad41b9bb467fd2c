package steps

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Validators turn what an operator typed or pasted into the stored form, or
// say precisely what is wrong. No message repeats a value that could be a
// secret: pasting into the wrong field is the commonest mistake here.

const uuidExample = "expected a UUID like 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d (36 characters, 8-4-4-4-12 hex digits)"

var errSecretInIDField = errors.New("this looks like a client secret, not an ID: IDs are UUIDs (8-4-4-4-12 hex digits, e.g. 'Client UUID' on an app's page); the secret belongs in the secret field")

var uuidInText = regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// Validate checks and normalises raw for key.
func Validate(key, raw string) (string, error) {
	spec, ok := Spec(key)
	if !ok {
		return "", fmt.Errorf("unknown key %q", key)
	}
	// The gateway refuses to start unless GLOBUS_POLICIES holds exactly one
	// policy (inference_gateway/apps.py): say so rather than "paste one".
	if key == "policy.id" && len(uuidInText.FindAllString(raw, -1)) > 1 {
		return "", errors.New("the gateway takes exactly one policy (it refuses to start with more in GLOBUS_POLICIES): store only the high-assurance policy's ID")
	}
	return validateKind(spec.Kind, raw)
}

func validateKind(k Kind, raw string) (string, error) {
	switch k {
	case KindUUID:
		return NormalizeUUID(raw)
	case KindSecret:
		return ValidateSecret(raw)
	case KindText:
		return ValidateText(raw)
	case KindEmail:
		return ValidateEmail(raw)
	case KindDomains:
		return NormalizeDomains(raw)
	case KindUsernames:
		return NormalizeUsernames(raw)
	case KindDuration:
		return NormalizeDuration(raw)
	case KindScopeString:
		return ValidateScopeString(raw)
	case KindGroupsPerIdP:
		return NormalizeGroupsPerIdP(raw)
	}
	return "", fmt.Errorf("no validator for kind %v", k)
}

// unwrap trims blanks and any pairs of matching quotes around a pasted value,
// as copied from JSON, a .env file or a shell line.
func unwrap(raw string) string {
	s := strings.TrimSpace(raw)
	for len(s) >= 2 {
		f, l := s[0], s[len(s)-1]
		if f != l || (f != '"' && f != '\'' && f != '`') {
			break
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func isPlaceholder(s string) bool {
	return len(s) >= 2 && s[0] == '<' && s[len(s)-1] == '>'
}

// isUUIDShape: 8-4-4-4-12 hex digits, either case.
func isUUIDShape(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !isHex(c) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// SecretInIDField reports that a value was refused because it looks like a
// client secret typed into an ID field: the screen then hides it.
func SecretInIDField(err error) bool { return errors.Is(err, errSecretInIDField) }

// LooksLikeSecret reports whether s (blanks and quotes around it aside)
// has the shape of a Globus client secret: the wizard lets a paste pass an
// empty ID field for a secret field only then.
func LooksLikeSecret(s string) bool { return looksLikeSecret(unwrap(s)) }

// looksLikeSecret spots a Globus client secret: about 44 characters of
// base64, with '+', '/' or '=' or both letter cases, and not a UUID.
func looksLikeSecret(s string) bool {
	if len(s) < 32 || len(s) > 100 || isUUIDShape(s) {
		return false
	}
	var upper, lower, special bool
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9', c == '-', c == '_':
		case c == '+' || c == '/' || c == '=':
			special = true
		default:
			return false
		}
	}
	return special || (upper && lower)
}

// NormalizeUUID accepts a UUID with blanks or quotes around it, in either
// case, and returns it in lower case.
func NormalizeUUID(raw string) (string, error) {
	s := unwrap(raw)
	switch {
	case s == "":
		return "", errors.New("empty: " + uuidExample)
	case looksLikeSecret(s):
		return "", errSecretInIDField
	case isPlaceholder(s):
		return "", errors.New("that is a placeholder from an example, not an ID: " + uuidExample)
	case strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") && isUUIDShape(s[1:len(s)-1]):
		return "", errors.New("remove the braces: " + uuidExample)
	case len(s) > 9 && strings.EqualFold(s[:9], "urn:uuid:") && isUUIDShape(s[9:]):
		return "", errors.New("remove the urn:uuid: prefix: " + uuidExample)
	}
	if isUUIDShape(s) {
		u := strings.ToLower(s)
		if strings.Trim(u, "0-") == "" {
			return "", errors.New("that is the all-zero UUID, a placeholder rather than a real ID")
		}
		return u, nil
	}
	if n := len(uuidInText.FindAllString(s, -1)); n == 1 && !isHexOrDash(s) {
		return "", errors.New("found a UUID inside a longer text; paste only the UUID itself (36 characters)")
	} else if n > 1 {
		return "", fmt.Errorf("found %d UUIDs; paste only one", n)
	}
	n := utf8.RuneCountInString(s)
	if n == 32 && isAllHex(s) {
		return "", errors.New("the dashes are missing: " + uuidExample)
	}
	if n != 36 {
		return "", fmt.Errorf("%s; got %d characters", uuidExample, n)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", fmt.Errorf("%s; character %d should be '-'", uuidExample, i+1)
			}
		default:
			if !isHex(c) {
				if c < utf8.RuneSelf && unicode.IsPrint(rune(c)) && c != ' ' {
					return "", fmt.Errorf("%s; character %d, %q, is not a hex digit (0-9, a-f)", uuidExample, i+1, string(c))
				}
				return "", fmt.Errorf("%s; character %d is not a hex digit (0-9, a-f)", uuidExample, i+1)
			}
		}
	}
	return "", errors.New(uuidExample) // unreachable: a 36-character hex-and-dash string is a UUID
}

func isHexOrDash(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) && s[i] != '-' {
			return false
		}
	}
	return true
}

func isAllHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// ValidateSecret accepts a client secret: one word of printable ASCII.
func ValidateSecret(raw string) (string, error) {
	s := unwrap(raw)
	switch {
	case s == "":
		return "", errors.New("empty: paste the client secret shown once after Generate Secret")
	case isPlaceholder(s):
		return "", errors.New("that is a placeholder from an example, not a client secret")
	case isUUIDShape(s):
		return "", errors.New("this is a UUID, which looks like a client ID rather than a client secret; the secret is the text of about 44 characters shown once after Generate Secret")
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return "", errors.New("contains a space or line break; a client secret is one word, copy it again")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return "", errors.New("contains a character that is not printable ASCII; copy the secret again")
		}
	}
	if len(s) < 16 {
		return "", fmt.Errorf("only %d characters; Globus client secrets are about 44, was it cut off?", len(s))
	}
	if len(s) > 512 {
		return "", fmt.Errorf("%d characters is too long for a client secret (about 44 expected)", len(s))
	}
	return s, nil
}

// ValidateText accepts one line of text (names, descriptions), trimmed.
func ValidateText(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", errors.New("empty: type a name")
	case !utf8.ValidString(s):
		return "", errors.New("not valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }):
		return "", errors.New("must be one line")
	case strings.ContainsFunc(s, unicode.IsControl):
		return "", errors.New("contains a control character (such as an escape sequence): type plain text")
	case strings.ContainsFunc(s, isBidiControl):
		return "", errors.New("contains an invisible text-direction character (such as U+200F or U+202E): type plain text")
	case looksLikeSecret(s):
		return "", errors.New("this looks like a client secret; it belongs in a secret field, not here")
	case utf8.RuneCountInString(s) > 200:
		return "", fmt.Errorf("%d characters is too long; keep it under 200", utf8.RuneCountInString(s))
	}
	return s, nil
}

// maxDescription bounds a description. Unverified: no Globus source states
// a limit for group descriptions; this one is generous and keeps a request
// (and any screen that shows it) sane.
const maxDescription = 1000

// ValidateDescription accepts free text that may be empty and span lines
// (a group's description), trimmed. Like ValidateText it refuses control
// characters other than newline and tab, and text-direction overrides.
func ValidateDescription(raw string) (string, error) {
	s := strings.TrimSpace(strings.ReplaceAll(raw, "\r\n", "\n"))
	switch {
	case !utf8.ValidString(s):
		return "", errors.New("not valid UTF-8 text")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' }):
		return "", errors.New("contains a control character (such as an escape sequence): type plain text")
	case strings.ContainsFunc(s, isBidiControl):
		return "", errors.New("contains an invisible text-direction character (such as U+200F or U+202E): type plain text")
	case looksLikeSecret(s):
		return "", errors.New("this looks like a client secret; it does not belong in a description")
	case utf8.RuneCountInString(s) > maxDescription:
		return "", fmt.Errorf("%d characters is too long; keep it under %d", utf8.RuneCountInString(s), maxDescription)
	}
	return s, nil
}

// isBidiControl: Unicode's text-direction controls (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069), which can make text read differently from
// what it holds ("Trojan Source", CVE-2021-42574), as termsafe.Bidi.
func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// ValidateEmail accepts a bare address (no display name), domain lower-cased.
func ValidateEmail(raw string) (string, error) {
	s := unwrap(raw)
	if s == "" {
		return "", errors.New("empty: type an e-mail address like ops@anl.gov")
	}
	if strings.ContainsAny(s, "<>") {
		return "", errors.New("type only the address, like ops@anl.gov, without a name or angle brackets")
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") || local == "" {
		return "", errors.New("expected one address like ops@anl.gov")
	}
	return joinAddress(local, domain)
}

// joinAddress checks both halves of an e-mail address or username and joins
// them, the domain normalised.
func joinAddress(local, domain string) (string, error) {
	if !validLocal(local) {
		return "", errors.New("the part before '@' may hold only letters, digits and . _ % + - '")
	}
	d, err := normalizeDomain(domain)
	if err != nil {
		return "", fmt.Errorf("after '@': %w", err)
	}
	return local + "@" + strings.ToLower(d), nil
}

func validLocal(s string) bool {
	if s == "" || len(s) > 64 || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._%+-'", c) >= 0) {
			return false
		}
	}
	return true
}

// containsSecretLike reports a secret-like run of base64 characters anywhere
// in s, e.g. a secret with "@anl.gov" typed after it.
func containsSecretLike(s string) bool {
	isB64 := func(c byte) bool {
		return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || strings.IndexByte("+/=_-", c) >= 0
	}
	for i := 0; i < len(s); {
		if !isB64(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isB64(s[j]) {
			j++
		}
		if looksLikeSecret(s[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// showItem quotes a list item for a message unless it could be a secret.
func showItem(i int, s string) string {
	if containsSecretLike(s) || len(s) > 80 || !utf8.ValidString(s) || strings.ContainsFunc(s, unicode.IsControl) {
		return fmt.Sprintf("item %d", i+1)
	}
	return strconv.Quote(s)
}

// NormalizeDomains accepts identity-provider domains separated by commas,
// semicolons, blanks or line breaks, and stores them as typed (case kept),
// de-duplicated, in the order given, separated by single spaces. Case is
// kept because the gateway's start-up check compares the policy's domains
// with AUTHORIZED_IDP_DOMAINS exactly, case included
// (inference_gateway/apps.py): a policy holding ANL.gov needs ANL.gov.
//
// A domain is a DNS name with at least one dot (anl.gov). Refused, each with
// its own message: "@anl.gov" and user@anl.gov (type the part after '@'),
// URLs, wildcards (the gateway compares the part after '@' of a username
// exactly, so "*.edu" would match nobody), single labels such as "anl", IP
// addresses and non-ASCII names (use the xn-- form).
func NormalizeDomains(raw string) (string, error) {
	return normalizeList(raw, normalizeDomain, "empty: type at least one domain, e.g. anl.gov")
}

// normalizeList normalises each item of a list value with norm and joins the
// results, de-duplicated in order, with single spaces; empty is the message
// when no item is left.
func normalizeList(raw string, norm func(string) (string, error), empty string) (string, error) {
	var out []string
	seen := map[string]bool{}
	for i, it := range SplitList(raw) {
		it = unwrap(it)
		if it == "" {
			continue
		}
		v, err := norm(it)
		if err != nil {
			return "", fmt.Errorf("%s: %w", showItem(i, it), err)
		}
		// Case-blind: anl.gov and ANL.gov name one domain; the first
		// spelling is kept.
		if k := strings.ToLower(v); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return "", errors.New(empty)
	}
	return strings.Join(out, " "), nil
}

func normalizeDomain(orig string) (string, error) {
	s := strings.ToLower(orig) // checked in lower case, kept as typed
	switch {
	case strings.Contains(s, "://") || strings.HasPrefix(s, "www."):
		return "", errors.New("that is a web address; type only the identity provider's domain, e.g. anl.gov")
	case strings.HasPrefix(s, "@"):
		return "", errors.New("write the domain without the '@', e.g. anl.gov")
	case strings.Contains(s, "@"):
		return "", errors.New("that is a username or e-mail address; type only the part after '@'")
	case strings.Contains(s, "*"):
		return "", errors.New("wildcards are not allowed: the gateway compares domains exactly, so list each one")
	case strings.ContainsFunc(s, func(r rune) bool { return r >= utf8.RuneSelf }):
		return "", errors.New("non-ASCII name: use its ASCII (xn--) form")
	}
	s = strings.TrimSuffix(s, ".")
	if len(s) > 253 {
		return "", errors.New("longer than 253 characters, too long for a domain")
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return "", errors.New("has no dot; an identity provider's domain looks like anl.gov")
	}
	for _, l := range labels {
		if l == "" {
			return "", errors.New("has an empty part between dots")
		}
		if len(l) > 63 {
			return "", errors.New("a part between dots is longer than 63 characters")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return "", errors.New("a part between dots starts or ends with '-'")
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return "", errors.New("a domain holds only letters, digits, '-' and '.'")
			}
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", errors.New("that is an IP address; type the identity provider's domain, e.g. anl.gov")
	}
	return strings.TrimSuffix(orig, "."), nil
}

// NormalizeUsernames accepts Globus usernames (alice@anl.gov) or identity
// UUIDs, separated like domains; stored lower-case, de-duplicated, in order,
// separated by single spaces.
func NormalizeUsernames(raw string) (string, error) {
	return normalizeList(raw, normalizeUsername, "empty: type at least one Globus username, e.g. alice@anl.gov")
}

func normalizeUsername(s string) (string, error) {
	if isUUIDShape(s) {
		return NormalizeUUID(s)
	}
	if looksLikeSecret(s) {
		return "", errors.New("this looks like a client secret, not a username")
	}
	local, domain, ok := strings.Cut(strings.ToLower(s), "@")
	if !ok {
		return "", errors.New("a Globus username looks like alice@anl.gov; or paste the identity's UUID")
	}
	if local == "" || strings.Contains(domain, "@") {
		return "", errors.New("expected one '@' with a name before it, like alice@anl.gov")
	}
	return joinAddress(local, domain)
}

var durationUnits = map[string]int64{
	"s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
	"m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
	"h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
	"d": 86400, "day": 86400, "days": 86400,
}

// Bounds for the policy's authentication assurance timeout: under a minute
// would send users back to the login page on nearly every request.
const (
	MinDurationSeconds = 60
	MaxDurationSeconds = 30 * 86400
)

// NormalizeDuration accepts "28800", "3600s", "30m", "8h", "1d", "1h30m" or
// "8 hours" and stores whole seconds as a decimal string.
func NormalizeDuration(raw string) (string, error) {
	s := strings.ToLower(unwrap(raw))
	s = strings.Join(strings.Fields(s), "")
	if s == "" {
		return "", errors.New("empty: type a duration like 8h, 30m or 28800 (seconds)")
	}
	var total int64
	for rest, first := s, true; ; first = false {
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		if j == 0 {
			if strings.HasPrefix(rest, "-") {
				return "", errors.New("must be positive")
			}
			return "", errors.New("expected a number, e.g. 8h, 30m or 28800 (seconds)")
		}
		if j > 9 {
			return "", fmt.Errorf("too long; at most %d days", MaxDurationSeconds/86400)
		}
		n, _ := strconv.ParseInt(rest[:j], 10, 64)
		rest = rest[j:]
		if strings.HasPrefix(rest, ".") || strings.HasPrefix(rest, ",") {
			return "", errors.New("use whole numbers, e.g. 90m rather than 1.5h")
		}
		k := 0
		for k < len(rest) && rest[k] >= 'a' && rest[k] <= 'z' {
			k++
		}
		unit := int64(1)
		if k > 0 {
			u, ok := durationUnits[rest[:k]]
			if !ok {
				return "", errors.New("unknown unit; use s, m, h or d, e.g. 8h, 90m or 28800")
			}
			unit = u
		} else if rest != "" || !first {
			return "", errors.New("expected a unit (s, m, h, d) after each number, e.g. 1h30m")
		}
		rest = rest[k:]
		total += n * unit
		if total > MaxDurationSeconds {
			return "", fmt.Errorf("too long; at most %d days (%d seconds)", MaxDurationSeconds/86400, MaxDurationSeconds)
		}
		if rest == "" {
			break
		}
	}
	if total < MinDurationSeconds {
		return "", fmt.Errorf("too short; at least %d seconds (1m), e.g. 8h", MinDurationSeconds)
	}
	return strconv.FormatInt(total, 10), nil
}

// ValidateScopeString accepts a scope string as Globus Auth returns it.
func ValidateScopeString(raw string) (string, error) {
	s := unwrap(raw)
	switch {
	case s == "":
		return "", errors.New("empty: expected a scope string like https://auth.globus.org/scopes/<client ID>/action_all")
	case strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r >= utf8.RuneSelf }):
		return "", errors.New("a scope string has no blanks or non-ASCII characters")
	case len(s) > 512:
		return "", errors.New("too long for a scope string")
	case strings.HasPrefix(s, "urn:globus:auth:scope:"):
		return s, nil
	case strings.HasPrefix(s, "https://") && strings.Contains(s, "/scopes/"):
		return s, nil
	}
	return "", errors.New("expected a scope string like https://auth.globus.org/scopes/<client ID>/action_all")
}
