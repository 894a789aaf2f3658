package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/shcr-project/shcr/client/fhir"
)

// search runs one search and follows the Bundle's next links until the result is complete
// or it stops short. Stopping short keeps what was read and says why (truncated): limit
// entries read (total as the server reported it), Bundle.total larger than the entries read
// with no next link, or a next link that loops, leads to another server, is not a URL, or
// keeps bringing empty pages (broken names which). A page holding nothing but an error
// OperationOutcome is an error (ErrNotSupported when its code is not-supported).
func (b *fhirBackend) search(ctx context.Context, resourceType string, q url.Values, limit int) (res searchResult, err error) {
	var entries []fhir.Resource
	res, err = b.searchPages(ctx, resourceType, q, limit, func(page []fhir.Resource, _ bool, _ int, _ fhir.Body) {
		entries = append(entries, page...)
	})
	res.entries = entries
	return res, err
}

// searchPages is search handing each page's entries to deliver as soon as the page is
// read (more: a next page will be asked; total: Bundle.total, 0 when not given), instead of keeping them: the caller maps a page
// while the next is fetched, and keeps only what it mapped. The pages delivered are, put
// together, exactly the entries search returns (the last one cut where the cap falls).
func (b *fhirBackend) searchPages(ctx context.Context, resourceType string, q url.Values, limit int, deliver func(page []fhir.Resource, more bool, total int, body fhir.Body)) (res searchResult, err error) {
	first := b.baseStr + "/" + resourceType
	seen := map[string]bool{canonicalURL(first, q): true}
	// The next page is asked for as soon as a page's next link is read (one page ahead, no
	// more): the server prepares it while this one is decoded and handed over. A link the
	// loop below would not follow is not asked for; a page asked ahead that is not the one
	// the loop follows (or the search stops) is dropped.
	var ahead *pageAhead
	defer func() { ahead.drop() }()
	onNext := func(link string) {
		if ahead != nil {
			return
		}
		if next, perr := b.base.Parse(link); perr == nil && origin(next) == origin(b.base) && !seen[canonicalURL(next.String(), nil)] {
			ahead = b.askAhead(ctx, next.String())
		}
	}
	bundle, err := b.read(ctx, b.ask(ctx, first, q), resourceType, onNext)
	var (
		read      int // entries read (matches and included)
		total     int
		truncated bool
		broken    string
		warnings  []string
		empty     int
		matches   int // entries that answer the search (not _include'd ones): the cap counts these
	)
	for err == nil {
		if err = b.outcomeOnly(resourceType, bundle); err != nil {
			break
		}
		if total == 0 && bundle.Total > 0 {
			total = bundle.Total
		}
		page, body := bundle.Entries, bundle.TakeBody()
		bundle.Entries = nil // the page is the caller's from here, and its buffer
		n := countMatches(page)
		for _, w := range bundle.Warnings {
			warnings = append(warnings, resourceType+": "+w)
		}
		if len(page) == 0 {
			empty++
		}
		if matches+n > limit || read+len(page) > 4*limit {
			deliver(firstMatches(page, limit-matches), false, total, body)
			matches, truncated = limit, true
			break
		}
		read += len(page)
		matches += n
		if bundle.Next == "" {
			deliver(page, false, total, body)
			// The server says there are more than it sent, and offers no way to read them.
			truncated = total > matches
			break
		}
		if matches == limit {
			deliver(page, false, total, body)
			truncated = true
			break
		}
		next, perr := b.base.Parse(bundle.Next)
		switch {
		case perr != nil:
			broken = fmt.Sprintf("sent a next link that is not a URL: showing the %d entries read", matches)
		case origin(next) != origin(b.base):
			broken = fmt.Sprintf("sent a next link to another server: not followed; showing the %d entries read", matches)
		case seen[canonicalURL(next.String(), nil)]:
			broken = fmt.Sprintf("sent a next link that loops back to a page already read: showing the %d entries read", matches)
		case empty > maxEmptyPages:
			broken = fmt.Sprintf("kept sending empty pages: showing the %d entries read", matches)
		}
		if broken != "" {
			deliver(page, false, total, body)
			b.log.Info("next link not followed", "resource", resourceType, "read", matches)
			truncated = true
			break
		}
		deliver(page, true, total, body)
		seen[canonicalURL(next.String(), nil)] = true
		if p := ahead; p != nil && p.url == next.String() {
			ahead = nil // reading it may ask for the one after
			bundle, err = b.read(p.ctx, p.take(), resourceType, onNext)
			p.cancel()
			continue
		}
		ahead.drop()
		ahead = nil
		bundle, err = b.read(ctx, b.ask(ctx, next.String(), nil), resourceType, onNext)
	}
	if broken != "" {
		broken = "back end " + b.cfg.Name + " " + broken
	}
	return searchResult{total: total, truncated: truncated, broken: broken, warnings: warnings}, err
}

// outcomeOnly is the error a searchset page stands for when it holds no results, only an
// OperationOutcome with an error or fatal issue; nil otherwise (warnings and information
// are kept with the results, and the mapping shows them).
func (b *fhirBackend) outcomeOnly(resourceType string, bundle *fhir.Bundle) error {
	var bad []fhir.Issue
	for _, e := range bundle.Entries {
		if e.Type != "OperationOutcome" {
			return nil
		}
		oo, ok := fhir.ParseOperationOutcome(e.Raw)
		if !ok {
			continue
		}
		for _, is := range oo.Issues {
			if is.Severity == "error" || is.Severity == "fatal" {
				bad = append(bad, is)
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	for _, is := range bad {
		if is.Code == "not-supported" {
			return &Error{Backend: b.cfg.Name, Reason: "does not serve " + resourceType + " (not-supported): " + is.String(), Err: ErrNotSupported}
		}
	}
	return &Error{Backend: b.cfg.Name, Reason: "sent an error instead of " + resourceType + " results: " + bad[0].String(), Err: errOutcome}
}

// errOutcome marks a 2xx searchset holding only an error OperationOutcome.
var errOutcome = errors.New("error OperationOutcome in a searchset")

// searchResult is what one search (all its pages) brought back.
type searchResult struct {
	entries   []fhir.Resource
	total     int    // as the server reported it (first page), 0 if it did not
	truncated bool   // more exist than were read
	broken    string // why paging stopped short, when a next link was not followed
	warnings  []string
}

// canonicalURL makes two spellings of the same page compare equal (host case, query order).
func canonicalURL(raw string, q url.Values) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	all := u.Query()
	for k, vs := range q {
		all[k] = append(all[k], vs...)
	}
	u.RawQuery = all.Encode()
	u.Host = strings.ToLower(u.Host)
	u.Scheme = strings.ToLower(u.Scheme)
	u.Fragment = ""
	return u.String()
}

// CloseIdleConnections drops kept-alive connections (Federation.Close).
func (b *fhirBackend) CloseIdleConnections() { b.http.GetClient().CloseIdleConnections() }

func badRequest(err error) bool {
	var he *HTTPError
	return errors.As(err, &he) && he.Status == 400
}

func hasAny(v url.Values, keys []string) bool {
	for _, k := range keys {
		if _, ok := v[k]; ok {
			return true
		}
	}
	return false
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func isMatch(r fhir.Resource) bool { return r.Mode != "include" && r.Mode != "outcome" }

func countMatches(rs []fhir.Resource) int {
	n := 0
	for _, r := range rs {
		if isMatch(r) {
			n++
		}
	}
	return n
}

// firstMatches keeps the first limit matching entries and every included resource up to
// the last one kept.
func firstMatches(rs []fhir.Resource, limit int) []fhir.Resource {
	n := 0
	for i, r := range rs {
		if isMatch(r) {
			if n == limit {
				return rs[:i]
			}
			n++
		}
	}
	return rs
}

// parseReason is a decoding error without the "bundle: not a FHIR resource:" lead-in.
func parseReason(err error) string {
	s := firstLine(err.Error())
	for _, p := range []string{"GP Connect response: ", "bundle: ", fhir.ErrNotFHIR.Error() + ": "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}
