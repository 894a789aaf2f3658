package client

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

const (
	nhsNumberSystem = "https://fhir.nhs.uk/Id/nhs-number"
	// pageSize is the _count asked for; servers cap it to their own maximum.
	pageSize = 500
	// maxPeople caps a person search (a broad demographic search is refined, not paged through).
	maxPeople = 100
	// maxEmptyPages stops a server that keeps sending empty pages with new next links.
	maxEmptyPages = 3
)

// fhirBackend is a FHIR R4 server: a regional shared care record or a council's record.
type fhirBackend struct {
	backendCore

	capMu sync.Mutex
	caps  *capabilities // nil until read
	// noIterate: the server refused _include:iterate once; it is not sent again.
	noIterate atomic.Bool
	// noSort: the server refused _sort once; it is not sent again.
	noSort atomic.Bool

	// searched: the Patient resources the last person search returned, by id; opening one
	// of them uses it instead of reading it again (taken once: a later open reads afresh).
	searchedMu sync.Mutex
	searched   map[string]fhir.Resource
}

// searchedPatient takes the Patient resource id the last person search returned, if it did.
func (b *fhirBackend) searchedPatient(id string) (fhir.Resource, bool) {
	b.searchedMu.Lock()
	defer b.searchedMu.Unlock()
	r, ok := b.searched[id]
	if ok {
		delete(b.searched, id)
	}
	return r, ok
}

func newFHIR(cfg config.Backend, base *url.URL, opts Options) (*fhirBackend, error) {
	b := &fhirBackend{backendCore: newCore(cfg, base, opts)}
	c, err := newResty(transportConfig{cfg: cfg, opts: opts, auth: tokenAuth(opts, cfg.Name), log: b.log, requestID: true,
		timeout: cfg.Timeout, maxBytes: opts.maxBytes()}, base)
	if err != nil {
		return nil, err
	}
	b.http = c
	return b, nil
}

// get performs one GET (with retries where safe) and returns the body of a 2xx answer, or
// an error whose message is the one line the user sees.
func (b *fhirBackend) get(ctx context.Context, rawURL string, q url.Values, what string) ([]byte, error) {
	start := time.Now()
	req := b.http.R().SetContext(ctx)
	if len(q) > 0 {
		req.SetQueryParamsFromValues(q)
	}
	resp, err := req.Get(rawURL)
	if err != nil {
		err = describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), b.opts.maxBytes(), err)
		b.log.Debug("request failed", "resource", what, "elapsed", time.Since(start), "error", err)
		return nil, err
	}
	return b.answer(resp, what, start)
}

// answer turns a response into its body or a typed error.
func (b *fhirBackend) answer(resp *resty.Response, what string, start time.Time) ([]byte, error) {
	body := resp.Body()
	status := resp.StatusCode()
	ct := resp.Header().Get("Content-Type")
	b.log.Debug("request", "resource", what, "status", status, "bytes", len(body), "elapsed", time.Since(start), "attempts", resp.Request.Attempt)
	if status < 200 || status > 299 {
		return nil, &HTTPError{Backend: b.cfg.Name, Status: status, Reason: fhir.ReadError(ct, body), Code: outcomeCode(body), Issue: outcomeIssue(body)}
	}
	if looksHTML(ct, body) {
		return nil, &Error{Backend: b.cfg.Name, Reason: fmt.Sprintf("answered %d with %s instead of FHIR", status, fhir.ReadError(ct, body)), Err: ErrMalformedFHIR}
	}
	return body, nil
}

// tooLarge is the error of a body larger than the cap, as describe words resty's.
func (b *fhirBackend) tooLarge() error {
	return describe(b.cfg.Name, 0, b.opts.maxBytes(), resty.ErrResponseBodyTooLarge)
}

// bufferBody reads a response's body (within limit) and closes it, leaving the bytes read
// in its place.
func bufferBody(r *http.Response, limit int64) {
	if r.Body == nil {
		return
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, limit+1))
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(body))
}

// startsWithAngle: the body's first byte after white space is '<' (an HTML or XML page).
func startsWithAngle(br *bufio.Reader) bool {
	for n := 1; n <= br.Size(); n++ {
		p, err := br.Peek(n)
		if len(p) < n {
			return false
		}
		switch p[n-1] {
		case ' ', '\t', '\r', '\n':
			if err != nil {
				return false
			}
			continue
		case '<':
			return true
		}
		return false
	}
	return false
}

// countingReader counts the bytes read and keeps the first read error.
type countingReader struct {
	r   io.Reader
	n   int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

func looksHTML(ct string, body []byte) bool {
	if strings.Contains(strings.ToLower(ct), "html") {
		return true
	}
	for _, c := range body {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		case '<':
			return true
		}
		return false
	}
	return false
}

// capabilities reads GET [base]/metadata once. A server with no usable statement (404,
// not a CapabilityStatement) is remembered as unknown; a transport failure is not cached.
func (b *fhirBackend) capabilities(ctx context.Context) (*capabilities, error) {
	b.capMu.Lock()
	defer b.capMu.Unlock()
	if b.caps != nil {
		return b.caps, nil
	}
	body, err := b.get(ctx, b.baseStr+"/metadata", nil, "metadata")
	var he *HTTPError
	switch {
	case errors.As(err, &he) && (he.Unauthorized() || he.Throttled() || he.ServerError()):
		return nil, err
	case errors.As(err, &he):
		b.log.Info("no CapabilityStatement", "status", he.Status)
		b.caps = &capabilities{}
		return b.caps, nil
	case err != nil:
		return nil, err
	}
	caps, ok := parseCapabilities(body)
	if !ok {
		b.log.Info("metadata is not a CapabilityStatement")
	} else {
		b.log.Debug("capabilities", "types", len(caps.Types))
	}
	b.caps = caps
	return caps, nil
}

// personParams turns a query into Patient search parameters and the parameter whose
// support decides whether the server can answer.
func personParams(q record.Query) (url.Values, string, error) {
	v := url.Values{}
	switch {
	case q.NHSNumber != "":
		v.Set("identifier", nhsNumberSystem+"|"+q.NHSNumber)
		return v, "identifier", nil
	case q.Family != "" && !q.BirthDate.IsZero():
		v.Set("family", q.Family)
		v.Set("birthdate", ukdate.FHIRDate(q.BirthDate))
		if q.Given != "" {
			v.Set("given", q.Given)
		}
		return v, "birthdate", nil
	case q.Family != "" && q.Postcode != "":
		v.Set("family", q.Family)
		v.Set("address-postalcode", q.Postcode)
		if q.Given != "" {
			v.Set("given", q.Given)
		}
		return v, "address-postalcode", nil
	case q.Phone != "":
		v.Set("phone", q.Phone)
		return v, "phone", nil
	}
	return nil, "", errors.New("a search needs an NHS number, a family name with a birth date or postcode, or a phone number")
}

var searchWords = map[string]string{
	"identifier":         "NHS number",
	"birthdate":          "birth date",
	"address-postalcode": "postcode",
	"phone":              "phone number",
}

// Search finds people on this server; the CapabilityStatement is read at the same time, so
// that opening the record afterwards costs no extra round trip. The search is sent whatever
// the statement says (statements often leave out what a server does support); a server that
// refuses it is "not asked: it does not support searching by …".
func (b *fhirBackend) Search(ctx context.Context, q record.Query) ([]record.Person, error) {
	params, key, err := personParams(q)
	if err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = b.capabilities(ctx) })
	params.Set("_count", strconv.Itoa(maxPeople))
	found, searchErr := b.search(ctx, "Patient", params, maxPeople)
	wg.Wait()
	if why, ok := refusal(searchErr); ok {
		b.log.Info("patient search refused", "by", key, "why", why)
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "it does not support searching by " + searchWords[key]}
	}
	if searchErr != nil {
		return nil, searchErr
	}
	if found.broken != "" {
		// A person search cut short may have missed one of the person's records: not a
		// clean answer.
		return nil, &Error{Backend: b.cfg.Name, Reason: strings.TrimPrefix(found.broken, "back end "+b.cfg.Name+" "), Err: ErrNextLinkLoop}
	}
	var people []record.Person
	searched := map[string]fhir.Resource{}
	defer func() {
		b.searchedMu.Lock()
		b.searched = searched
		b.searchedMu.Unlock()
	}()
	for _, e := range found.entries {
		if e.Type != "Patient" || e.Mode == "include" || e.Mode == "outcome" {
			continue
		}
		if e.ID != "" {
			searched[e.ID] = e
		}
		p, err := fhir.MapPerson(e, b.src)
		if err != nil {
			b.log.Warn("patient not mapped", "error", err)
			continue
		}
		people = append(people, withSource(p, b.cfg.Name, e.ID))
		if len(people) == maxPeople {
			break
		}
	}
	b.log.Debug("search", "people", len(people))
	return people, nil
}

// withSource makes sure the person names this back end and its Patient id as a source.
func withSource(p record.Person, backend, id string) record.Person {
	for i, s := range p.Sources {
		if s.Backend == backend {
			if p.Sources[i].ID == "" {
				p.Sources[i].ID = id
			}
			return p
		}
	}
	p.Sources = append(p.Sources, record.PersonSource{Backend: backend, ID: id, Name: p.Name,
		BirthDate: p.BirthDate, Gender: p.Gender, Postcode: p.Address.Postcode})
	return p
}
