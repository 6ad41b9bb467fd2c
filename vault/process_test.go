package vault

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Child processes: the test binary re-executed with -test.run=^$ (no tests)
// and VAULT_TEST_CHILD naming the role; TestMain dispatches to runChild.
const (
	childEnv       = "VAULT_TEST_CHILD"
	childFile      = "VAULT_TEST_FILE"
	childStage     = "VAULT_TEST_STAGE"
	childHow       = "VAULT_TEST_HOW"
	childSync      = "VAULT_TEST_SYNC"
	childID        = "VAULT_TEST_ID"
	childExitCode  = 77 // "died at the stage" by os.Exit
	childFailed    = 3
	writerKeysEach = 3
)

func runChild(role string) int {
	var err error
	switch role {
	case "crash":
		err = crashChild()
	case "writer":
		err = writerChild()
	default:
		err = fmt.Errorf("unknown child role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return childFailed
	}
	return 0
}

// crashChild sets key=new and dies at stage VAULT_TEST_STAGE of the save.
func crashChild() error {
	stage, err := strconv.Atoi(os.Getenv(childStage))
	if err != nil {
		return err
	}
	v, err := Open(PathsFor(os.Getenv(childFile)), testPass, testOpts())
	if err != nil {
		return err
	}
	saveHook = func(s int) {
		if s != stage {
			return
		}
		if os.Getenv(childHow) == "kill" {
			self, _ := os.FindProcess(os.Getpid())
			_ = self.Kill() // SIGKILL on unix: no deferred code, no flush
			select {}
		}
		os.Exit(childExitCode)
	}
	if err := v.Set("key", "new-secret-value"); err != nil {
		return err
	}
	return errors.New("save finished without reaching the stage")
}

// writerChild opens the vault, says it is ready, waits for the start signal,
// then stores writerKeysEach keys of its own, one Update each.
func writerChild() error {
	id := os.Getenv(childID)
	sync := os.Getenv(childSync)
	v, err := Open(PathsFor(os.Getenv(childFile)), testPass, Options{WorkFactor: testWF})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(sync, "ready-"+id), nil, 0o600); err != nil {
		return err
	}
	for deadline := time.Now().Add(30 * time.Second); !fileExists(filepath.Join(sync, "go")); {
		if time.Now().After(deadline) {
			return errors.New("no start signal")
		}
		time.Sleep(2 * time.Millisecond)
	}
	for k := range writerKeysEach {
		if err := v.Set(fmt.Sprintf("proc%s.key%d", id, k), "value-"+id+"-"+strconv.Itoa(k)); err != nil {
			return err
		}
	}
	return nil
}

func childCmd(t *testing.T, role string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append([]string{childEnv + "=" + role}, env...)...)
	return cmd
}

// TestCrashAtEveryStage kills a saving process at every stage, by os.Exit and
// by SIGKILL; the vault must then open with the old or the new value, the
// leftover temp file must hold ciphertext only, and the next save must work
// and clean it up.
func TestCrashAtEveryStage(t *testing.T) {
	stageNames := []string{"locked", "temp-created", "temp-partial", "temp-written", "temp-synced", "temp-closed", "renamed", "dir-synced"}
	if len(stageNames) != numStages {
		t.Fatalf("stage names out of date")
	}
	for _, how := range []string{"exit", "kill"} {
		for stage := range numStages {
			t.Run(how+"/"+stageNames[stage], func(t *testing.T) {
				v, p := newTestVault(t)
				if err := v.Set("key", "old-value"); err != nil {
					t.Fatal(err)
				}
				cmd := childCmd(t, "crash", childFile+"="+p.Vault, childStage+"="+strconv.Itoa(stage), childHow+"="+how)
				out, err := cmd.CombinedOutput()
				ps := cmd.ProcessState
				if ps == nil {
					t.Fatalf("child did not run: %v", err)
				}
				code := ps.ExitCode()
				switch {
				case ps.Success(), code == childFailed:
					t.Fatalf("child did not die at the stage: exit %d: %s", code, out)
				case how == "exit" && code != childExitCode:
					t.Fatalf("child exit %d, want %d: %s", code, childExitCode, out)
				case how == "kill" && runtime.GOOS != "windows" && code != -1:
					t.Fatalf("child exit %d, want killed by a signal: %s", code, out)
				}

				for _, tmp := range tempFiles(t, p) {
					data := mustRead(t, tmp)
					if strings.Contains(string(data), "new-secret-value") || strings.Contains(string(data), "old-value") {
						t.Fatalf("temp file %s holds plaintext", tmp)
					}
					if len(data) > 0 && !strings.HasPrefix(string(data), "age-encryption.org/v1") {
						t.Fatalf("temp file %s is not age ciphertext", tmp)
					}
				}

				got, err := Open(p, testPass, testOpts())
				if err != nil {
					t.Fatalf("open after crash: %v", err)
				}
				want := "old-value"
				if stage >= stageRenamed {
					want = "new-secret-value"
				}
				if val, _ := got.Get("key"); val != want {
					t.Fatalf("after crash at %s: key=%q, want %q", stageNames[stage], val, want)
				}
				if err := got.Set("other", "x"); err != nil {
					t.Fatalf("save after crash: %v", err)
				}
				if left := tempFiles(t, p); len(left) != 0 {
					t.Fatalf("stale temp files not cleaned: %v", left)
				}
				again, err := Open(p, testPass, testOpts())
				if err != nil {
					t.Fatal(err)
				}
				if val, _ := again.Get("key"); val != want {
					t.Fatalf("key=%q after next save, want %q", val, want)
				}
			})
		}
	}
}

// TestEightProcesses: eight processes set different keys at the same moment;
// all succeed and every value is stored.
func TestEightProcesses(t *testing.T) {
	const n = 8
	v, p := newTestVault(t)
	if err := v.Set("before", "kept"); err != nil {
		t.Fatal(err)
	}
	sync := t.TempDir()
	cmds := make([]*exec.Cmd, n)
	outs := make([]strings.Builder, n)
	for i := range n {
		cmds[i] = childCmd(t, "writer", childFile+"="+p.Vault, childSync+"="+sync, childID+"="+strconv.Itoa(i))
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
		if err := cmds[i].Start(); err != nil {
			t.Fatal(err)
		}
	}
	// Start them together once all have unlocked.
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		ready, _ := filepath.Glob(filepath.Join(sync, "ready-*"))
		if len(ready) == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d children ready", len(ready))
		}
	}
	if err := os.WriteFile(filepath.Join(sync, "go"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("writer %d: %v: %s", i, err, outs[i].String())
		}
	}
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	d := v.Doc()
	if d.Values["before"] != "kept" {
		t.Errorf("pre-existing value lost")
	}
	for i := range n {
		for k := range writerKeysEach {
			key := fmt.Sprintf("proc%d.key%d", i, k)
			if want := fmt.Sprintf("value-%d-%d", i, k); d.Values[key] != want {
				t.Errorf("%s = %q, want %q", key, d.Values[key], want)
			}
		}
	}
	if len(d.Values) != n*writerKeysEach+1 {
		t.Errorf("%d values, want %d", len(d.Values), n*writerKeysEach+1)
	}
}
