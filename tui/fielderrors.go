package tui

import (
	"errors"

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
