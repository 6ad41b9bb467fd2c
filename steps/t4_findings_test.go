package steps

import (
	"strings"
	"testing"
)

// A quote left open, closed by one lines later, is refused by a merge too
// (it would rewrite the lines the value took in), naming both lines; a
// value meant to run over lines is merged as before.
func TestMergeRefusesAQuoteLeftOpen(t *testing.T) {
	doc := docWith(map[string]string{"policy.id": uuidA})
	in := []byte("DEBUG=1\nGLOBUS_POLICIES=\"" + uuidA + "\n\n# Optional\nGLOBUS_GROUPS=\"\n")
	_, err := MergeEnv(in, doc)
	if err == nil || !strings.Contains(err.Error(), "line 2: GLOBUS_POLICIES: the quote opened at line 2 closes only at line 5, taking in 1 comment line(s) and 1 NAME=value line(s)") {
		t.Fatalf("merge into a quote left open: %v", err)
	}
	if _, err := MergeEnv([]byte("GLOBUS_GROUPS=\"\n# a group\n\"\n"), doc); err != nil {
		t.Fatalf("a value meant to run over lines: %v", err)
	}
}
