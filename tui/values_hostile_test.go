package tui

import (
	"testing"
)

// The values screen shows every key of the document and may reveal a
// secret: both can come from a teammate's commit, so both are shown
// escaped. (The vault refuses such a key when it reads a document; this is
// the screen's own guard.)
func TestValuesScreenEscapesKeysAndRevealedSecrets(t *testing.T) {
	t.Run("a key name holding escape sequences", func(t *testing.T) {
		cfg, _, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		m := openOn(t, cfg, 0)
		m.shell.doc.Values["groups."+hostile+".id"] = "6f1c0f4e-1d9b-4f6e-9a57-0c1d2e3f4a5b"
		m.shell.goTo(m.shell.valuesIndex())
		assertSafeView(t, m, "values")
	})
	t.Run("a revealed secret too wide to sit beside its key", func(t *testing.T) {
		cfg, _, _ := testConfig(t)
		cfg = unlocked(t, cfg)
		m := openOn(t, cfg, 0)
		m.shell.doc.Values["service_api.client_secret"] = hostile + hostile + hostile
		m.shell.goTo(m.shell.valuesIndex())
		for i, r := range m.shell.values.rows {
			if r.key == "service_api.client_secret" {
				m.shell.values.sel = i
			}
		}
		drive(m, keys("r"))
		if !m.shell.values.revealed["service_api.client_secret"] {
			t.Fatal("r did not reveal the secret")
		}
		assertSafeView(t, m, "revealed secret")
	})
}
