//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"filippo.io/age"
)

// The real binary: the command exec starts gets none of the vault's
// passphrase sources, by variable or by inherited descriptor.
func TestExecPassesNoPassphraseSource(t *testing.T) {
	w := newOpsWorld(t)
	pass := w.env["GLOBUS_SETUP_PASSPHRASE_FILE"]
	w.env["GLOBUS_SETUP_PASSPHRASE_COMMAND"] = "cat " + pass
	out, errs, st := w.runChild("exec", "--only", "SERVICE_ACCOUNT_ID", "--", "env")
	if st.ExitCode() != 0 {
		t.Fatalf("exec: %d %s", st.ExitCode(), errs)
	}
	if !strings.Contains(out, "SERVICE_ACCOUNT_ID="+w.acctID+"\n") {
		t.Fatalf("the command lacks what --only asked:\n%s", out)
	}
	for _, name := range []string{"GLOBUS_SETUP_PASSPHRASE_FILE=", "GLOBUS_SETUP_PASSPHRASE_COMMAND="} {
		if strings.Contains(out, name) {
			t.Errorf("the command got %s", name)
		}
	}
	delete(w.env, "GLOBUS_SETUP_PASSPHRASE_COMMAND")

	// An operator's own key, by GLOBUS_SETUP_IDENTITY.
	mine, _ := age.GenerateX25519Identity()
	if code, _, errs := w.run("recipients", "add", mine.Recipient().String()); code != 0 {
		t.Fatal(errs)
	}
	keyFile := filepath.Join(t.TempDir(), "me.txt")
	if err := os.WriteFile(keyFile, []byte(mine.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	delete(w.env, "GLOBUS_SETUP_PASSPHRASE_FILE")
	w.env["GLOBUS_SETUP_IDENTITY"] = keyFile
	out, errs, st = w.runChild("exec", "--only", "SERVICE_ACCOUNT_ID", "--", "env")
	if st.ExitCode() != 0 || !strings.Contains(out, "SERVICE_ACCOUNT_ID="+w.acctID+"\n") {
		t.Fatalf("exec with an identity: %d %s", st.ExitCode(), errs)
	}
	if strings.Contains(out, "GLOBUS_SETUP_IDENTITY=") {
		t.Error("the command got GLOBUS_SETUP_IDENTITY")
	}
	delete(w.env, "GLOBUS_SETUP_IDENTITY")

	// --passphrase-file /dev/fd/3, 3 inherited from the shell.
	f, err := os.Open(pass)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := exec.Command(os.Args[0], "--passphrase-file", "/dev/fd/3", "exec", "--", "sh", "-c", "cat <&3 && echo read-fd-3")
	c.Env = append(os.Environ(), childEnv+"=1")
	for k, v := range w.env {
		c.Env = append(c.Env, k+"="+v)
	}
	c.ExtraFiles = []*os.File{f}
	var cout, cerr bytes.Buffer
	c.Stdout, c.Stderr = &cout, &cerr
	_ = c.Run()
	if strings.Contains(cout.String(), "test passphrase") || strings.Contains(cout.String(), "read-fd-3") {
		t.Errorf("the command read the passphrase from fd 3: %q", cout.String())
	}
	if !strings.Contains(cerr.String(), "3") {
		t.Errorf("the shell did not find fd 3 closed: %q", cerr.String())
	}
}
