package steps

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/vault"
)

const operator = "operator@example.org"

// world is an emulator seeded as the guide leaves it after the console
// steps, with a vault holding those values and a client pointed at it.
type world struct {
	t                  testing.TB
	srv                *globustest.Server
	e                  *Env
	projectID          string
	apiID, apiSecret   string
	acctID, acctSecret string
	publicID, policyID string
	mu                 sync.Mutex
	sleeps             []time.Duration
}

func newWorld(t testing.TB) *world {
	t.Helper()
	srv, _ := globustest.NewTestServer(t)
	return newWorldOn(t, srv, srv.AuthURL(), srv.GroupsURL())
}

func newWorldOn(t testing.TB, srv *globustest.Server, authURL, groupsURL string) *world {
	t.Helper()
	w := &world{t: t, srv: srv}
	srv.AddIdentity(operator, "Op Erator", operator, "")
	srv.AddIdentity("alice@example.org", "Alice", "alice@example.org", "")
	srv.AddIdentity("bob@example.edu", "Bob", "bob@example.edu", "")
	srv.SetOperator(operator)
	w.projectID = srv.AddProject("Demo Inference Gateway", "ops@example.org", operator)
	w.apiID, w.apiSecret = srv.RegisterClient(w.projectID, "Service API", globustest.HybridConfidentialRS)
	w.acctID, w.acctSecret = srv.RegisterClient(w.projectID, "Endpoints", globustest.ClientIdentity)
	w.publicID, _ = srv.RegisterClient(w.projectID, "Public Client", globustest.PublicInstalledClient)
	w.policyID = srv.AddPolicy(w.projectID, "HA", []string{"example.org", "example.edu"}, 28800)

	client, err := globus.New(globus.Environment{Name: "custom", AuthURL: authURL, GroupsURL: groupsURL, Timeout: 30 * time.Second},
		globus.WithSleep(func(ctx context.Context, d time.Duration) error {
			w.mu.Lock()
			w.sleeps = append(w.sleeps, d)
			w.mu.Unlock()
			return ctx.Err()
		}))
	if err != nil {
		t.Fatal(err)
	}
	w.e = &Env{Vault: newVault(t), Globus: client}
	w.set(map[string]string{
		"project.id":                    w.projectID,
		"project.name":                  "Demo Inference Gateway",
		"service_api.client_id":         w.apiID,
		"service_api.client_secret":     w.apiSecret,
		"service_account.client_id":     w.acctID,
		"service_account.client_secret": w.acctSecret,
		"public_client.client_id":       w.publicID,
		"policy.id":                     w.policyID,
		"policy.domains":                "example.org example.edu",
		"policy.assurance_timeout":      "8h",
	})
	return w
}

func (w *world) set(values map[string]string) {
	w.t.Helper()
	if err := SetValues(w.e.Vault, values); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) get(key string) string {
	w.t.Helper()
	if err := w.e.Vault.Reload(); err != nil {
		w.t.Fatal(err)
	}
	v, _ := w.e.Vault.Get(key)
	return v
}

// login runs the operator's login end to end, pasting the code page's address.
func (w *world) login() {
	w.t.Helper()
	flow, err := StartLogin(w.e, "")
	if err != nil {
		w.t.Fatal(err)
	}
	code, err := w.srv.ApproveLogin(flow.URL)
	if err != nil {
		w.t.Fatal(err)
	}
	if _, err := FinishLogin(context.Background(), w.e, flow, code); err != nil {
		w.t.Fatal(err)
	}
}

// expireLogin makes the stored tokens look expired locally and on the server.
func (w *world) expireLogin() {
	w.t.Helper()
	w.srv.AdvanceClock(49 * time.Hour)
	err := w.e.Vault.Update(func(d *vault.Doc) error {
		var l operatorLogin
		if err := json.Unmarshal([]byte(d.Internal[OperatorTokensKey]), &l); err != nil {
			return err
		}
		for rs, t := range l.Tokens {
			t.ExpiresAt = time.Now().Add(-time.Minute)
			l.Tokens[rs] = t
		}
		b, _ := json.Marshal(l)
		d.Internal[OperatorTokensKey] = string(b)
		return nil
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) count(method, prefix string) int { return w.srv.CountRequests(method, prefix) }

func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%q\n  does not contain %q", got, want)
		}
	}
}

// wrapped serves srv through h, which sees each request first.
func wrapped(t *testing.T, srv *globustest.Server, h func(w http.ResponseWriter, r *http.Request) bool) *httptest.Server {
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if h(rw, r) {
			return
		}
		srv.ServeHTTP(rw, r)
	}))
	t.Cleanup(ts.Close)
	return ts
}
