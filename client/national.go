package client

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/shcr-project/shcr/record"
)

// Routing through the national services. With a demographics back end (pds) configured, a
// name and birth date search traces the person nationally first, and an NHS number is
// verified (a superseded one followed to its replacement) before the regional back ends
// are asked with the verified number. With a record locator (nrl) configured, opening a
// record asks it for pointers; the back ends it points to, then those covering the
// registered GP practice, are asked first, then the rest, and the record says why each
// was asked. With neither configured the Federation behaves as before.

// national holds the national back ends of a Federation, kept apart from the records.
type national struct {
	pds *pdsBackend
	nrl *nrlBackend
}

// nationalMatch is what the national services said about a match at search time.
type nationalMatch struct {
	person   *record.Person   // as PDS holds them
	identity *record.Identity // nil: PDS not asked yet (a trace result is read at open)
	consent  []record.ConsentRecord
	status   record.BackendStatus // PDS's answer, when identity is set
	asked    string               // the NHS number the user gave, when PDS replaced it
	// regional: the regional back ends were searched with the verified number.
	regional bool
}

// nationalSearch is the national step of a Finding: what the demographics service said,
// first, before (an NHS number) or beside (a trace) the regional back ends' searches.
type nationalSearch struct {
	q      record.Query
	done   bool
	status record.BackendStatus
	read   *pdsRead         // an NHS number PDS holds: the person under the verified number
	unconf *record.Identity // an NHS number PDS does not confirm (not found, or PDS failed)
	people []record.Person  // a trace's matches, best first
}

type innerKey struct{}
type orderKey struct{}

// inner marks ctx as already routed: Search and Open then ask the regional back ends only.
func inner(ctx context.Context) context.Context { return context.WithValue(ctx, innerKey{}, true) }

func routed(ctx context.Context) bool { v, _ := ctx.Value(innerKey{}).(bool); return v }

// splitNational takes the national back ends out of f's list (nil when there are none),
// remembering every back end's place in config order.
func splitNational(f *Federation) *national {
	f.order = make(map[string]int, len(f.backends))
	for i, b := range f.backends {
		f.order[b.Info().Name] = i
	}
	var n national
	kept := f.backends[:0:0]
	for _, b := range f.backends {
		switch nb := b.(type) {
		case *pdsBackend:
			n.pds = nb
		case *nrlBackend:
			n.nrl = nb
		default:
			kept = append(kept, b)
		}
	}
	if n.pds == nil && n.nrl == nil {
		return nil
	}
	f.backends = kept
	return &n
}

// ordered is the regional back ends in the order ctx's routing plan asks them (config
// order without one).
func (f *Federation) ordered(ctx context.Context) []Backend {
	plan, _ := ctx.Value(orderKey{}).([]record.Route)
	if len(plan) == 0 {
		return f.backends
	}
	out := make([]Backend, 0, len(f.backends))
	for _, r := range plan {
		if b := f.backend(r.Backend); b != nil {
			out = append(out, b)
		}
	}
	for _, b := range f.backends {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// For reports whether the match is the person with NHS number nhs: under that number, or
// under the one PDS says replaced it.
func (m Match) For(nhs string) bool {
	return nhs != "" && (m.Person.NHSNumber == nhs || m.replaces(nhs))
}

// replaces reports whether the match is the person PDS found under the superseded nhs.
func (m Match) replaces(nhs string) bool {
	return m.national != nil && m.national.asked == nhs && nhs != ""
}

func (n *national) status(b Backend, err error, f *Federation, found bool, elapsed time.Duration) record.BackendStatus {
	st := f.statusFor(b.Info(), err, elapsed)
	if err == nil && !found {
		st.Status = record.BackendNotKnown
	}
	return st
}

// traces reports whether q goes to the demographics service first: an NHS number to
// verify, or a family name and birth date to trace.
func (n *national) traces(q record.Query) bool {
	return n.pds != nil && (q.NHSNumber != "" || q.Family != "" && !q.BirthDate.IsZero())
}

// find is the national step of s: an NHS number is read from PDS, then every regional back
// end is asked with the number PDS verified (the one given when PDS does not confirm it); a
// name is traced while the regional back ends search by name beside it. Each regional answer
// is joined with PDS's as it comes (join).
func (n *national) find(ctx context.Context, s *Finding, q record.Query) {
	f := s.f
	start := f.clock()
	if q.NHSNumber == "" {
		s.start(ctx, q)
		people, err := n.pds.Search(ctx, q)
		s.setNational(nationalSearch{q: q, status: n.status(n.pds, err, f, len(people) > 0, f.clock().Sub(start)), people: people})
		return
	}
	r, err := n.pds.Read(ctx, q.NHSNumber)
	a := nationalSearch{q: q, status: n.status(n.pds, err, f, r != nil, f.clock().Sub(start)), read: r}
	if r == nil {
		a.unconf = n.unconfirmed(err, a.status)
	} else {
		q = record.Query{NHSNumber: r.person.NHSNumber}
	}
	s.setNational(a)
	s.start(ctx, q)
}

// unconfirmed is the identity of an NHS number PDS did not confirm: not found, or PDS
// failed (or was not asked) with its reason.
func (n *national) unconfirmed(err error, st record.BackendStatus) *record.Identity {
	id := &record.Identity{Backend: n.pds.cfg.Name, State: record.IdentityNotFound, Superseded: []string{}, Related: []record.RelatedPerson{}}
	if err != nil {
		id.State, id.Error = identityState(err), st.Error
	}
	return id
}

// join puts the demographics service's answer into a search update (s.mu is held): its
// status first (loading until it answers), and the people PDS holds joined with the regional
// back ends' matches so far. searched and searchErrs are the regional back ends' outcomes.
func (a *nationalSearch) join(f *Federation, u *SearchUpdate, searched map[string]record.BackendStatus, searchErrs map[string]error) {
	info := f.national.pds.Info()
	st := a.status
	if !a.done {
		st = record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Status: string(record.StateLoading)}
		u.Pending = append([]string{info.Name}, u.Pending...)
	} else {
		u.Answered++
	}
	u.Statuses = append([]record.BackendStatus{st}, u.Statuses...)
	if !a.done {
		return // a name search shows the regional matches so far; an NHS number has none yet
	}
	regional := u.Matches
	switch {
	case a.read != nil:
		m := joinPDS(a.read.person, &a.read.identity, regional)
		m.national.consent, m.national.status, m.national.regional = a.read.consent, a.status, true
		if a.read.person.NHSNumber != a.q.NHSNumber {
			m.national.asked = a.q.NHSNumber
		}
		m.searched, m.searchErrs = searched, searchErrs
		u.Matches = []Match{m}
	case a.q.NHSNumber != "":
		for i := range u.Matches {
			u.Matches[i].national = &nationalMatch{identity: a.unconf, status: a.status}
		}
	default:
		var out []Match
		for _, p := range a.people {
			m := joinPDS(p, nil, regional)
			m.searched, m.searchErrs = searched, searchErrs
			out = append(out, m)
		}
		for _, m := range regional {
			if m.Unmatched || !slices.ContainsFunc(a.people, func(p record.Person) bool { return p.NHSNumber == m.Person.NHSNumber }) {
				out = append(out, m)
			}
		}
		u.Matches = out
	}
}

// joinPDS is the match of the person PDS holds, merged with the regional match under the
// same NHS number when there is one. A restricted person's address and phones from the
// regional back ends are dropped.
func joinPDS(p record.Person, id *record.Identity, regional []Match) Match {
	rec := &record.Record{}
	if id != nil {
		rec.Merge(record.Part{Identity: id})
	} else if p.Restricted {
		rec.Merge(record.Part{Identity: &record.Identity{Restricted: true}})
	}
	rec.Merge(record.Part{Backend: p.Sources[0].Backend, Person: &p})
	m := Match{national: &nationalMatch{person: &p, identity: id}}
	if i := slices.IndexFunc(regional, func(r Match) bool { return !r.Unmatched && r.Person.NHSNumber == p.NHSNumber }); i >= 0 {
		r := regional[i]
		rec.Merge(record.Part{Person: &r.Person})
	}
	m.Person, m.Discrepancies = rec.Person, rec.Discrepancies
	// PDS is not a record to open: its view of the person is kept in m.national, not as a
	// source the record is read from.
	m.Person.Sources = slices.DeleteFunc(slices.Clone(m.Person.Sources), func(s record.PersonSource) bool { return s.Backend == p.Sources[0].Backend })
	return m
}

func identityState(err error) record.IdentityState {
	var nq *NotQueriedError
	if errors.As(err, &nq) {
		return record.IdentityNotQueried
	}
	return record.IdentityFailed
}

// open verifies the person with PDS (when not done at search), asks the locator, plans the
// order of the regional back ends, emits the national part and the national back ends'
// statuses, then opens the record: each regional back end is read as soon as its search has
// found the person (Federation.Open with the match's Finding), never after the slowest.
func (n *national) open(ctx context.Context, f *Federation, m Match, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) string {
	ctx, requestID := ensureRequestID(ctx)
	var nm nationalMatch // a copy: the match may be opened again (reload)
	if m.national != nil {
		nm = *m.national
	}
	part := record.Part{}
	nhs := m.Person.NHSNumber
	if n.pds != nil && nhs != "" && nm.identity == nil {
		start := f.clock()
		r, err := n.pds.Read(ctx, nhs)
		nm.status = n.status(n.pds, err, f, r != nil, f.clock().Sub(start))
		if r == nil {
			nm.identity = n.unconfirmed(err, nm.status)
		} else {
			nm.person, nm.identity, nm.consent = &r.person, &r.identity, r.consent
		}
	}
	if id := nm.identity; id != nil && id.Verified && nm.person != nil {
		if !nm.regional || nm.person.NHSNumber != nhs {
			// The regional back ends are asked again with the verified number; Open reads
			// each as soon as its search answers (those that found the person by name at once).
			var known []Match
			if nm.person.NHSNumber == nhs {
				known = []Match{m}
			}
			nhs = nm.person.NHSNumber
			joined := joinPDS(*nm.person, id, known)
			m.Person, m.Discrepancies = joined.Person, joined.Discrepancies
			m.finding, m.pending = f.Find(inner(ctx), record.Query{NHSNumber: nhs}), f.Names()
			m.searched, m.searchErrs = nil, nil
		}
		if len(m.Person.Sources) > 0 {
			p := m.Person // PDS's view merged with the regional sources, PDS's own taken out
			part.Person = &p
		}
	}
	var (
		wg         sync.WaitGroup
		relatedErr error
		nrlStatus  record.BackendStatus
	)
	if id := nm.identity; n.pds != nil && id != nil && id.Verified {
		cp := *id
		nm.identity = &cp
		if cp.Restricted {
			cp.RelatedState = record.IdentityWithheld // PDS returns none for a restricted person
		} else {
			wg.Go(func() {
				rel, err := n.pds.Related(ctx, nhs)
				if err != nil {
					cp.RelatedState, relatedErr = record.IdentityFailed, err
					return
				}
				cp.Related, cp.RelatedState = rel, record.IdentityOK
			})
		}
	}
	if n.nrl != nil && nhs != "" {
		wg.Go(func() {
			start := f.clock()
			ps, err := n.nrl.Pointers(ctx, nhs)
			nrlStatus = n.status(n.nrl, err, f, true, f.clock().Sub(start))
			loc := &record.Locator{Backend: n.nrl.cfg.Name, State: record.IdentityOK, Pointers: ps}
			if err != nil {
				loc.State, loc.Error, loc.Pointers = identityState(err), nrlStatus.Error, []record.Pointer{}
			}
			infos := f.Backends()
			for i := range loc.Pointers {
				loc.Pointers[i].Backend = openable(loc.Pointers[i], infos)
			}
			part.Locator = loc
		})
	}
	wg.Wait()
	part.Identity = nm.identity
	gp := ""
	if part.Identity != nil {
		gp = part.Identity.GPPractice
	}
	var pointers []record.Pointer
	if part.Locator != nil {
		pointers = part.Locator.Pointers
	}
	part.Routing = plan(f.Backends(), pointers, gp)
	emit(record.Sanitised(part))
	n.report(f, nm, relatedErr, nrlStatus, sections, emit, onBackend)
	m.national = nil
	ctx = context.WithValue(inner(ctx), orderKey{}, part.Routing)
	f.Open(ctx, m, sections, emit, onBackend)
	return requestID
}

// plan orders the regional back ends: those the locator points to, then those covering
// the registered GP practice, then the rest, each in config order, with the reason.
func plan(backends []Info, pointers []record.Pointer, gp string) []record.Route {
	var located, area, rest []record.Route
	for _, b := range backends {
		switch {
		case slices.ContainsFunc(pointers, func(p record.Pointer) bool { return p.Backend == b.Name }):
			located = append(located, record.Route{Backend: b.Name, Reason: record.RouteLocator})
		case gp != "" && slices.Contains(b.Organisations, gp):
			area = append(area, record.Route{Backend: b.Name, Reason: record.RouteGPArea})
		default:
			rest = append(rest, record.Route{Backend: b.Name, Reason: record.RouteConfigured})
		}
	}
	return append(append(located, area...), rest...)
}

// report gives the national back ends their line in the record's back end list (ok, failed,
// not known… as a regional back end's) and every section a national state: they hold no
// care records, so they count in no section's coverage. PDS's NHS record sharing dissent,
// when it sent one, is its answer for the consent section (record/consent.go).
func (n *national) report(f *Federation, nm nationalMatch, relatedErr error, nrlStatus record.BackendStatus, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) {
	notKnown := func(b Backend) record.BackendStatus { // no NHS number to ask with
		info := b.Info()
		return record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Status: record.BackendNotKnown}
	}
	if n.pds != nil {
		st := nm.status
		if st.Name == "" {
			st = notKnown(n.pds)
		}
		if relatedErr != nil && (st.Status == record.BackendOK || st.Status == record.BackendSlow) {
			st.Status, st.Error = record.BackendPartial, "related people not read: "+relatedErr.Error()
		}
		part := nationalPart(n.pds.cfg.Name, "the demographics service holds identity, not care records", sections)
		if len(nm.consent) > 0 {
			for i, s := range part.Status {
				if s.Section == record.SectionConsent {
					part.Status[i].State, part.Status[i].Error, part.Status[i].Count = record.StateReturned, "", len(nm.consent)
					part.Sections.Consent = slices.Clone(nm.consent)
				}
			}
		}
		emit(part)
		onBackend(record.Sanitised(st))
	}
	if n.nrl != nil {
		st := nrlStatus
		if st.Name == "" {
			st = notKnown(n.nrl)
		}
		emit(nationalPart(n.nrl.cfg.Name, "the record locator holds pointers, not care records", sections))
		onBackend(st)
	}
}

// nationalPart marks every section not held by a national back end, as national: not part
// of any section's coverage.
func nationalPart(backend, why string, sections []record.Section) record.Part {
	part := record.Part{Backend: backend}
	for _, s := range sections {
		part.Status = append(part.Status, record.SectionStatus{Backend: backend, Section: s, State: record.StateNotSupported, National: true,
			Error: "back end " + backend + ": " + why})
	}
	return part
}

// Names are the regional back ends' names, in config order (the order the record's
// merges follow: Backends' names).
func (f *Federation) Names() []string {
	out := make([]string, len(f.backends))
	for i, b := range f.backends {
		out[i] = b.Info().Name
	}
	return out
}
