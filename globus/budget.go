package globus

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// EnvNetworkBudget bounds the network time of one command: every call,
// every retry and every wait between retries, together. Ours, not the SDK's.
const EnvNetworkBudget = "GLOBUS_SETUP_NETWORK_BUDGET"

// DefaultNetworkBudget leaves room for one attempt that hits the SDK's
// 60 s timeout and a second try, yet stops a server that never answers
// well before the 6 × 60 s (plus backoff) the retries alone would allow.
const DefaultNetworkBudget = 2 * time.Minute

// NetworkBudgetFromEnv reads GLOBUS_SETUP_NETWORK_BUDGET: whole seconds or a
// Go duration ("90s", "5m"); empty means the default.
func NetworkBudgetFromEnv(getenv func(string) string) (time.Duration, error) {
	v := strings.TrimSpace(getenv(EnvNetworkBudget))
	if v == "" {
		return DefaultNetworkBudget, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		secs, serr := strconv.Atoi(v)
		d, err = time.Duration(secs)*time.Second, serr
	}
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s=%q is not a positive duration: give seconds (120) or a duration (2m)", EnvNetworkBudget, v)
	}
	return d, nil
}

// Budget is the network time one command (or one wizard operation) may
// spend. It counts only time while a call is in flight, so a person
// reading a prompt or logging in in the browser spends none of it, and
// calls in flight together count once.
type Budget struct {
	total time.Duration
	mu    sync.Mutex
	spent time.Duration
	busy  int       // calls in flight
	since time.Time // when busy went from 0 to 1
}

// NewBudget makes a budget of total network time.
func NewBudget(total time.Duration) *Budget { return &Budget{total: total} }

type budgetKey struct{}

// WithBudget makes every call of this package made with the returned
// context, or one derived from it, draw on b. A nil b removes any budget.
func WithBudget(ctx context.Context, b *Budget) context.Context {
	return context.WithValue(ctx, budgetKey{}, b)
}

func budgetFrom(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// begin marks a call in flight and returns when the budget runs out.
func (b *Budget) begin(now time.Time) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.busy == 0 {
		b.since = now
	}
	b.busy++
	return b.since.Add(b.total - b.spent)
}

func (b *Budget) end(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.busy--
	if b.busy == 0 {
		b.spent += now.Sub(b.since)
	}
}

// errBudgetSpent is the cause of a context ended by the budget. It is a
// context.DeadlineExceeded too, so checks for a timeout still see one.
var errBudgetSpent error = budgetSpentError{}

type budgetSpentError struct{}

func (budgetSpentError) Error() string        { return "network time budget spent" }
func (budgetSpentError) Is(target error) bool { return target == context.DeadlineExceeded }

// withBudget bounds ctx by its budget, if it has one, for one call, and
// returns when that budget runs out (zero without a budget).
func withBudget(ctx context.Context) (context.Context, time.Time, func()) {
	b := budgetFrom(ctx)
	if b == nil {
		return ctx, time.Time{}, func() {}
	}
	deadline := b.begin(time.Now())
	bctx, cancel := context.WithDeadlineCause(ctx, deadline, errBudgetSpent)
	return bctx, deadline, func() {
		cancel()
		b.end(time.Now())
	}
}

// budgetSpent reports whether bctx ended because the budget ran out, and
// not because the caller's own context ended.
func budgetSpent(parent, bctx context.Context) bool {
	return parent.Err() == nil && errors.Is(context.Cause(bctx), errBudgetSpent)
}

// BudgetError is a call cut short because the command's whole network
// time (GLOBUS_SETUP_NETWORK_BUDGET) ran out: not one attempt's timeout.
type BudgetError struct {
	Service  string // "Globus Auth"
	Method   string
	URL      string // path within the service; never a query
	Budget   time.Duration
	Attempts int
	Last     error // the last attempt's own failure, if it had one
}

func (e *BudgetError) Unwrap() error { return e.Last }

func (e *BudgetError) Error() string {
	tries := "1 attempt"
	if e.Attempts != 1 {
		tries = strconv.Itoa(e.Attempts) + " attempts"
	}
	return fmt.Sprintf("%s did not answer %s %s before this command's network time ran out (%s in all, %s; %s)",
		e.Service, e.Method, e.URL, e.Budget, EnvNetworkBudget, tries)
}

func (e *BudgetError) Hint() string {
	return "Globus, or the network on the way to it, is not answering: check the connection and https://status.globus.org, then try again; " +
		EnvNetworkBudget + " (seconds) sets how long one command may wait on the network in all"
}
