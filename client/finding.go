package client

import (
	"context"
	"sync"
	"time"

	"github.com/shcr-project/shcr/record"
)

// Finding is a search in flight across every back end: each back end's answer is kept as it
// arrives, so that the people found so far can be shown, and opened, before the slowest back
// end has answered (Federation.Find). It is safe for use from many goroutines.
type Finding struct {
	f       *Federation
	started time.Time

	mu      sync.Mutex
	results []backendAnswer // one per back end, config order
	asked   int             // back ends searched: all but those asked by NHS number only (flags)
	left    int             // back ends still searching
	changed chan struct{}   // closed (and replaced) each time a back end answers
	// nat is the national step of a search routed through the demographics service
	// (national.go): its answer comes first, and is joined with each regional answer.
	nat *nationalSearch
}

// backendAnswer is one back end's answer to a search.
type backendAnswer struct {
	people []record.Person
	status record.BackendStatus
	err    error
	done   bool
	// skip: a back end asked by NHS number only (a national flags service): it finds nobody,
	// so it is not searched and has no search status (it is read when the record opens).
	skip bool
}

// SearchUpdate is a search as far as it has got: the people found so far, grouped into
// Matches by NHS number as Search does, and every searched back end's status in config order
// (the demographics service's first) — one still searching has the status "loading" and is
// named in Pending. A national flags service, asked by NHS number only, is not searched and
// has no search status: it finds nobody, and is read when the record opens.
type SearchUpdate struct {
	Matches  []Match
	Statuses []record.BackendStatus
	Pending  []string  // back ends still searching, config order
	Answered int       // back ends that have answered (or given up)
	Started  time.Time // when the search started, by the federation's clock
}

// Done reports whether every back end has answered or given up.
func (u SearchUpdate) Done() bool { return len(u.Pending) == 0 }

// Find starts q on every back end at once and returns at once; the Finding collects the
// answers as they come (Next, Snapshot, Wait). A Match taken from it may be opened before
// every back end has answered: Open then fetches from the back ends that found the person at
// once, and from each later one as soon as its search finds the same NHS number. Every
// request sends ctx's request id, or one new id for the whole search. The searches run
// until they end or ctx is cancelled.
func (f *Federation) Find(ctx context.Context, q record.Query) *Finding {
	ctx, _ = ensureRequestID(ctx)
	s := &Finding{f: f, started: f.clock(), results: make([]backendAnswer, len(f.backends)), changed: make(chan struct{})}
	for i, b := range f.backends {
		if n, ok := b.(nationalByNHS); ok && n.ByNHSNumber() {
			s.results[i] = backendAnswer{done: true, skip: true}
			continue
		}
		s.asked++
	}
	s.left = s.asked
	if n := f.national; n != nil && !routed(ctx) && n.traces(q) {
		// The demographics service first (the NHS number verified, or the name traced), then
		// the regional back ends, each answer joined with PDS's as it comes (national.go).
		s.nat = &nationalSearch{q: q}
		s.left++
		go n.find(ctx, s, q)
		return s
	}
	s.start(ctx, q)
	return s
}

// start asks every regional back end at once; each answer is kept as it comes.
func (s *Finding) start(ctx context.Context, q record.Query) {
	for i, b := range s.f.backends {
		if !s.results[i].skip {
			go func() { s.set(i, s.f.searchOne(ctx, b, q)) }()
		}
	}
}

// total is how many back ends the search asks (the demographics service among them).
func (s *Finding) total() int {
	if s.nat != nil {
		return s.asked + 1
	}
	return s.asked
}

// searchOne asks one back end, with its status; a bug in the back end fails it alone.
func (f *Federation) searchOne(ctx context.Context, b Backend, q record.Query) (r backendAnswer) {
	defer f.acquire(ctx)()
	start := f.clock()
	defer func() {
		if rec := recover(); rec != nil {
			err := internalError(f.log, b.Info().Name, "searching")
			r = backendAnswer{status: f.statusFor(b.Info(), err, f.clock().Sub(start)), err: err}
		}
	}()
	people, err := b.Search(ctx, q)
	people = record.Sanitised(people) // server text is made safe here, for every kind of back end
	st := f.statusFor(b.Info(), err, f.clock().Sub(start))
	if err == nil && len(people) == 0 {
		st.Status = record.BackendNotKnown
	}
	f.log.Debug("search", "backend", b.Info().Name, "status", st.Status, "people", len(people), "elapsed", st.Elapsed)
	return backendAnswer{people: people, status: st, err: err}
}

// set records back end i's answer and wakes whoever waits for a change.
func (s *Finding) set(i int, r backendAnswer) {
	r.done = true
	s.mu.Lock()
	defer s.mu.Unlock()
	s.results[i] = r
	s.left--
	close(s.changed)
	s.changed = make(chan struct{})
}

// setNational records the demographics service's answer and wakes whoever waits.
func (s *Finding) setNational(a nationalSearch) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.done = true
	*s.nat = a
	s.left--
	close(s.changed)
	s.changed = make(chan struct{})
}

// Snapshot is the search as far as it has got now.
func (s *Finding) Snapshot() SearchUpdate {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snapshot()
}

// snapshot builds the update; s.mu is held.
func (s *Finding) snapshot() SearchUpdate {
	u := SearchUpdate{Statuses: make([]record.BackendStatus, 0, len(s.results)), Started: s.started}
	searched := map[string]record.BackendStatus{}
	searchErrs := map[string]error{}
	for i, r := range s.results {
		if r.skip {
			continue
		}
		if !r.done {
			info := s.f.backends[i].Info()
			u.Pending = append(u.Pending, info.Name)
			u.Statuses = append(u.Statuses, record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Domain: info.Domain, Status: string(record.StateLoading)})
			continue
		}
		u.Answered++
		u.Statuses = append(u.Statuses, r.status)
		searched[r.status.Name] = r.status
		if r.err != nil {
			searchErrs[r.status.Name] = r.err
		}
	}
	u.Matches = matchPeople(s.results, searched, searchErrs)
	if s.nat != nil {
		s.nat.join(s.f, &u, searched, searchErrs) // national.go
	}
	regional := u.Pending
	if s.nat != nil && !s.nat.done {
		regional = regional[1:] // the demographics service is not a record that may yet find the person
	}
	for i := range u.Matches {
		u.Matches[i].finding, u.Matches[i].pending = s, regional
	}
	return u
}

// Next waits until more than answered back ends have answered (or all have) and returns the
// search then; ctx ending stops the wait (the search goes on), returning ctx's error.
func (s *Finding) Next(ctx context.Context, answered int) (SearchUpdate, error) {
	for {
		s.mu.Lock()
		if s.total()-s.left > answered || s.left == 0 {
			u := s.snapshot()
			s.mu.Unlock()
			return u, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return s.Snapshot(), ctx.Err()
		}
	}
}

// Wait waits for every back end to answer or give up (each is bounded by its timeouts and by
// the ctx given to Find) and returns the whole search.
func (s *Finding) Wait() SearchUpdate {
	u := s.Snapshot()
	for !u.Done() {
		u, _ = s.Next(context.Background(), u.Answered)
	}
	return u
}

// await waits for back end i's answer; ok is false when ctx ended first.
func (s *Finding) await(ctx context.Context, i int) (r backendAnswer, ok bool) {
	for {
		s.mu.Lock()
		r, ch := s.results[i], s.changed
		s.mu.Unlock()
		if r.done {
			return r, true
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return backendAnswer{}, false
		}
	}
}

// matchPeople groups the people the back ends have found so far by NHS number, in
// first-seen order (config order of the back ends); people without an NHS number stay
// separate, flagged Unmatched, after them.
func matchPeople(results []backendAnswer, searched map[string]record.BackendStatus, searchErrs map[string]error) []Match {
	var (
		order     []string // NHS numbers in first-seen order
		byNHS     = map[string]*record.Record{}
		unmatched []Match
	)
	for _, r := range results {
		for _, p := range r.people {
			if p.NHSNumber == "" {
				unmatched = append(unmatched, Match{Person: p, Unmatched: true, searched: searched, searchErrs: searchErrs})
				continue
			}
			rec := byNHS[p.NHSNumber]
			if rec == nil {
				rec = &record.Record{}
				byNHS[p.NHSNumber] = rec
				order = append(order, p.NHSNumber)
			}
			rec.Merge(record.Part{Backend: r.status.Name, Person: &p})
		}
	}
	merged := make([]Match, 0, len(order)+len(unmatched))
	for _, nhs := range order {
		rec := byNHS[nhs]
		merged = append(merged, Match{Person: rec.Person, Discrepancies: rec.Discrepancies, searched: searched, searchErrs: searchErrs})
	}
	return append(merged, unmatched...)
}

// SearchLive runs q on every back end at once and calls update (from the calling goroutine)
// each time back ends answer, with the people found so far, until every back end has
// answered or given up; it returns the last update. ctx bounds the searches.
func (f *Federation) SearchLive(ctx context.Context, q record.Query, update func(SearchUpdate)) SearchUpdate {
	s := f.Find(ctx, q)
	var u SearchUpdate
	for {
		u, _ = s.Next(context.Background(), u.Answered) // the searches end with ctx: wait for their answers
		if update != nil {
			update(u)
		}
		if u.Done() {
			return u
		}
	}
}
