package tui

// linkLines shows a URL twice: as plain text, hard-wrapped so every
// character is on screen to select or read (no terminal feature needed),
// and as an OSC 8 hyperlink that terminals which know it make clickable.
// The hyperlink is one short line: an OSC 8 sequence must not be split by
// wrapping.
func linkLines(st styles, url, label string, w int) []string {
	out := []string{"  " + st.key.Render(hyperlink(url, truncate(label, max(w-2, 1))))}
	for _, l := range urlLines(url, max(w-2, 10)) {
		out = append(out, "  "+l)
	}
	return out
}

// urlLines breaks a URL to width, after a "/", "?" or "&" where it can, so
// each line ends at a part of the address rather than inside a word; a part
// longer than a line is broken anywhere. Joined, the lines are the URL.
func urlLines(url string, width int) []string {
	var parts []string
	start := 0
	for i, r := range url {
		if r == '/' || r == '?' || r == '&' {
			parts = append(parts, url[start:i+1])
			start = i + 1
		}
	}
	parts = append(parts, url[start:])
	var out []string
	cur := ""
	for _, p := range parts {
		if len(cur)+len(p) <= width {
			cur += p
			continue
		}
		if cur != "" {
			out = append(out, cur)
		}
		cur = p
		for len(cur) > width {
			out = append(out, cur[:width])
			cur = cur[width:]
		}
	}
	if cur != "" || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}
