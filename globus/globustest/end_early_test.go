package globustest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The sign-in page's "end the access tokens at once" control hands out
// access tokens Globus already ended, before their expiry, with refresh
// tokens that still work: what a client meets when Globus ends a token early.
func TestSignInEndsAccessTokensEarly(t *testing.T) {
	w := newWorld(t)
	p := newPKCE()
	u := w.authorizeURL(w.publicID, p, true, "openid", ManageProjectsScope)
	page := string(expect(t, call{method: "GET", url: u}.do(t), 200).raw)
	if !strings.Contains(page, `type="checkbox" name="emulator_end_early"`) {
		t.Fatalf("no end-early control on the page:\n%s", page)
	}
	form := url.Values{"decision": {"allow"}, formEndEarly: {"1"}}
	for k, v := range mustParse(u).Query() {
		form[k] = v
	}
	a := expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/authorize", form: form}.do(t), http.StatusSeeOther)
	loc, _ := url.Parse(a.header.Get("Location"))
	doc := expect(t, w.exchange(t, w.publicID, loc.Query().Get("code"), p), 200).obj(t)
	if doc["expires_in"].(float64) <= 0 {
		t.Fatalf("expires_in %v", doc["expires_in"])
	}
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: doc["access_token"].(string)}.do(t), 401, "UNAUTHORIZED")

	refreshed := expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {doc["refresh_token"].(string)}, "client_id": {w.publicID}}}.do(t), 200).obj(t)
	expect(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: refreshed["access_token"].(string)}.do(t), 200)
}

// EndAccessTokens does the same to tokens already handed out.
func TestEndAccessTokens(t *testing.T) {
	w := newWorld(t)
	doc := w.login(t, w.publicID, "openid", ManageProjectsScope)
	if n := w.s.EndAccessTokens("Operator@Example.org"); n != 1 {
		t.Fatalf("ended %d tokens, want 1", n)
	}
	globusError(t, call{method: "GET", url: w.authURL + "v2/api/projects", bearer: doc["access_token"].(string)}.do(t), 401, "UNAUTHORIZED")
	expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {doc["refresh_token"].(string)}, "client_id": {w.publicID}}}.do(t), 200)
	if n := w.s.EndAccessTokens("nobody@example.org"); n != 0 {
		t.Errorf("ended %d tokens of nobody", n)
	}
}
