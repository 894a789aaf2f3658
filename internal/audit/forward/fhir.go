package forward

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/shcr-project/shcr/internal/audit"
)

// FHIRSink POSTs each AuditEvent to [base]/AuditEvent (the IHE ATNA RESTful feed). A 2xx
// answer is acceptance; anything else stops the batch there.
type FHIRSink struct {
	base   string
	client *http.Client
	tokens oauth2.TokenSource
}

// NewFHIR returns the sink for the FHIR base URL. tokens, when not nil, gives the bearer token
// for each request (the same token sources as back ends). client nil: TLS 1.2+, verified
// against the system roots, 30 s per request.
func NewFHIR(base string, tokens oauth2.TokenSource, client *http.Client) *FHIRSink {
	if client == nil {
		client = &http.Client{
			Timeout: 30 * time.Second,
			Transport: &http.Transport{
				Proxy:               http.ProxyFromEnvironment,
				TLSClientConfig:     &tls.Config{MinVersion: tls.VersionTLS12},
				MaxIdleConnsPerHost: 2,
				IdleConnTimeout:     90 * time.Second,
				TLSHandshakeTimeout: 10 * time.Second,
			},
		}
	}
	return &FHIRSink{base: strings.TrimRight(base, "/"), client: client, tokens: tokens}
}

// Name is "fhir BASE".
func (s *FHIRSink) Name() string { return "fhir " + s.base }

// Send posts the events one at a time, in order.
func (s *FHIRSink) Send(ctx context.Context, msgs []Message) (int, error) {
	for i, m := range msgs {
		if err := s.post(ctx, m); err != nil {
			return i, err
		}
	}
	return len(msgs), nil
}

func (s *FHIRSink) post(ctx context.Context, m Message) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.base+"/AuditEvent", bytes.NewReader(m.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	// A conditional create on the id tag: a server that has the event already keeps one copy.
	req.Header.Set("If-None-Exist", "_tag="+audit.IDTagSystem+"|"+m.ID)
	req.Header.Set("X-Request-ID", m.ID)
	if s.tokens != nil {
		tok, err := tokenCtx(ctx, s.tokens)
		if err != nil {
			return fmt.Errorf("no token for the audit service: %w", err)
		}
		tok.SetAuthHeader(req)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return classify(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024))
	_ = resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("the audit service answered HTTP %d", resp.StatusCode)
	}
	return nil
}

// tokenCtx gets a token, giving up when ctx ends (a token endpoint that does not answer must
// not hold shcr's exit).
func tokenCtx(ctx context.Context, ts oauth2.TokenSource) (*oauth2.Token, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		t, err := ts.Token()
		ch <- result{t, err}
	}()
	select {
	case r := <-ch:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close closes idle connections.
func (s *FHIRSink) Close() error {
	s.client.CloseIdleConnections()
	return nil
}
