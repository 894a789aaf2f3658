package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client"
)

// Renewal limits. A token inside expiryMargin of its expiry is renewed once: callers
// waiting meanwhile share that renewal, and the token it returns is used until it expires
// even when the server made it shorter-lived than the margin. A failed renewal is not tried
// again before a backoff (2 s, doubling, at most 2 minutes); a token still valid is used
// meanwhile. At most maxRenewalsPerMinute renewals (refreshes, or client-credentials token
// requests) go to a back end's sign-in server in any minute; after that shcr stops with
// ErrRefreshStorm until the minute is over.
const (
	maxRenewalsPerMinute = 6
	backoffFirst         = 2 * time.Second
	backoffMax           = 2 * time.Minute
)

// ErrRefreshStorm: the sign-in server's tokens expire so soon that renewing them would
// flood it.
var ErrRefreshStorm = errors.New("the sign-in server keeps issuing tokens that expire at once: sign in again later")

// renewals is one back end's renewal history. The caller holds the lock that serialises
// the back end's renewals.
type renewals struct {
	attempts []time.Time // renewals started in the last minute
	failures int         // failed renewals in a row
	retryAt  time.Time   // no renewal before this after a failure
	lastErr  error
	fresh    string // the access token the last renewal returned (compared only, never shown)
}

// justRenewed reports whether tok is the one the last renewal returned and has not expired:
// it is used as it is rather than renewed again.
func (r *renewals) justRenewed(tok string, expiry, now time.Time) bool {
	return tok != "" && tok == r.fresh && (expiry.IsZero() || now.Before(expiry))
}

// begin records a renewal about to start, or says why none may start now.
func (r *renewals) begin(backend string, now time.Time) error {
	if now.Before(r.retryAt) && r.lastErr != nil {
		return fmt.Errorf("%w (shcr tries again in %s)", r.lastErr, formatLeft(r.retryAt.Sub(now)))
	}
	cut := now.Add(-time.Minute)
	kept := r.attempts[:0]
	for _, t := range r.attempts {
		if t.After(cut) {
			kept = append(kept, t)
		}
	}
	r.attempts = kept
	if len(r.attempts) >= maxRenewalsPerMinute {
		return signInRequired(backend, ErrRefreshStorm.Error(), ErrRefreshStorm)
	}
	r.attempts = append(r.attempts, now)
	return nil
}

// failed starts the backoff after a renewal that did not work.
func (r *renewals) failed(now time.Time, err error) {
	r.failures++
	d := backoffFirst
	for i := 1; i < r.failures && d < backoffMax; i++ {
		d *= 2
	}
	r.retryAt = now.Add(min(d, backoffMax))
	r.lastErr = err
}

// succeeded ends any backoff and remembers the new token.
func (r *renewals) succeeded(accessToken string) {
	r.failures, r.retryAt, r.lastErr = 0, time.Time{}, nil
	r.fresh = accessToken
}

// stamp sets a new token's expiry from expires_in on the Manager's clock (x/oauth2 uses the
// wall clock), so expiry decisions and the injected clock agree.
func (m *Manager) stamp(t *oauth2.Token) {
	if t == nil {
		return
	}
	secs := t.ExpiresIn
	if secs == 0 {
		// clientcredentials does not copy ExpiresIn; the raw response has it.
		switch v := t.Extra("expires_in").(type) {
		case float64:
			secs = int64(v)
		case string:
			secs, _ = strconv.ParseInt(v, 10, 64)
		case json.Number:
			secs, _ = v.Int64()
		}
	}
	if secs > 0 {
		t.Expiry = m.o.Clock().Add(time.Duration(secs) * time.Second)
	}
}

// ccCache serves client-credentials tokens: a cached token until it is inside the margin,
// then one new request, bounded and backed off like a refresh.
type ccCache struct {
	m  *Manager
	st *backendState
}

func (c ccCache) Token() (*oauth2.Token, error) {
	st := c.st
	st.ccMu.Lock()
	defer st.ccMu.Unlock()
	now := c.m.o.Clock()
	t := st.ccTok
	live := t != nil && t.AccessToken != "" && (t.Expiry.IsZero() || now.Before(t.Expiry))
	if live && (t.Expiry.IsZero() || now.Add(expiryMargin).Before(t.Expiry) || st.ccRenew.justRenewed(t.AccessToken, t.Expiry, now)) {
		return t, nil
	}
	if err := st.ccRenew.begin(st.b.Name, now); err != nil {
		if live {
			return t, nil
		}
		return nil, err
	}
	tok, err := ccSource{m: c.m, st: st}.Token()
	if err != nil {
		if retryable(err) {
			st.ccRenew.failed(now, err)
		}
		if live {
			return t, nil
		}
		return nil, err
	}
	c.m.stamp(tok)
	st.ccTok = tok
	st.ccRenew.succeeded(tok.AccessToken)
	return tok, nil
}

// retryable: a failure worth backing off from (the server or the network), not one the
// config or the user must fix first.
func retryable(err error) bool {
	return !errors.Is(err, ErrConfig) && !errors.Is(err, ErrUntrustedEndpoint) && !errors.Is(err, client.ErrSignInRequired)
}

// errSource is a token source that only refuses.
type errSource struct{ err error }

func (e errSource) Token() (*oauth2.Token, error) { return nil, e.err }
