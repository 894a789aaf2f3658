package client

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// backendCore is what both kinds of back end hold: who they are, where they are, how they
// are reached and logged, and the provenance defaults their mapping starts from.
type backendCore struct {
	info    Info
	cfg     config.Backend
	base    *url.URL
	baseStr string
	http    *resty.Client
	log     *slog.Logger
	opts    Options
	src     fhir.Source
}

func newCore(cfg config.Backend, base *url.URL, opts Options) backendCore {
	return backendCore{
		info:    Info{Name: cfg.Name, Kind: cfg.Kind, Domain: cfg.Domain, BaseURL: base.String(), Organisations: cfg.Organisations},
		cfg:     cfg,
		base:    base,
		baseStr: base.String(),
		log:     opts.logger().With("backend", cfg.Name),
		opts:    opts,
		src: fhir.Source{Backend: cfg.Name, Domain: record.Domain(cfg.Domain), Organisation: cfg.Name,
			Organisations: opts.organisations()},
	}
}

// Info describes the back end.
func (c *backendCore) Info() Info { return c.info }

// Options are what every back end shares: how to log, where tokens come from, who the user
// is. The zero value works (no tokens, nothing logged).
type Options struct {
	// Logger receives back end names, resource types, counts, durations and status codes,
	// never personal data (no NHS numbers, names, query values or URLs with queries). nil = discard.
	Logger *slog.Logger
	// Tokens gives the token source for a back end by name; nil, or a nil source, sends no
	// Authorization header. A source error wrapping ErrSignInRequired marks the back end
	// "not queried: sign-in needed".
	Tokens func(backend string) oauth2.TokenSource
	// User is the configured member of staff; GP Connect names them in its JWT.
	User config.User
	// CurrentUser, when set, is asked at each request for the member of staff signed in now
	// (a sign-in or sign-out inside the TUI changes who that is); it wins over User.
	CurrentUser func() config.User
	// HTTPClient is an optional base (tests): its Transport (TLS roots) and Jar are used;
	// TLS verification stays on whatever it says.
	HTTPClient *http.Client
	// SlowAfter: a back end slower than this is reported "slow" (default 3 s).
	SlowAfter time.Duration
	// MaxResponseBytes caps one response body (default 64 MiB).
	MaxResponseBytes int64
	// Now is the clock (GP Connect JWT iat/exp, medication search date, Retry-After dates);
	// nil = time.Now.
	Now func() time.Time
	// Sleep waits d before a retry (the server's Retry-After, else the backoff), returning
	// early with ctx's error when ctx ends; nil = a timer on the wall clock. Tests pass one
	// that records the wait and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Organisations are the configured organisations (config `organisations:`): ODS code →
	// name and domain, used by the mapping to name an item's organisation and decide its domain.
	Organisations []config.Organisation
}

// organisations is Organisations as the mapping reads them, by upper-case ODS code.
func (o Options) organisations() fhir.Organisations {
	if len(o.Organisations) == 0 {
		return nil
	}
	out := make(fhir.Organisations, len(o.Organisations))
	for _, org := range o.Organisations {
		out[strings.ToUpper(strings.TrimSpace(org.Code))] = fhir.Org{Name: org.Name, Domain: record.Domain(org.Domain)}
	}
	return out
}

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o.Logger
}

// user is the member of staff to name in requests now.
func (o Options) user() config.User {
	if o.CurrentUser != nil {
		return o.CurrentUser()
	}
	return o.User
}

func (o Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o Options) sleep(ctx context.Context, d time.Duration) error {
	if o.Sleep != nil {
		return o.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (o Options) maxBytes() int64 {
	if o.MaxResponseBytes > 0 {
		return o.MaxResponseBytes
	}
	return defaultMaxBytes
}

func (o Options) slowAfter() time.Duration {
	if o.SlowAfter > 0 {
		return o.SlowAfter
	}
	return defaultSlowAfter
}

// New builds the back end a config entry describes: fhir-r4 → a FHIR R4 server,
// gp-connect → GP Connect Access Record Structured. Nothing is sent until first use.
func New(cfg config.Backend, opts Options) (Backend, error) {
	if strings.TrimSpace(cfg.Name) == "" {
		return nil, fmt.Errorf("a back end has no name")
	}
	u, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || cfg.URL == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("back end %s: url %q is not an http(s) URL", cfg.Name, cfg.URL)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("back end %s: url must be a FHIR base URL without ?query or #fragment", cfg.Name)
	}
	// Config validated the kind and domain at load; a back end built in code may leave
	// them, the timeout and the cap out: config's defaults then.
	if cfg.Domain == "" {
		cfg.Domain = config.DomainHealth
	}
	if cfg.Kind == "" {
		cfg.Kind = config.KindFHIRR4
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = config.DefaultTimeout
	}
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = config.DefaultMaxEntries
	}
	switch cfg.Kind {
	case config.KindGPConnect:
		return newGPConnect(cfg, u, opts)
	case config.KindPDS:
		return newPDS(cfg, u, opts)
	case config.KindNRL:
		return newNRL(cfg, u, opts)
	}
	if cfg.Kind == config.KindFlags {
		return newFlags(cfg, u, opts)
	}
	return newFHIR(cfg, u, opts)
}

// tokenAuth returns the Authorization function for a back end's token source, or nil.
func tokenAuth(opts Options, backend string) func(*http.Request) (http.Header, error) {
	if opts.Tokens == nil {
		return nil
	}
	ts := opts.Tokens(backend)
	if ts == nil {
		return nil
	}
	return func(*http.Request) (http.Header, error) {
		tok, err := ts.Token()
		if err != nil {
			return nil, fmt.Errorf("no token for back end %s: %w", backend, err)
		}
		if tok == nil || tok.AccessToken == "" {
			return nil, nil
		}
		typ := tok.Type()
		if strings.EqualFold(typ, "bearer") || typ == "" {
			typ = "Bearer"
		}
		return http.Header{headerAuthorization: {typ + " " + tok.AccessToken}}, nil
	}
}
