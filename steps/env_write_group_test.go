//go:build unix

package steps

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A .env the writer owns whose group is another (root:daemon 0640, read by
// a gateway running as daemon) keeps its group's read through a merge, and
// the message says so instead of "only its owner can read it"; every bit
// for others goes. The writer's own group, or a file another user owns,
// gets 0600 as before.
func TestMergeKeepsTheGatewaysGroupRead(t *testing.T) {
	other := os.Getegid() + 4000
	for _, c := range []struct {
		name       string
		mode, want os.FileMode
		gid        int
		says       string
	}{
		{"the gateway's group", 0o640, 0o640, other, "it stays mode 0640: its group gid "},
		{"the gateway's group, world-readable", 0o644, 0o640, other, "its mode changed from 0644 to 0640, so that only its owner and its group gid "},
		{"the writer's own group", 0o640, 0o600, os.Getegid(), "its mode changed from 0640 to 0600, so that only its owner can read it"},
	} {
		path := filepath.Join(t.TempDir(), ".env")
		mustWriteFile(t, path, "SECRET_KEY=\"x\"\n", c.mode)
		if err := os.Chmod(path, c.mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(path, os.Geteuid(), c.gid); err != nil {
			t.Skipf("giving the file another group needs root: %v", err)
		}
		w, err := mergeEnvFile(path, fullDoc(), EnvOptions{})
		if err != nil {
			t.Fatal(err)
		}
		assertOwner(t, path, os.Geteuid(), c.gid)
		assertMode(t, path, c.want)
		assertMode(t, path+".bak", 0o600)
		if text := strings.Join(w.Lines("updated the gateway's variables in"), "\n"); !strings.Contains(text, c.says) {
			t.Errorf("%s: the lines lack %q:\n%s", c.name, c.says, text)
		}
		// Unchanged, it is left as it is: no tightening behind the gateway's back.
		if w, err := mergeEnvFile(path, fullDoc(), EnvOptions{}); err != nil || !w.Unchanged {
			t.Fatalf("%s: again: %+v %v", c.name, w, err)
		}
		assertMode(t, path, c.want)
	}
}
