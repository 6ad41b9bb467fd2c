package tui

import (
	"regexp"
	"strings"
)

var (
	mdLink   = regexp.MustCompile(`\[([^\]]+)\]\(([^)]+)\)`)
	mdStrong = regexp.MustCompile(`\*\*([^*]+)\*\*|__([^_]+)__`)
	mdCode   = regexp.MustCompile("`([^`]+)`")
	mdEm     = regexp.MustCompile(`\*([^*\s][^*]*)\*`)
	mdList   = regexp.MustCompile(`^(\s*)([-*+]|\d+[.)])\s+`)
)

// markdown renders the step texts simply: headings upper-cased, paragraphs
// joined and wrapped, list items hang-indented (continuation lines included),
// inline marks dropped. glamour would be heavier than these texts need.
func markdown(src string, width int) []string {
	var out []string
	var para []string     // words of the current paragraph or list item
	var lead, hang string // list item: first-line prefix and continuation indent
	flush := func() {
		if len(para) == 0 {
			return
		}
		text := strings.Join(para, " ")
		if lead == "" {
			out = append(out, wrap(text, width)...)
		} else {
			body := indent(text, len(hang), width)
			body[0] = lead + strings.TrimLeft(body[0], " ")
			out = append(out, body...)
		}
		para, lead, hang = nil, "", ""
	}
	blank := func() {
		if len(out) > 0 && out[len(out)-1] != "" {
			out = append(out, "")
		}
	}
	inFence := false
	for _, raw := range strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n") {
		line := strings.TrimRight(raw, " \t")
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") {
			flush()
			inFence = !inFence
			continue
		}
		if inFence {
			out = append(out, indent(line, 2, width)...)
			continue
		}
		switch {
		case trimmed == "":
			flush()
			blank()
		case strings.HasPrefix(trimmed, "#"):
			flush()
			out = append(out, wrap(strings.ToUpper(inline(strings.TrimLeft(trimmed, "# "))), width)...)
		case mdList.MatchString(line):
			flush()
			m := mdList.FindStringSubmatch(line)
			marker := m[2]
			if marker == "-" || marker == "*" || marker == "+" {
				marker = "•"
			}
			pad := strings.Repeat(" ", len(m[1])/2*2)
			lead = pad + marker + " "
			hang = strings.Repeat(" ", len([]rune(lead)))
			para = append(para, inline(line[len(m[0]):]))
		case strings.HasPrefix(trimmed, ">"):
			flush()
			out = append(out, indent(inline(strings.TrimSpace(strings.TrimLeft(trimmed, ">"))), 2, width)...)
		default:
			para = append(para, inline(trimmed)) // continues a paragraph or list item
		}
	}
	flush()
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

func inline(s string) string {
	s = mdLink.ReplaceAllString(s, "$1 ($2)")
	s = mdStrong.ReplaceAllString(s, "$1$2")
	s = mdEm.ReplaceAllString(s, "$1")
	s = mdCode.ReplaceAllString(s, "$1")
	return s
}
