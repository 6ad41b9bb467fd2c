package steps

import (
	"context"
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
