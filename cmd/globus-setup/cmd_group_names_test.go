package main

import (
	"strings"
	"testing"
)

// A group is named as Globus names it wherever that is known: an imported
// group by the name Globus answers (never one made up from the project's
// name), verify's line counts the members Globus holds rather than "0
// stored", and group create says what it named the group and from what.
func TestGroupsAreNamedAsGlobusNamesThem(t *testing.T) {
	w, path := importWorld(t) // Globus holds the group "Gateway users"
	code, out, errs := w.run("import", path)
	if code != 0 {
		t.Fatalf("import: %d\n%s%s", code, out, errs)
	}
	_, out, _ = w.run("status", "--keys")
	if !strings.Contains(out, `groups.users.id                  stored   Group ID ("Gateway users")`) || strings.Contains(out, "Inference Gateway Users") {
		t.Errorf("status --keys names the imported group:\n%s", out)
	}
	_, out, _ = w.run("verify")
	if !strings.Contains(out, `✓ Group "Gateway users" exists (1 member on Globus; none stored here to check`) {
		t.Errorf("verify's group line:\n%s", out)
	}

	code, out, errs = w.run("group", "create", "gateway-users", "--member", "alice@example.org")
	if code != 0 || !strings.Contains(out, `Created group gateway-users "Demo Inference Gateway gateway-users" (`) ||
		!strings.Contains(out, `; its name on Globus was made from project.name "Demo Inference Gateway" and the group's name gateway-users (--display-name gives another); added alice@example.org.`) {
		t.Fatalf("group create: %d\n%q%s", code, out, errs)
	}
	_, out, _ = w.run("status", "--keys")
	if !strings.Contains(out, `groups.gateway-users.id          stored   Group ID ("Demo Inference Gateway gateway-users")`) {
		t.Errorf("status --keys after group create:\n%s", out)
	}
	_, out, _ = w.run("verify")
	if !strings.Contains(out, `✓ Group "Demo Inference Gateway gateway-users" exists and holds its members (2 members on Globus, the 1 stored among them)`) {
		t.Errorf("verify after group create:\n%s", out)
	}
}
