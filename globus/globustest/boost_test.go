package globustest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The sign-in page says what the authorize URL asks and honours MFA: its
// box is ticked when asked, and the session records whether it was given.
func TestSignInPageHonoursBoost(t *testing.T) {
	g := newGateway(t)
	p := newPKCE()
	u := g.authorizeURL(g.publicID, p, false, g.scopeString) +
		"&session_required_mfa=True&session_required_single_domain=anl.gov&session_message=" + url.QueryEscape("MFA to delete a secret")
	page := string(expect(t, call{method: "GET", url: u}.do(t), 200).raw)
	for _, want := range []string{
		`name="emulator_mfa" value="1" checked`, "Globus asks for it",
		"This sign-in must be made with:</b> MFA (a second factor); an identity from anl.gov",
		"MFA to delete a secret",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	plain := string(expect(t, call{method: "GET", url: g.authorizeURL(g.publicID, p, false, g.scopeString)}.do(t), 200).raw)
	if strings.Contains(plain, `value="1" checked`) || strings.Contains(plain, "must be made with") {
		t.Error("a plain sign-in page asks for a boost")
	}

	for _, mfa := range []bool{true, false} {
		form := url.Values{"decision": {"allow"}}
		for k, v := range mustParse(u).Query() {
			form[k] = v
		}
		if mfa {
			form.Set(formMFA, "1")
		}
		expect(t, call{method: "POST", url: g.authURL + "v2/oauth2/authorize", form: form}.do(t), http.StatusSeeOther)
		g.s.mu.Lock()
		got := g.s.sessionOf(g.s.operator).mfa
		g.s.mu.Unlock()
		if got != mfa {
			t.Errorf("MFA box %v: session mfa %v", mfa, got)
		}
	}
}
