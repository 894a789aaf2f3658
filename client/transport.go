package client

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/version"
)

const (
	defaultSlowAfter    = 3 * time.Second
	defaultMaxBytes     = 64 << 20
	maxRetries          = 3
	maxRetryWait        = 10 * time.Second
	minRetryWait        = 200 * time.Millisecond
	maxRedirects        = 5
	maxConnsKept        = 32
	fhirJSON            = "application/fhir+json"
	headerAuthorization = "Authorization"
)

// origin is scheme://host:port with the default port made explicit, so that a token is
// sent only where it was meant to go.
func origin(u *url.URL) string {
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	scheme := strings.ToLower(u.Scheme)
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(host, port)
}

// authTransport adds the Authorization header only to requests for the back end's own
// origin (after a redirect to another host or port, or a downgrade to http, none is sent),
// and refuses a response whose declared length exceeds the cap before reading it.
type authTransport struct {
	base     http.RoundTripper
	origin   string
	auth     func(*http.Request) (http.Header, error) // nil: nothing added
	maxBytes int64
	// requestID: send the context's request id (X-Request-ID) with every request (R4).
	requestID bool
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	same := origin(req.URL) == t.origin
	switch {
	case same && t.auth != nil:
		h, err := t.auth(req)
		if err != nil {
			if req.Body != nil {
				req.Body.Close()
			}
			return nil, err
		}
		if len(h) > 0 {
			req = req.Clone(req.Context())
			for k, vs := range h {
				req.Header[k] = vs
			}
		}
	case !same && req.Header.Get(headerAuthorization) != "":
		req = req.Clone(req.Context())
		req.Header.Del(headerAuthorization)
	}
	if id := RequestID(req.Context()); t.requestID && id != "" && req.Header.Get(headerRequestID) != id {
		req = req.Clone(req.Context())
		req.Header.Set(headerRequestID, id)
	}
	resp, err := t.base.RoundTrip(req)
	if err == nil && t.maxBytes > 0 && resp.ContentLength > t.maxBytes {
		resp.Body.Close()
		return nil, &tooLargeError{limit: t.maxBytes}
	}
	return resp, err
}

// transportConfig is what newResty needs to build a back end's HTTP client.
type transportConfig struct {
	cfg      config.Backend
	opts     Options
	auth     func(*http.Request) (http.Header, error)
	log      *slog.Logger
	timeout  time.Duration
	maxBytes int64
	// requestID: send X-Request-ID (R4 back ends; GP Connect has its own Ssp-TraceID).
	requestID bool
}

// baseTransport clones the caller's (or the default) transport and applies the back end's
// TLS settings: client certificate for mutual TLS and extra CAs. Verification stays on.
func baseTransport(cfg config.Backend, hc *http.Client) (http.RoundTripper, error) {
	var base *http.Transport
	if hc != nil && hc.Transport != nil {
		t, ok := hc.Transport.(*http.Transport)
		if !ok {
			if cfg.TLS.CertFile != "" || cfg.TLS.CAFile != "" {
				return nil, fmt.Errorf("back end %s: tls settings need a standard HTTP transport", cfg.Name)
			}
			return hc.Transport, nil
		}
		base = t.Clone()
	} else {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	// A record opens every section at once: keep enough connections to reuse them on the
	// next record (TLS handshakes to real back ends are the expensive part).
	if base.MaxIdleConnsPerHost < maxConnsKept {
		base.MaxIdleConnsPerHost = maxConnsKept
	}
	if base.TLSClientConfig == nil {
		base.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		base.TLSClientConfig = base.TLSClientConfig.Clone()
	}
	base.TLSClientConfig.InsecureSkipVerify = false
	if f := cfg.TLS.CAFile; f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("back end %s: tls.ca_file: %w", cfg.Name, pathErr(err))
		}
		pool := base.TLSClientConfig.RootCAs
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
		} else {
			pool = pool.Clone()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("back end %s: tls.ca_file %s holds no PEM certificate", cfg.Name, f)
		}
		base.TLSClientConfig.RootCAs = pool
	}
	if cfg.TLS.CertFile != "" || cfg.TLS.KeyFile != "" {
		if cfg.TLS.CertFile == "" || cfg.TLS.KeyFile == "" {
			return nil, fmt.Errorf("back end %s: tls.cert_file and tls.key_file must be given together", cfg.Name)
		}
		cert, err := tls.LoadX509KeyPair(cfg.TLS.CertFile, cfg.TLS.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("back end %s: cannot load the client certificate (tls.cert_file %s, tls.key_file %s): %w",
				cfg.Name, cfg.TLS.CertFile, cfg.TLS.KeyFile, pathErr(err))
		}
		base.TLSClientConfig.Certificates = []tls.Certificate{cert}
	}
	return base, nil
}

func pathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// newResty builds the back end's resty client: headers, timeouts, safe retries, redirect
// policy, response size cap, and a logger that never writes to the terminal.
func newResty(tc transportConfig, base *url.URL) (*resty.Client, error) {
	rt, err := baseTransport(tc.cfg, tc.opts.HTTPClient)
	if err != nil {
		return nil, err
	}
	hc := &http.Client{Transport: &authTransport{base: rt, origin: origin(base), auth: tc.auth, maxBytes: tc.maxBytes, requestID: tc.requestID}}
	if tc.opts.HTTPClient != nil {
		hc.Jar = tc.opts.HTTPClient.Jar
	}
	name := tc.cfg.Name
	log := tc.log
	c := resty.NewWithClient(hc).
		SetLogger(quietLogger{}).
		SetTimeout(tc.timeout).
		SetHeader("Accept", fhirJSON).
		SetHeader("User-Agent", version.UserAgent()).
		SetResponseBodyLimit(int(tc.maxBytes)).
		SetRedirectPolicy(resty.RedirectPolicyFunc(func(req *http.Request, via []*http.Request) error {
			if len(via) > maxRedirects {
				return errRedirects
			}
			if origin(req.URL) != origin(base) {
				req.Header.Del(headerAuthorization)
			}
			log.Debug("redirect", "backend", name, "same_origin", origin(req.URL) == origin(base))
			return nil
		})).
		// The wait between attempts happens in the retry hook, on Options.Sleep: resty's own
		// timer (which cannot be replaced) is given nothing to wait.
		SetRetryCount(maxRetries).
		SetRetryWaitTime(0).
		SetRetryMaxWaitTime(0).
		AddRetryCondition(retryable).
		AddRetryHook(func(resp *resty.Response, err error) {
			status := 0
			if resp != nil && resp.RawResponse != nil {
				status = resp.StatusCode()
			}
			log.Info("retrying", "backend", name, "status", status, "transport_error", err != nil)
			// resty calls the hooks after the last attempt too, and then does not retry.
			if resp == nil || resp.Request == nil || resp.Request.Attempt > maxRetries {
				return
			}
			wait := retryWait(resp.Header().Get("Retry-After"), resp.Request.Attempt-1, tc.opts.now())
			_ = tc.opts.sleep(resp.Request.Context(), wait)
		})
	return c, nil
}

// retryWait is how long to wait before retry number attempt+1 (attempt counts from 0): the
// server's Retry-After when it gives one, else a capped exponential backoff with jitter;
// never less than 200 ms nor more than 10 s.
func retryWait(retryAfterHeader string, attempt int, now time.Time) time.Duration {
	if d := parseRetryAfter(retryAfterHeader, now); d > 0 {
		return min(max(d, minRetryWait), maxRetryWait)
	}
	return backoff(attempt)
}

// backoff is the wait before retry attempt+1 when the server says nothing: half of
// 200 ms·2^attempt (capped at 10 s) plus up to as much again at random, at least 200 ms —
// the same as resty's own backoff.
func backoff(attempt int) time.Duration {
	ceiling := minRetryWait << min(attempt, 16)
	if ceiling <= 0 || ceiling > maxRetryWait {
		ceiling = maxRetryWait
	}
	half := ceiling / 2
	return max(half+rand.N(half), minRetryWait)
}

// retryable: 429 and 503 always (the server did not act on the request); a connection reset
// or a connection closed before any answer only for GET. Never other statuses.
func retryable(resp *resty.Response, err error) bool {
	if err != nil {
		if resp == nil || resp.Request == nil || resp.Request.Method != http.MethodGet {
			return false
		}
		var tl *tooLargeError
		if errors.As(err, &tl) {
			return false
		}
		return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
			strings.HasSuffix(unwrapURL(err).Error(), "EOF") && resp.RawResponse == nil
	}
	if resp == nil {
		return false
	}
	sc := resp.StatusCode()
	return sc == http.StatusTooManyRequests || sc == http.StatusServiceUnavailable
}

// parseRetryAfter reads Retry-After (delay-seconds or an HTTP date), capped at 10 s; 0 means
// "use the backoff".
func parseRetryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.Atoi(h); err == nil {
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	} else {
		return 0
	}
	if d <= 0 {
		return time.Millisecond
	}
	return min(d, maxRetryWait)
}

// quietLogger keeps resty silent: its messages include URLs, which may carry NHS numbers.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the real transport.
func (t *authTransport) CloseIdleConnections() {
	if c, ok := t.base.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}
