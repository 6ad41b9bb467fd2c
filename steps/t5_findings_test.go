package steps

import (
	"bytes"
	"testing"
)

// A merge into a file that already has the block an earlier merge added
// puts its new lines under that block, not under a second header; what
// follows the block stays where it was.
func TestMergeAddsUnderTheExistingBlock(t *testing.T) {
	orig := []byte("SECRET_KEY=\"x\"\n\n" + mergeHeader + "\nGLOBUS_APPLICATION_ID=\"old\"\n\n# mine\nTAIL=1\n")
	doc := docWith(map[string]string{"service_api.client_id": uuidB, "policy.id": uuidC})
	merged, err := MergeEnv(orig, doc)
	if err != nil {
		t.Fatal(err)
	}
	want := "SECRET_KEY=\"x\"\n\n" + mergeHeader + "\n" +
		"GLOBUS_APPLICATION_ID=\"" + uuidB + "\"\n" +
		"GLOBUS_POLICIES=\"\n" + uuidC + "\n\"\n" +
		"\n# mine\nTAIL=1\n"
	if string(merged) != want {
		t.Fatalf("merged:\n%s\nwant:\n%s", merged, want)
	}
	if again, _ := MergeEnv(merged, doc); !bytes.Equal(again, merged) {
		t.Fatalf("not idempotent:\n%s", again)
	}
	// The block last in a file without a final line break.
	orig = []byte("A=1\n\n" + mergeHeader + "\nGLOBUS_APPLICATION_ID=\"old\"")
	merged, err = MergeEnv(orig, doc)
	if err != nil {
		t.Fatal(err)
	}
	want = "A=1\n\n" + mergeHeader + "\nGLOBUS_APPLICATION_ID=\"" + uuidB + "\"\nGLOBUS_POLICIES=\"\n" + uuidC + "\n\"\n"
	if string(merged) != want {
		t.Fatalf("at the end:\n%q\nwant:\n%q", merged, want)
	}
}
