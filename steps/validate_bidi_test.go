package steps

import (
	"strings"
	"testing"
)

// Every text-direction control is refused in a name and a description:
// the marks U+061C, U+200E and U+200F as well as the overrides and isolates.
func TestValidateRefusesEveryTextDirectionControl(t *testing.T) {
	for _, r := range []rune{0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		s := "Users " + string(r) + "gpj.exe"
		if _, err := ValidateText(s); err == nil || !strings.Contains(err.Error(), "text-direction") {
			t.Errorf("ValidateText with %U: %v", r, err)
		}
		if _, err := ValidateDescription(s); err == nil || !strings.Contains(err.Error(), "text-direction") {
			t.Errorf("ValidateDescription with %U: %v", r, err)
		}
	}
	// Right-to-left text itself is fine.
	if _, err := ValidateText("مستخدمو البوابة"); err != nil {
		t.Errorf("Arabic text refused: %v", err)
	}
}
