package globus

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Error is a non-2xx answer from Globus. It carries no request body, query
// string or credential: only what the server said and where.
type Error struct {
	Status     int
	Code       string // errors[0].code, e.g. "UNAUTHORIZED", "CONFLICT"
	Detail     string // errors[0].detail, else error_description
	Title      string
	RequestID  string // errors[0].id or request_id: quote it to Globus support
	Method     string
	URL        string // path within the service, e.g. "/v2/oauth2/token"; never a query
	OAuthError string // "invalid_client", "invalid_grant"...
	Service    string // "Globus Auth" or "Globus Groups"
	Auth       string // how the request was authorized: "basic", "bearer" or ""
	// RetryAfter is the server's Retry-After, when it gave one (429, 503).
	RetryAfter time.Duration
	// Create: the request was a creating POST. After a 500, 502 or 504 the
	// object may exist anyway, which the Hint must say.
	Create bool
	// Requirements: the refusal is a Globus Auth Requirements Error, asking
	// for a new login with these parameters (gare.go).
	Requirements *AuthRequirements
}

// Error is one line, e.g.
// "Globus Auth said 401 invalid_client: ... (POST /v2/oauth2/token)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.service())
	b.WriteString(" said ")
	b.WriteString(strconv.Itoa(e.Status))
	label := e.Code
	if label == "" {
		label = e.OAuthError
	}
	if label == "" {
		label = http.StatusText(e.Status)
	}
	if label != "" {
		b.WriteString(" " + label)
	}
	if d := e.detail(); d != "" && !strings.EqualFold(d, label) && !strings.EqualFold(d, http.StatusText(e.Status)) {
		b.WriteString(": " + d)
	}
	b.WriteString(" (" + e.Method + " " + e.URL)
	if e.RequestID != "" {
		b.WriteString(", request ID " + e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

func (e *Error) service() string {
	if e.Service == "" {
		return "Globus"
	}
	return e.Service
}

func (e *Error) detail() string {
	d := e.Detail
	if d == "" {
		d = e.Title
	}
	// One line, whatever the server sent.
	return strings.Join(strings.Fields(d), " ")
}

// Hint says, in plain words, what the operator can do next.
func (e *Error) Hint() string {
	if e.Requirements != nil {
		return "Globus asks you to sign in again " + e.Requirements.Describe() + ", then to repeat the call"
	}
	oauth := strings.ToLower(e.OAuthError)
	switch {
	// The error field tells a bad code or token from a bad client: Globus
	// answers both with 401 (globus-sdk-python testing/data/auth/
	// oauth2_exchange_code_for_tokens.py, case invalid_grant).
	case oauth == "invalid_grant":
		return "the login code or refresh token is no longer valid (a code works once and only for a few minutes); log in again"
	case oauth == "invalid_client" || (e.Status == http.StatusUnauthorized && e.Auth == "basic"):
		return "the client ID and secret do not match; create a new secret in the developers console"
	case oauth == "invalid_scope":
		return "Globus does not know that scope or will not grant it to this client; check the scope and the client's settings in the developers console"
	case e.Status == http.StatusUnauthorized && e.Auth == "bearer":
		return "the login has expired or was revoked; log in again"
	case e.Status == http.StatusUnauthorized:
		return "Globus did not accept the credentials: the login may have expired (log in again) or the client ID and secret do not match (create a new secret in the developers console)"
	case e.Status == http.StatusForbidden:
		return "the identity or client is not allowed to do this: make sure it is an administrator of the project or group, and that the login granted the needed scope (log in again to grant it)"
	case e.Status == http.StatusNotFound:
		return "Globus has no such object: check that the ID is right and belongs to this environment (production or preview), and that it was not deleted"
	case e.Status == http.StatusConflict:
		return "it already exists or clashes with an existing one: look it up and reuse it rather than creating it again"
	case e.Status == http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			return "Globus is limiting the rate of requests: wait " + e.RetryAfter.Round(time.Second).String() + " and try again"
		}
		return "Globus is limiting the rate of requests: wait a minute and try again"
	case e.Create && e.mayHaveActed():
		return "Globus had a problem on its side but may have made it anyway: look for it before trying again, so as not to make a second one (see https://status.globus.org)"
	case transientStatus(e.Status):
		return "Globus had a problem on its side: try again in a few minutes (see https://status.globus.org)"
	case e.Status >= 500:
		// 501 Not Implemented, 505 and the like do not pass with time: the
		// SDK does not retry them (retrySafe), and neither should a person.
		return e.service() + " answers " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status) +
			" to this request however often it is asked, so trying again will not help: check that nothing on the way (a proxy, or " +
			envVarOf(e.Service) + " if set) changes the request; otherwise tell Globus support (support@globus.org) the request ID"
	case e.Status == http.StatusBadRequest || e.Status == http.StatusUnprocessableEntity:
		return "Globus refused the request as invalid: check the values entered"
	}
	return ""
}

// envVarOf names the variable that overrides a service's base URL.
func envVarOf(service string) string {
	if service == "Globus Groups" {
		return EnvGroupsURL
	}
	return EnvAuthURL
}

// mayHaveActed: answers that can come after the service did the work.
// 503 is not one: it is a refusal before any work.
func (e *Error) mayHaveActed() bool {
	switch e.Status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// IsStatus reports whether err is (or wraps) a Globus *Error with that status.
func IsStatus(err error, status int) bool {
	var e *Error
	return errors.As(err, &e) && e.Status == status
}

// Hint returns the next step for any error this package returns, or "".
func Hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// NetworkError is a request that got no answer: no network, DNS failure,
// connection refused, TLS failure, timeout or cancellation.
type NetworkError struct {
	Service string // "Globus Auth"
	BaseURL string // the service's base URL
	EnvVar  string // the variable that overrides BaseURL
	Method  string
	URL     string // path within the service; never a query
	Err     error  // the cause, without the request URL
	// Limit is one attempt's time limit (GLOBUS_SDK_HTTP_TIMEOUT) when that
	// is what ran out; 0 otherwise.
	Limit time.Duration
}

func (e *NetworkError) Unwrap() error { return e.Err }

func (e *NetworkError) Error() string {
	where := " (" + e.Method + " " + e.URL + ")"
	switch {
	case errors.Is(e.Err, context.Canceled):
		return "request to " + e.Service + " cancelled" + where
	case e.Limit > 0 && e.Timeout():
		return e.Service + " at " + e.BaseURL + " did not answer" + where + " within one attempt's time limit (" + e.Limit.String() + ", " + EnvHTTPTimeout + ")"
	case e.Timeout():
		return e.Service + " at " + e.BaseURL + " did not answer in time" + where + ": " + e.Err.Error()
	}
	return "cannot reach " + e.Service + " at " + e.BaseURL + where + ": " + e.Err.Error() + " — check the network or " + e.EnvVar
}

// Timeout reports whether the request ran out of time (context deadline or
// GLOBUS_SDK_HTTP_TIMEOUT).
func (e *NetworkError) Timeout() bool {
	var ne net.Error
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &ne) && ne.Timeout())
}

func (e *NetworkError) Hint() string {
	switch {
	case errors.Is(e.Err, context.Canceled):
		return ""
	case e.Timeout():
		return "Globus was slow to answer: try again; if it keeps happening, raise " + EnvHTTPTimeout + " (seconds)"
	}
	return "check the network connection and any proxy settings; if " + e.EnvVar + " is set, check that it points at the right server"
}

// RedirectError is a redirect the client refused to follow, so that
// credentials never go to another host or over another scheme.
type RedirectError struct{ From, To string }

func (e *RedirectError) Error() string {
	return "refusing to follow a redirect from " + e.From + " to " + e.To + ": credentials stay with the host and scheme they were meant for"
}

func (e *RedirectError) Hint() string {
	return "the server answered with a redirect elsewhere; check " + EnvAuthURL + " and " + EnvGroupsURL
}

// parseError builds an *Error from an answer's status, headers and body. It
// reads only known fields, never copies the body, and masks any of secrets
// the server might have echoed.
func parseError(svc service, method, path string, status int, h http.Header, body []byte, secrets []string) *Error {
	e := &Error{Status: status, Method: method, URL: path, Service: svc.name}
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) == nil {
		var list []map[string]json.RawMessage
		if json.Unmarshal(doc["errors"], &list) == nil && len(list) > 0 {
			first := list[0]
			e.Code, e.Detail, e.Title, e.RequestID = jsonString(first["code"]), jsonString(first["detail"]), jsonString(first["title"]), jsonString(first["id"])
			if e.Detail == "" {
				e.Detail = jsonString(first["message"])
			}
		}
		e.OAuthError = jsonString(doc["error"])
		if e.Code == "" {
			e.Code = jsonString(doc["code"])
		}
		for _, k := range []string{"detail", "error_description", "message", "description"} {
			if e.Detail == "" {
				e.Detail = jsonString(doc[k])
			}
		}
		if e.Title == "" {
			e.Title = jsonString(doc["title"])
		}
		if e.RequestID == "" {
			e.RequestID = jsonString(doc["request_id"])
		}
		e.Requirements = parseRequirements(doc, secrets)
	}
	if e.RequestID == "" {
		e.RequestID = h.Get("X-Request-Id")
	}
	if d, ok := parseRetryAfter(h); ok {
		e.RetryAfter = d
	}
	// Scrub anything the server echoed back, and keep each field short: a
	// hostile or broken server could send anything.
	for _, f := range []*string{&e.Code, &e.Detail, &e.Title, &e.RequestID, &e.OAuthError} {
		*f = oneLine(scrub(*f, secrets), 500)
	}
	if e.Requirements == nil {
		e.Requirements = recentAdminRequirement(status, e.Detail)
	}
	return e
}

func jsonString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// parseRetryAfter reads Retry-After as whole seconds, as globus-sdk-python
// does (transport/default_retry_checks.py _parse_retry_after: int() of the
// header, anything else ignored, so an HTTP date is too).
func parseRetryAfter(h http.Header) (time.Duration, bool) {
	secs, err := strconv.Atoi(strings.TrimSpace(h.Get("Retry-After")))
	if err != nil || secs < 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}
