// Package browse is a minimal browser for the emulator's plain web pages,
// for tests: it follows links by their text and submits forms by their
// button, filling fields by their label, as a person does, so a test fails
// when a page lacks the link or field a guide names. It reads only the
// simple HTML the emulator writes (no JavaScript, no CSS).
package browse

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Page is one page as fetched, its links and forms read.
type Page struct {
	URL   *url.URL
	Body  string
	Links []Link
	Forms []*Form
}

// Link is an <a href>, its text as shown.
type Link struct{ Text, Href string }

// Form is a <form>: where it goes, its fields and its submit buttons.
type Form struct {
	Method, Action string
	Fields         []*Field
	Buttons        []string
}

// Field is one control. Value starts as the page's default (what is sent
// if the person leaves it alone).
type Field struct {
	Name, Type, Label, Value string
	Default                  string
	Checked                  bool
	Options                  []Option // a select's
}

// Option is one choice of a select.
type Option struct{ Value, Text string }

// Browser fetches pages from one emulator.
type Browser struct {
	t      testing.TB
	client *http.Client
}

// New is a browser whose failures end the test.
func New(t testing.TB) *Browser {
	return &Browser{t: t, client: &http.Client{}}
}

// Get fetches a page, which must answer 200 (after redirects).
func (b *Browser) Get(rawURL string) *Page {
	b.t.Helper()
	resp, err := b.client.Get(rawURL)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.read(resp)
}

func (b *Browser) read(resp *http.Response) *Page {
	b.t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		b.t.Fatalf("%s %s: %s\n%s", resp.Request.Method, resp.Request.URL, resp.Status, body)
	}
	return Parse(resp.Request.URL, string(body))
}

// FindLink is the first link whose text starts with text (the guides quote
// some links only up to an ellipsis); ok is false if there is none.
func (p *Page) FindLink(text string) (Link, bool) {
	i := slices.IndexFunc(p.Links, func(l Link) bool { return strings.HasPrefix(l.Text, text) })
	if i < 0 {
		return Link{}, false
	}
	return p.Links[i], true
}

// Follow clicks the link whose text starts with text.
func (b *Browser) Follow(p *Page, text string) *Page {
	b.t.Helper()
	l, ok := p.FindLink(text)
	if !ok {
		b.t.Fatalf("no link %q on %s; its links: %v\n%s", text, p.URL, p.Links, p.Body)
	}
	return b.Get(p.resolve(l.Href))
}

func (p *Page) resolve(ref string) string {
	u, err := p.URL.Parse(ref)
	if err != nil {
		return ref
	}
	return u.String()
}

// Form is the form with a submit button labelled button.
func (b *Browser) Form(p *Page, button string) *Form {
	b.t.Helper()
	for _, f := range p.Forms {
		if slices.Contains(f.Buttons, button) {
			return f
		}
	}
	b.t.Fatalf("no form with a %q button on %s\n%s", button, p.URL, p.Body)
	return nil
}

// Field is the form's control whose label starts with label.
func (f *Form) Field(label string) (*Field, bool) {
	i := slices.IndexFunc(f.Fields, func(fd *Field) bool { return fd.Type != "hidden" && strings.HasPrefix(fd.Label, label) })
	if i < 0 {
		return nil, false
	}
	return f.Fields[i], true
}

// Submit presses button and returns the page it leads to.
func (b *Browser) Submit(p *Page, f *Form, button string) *Page {
	b.t.Helper()
	if !slices.Contains(f.Buttons, button) {
		b.t.Fatalf("the form has no %q button", button)
	}
	vals := f.Values()
	target := p.resolve(f.Action)
	if strings.EqualFold(f.Method, "post") {
		resp, err := b.client.PostForm(target, vals)
		if err != nil {
			b.t.Fatal(err)
		}
		return b.read(resp)
	}
	u, err := url.Parse(target)
	if err != nil {
		b.t.Fatal(err)
	}
	u.RawQuery = vals.Encode()
	return b.Get(u.String())
}

// Values is what the form sends as it stands.
func (f *Form) Values() url.Values {
	v := url.Values{}
	for _, fd := range f.Fields {
		if fd.Type == "checkbox" && !fd.Checked {
			continue
		}
		v.Add(fd.Name, fd.Value)
	}
	return v
}

var (
	tagRe  = regexp.MustCompile(`(?s)<(/?)([a-zA-Z]+)((?:\s+[a-zA-Z_:-]+(?:="[^"]*")?)*)\s*>`)
	attrRe = regexp.MustCompile(`([a-zA-Z_:-]+)(?:="([^"]*)")?`)
	textRe = regexp.MustCompile(`(?s)<[^>]*>`)
	// controlRe is what a text area or select holds, not its label's words.
	controlRe = regexp.MustCompile(`(?s)<textarea.*?</textarea>|<select.*?</select>`)
)

// text is markup as a person reads it: tags dropped, entities decoded,
// white space folded.
func text(markup string) string {
	return strings.Join(strings.Fields(html.UnescapeString(textRe.ReplaceAllString(markup, " "))), " ")
}

// Parse reads the links and forms of a page the emulator wrote.
func Parse(u *url.URL, body string) *Page {
	p := &Page{URL: u, Body: body}
	var (
		form                     *Form
		sel                      *Field
		label                    = -1 // where the open <label>'s text starts
		labelled                 []*Field
		linkAt, textAt, optionAt = -1, -1, -1
		link                     Link
		opt                      Option
		optSelected              bool
		area                     *Field
	)
	for _, m := range tagRe.FindAllStringSubmatchIndex(body, -1) {
		closing, name := body[m[2]:m[3]] == "/", strings.ToLower(body[m[4]:m[5]])
		attrs := map[string]string{}
		for _, a := range attrRe.FindAllStringSubmatch(body[m[6]:m[7]], -1) {
			attrs[strings.ToLower(a[1])] = html.UnescapeString(a[2])
		}
		_, has := attrs["selected"]
		_, checked := attrs["checked"]
		switch {
		case name == "a" && !closing:
			link, linkAt = Link{Href: attrs["href"]}, m[1]
		case name == "a" && closing && linkAt >= 0:
			link.Text = text(body[linkAt:m[0]])
			p.Links = append(p.Links, link)
			linkAt = -1
		case name == "form" && !closing:
			form = &Form{Method: attrs["method"], Action: attrs["action"]}
			if form.Method == "" {
				form.Method = "get"
			}
			p.Forms = append(p.Forms, form)
		case name == "form" && closing:
			form = nil
		case name == "label" && !closing:
			label, labelled = m[1], nil
		case name == "label" && closing && label >= 0:
			// The label's words, without what its text area or select holds.
			l := body[label:m[0]]
			l = controlRe.ReplaceAllString(l, " ")
			for _, f := range labelled {
				f.Label = text(l)
			}
			label = -1
		case form == nil:
		case name == "input" && !closing:
			f := &Field{Name: attrs["name"], Type: attrs["type"], Value: attrs["value"], Checked: checked}
			if f.Type == "" {
				f.Type = "text"
			}
			if f.Type == "checkbox" && f.Value == "" {
				f.Value = "on"
			}
			f.Default = f.Value
			form.Fields = append(form.Fields, f)
			labelled = append(labelled, f)
		case name == "textarea" && !closing:
			area, textAt = &Field{Name: attrs["name"], Type: "textarea"}, m[1]
		case name == "textarea" && closing && area != nil:
			area.Value = html.UnescapeString(body[textAt:m[0]])
			area.Default = area.Value
			form.Fields = append(form.Fields, area)
			labelled = append(labelled, area)
			area = nil
		case name == "select" && !closing:
			sel = &Field{Name: attrs["name"], Type: "select"}
			form.Fields = append(form.Fields, sel)
			labelled = append(labelled, sel)
		case name == "select" && closing:
			sel = nil
		case name == "option" && !closing && sel != nil:
			opt, optSelected, optionAt = Option{Value: attrs["value"]}, has, m[1]
		case name == "option" && closing && sel != nil && optionAt >= 0:
			opt.Text = text(body[optionAt:m[0]])
			sel.Options = append(sel.Options, opt)
			// A browser sends the selected option, else the first.
			if optSelected || len(sel.Options) == 1 {
				sel.Value, sel.Default = opt.Value, opt.Value
			}
			optionAt = -1
		case name == "button" && !closing:
			textAt = m[1]
		case name == "button" && closing && textAt >= 0:
			form.Buttons = append(form.Buttons, text(body[textAt:m[0]]))
			textAt = -1
		}
	}
	return p
}

// Fill types value into the field labelled label; changed is false when
// value is what the field already held (nothing typed).
func (b *Browser) Fill(f *Form, label, value string) (changed bool) {
	b.t.Helper()
	fd, ok := f.Field(label)
	if !ok || fd.Type == "checkbox" || fd.Type == "select" {
		b.t.Fatalf("the form has no text field labelled %q; its fields: %v", label, f.labels())
	}
	changed = fd.Value != value
	fd.Value = value
	return changed
}

// Tick ticks the check box labelled label.
func (b *Browser) Tick(f *Form, label string) {
	b.t.Helper()
	fd, ok := f.Field(label)
	if !ok || fd.Type != "checkbox" {
		b.t.Fatalf("the form has no check box labelled %q; its fields: %v", label, f.labels())
	}
	if fd.Checked {
		b.t.Fatalf("the check box %q is already ticked", label)
	}
	fd.Checked = true
}

// Choose picks the option shown as text in the select labelled label;
// changed is false when it was already chosen.
func (b *Browser) Choose(f *Form, label, text string) (changed bool) {
	b.t.Helper()
	fd, ok := f.Field(label)
	if !ok || fd.Type != "select" {
		b.t.Fatalf("the form has no select labelled %q; its fields: %v", label, f.labels())
	}
	i := slices.IndexFunc(fd.Options, func(o Option) bool { return o.Text == text })
	if i < 0 {
		b.t.Fatalf("the select %q offers no %q: %v", label, text, fd.Options)
	}
	changed = fd.Value != fd.Options[i].Value
	fd.Value = fd.Options[i].Value
	return changed
}

func (f *Form) labels() []string {
	var out []string
	for _, fd := range f.Fields {
		if fd.Type != "hidden" {
			out = append(out, fd.Type+" "+strconv.Quote(fd.Label))
		}
	}
	return out
}

// Text is the text of the element with id, as shown ("" if none); the
// element may hold others, but not one of its own kind.
func (p *Page) Text(id string) string {
	loc := regexp.MustCompile(`<([a-z]+) id="` + regexp.QuoteMeta(id) + `"[^>]*>`).FindStringSubmatchIndex(p.Body)
	if loc == nil {
		return ""
	}
	rest := p.Body[loc[1]:]
	end := strings.Index(rest, "</"+p.Body[loc[2]:loc[3]]+">")
	if end < 0 {
		return ""
	}
	return text(rest[:end])
}

// Words is the page's text as a person reads it.
func (p *Page) Words() string { return text(p.Body) }
