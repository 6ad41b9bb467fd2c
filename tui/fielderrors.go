package tui

import (
	"errors"
	"strings"

	"github.com/charmbracelet/huh"

	"github.com/globus-setup/globus-setup/steps"
)

// fieldProblem is the message for a value a field refused. A client secret
// pasted into an ID field is cleared from it, so it does not stay on screen
// in plain text, and the message says so.
func fieldProblem(in *huh.Input, err error, value string) string {
	if steps.SecretInIDField(err) {
		setInput(in, "")
		return "That looked like a client secret, so it was cleared from this ID field (a secret is never shown): " +
			"IDs are UUIDs (8-4-4-4-12 hex digits); paste the secret in the secret field."
	}
	return safeMessage(err.Error(), value)
}

// fieldErrors extracts per-field messages from steps.Accept's error.
func fieldErrors(err error) map[string]string {
	var fe interface{ FieldErrors() map[string]error }
	if !errors.As(err, &fe) {
		return nil
	}
	out := map[string]string{}
	for k, e := range fe.FieldErrors() {
		out[k] = e.Error()
	}
	return out
}

// whileTyping is the complaint about v, refused for key as it stands,
// while it is still being typed: "" when typing on could make it valid (a
// UUID cut short, a secret not yet whole, a domain before its dot), so it
// waits until the field is left or the form submitted. A character that can
// never be right (a non-hex digit in a UUID) is said at once, by its place
// rather than as a length.
func whileTyping(key, v, refused string) string {
	if v == "" {
		return refused // the field was cleared (a secret in an ID field): say why now
	}
	for _, more := range completions(len(v)) {
		if _, err := steps.Validate(key, v+more); err == nil {
			return ""
		}
	}
	if n := len(v); n < len(uuidTemplate) && strings.Contains(refused, "got ") {
		if _, err := steps.Validate(key, v+uuidTemplate[n:]); err != nil && strings.Contains(err.Error(), "; character ") {
			return safeMessage(err.Error(), v)
		}
	}
	return refused
}

// uuidTemplate completes a UUID cut short.
const uuidTemplate = "00000000-0000-4000-8000-000000000001"

// completions are endings that make a value cut short whole: the rest of
// a UUID, of a client secret (about 44 characters), of a domain or an
// e-mail address.
func completions(n int) []string {
	out := []string{".org", "x.org", "@example.org", "example.org"}
	if n < len(uuidTemplate) {
		out = append(out, uuidTemplate[n:])
	}
	if n < 44 {
		out = append(out, strings.Repeat("A", 44-n))
	}
	return out
}
