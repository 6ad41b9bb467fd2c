package globustest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func createProject(w *world, ctx context.Context, bearer, name string) call {
	return call{ctx: ctx, method: "POST", url: w.authURL + "v2/api/projects", bearer: bearer,
		json: map[string]any{"project": map[string]any{"display_name": name, "contact_email": "ops@example.org"}}}
}

func projectNames(s *Server) []string {
	var out []string
	for _, p := range s.Projects() {
		out = append(out, p.Name)
	}
	return out
}

func lastStatus(s *Server) int {
	r := s.Requests()
	return r[len(r)-1].Status
}

func TestFailAfterHandling(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	id, _ := w.s.RegisterClient(w.project, "Service API", HybridConfidentialRS)

	// The secret is made, but the answer that carried it is replaced by a 500.
	w.s.FailNext("POST", "/v2/api/clients/"+id+"/credentials", 1, Failure{AfterHandling: true, Status: 500})
	a := call{method: "POST", url: w.authURL + "v2/api/clients/" + id + "/credentials", bearer: auth,
		json: map[string]any{"credential": map[string]any{"name": "lost"}}}.do(t)
	globusError(t, a, 500, "INTERNAL_SERVER_ERROR")
	if strings.Contains(string(a.raw), `"secret"`) {
		t.Errorf("the failure carries the secret: %s", a.raw)
	}
	creds := w.s.Credentials(id)
	if len(creds) != 2 || creds[1].Name != "lost" {
		t.Errorf("credentials after a lost answer: %v", creds)
	}
	if got := lastStatus(w.s); got != 500 {
		t.Errorf("recorded status %d, want 500", got)
	}

	// With neither Status nor Drop, the real answer goes out after the delay.
	w.s.FailNext("POST", "/v2/api/projects", 1, Failure{AfterHandling: true, Delay: time.Millisecond})
	doc := expect(t, createProject(w, nil, auth, "Late").do(t), 200).obj(t)
	if p, _ := doc["project"].(map[string]any); p["display_name"] != "Late" {
		t.Errorf("replayed answer: %s", doc)
	}
}

func TestFailAfterHandlingThenDelay(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	w.s.FailNext("POST", "/v2/api/projects", 1, Failure{AfterHandling: true, Delay: time.Hour, Status: 500})

	// The client gives up once the project exists: it was made before the
	// wait. The deadline only bounds a broken emulator.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() {
		for len(w.s.Projects()) < 2 && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, err := createProject(w, ctx, auth, "Made while waiting").send()
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled (the project should exist before the delay)", err)
	}
	if got := projectNames(w.s); len(got) != 2 || got[1] != "Made while waiting" {
		t.Errorf("projects %v", got)
	}
	expect(t, createProject(w, nil, auth, "Next").do(t), 200)
}

func TestCloseDropsAnswerAfterHandling(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)
	w.s.FailNext("POST", "/v2/api/projects", 1, Failure{AfterHandling: true, Delay: time.Hour, Status: 500})
	done := make(chan error, 1)
	go func() {
		a, err := createProject(w, nil, auth, "Made before shutdown").send()
		if err == nil {
			done <- errors.New("answered " + http.StatusText(a.status))
			return
		}
		done <- nil
	}()
	// Bounded, so a create that never arrives fails here rather than at go test's timeout.
	deadline := time.After(30 * time.Second)
	for len(w.s.Projects()) < 2 {
		select {
		case <-deadline:
			t.Fatal("after 30s the emulator still had not made the project: the held-back create never arrived")
		case err := <-done:
			t.Fatalf("the create ended before the project was made (%v)", err)
		case <-time.After(time.Millisecond):
		}
	}
	w.s.Close()
	// The work was done and the server went away: no answer at all.
	if err := <-done; err != nil {
		t.Errorf("want a dropped connection, got %v", err)
	}
}

func TestFailDrop(t *testing.T) {
	w := newWorld(t)
	auth, _ := w.operatorTokens(t)

	// Before handling: nothing happens and nothing is answered.
	w.s.FailNext("POST", "/v2/api/projects", 1, Failure{Drop: true, Status: 500})
	if a, err := createProject(w, nil, auth, "Never").send(); err == nil {
		t.Fatalf("dropped request answered %d: %s", a.status, a.raw)
	}
	if got := projectNames(w.s); len(got) != 1 {
		t.Errorf("a dropped request made a project: %v", got)
	}
	if got := lastStatus(w.s); got != 0 {
		t.Errorf("recorded status %d for a dropped request", got)
	}

	// After handling: made, but the answer never comes.
	w.s.FailNext("POST", "/v2/api/projects", 1, Failure{Drop: true, AfterHandling: true})
	if a, err := createProject(w, nil, auth, "Made").send(); err == nil {
		t.Fatalf("dropped request answered %d: %s", a.status, a.raw)
	}
	if got := projectNames(w.s); len(got) != 2 || got[1] != "Made" {
		t.Errorf("projects %v", got)
	}
	expect(t, createProject(w, nil, auth, "Fine").do(t), 200)
}
