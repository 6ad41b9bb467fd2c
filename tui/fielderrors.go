package tui

import "errors"

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
