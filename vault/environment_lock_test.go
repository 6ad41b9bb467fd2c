package vault

import (
	"sync"
	"testing"
	"time"
)

// The first record of the Globus environment is a save like any other: it
// waits for the writers' lock, so its clearing of stale temporary files never
// removes another writer's vault.age mid-save (eight `set`s at once on a new
// vault failed so: "rename .vault.age.tmp-…: no such file or directory").
func TestRecordingTheEnvironmentWaitsForASaveInProgress(t *testing.T) {
	v, p := newTestVault(t)
	recorded := make(chan error, 1)
	var once sync.Once
	saveHook = func(stage int) {
		if stage != stageTempWritten {
			return
		}
		once.Do(func() {
			go func() { recorded <- CheckEnvironment(p, "production") }()
			// Without the lock the record (and its clean-up) finishes
			// here, under the save; with it, it waits for the save.
			select {
			case err := <-recorded:
				recorded <- err
			case <-time.After(300 * time.Millisecond):
			}
		})
	}
	t.Cleanup(func() { saveHook = nil })
	if err := v.Set("key", "value"); err != nil {
		t.Fatalf("a save beside the environment's first record: %v", err)
	}
	if err := <-recorded; err != nil {
		t.Fatalf("CheckEnvironment: %v", err)
	}
	if got, err := RecordedEnvironment(p); err != nil || got != "production" {
		t.Fatalf("recorded %q, %v; want production", got, err)
	}
}
