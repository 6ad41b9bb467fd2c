package steps

import (
	"context"
	"testing"
)

// verify's login check proves the stored login works: a login Globus
// ended and will not renew fails, saying so and what to do, and the checks
// that need it are skipped rather than each failing on its own.
func TestVerifyLoginGlobusNoLongerAccepts(t *testing.T) {
	for _, expired := range []bool{false, true} {
		w := newWorld(t)
		w.login()
		if expired {
			w.expireLogin() // the refresh is tried before any call
		}
		w.srv.RevokeTokens(operator)
		cs := VerifyAll(context.Background(), w.e)
		login := statusOf(t, cs, "Operator login")
		if login.Status != CheckFail {
			t.Fatalf("expired %v: %s", expired, login.Line())
		}
		mustContain(t, login.Line(), "Globus no longer accepts the stored login (through client "+ShortID(w.publicID)+")",
			"Globus would not renew it", "log in again: run `globus-setup login`")
		for _, name := range []string{"Project exists", "Public client exists", "Policy is high assurance"} {
			c := statusOf(t, cs, name)
			if c.Status != CheckSkip || !c.NeedsLogin {
				t.Errorf("expired %v: %s", expired, c.Line())
			}
			mustContain(t, c.Line(), "Globus no longer accepts the stored login: log in again to check")
		}
	}
}

// A token Globus ended early is renewed by the check itself, which passes
// naming who is logged in.
func TestVerifyLoginRenewsAnEndedToken(t *testing.T) {
	w := readyWorld(t)
	w.login()
	w.srv.EndAccessTokens(operator)
	cs := VerifyAll(context.Background(), w.e)
	login := statusOf(t, cs, "Operator login")
	if login.Status != CheckPass || login.Detail != "as "+operator+", through client "+ShortID(w.publicID) {
		t.Errorf("%s", login.Line())
	}
	if AnyFailed(cs) {
		t.Errorf("failures:\n%s", lines(cs))
	}
}
