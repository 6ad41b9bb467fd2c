package steps

import (
	"path/filepath"
	"strings"
	"testing"
)

// Writing another .env than the remembered one makes it the one rotate
// writes into, and says so, naming the one it replaces.
func TestWritingAnotherEnvSaysItTakesOver(t *testing.T) {
	v := newVault(t)
	dir := t.TempDir()
	first, second := filepath.Join(dir, "gateway.env"), filepath.Join(dir, "other.env")
	w, err := ExportFile(v, first, FormatEnv)
	if err != nil || w.TargetWas != "" {
		t.Fatalf("first write: %+v %v", w, err)
	}
	w, err = ExportFile(v, second, FormatEnv)
	if err != nil || w.TargetWas != first {
		t.Fatalf("second write: %+v %v", w, err)
	}
	if text := strings.Join(w.Lines("wrote"), "\n"); !strings.Contains(text, "it is now the gateway's .env that rotate writes into, in place of "+first) {
		t.Errorf("the takeover is not said:\n%s", text)
	}
	if w, _ := MergeEnvInto(v, second); w.TargetWas != "" {
		t.Errorf("writing the remembered one again names %q", w.TargetWas)
	}
}
