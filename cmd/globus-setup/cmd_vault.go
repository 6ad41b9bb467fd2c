package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/globus-setup/globus-setup/flow"
	"github.com/globus-setup/globus-setup/globus"
	"github.com/globus-setup/globus-setup/steps"
	"github.com/globus-setup/globus-setup/tui/clipboard"
	"github.com/globus-setup/globus-setup/vault"
)

func newInitCmd(a *app) *cobra.Command {
	var remember bool
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a new encrypted vault (never overwrites an existing one)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := a.paths()
			if err != nil {
				return err
			}
			if vault.Exists(p) {
				return fmt.Errorf("a vault already exists at %s; it was not touched (use --vault PATH for another one)", p.Vault)
			}
			pass, err := a.newPassphrase()
			if err != nil {
				return err
			}
			v, err := vault.Create(p, pass, a.vaultOptions)
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "created vault %s (key in %s)\n", p.Vault, p.Identity)
			a.warnFolder(p)
			// The Globus environment the vault is for is recorded at its
			// birth; a later command against another one is refused.
			if env, err := globus.EnvironmentFromEnv(a.getenv); err == nil {
				if err := a.checkEnvironment(env); err != nil {
					return err
				}
			}
			if remember {
				if err := v.RememberInKeychain(); err != nil {
					return fmt.Errorf("vault created, but the OS keychain refused to remember it: %w", err)
				}
				fmt.Fprintln(a.stdout, "remembered in the OS keychain: this account will not be asked for the passphrase")
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&remember, "remember", false, "remember the unlocked vault in the OS keychain")
	return cmd
}

// newPassphrase takes a passphrase from a non-interactive source, or asks
// twice. Either way it is held to the wizard's rule (flow.MinPassphrase,
// in the same words): one rule for every way a vault is made.
func (a *app) newPassphrase() ([]byte, error) {
	pass, ok, err := vault.ReadPassphrase(a.sources())
	if err != nil {
		return pass, err
	}
	if ok {
		return pass, tooShort(pass)
	}
	first, err := a.promptPassphrase("New vault passphrase: ")
	if err != nil {
		return nil, err
	}
	if len(first) == 0 {
		return nil, vault.ErrEmptyPassphrase
	}
	if err := tooShort(first); err != nil {
		return nil, err
	}
	second, err := a.promptPassphrase("Repeat the passphrase: ")
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(first, second) {
		return nil, errors.New("the two passphrases differ; nothing was created")
	}
	return first, nil
}

// tooShort refuses a new vault's passphrase shorter than the wizard takes.
func tooShort(pass []byte) error {
	if utf8.RuneCount(pass) < flow.MinPassphrase {
		return fmt.Errorf("the passphrase is too short: %s Nothing was created", flow.ErrTooShort)
	}
	return nil
}

func newSetCmd(a *app) *cobra.Command {
	var storeRefused bool
	cmd := &cobra.Command{
		Use:   "set KEY [VALUE|-]",
		Short: "Store one value, validated (secrets only from stdin or a prompt)",
		Long: `Store one value under a stable key (see 'globus-setup status --keys').
Secret keys never take their value on the command line, where every user of the
machine can see it: use 'set KEY -' to read stdin, or 'set KEY' to be prompted.

An app's secret or client ID whose pair Globus refuses never replaces a stored
one it accepts (a typo would lose the only working pair): at a terminal you are
asked first, told what else it removes (a changed ID's scope); elsewhere it
needs --store-refused.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			spec, ok := steps.Spec(key)
			if !ok {
				return unknownKey(key)
			}
			// A value asked for is asked after the passphrase, as every
			// command asks it first: a passphrase typed into the value's
			// prompt would be stored as the value.
			var v *vault.Vault
			var err error
			if a.asksFor(spec, args[1:]) {
				if v, err = a.unlock(); err != nil {
					return err
				}
			}
			raw, err := a.valueFor(spec, args[1:])
			if err != nil {
				return err
			}
			value, err := steps.Validate(key, raw)
			if err != nil {
				return fmt.Errorf("%s not stored: %w", key, err)
			}
			if v == nil {
				if v, err = a.unlock(); err != nil {
					return err
				}
			}
			// A rotation in progress is named before Globus is asked.
			if err := steps.RotationBlocks(v.Doc(), map[string]string{key: value}, nil); err != nil {
				return err
			}
			if err := a.keepWorkingPair(cmd.Context(), v, key, value, storeRefused); err != nil {
				return err
			}
			return a.setValue(cmd.Context(), v, key, value)
		},
	}
	cmd.Flags().BoolVar(&storeRefused, "store-refused", false, "store an app's secret or client ID even where Globus refuses the pair and accepts the stored one")
	return cmd
}

// keepWorkingPair asks Globus about an app's new secret or client ID
// before it replaces the stored one, as import does: a pair Globus refuses
// never replaces one it accepts without a yes at a terminal, or
// --store-refused elsewhere. With nothing stored to lose, an unchanged
// value, the old pair refused too, or no verdict, it is stored as before
// (and checked after, by pairReport). Other keys pass.
func (a *app) keepWorkingPair(ctx context.Context, v *vault.Vault, key, value string, storeRefused bool) error {
	app, field, ok := strings.Cut(key, ".")
	if !ok || !slices.Contains(steps.RotatableApps, app) || field != "client_id" && field != "client_secret" {
		return nil
	}
	doc := v.Doc()
	oldID, oldSecret := strings.TrimSpace(doc.Values[app+".client_id"]), strings.TrimSpace(doc.Values[app+".client_secret"])
	newID, newSecret := oldID, oldSecret
	if field == "client_id" {
		newID = strings.TrimSpace(value)
	} else {
		newSecret = strings.TrimSpace(value)
	}
	if storeRefused || oldID == "" || oldSecret == "" || newID == oldID && newSecret == oldSecret {
		return nil
	}
	c, err := a.globusClient()
	if err != nil {
		return nil
	}
	verdict, refusal := steps.CheckSecret(ctx, c, newID, newSecret)
	if verdict != steps.SecretRefused {
		return nil
	}
	if was, _ := steps.CheckSecret(ctx, c, oldID, oldSecret); was != steps.SecretAccepted {
		return nil
	}
	check := "check the secret (a typo, another app's, one deleted at Globus)"
	if field == "client_id" {
		fmt.Fprintf(a.stderr, "Globus refuses client ID %s with the stored %s.client_secret (%v), and accepts the stored client ID %s with it: replacing it would leave no working pair in the vault.\n", newID, app, refusal, oldID)
		check = "check the ID (a typo? the developers console shows the app's client ID)"
	} else {
		fmt.Fprintf(a.stderr, "Globus refuses this secret for %s %s (%v), and accepts the one stored: replacing it would leave no working secret in the vault.\n", app+".client_id", oldID, refusal)
	}
	also := ""
	if derived := steps.DerivedFrom(doc, key); len(derived) > 0 {
		also = ", and removing " + strings.Join(derived, " and ") + ", made from it"
	}
	if !a.isTerminal() {
		fmt.Fprintf(a.stderr, "globus-setup: %s was not stored: this is not an interactive terminal, so there is no one to ask.\n", key)
		fmt.Fprintf(a.stderr, "  what to do: %s; --store-refused stores it anyway\n", check)
		return exitError{code: 2}
	}
	ans, err := a.promptLine("Store it anyway, replacing the working one" + also + "? [y/N] ")
	if err != nil || !isYes(ans) {
		fmt.Fprintf(a.stderr, "Cancelled: %s was not stored; the working one is kept.\n", key)
		return exitError{code: 1}
	}
	return nil
}

// asksFor: set's value comes from a prompt (no value given, or `-` typed
// at a terminal for a secret), not from argv or a pipe.
func (a *app) asksFor(spec steps.KeySpec, args []string) bool {
	return len(args) == 0 || (args[0] == "-" && spec.Secret && a.stdinIsTerminal())
}

// setValue stores one value through flow.Set: a value that names something
// on Globus (a policy ID) has what it holds read back (the policy's domains
// and timeout, exactly as Globus spells them), as the wizard's paste does;
// an app's ID or secret is checked live with the other half (one
// client-credentials grant), as the wizard checks a step after its save.
// What could not be read or checked is said; the value is stored either
// way, and a pair Globus refuses exits 1.
func (a *app) setValue(ctx context.Context, v *vault.Vault, key, value string) error {
	e := &steps.Env{Vault: v}
	if c, err := a.globusClient(); err == nil {
		e.Globus = c
	}
	derived := steps.DerivedFrom(v.Doc(), key)
	res, err := flow.Set(ctx, a.ui(""), e, key, value)
	if err != nil {
		return err
	}
	// The values made from the old one went: each is named, as unset does.
	var gone []string
	for _, k := range derived {
		if strings.TrimSpace(v.Doc().Values[k]) == "" {
			gone = append(gone, k)
		}
	}
	if len(gone) > 0 {
		again := ""
		if slices.Contains(gone, "service_api.scope_id") {
			again = " (`globus-setup scope create` finds the app's scope again once its pair works)"
		}
		fmt.Fprintf(a.stderr, "stored %s, and removed %s, made from the old one%s\n", key, strings.Join(gone, " and "), again)
	} else {
		fmt.Fprintf(a.stderr, "stored %s\n", key)
	}
	if res.Pair != nil {
		return a.pairReport(*res.Pair, key)
	}
	if !res.Has {
		return nil
	}
	what, beside := steps.ReadsWhat(key)
	if res.ReadErr != nil {
		fmt.Fprintf(a.stderr, "globus-setup: could not read %s on Globus: %v\n", what, res.ReadErr)
		if h := globus.Hint(res.ReadErr); h != "" {
			fmt.Fprintln(a.stderr, "  what to do:", h)
		}
		fmt.Fprintf(a.stderr, "  %s were not read from it: they keep what was stored; `globus-setup verify` compares them with it\n", strings.Join(beside, " and "))
		return nil
	}
	var read []string
	for _, k := range beside {
		if val, ok := res.Read.Values[k]; ok {
			if shown := steps.ShowValue(k, val); shown != val {
				read = append(read, k+" "+shown)
			} else {
				read = append(read, fmt.Sprintf("%s %q", k, val)) // quoted: exactly as Globus spells it
			}
		}
	}
	if len(read) > 0 {
		fmt.Fprintf(a.stderr, "read from %s and stored: %s\n", res.Read.What, strings.Join(read, ", "))
	}
	return nil
}

// pairReport says what Globus said of an app's ID and secret after set
// stored one, or plainly why it was not asked.
func (a *app) pairReport(c flow.PairCheck, key string) error {
	label := map[string]string{"service_api": "Service API", "service_account": "Service Account"}[c.App]
	switch {
	case c.Missing != "":
		fmt.Fprintf(a.stderr, "not checked with Globus: %s is not stored yet (`globus-setup set %s`); the pair is checked once both are\n", c.Missing, c.Missing)
	case c.Verdict == steps.SecretAccepted:
		fmt.Fprintf(a.stderr, "✓ Globus accepts the %s client ID and secret (client-credentials grant)\n", label)
	case c.Verdict == steps.SecretRefused:
		fmt.Fprintf(a.stderr, "globus-setup: ✗ Globus refuses the %s client ID and secret now stored (%v)\n", label, c.Err)
		if key == c.App+".client_id" {
			// The ID just typed is the likelier culprit: it comes first.
			fmt.Fprintf(a.stderr, "  what to do: check the client ID just stored (a typo? the developers console shows the app's client ID) and store the right one with `globus-setup set %s.client_id ID`; if it is right, make a new secret with `globus-setup rotate %s` (your login), or generate one in the developers console and store it with `globus-setup set %s.client_secret`\n", c.App, c.App, c.App)
			return errSilent
		}
		fmt.Fprintf(a.stderr, "  what to do: check %s.client_id (`globus-setup get %s.client_id`); if it is right, make a new secret with `globus-setup rotate %s` (your login), or generate one in the developers console and store it with `globus-setup set %s.client_secret`\n", c.App, c.App, c.App, c.App)
		return errSilent
	default:
		fmt.Fprintf(a.stderr, "not checked with Globus: %v; `globus-setup verify` checks it later\n", c.Err)
	}
	return nil
}

func newUnsetCmd(a *app) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "unset KEY",
		Short: "Remove one stored value (secrets too), with the values derived from it",
		Long: `Remove the value stored under KEY (see 'globus-setup status --keys'), and any
value made from it (a changed client ID's scope). The step goes back to in
progress, or pending when nothing of it is left.

A client secret may be its last copy (Globus shows a secret only once): at a
terminal you are asked first; elsewhere it needs --yes. 'globus-setup rotate APP'
makes a new one.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			spec, ok := steps.Spec(key)
			if !ok {
				return unknownKey(key)
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			// Refused before asking: a rotation in progress needs it.
			if err := steps.RotationBlocks(v.Doc(), nil, []string{key}); err != nil {
				return err
			}
			if spec.Secret && strings.TrimSpace(v.Doc().Values[key]) != "" && !yes {
				if err := a.confirmUnsetSecret(v.Doc(), key); err != nil {
					return err
				}
			}
			before := v.Doc().Values
			had, err := steps.UnsetValue(v, key)
			if err != nil {
				return err
			}
			if !had {
				fmt.Fprintf(a.stderr, "%s was not set: nothing changed\n", key)
				return nil
			}
			// The values made from it went too: each is named.
			var derived []string
			for _, k := range slices.Sorted(maps.Keys(before)) {
				if _, kept := v.Doc().Values[k]; !kept && k != key {
					derived = append(derived, k)
				}
			}
			if len(derived) > 0 {
				fmt.Fprintf(a.stderr, "removed %s, and %s made from it\n", key, strings.Join(derived, " and "))
				return nil
			}
			fmt.Fprintf(a.stderr, "removed %s\n", key)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "remove a secret without asking")
	return cmd
}

// confirmUnsetSecret says what removing a stored secret loses (Globus shows
// a secret only once; rotate makes a new one) and asks, or needs --yes
// where nobody can be asked.
func (a *app) confirmUnsetSecret(doc vault.Doc, key string) error {
	app := strings.TrimSuffix(key, ".client_secret")
	copyLeft := "unless it is kept elsewhere, this is its last copy"
	if files := steps.EnvFilesHoldingSecret(doc, key); len(files) > 0 {
		copyLeft = "a copy is left in plaintext in " + strings.Join(files, " and ")
	}
	fmt.Fprintf(a.stderr, "%s is a client secret: Globus shows a secret only once, when it is made, so one removed cannot be read back from Globus (%s). `globus-setup rotate %s` makes a new one.\n", key, copyLeft, app)
	if !a.isTerminal() {
		fmt.Fprintln(a.stderr, "globus-setup: nothing was removed: this is not an interactive terminal, so there is no one to ask.")
		fmt.Fprintln(a.stderr, "  what to do: add --yes to remove it")
		return exitError{code: 2}
	}
	ans, err := a.promptLine("Remove " + key + "? [y/N] ")
	if err != nil || !isYes(ans) {
		fmt.Fprintln(a.stderr, "Cancelled: nothing was removed.")
		return exitError{code: 1}
	}
	return nil
}

// maxStdinValue bounds `set KEY -`: more is refused, never cut short.
const maxStdinValue = 1 << 20

// valueFor takes the raw value from argv (non-secrets only), stdin, or a prompt.
func (a *app) valueFor(spec steps.KeySpec, args []string) (string, error) {
	if len(args) == 1 && args[0] != "-" {
		if spec.Secret {
			return "", fmt.Errorf("%s is a secret and was not stored: a value on the command line is visible to every user of this machine.\n  Use:  globus-setup set %s -   (reads stdin)\n   or:  globus-setup set %s     (asks, without echo)", spec.Key, spec.Key, spec.Key)
		}
		return args[0], nil
	}
	if len(args) == 1 && spec.Secret && a.stdinIsTerminal() {
		// `set KEY -` typed at a terminal: read it hidden, or the pasted
		// secret would be echoed and stay in the scrollback.
		args = nil
	}
	if len(args) == 1 { // "-"
		data, err := io.ReadAll(io.LimitReader(a.stdin, maxStdinValue+1))
		if err != nil {
			return "", fmt.Errorf("reading stdin: %w", err)
		}
		if len(data) > maxStdinValue {
			clear(data)
			return "", fmt.Errorf("%s not stored: stdin holds more than %d KiB, more than any setting needs; check what is piped in (nothing was cut or changed)", spec.Key, maxStdinValue>>10)
		}
		return strings.TrimRight(string(data), "\r\n"), nil
	}
	if spec.Secret {
		b, err := a.promptPassphrase(spec.Label + " (hidden): ")
		if errors.Is(err, errNoTerminal) { // not the vault passphrase that is missing
			return "", fmt.Errorf("no terminal to ask for %s: pipe it in with `globus-setup set %s -`", spec.Key, spec.Key)
		}
		return string(b), err
	}
	return a.promptLine(spec.Label + ": ")
}

// stdinIsTerminal: stdin is the process's own terminal, not a pipe or file.
func (a *app) stdinIsTerminal() bool {
	f, ok := a.stdin.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func unknownKey(key string) error {
	var names []string
	for _, s := range steps.Keys() {
		names = append(names, s.Key)
	}
	if near := nearKeys(key, names); len(near) > 0 {
		return fmt.Errorf("unknown key %q: did you mean %s? (known keys: %s, groups.<name>.id, groups.<name>.members)", key, strings.Join(near, " or "), strings.Join(names, ", "))
	}
	return fmt.Errorf("unknown key %q; known keys: %s, groups.<name>.id, groups.<name>.members", key, strings.Join(names, ", "))
}

// nearKeys are the known keys a mistyped one may mean: a few edits away
// (as cobra suggests commands), or of the same step with a last part
// holding the typed one's ("service_api.secret": service_api.client_secret);
// a group key with a mistyped field gets its group's field.
func nearKeys(key string, names []string) []string {
	key = strings.ToLower(strings.TrimSpace(key))
	if rest, ok := strings.CutPrefix(key, "groups."); ok {
		if i := strings.LastIndexByte(rest, '.'); i > 0 && steps.ValidGroupName(rest[:i]) {
			names = append(names, "groups."+rest[:i]+".id", "groups."+rest[:i]+".members")
		}
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		if n == key {
			return []string{n} // a case or blank slip
		}
		step, last, _ := strings.Cut(n, ".")
		kStep, kLast, _ := strings.Cut(key, ".")
		if editDistance(key, n) <= max(2, len(key)/6) ||
			(step == kStep && kLast != "" && (strings.Contains(last, kLast) || strings.Contains(kLast, last))) {
			out = append(out, n)
		}
	}
	return out
}

// editDistance is the Levenshtein distance of a and b (cobra has one for
// its command suggestions, unexported).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

func newGetCmd(a *app) *cobra.Command {
	var reveal bool
	cmd := &cobra.Command{
		Use:   "get KEY",
		Short: "Print one stored value (for scripts)",
		Long: `Print the value stored under KEY and a newline, for scripts. A secret is not
printed to a terminal, where it would stay on screen and in the scrollback: copy
it with 'globus-setup copy KEY', pipe it to what needs it, or add --reveal.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key := args[0]
			if s, ok := steps.Spec(key); ok && s.Secret && !reveal && a.onTerminal() {
				return fmt.Errorf("%s is a secret and stdout is a terminal, where it would stay on screen and in the scrollback: nothing was printed.\n"+
					"  Copy it with `globus-setup copy %s` (cleared after 45 s), pipe it (`globus-setup get %s | …`), or add --reveal to print it here", key, key, key)
			}
			value, err := a.lookup(key)
			if err != nil {
				return err
			}
			fmt.Fprintln(a.stdout, value)
			return nil
		},
	}
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print a secret even to a terminal")
	return cmd
}

// onTerminal: stdout is a terminal (not a pipe or file).
func (a *app) onTerminal() bool { return a.stdoutTerminal != nil && a.stdoutTerminal() }

func (a *app) lookup(key string) (string, error) {
	if _, ok := steps.Spec(key); !ok {
		return "", unknownKey(key)
	}
	v, err := a.unlock()
	if err != nil {
		return "", err
	}
	value, ok := v.Get(key)
	if !ok || value == "" {
		return "", fmt.Errorf("%s is not set yet: run the wizard, or `globus-setup set %s`", key, key)
	}
	return value, nil
}

func newStatusCmd(a *app) *cobra.Command {
	var keys bool
	var maxAge string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "The six steps of the setup and their state, one line each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keys {
				// Before any vault exists the keys are still worth knowing
				// (set's help points here): every one is unset.
				if p, err := a.paths(); err == nil && !vault.Exists(p) {
					fmt.Fprintf(a.stdout, "No vault at %s yet: nothing is stored.\n\n", p.Vault)
					a.statusKeys(vault.Doc{})
					return nil
				}
			}
			limit := steps.DefaultMaxSecretAge
			if maxAge == "" {
				maxAge = a.getenv("GLOBUS_SETUP_SECRET_MAX_AGE")
			}
			if maxAge != "" {
				var err error
				if limit, err = parseMaxAge(maxAge); err != nil {
					return err
				}
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			for _, st := range steps.Status(v.Doc()) {
				line := fmt.Sprintf("%d. %-34s %s", st.Step.Number, st.Step.Title, st.State.Words())
				var notes []string
				if st.Note != "" {
					notes = append(notes, st.Note)
				}
				if len(st.Missing) > 0 {
					notes = append(notes, "missing: "+strings.Join(st.Missing, ", "))
				}
				if len(notes) > 0 {
					line += "  (" + strings.Join(notes, "; ") + ")"
				}
				fmt.Fprintln(a.stdout, line)
			}
			a.statusSecrets(v.Doc(), limit)
			a.statusRecipients(v)
			a.statusSitting(v.Paths())
			if keys {
				fmt.Fprintln(a.stdout)
				a.statusKeys(v.Doc())
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&keys, "keys", false, "after the steps, list every key that get, set, copy and export use, each marked stored or not set")
	cmd.Flags().StringVar(&maxAge, "max-age", "", "flag secrets older than this: 90d (default, or $GLOBUS_SETUP_SECRET_MAX_AGE), 2160h; 0 for never")
	return cmd
}

// statusKeys lists every key the commands know, then any other group's
// keys doc holds, each marked stored or not set (never a value).
func (a *app) statusKeys(doc vault.Doc) {
	known := steps.Keys()
	seen := map[string]bool{}
	for _, s := range known {
		seen[s.Key] = true
	}
	for _, name := range steps.GroupNames(doc.Values) {
		for _, field := range []string{"id", "members"} {
			if s, ok := steps.Spec("groups." + name + "." + field); ok && !seen[s.Key] {
				known, seen[s.Key] = append(known, s), true
			}
		}
	}
	stored := 0
	for _, s := range known {
		if strings.TrimSpace(doc.Values[s.Key]) != "" {
			stored++
		}
	}
	fmt.Fprintf(a.stdout, "Keys (%d of %d stored):\n", stored, len(known))
	for _, s := range known {
		mark := "not set"
		if strings.TrimSpace(doc.Values[s.Key]) != "" {
			mark = "stored"
		}
		label := s.Label
		if shown, ok := steps.SpecIn(doc, s.Key); ok {
			label = shown.Label
		}
		if s.Secret {
			label += " (secret)"
		}
		fmt.Fprintf(a.stdout, "  %-32s %-8s %s\n", s.Key, mark, label)
	}
}

func newCopyCmd(a *app) *cobra.Command {
	var keep bool
	var after time.Duration
	cmd := &cobra.Command{
		Use:   "copy KEY",
		Short: "Copy one value to the clipboard (OSC 52 and native), cleared after 45 s",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			value, err := a.lookup(args[0])
			if err != nil {
				return err
			}
			tty, _ := a.openTTY()
			var term io.Writer
			if tty != nil {
				defer tty.Close()
				term = tty
			}
			res, err := clipboard.Copy(value, term)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("%s %s", args[0], res.Describe())
			if !keep {
				if err := a.scheduleClear(value, after, tty); err != nil {
					fmt.Fprintf(a.stderr, "globus-setup: could not schedule clearing the clipboard: %v\n", err)
				} else {
					msg += fmt.Sprintf("; it clears in %s if unchanged", after)
				}
			}
			fmt.Fprintln(a.stderr, msg)
			return nil
		},
	}
	cmd.Flags().BoolVar(&keep, "keep", false, "do not clear the clipboard afterwards")
	cmd.Flags().DurationVar(&after, "clear-after", clipboard.DefaultClearAfter, "clear the clipboard after this long")
	return cmd
}

// scheduleClear starts a detached copy of ourselves that clears the clipboard
// later, as `pass -c` does. It is told only the value's fingerprint, on stdin.
func (a *app) scheduleClear(value string, after time.Duration, tty *os.File) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fp := clipboard.Fingerprint(value)
	child := exec.Command(self, "clipboard-clear", "--after", after.String())
	child.Stdin = strings.NewReader(hex.EncodeToString(fp[:]))
	if tty != nil {
		child.Stdout = tty
	}
	start := a.startChild
	if start == nil {
		start = startDetached
	}
	return start(child)
}

// startDetached starts c in its own session and lets it outlive us.
func startDetached(c *exec.Cmd) error {
	detach(c)
	if err := c.Start(); err != nil {
		return err
	}
	return c.Process.Release()
}

func newClipboardClearCmd(a *app) *cobra.Command {
	var after time.Duration
	cmd := &cobra.Command{
		Use:    "clipboard-clear",
		Short:  "internal: clear the clipboard later if it still holds a value (fingerprint on stdin)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			data, err := io.ReadAll(io.LimitReader(a.stdin, 128))
			if err != nil {
				return err
			}
			raw, err := hex.DecodeString(strings.TrimSpace(string(data)))
			if err != nil || len(raw) != 32 {
				return errors.New("expected a 64-hex-digit fingerprint on stdin")
			}
			var fp [32]byte
			copy(fp[:], raw)
			select {
			case <-time.After(after):
			case <-cmd.Context().Done():
				return nil
			}
			clipboard.ClearIfFingerprint(fp, a.rawStdout)
			return nil
		},
	}
	cmd.Flags().DurationVar(&after, "after", clipboard.DefaultClearAfter, "wait this long first")
	return cmd
}

func newExportCmd(a *app) *cobra.Command {
	var format, out, merge string
	var noSecrets, withSecrets, reveal, rememberFile bool
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Write the gateway's settings: .env, JSON or shell exports",
		Long: `Print the gateway's variables (env, json or shell format), write them to a new
file with --out (mode 0600), or update only the gateway's variables in an existing
.env with --merge (every other line is kept). A symbolic link is followed and
kept: the file it points to is updated. When the content changes, the previous
one is kept in FILE.bak (mode 0600), replacing the backup before it; an
unchanged file is not written.
--format compute gives the two Globus Compute variables (the Service Account's ID
and secret; prefer 'globus-setup exec --compute', which writes nothing);
--format users the public client ID, scope and policy the gateway's users need
(no secret: safe to publish).

--no-secrets leaves out GLOBUS_APPLICATION_SECRET and SERVICE_ACCOUNT_SECRET;
a merge removes their lines (under the gateway's load_dotenv(override=True) even
an empty KEY= would beat its environment). Start the gateway with
'globus-setup exec -- COMMAND', which passes them in its environment only. A file
written so stays without them (a rotation's merge too) until --with-secrets.

An export holding a secret is not printed to a terminal, where it would stay on
screen and in the scrollback: write it with --out or --merge, pipe it, leave the
secrets out with --no-secrets, or add --reveal.

The first .env written (--out or --merge) is remembered as the gateway's, the one
'rotate' writes its new secret into. Writing another while that one is still
there asks at a terminal whether it takes its place; elsewhere the remembered one
is kept unless --remember-file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out != "" && merge != "" {
				return errors.New("--out and --merge are alternatives: give one")
			}
			f := steps.ExportFormat(format)
			switch f {
			case steps.FormatEnv, steps.FormatJSON, steps.FormatShell, steps.FormatCompute, steps.FormatUsers:
			default:
				return fmt.Errorf("unknown format %q: use env, json, shell, compute or users", format)
			}
			if merge != "" && f != steps.FormatEnv {
				return errors.New("--merge updates a .env file: it takes --format env")
			}
			secrets := steps.SecretsAsBefore
			switch {
			case noSecrets && withSecrets:
				return errors.New("--no-secrets and --with-secrets are opposites: give one")
			case noSecrets && f == steps.FormatCompute:
				return errors.New("--no-secrets: the compute format is the Service Account's ID and secret; use `globus-setup exec --compute -- COMMAND`, which keeps the secret off disk")
			case noSecrets:
				secrets = steps.SecretsOmit
			case withSecrets:
				secrets = steps.SecretsInclude
			}
			v, err := a.unlock()
			if err != nil {
				return err
			}
			doc := v.Doc()
			if f == steps.FormatEnv || f == steps.FormatJSON || f == steps.FormatShell {
				// What the gateway may refuse though no check failed
				// (domains typed, never read from the policy), as Finish says.
				for _, w := range flow.EnvWarnings(doc, steps.CLI) {
					fmt.Fprintln(a.stderr, "globus-setup: warning:", strings.TrimPrefix(w, "! "))
				}
			}
			// A written .env is the one a later `rotate` writes its new
			// secret into: steps remembers it, whichever front-end wrote it.
			remembered := func(path string, err error) error {
				if steps.RememberFailed(err) {
					fmt.Fprintf(a.stderr, "globus-setup: could not remember %s for rotate: %v\n", path, err)
					return nil
				}
				return err
			}
			path := merge + out
			remember, kept := true, ""
			if f == steps.FormatEnv && path != "" && !rememberFile {
				if kept = steps.OtherEnvTarget(doc, path); kept != "" && merge != "" {
					// A file that cannot be merged into is said before
					// asking whether it becomes the remembered one.
					if err := steps.CheckMergeInto(doc, merge, secrets); err != nil {
						return err
					}
				}
				if kept != "" {
					if remember, err = a.askRememberEnv(kept, path); err != nil {
						return err
					}
				}
			}
			switch {
			case merge != "":
				write := steps.MergeEnvIntoWith
				if !remember {
					write = steps.MergeEnvIntoKeepTarget
				}
				w, err := write(v, merge, secrets)
				if err := remembered(merge, err); err != nil {
					return err
				}
				fmt.Fprintln(a.stderr, strings.Join(w.Lines("updated the gateway's variables in"), "\n"))
			case out != "":
				write := steps.ExportFileWith
				if !remember {
					write = steps.ExportFileKeepTarget
				}
				w, err := write(v, out, f, secrets)
				if err := remembered(out, err); err != nil {
					return err
				}
				fmt.Fprintln(a.stderr, strings.Join(w.Lines("wrote"), "\n"))
			}
			if path != "" {
				if !remember {
					fmt.Fprintf(a.stderr, "the gateway's .env remembered (rotate writes into it) is still %s; --remember-file makes %s the one\n", kept, path)
				}
				return nil
			}
			data, err := steps.ExportWith(doc, f, steps.EnvOptions{NoSecrets: noSecrets})
			if err != nil {
				return err
			}
			if !reveal && a.onTerminal() && exportsSecrets(doc, data) {
				clear(data)
				return fmt.Errorf("this export holds the client secrets and stdout is a terminal, where they would stay on screen and in the scrollback: nothing was printed.\n" +
					"  Write a file with --out FILE (mode 0600) or --merge FILE, pipe it (`globus-setup export | …`), leave them out with --no-secrets, or add --reveal to print them here")
			}
			_, err = a.stdout.Write(data)
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "env", "env, json, shell, compute (Globus Compute's two variables) or users (public values for the gateway's users)")
	cmd.Flags().StringVar(&out, "out", "", "write to this new file (0600) instead of stdout")
	cmd.Flags().StringVar(&merge, "merge", "", "update the gateway's variables in this existing .env")
	cmd.Flags().BoolVar(&noSecrets, "no-secrets", false, "leave the two client secrets out (a merge removes their lines): start the gateway with globus-setup exec")
	cmd.Flags().BoolVar(&withSecrets, "with-secrets", false, "write the secrets into a file written before with --no-secrets")
	cmd.Flags().BoolVar(&reveal, "reveal", false, "print the secrets even to a terminal")
	cmd.Flags().BoolVar(&rememberFile, "remember-file", false, "make the .env written the remembered one (rotate writes into it) even when another is remembered")
	return cmd
}

// askRememberEnv asks, at a terminal, whether path takes the place of the
// remembered gateway .env kept; elsewhere kept stays (--remember-file says
// otherwise), as import does.
func (a *app) askRememberEnv(kept, path string) (bool, error) {
	if !a.isTerminal() {
		return false, nil
	}
	fmt.Fprintf(a.stderr, "The gateway's .env remembered is %s, which rotate writes into.\n", kept)
	ans, err := a.promptLine("Remember " + path + " as the gateway's .env instead? [y/N] ")
	if err != nil {
		return false, err
	}
	return isYes(ans), nil
}

// exportsSecrets: data, an export of doc, holds a stored
// client secret.
func exportsSecrets(doc vault.Doc, data []byte) bool {
	for _, k := range []string{"service_api.client_secret", "service_account.client_secret"} {
		if s := strings.TrimSpace(doc.Values[k]); s != "" && bytes.Contains(data, []byte(s)) {
			return true
		}
	}
	return false
}
