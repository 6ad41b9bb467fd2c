package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/globus-setup/globus-setup/globus/globustest"
)

// demoUsers are the identities the emulator knows, so groups can be filled.
var demoUsers = []struct{ username, name, idp string }{
	{"operator@example.org", "Demo Operator", "example.org"},
	{"alice@uchicago.edu", "Alice Example", "uchicago.edu"},
	{"bob@anl.gov", "Bob Example", "anl.gov"},
}

// demoEmulator is a running emulator seeded for trying the wizard.
type demoEmulator struct {
	*globustest.Server
	base string
	// thickClient is a public client in a project of the operator's own,
	// standing in for "any thick client you have": the very first login
	// needs one before the wizard can create the gateway's public client.
	thickClient string
}

func startEmulator(addr string) (*demoEmulator, error) {
	return startEmulatorWith(addr, nil)
}

// startEmulatorWith seeds the emulator, lets restore replace its state (a
// kept demo), then serves it on addr.
func startEmulatorWith(addr string, restore func(*globustest.Server) error) (*demoEmulator, error) {
	srv := globustest.New()
	for _, u := range demoUsers {
		srv.AddIdentity(u.username, u.name, u.username, u.idp)
	}
	srv.SetOperator(demoUsers[0].username)
	sandbox := srv.AddProject("Operator's sandbox", demoUsers[0].username, demoUsers[0].username)
	thick, _ := srv.RegisterClient(sandbox, "Operator's own CLI", globustest.PublicInstalledClient)
	if restore != nil {
		if err := restore(srv); err != nil {
			return nil, err
		}
	}
	base, err := srv.Listen(addr)
	if err != nil {
		return nil, fmt.Errorf("starting the emulator on %s: %w", addr, err)
	}
	return &demoEmulator{Server: srv, base: base, thickClient: thick}, nil
}

// EnvEmulatorDemands holds session demands for the emulator (`emulator`
// and --demo), separated by ";", each as for --demand.
const EnvEmulatorDemands = "GLOBUS_SETUP_EMULATOR_DEMANDS"

// EnvEmulatorFailures holds injected failures for the emulator (`emulator`
// and --demo), separated by ";", each as for --fail: how a test makes the
// demo's Globus slow or down.
const EnvEmulatorFailures = "GLOBUS_SETUP_EMULATOR_FAILURES"

// demoFaults adds the demands and failures the environment names to a
// demo's emulator.
func (a *app) demoFaults(d *demoEmulator) error {
	if _, err := d.demand(a.getenv, nil); err != nil {
		return err
	}
	_, err := d.fail(a.getenv, nil)
	return err
}

// fail injects the failures of specs and of EnvEmulatorFailures.
func (d *demoEmulator) fail(getenv func(string) string, specs []string) ([]string, error) {
	all := slices.Clone(specs)
	for _, s := range strings.Split(getenv(EnvEmulatorFailures), ";") {
		if s = strings.TrimSpace(s); s != "" {
			all = append(all, s)
		}
	}
	for _, spec := range all {
		method, path, times, f, err := parseFailure(spec)
		if err != nil {
			return nil, err
		}
		d.FailNext(method, path, times, f)
	}
	return all, nil
}

// demand adds the session demands of specs and of EnvEmulatorDemands.
func (d *demoEmulator) demand(getenv func(string) string, specs []string) ([]string, error) {
	all := slices.Clone(specs)
	for _, s := range strings.Split(getenv(EnvEmulatorDemands), ";") {
		if s = strings.TrimSpace(s); s != "" {
			all = append(all, s)
		}
	}
	for _, s := range all {
		dm, err := globustest.ParseDemand(s)
		if err != nil {
			return nil, fmt.Errorf("%w (from --demand or %s)", err, EnvEmulatorDemands)
		}
		d.DemandSession(dm)
	}
	return all, nil
}

// parseFailure reads a --fail spec, "METHOD PATH STATUS [times=N]
// [wait=D]": the calls to PATH (after /auth or /groups, a prefix) answer
// STATUS with a Globus error document, every time unless times says how
// often, after waiting D if wait is given; STATUS "ok" with a wait answers
// as Globus would, only late (a slow Globus).
func parseFailure(spec string) (method, path string, times int, f globustest.Failure, err error) {
	fields := strings.Fields(spec)
	bad := func(why string) error {
		return fmt.Errorf("--fail %q: %s (want METHOD PATH STATUS [times=N] [wait=D], e.g. 'GET /v2/api/identities 503' or 'POST /v2/api/policies ok wait=1m')", spec, why)
	}
	if len(fields) < 3 || len(fields) > 5 {
		return "", "", 0, f, bad("three to five words")
	}
	method, path = strings.ToUpper(fields[0]), fields[1]
	if method == "*" {
		method = ""
	}
	if !strings.HasPrefix(path, "/") {
		return "", "", 0, f, bad("the path must start with / (the path after /auth or /groups)")
	}
	if fields[2] != "ok" {
		if f.Status, err = strconv.Atoi(fields[2]); err != nil || f.Status < 400 || f.Status > 599 {
			return "", "", 0, f, bad("the status must be an HTTP error, 400 to 599, or ok (with a wait)")
		}
	}
	times = math.MaxInt32
	for _, w := range fields[3:] {
		switch k, v, _ := strings.Cut(w, "="); k {
		case "times":
			if times, err = strconv.Atoi(v); err != nil || times < 1 {
				return "", "", 0, f, bad("times must be a whole number from 1")
			}
		case "wait":
			if f.Delay, err = time.ParseDuration(v); err != nil || f.Delay <= 0 {
				return "", "", 0, f, bad("wait must be a duration such as 30s or 1m")
			}
		default:
			return "", "", 0, f, bad("after the status come times=N and wait=D only")
		}
	}
	if f.Status == 0 && f.Delay == 0 {
		return "", "", 0, f, bad("ok answers as Globus would: give a wait=D to make it late")
	}
	// Status 0 with a Delay: served normally, late (globustest.Failure).
	return method, path, times, f, nil
}

func newEmulatorCmd(a *app) *cobra.Command {
	var addr string
	var demands, failures []string
	var logRequests bool
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Run the built-in Globus emulator on loopback, for trying the commands",
		Long: `Serve a stateful fake of Globus Auth, Groups and the developers console on a
loopback address until interrupted. Paste the printed exports into another shell
and every command talks to it instead of Globus.

--demand makes chosen calls refuse until the operator signs in with more, as
real Globus does (e.g. MFA to delete a client secret): "METHOD PATH REQ...",
PATH after /auth or /groups, * matching one part, REQ among mfa, domain=D,
policy=ID, identity=ID, scope=S, recent-admin=MINUTES, plus status=401,
legacy (the older error shape), always (a sign-in never satisfies it),
times=N. recent-admin refuses a session signed in longer ago than that, as a
high-assurance project does (403 FORBIDDEN "...admin privileges in session
within the last 30 minutes.", with no authorization_parameters). Examples:
  --demand 'POST /v2/api/policies mfa'
  --demand 'DELETE /v2/api/clients/*/credentials/* mfa'
  --demand 'POST /v2/api/clients/*/credentials recent-admin=30'
The emulator's sign-in page then offers the MFA the login asks for; its
"Session started N minutes ago" control signs in with a session that old.
` + EnvEmulatorDemands + ` holds more, separated by ";" (also read by --demo);
` + EnvEmulatorFailures + ` likewise holds more --fail specs.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			srv, err := startEmulator(addr)
			if err != nil {
				return err
			}
			defer srv.Close()
			active, err := srv.demand(a.getenv, demands)
			if err != nil {
				return err
			}
			failing, err := srv.fail(a.getenv, failures)
			if err != nil {
				return err
			}
			base := srv.base
			env := srv.Env()
			keys := make([]string, 0, len(env))
			for k := range env {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				fmt.Fprintf(a.stdout, "export %s=%s\n", k, env[k])
			}
			fmt.Fprintf(a.stdout, "# developers console: %s/app/settings/developers\n", base)
			fmt.Fprintf(a.stdout, "# identities: ")
			for i, u := range demoUsers {
				if i > 0 {
					fmt.Fprint(a.stdout, ", ")
				}
				fmt.Fprint(a.stdout, u.username)
			}
			fmt.Fprintln(a.stdout)
			fmt.Fprintf(a.stdout, "# a thick client for the first login: globus-setup login --client-id %s\n", srv.thickClient)
			for _, d := range active {
				fmt.Fprintf(a.stdout, "# demands a stronger session: %s\n", strings.Join(strings.Fields(d), " "))
			}
			for _, spec := range failing {
				fmt.Fprintf(a.stdout, "# fails on purpose: %s\n", strings.Join(strings.Fields(spec), " "))
			}
			fmt.Fprintln(a.stdout, "# Ctrl+C stops it.")
			if logRequests {
				go logEmulatorRequests(cmd.Context(), srv.Server, a.stdout)
			}
			<-cmd.Context().Done()
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8765", "loopback address to listen on")
	cmd.Flags().StringArrayVar(&demands, "demand", nil, "make calls demand a stronger session, e.g. 'POST /v2/api/policies mfa' (repeatable; see above)")
	cmd.Flags().StringArrayVar(&failures, "fail", nil, "make calls fail, as an outage would: 'METHOD PATH STATUS [times=N] [wait=D]', PATH a prefix after /auth or /groups, e.g. 'GET /v2/api/identities 503' (repeatable; every time unless times=N; STATUS ok with wait=D only slows it)")
	cmd.Flags().BoolVar(&logRequests, "log", false, "print each request answered: method, path, how it was authorised, status (never a token or form value)")
	return cmd
}

// logEmulatorRequests prints the emulator's request log as it grows, one
// line per request, until ctx ends. The log holds no query, body or token.
func logEmulatorRequests(ctx context.Context, srv *globustest.Server, w io.Writer) {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	n := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		reqs := srv.Requests()
		for _, r := range reqs[n:] {
			auth := r.Auth
			if auth == "" {
				auth = "no Authorization"
			}
			fmt.Fprintf(w, "# %s %s %s (%s) -> %d\n", r.Service, r.Method, r.Path, auth, r.Status)
		}
		n = len(reqs)
	}
}
