package client

import (
	"context"
	"errors"
	"slices"
	"sync"

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
	asked    string           // the NHS number the user gave, when PDS replaced it
	// regional: the regional back ends were searched with the verified number.
	regional bool
}

type innerKey struct{}
type orderKey struct{}

// inner marks ctx as already routed: Search and Open then ask the regional back ends only.
func inner(ctx context.Context) context.Context { return context.WithValue(ctx, innerKey{}, true) }

func routed(ctx context.Context) bool { v, _ := ctx.Value(innerKey{}).(bool); return v }

// splitNational takes the national back ends out of f's list; nil when there are none.
func splitNational(f *Federation) *national {
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

// replaces reports whether the match is the person PDS found under the superseded nhs.
func (m Match) replaces(nhs string) bool {
	return m.national != nil && m.national.asked == nhs && nhs != ""
}

func (n *national) status(b Backend, err error, f *Federation, found bool) record.BackendStatus {
	st := f.statusFor(b.Info(), err, 0)
	if err == nil && !found {
		st.Status = record.BackendNotKnown
	}
	return st
}

// search runs a search through the national services, then the regional back ends.
func (n *national) search(ctx context.Context, f *Federation, q record.Query) ([]Match, []record.BackendStatus) {
	if n.pds == nil || (q.NHSNumber == "" && (q.Family == "" || q.BirthDate.IsZero())) {
		return f.Search(inner(ctx), q)
	}
	if q.NHSNumber != "" {
		p, id, err := n.pds.Read(ctx, q.NHSNumber)
		pst := n.status(n.pds, err, f, p != nil)
		if err != nil || p == nil {
			matches, sts := f.Search(inner(ctx), q)
			idn := &record.Identity{Backend: n.pds.cfg.Name, State: record.IdentityNotFound, Superseded: []string{}, Related: []record.RelatedPerson{}}
			if err != nil {
				idn.State, idn.Error = identityState(err), pst.Error
			}
			for i := range matches {
				matches[i].national = &nationalMatch{identity: idn}
			}
			return matches, append([]record.BackendStatus{pst}, sts...)
		}
		regional, sts := f.Search(inner(ctx), record.Query{NHSNumber: p.NHSNumber})
		m := joinPDS(*p, id, regional)
		if p.NHSNumber != q.NHSNumber {
			m.national.asked = q.NHSNumber
		}
		return []Match{m}, append([]record.BackendStatus{pst}, sts...)
	}
	people, err := n.pds.Search(ctx, q)
	pst := n.status(n.pds, err, f, len(people) > 0)
	regional, sts := f.Search(inner(ctx), q)
	var out []Match
	for _, p := range people {
		out = append(out, joinPDS(p, nil, regional))
	}
	for _, m := range regional {
		if m.Unmatched || !slices.ContainsFunc(people, func(p record.Person) bool { return p.NHSNumber == m.Person.NHSNumber }) {
			out = append(out, m)
		}
	}
	return out, append([]record.BackendStatus{pst}, sts...)
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
		m.searched, m.searchErrs = r.searched, r.searchErrs
		m.national.regional = id != nil
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
// order of the regional back ends, emits the national part, then opens the record.
func (n *national) open(ctx context.Context, f *Federation, m Match, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) string {
	ctx, requestID := ensureRequestID(ctx)
	nm := m.national
	if nm == nil {
		nm = &nationalMatch{}
	}
	part := record.Part{}
	nhs := m.Person.NHSNumber
	if n.pds != nil && nhs != "" && nm.identity == nil {
		p, id, err := n.pds.Read(ctx, nhs)
		switch {
		case err != nil:
			st := n.status(n.pds, err, f, false)
			nm.identity = &record.Identity{Backend: n.pds.cfg.Name, State: identityState(err), Error: st.Error, Superseded: []string{}, Related: []record.RelatedPerson{}}
		case p == nil:
			nm.identity = &record.Identity{Backend: n.pds.cfg.Name, State: record.IdentityNotFound, Superseded: []string{}, Related: []record.RelatedPerson{}}
		default:
			nm.identity, nm.person = id, p
		}
	}
	if id := nm.identity; id != nil && id.Verified && nm.person != nil {
		if !nm.regional || nm.person.NHSNumber != nhs {
			nhs = nm.person.NHSNumber
			regional, _ := f.Search(inner(ctx), record.Query{NHSNumber: nhs})
			joined := joinPDS(*nm.person, id, regional)
			m.Person, m.Discrepancies, m.searched, m.searchErrs = joined.Person, joined.Discrepancies, joined.searched, joined.searchErrs
		}
		if len(m.Person.Sources) > 0 {
			p := m.Person // PDS's view merged with the regional sources, PDS's own taken out
			part.Person = &p
		}
	}
	var wg sync.WaitGroup
	if id := nm.identity; n.pds != nil && id != nil && id.Verified {
		cp := *id
		nm.identity = &cp
		if cp.Restricted {
			cp.RelatedState = record.IdentityWithheld // PDS returns none for a restricted person
		} else {
			wg.Go(func() {
				rel, err := n.pds.Related(ctx, nhs)
				if err != nil {
					cp.RelatedState = record.IdentityFailed
					return
				}
				cp.Related, cp.RelatedState = rel, record.IdentityOK
			})
		}
	}
	if n.nrl != nil && nhs != "" {
		wg.Go(func() {
			ps, err := n.nrl.Pointers(ctx, nhs)
			st := n.status(n.nrl, err, f, true)
			loc := &record.Locator{Backend: n.nrl.cfg.Name, State: record.IdentityOK, Pointers: ps}
			if err != nil {
				loc.State, loc.Error, loc.Pointers = identityState(err), st.Error, []record.Pointer{}
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
