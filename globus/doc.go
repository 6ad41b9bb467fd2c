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
// 429 and 5xx answers are retried with exponential backoff and jitter, or
// after the server's Retry-After (seconds or HTTP date, up to a minute), at
// most WithMaxRetries times (default 4). Reads also retry transient network
// failures. POSTs that create things retry only 429 and 503, refusals before
// any work: see retryCreate. After a 500, 502 or 504 the object may exist
// anyway, and the error's Hint says so. Other 4xx answers are never retried.
package globus
