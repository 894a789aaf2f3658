package client

// Fetching a person's sections from a FHIR R4 back end: the Patient resources (linked and
// duplicate records read together), each section's searches, and one state per section.

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/record"
)

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
	included  []string // the _include values of the searches answered
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
	for _, inc := range o.included {
		if !slices.Contains(r.included, inc) {
			r.included = append(r.included, inc)
		}
	}
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
		refs       = newRefCache() // every section's reference reads, each once
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
			// The Patient is read only once it is ready; on cancellation the section goes on
			// without it (the reader goroutine may still be writing it).
			waitPatients := func() patients {
				select {
				case <-patientRdy:
					return pats
				case <-ctx.Done():
					return patients{ids: ids, err: describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), 0, ctx.Err())}
				}
			}
			if capsErr == nil && streamable(sec, ids) {
				b.streamSection(ctx, caps, refs, sec, ids, waitPatients, nhs, emit)
				return
			}
			var res sectionResult
			if capsErr != nil {
				res.err = capsErr
			} else {
				res = b.fetchSection(ctx, caps, refs, sec, ids)
			}
			p := waitPatients()
			if capsErr == nil && len(p.ids) > len(ids) {
				// Linked records, found once the Patients were read: asked now.
				res.add(b.fetchSection(ctx, caps, refs, sec, p.ids[len(ids):]))
			}
			emit(b.sectionPart(ctx, sec, res, p, nhs))
		})
	}
	wg.Wait()
	b.log.Debug("fetch done", "sections", len(sections), "elapsed", time.Since(start))
}

// fetchSection runs all of a section's searches, for every Patient id, concurrently. Every
// search is sent whatever the CapabilityStatement says; the statement only chooses the
// _include, _include:iterate and _revinclude values, and _sort=-date (newest first) where
// the type declares date and _sort. A search the server refuses (400,
// 404, 405, 501, not-supported) is counted as refused, with the type named in notServed.
func (b *fhirBackend) fetchSection(ctx context.Context, caps *capabilities, refs *refCache, sec record.Section, ids []string) sectionResult {
	var (
		out sectionResult
		wg  sync.WaitGroup
		// Each search's answer is folded into out in the order asked, not the order
		// answered, so that the section's items come in the same order every time. Sized
		// up front: the searches write their own element while it grows.
		folds = make([]func(), 0, len(ids)*len(fhir.SectionQueries(sec)))
	)
	for _, patientID := range ids {
		for _, q := range fhir.SectionQueries(sec) {
			params := b.queryParams(caps, q, patientID)
			out.asked++
			folds = append(folds, nil)
			fold := &folds[len(folds)-1] // the array does not move: sized up front
			wg.Go(func() {
				var entries []fhir.Resource
				res, used, err := b.runQuery(ctx, sec, q, params,
					func(page []fhir.Resource, _ bool, _ int, _ fhir.Body) { entries = append(entries, page...) },
					func(url.Values) { entries = nil })
				res.entries = entries
				*fold = func() { b.foldQuery(&out, sec, q, res, used, err) }
			})
		}
	}
	wg.Wait()
	for _, fold := range folds {
		if fold != nil {
			fold()
		}
	}
	// References that no _include brought (the server declares none, refused them, or the
	// section's includes do not cover every reference) are read, so that the record does not
	// depend on what the CapabilityStatement says.
	refs.known(out.resources)
	if out.err == nil && ctx.Err() == nil {
		more, _ := b.readReferencesMax(ctx, refs, out.resources, maxReads, out.included)
		out.resources = append(out.resources, more...)
	}
	return out
}

// queryParams are the parameters of one of a section's searches for one Patient id: the
// query's own, the patient, the _include, _include:iterate and _revinclude values the
// CapabilityStatement declares, _sort=-date where it declares date and _sort, and _count.
func (b *fhirBackend) queryParams(caps *capabilities, q fhir.Query, patientID string) url.Values {
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
	if s := caps.sortNewest(q.ResourceType); s != "" && params.Get("_sort") == "" && !b.noSort.Load() {
		params.Set("_sort", s)
	}
	if params.Get("_count") == "" {
		params.Set("_count", strconv.Itoa(min(pageSize, b.cfg.MaxEntries)))
	}
	return params
}

// runQuery runs one of a section's searches, handing each page to deliver as it is read.
// A server that declares an _include but refuses :iterate, or an _include it declared, or
// _sort, answers 400: the search is asked again with less rather than the section lost;
// reset is called first with the parameters asked now, so that the caller drops the pages
// of the refused attempt. The parameters of the last attempt are returned.
func (b *fhirBackend) runQuery(ctx context.Context, sec record.Section, q fhir.Query, params url.Values, deliver func(page []fhir.Resource, more bool, total int, body fhir.Body), reset func(url.Values)) (searchResult, url.Values, error) {
	res, err := b.searchPages(ctx, q.ResourceType, params, b.cfg.MaxEntries, deliver)
	for _, drop := range [][]string{{"_sort"}, {"_include:iterate"}, {"_include", "_revinclude"}} {
		if !badRequest(err) || !hasAny(params, drop) {
			continue
		}
		b.log.Info("asking again without includes", "section", sec, "resource", q.ResourceType, "dropped", strings.Join(drop, ","))
		params = cloneValues(params)
		for _, k := range drop {
			delete(params, k)
		}
		reset(params)
		res, err = b.searchPages(ctx, q.ResourceType, params, b.cfg.MaxEntries, deliver)
		if err == nil && drop[0] == "_include:iterate" {
			b.noIterate.Store(true) // remembered: later records skip it
		}
		if err == nil && drop[0] == "_sort" {
			b.noSort.Store(true)
		}
	}
	return res, params, err
}

// foldQuery folds one search's answer into a section's result: a refusal counts as
// refused (the type named in notServed); else its entries, warnings, truncation and error.
func (b *fhirBackend) foldQuery(out *sectionResult, sec record.Section, q fhir.Query, res searchResult, used url.Values, err error) {
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
	for _, inc := range used["_include"] {
		if !slices.Contains(out.included, inc) {
			out.included = append(out.included, inc)
		}
	}
	if res.truncated {
		out.truncated = true
		out.total += res.total
		if out.broken == "" {
			out.broken = res.broken
		}
	}
	out.err = worse(out.err, err)
}

// sectionPart maps a section's resources and gives it exactly one state: failed if a
// query failed, else timed-out, else not-queried; else truncated if a query stopped short;
// else not-supported if the server refused every query (and the section needs nothing
// from the Patient); else returned, with a warning naming the types the server refused.
// Entries about someone other than the person are dropped first, with a notice.
func (b *fhirBackend) sectionPart(ctx context.Context, sec record.Section, res sectionResult, pats patients, nhs string) record.Part {
	kept, dropped := b.aboutPersonOnly(res.resources, pats.ids, nhs)
	var patient *fhir.Resource
	if len(pats.resources) > 0 {
		patient = &pats.resources[0]
	}
	data, warnings := fhir.MapSection(sec, patient, kept, b.src)
	return b.finishPart(ctx, sec, res, pats, data, warnings, dropped, 0)
}

// aboutPersonOnly drops the matches about someone other than the person (ids on this
// back end, nhs): the entries kept, and how many were dropped. When none is dropped (as a
// rule) the entries kept are rs itself, not a copy; else a new list (rs is not written).
func (b *fhirBackend) aboutPersonOnly(rs []fhir.Resource, ids []string, nhs string) ([]fhir.Resource, int) {
	var kept []fhir.Resource // made at the first entry dropped
	dropped := 0
	for i := range rs {
		if isMatch(rs[i]) && !b.aboutPerson(rs[i], ids, nhs) {
			if dropped == 0 {
				kept = append(make([]fhir.Resource, 0, len(rs)-1), rs[:i]...)
			}
			dropped++
			continue
		}
		if dropped > 0 {
			kept = append(kept, rs[i])
		}
	}
	if dropped == 0 {
		return rs, 0
	}
	return kept, dropped
}

// finishPart makes a section's part from its mapped items (data: all of them, or those
// not yet emitted, shown counts more) and gives it exactly one state: failed if a
// query failed, else timed-out, else not-queried; else truncated if a query stopped short;
// else not-supported if the server refused every query (and the section needs nothing
// from the Patient); else returned, with a warning naming the types the server refused.
// dropped entries about another person are named in a notice.
func (b *fhirBackend) finishPart(ctx context.Context, sec record.Section, res sectionResult, pats patients, data record.SectionsData, warnings []string, dropped, shown int) record.Part {
	st := record.SectionStatus{Backend: b.cfg.Name, Section: sec}
	part := record.Part{Backend: b.cfg.Name}
	if res.err == nil && ctx.Err() != nil {
		res.err = describe(b.cfg.Name, requestTimeout(ctx, b.cfg.Timeout), 0, ctx.Err())
	}
	if dropped > 0 {
		b.log.Warn("entries about another person dropped", "section", sec, "count", dropped)
		part.Notices = []record.Notice{{Backend: b.cfg.Name, Kind: record.NoticeWrongSubject,
			Text: fmt.Sprintf("sent %d %s about another person (%s): not shown", dropped, plural(dropped, "entry", "entries"), sec)}}
	}
	if fhir.SectionUsesPatient(sec) {
		// Further Patient records of the person: their contacts and alerts too.
		for i := 1; i < len(pats.resources); i++ {
			more, w := fhir.MapSection(sec, &pats.resources[i], nil, b.src)
			data.NextOfKin = append(data.NextOfKin, more.NextOfKin...)
			data.Alerts = append(data.Alerts, more.Alerts...)
			warnings = append(warnings, w...)
		}
	}
	part.Sections = data
	st.Count = shown + (&record.Record{Sections: data}).Count(sec)
	st.Warnings = append(res.warnings, warnings...)
	st.Total = res.total
	notServed := "does not serve " + strings.Join(res.notServed, ", ")
	switch {
	case res.err != nil:
		st = withError(st, res.err)
	case fhir.SectionUsesPatient(sec) && pats.err != nil:
		st = withError(st, pats.err)
	case res.truncated:
		st.State, st.Error = record.StateTruncated, res.broken
	case res.asked == 0 && !fhir.SectionUsesPatient(sec):
		st.State, st.Error = record.StateNotSupported, "back end "+b.cfg.Name+" is not asked for "+string(sec)
	case res.refused == res.asked && !fhir.SectionUsesPatient(sec):
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
