package tui

import (
	"strings"
	"testing"
)

// Advice the engine writes for the command line reads in the wizard's own
// keys: no command or flag is left that the wizard does not have.
func TestWizardWordsLeaveNoCommandLine(t *testing.T) {
	for in, want := range map[string]string{
		"not logged in to Globus: run `globus-setup login`":                                                                                                                                    "press L to log in",
		"log in again with `globus-setup login` and grant every scope asked for":                                                                                                               "press L to log in again and grant",
		"choose one and store its ID with `globus-setup set project.id ID`, then run apply again":                                                                                              "the Project ID field of step 1 (enter there), then press a again",
		"give them with --domains \"anl.gov uchicago.edu\" (or type them on the policy step), or store them with `globus-setup set policy.domains`":                                            "type them on the policy step",
		"give one with --contact-email (or type it on the project step), or store it with `globus-setup set project.contact_email`":                                                            "type it on the project step",
		"run `globus-setup login`, or add --as-client to act as the Service API app":                                                                                                           "press L to log in",
		"run `globus-setup scope create` to find or create it again":                                                                                                                           "press x on step 2 to find",
		"check the spelling, then run `globus-setup group add users bob@anl.gov`":                                                                                                              "press a on step 6",
		"register the public client (step 4) and store its ID with `globus-setup set public_client.client_id`, or log in once with any thick client's ID: `globus-setup login --client-id ID`": "L (log in) with that client's ID",
		"store it with `globus-setup set groups.users.members`":                                                                                                                                "field of step 6",
		"check `globus-setup get service_api.client_id` against the console":                                                                                                                   "v (values)",
		// What steps.Redrive and a refused check advise (steps.LoginCommand):
		"run `globus-setup login --mfa --domain anl.gov` in a terminal, then run this again":                                                                                                        "try again here and sign in as asked",
		"sign in meeting exactly that (`globus-setup login --client-id 0b4d5a1e-2f5c-4c1a-9a57-1d2f3e4a5b6c --mfa`), then run this again; if your account cannot, ask the project's administrators": "sign in meeting exactly that when you try again here (the wizard opens that sign-in page); if your account cannot",
		"run `globus-setup login --policy 'a b'`, then run this again":                                                                                                                              "try again here and sign in as asked",
		"listing your projects (403) — Globus asks you to sign in again with MFA (a second factor): run `globus-setup login --client-id 0b4d5a1e --mfa`":                                            "Globus asks you to sign in again with MFA (a second factor)",
	} {
		got := wizardWords(in)
		if !strings.Contains(got, want) {
			t.Errorf("wizardWords(%q) = %q, want it to say %q", in, got, want)
		}
		if strings.Contains(got, "globus-setup ") || strings.Contains(got, " --") || strings.Contains(got, "`") {
			t.Errorf("wizardWords(%q) = %q still names the command line", in, got)
		}
	}
}

// While a text field has the keys a bare letter is typed in, so advice
// naming one says esc first; other words are left alone.
func TestKeysWhileTyping(t *testing.T) {
	for in, want := range map[string]string{
		"press L to log in again":    "press esc, then L to log in again",
		"Press a again":              "Press esc, then a again",
		"press enter to start":       "press enter to start",
		"expressly pressed keys too": "expressly pressed keys too",
	} {
		if got := keysWhileTyping(in); got != want {
			t.Errorf("keysWhileTyping(%q) = %q, want %q", in, got, want)
		}
	}
}
