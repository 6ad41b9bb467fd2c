package steps

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
)

// With Globus unreachable, verify must not pass judgement on the stored
// values: verified steps stay verified, and after the first unanswered call
// the other checks are skipped rather than each waiting out its retries.
func TestVerifyWithoutNetworkKeepsVerifiedSteps(t *testing.T) {
	w := readyWorld(t)
	w.login()
	ctx := context.Background()
	cs := VerifyAll(ctx, w.e)
	if AnyFailed(cs) {
		t.Fatalf("online:\n%s", lines(cs))
	}
	if err := RecordChecks(w.e, cs); err != nil {
		t.Fatal(err)
	}
	before := map[string]State{}
	for _, s := range Catalogue() {
		before[s.ID], _ = stateIn(t, w.e.Vault, s.ID)
	}
	if before["service_api"] != StateVerified || before["policy"] != StateVerified {
		t.Fatalf("online verify left %v", before)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // a closed port: connection refused
	var waits atomic.Int32
	offline, err := globus.New(globus.Environment{Name: "custom", AuthURL: "http://" + addr + "/auth/", GroupsURL: "http://" + addr + "/groups/"},
		globus.WithSleep(func(ctx context.Context, _ time.Duration) error { waits.Add(1); return ctx.Err() }))
	if err != nil {
		t.Fatal(err)
	}
	e := &Env{Vault: w.e.Vault, Globus: offline}
	cs = VerifyAll(ctx, e)
	out := lines(cs)
	if !AnyFailed(cs) {
		t.Fatalf("unreachable Globus reported no failure:\n%s", out)
	}
	mustContain(t, out, "cannot reach Globus Auth", "skipped: not checked: Globus could not be reached")
	if n := waits.Load(); n > globus.DefaultMaxRetries {
		t.Errorf("%d retry waits: every check retried on its own", n)
	}
	if err := RecordChecks(e, cs); err != nil {
		t.Fatal(err)
	}
	for id, st := range before {
		if got, _ := stateIn(t, w.e.Vault, id); got != st {
			t.Errorf("step %s went from %s to %s because Globus could not be reached", id, st, got)
		}
	}
}
