// Package assets holds the texts the wizard shows, embedded in the binary:
// one markdown guide per step and the suggested names used by --demo.
//
// A guide is guides/<step id>.md with two sections, "## Why it matters" and
// "## On the console"; adding a step means adding one such file.
package assets

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

//go:embed guides/*.md
var guides embed.FS

const (
	whyHeading = "## Why it matters"
	howHeading = "## On the console"
)

// ErrNoGuide reports a step without a guide file.
var ErrNoGuide = errors.New("no guide for this step")

// Guide returns a step's two texts as markdown, without their headings:
// why the step matters, and what to do on the console.
func Guide(stepID string) (why, howto string, err error) {
	if stepID == "" || strings.ContainsAny(stepID, "/\\.") {
		return "", "", fmt.Errorf("guide %q: %w", stepID, ErrNoGuide)
	}
	parsedOnce.Do(parseAll)
	g, ok := parsed[stepID]
	if !ok {
		return "", "", fmt.Errorf("guide %q: %w", stepID, ErrNoGuide)
	}
	return g.why, g.howto, g.err
}

type parsedGuide struct {
	why, howto string
	err        error
}

// Guides are parsed once: the catalogue is rebuilt often (every Status call).
var (
	parsedOnce sync.Once
	parsed     map[string]parsedGuide
)

func parseAll() {
	parsed = map[string]parsedGuide{}
	for _, id := range GuideIDs() {
		b, err := guides.ReadFile("guides/" + id + ".md")
		if err != nil {
			parsed[id] = parsedGuide{err: fmt.Errorf("guide %q: %w", id, err)}
			continue
		}
		why, howto, err := split(id, string(b))
		parsed[id] = parsedGuide{why, howto, err}
	}
}

// MustGuide is Guide for the built-in catalogue, whose guides are tested to exist.
func MustGuide(stepID string) (why, howto string) {
	why, howto, err := Guide(stepID)
	if err != nil {
		panic(err)
	}
	return why, howto
}

// GuideIDs lists the step IDs that have a guide, sorted.
func GuideIDs() []string {
	entries, _ := fs.ReadDir(guides, "guides")
	var ids []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".md"); ok {
			ids = append(ids, name)
		}
	}
	sort.Strings(ids)
	return ids
}

// split cuts a guide into its two sections; either heading missing is an error
// so a malformed file fails the tests rather than showing half a guide.
func split(id, text string) (why, howto string, err error) {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	wi := strings.Index(text, whyHeading+"\n")
	hi := strings.Index(text, howHeading+"\n")
	if wi < 0 || hi < 0 || hi < wi {
		return "", "", fmt.Errorf("guide %q: needs %q then %q", id, whyHeading, howHeading)
	}
	why = strings.TrimSpace(text[wi+len(whyHeading) : hi])
	howto = strings.TrimSpace(text[hi+len(howHeading):])
	if why == "" || howto == "" {
		return "", "", fmt.Errorf("guide %q: a section is empty", id)
	}
	return why, howto, nil
}
