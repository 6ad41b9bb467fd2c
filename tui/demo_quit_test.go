package tui

import (
	"strings"
	"testing"
)

// A throwaway demo quit on its create-vault screen says that nothing was
// made, rather than ending in silence; a real vault's does not claim it.
func TestDemoQuitBeforeItsVaultSaysNothingWasMade(t *testing.T) {
	for _, ephemeral := range []bool{true, false} {
		cfg, _, _ := testConfig(t)
		cfg.Ephemeral, cfg.Demo = ephemeral, ephemeral
		m := newModel(t.Context(), cfg, nil)
		if m.vault != nil {
			t.Fatal("the model opened with a vault")
		}
		words := m.closingWords(false)
		said := strings.Contains(words, "Demo over before its vault was made: nothing was made, and its folder is removed.")
		if said != ephemeral {
			t.Errorf("ephemeral %v: the last words are %q", ephemeral, words)
		}
	}
}
