package steps

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkMakePlanAllKept is the cost of a rerun's look (`apply --dry-run`
// after everything exists) against the in-process emulator on loopback: the
// round trips dominate, so calls per plan is reported beside the time.
func BenchmarkMakePlanAllKept(b *testing.B) {
	w := newApplyWorld(b, true)
	ctx := context.Background()
	if _, _, err := Apply(ctx, w.e, withDomains, nil, nil); err != nil {
		b.Fatal(err)
	}
	before := len(w.srv.Requests())
	b.ResetTimer()
	for b.Loop() {
		p, err := MakePlan(ctx, w.e, ApplyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if p.Creates() != 0 {
			b.Fatalf("a rerun plans %d creations", p.Creates())
		}
	}
	b.ReportMetric(float64(len(w.srv.Requests())-before)/float64(b.N), "calls/op")
}

// BenchmarkProveToken is one admission proof of an admitted user, as
// `verify --as-user` runs it after the login.
func BenchmarkProveToken(b *testing.B) {
	w := proofWorld(b)
	tok := w.userToken("alice@example.org")
	ctx := context.Background()
	before := len(w.srv.Requests())
	b.ResetTimer()
	for b.Loop() {
		p, err := ProveToken(ctx, w.e, tok)
		if err != nil {
			b.Fatal(err)
		}
		if !p.Admitted {
			b.Fatalf("alice refused:\n%v", p.Lines())
		}
	}
	b.ReportMetric(float64(len(w.srv.Requests())-before)/float64(b.N), "calls/op")
}

// BenchmarkOperatorBearerAuthorize is what the operator's authorizer adds to
// each request: reading the vault's in-memory login for a newer token.
func BenchmarkOperatorBearerAuthorize(b *testing.B) {
	w := newWorld(b)
	w.login()
	auth, err := OperatorToken(context.Background(), w.e, AuthResourceServer)
	if err != nil {
		b.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://auth.globus.org/v2/api/projects", nil)
	b.ReportAllocs()
	for b.Loop() {
		auth.Authorize(req)
	}
}
