//go:build unix

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// What two more fresh-context testers found, seen on the real binary.

// e2eTesterGroupBeforeLogin: a console group's ID pasted on step 6 before
// logging in is not a failure (it is checked after the login, as steps 1, 4
// and 5 say), nor are the members typed beside it: they are added after
// the login.
func e2eTesterGroupBeforeLogin(t *testing.T, bin string) {
	dir := t.TempDir()
	vaultFile := filepath.Join(dir, "vault", "vault.age")
	tm := startWizard(t, bin, "testergroup", dir, 100, 30, "--demo", "--vault", vaultFile)
	tm.createVault()
	c := tm.console()
	tm.doProject(c)
	tm.doServiceAPI(c)
	tm.doServiceAccount(c)
	tm.doPublicClient(c)
	tm.goToStep(5, "Create the high-assurance policy")
	pp := c.person(nil)
	policyID := pp.addPolicy(c.developers(pp), e2eProject, e2eProject+" High Assurance Policy",
		"Who may use the inference gateway", "28800", "uchicago.edu", "anl.gov")
	tm.key("Enter")
	tm.typeLine(policyID)
	tm.typeLine("uchicago.edu anl.gov")
	tm.typeLine("8h")
	tm.resultOf(5, "▸○ 6 Globus groups", "- Policy is high assurance with the stored domains: skipped: log in", "Saved. Some checks could not run yet")

	p := c.person(nil)
	groupID := p.addGroup(c.base, "Inference Gateway Users")
	tm.waitFor("step 6", "Step 6 of 6 · Create Globus groups")
	tm.key("Enter")
	tm.waitFor("step 6's form", "esc stop typing")
	tm.paste(groupID)
	tm.waitFor("the group's ID pasted", "Pasted into Group ID", "ctrl+s saves")
	tm.key("Tab")
	tm.typeText("alice@uchicago.edu")
	tm.key("C-s")
	s := tm.waitForAny("step 6 saved", "✓ Step 6 saved", "✗")
	if !strings.Contains(s, "✓ Step 6 saved (checked after you log in: L — optional).") || strings.Contains(s, "✗") {
		t.Fatalf("a console group saved before the login is not said to be checked after it:\n%s", s)
	}
	tm.key("BTab")
	s = tm.waitFor("step 6's result", "▸● 6 Globus groups", "cannot see a group you made; its members are added after you")
	if strings.Contains(s, "✗") || strings.Contains(s, "404") {
		t.Errorf("step 6 shows a failure before the login:\n%s", s)
	}
	// Its name on Globus not read yet, the group is not named by its key,
	// which the operator never typed (t3 item 4).
	if strings.Contains(s, "(users)") || strings.Contains(s, "of users") || strings.Contains(s, "Group users") {
		t.Errorf("step 6 names the group by its key:\n%s", s)
	}

	// Logged in, x on step 6 adds the member the login was waiting for.
	tm.login(c)
	tm.goToStep(6, "Create Globus groups")
	tm.key("x")
	s = tm.waitFor("step 6 checked", "added alice@uchicago.edu", "✓ All good.")
	if !strings.Contains(s, `Members of "Inference Gateway Users" (one per line)`) || !strings.Contains(s, `Group ID ("Inference Gateway Users")`) {
		t.Errorf("read on Globus, the group is not named as Globus names it:\n%s", s)
	}
	tm.key("f")
	tm.waitFor("finish", "Every step is done.")
	tm.key("x")
	tm.waitFor("verified all", "✓ Everything checks out.")
	tm.assertSidebar(map[int]string{1: "✓", 2: "✓", 3: "✓", 4: "✓", 5: "✓", 6: "✓"}, "")
}
