package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// syncBuffer is a bytes.Buffer safe to read while the wizard writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
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
	out := &syncBuffer{}
	cfg.Input, cfg.Output = in, out
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), cfg) }()
	waitOut := func(what string) {
		t.Helper()
		for deadline := time.Now().Add(15 * time.Second); !strings.Contains(out.String(), what); time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%q not shown:\n%s", what, out.String())
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
			t.Fatalf("the setup never reached the policy:\n%s", out.String())
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
	if !strings.Contains(out.String(), "Interrupted: what was made before is stored in the vault") {
		t.Errorf("the interrupt is not said:\n%s", out.String())
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
