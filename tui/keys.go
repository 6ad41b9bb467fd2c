package tui

import "github.com/charmbracelet/bubbles/key"

// keyMap holds every binding; screens pick the ones that apply so the help
// bar only lists keys that do something right now.
type keyMap struct {
	Quit, ForceQuit, Help           key.Binding
	Up, Down, Next, Prev            key.Binding
	Edit, Save, Done, Cancel        key.Binding
	NextField, PrevField, RevealIn  key.Binding
	Open, CopyURL, CopyN, Check     key.Binding
	CopyLink                        key.Binding // copies a link while its code field has the keys
	Skip, Values, Finish, Login     key.Binding
	Reveal, Copy, WriteEnv, EditEnv key.Binding
	Replace, VerifyAll              key.Binding
	PageUp, PageDown                key.Binding
	Toggle, Submit                  key.Binding
	Apply, DoIt, Back, Prove        key.Binding
	SetupAll                        key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Help:      b([]string{"?"}, "?", "more keys"),
		Up:        b([]string{"up", "k"}, "↑/k", "previous"),
		Down:      b([]string{"down", "j"}, "↓/j", "next"),
		Next:      b([]string{"tab", "]"}, "tab/]", "next screen"),
		Prev:      b([]string{"shift+tab", "["}, "shift+tab/[", "previous screen"),
		Edit:      b([]string{"enter", "e"}, "enter", "fill in"),
		Save:      b([]string{"ctrl+s"}, "ctrl+s", "save"),
		Done:      b([]string{"esc"}, "esc", "stop typing"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),
		NextField: b([]string{"tab", "down"}, "tab/↓", "next field"),
		PrevField: b([]string{"shift+tab", "up"}, "shift+tab/↑", "previous field"),
		RevealIn:  b([]string{"ctrl+r"}, "ctrl+r", "show/hide secret"),
		Submit:    b([]string{"enter"}, "enter", "next/save"),
		Open:      b([]string{"o"}, "o", "open console"),
		CopyURL:   b([]string{"u"}, "u", "copy link"),
		CopyLink:  b([]string{"ctrl+l"}, "ctrl+l", "copy link"),
		CopyN:     b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "copy value"),
		Check:     b([]string{"x"}, "x", "run check"),
		Skip:      b([]string{"s"}, "s", "skip step"),
		Values:    b([]string{"v"}, "v", "values"),
		Finish:    b([]string{"f"}, "f", "finish"),
		Login:     b([]string{"L"}, "L", "log in"),
		Reveal:    b([]string{"r"}, "r", "reveal"),
		Copy:      b([]string{"c"}, "c", "copy"),
		WriteEnv:  b([]string{"w"}, "w", "write .env"),
		EditEnv:   b([]string{"enter", "e"}, "enter", "edit path"),
		Replace:   b([]string{"m"}, "m", "merge/replace"),
		VerifyAll: b([]string{"x"}, "x", "verify all"),
		PageUp:    b([]string{"pgup"}, "pgup", "scroll up"),
		PageDown:  b([]string{"pgdown"}, "pgdn", "scroll down"),
		Toggle:    b([]string{" "}, "space", "toggle"),
		Apply:     b([]string{"a"}, "a", "do it for me"),
		DoIt:      b([]string{"enter", "y"}, "enter", "do it"),
		Back:      b([]string{"esc"}, "esc", "back"),
		Prove:     b([]string{"p"}, "p", "prove it"),
		SetupAll:  b([]string{"A"}, "A", "set up everything"),
	}
}
