package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Help text is plain words: cobra's flag help reads a back-quoted word in a
// flag's usage as its value's name ("--profile globus-setup profiles"), and
// in a command's text it is markup nobody renders.
func TestNoBackticksInHelp(t *testing.T) {
	root := newRootCmd(&app{})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		for field, text := range map[string]string{"Use": c.Use, "Short": c.Short, "Long": c.Long, "Example": c.Example} {
			if strings.Contains(text, "`") {
				t.Errorf("%q: %s has a backtick: %q", c.CommandPath(), field, text)
			}
		}
		check := func(f *pflag.Flag) {
			if strings.Contains(f.Usage, "`") {
				t.Errorf("%q --%s: usage has a backtick: %q", c.CommandPath(), f.Name, f.Usage)
			}
			// What --help prints as the flag's value name: the one its type
			// gives, never words lifted out of the usage.
			plain := *f
			plain.Usage = strings.ReplaceAll(f.Usage, "`", "")
			name, _ := pflag.UnquoteUsage(f)
			if want, _ := pflag.UnquoteUsage(&plain); name != want {
				t.Errorf("%q --%s is shown as %q in help", c.CommandPath(), f.Name, strings.TrimSpace("--"+f.Name+" "+name))
			}
		}
		c.LocalFlags().VisitAll(check)
		c.InheritedFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 20 {
		t.Fatalf("walked %d commands: the walk misses some", n)
	}
}
