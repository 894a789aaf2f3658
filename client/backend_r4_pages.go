package client

// Reading searchset pages: one GET, read whole and decoded; and the next page asked for as
// soon as a page's next link has been read, so that the server prepares it (and the
// network carries it) while this page is still decoded.

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/shcr-project/shcr/client/fhir"
)

// asked is a page asked for: its answer's status and headers are in, its body not yet read.
type asked struct {
	resp  *resty.Response
	err   error
	start time.Time
}

// ask sends one GET of a searchset page (with retries where safe) and waits for the
// answer's headers. Its body is read by read, which closes it.
func (b *fhirBackend) ask(ctx context.Context, rawURL string, q url.Values) asked {
	start := time.Now()
	req := b.http.R().SetContext(ctx).SetDoNotParseResponse(true)
	// An answer resty will retry (429, 503) is read and closed before the next attempt, so
	// its connection is reused; its bytes stay readable in case it is the last.
	req.AddRetryCondition(func(resp *resty.Response, err error) bool {
		if retryable(resp, err) && resp != nil && resp.RawResponse != nil {
			bufferBody(resp.RawResponse, b.opts.maxBytes())
		}
		return false
	})
	if len(q) > 0 {
		req.SetQueryParamsFromValues(q)
	}
	resp, err := req.Get(rawURL)
	return asked{resp: resp, err: err, start: start}
}

// close drops an answer that will not be read.
func (a asked) close() {
	if a.resp != nil && a.resp.RawResponse != nil && a.resp.RawResponse.Body != nil {
		a.resp.RawResponse.Body.Close()
	}
}

// getPage performs one GET of a searchset page (with retries where safe) and decodes the
// Bundle from the response body (fhir.DecodeBundleSize: read whole, into one buffer when
// Content-Length says its size, then decoded by a byte scanner), within the response size
// cap. Its errors are get's and answer's, word for word: a non-2xx answer, an HTML page, a
// body larger than the cap or cut short, and malformed FHIR ("sent malformed FHIR for
// <what>: …").
func (b *fhirBackend) getPage(ctx context.Context, rawURL string, q url.Values, what string) (*fhir.Bundle, error) {
	return b.read(ctx, b.ask(ctx, rawURL, q), what, nil)
}

// read decodes the page a is the answer to (getPage's errors), telling onNext its next link
// as soon as it is read (fhir.DecodeBundleSize), and closes the body. ctx is the one a was
// asked with.
func (b *fhirBackend) read(ctx context.Context, a asked, what string, onNext func(string)) (*fhir.Bundle, error) {
	resp, err, start := a.resp, a.err, a.start
	defer a.close()
	if err != nil {
		err = describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), b.opts.maxBytes(), err)
		b.log.Debug("request failed", "resource", what, "elapsed", time.Since(start), "error", err)
		return nil, err
	}
	status := resp.StatusCode()
	ct := resp.Header().Get("Content-Type")
	br := bufio.NewReaderSize(resp.RawResponse.Body, 4096)
	if status < 200 || status > 299 || strings.Contains(strings.ToLower(ct), "html") || startsWithAngle(br) {
		// Not a page to decode: read it whole (within the cap) and say why, as answer does.
		body, rerr := io.ReadAll(io.LimitReader(br, b.opts.maxBytes()+1))
		switch {
		case rerr != nil:
			return nil, describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), b.opts.maxBytes(), rerr)
		case int64(len(body)) > b.opts.maxBytes():
			return nil, b.tooLarge()
		}
		resp.SetBody(body)
		_, err := b.answer(resp, what, start)
		return nil, err
	}
	cr := &countingReader{r: br}
	bundle, err := fhir.DecodeBundleSize(cr, b.opts.maxBytes(), resp.RawResponse.ContentLength, onNext)
	b.log.Debug("request", "resource", what, "status", status, "bytes", cr.n, "elapsed", time.Since(start), "attempts", resp.Request.Attempt)
	switch {
	case err == nil:
		return bundle, nil
	case errors.Is(err, fhir.ErrTooLarge):
		return nil, b.tooLarge()
	case cr.err != nil && cr.err != io.EOF:
		return nil, describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), b.opts.maxBytes(), cr.err)
	}
	return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR for " + what + ": " + parseReason(err), Err: ErrMalformedFHIR}
}

// pageAhead is the next page, asked for while the page naming it was still read.
type pageAhead struct {
	url    string
	ctx    context.Context
	cancel context.CancelFunc
	answer chan asked // one answer, then closed
}

// askAhead asks for rawURL in its own goroutine (one page ahead, never more: the answer
// waits, its body unread, until the loop reads it).
func (b *fhirBackend) askAhead(ctx context.Context, rawURL string) *pageAhead {
	actx, cancel := context.WithCancel(ctx)
	p := &pageAhead{url: rawURL, ctx: actx, cancel: cancel, answer: make(chan asked, 1)}
	go func() {
		p.answer <- b.ask(actx, rawURL, nil)
		close(p.answer)
	}()
	return p
}

// take is the answer asked ahead (read must then read it with p.ctx and cancel after).
func (p *pageAhead) take() asked { return <-p.answer }

// drop abandons a page asked ahead that will not be read: the request is cancelled, and its
// answer, if one came, closed.
func (p *pageAhead) drop() {
	if p == nil {
		return
	}
	p.cancel()
	if a, ok := <-p.answer; ok {
		a.close()
	}
}
