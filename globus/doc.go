// Package globus is the wizard's client for Globus Auth and Globus Groups:
// plain net/http, a context on every call, and golang.org/x/oauth2 only for the
// operator's PKCE login.
//
// # Environment
//
// EnvironmentFromEnv reads the variables the Globus SDK and CLI honour:
//
//	GLOBUS_SDK_ENVIRONMENT         production (default) or preview
//	GLOBUS_SDK_SERVICE_URL_AUTH    Auth base URL (e.g. an emulator's {base}/auth/)
//	GLOBUS_SDK_SERVICE_URL_GROUPS  Groups base URL
//	GLOBUS_SDK_HTTP_TIMEOUT        seconds per request (default 60; -1 for none)
//
// and one of ours, GLOBUS_SETUP_APP_URL, the web app (console) base URL. When
// it is unset and the Auth URL ends in "/auth/", the app URL is the same base
// with "/app/" (the emulator's layout); otherwise it is the environment's.
//
// New refuses base URLs that are not https, except plain http to a loopback
// host (127.0.0.0/8, localhost, [::1]) for tests and the demo. Each request is
// checked again before credentials are attached, and redirects that change
// host or scheme are refused.
//
// # Errors
//
// A non-2xx answer is an *Error built from Globus's error JSON (the
// {"errors":[...]} form and the bare OAuth {"error":"..."} form); a request
// with no answer is a *NetworkError; a refused redirect is a *RedirectError.
// All have a one-line Error() and a Hint() saying what to do next; Hint(err)
// finds it through wrapping. No error carries a request body, a query string,
// a secret or a token, and secrets a server echoes back are masked.
// Credentials, Token, Credential, LoginFlow and the Authorizers mask their
// secrets under every fmt verb.
//
// # Retries
//
// As globus-sdk-python (transport/retry_config.py, default_retry_checks.py):
// 429, 500, 502, 503 and 504 answers, and transient network failures, are
// retried at most WithMaxRetries times (default 5), after an exponential
// backoff with jitter or, for 429 and 503, the server's Retry-After in whole
// seconds; every wait is capped at 10 s. Any other status is tried once: a
// 501 or 505 does not pass with time, and its Hint says so. POSTs that
// create things retry only 429 and 503, refusals before any work: see
// retryCreate. After a 500, 502 or 504 the object may exist anyway, and the
// error's Hint says so. Other 4xx answers are never retried, except a 401
// to a RenewingBearer, which renews its token once and tries again.
package globus
