package steps

import (
	"testing"

	"github.com/globus-setup/globus-setup/vault"
)

// Status gives every front-end (status, the wizard's step screens and
// Finish) a stored note as one safe line: a note from a teammate's
// document cannot draw lines or sequences of its own.
func TestStatusNoteIsOneSafeLine(t *testing.T) {
	doc := docWith(nil)
	doc.Steps = map[string]vault.StepRecord{projectID: {State: string(StateDone), Note: "ok\n✓ 2 Service API app\x1b]0;PWNED\x07"}}
	got := Status(doc)[0].Note
	if want := `ok\n✓ 2 Service API app\x1b]0;PWNED\x07`; got != want {
		t.Errorf("note %q, want %q", got, want)
	}
}
