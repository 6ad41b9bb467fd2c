package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// written is what the wizard wrote to out so far (its writes take the lock).
func written(out *lockedWriter) string {
	out.mu.Lock()
	defer out.mu.Unlock()
	return out.w.(*bytes.Buffer).String()
}

// ctrl+c while the one form's setup is mid-way (Globus has not answered
// the policy's create yet): Run returns ErrInterrupted, for the command to
// exit 130, and says what is kept; what was made is stored.
func TestInterruptMidApplyReturnsErrInterrupted(t *testing.T) {
	cfg, srv, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	logIn(t, cfg, srv, thickClient(t, srv))
	srv.FailNext("POST", "/auth/v2/api/policies", 1, globustest.Failure{Delay: time.Minute})
	in, typed := io.Pipe()
	t.Cleanup(func() { typed.Close() })
	out := &lockedWriter{w: &bytes.Buffer{}}
	cfg.Input, cfg.Output = in, out
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), cfg) }()
	waitOut := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(written(out), what); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q not shown:\n%s", what, written(out))
			}
		}
	}
	waitOut("Step 1 of 6")
	io.WriteString(typed, "A") // set up everything: the form, filled in
	waitOut("Identity provider domains")
	io.WriteString(typed, "\r") // the plan
	waitOut("enter: do it all")
	io.WriteString(typed, "\r") // do it all
	for deadline := time.Now().Add(15 * time.Second); srv.CountRequests("POST", "/v2/api/policies") == 0; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the setup never reached the policy:\n%s", written(out))
		}
	}
	io.WriteString(typed, "\x03") // ctrl+c
	select {
	case err := <-done:
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("Run after ctrl+c mid-apply: %v, want ErrInterrupted", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("ctrl+c did not end the wizard")
	}
	if !strings.Contains(written(out), "Interrupted: what was made before is stored in the vault") {
		t.Errorf("the interrupt is not said:\n%s", written(out))
	}
	doc := cfg.Vault.Doc()
	for _, k := range []string{"project.id", "service_api.client_id", "service_account.client_id", "public_client.client_id"} {
		if doc.Values[k] == "" {
			t.Errorf("%s made before the interrupt is not stored", k)
		}
	}
}

// ctrl+c with nothing in flight is quitting, not an interrupt.
func TestCtrlCWhileIdleQuits(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	tm := start(t, cfg, 100, 30)
	waitFor(t, tm, "Step 1 of 6")
	tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	m := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if m.interrupted {
		t.Fatal("ctrl+c with nothing running counted as an interrupt")
	}
}
