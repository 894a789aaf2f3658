package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
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
}

func newFHIR(cfg config.Backend, base *url.URL, opts Options) (*fhirBackend, error) {
	b := &fhirBackend{backendCore: newCore(cfg, base, opts)}
	c, err := newResty(transportConfig{cfg: cfg, opts: opts, auth: tokenAuth(opts, cfg.Name), log: b.log,
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
	for _, e := range found.entries {
		if e.Type != "Patient" || e.Mode == "include" || e.Mode == "outcome" {
			continue
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

// search runs one search and follows the Bundle's next links until the result is complete
// or it stops short. Stopping short keeps what was read and says why (truncated): limit
// entries read (total as the server reported it), Bundle.total larger than the entries read
// with no next link, or a next link that loops, leads to another server, is not a URL, or
// keeps bringing empty pages (broken names which). A page holding nothing but an error
// OperationOutcome is an error (ErrNotSupported when its code is not-supported).
func (b *fhirBackend) search(ctx context.Context, resourceType string, q url.Values, limit int) (res searchResult, err error) {
	first := b.baseStr + "/" + resourceType
	seen := map[string]bool{canonicalURL(first, q): true}
	body, err := b.get(ctx, first, q, resourceType)
	var (
		entries   []fhir.Resource
		total     int
		truncated bool
		broken    string
		warnings  []string
		empty     int
		matches   int // entries that answer the search (not _include'd ones): the cap counts these
	)
	for err == nil {
		var bundle *fhir.Bundle
		bundle, err = fhir.ParseBundle(body)
		if err != nil {
			err = &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR for " + resourceType + ": " + parseReason(err), Err: ErrMalformedFHIR}
			break
		}
		if err = b.outcomeOnly(resourceType, bundle); err != nil {
			break
		}
		if total == 0 && bundle.Total > 0 {
			total = bundle.Total
		}
		entries = append(entries, bundle.Entries...)
		matches += countMatches(bundle.Entries)
		for _, w := range bundle.Warnings {
			warnings = append(warnings, resourceType+": "+w)
		}
		if len(bundle.Entries) == 0 {
			empty++
		}
		if matches > limit || len(entries) > 4*limit {
			entries, matches, truncated = firstMatches(entries, limit), limit, true
			break
		}
		if bundle.Next == "" {
			// The server says there are more than it sent, and offers no way to read them.
			truncated = total > matches
			break
		}
		if matches == limit {
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
			b.log.Info("next link not followed", "resource", resourceType, "read", matches)
			truncated = true
			break
		}
		seen[canonicalURL(next.String(), nil)] = true
		body, err = b.get(ctx, next.String(), nil, resourceType)
	}
	if broken != "" {
		broken = "back end " + b.cfg.Name + " " + broken
	}
	return searchResult{entries: entries, total: total, truncated: truncated, broken: broken, warnings: warnings}, err
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

// sectionResult is what one section's queries brought back.
type sectionResult struct {
	resources []fhir.Resource
	truncated bool
	broken    string // why a query stopped short (a broken next link), if one did
	total     int
	err       error // the worst error of the queries: failed, then timed out, then not queried
	asked     int   // queries sent
	refused   int   // queries the server refused (the type is not served)
	notServed []string
	warnings  []string
}

// add folds another result (the same section for another Patient id) into r.
func (r *sectionResult) add(o sectionResult) {
	r.resources = append(r.resources, o.resources...)
	r.truncated = r.truncated || o.truncated
	if r.broken == "" {
		r.broken = o.broken
	}
	r.total += o.total
	r.err = worse(r.err, o.err)
	r.asked += o.asked
	r.refused += o.refused
	for _, n := range o.notServed {
		if !slices.Contains(r.notServed, n) {
			r.notServed = append(r.notServed, n)
		}
	}
	r.warnings = append(r.warnings, o.warnings...)
}

// worse keeps the error that matters more to the section's state: failed over timed out
// over not queried; the first of two alike.
func worse(a, b error) error {
	rank := func(err error) int {
		if err == nil {
			return 0
		}
		switch errorState(err) {
		case record.StateNotQueried:
			return 1
		case record.StateTimedOut:
			return 2
		}
		return 3
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// patients is what reading the person's Patient records brought: the resources, every
// Patient id of the person on this back end (those asked for and those linked), and the
// error that stopped a Patient asked for from being read.
type patients struct {
	resources []fhir.Resource
	ids       []string
	err       error
}

// maxLinked caps the Patient records one person is read under on one back end.
const maxLinked = 10

// Fetch reads the Patient and every section's searches at once; each section is emitted as
// soon as its searches (and the Patient, which contacts and alerts need) are in.
func (b *fhirBackend) Fetch(ctx context.Context, who record.PersonSource, nhs string, sections []record.Section, emit func(record.Part)) {
	b.FetchAll(ctx, []record.PersonSource{who}, nhs, sections, emit)
}

// FetchAll is Fetch for a person held under several Patient records on this back end
// (duplicates with one NHS number): every one is read, and every Patient.link (replaced-by,
// replaces, seealso, refer) to a Patient on this server is followed; every section is asked
// for every one of those Patient ids and emitted once, with one status.
func (b *fhirBackend) FetchAll(ctx context.Context, who []record.PersonSource, nhs string, sections []record.Section, emit func(record.Part)) {
	start := time.Now()
	var ids []string
	for _, w := range who {
		if w.ID != "" && !slices.Contains(ids, w.ID) {
			ids = append(ids, w.ID)
		}
	}
	var (
		pats       patients
		patientRdy = make(chan struct{})
		wg         sync.WaitGroup
	)
	wg.Go(func() {
		defer close(patientRdy)
		defer func() {
			if r := recover(); r != nil {
				pats.err = internalError(b.log, b.cfg.Name, "reading the Patient")
			}
		}()
		pats = b.readPatients(ctx, ids, emit)
	})
	caps, capsErr := b.capabilities(ctx)
	var he *HTTPError
	if errors.As(capsErr, &he) && (he.ServerError() || he.Throttled()) {
		b.log.Info("asking without a CapabilityStatement", "status", he.Status)
		caps, capsErr = &capabilities{}, nil
	}
	for _, sec := range sections {
		wg.Go(func() {
			defer func() {
				if r := recover(); r != nil {
					msg := internalError(b.log, b.cfg.Name, "reading a section").Error()
					emit(record.Part{Backend: b.cfg.Name, Status: []record.SectionStatus{
						{Backend: b.cfg.Name, Section: sec, State: record.StateFailed, Error: msg}}})
				}
			}()
			var res sectionResult
			if capsErr != nil {
				res.err = capsErr
			} else {
				res = b.fetchSection(ctx, caps, sec, ids)
			}
			// The Patient is read only once it is ready; on cancellation the section goes on
			// without it (the reader goroutine may still be writing it).
			var p patients
			select {
			case <-patientRdy:
				p = pats
			case <-ctx.Done():
				p = patients{ids: ids, err: describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), 0, ctx.Err())}
			}
			if capsErr == nil && len(p.ids) > len(ids) {
				// Linked records, found once the Patients were read: asked now.
				res.add(b.fetchSection(ctx, caps, sec, p.ids[len(ids):]))
			}
			emit(b.sectionPart(ctx, sec, res, p, nhs))
		})
	}
	wg.Wait()
	b.log.Debug("fetch done", "sections", len(sections), "elapsed", time.Since(start))
}

// readPatients reads the person's Patient records, emits each as a Part, and follows their
// links to further Patient records on this server (one notice for those).
func (b *fhirBackend) readPatients(ctx context.Context, ids []string, emit func(record.Part)) patients {
	out := patients{ids: slices.Clone(ids)}
	var (
		mu   sync.Mutex
		wg   sync.WaitGroup
		more []string
	)
	read := func(id string, asked bool) {
		body, err := b.get(ctx, b.baseStr+"/Patient/"+url.PathEscape(id), nil, "Patient")
		var r fhir.Resource
		if err == nil {
			if r, err = fhir.ParseResource(body); err != nil || r.Type != "Patient" {
				err = &Error{Backend: b.cfg.Name, Reason: "sent a malformed Patient: " + parseReason(orNotPatient(err)), Err: ErrMalformedFHIR}
			}
		}
		if err == nil {
			if p, merr := fhir.MapPerson(r, b.src); merr == nil {
				p = withSource(p, b.cfg.Name, id)
				emit(record.Part{Backend: b.cfg.Name, Person: &p})
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if asked {
				out.err = worse(out.err, err)
			} else {
				b.log.Info("linked Patient not read", "error", err)
			}
			return
		}
		out.resources = append(out.resources, r)
		for _, l := range fhir.PatientLinks(r) {
			switch l.Type {
			case "replaced-by", "replaces", "seealso", "refer":
			default:
				continue
			}
			if lid, ok := b.patientID(l.Reference); ok && !slices.Contains(out.ids, lid) && !slices.Contains(more, lid) && len(out.ids)+len(more) < maxLinked {
				more = append(more, lid)
			}
		}
	}
	for _, id := range ids {
		wg.Go(func() { read(id, true) })
	}
	wg.Wait()
	linked := 0
	// Links of links, a hop at a time, up to maxLinked records in all.
	for len(more) > 0 && ctx.Err() == nil {
		hop := more
		more = nil
		for _, id := range hop {
			wg.Go(func() { read(id, false) })
		}
		wg.Wait()
		for _, id := range hop {
			if slices.ContainsFunc(out.resources, func(r fhir.Resource) bool { return r.ID == id }) {
				out.ids = append(out.ids, id)
				linked++
			}
		}
	}
	if linked > 0 {
		b.log.Info("linked Patient records followed", "count", linked)
		emit(record.Part{Backend: b.cfg.Name, Notices: []record.Notice{{Backend: b.cfg.Name, Kind: record.NoticeLinked,
			Text: fmt.Sprintf("links this person's record to %d other %s: shown together", linked, plural(linked, "record", "records"))}}})
	}
	return out
}

func orNotPatient(err error) error {
	if err == nil {
		return errors.New("not a Patient")
	}
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// patientID is the logical id a Patient reference names on this server ("Patient/1",
// "[base]/Patient/1", with or without a version), false for another server's or any other
// type's.
func (b *fhirBackend) patientID(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if strings.Contains(ref, "://") {
		u, err := url.Parse(ref)
		if err != nil || origin(u) != origin(b.base) || !strings.HasPrefix(strings.TrimRight(u.Path, "/"), strings.TrimRight(b.base.Path, "/")+"/") {
			return "", false
		}
		ref = strings.TrimPrefix(u.Path, strings.TrimRight(b.base.Path, "/")+"/")
	}
	ref, _, _ = strings.Cut(ref, "/_history/")
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || typ != "Patient" || id == "" || strings.ContainsAny(id, "/?#") {
		return "", false
	}
	return id, true
}

// aboutPerson reports whether r is about the person (one of ids on this server): true when
// r names no subject, patient or beneficiary at all, or names it in a way that cannot be
// checked (a contained or urn: reference); false when it names someone else.
func (b *fhirBackend) aboutPerson(r fhir.Resource, ids []string, nhs string) bool {
	ref, ok := fhir.Subject(r)
	if !ok {
		return true
	}
	s := strings.TrimSpace(ref.Reference)
	switch {
	case s == "":
		// Identifier only: an NHS number says who it is.
		id := ref.Identifier
		return id == nil || id.System != nhsNumberSystem || nhs == "" || strings.ReplaceAll(id.Value, " ", "") == nhs
	case strings.HasPrefix(s, "#"), strings.HasPrefix(s, "urn:"):
		return true
	case strings.Contains(s, "?"):
		// A conditional reference ("Patient?identifier=system|value"): only an NHS number
		// in it can say it is someone else.
		_, query, _ := strings.Cut(s, "?")
		v, err := url.ParseQuery(query)
		if err != nil {
			return true
		}
		for _, id := range v["identifier"] {
			if sys, val, ok := strings.Cut(id, "|"); ok && sys == nhsNumberSystem && nhs != "" && val != nhs {
				return false
			}
		}
		return true
	}
	id, ok := b.patientID(s)
	return ok && slices.Contains(ids, id)
}

// fetchSection runs all of a section's searches, for every Patient id, concurrently. Every
// search is sent whatever the CapabilityStatement says; the statement only chooses the
// _include, _include:iterate and _revinclude values. A search the server refuses (400,
// 404, 405, 501, not-supported) is counted as refused, with the type named in notServed.
func (b *fhirBackend) fetchSection(ctx context.Context, caps *capabilities, sec record.Section, ids []string) sectionResult {
	var (
		out sectionResult
		mu  sync.Mutex
		wg  sync.WaitGroup
	)
	for _, patientID := range ids {
		for _, q := range fhir.SectionQueries(sec) {
			params := url.Values{}
			for k, vs := range q.Params {
				params[k] = append([]string(nil), vs...)
			}
			if q.PatientParam != "" {
				ref := patientID
				if q.PatientParam != "patient" {
					ref = "Patient/" + patientID
				}
				params.Set(q.PatientParam, ref)
			}
			incs := caps.includes(q.Includes)
			if len(incs) > 0 {
				params["_include"] = incs
				if it := caps.includes(q.IncludeIterate); len(it) > 0 && !b.noIterate.Load() {
					params["_include:iterate"] = it
				}
			}
			if q.RevIncludeProvenance && caps.revIncludeProvenance(q.ResourceType) {
				params.Set("_revinclude", "Provenance:target")
			}
			if params.Get("_count") == "" {
				params.Set("_count", strconv.Itoa(min(pageSize, b.cfg.MaxEntries)))
			}
			out.asked++
			wg.Go(func() {
				res, err := b.search(ctx, q.ResourceType, params, b.cfg.MaxEntries)
				// A server that declares an _include but refuses :iterate, or an _include it
				// declared, answers 400: ask again with less rather than lose the section.
				for _, drop := range [][]string{{"_include:iterate"}, {"_include", "_revinclude"}} {
					if !badRequest(err) || !hasAny(params, drop) {
						continue
					}
					b.log.Info("asking again without includes", "section", sec, "resource", q.ResourceType, "dropped", strings.Join(drop, ","))
					params = cloneValues(params)
					for _, k := range drop {
						delete(params, k)
					}
					res, err = b.search(ctx, q.ResourceType, params, b.cfg.MaxEntries)
					if err == nil && drop[0] == "_include:iterate" {
						b.noIterate.Store(true) // remembered: later records skip it
					}
				}
				mu.Lock()
				defer mu.Unlock()
				if why, ok := refusal(err); ok {
					b.log.Info("resource type refused", "section", sec, "resource", q.ResourceType, "why", why)
					out.refused++
					if n := q.ResourceType + " (" + why + ")"; !slices.Contains(out.notServed, n) {
						out.notServed = append(out.notServed, n)
					}
					return
				}
				out.resources = append(out.resources, res.entries...)
				out.warnings = append(out.warnings, res.warnings...)
				if res.truncated {
					out.truncated = true
					out.total += res.total
					if out.broken == "" {
						out.broken = res.broken
					}
				}
				out.err = worse(out.err, err)
			})
		}
	}
	wg.Wait()
	// References that no _include brought (the server declares none, refused them, or the
	// section's includes do not cover every reference) are read, so that the record does not
	// depend on what the CapabilityStatement says.
	if out.err == nil && ctx.Err() == nil {
		out.resources = append(out.resources, b.readReferences(ctx, out.resources)...)
	}
	return out
}

// usesPatient: sections that also read the Patient resource itself (Patient.contact,
// deceased, interpreter needed).
func usesPatient(sec record.Section) bool {
	return sec == record.SectionNextOfKin || sec == record.SectionAlerts
}

// sectionPart maps a section's resources and gives it exactly one state: failed if a
// query failed, else timed-out, else not-queried; else truncated if a query stopped short;
// else not-supported if the server refused every query (and the section needs nothing
// from the Patient); else returned, with a warning naming the types the server refused.
// Entries about someone other than the person are dropped first, with a notice.
func (b *fhirBackend) sectionPart(ctx context.Context, sec record.Section, res sectionResult, pats patients, nhs string) record.Part {
	st := record.SectionStatus{Backend: b.cfg.Name, Section: sec}
	part := record.Part{Backend: b.cfg.Name}
	if res.err == nil && ctx.Err() != nil {
		res.err = describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), 0, ctx.Err())
	}
	kept := res.resources[:0:0]
	dropped := 0
	for _, r := range res.resources {
		if isMatch(r) && !b.aboutPerson(r, pats.ids, nhs) {
			dropped++
			continue
		}
		kept = append(kept, r)
	}
	if dropped > 0 {
		b.log.Warn("entries about another person dropped", "section", sec, "count", dropped)
		part.Notices = []record.Notice{{Backend: b.cfg.Name, Kind: record.NoticeWrongSubject,
			Text: fmt.Sprintf("sent %d %s about another person (%s): not shown", dropped, plural(dropped, "entry", "entries"), sec)}}
	}
	var patient *fhir.Resource
	if len(pats.resources) > 0 {
		patient = &pats.resources[0]
	}
	data, warnings := fhir.MapSection(sec, patient, kept, b.src)
	if usesPatient(sec) {
		// Further Patient records of the person: their contacts and alerts too.
		for i := 1; i < len(pats.resources); i++ {
			more, w := fhir.MapSection(sec, &pats.resources[i], nil, b.src)
			data.NextOfKin = append(data.NextOfKin, more.NextOfKin...)
			data.Alerts = append(data.Alerts, more.Alerts...)
			warnings = append(warnings, w...)
		}
	}
	part.Sections = data
	st.Count = (&record.Record{Sections: data}).Count(sec)
	st.Warnings = append(res.warnings, warnings...)
	st.Total = res.total
	notServed := "does not serve " + strings.Join(res.notServed, ", ")
	switch {
	case res.err != nil:
		st = withError(st, res.err)
	case usesPatient(sec) && pats.err != nil:
		st = withError(st, pats.err)
	case res.truncated:
		st.State, st.Error = record.StateTruncated, res.broken
	case res.asked == 0 && !usesPatient(sec):
		st.State, st.Error = record.StateNotSupported, "back end "+b.cfg.Name+" is not asked for "+string(sec)
	case res.refused == res.asked && !usesPatient(sec):
		st.State, st.Error = record.StateNotSupported, notServed
	default:
		st.State = record.StateReturned
		// A server that answered the section but does not serve one of its types (a council
		// with no DeviceRequest, a health record with no RelatedPerson) holds none of that
		// type: a definitive answer, said on the section's tab, not a warning.
		if res.refused > 0 {
			st.NotServed = notServed
		}
	}
	if st.State != record.StateTruncated || st.Total <= st.Count {
		st.Total = 0 // a total is worth saying only when it is more than was read
	}
	part.Status = []record.SectionStatus{st}
	return part
}

// withError sets a section's state and reason from the error that stopped it.
func withError(st record.SectionStatus, err error) record.SectionStatus {
	f := failedStatus(st.Backend, st.Section, err)
	st.State, st.Error, st.HTTPStatus = f.State, f.Error, f.HTTPStatus
	return st
}

// outcomeIssue is the issue type of an OperationOutcome body's first error or fatal issue.
func outcomeIssue(body []byte) string {
	oo, ok := fhir.ParseOperationOutcome(body)
	if !ok {
		return ""
	}
	for _, is := range oo.Issues {
		if is.Severity == "error" || is.Severity == "fatal" || is.Severity == "" {
			return is.Code
		}
	}
	return ""
}

// outcomeCode extracts a coded error (GP Connect's PATIENT_NOT_FOUND, …) from an
// OperationOutcome body, or "".
func outcomeCode(body []byte) string {
	oo, ok := fhir.ParseOperationOutcome(body)
	if !ok {
		return ""
	}
	for _, is := range oo.Issues {
		if is.SpineCode != "" {
			return is.SpineCode
		}
	}
	return ""
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

// readableRefs are the referenced types the mapping needs for names, phones and medicines.
var readableRefs = map[string]bool{"Practitioner": true, "PractitionerRole": true, "Organization": true,
	"Medication": true, "Location": true, "CareTeam": true}

// maxReads caps the references read for one section of one back end.
const maxReads = 50

// readReferences reads, all at once, the referenced resources (practitioners, organisations,
// medicines…) that a server without _include support did not send, so that names and phone
// numbers show instead of bare references. Failures only lose the detail: they are logged.
func (b *fhirBackend) readReferences(ctx context.Context, resources []fhir.Resource) []fhir.Resource {
	have := map[string]bool{}
	for _, r := range resources {
		have[r.Ref()] = true
	}
	var want []string
	for _, r := range resources {
		if !isMatch(r) {
			continue
		}
		for _, ref := range references(r.Raw, b.baseStr) {
			typ, _, _ := strings.Cut(ref, "/")
			if have[ref] || !readableRefs[typ] || len(want) >= maxReads {
				continue
			}
			have[ref] = true
			want = append(want, ref)
		}
	}
	var (
		mu  sync.Mutex
		wg  sync.WaitGroup
		out []fhir.Resource
	)
	for _, ref := range want {
		typ, id, _ := strings.Cut(ref, "/")
		wg.Go(func() {
			body, err := b.get(ctx, b.baseStr+"/"+typ+"/"+url.PathEscape(id), nil, typ)
			if err != nil {
				b.log.Info("reference not read", "resource", typ, "error", err)
				return
			}
			res, err := fhir.ParseResource(body)
			if err != nil || res.Type != typ {
				b.log.Info("reference not read", "resource", typ, "malformed", true)
				return
			}
			res.Mode = "include"
			mu.Lock()
			out = append(out, res)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(want) > 0 {
		b.log.Debug("references read", "asked", len(want), "read", len(out))
	}
	return out
}

// references lists the literal references ("Type/id", relative or under base) in a
// resource's JSON, in order, without duplicates. Contained ("#…") and absolute references
// to other servers are left alone.
func references(raw []byte, base string) []string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if s, ok := t["reference"].(string); ok {
				s = strings.TrimPrefix(strings.TrimSpace(s), base+"/")
				typ, id, ok := strings.Cut(s, "/")
				if ok && typ != "" && id != "" && !strings.ContainsAny(id, "/:#?") && !strings.Contains(typ, ":") && !seen[s] {
					seen[s] = true
					out = append(out, s)
				}
			}
			for _, c := range t {
				walk(c)
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(v)
	return out
}
