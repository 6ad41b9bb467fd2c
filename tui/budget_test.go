package tui

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/globus-setup/globus-setup/globus"
)

// A Globus that never answers ends a wizard operation when its own network
// budget is spent: the screen says so instead of spinning for minutes.
func TestWizardOperationHasANetworkBudget(t *testing.T) {
	stop := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	}))
	t.Cleanup(func() { close(stop); hung.Close() })

	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	env := globus.Environment{Name: "custom", AuthURL: hung.URL + "/auth/", GroupsURL: hung.URL + "/groups/", AppURL: hung.URL + "/app/", Timeout: time.Minute}
	client, err := globus.New(env)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Globus, cfg.Env, cfg.NetworkBudget = client, env, 300*time.Millisecond

	tm := start(t, cfg, 200, 50)
	waitFor(t, tm, "Step 1 of 6")
	press(tm, tea.KeyTab)
	waitFor(t, tm, "Step 2 of 6")
	fillStep(tm, "11111111-2222-4333-8444-555555555555", "kXv9T2pLq8Zr4YwNf6HcJm3Bs1DgEaUo7Ri0QtVyWxI=")
	waitFor(t, tm, "300ms in all, GLOBUS_SETUP_NETWORK_BUDGET") // one line of the wrapped message
}
