package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"time"

	"github.com/mattn/go-isatty"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/safetext"
)

// runDevice runs the device authorization grant (RFC 8628): shows the verification URI and
// the user code, then polls as the server says (interval, slow_down: x/oauth2 does it).
func (m *Manager) runDevice(ctx context.Context, b config.Backend, ep Endpoints) (*oauth2.Token, error) {
	cfg := m.oauthConfig(b, ep, "")
	hctx := m.httpCtx(ctx)
	da, err := cfg.DeviceAuth(hctx, audienceParams(b, ep)...)
	if err != nil {
		return nil, signInRequired(b.Name, "asking for a device code: "+tokenError(err).Error(), nil)
	}
	if da.VerificationURI == "" || da.UserCode == "" {
		return nil, signInRequired(b.Name, "the sign-in server gave no verification address or code", nil)
	}
	// The code's lifetime, on the Manager's clock (x/oauth2 dates da.Expiry by time.Now).
	life := m.o.LoginTimeout
	if !da.Expiry.IsZero() {
		life = time.Until(da.Expiry)
	}
	expires := m.o.Clock().Add(life)
	// The address and code are shown on the terminal: nothing in them may act on it.
	m.prompt(ctx, Prompt{Backend: b.Name, Flow: string(config.AuthDevice), URL: safetext.Line(da.VerificationURI),
		URLComplete: safetext.Line(da.VerificationURIComplete), UserCode: safetext.Line(da.UserCode), Expires: expires})
	m.o.Logger.Info("waiting for device approval", "backend", b.Name, "interval_s", da.Interval)

	pctx, cancel := context.WithCancel(hctx)
	defer cancel()
	if m.promptFunc(ctx) == nil {
		go m.countdown(pctx, expires)
	}
	tok, err := m.pollDevice(pctx, cfg, da, expires, b)
	cancel()
	if err != nil {
		return nil, deviceError(b.Name, da.UserCode, err, ctx)
	}
	if tok.AccessToken == "" {
		return nil, signInRequired(b.Name, "the sign-in server returned no access token", nil)
	}
	if m.promptFunc(ctx) == nil {
		fmt.Fprintf(m.o.Out, "\nApproved.\n")
	}
	return tok, nil
}

// deviceGrant is the device access token request's grant type (RFC 8628 §3.4).
const deviceGrant = "urn:ietf:params:oauth:grant-type:device_code"

// pollDevice asks the token endpoint for the device code's token as RFC 8628 §3.4–3.5 says
// (and as x/oauth2's DeviceAccessToken does): wait the server's interval (5 s when it gives
// none) before each request, add 5 s after slow_down, carry on while authorization_pending,
// stop at any other answer or when the code expires. The waits run on Options.After and the
// expiry on Options.Clock, so tests do not wait for the interval.
func (m *Manager) pollDevice(ctx context.Context, cfg *oauth2.Config, da *oauth2.DeviceAuthResponse, expires time.Time, b config.Backend) (*oauth2.Token, error) {
	// The token request: x/oauth2's client credentials request lets the grant type be
	// replaced, and then sends exactly what DeviceAccessToken would (client authentication
	// as configured, client_id, scope, device_code, resource), and parses the answer and its
	// errors the same way.
	params := url.Values{"grant_type": {deviceGrant}, "device_code": {da.DeviceCode}, "client_id": {cfg.ClientID}}
	if b.Auth.Audience != "" {
		params.Set("resource", b.Auth.Audience)
	}
	req := clientcredentials.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, TokenURL: cfg.Endpoint.TokenURL,
		Scopes: cfg.Scopes, EndpointParams: params, AuthStyle: cfg.Endpoint.AuthStyle}
	interval := time.Duration(da.Interval) * time.Second
	if da.Interval <= 0 || da.Interval > int64(time.Hour/time.Second) {
		interval = 5 * time.Second // missing or absurd: RFC 8628 §3.2's default
	}
	for {
		left := expires.Sub(m.o.Clock())
		if left <= 0 {
			return nil, context.DeadlineExceeded
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-m.o.After(min(interval, left)):
		}
		if !m.o.Clock().Before(expires) {
			return nil, context.DeadlineExceeded
		}
		tok, err := req.Token(ctx)
		if err == nil {
			return tok, nil
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) {
			return nil, err
		}
		switch re.ErrorCode {
		case "slow_down":
			interval += 5 * time.Second
		case "authorization_pending":
		default:
			return nil, err
		}
	}
}

// deviceError explains a device flow failure in words.
func deviceError(backend, code string, err error, parent context.Context) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		switch re.ErrorCode {
		case "access_denied":
			return signInRequired(backend, fmt.Sprintf("the sign-in was refused: code %s was declined on the approval page (access_denied); run `shcr login %s` to try again", code, backend), ErrAccessDenied)
		case "expired_token":
			return signInRequired(backend, fmt.Sprintf("code %s expired before it was approved (expired_token); run `shcr login %s` for a new code and enter it sooner", code, backend), ErrExpired)
		}
		return signInRequired(backend, tokenError(err).Error(), nil)
	}
	if errors.Is(err, context.DeadlineExceeded) && parent.Err() == nil {
		// x/oauth2 stops polling when the code's lifetime is over.
		return signInRequired(backend, fmt.Sprintf("code %s expired before it was approved (expired_token); run `shcr login %s` for a new code and enter it sooner", code, backend), ErrExpired)
	}
	if parent.Err() != nil {
		return signInRequired(backend, "sign-in cancelled", parent.Err())
	}
	return signInRequired(backend, "waiting for approval: "+serverText(err.Error()), err)
}

type promptKey struct{}

// WithPrompt returns a context whose sign-ins (Manager.Login) report what the user must do
// through f instead of Options.Prompt or Options.Out: the TUI's sign-in panel uses it to show
// the device code or the browser address in place of the back end's data.
func WithPrompt(ctx context.Context, f func(Prompt)) context.Context {
	return context.WithValue(ctx, promptKey{}, f)
}

func (m *Manager) promptFunc(ctx context.Context) func(Prompt) {
	if f, ok := ctx.Value(promptKey{}).(func(Prompt)); ok && f != nil {
		return f
	}
	return m.o.Prompt
}

// prompt tells the user what to do: through WithPrompt's or Options.Prompt's function, else
// as plain text on Out.
func (m *Manager) prompt(ctx context.Context, p Prompt) {
	if f := m.promptFunc(ctx); f != nil {
		f(p)
		return
	}
	w := m.o.Out
	switch config.AuthType(p.Flow) {
	case config.AuthPKCE:
		if p.BrowserErr != nil {
			fmt.Fprintf(w, "Sign in to %s: shcr could not open a browser (%v).\nOpen this address in a browser yourself:\n\n  %s\n\n", p.Backend, p.BrowserErr, p.URL)
		} else {
			fmt.Fprintf(w, "Sign in to %s in the browser window that has opened.\nIf none opened, open this address yourself:\n\n  %s\n\n", p.Backend, p.URL)
		}
		fmt.Fprintf(w, "Waiting for the sign-in to finish (up to %s)…\n", formatLeft(p.Expires.Sub(m.o.Clock())))
	case config.AuthDevice:
		fmt.Fprintf(w, "Sign in to %s:\n  1. On any device, open  %s\n  2. Enter the code       %s\n", p.Backend, p.URL, p.UserCode)
		if p.URLComplete != "" && p.URLComplete != p.URL {
			fmt.Fprintf(w, "  (or open %s, which has the code filled in)\n", p.URLComplete)
		}
		fmt.Fprintf(w, "The code expires in %s. Waiting for approval…\n", formatLeft(p.Expires.Sub(m.o.Clock())))
	}
}

// countdown shows the time left for the device code: rewritten every second on a terminal,
// a line a minute otherwise. (A display on the wall clock: nothing waits for it.)
func (m *Manager) countdown(ctx context.Context, expires time.Time) {
	tty := isTerminal(m.o.Out)
	every := time.Minute
	if tty {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			left := expires.Sub(m.o.Clock())
			if left < 0 {
				left = 0
			}
			if tty {
				fmt.Fprintf(m.o.Out, "\r  %s left to enter the code ", formatLeft(left))
			} else {
				fmt.Fprintf(m.o.Out, "  %s left to enter the code\n", formatLeft(left))
			}
		}
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// formatLeft shows a duration as m:ss ("4:59").
func formatLeft(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d.Round(time.Second).Seconds())
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
