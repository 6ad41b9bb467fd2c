package termsafe

import "strings"

// lineBreaks shows the characters that break or move a line as the escapes
// a reader knows: a newline in a value would otherwise start what looks
// like a line of the tool's own output.
var lineBreaks = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// Inline makes s safe to show inside one line of output, as a value among
// the tool's own words (a note, a name, a path): every unsafe character is
// shown escaped, as by Line, and so are newline, CR and tab (\n, \r, \t),
// which Line turns into a space or drops. Text that holds none of them is
// returned as it is.
func Inline(s string) string {
	if isClean(s, false) {
		return s
	}
	return Line(lineBreaks.Replace(s))
}
