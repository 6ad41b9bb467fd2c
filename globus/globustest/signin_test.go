package globustest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestSignInPageControls(t *testing.T) {
	g := newGateway(t)
	g.s.AddIdentity("bob@uchicago.edu", "Bob", "bob@uchicago.edu", "uchicago.edu")
	p := newPKCE()
	u := g.authorizeURL(g.publicID, p, false, g.scopeString)

	page := string(expect(t, call{method: "GET", url: u + "&emulator_revoked=1"}.do(t), 200).raw)
	for _, want := range []string{
		"exist only in this emulator",
		`<option value="operator@example.org" selected>`,
		`<option value="alice@uchicago.edu">`,
		`<option value="bob@uchicago.edu">`,
		`name="emulator_session_minutes" type="number" min="0" max="527040" value="0"`,
		`type="checkbox" name="emulator_revoked"`,
		"Hand out tokens that are already revoked (to see how the gateway refuses an inactive token)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the sign-in page lacks %q", want)
		}
	}
	if strings.Contains(page, "clients.auth.globus.org") || strings.Contains(page, `type="hidden" name="emulator_revoked"`) {
		t.Errorf("the page offers a client identity or carries a control as a hidden field:\n%s", page)
	}

	post := func(controls url.Values) answer {
		form := url.Values{"decision": {"allow"}}
		for k, v := range mustParse(u).Query() {
			form[k] = v
		}
		for k, v := range controls {
			form[k] = v
		}
		return call{method: "POST", url: g.authURL + "v2/oauth2/authorize", form: form}.do(t)
	}
	// signIn presses Allow and returns the Service API's token and what
	// introspection (with the policy) says about it.
	signIn := func(controls url.Values) map[string]any {
		t.Helper()
		a := expect(t, post(controls), http.StatusSeeOther)
		loc, _ := url.Parse(a.header.Get("Location"))
		tok := tokenFor(t, expect(t, g.exchange(t, g.publicID, loc.Query().Get("code"), p), 200).obj(t), g.apiID)
		return expect(t, g.introspect(t, tok, g.policyID), 200).obj(t)
	}

	// Bob, with a session two hours old: the one-hour policy fails.
	doc := signIn(url.Values{"emulator_sign_in_as": {"bob@uchicago.edu"}, "emulator_session_minutes": {"120"}})
	if doc["active"] != true || doc["username"] != "bob@uchicago.edu" || evaluation(t, doc, g.policyID) {
		t.Errorf("bob, 120 minutes: %v", doc)
	}
	bob, _ := g.s.LookupIdentity("bob@uchicago.edu")
	auth := doc["session_info"].(map[string]any)["authentications"].(map[string]any)[bob.ID].(map[string]any)
	if iat, at := doc["iat"].(float64), auth["auth_time"].(float64); iat-at < 120*60 {
		t.Errorf("auth_time %v is not two hours before iat %v", at, iat)
	}
	// The same user with a fresh session passes it.
	if doc := signIn(url.Values{"emulator_sign_in_as": {"bob@uchicago.edu"}, "emulator_session_minutes": {"0"}}); !evaluation(t, doc, g.policyID) {
		t.Errorf("bob, fresh session: %v", doc)
	}
	// Revoked tokens are handed out, and are inactive.
	if doc := signIn(url.Values{"emulator_sign_in_as": {"alice@uchicago.edu"}, "emulator_revoked": {"1"}}); len(doc) != 1 || doc["active"] != false {
		t.Errorf("revoked: %v", doc)
	}
	// Without the controls (an older form, or ApproveLogin) it is the operator, now.
	if doc := signIn(nil); doc["active"] != true || doc["username"] != "operator@example.org" {
		t.Errorf("default: %v", doc)
	}

	for name, bad := range map[string]url.Values{
		"unknown user":      {"emulator_sign_in_as": {"mallory@example.org"}},
		"client identity":   {"emulator_sign_in_as": {g.apiID + "@clients.auth.globus.org"}},
		"negative minutes":  {"emulator_session_minutes": {"-5"}},
		"minutes not a num": {"emulator_session_minutes": {"ten"}},
	} {
		if a := post(bad); a.status != 400 || !strings.Contains(string(a.raw), "Sign-in problem") {
			t.Errorf("%s: answered %d", name, a.status)
		}
	}
}

// The proof's hints send users to {app}logout; the emulator must answer it.
func TestLogoutPage(t *testing.T) {
	g := newGateway(t)
	page := string(expect(t, call{method: "GET", url: g.s.AppURL() + "logout"}.do(t), 200).raw)
	if !strings.Contains(page, "signed out") {
		t.Errorf("the logout page does not say the user is signed out:\n%s", page)
	}
}
