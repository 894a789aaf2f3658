package auth

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/config"
)

// callbackPath is the loopback redirect path: http://127.0.0.1:<port>/callback (RFC 8252 §7.3).
const callbackPath = "/callback"

type callbackResult struct {
	code string
	err  error
	done chan error // the handler waits on it to show the outcome in the browser
}

// runPKCE runs the authorization code flow with PKCE (S256 only) through a loopback redirect.
// It returns the token and the nonce the ID token must carry.
func (m *Manager) runPKCE(ctx context.Context, b config.Backend, ep Endpoints) (*oauth2.Token, string, error) {
	if !supportsS256(ep) {
		return nil, "", fmt.Errorf("back end %s: the sign-in server does not offer PKCE with S256 (it offers %v), and shcr uses nothing weaker: %w",
			b.Name, ep.CodeChallengeMethods, ErrConfig)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", fmt.Errorf("back end %s: cannot listen for the sign-in on 127.0.0.1: %w", b.Name, err)
	}
	redirect := fmt.Sprintf("http://%s%s", ln.Addr().String(), callbackPath)
	cfg := m.oauthConfig(b, ep, redirect)

	state := oauth2.GenerateVerifier()
	nonce := oauth2.GenerateVerifier()
	verifier := oauth2.GenerateVerifier()
	opts := append([]oauth2.AuthCodeOption{
		oauth2.S256ChallengeOption(verifier),
		oauth2.SetAuthURLParam("nonce", nonce),
	}, audienceParams(b, ep)...)
	authURL := cfg.AuthCodeURL(state, opts...)

	results := make(chan callbackResult, 1)
	mux := http.NewServeMux()
	mux.HandleFunc(callbackPath, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		res := callbackResult{done: make(chan error, 1)}
		switch {
		case q.Get("state") != state:
			res.err = ErrStateMismatch
		case q.Get("error") != "":
			res.err = authorizeError(b.Name, q.Get("error"), q.Get("error_description"))
		case q.Get("code") == "":
			res.err = signInRequired(b.Name, "the sign-in came back from the browser without a code", nil)
		default:
			res.code = q.Get("code")
		}
		select {
		case results <- res:
		default:
			// A second visit (reload, or someone else): the first one counts.
			writePage(w, http.StatusConflict, "This sign-in has already been used. Go back to the terminal.")
			return
		}
		outcome := res.err
		if outcome == nil {
			select {
			case outcome = <-res.done:
			case <-time.After(30 * time.Second):
				outcome = errors.New("still finishing")
			case <-r.Context().Done():
				return
			}
		}
		if outcome != nil {
			writePage(w, http.StatusBadRequest, "shcr could not finish signing in to "+b.Name+": "+outcomeText(outcome)+". Go back to the terminal.")
			return
		}
		writePage(w, http.StatusOK, "Signed in to "+b.Name+". You can close this tab and go back to shcr.")
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()

	deadline := m.o.Clock().Add(m.o.LoginTimeout)
	browserErr := m.o.Browser(authURL)
	m.prompt(ctx, Prompt{Backend: b.Name, Flow: string(config.AuthPKCE), URL: authURL, Expires: deadline, BrowserErr: browserErr})
	m.o.Logger.Info("waiting for browser sign-in", "backend", b.Name, "browser_opened", browserErr == nil)

	var res callbackResult
	select {
	case res = <-results:
	case <-m.o.After(m.o.LoginTimeout):
		return nil, "", signInRequired(b.Name, fmt.Sprintf("no sign-in arrived from the browser within %s; run `shcr login %s` to try again", m.o.LoginTimeout, b.Name), ErrExpired)
	case <-ctx.Done():
		return nil, "", signInRequired(b.Name, "sign-in cancelled", ctx.Err())
	}
	if res.err != nil {
		if errors.Is(res.err, ErrStateMismatch) {
			return nil, "", signInRequired(b.Name, "the browser returned a sign-in shcr did not start (state does not match); nothing was accepted", ErrStateMismatch)
		}
		return nil, "", res.err
	}
	xopts := append([]oauth2.AuthCodeOption{oauth2.VerifierOption(verifier)}, resourceParam(b)...)
	tok, err := cfg.Exchange(m.httpCtx(ctx), res.code, xopts...)
	if err != nil {
		err = fmt.Errorf("exchanging the sign-in code: %w", tokenError(err))
	} else if tok.AccessToken == "" {
		err = errors.New("the sign-in server returned no access token")
	}
	res.done <- err
	if err != nil {
		return nil, "", signInRequired(b.Name, err.Error(), err)
	}
	return tok, nonce, nil
}

// authorizeError explains an error returned to the redirect (RFC 6749 §4.1.2.1).
func authorizeError(backend, code, desc string) error {
	code = errorCode(code)
	d := ""
	if desc != "" {
		d = ": " + serverText(desc)
	}
	switch code {
	case "access_denied":
		return signInRequired(backend, fmt.Sprintf("the sign-in was refused (access_denied%s); run `shcr login %s` to try again", d, backend), ErrAccessDenied)
	case "login_required", "consent_required", "interaction_required":
		return signInRequired(backend, fmt.Sprintf("the sign-in server needs you to sign in again (%s%s)", code, d), nil)
	default:
		return signInRequired(backend, fmt.Sprintf("the sign-in server returned an error (%s%s)", code, d), nil)
	}
}

func outcomeText(err error) string {
	switch {
	case errors.Is(err, ErrAccessDenied):
		return "the sign-in was refused"
	case errors.Is(err, ErrStateMismatch):
		return "this sign-in does not match the one shcr started"
	}
	return "the sign-in server did not accept it"
}

func writePage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>shcr</title></head>\n<body><p>%s</p></body></html>\n", html.EscapeString(msg))
}
