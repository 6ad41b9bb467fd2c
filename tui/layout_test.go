package tui

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"

	"github.com/globus-setup/globus-setup/globus/globustest"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/vault"
)

var reMore = regexp.MustCompile(`── (\d+)/(\d+) `)

// screenText is the frame as plain lines, the sidebar cut off.
func screenText(v string) []string {
	var out []string
	for _, l := range strings.Split(mainPane(ansi.Strip(v)), "\n") {
		out = append(out, strings.TrimSpace(l))
	}
	return out
}

// pageThrough pages the current screen from its top to its bottom with
// PgDn and checks that every line of its content was on screen, whole, at
// least once, and that each page kept a line of the one before in view.
func pageThrough(t *testing.T, m *Model, what string) {
	t.Helper()
	s := m.shell
	raw, _ := s.current().lines(min(s.mainWidth(), readingWidth))
	content := make([]string, len(raw))
	for i, l := range raw {
		content[i] = strings.TrimSpace(ansi.Strip(l))
	}
	for range 100 { // to the top (a form may have scrolled to its field)
		if m.View(); s.scroll[s.sel] == 0 {
			break
		}
		drive(m, tea.KeyMsg{Type: tea.KeyPgUp})
	}
	seen := make([]bool, len(content))
	prevEnd, pages := -1, 0
	for range 100 {
		v := m.View()
		screen := screenText(v)
		at := -1
		for i, l := range screen {
			if reMore.MatchString(l) {
				at = i
			}
		}
		if at < 0 { // it all fits
			for _, l := range screen {
				for j, c := range content {
					if c == l {
						seen[j] = true
					}
				}
			}
			break
		}
		sub := reMore.FindStringSubmatch(screen[at])
		end, _ := strconv.Atoi(sub[1])
		total, _ := strconv.Atoi(sub[2])
		if total != len(content) {
			t.Fatalf("%s: the pane says %d lines, the page has %d", what, total, len(content))
		}
		// The lines above the "more" line are the content's, ending at end.
		start := end
		for i := at - 1; i >= 0 && start > 0 && screen[i] == content[start-1]; i-- {
			start--
		}
		if start == end {
			t.Fatalf("%s: the pane shows none of lines ..%d:\n%s", what, end, v)
		}
		for j := start; j < end; j++ {
			seen[j] = true
		}
		if prevEnd >= 0 && start > prevEnd-1 {
			t.Errorf("%s: PgDn went from lines ..%d to %d.., keeping none in view", what, prevEnd, start+1)
		}
		pages++
		if end == total {
			break
		}
		prevEnd = end
		drive(m, tea.KeyMsg{Type: tea.KeyPgDown})
	}
	for j, ok := range seen {
		if !ok && content[j] != "" {
			t.Errorf("%s: line %d never shown in %d pages: %q", what, j+1, pages, content[j])
		}
	}
}

// PgDn shows every line of a step, whatever the note pinned above it
// takes, at 60x20 and 100x30 (the pages overlap by a line).
func TestPagingShowsEveryLine(t *testing.T) {
	for _, size := range [][2]int{{60, 20}, {100, 30}} {
		w, h := size[0], size[1]
		name := fmt.Sprintf("%dx%d", w, h)
		t.Run(name, func(t *testing.T) {
			// Step 2, with step 1's note after a save without a login.
			cfg, _, _ := testConfig(t)
			cfg = unlocked(t, cfg)
			m := NewModel(cfg).(*Model)
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			m.shell.goTo(0)
			drive(m, paste("3f2a6c1e-5b0e-4b8f-8a57-2b0f3d6c1e99"))
			if m.shell.sel != 1 || m.shell.arrived == "" {
				t.Fatalf("step 1 did not move on with its note (screen %d)", m.shell.sel)
			}
			pageThrough(t, m, "step 2 "+name)
			drive(m, keys("?")) // the full help takes lines too
			pageThrough(t, m, "step 2 with the full help "+name)
			drive(m, keys("?"))

			// Step 6, with step 5's longer note and its form open.
			m, cfg, srv, policy := policyWorld(t, []string{"example.org"})
			api, secret := srv.RegisterClient(cfg.Vault.Doc().Values["project.id"], "Service API", globustest.HybridConfidentialRS)
			if err := steps.Accept(cfg.Vault, "service_api", map[string]string{"service_api.client_id": api, "service_api.client_secret": secret}); err != nil {
				t.Fatal(err) // step 6 makes the group as the Service API app
			}
			srv.AddIdentity("alice@example.org", "Alice", "alice@example.org", "")
			drive(m, paste(policy))
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			if m.shell.sel != 5 || m.shell.arrived == "" {
				t.Fatalf("step 5 did not move on with its note (screen %d)", m.shell.sel)
			}
			pageThrough(t, m, "step 6 "+name)
			drive(m, esc)
			pageThrough(t, m, "step 6, form closed, "+name)

			// The note gone (the operator moved), the pages are longer.
			drive(m, tab)
			drive(m, tea.KeyMsg{Type: tea.KeyShiftTab})
			if m.shell.arrived != "" {
				t.Fatal("the note is still there after moving")
			}
			pageThrough(t, m, "step 6 without the note "+name)

			// Finish, with step 6's note, after x: a report of many pages.
			drive(m, enter)
			drive(m, keys("alice@example.org"))
			drive(m, enter)
			if m.shell.sel != m.shell.finishIndex() || m.shell.arrived == "" {
				t.Fatalf("step 6 did not move on to Finish with its note (screen %d): %s", m.shell.sel, resultText(m.shell.stepPage("groups").result))
			}
			drive(m, keys("x"))
			pageThrough(t, m, "Finish after x "+name)
		})
	}
}

// helpKeys are the keys the help bar at the bottom of the frame lists.
func helpKeys(m *Model) (keys []string, lines []string) {
	screen := strings.Split(ansi.Strip(m.View()), "\n")
	lines = screen[len(screen)-len(m.shell.helpLines()):]
	for _, l := range lines {
		for _, item := range strings.Split(l, " • ") {
			if f := strings.Fields(item); len(f) > 0 {
				keys = append(keys, f[0])
			}
		}
	}
	return keys, lines
}

// At 60x20 the help bar hides none of the keys it lists: every key of
// the screen is there, ? (which lists the rest) too, and nothing is cut.
func TestHelpBarHidesNoKey(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 60, Height: 20})
	check := func(what string) {
		t.Helper()
		p := m.shell.current()
		want := []string{}
		if !p.typing() {
			want = append(want, "?")
		}
		for _, b := range p.bindings() {
			want = append(want, b.Help().Key)
		}
		got, lines := helpKeys(m)
		for _, k := range want {
			if !strings.Contains(" "+strings.Join(got, " ")+" ", " "+k+" ") {
				t.Errorf("%s: %q is not in the help bar:\n%s", what, k, strings.Join(lines, "\n"))
			}
		}
		if l := strings.Join(lines, "\n"); strings.Contains(l, "…") {
			t.Errorf("%s: the help bar is cut:\n%s", what, l)
		}
	}
	for i := range m.shell.cat {
		m.shell.goTo(i)
		check(fmt.Sprintf("step %d", i+1))
		drive(m, enter)
		check(fmt.Sprintf("step %d, typing", i+1))
		drive(m, esc)
	}
	for _, i := range []int{m.shell.valuesIndex(), m.shell.loginIndex(), m.shell.finishIndex()} {
		m.shell.goTo(i)
		check(fmt.Sprintf("screen %d", i))
	}
}

// The header shows which vault is open: its path whole, or its start and
// its last names around "…", never a name cut in the middle; when not
// whole, the full help (?) shows it whole.
func TestHeaderKeepsTheVaultsName(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg.Paths = vault.PathsFor(filepath.Join(t.TempDir(), "guided", "v2", "vault.age"))
	cfg = unlocked(t, cfg)
	cfg.Demo = true
	full := cfg.Paths.Vault
	names := strings.Split(full, "/")
	for _, size := range [][2]int{{60, 20}, {100, 30}, {200, 30}} {
		m := NewModel(cfg).(*Model)
		m.Update(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		header := strings.Split(ansi.Strip(m.View()), "\n")[0]
		_, shown, ok := strings.Cut(header, "│ vault ")
		shown = strings.TrimSpace(shown)
		if !ok || shown == "" {
			t.Errorf("%dx%d: the header names no vault: %q", size[0], size[1], header)
			continue
		}
		if shown != full {
			head, tail, ok := strings.Cut(shown, "/…/")
			if !ok || !strings.HasPrefix(full, head+"/") || !strings.HasSuffix(full, "/"+tail) || !strings.HasSuffix(tail, "v2/vault.age") {
				t.Errorf("%dx%d: the header shows %q for %s: not its start and its last names", size[0], size[1], shown, full)
			}
			for _, n := range strings.Split(head+"/"+tail, "/") {
				if !slices.Contains(names, n) {
					t.Errorf("%dx%d: %q is a name cut in the middle (%q)", size[0], size[1], n, shown)
				}
			}
			drive(m, keys("?"))
			if v := strings.Join(strings.Fields(ansi.Strip(m.View())), ""); !strings.Contains(v, full) {
				t.Errorf("%dx%d: the full help does not show the vault's path:\n%s", size[0], size[1], m.View())
			}
		}
		if size[0] == 60 && shown != "/tmp/…/v2/vault.age" && strings.HasPrefix(full, "/tmp/") {
			t.Errorf("60 columns: the header shows %q, want /tmp/…/v2/vault.age", shown)
		}
	}
}
