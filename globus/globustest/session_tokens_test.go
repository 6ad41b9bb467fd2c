package globustest

import (
	"bytes"
	"net/url"
	"testing"
	"time"
)

// A token keeps the session it was minted in: after a fresh sign-in the
// token from before is still a day old to the recent-admin demand and to
// userinfo, and so is one its refresh token mints; the new login's is not.
// Saved and loaded, the emulator still tells them apart.
func TestTokensKeepTheirSession(t *testing.T) {
	w := newWorld(t)
	w.s.DemandSession(Demand{Method: "GET", Path: "/v2/api/projects", RecentAdmin: 30 * time.Minute})
	old := w.login(t, w.publicID, "openid", ManageProjectsScope)
	oldAuth := tokenFor(t, old, AuthResourceServer)
	w.s.AdvanceClock(24 * time.Hour)
	fresh := w.login(t, w.publicID, "openid", ManageProjectsScope)
	freshAuth := tokenFor(t, fresh, AuthResourceServer)

	projects := func(tok string) int {
		return call{method: "GET", url: w.authURL + "v2/api/projects", bearer: tok}.do(t).status
	}
	if st := projects(freshAuth); st != 200 {
		t.Errorf("the fresh sign-in's token: %d", st)
	}
	if st := projects(oldAuth); st != 403 {
		t.Errorf("the token from the day before the sign-in: %d, want the recent-admin 403", st)
	}
	lastAuth := func(tok string) time.Time {
		doc := expect(t, call{method: "GET", url: w.authURL + "v2/oauth2/userinfo", bearer: tok}.do(t), 200).obj(t)
		return time.Unix(int64(doc["last_authentication"].(float64)), 0)
	}
	if d := lastAuth(freshAuth).Sub(lastAuth(oldAuth)); d != 24*time.Hour {
		t.Errorf("last_authentication of the two tokens %s apart, want 24h", d)
	}

	// A refresh of the old login is still the old session.
	refreshed := expect(t, call{method: "POST", url: w.authURL + "v2/oauth2/token", form: url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {old["refresh_token"].(string)}, "client_id": {w.publicID},
	}}.do(t), 200).obj(t)
	if st := projects(refreshed["access_token"].(string)); st != 403 {
		t.Errorf("a token refreshed from the old login: %d, want 403", st)
	}

	var buf bytes.Buffer
	if err := w.s.SaveState(&buf); err != nil {
		t.Fatal(err)
	}
	if err := w.s.LoadState(&buf); err != nil {
		t.Fatal(err)
	}
	if st := projects(oldAuth); st != 403 {
		t.Errorf("after a reload, the old token: %d, want 403", st)
	}
	if st := projects(freshAuth); st != 200 {
		t.Errorf("after a reload, the fresh token: %d", st)
	}
}
