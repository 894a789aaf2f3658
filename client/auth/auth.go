// Package auth signs shcr in to shared care record back ends: OAuth 2.0 authorization code
// with PKCE and a loopback redirect (NHS CIS2, SMART App Launch), the device authorization
// grant (RFC 8628), SMART Backend Services (client credentials with a private_key_jwt
// assertion, RFC 7523) and a bearer token from the environment. It keeps tokens in the OS
// keyring (config.Keyring), refreshes them silently, and knows who is signed in.
//
// The protocol is golang.org/x/oauth2; assertions and ID tokens are signed and verified with
// go-jose. Tokens never appear in logs, errors or output.
package auth

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shcr-project/shcr/client"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/logscrub"
)

// Sentinel errors. Every error from a sign-in that did not complete also wraps
// client.ErrSignInRequired, so callers can test one thing.
var (
	// ErrAccessDenied: the user (or the provider) refused the sign-in.
	ErrAccessDenied = errors.New("sign-in refused")
	// ErrExpired: the device code or the browser sign-in ran out of time.
	ErrExpired = errors.New("sign-in timed out")
	// ErrStateMismatch: the browser came back with a state shcr did not send.
	ErrStateMismatch = errors.New("sign-in response did not match the request (state)")
	// ErrIDToken: the ID token failed verification (signature, issuer, audience, expiry, nonce).
	ErrIDToken = errors.New("ID token not valid")
	// ErrUnknownBackend: no back end of that name is configured.
	ErrUnknownBackend = errors.New("no back end of that name")
	// ErrConfig: the auth block is incomplete or contradictory.
	ErrConfig = errors.New("sign-in not configured correctly")
)

// Identity is who is signed in: a member of staff (from the verified ID token or userinfo)
// or, for client credentials, the system itself.
type Identity struct {
	Name    string `json:"name,omitempty"`    // "Dr Jane Carter"
	ID      string `json:"id,omitempty"`      // staff identifier: preferred_username, else sub
	Subject string `json:"subject,omitempty"` // the provider's sub
	Email   string `json:"email,omitempty"`
	Issuer  string `json:"issuer,omitempty"`
	System  bool   `json:"system,omitempty"` // client credentials: no person signed in
}

// IsZero reports whether nobody is named.
func (i Identity) IsZero() bool { return i.Name == "" && i.ID == "" && i.Subject == "" }

// String is how the status bar and `shcr auth status` name them: "Jane Carter (jcarter)".
func (i Identity) String() string {
	switch {
	case i.IsZero():
		return "unknown user"
	case i.System:
		return "system " + i.ID
	case i.Name != "" && i.ID != "" && i.ID != i.Name:
		return i.Name + " (" + i.ID + ")"
	case i.Name != "":
		return i.Name
	default:
		return i.ID
	}
}

// User is the config.User shape (GP Connect, the audit trail) for this identity; fields the
// sign-in does not give (the SDS role) come from fallback, the configured user.
func (i Identity) User(fallback config.User) config.User {
	u := fallback
	if i.IsZero() || i.System {
		return u
	}
	if i.Name != "" {
		u.Name = i.Name
	}
	if i.ID != "" {
		u.ID = i.ID
	}
	if i.Email != "" {
		u.Email = i.Email
	}
	return u
}

// State is where a back end's sign-in stands.
type State string

// States reported by Status.
const (
	StateNotNeeded   State = "not-needed"  // auth type none
	StateSignedIn    State = "signed-in"   // a valid access token
	StateRefreshable State = "refreshable" // access token expired, a refresh token will be used
	StateSignedOut   State = "signed-out"  // sign-in needed
	StateEnvSet      State = "env-set"     // bearer: the variable is set
	StateEnvMissing  State = "env-missing" // bearer: the variable is not set
	StateSystem      State = "system"      // client credentials: fetched when needed
)

// BackendAuthStatus is one line of `shcr auth status`. It never holds a token.
type BackendAuthStatus struct {
	Backend  string
	Type     config.AuthType
	State    State
	Identity Identity
	Expiry   time.Time // access token expiry (zero when unknown)
	// InMemory: the tokens are held in memory only (no keyring), lost when shcr exits.
	InMemory bool
	Detail   string // e.g. "token from $SHCR_TOKEN"
}

// Prompt is what the user must do to finish an interactive sign-in.
type Prompt struct {
	Backend string
	Flow    string // config.AuthPKCE | config.AuthDevice
	// URL: the browser address (pkce) or the verification URI (device).
	URL string
	// URLComplete: device only, the verification URI with the code filled in (may be "").
	URLComplete string
	UserCode    string    // device only
	Expires     time.Time // when the code (device) or the wait (pkce) runs out
	// BrowserErr: pkce only, why the browser could not be opened (the user opens URL).
	BrowserErr error
}

// Options configure a Manager. The zero value works: prompts to stderr, no logging,
// not interactive.
type Options struct {
	// Logger gets back end names, flows, status codes and durations, never tokens or names.
	Logger *slog.Logger
	// Out receives plain-text prompts (stderr for `shcr login` and `shcr get`). nil = os.Stderr.
	Out io.Writer
	// Prompt, when set, is called instead of writing to Out (the TUI shows its own panel).
	Prompt func(Prompt)
	// Interactive allows TokenSource to run a sign-in itself when one is needed (`shcr get`
	// without --no-login). Otherwise it returns an error wrapping client.ErrSignInRequired.
	Interactive bool
	// Browser opens a URL; nil = $BROWSER when set, else the platform opener.
	Browser func(url string) error
	// Clock is the time source for expiry decisions and assertions; nil = time.Now.
	Clock func() time.Time
	// After is the timer a sign-in waits on (the device grant's polling interval, the browser
	// sign-in's time limit): a channel that receives once d has passed. nil = time.After.
	// Tests pass one that fires at once, so no test waits on the wall clock.
	After func(d time.Duration) <-chan time.Time
	// HTTPClient talks to the sign-in servers (TLS verification stays on); nil = a client
	// with a 30 s timeout.
	HTTPClient *http.Client
	// LoginTimeout bounds a browser sign-in (default 5 minutes; the device flow uses the
	// code's own lifetime).
	LoginTimeout time.Duration
	// Getenv reads environment variables (bearer tokens, client secrets); nil = os.Getenv.
	Getenv func(string) string
	// Context bounds the sign-ins, refreshes and token requests that token sources start on
	// their own (Token has no context): pass the command's context so Ctrl-C stops a
	// sign-in `shcr get` started. nil = context.Background().
	Context context.Context
}

func (o *Options) fill() {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Out == nil {
		o.Out = os.Stderr
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if o.LoginTimeout <= 0 {
		o.LoginTimeout = 5 * time.Minute
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.Browser == nil {
		o.Browser = func(u string) error { return OpenBrowser(u, o.Getenv) }
	}
}

// SignInError is a sign-in that is needed or did not complete. Its message is one line in
// words ("council: code WDJB-MJHT expired before it was approved …"); it matches
// client.ErrSignInRequired and, when there is one, the specific sentinel (ErrAccessDenied,
// ErrExpired, ErrStateMismatch, context.Canceled …) with errors.Is.
type SignInError struct {
	Backend string
	Reason  string
	Cause   error // may be nil
}

func (e *SignInError) Error() string { return serverText(e.Backend + ": " + e.Reason) }

// Unwrap gives client.ErrSignInRequired and the cause.
func (e *SignInError) Unwrap() []error {
	if e.Cause == nil {
		return []error{client.ErrSignInRequired}
	}
	return []error{client.ErrSignInRequired, e.Cause}
}

// signInRequired makes a SignInError.
func signInRequired(backend, reason string, cause error) error {
	return &SignInError{Backend: backend, Reason: reason, Cause: cause}
}

// oneLine keeps provider-supplied text to one short line (it lands in the terminal): nothing
// a terminal acts on, no token or secret it echoed (logscrub.ServerText).
func oneLine(s string) string {
	s = logscrub.ServerText(s)
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
