package tui

import (
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/pkg/browser"

	"github.com/globus-setup/globus-setup/termsafe"
	"github.com/globus-setup/globus-setup/tui/clipboard"
)

// copiedMsg reports a clipboard copy; label names the value, never the value.
type copiedMsg struct {
	label string
	res   clipboard.Result // where the default clipboard put it
	err   error
}

type clipboardClearMsg struct{ text string }

// copyCmd copies off the UI loop (xclip and friends can be slow to start).
func (m *Model) copyCmd(label, text string) tea.Cmd {
	if m.cfg.Clipboard != nil {
		f := m.cfg.Clipboard
		return func() tea.Msg { return copiedMsg{label: label, err: f(text)} }
	}
	m.clipboard = append(m.clipboard, text)
	w := m.clipOut
	copyIt := func() tea.Msg {
		res, err := clipboard.Copy(text, w)
		return copiedMsg{label: label, res: res, err: err}
	}
	clear := tea.Tick(ClipboardClearAfter, func(time.Time) tea.Msg { return clipboardClearMsg{text: text} })
	return tea.Batch(copyIt, clear)
}

// clearClipboard empties the clipboard if it still holds text.
func (m *Model) clearClipboard(text string) tea.Cmd {
	for i, t := range m.clipboard {
		if t == text {
			m.clipboard = append(m.clipboard[:i], m.clipboard[i+1:]...)
			w := m.clipOut
			return func() tea.Msg { clipboard.ClearIfUnchanged(text, w); return nil }
		}
	}
	return nil
}

// clearClipboardNow runs at exit: a secret must not outlive the wizard by
// more than the promised 45s, and nobody is left to clear it later.
func (m *Model) clearClipboardNow() {
	for _, t := range m.clipboard {
		clipboard.ClearIfUnchanged(t, m.clipOut)
	}
	m.clipboard = nil
}

func copiedText(msg copiedMsg) string {
	switch {
	case msg.err != nil:
		return "could not copy " + msg.label + ": " + termsafe.Line(msg.err.Error())
	case msg.res.Unconfirmed():
		// The terminal is a tmux that drops it: no "copied" for nothing.
		return msg.label + " " + msg.res.Describe() + ", then copy again"
	}
	return msg.label + " copied" + clearsNote
}

// clearsNote ends a "copied" flash; it is removed when the clipboard is.
const clearsNote = "; clipboard clears in 45s"

// browserOpenedMsg reports whether the console page opened.
type browserOpenedMsg struct {
	url string
	err error
}

func (m *Model) openCmd(url string) tea.Cmd {
	open := m.opener()
	return func() tea.Msg { return browserOpenedMsg{url: url, err: open(url)} }
}

// opener opens a URL in a browser: the configured one, else $BROWSER or
// pkg/browser.
func (m *Model) opener() func(string) error {
	if m.cfg.OpenBrowser != nil {
		return m.cfg.OpenBrowser
	}
	getenv := m.cfg.Getenv
	return func(u string) error { return defaultOpen(getenv, u) }
}

var quietBrowser sync.Once

var errNoBrowser = errors.New("no browser here: an SSH session, or no display")

// defaultOpen honours $BROWSER (colon-separated, %s for the URL as in
// xdg-open), else pkg/browser, and refuses where no browser can show up.
func defaultOpen(getenv func(string) string, url string) error {
	if b := getenv("BROWSER"); b != "" {
		var err error
		for _, c := range strings.Split(b, ":") {
			args := strings.Fields(c)
			if len(args) == 0 {
				continue
			}
			if strings.Contains(c, "%s") {
				for i := range args {
					args[i] = strings.ReplaceAll(args[i], "%s", url)
				}
			} else {
				args = append(args, url)
			}
			// Start, not Run: a browser that was not running already stays
			// in the foreground until closed, and nobody should wait for that.
			cmd := exec.Command(args[0], args[1:]...)
			if err = cmd.Start(); err == nil {
				go cmd.Wait() // reap it whenever it exits
				return nil
			}
		}
		return err
	}
	if !browserPossible(getenv) {
		return errNoBrowser
	}
	quietBrowser.Do(func() { browser.Stdout, browser.Stderr = nil, nil }) // never write into the screen
	return browser.OpenURL(url)
}

func browserPossible(getenv func(string) string) bool {
	if getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return false
	}
	if runtime.GOOS != "darwin" && runtime.GOOS != "windows" &&
		getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return false
	}
	return true
}

// OpenURL is the wizard's default browser opener, for cmd to share: it runs
// $BROWSER itself (pkg/browser does not read it), else pkg/browser, and
// refuses over SSH or without a display so the caller shows the link.
func OpenURL(url string) error { return defaultOpen(os.Getenv, url) }
