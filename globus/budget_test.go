package globus

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A server that never answers holds a call only as long as the command's
// budget, not 5 attempts of the per-attempt timeout, and the error names
// the call and says the whole budget ran out.
func TestBudgetStopsAServerThatNeverAnswers(t *testing.T) {
	f := newFixture(t, blockUntilGone) // per attempt: 10 s
	ctx := WithBudget(context.Background(), NewBudget(200*time.Millisecond))
	_, err := f.c.GetClient(ctx, Basic(testCred), "c1")
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"Globus Auth did not answer GET /v2/api/clients/c1", "network time ran out", "200ms in all", EnvNetworkBudget, "1 attempt)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "one attempt's time limit") {
		t.Errorf("a spent budget is not one attempt's timeout: %q", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(Hint(err), EnvNetworkBudget) {
		t.Errorf("is deadline: %v; hint %q", errors.Is(err, context.DeadlineExceeded), Hint(err))
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}

	// The next call of the same command finds nothing left: no request.
	_, err = f.c.GetClient(ctx, Basic(testCred), "c2")
	if !errors.As(err, &be) || be.URL != "/v2/api/clients/c2" {
		t.Fatalf("second call: %v", err)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests, want still 1", n)
	}
}

// Retries stop when the wait before the next one would pass the budget; the
// last answer stays reachable.
func TestBudgetCutsRetries(t *testing.T) {
	f := newFixture(t, failThen(100, 503, nil, globusError(503, "SERVICE_UNAVAILABLE", "down"), okClient))
	ctx := WithBudget(context.Background(), NewBudget(100*time.Millisecond))
	_, err := f.c.GetClient(ctx, Basic(testCred), "c1") // the first backoff is at least 500ms
	var be *BudgetError
	if !errors.As(err, &be) || !IsStatus(err, 503) || be.Attempts != 1 {
		t.Fatalf("err = %v", err)
	}
	if n := f.rec.count(); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// Time outside calls (a person reading, logging in) is not network time.
func TestBudgetCountsOnlyCallsInFlight(t *testing.T) {
	f := newFixture(t, okClient)
	ctx := WithBudget(context.Background(), NewBudget(300*time.Millisecond))
	for i := range 3 {
		if _, err := f.c.GetClient(ctx, Basic(testCred), "c1"); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		time.Sleep(200 * time.Millisecond) // more than the budget in all, but no call is in flight
	}
}

// Without a budget, and when the caller cancels, nothing changes.
func TestBudgetLeavesOtherEndingsAlone(t *testing.T) {
	f := newFixture(t, blockUntilGone)
	ctx, cancel := context.WithTimeout(WithBudget(context.Background(), NewBudget(time.Hour)), 50*time.Millisecond)
	defer cancel()
	_, err := f.c.GetClient(ctx, Basic(testCred), "c1")
	var be *BudgetError
	if errors.As(err, &be) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("the caller's own deadline reported as %v", err)
	}
	// WithBudget(nil) removes a budget.
	ok := newFixture(t, okClient)
	spent := WithBudget(context.Background(), NewBudget(time.Nanosecond))
	if _, err := ok.c.GetClient(WithBudget(spent, nil), Basic(testCred), "c1"); err != nil {
		t.Fatal(err)
	}
}

// The login's token exchange goes through x/oauth2 and still draws on the budget.
func TestBudgetCoversTokenCalls(t *testing.T) {
	f := newFixture(t, blockUntilGone)
	ctx := WithBudget(context.Background(), NewBudget(100*time.Millisecond))
	flow, err := f.c.StartLogin("22222222-3333-4444-5555-666666666666", []string{"openid"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.c.ExchangeCode(ctx, flow, "abcdef")
	var be *BudgetError
	if !errors.As(err, &be) || be.Method != http.MethodPost || be.URL != tokenPath {
		t.Fatalf("err = %v", err)
	}
}

func TestNetworkBudgetFromEnv(t *testing.T) {
	for v, want := range map[string]time.Duration{"": DefaultNetworkBudget, "30": 30 * time.Second, "90s": 90 * time.Second, " 5m ": 5 * time.Minute} {
		got, err := NetworkBudgetFromEnv(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("%q: %v, %v; want %v", v, got, err, want)
		}
	}
	for _, v := range []string{"0", "-1", "soon", "0s"} {
		if _, err := NetworkBudgetFromEnv(func(string) string { return v }); err == nil || !strings.Contains(err.Error(), EnvNetworkBudget) {
			t.Errorf("%q: %v", v, err)
		}
	}
}
