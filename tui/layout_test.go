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

// guidedWorld is policyWorld with steps 2 and 4 done on their screens,
// as on the guided path without a login; the model is on step 5 and
// alice@example.org is a Globus user.
func guidedWorld(t *testing.T) (*Model, string) {
	t.Helper()
	m, cfg, srv, policy := policyWorld(t, []string{"example.org"})
	project := cfg.Vault.Doc().Values["project.id"]
	api, secret := srv.RegisterClient(project, "Service API", globustest.HybridConfidentialRS)
	public, _ := srv.RegisterClient(project, "Public Client", globustest.PublicInstalledClient)
	srv.AddIdentity("alice@example.org", "Alice", "alice@example.org", "")
	m.shell.goTo(1)
	drive(m, paste(api))
	drive(m, paste(secret))
	m.shell.goTo(3)
	drive(m, paste(public))
	for _, id := range []string{"service_api", "public_client"} {
		if st := m.shell.status[id].State; !st.Finished() {
			t.Fatalf("step %s is %s after its paste", id, st)
		}
	}
	m.shell.goTo(4)
	return m, policy
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
			m, policy := guidedWorld(t)
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
	for _, i := range []int{m.shell.valuesIndex(), m.shell.loginIndex(), m.shell.setupIndex(), m.shell.finishIndex()} {
		drive(m, runCmd(m.shell.goTo(i)))
		check(fmt.Sprintf("screen %d", i))
		if p := m.shell.current(); p.typing() {
			drive(m, esc)
			check(fmt.Sprintf("screen %d, not typing", i))
		}
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

// A step saved without a login says its check waits for the login (an
// optional one), not that something could not run; a check that could
// not run for another reason still says so.
func TestNoteSaysChecksWaitForTheLogin(t *testing.T) {
	cfg, _, _ := testConfig(t)
	cfg = unlocked(t, cfg)
	m := NewModel(cfg).(*Model)
	m.Update(tea.WindowSizeMsg{Width: 100, Height: 30})
	m.shell.goTo(0)
	drive(m, paste("3f2a6c1e-5b0e-4b8f-8a57-2b0f3d6c1e99"))
	v := strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(v, "✓ Step 1 saved (checked after you log in: L — optional).") || strings.Contains(v, "could not run yet") {
		t.Errorf("step 1's note does not say its check waits for the login:\n%s", m.View())
	}

	// Step 5: one check passed, one waits for the login; step 6 opened its
	// form, so the key is after esc.
	m, policy := guidedWorld(t)
	drive(m, paste(policy))
	v = strings.Join(strings.Fields(mainPane(m.View())), " ")
	if !strings.Contains(v, "✓ Step 5 saved and checked: 1 passed, 1 checked after you log in (esc, then L — optional).") {
		t.Errorf("step 5's note does not say what waits for the login:\n%s", m.View())
	}

	for _, c := range []struct {
		lines []string
		want  string
	}{
		{[]string{"- Groups: skipped: no group stored (groups are optional)"}, "✓ Step 6 saved; its check could not run yet (shift+tab shows why)."},
		{[]string{"✓ Policy exists", "- Gateway: skipped: not checked: Globus could not be reached (see above)"}, "1 passed, 1 could not run yet (shift+tab shows why)."},
		{[]string{"✓ Credentials work", "- Project exists: skipped: token expired: log in again to check (L)"}, "1 passed, 1 checked after you log in (L — optional)."},
		{[]string{"- Project exists: skipped: log in to check (L)"}, "✓ Step 6 saved (checked after you log in: L — optional)."},
		{[]string{"- Project exists: skipped: the login could not be used (no answer)"}, "its check could not run yet (shift+tab shows why)."},
		// Members saved are said to be added (tester item 9).
		{[]string{`Group users "Gateway Users" (f793c2f1-fcf3-41c4-bd9f-8f5ad0a79cf1); added alice@example.org, bob@example.org; already members: carol@example.org.`, `✓ Group "Gateway Users" exists and holds its members`},
			"1 check passed. Added alice@example.org, bob@example.org to the group."},
		{[]string{`Group users "Gateway Users" (f793c2f1-fcf3-41c4-bd9f-8f5ad0a79cf1); added nobody; already members: carol@example.org.`, `✓ Group "Gateway Users" exists and holds its members`},
			"✓ Step 6 saved and checked: 1 check passed."},
	} {
		if got := checkedNote(6, c.lines); !strings.HasSuffix(got, c.want) {
			t.Errorf("checkedNote(%q) = %q, want it to end %q", c.lines, got, c.want)
		}
	}
}

// After x on Finish, the steps whose checks need a login are said to,
// not "not verified yet: press x" (x again would change nothing); once
// logged in, x is what to press again.
func TestFinishSaysWhatNeedsALogin(t *testing.T) {
	m, policy := guidedWorld(t)
	drive(m, paste(policy))
	drive(m, keys("alice@example.org"))
	drive(m, enter)
	if m.shell.sel != m.shell.finishIndex() {
		t.Fatalf("step 6 did not move on to Finish (screen %d): %s", m.shell.sel, resultText(m.shell.stepPage("groups").result))
	}
	finishText := func() string {
		lines, _ := m.shell.finish.lines(200)
		return strings.Join(lines, "\n")
	}
	if v := finishText(); !strings.Contains(v, "4 not verified yet: press x to verify all") {
		t.Fatalf("before x, Finish does not ask for x:\n%s", v)
	}
	for range 2 {
		drive(m, keys("x"))
		v := finishText()
		if !strings.Contains(v, "Every step is done. 3 need a login to check: L logs in (optional), then x checks again.") || strings.Contains(v, "not verified yet") {
			t.Errorf("after x, Finish does not say the checks left need a login:\n%s", v)
		}
		if !strings.Contains(v, "Nothing failed; some checks need a login (L).") {
			t.Errorf("after x, the result does not say what was skipped needs a login:\n%s", v)
		}
	}
	m.shell.loggedIn = true // as after L: x is worth pressing again
	if v := finishText(); !strings.Contains(v, "3 not verified yet: press x to verify all") {
		t.Errorf("logged in, Finish does not ask for x again:\n%s", v)
	}
}
