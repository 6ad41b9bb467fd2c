package globus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// DefaultMaxRetries is how many times a call is retried after the first
// try: globus-sdk-python's RetryConfig.max_retries
// (src/globus_sdk/transport/retry_config.py).
const DefaultMaxRetries = 5

const (
	// maxSleep caps every wait between tries, a server's Retry-After
	// included: RetryConfig.max_sleep, applied to both in
	// transport/requests.py _retry_sleep.
	maxSleep  = 10 * time.Second
	maxAnswer = 8 << 20
	userAgent = "globus-setup (Go)"
)

// Client talks to Globus Auth and Groups. It is safe for concurrent use.
type Client struct {
	env        Environment
	httpc      *http.Client
	maxRetries int
	sleep      func(context.Context, time.Duration) error
	auth       service
	groups     service
}

type service struct{ name, base, envVar string }

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient uses h (copied) for every request, including the login's
// token exchange. Its Timeout, if 0, becomes the environment's; its redirect
// policy is wrapped so redirects cannot change host or scheme. Its Transport
// is the place for proxies and test TLS roots.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			cp := *h
			c.httpc = &cp
		}
	}
}

// WithMaxRetries bounds the retries after the first try (default 4; 0 = none).
func WithMaxRetries(n int) Option {
	return func(c *Client) {
		if n >= 0 {
			c.maxRetries = n
		}
	}
}

// WithSleep replaces the wait between retries (tests). It must return ctx's
// error when ctx ends first.
func WithSleep(f func(context.Context, time.Duration) error) Option {
	return func(c *Client) {
		if f != nil {
			c.sleep = f
		}
	}
}

// New makes a Client for env. It refuses base URLs that are not https, except
// http to a loopback host.
func New(env Environment, opts ...Option) (*Client, error) {
	for _, p := range []*string{&env.AuthURL, &env.GroupsURL} {
		if *p != "" && !strings.HasSuffix(*p, "/") {
			*p += "/"
		}
	}
	if env.AuthURL == "" || env.GroupsURL == "" {
		return nil, errors.New("globus: the environment has no Auth or Groups URL (use EnvironmentFromEnv)")
	}
	for _, raw := range []string{env.AuthURL, env.GroupsURL} {
		if err := CheckServiceURL(raw); err != nil {
			return nil, err
		}
	}
	c := &Client{
		env:        env,
		maxRetries: DefaultMaxRetries,
		sleep:      sleepContext,
		auth:       service{"Globus Auth", env.AuthURL, EnvAuthURL},
		groups:     service{"Globus Groups", env.GroupsURL, EnvGroupsURL},
	}
	for _, o := range opts {
		o(c)
	}
	if c.httpc == nil {
		c.httpc = &http.Client{}
	}
	if c.httpc.Timeout == 0 {
		switch {
		case env.Timeout == 0:
			c.httpc.Timeout = DefaultTimeout
		case env.Timeout > 0:
			c.httpc.Timeout = env.Timeout
		}
	}
	next := c.httpc.CheckRedirect
	c.httpc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		first := via[0].URL
		if req.URL.Scheme != first.Scheme || !strings.EqualFold(req.URL.Host, first.Host) || checkURL(req.URL) != nil {
			return &RedirectError{From: safeURL(first), To: safeURL(req.URL)}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return c, nil
}

// Environment returns the environment the client was made for.
func (c *Client) Environment() Environment { return c.env }

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryPolicy says which failures are worth another try.
type retryPolicy int

const (
	// retrySafe: reads, PUTs and token calls that change nothing lasting:
	// the answers globus-sdk-python retries (transport/default_retry_checks.py
	// check_transient_error, check_retry_after_header and
	// check_request_exception; the statuses are RetryConfig's
	// transient_error_status_codes, 429 500 502 503 504) and transient
	// network failures. Any other status, 501 and 505 among them, is
	// answered the same however often it is asked: one try.
	retrySafe retryPolicy = iota
	// retryCreate: POSTs that create something. Only 429 and 503 are retried:
	// both mean the request was refused before any work. A 500, 502 or 504
	// can come after the service acted (a 504 is a proxy that gave up
	// waiting for it), so a second POST could make a duplicate (a second
	// project, a second secret) or fail with 409; the *Error's Hint says so.
	// A network failure is not retried either: the request may have arrived.
	retryCreate
)

// transientStatus: the statuses globus-sdk-python retries
// (RetryConfig.transient_error_status_codes).
func transientStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (p retryPolicy) retryable(status int, err error) bool {
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		return true
	case status != 0:
		return p == retrySafe && transientStatus(status)
	}
	return p == retrySafe && transient(err)
}

// transient: failures that another try may well cure. The caller's own
// context ending is checked apart (retry); a per-request timeout
// (GLOBUS_SDK_HTTP_TIMEOUT) is transient. Narrower than the SDK, which
// retries every requests.RequestException: a host that does not exist or a
// certificate that does not verify answers the same on the next try.
func transient(err error) bool {
	var ne *NetworkError
	if !errors.As(err, &ne) || errors.Is(err, context.Canceled) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTemporary || dns.IsTimeout
	}
	var nerr net.Error
	return (errors.As(err, &nerr) && nerr.Timeout()) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// backoff before retry number attempt+1: globus-sdk-python's
// _exponential_backoff, (0.25 + 0.5 × random) × 2^attempt seconds, so
// several wizards do not retry in step; capped at maxSleep.
func backoff(attempt int) time.Duration {
	d := time.Duration((0.25 + 0.5*rand.Float64()) * float64(time.Second<<min(attempt, 10)))
	return min(d, maxSleep)
}

// retry runs attempt until it succeeds, fails for good, or the retries are
// spent. attempt returns the HTTP status (0 if none) and headers it got; it
// must use the context it is given, which ends with the command's network
// budget (WithBudget). svc, method and path name the call in errors.
func (c *Client) retry(ctx context.Context, p retryPolicy, svc service, method, path string, attempt func(context.Context) (int, http.Header, error)) error {
	bctx, deadline, done := withBudget(ctx)
	defer done()
	spent := func(attempts int, last error) error {
		return &BudgetError{Service: svc.name, Method: method, URL: path, Budget: budgetFrom(ctx).total, Attempts: attempts, Last: last}
	}
	for n := 0; ; n++ {
		status, h, err := attempt(bctx)
		if err == nil {
			return nil
		}
		if status == 0 && budgetSpent(ctx, bctx) {
			return spent(n+1, err)
		}
		if n >= c.maxRetries || ctx.Err() != nil || !p.retryable(status, err) {
			return err
		}
		wait := backoff(n)
		if d, ok := parseRetryAfter(h); ok && d > 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
			// check_retry_after_header: only these statuses' Retry-After
			// is read, and a zero one leaves the backoff.
			wait = min(d, maxSleep)
		}
		if !deadline.IsZero() && time.Now().Add(wait).After(deadline) {
			return spent(n+1, err) // no time left for another try
		}
		if serr := c.sleep(bctx, wait); serr != nil {
			if budgetSpent(ctx, bctx) {
				return spent(n+1, err)
			}
			return fmt.Errorf("%w (stopped retrying: %w)", err, serr)
		}
	}
}

// call is one API request.
type call struct {
	svc     service
	method  string
	path    string // relative to the service base, e.g. "v2/api/clients/ID"
	query   url.Values
	auth    Authorizer
	form    url.Values // form body, or
	json    any        // JSON body
	out     any        // where a 2xx JSON answer is decoded; nil to ignore it
	policy  retryPolicy
	secrets []string // more strings to mask in errors (tokens in the form)
}

func (c *Client) do(ctx context.Context, k call) error {
	var body []byte
	var ctype string
	switch {
	case k.form != nil:
		body, ctype = []byte(k.form.Encode()), "application/x-www-form-urlencoded"
	case k.json != nil:
		b, err := json.Marshal(k.json)
		if err != nil {
			return fmt.Errorf("globus: encoding the %s %s request: %w", k.method, "/"+k.path, err)
		}
		body, ctype = b, "application/json"
	}
	target := k.svc.base + k.path
	if len(k.query) > 0 {
		target += "?" + k.query.Encode()
	}
	display := "/" + k.path
	rb, _ := k.auth.(*renewingBearer)
	var sent string // the renewable token the last try carried

	attempt := func(ctx context.Context) (int, http.Header, error) {
		req, err := http.NewRequestWithContext(ctx, k.method, target, bytes.NewReader(body))
		if err != nil {
			return 0, nil, fmt.Errorf("globus: cannot build the request %s %s", k.method, display)
		}
		// Checked on every try, not only in New: the base can never be
		// swapped under us, but this is where credentials are attached.
		if err := checkURL(req.URL); err != nil {
			return 0, nil, err
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", userAgent)
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		switch {
		case rb != nil:
			sent = rb.authorize(req)
		case k.auth != nil:
			k.auth.Authorize(req)
		}
		resp, err := c.httpc.Do(req)
		if err != nil {
			return 0, nil, c.networkError(ctx, k.svc, k.method, display, err)
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
		if err != nil {
			return 0, nil, c.networkError(ctx, k.svc, k.method, display, err)
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			secrets := append(secretsOf(k.auth), k.secrets...)
			e := parseError(k.svc, k.method, display, resp.StatusCode, resp.Header, data, secrets)
			e.Auth = authKind(k.auth)
			e.Create = k.policy == retryCreate
			return resp.StatusCode, resp.Header, e
		}
		if k.out != nil {
			if err := json.Unmarshal(data, k.out); err != nil {
				// The JSON error names a type or offset, never the answer's content.
				return 0, nil, fmt.Errorf("%s sent an answer this client cannot read (%s %s): %v", k.svc.name, k.method, display, err)
			}
		}
		return resp.StatusCode, resp.Header, nil
	}
	err := c.retry(ctx, k.policy, k.svc, k.method, display, attempt)
	if rb == nil || !renewable401(err) {
		return err
	}
	// Once per call, as the SDK's check_expired_authorization.
	renewed, rerr := rb.renewFrom(ctx, sent)
	switch {
	case rerr != nil:
		return rerr
	case !renewed:
		return err
	}
	return c.retry(ctx, k.policy, k.svc, k.method, display, attempt)
}

// networkError wraps a transport failure, dropping *url.Error's URL (it would
// print the query string). ctx is the attempt's: if it is still live, a
// timeout was this attempt's own limit (GLOBUS_SDK_HTTP_TIMEOUT).
func (c *Client) networkError(ctx context.Context, svc service, method, path string, err error) error {
	var re *RedirectError
	if errors.As(err, &re) {
		return re
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	ne := &NetworkError{Service: svc.name, BaseURL: svc.base, EnvVar: svc.envVar, Method: method, URL: path, Err: err}
	if ctx.Err() == nil && ne.Timeout() {
		ne.Limit = c.httpc.Timeout
	}
	return ne
}
