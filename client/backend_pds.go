package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
)

// The national demographics service (PDS FHIR R4): read a Patient by NHS number (following
// a superseded number to the one that replaced it), trace by demographics, and read the
// people related to a patient. It answers identity only: it is never asked for sections.
// Sources: ../shared/research/national-services.md §1.

// Headers the national services read (§1.2, §2.1).
const (
	headerCorrelationID = "X-Correlation-ID"
	headerEndUserODS    = "NHSD-End-User-Organisation-ODS"
)

// Spine error codes PDS and NRL answer with, in plain words.
var nationalWords = map[string]string{
	"INVALID_RESOURCE_ID":    "the NHS number is not valid",
	"RESOURCE_NOT_FOUND":     "no record was found",
	"INVALIDATED_RESOURCE":   "this NHS number has been invalidated (not replaced): do not use it",
	"INVALID_SEARCH_DATA":    "the search details were not accepted",
	"UNSUPPORTED_SERVICE":    "the search needs more details",
	"MISSING_VALUE":          "a required value was missing",
	"INVALID_VALUE":          "a value was not accepted",
	"ADDITIONAL_PROPERTIES":  "the search had a detail the service does not take",
	"ACCESS_DENIED":          "access was denied",
	"ACCESS_DENIED_LEVEL":    "access was denied at this access level",
	"TOO_MANY_REQUESTS":      "too many requests: try again shortly",
	"UNABLE_TO_CALL_SERVICE": "the service could not be reached",
	"BAD_REQUEST":            "the request was not accepted",
	"INVALID_PARAMETER":      "a search parameter was not accepted",
}

// ErrTooManyMatches is a trace that matched more people than the service returns: the
// user adds details (a given name, a postcode, an exact birth date).
var ErrTooManyMatches = errors.New("too many matches")

// nationalCore is what the demographics and locator back ends share: one GET with the
// headers the national services require, turned into a body or a plain-words error.
type nationalCore struct {
	backendCore
}

func newNationalCore(cfg config.Backend, base *url.URL, opts Options) (nationalCore, error) {
	n := nationalCore{backendCore: newCore(cfg, base, opts)}
	n.info.Domain = ""
	// Each request carries its own X-Request-ID (PDS de-duplicates on it, so one id per
	// request, the same on its retries) and the open's id as X-Correlation-ID.
	c, err := newResty(transportConfig{cfg: cfg, opts: opts, auth: tokenAuth(opts, cfg.Name), log: n.log,
		timeout: cfg.Timeout, maxBytes: opts.maxBytes()}, base)
	if err != nil {
		return nationalCore{}, err
	}
	n.http = c
	return n, nil
}

// get sends one GET of path (relative to the base) with q and the national headers.
func (n *nationalCore) get(ctx context.Context, path string, q url.Values, what string) ([]byte, error) {
	start := time.Now()
	req := n.http.R().SetContext(ctx).
		SetHeader(headerRequestID, NewRequestID()) // kept by resty across retries
	if id := RequestID(ctx); id != "" {
		req.SetHeader(headerCorrelationID, id)
	}
	if ods := n.opts.user().Organisation; ods != "" {
		req.SetHeader(headerEndUserODS, ods)
	}
	if len(q) > 0 {
		req.SetQueryParamsFromValues(q)
	}
	resp, err := req.Get(n.baseStr + "/" + path)
	if err != nil {
		return nil, describe(n.cfg.Name, requestTimeout(ctx, n.cfg.Timeout), n.opts.maxBytes(), err)
	}
	body, status := resp.Body(), resp.StatusCode()
	n.log.Debug("request", "resource", what, "status", status, "bytes", len(body), "elapsed", time.Since(start))
	if status < 200 || status > 299 {
		he := &HTTPError{Backend: n.cfg.Name, Status: status, Reason: fhir.ReadError(resp.Header().Get("Content-Type"), body),
			Code: outcomeCode(body), Issue: outcomeIssue(body)}
		if w, ok := nationalWords[he.Code]; ok {
			he.Reason = fmt.Sprintf("%s (%s)", w, he.Reason)
		}
		return nil, he
	}
	return body, nil
}

// pdsBackend is the national demographics service.
type pdsBackend struct {
	nationalCore
	// appRestricted: signed in as the application (client credentials), not as a user:
	// a trace may return one match only (_max-results=1).
	appRestricted bool
}

func newPDS(cfg config.Backend, base *url.URL, opts Options) (*pdsBackend, error) {
	n, err := newNationalCore(cfg, base, opts)
	if err != nil {
		return nil, err
	}
	return &pdsBackend{nationalCore: n, appRestricted: cfg.Auth.Type == config.AuthClientCredentials}, nil
}

// Search reads the person by NHS number, or traces them by family name and birth date
// (with the given name, and the postcode when given). A query the service cannot trace
// (a phone number, a postcode without a birth date) is not sent.
func (b *pdsBackend) Search(ctx context.Context, q record.Query) ([]record.Person, error) {
	if q.NHSNumber != "" {
		r, err := b.Read(ctx, q.NHSNumber)
		if err != nil || r == nil {
			return nil, err
		}
		return []record.Person{r.person}, nil
	}
	if q.Family == "" || q.BirthDate.IsZero() {
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "the demographics service traces by family name and date of birth"}
	}
	t := Trace{Family: q.Family, BirthDate: q.BirthDate.Format(time.DateOnly), Postcode: q.Postcode}
	if q.Given != "" {
		t.Given = []string{q.Given}
	}
	people, err := b.Trace(ctx, t)
	if err == nil && len(people) == 0 && len(t.Given) > 0 {
		// PDS guidance: a non-fuzzy search first, a fuzzy one only after it finds nobody.
		t.Fuzzy, t.Postcode = true, ""
		people, err = b.Trace(ctx, t)
	}
	return people, err
}

// pdsRead is what PDS holds for one NHS number: the person, what it says of their identity,
// and the NHS record sharing dissent when it sends one (the consent model's, record/consent.go).
type pdsRead struct {
	person   record.Person
	identity record.Identity
	consent  []record.ConsentRecord
}

// Read reads Patient/{nhs}. A superseded number answers with the record that replaced it
// (identity.Superseded names the number asked). Not found is (nil, nil).
func (b *pdsBackend) Read(ctx context.Context, nhs string) (*pdsRead, error) {
	n, err := nhsnumber.Parse(nhs)
	if err != nil {
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: "not a valid NHS number"}
	}
	body, err := b.get(ctx, "Patient/"+n, nil, "Patient")
	var he *HTTPError
	if errors.As(err, &he) && he.Status == 404 && he.Code != "INVALIDATED_RESOURCE" {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r, err := fhir.ParseResource(body)
	if err != nil || r.Type != "Patient" {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent something other than a Patient", Err: ErrMalformedFHIR}
	}
	p, id, err := fhir.MapPDSPatient(r, b.src, n, b.opts.now())
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR: " + err.Error(), Err: ErrMalformedFHIR}
	}
	out := &pdsRead{person: record.Sanitised(p), identity: record.Sanitised(id)} // server text is made safe where it enters
	if c, ok := fhir.MapPDSConsent(r, b.src); ok {
		out.consent = record.Sanitised([]record.ConsentRecord{c})
	}
	return out, nil
}

// Related reads the people PDS records as related to the patient (Patient/{nhs}/RelatedPerson);
// "no related people" (404 or an empty bundle) is an empty list.
func (b *pdsBackend) Related(ctx context.Context, nhs string) ([]record.RelatedPerson, error) {
	body, err := b.get(ctx, "Patient/"+nhs+"/RelatedPerson", nil, "RelatedPerson")
	var he *HTTPError
	if errors.As(err, &he) && he.Status == 404 {
		return []record.RelatedPerson{}, nil
	}
	if err != nil {
		return nil, err
	}
	bundle, err := fhir.ParseBundle(body)
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR for RelatedPerson", Err: ErrMalformedFHIR}
	}
	rel, err := fhir.MapPDSRelated(bundle.Entries)
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR: " + err.Error(), Err: ErrMalformedFHIR}
	}
	return record.Sanitised(rel), nil
}

// Fetch is never asked of a national service: every section is not-queried.
func (b *pdsBackend) Fetch(_ context.Context, _ record.PersonSource, _ string, sections []record.Section, emit func(record.Part)) {
	emit(notServedPart(b.cfg.Name, "the demographics service holds identity only, not care records", sections))
}

// notServedPart marks every section of a national back end not-queried.
func notServedPart(backend, why string, sections []record.Section) record.Part {
	part := record.Part{Backend: backend}
	for _, s := range sections {
		part.Status = append(part.Status, record.SectionStatus{Backend: backend, Section: s, State: record.StateNotQueried, Error: why})
	}
	return part
}

// Trace is a PDS search. Family and BirthDate are needed unless Fuzzy; BirthDate (and
// BirthDateTo for a range) are YYYY-MM-DD, sent as eq…, or ge…&le… for a range.
type Trace struct {
	Family      string
	Given       []string // each a given name; a compound first name is one entry ("John Paul")
	BirthDate   string
	BirthDateTo string // with BirthDate: the range BirthDate…BirthDateTo
	Gender      string // male | female | other | unknown
	Postcode    string
	Fuzzy       bool // _fuzzy-match: homophones, transposed names, history
	Exact       bool // _exact-match: only score 1.0 matches
	MaxResults  int  // 1–50 (default 10); 1 when signed in as the application
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// Params checks t against the service's search rules and returns its query.
func (t Trace) Params(appRestricted bool) (url.Values, error) {
	q := url.Values{}
	fam, dob := strings.TrimSpace(t.Family), strings.TrimSpace(t.BirthDate)
	for _, s := range append([]string{fam}, t.Given...) {
		if i := strings.Index(s, "*"); i >= 0 && (i < 2 || t.Fuzzy) {
			return nil, errors.New("a wildcard (*) needs two letters before it, and cannot be used in a fuzzy search")
		}
	}
	if dob != "" && !isoDate.MatchString(dob) || t.BirthDateTo != "" && !isoDate.MatchString(t.BirthDateTo) {
		return nil, errors.New("dates of birth are YYYY-MM-DD")
	}
	switch g := t.Gender; g {
	case "", "male", "female", "other", "unknown":
	default:
		return nil, fmt.Errorf("gender %q is not male, female, other or unknown", g)
	}
	hasGiven := len(t.Given) > 0 && strings.TrimSpace(t.Given[0]) != ""
	if t.Fuzzy {
		ok := hasGiven && fam != "" && dob != "" ||
			dob != "" && t.Gender != "" && t.Postcode != "" && (fam != "" || hasGiven)
		if !ok {
			return nil, errors.New("a fuzzy search needs given name, family name and date of birth (or one of the names with date of birth, gender and postcode)")
		}
	} else if fam == "" || dob == "" {
		return nil, errors.New("a search needs a family name and a date of birth")
	}
	max := t.MaxResults
	switch {
	case appRestricted && max > 1:
		return nil, errors.New("signed in as the application, a search returns one match only")
	case appRestricted:
		max = 1
	case max == 0:
		max = 10
	case max < 1 || max > 50:
		return nil, errors.New("a search returns between 1 and 50 matches")
	}
	if fam != "" {
		q.Set("family", fam)
	}
	for _, g := range t.Given {
		if g = strings.TrimSpace(g); g != "" {
			q.Add("given", g)
		}
	}
	if t.BirthDateTo != "" && dob != "" {
		q.Add("birthdate", "ge"+dob)
		q.Add("birthdate", "le"+t.BirthDateTo)
	} else if dob != "" {
		q.Set("birthdate", "eq"+dob)
	}
	if t.Gender != "" {
		q.Set("gender", t.Gender)
	}
	if pc := strings.TrimSpace(t.Postcode); pc != "" {
		q.Set("address-postalcode", pc)
	}
	if t.Fuzzy {
		q.Set("_fuzzy-match", "true")
	}
	if t.Exact {
		q.Set("_exact-match", "true")
	}
	q.Set("_max-results", strconv.Itoa(max))
	return q, nil
}

// Trace searches the service. More matches than it returns is ErrTooManyMatches (PDS
// answers 200 with an OperationOutcome, not a Bundle). The people are best match first.
func (b *pdsBackend) Trace(ctx context.Context, t Trace) ([]record.Person, error) {
	q, err := t.Params(b.appRestricted)
	if err != nil {
		return nil, &NotQueriedError{Backend: b.cfg.Name, Reason: err.Error()}
	}
	body, err := b.get(ctx, "Patient", q, "Patient search")
	if err != nil {
		return nil, err
	}
	if oo, ok := fhir.ParseOperationOutcome(body); ok {
		for _, is := range oo.Issues {
			if is.SpineCode == "TOO_MANY_MATCHES" || is.Code == "multiple-matches" {
				return nil, &Error{Backend: b.cfg.Name, Err: ErrTooManyMatches,
					Reason: "found too many people: add a given name, a postcode or the exact date of birth"}
			}
		}
		return nil, &Error{Backend: b.cfg.Name, Reason: "answered the search with " + fhir.ReadError("", body), Err: ErrMalformedFHIR}
	}
	bundle, err := fhir.ParseBundle(body)
	if err != nil {
		return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR for the search", Err: ErrMalformedFHIR}
	}
	var out []record.Person
	for _, r := range bundle.Entries {
		if r.Type != "Patient" {
			continue
		}
		p, _, err := fhir.MapPDSPatient(r, b.src, "", b.opts.now())
		if err != nil {
			return nil, &Error{Backend: b.cfg.Name, Reason: "sent malformed FHIR: " + err.Error(), Err: ErrMalformedFHIR}
		}
		out = append(out, record.Sanitised(p))
	}
	return out, nil
}
