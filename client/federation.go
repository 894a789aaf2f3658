package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// Federation asks every configured back end at once and merges what they say.
type Federation struct {
	backends []Backend
	log      *slog.Logger
	slow     time.Duration
	now      func() time.Time // the clock a back end's "slow" is timed by (Options.Now)
	sem      chan struct{}    // back ends asked at once (nil: no bound)
	national *national        // the demographics and locator back ends, nil when none (national.go)
	order    map[string]int   // every configured back end's place in config order, national ones too
}

// clock is the time now by the injected clock (Options.Now; time.Now without one).
func (f *Federation) clock() time.Time {
	if f.now == nil {
		return time.Now()
	}
	return f.now()
}

// maxBackendsAtOnce bounds how many back ends a search or an open asks at once. It is above
// the ~50 a region configures (42 shared care records and councils), so that all of them
// are asked in the same round trip; a longer list waits for a free place rather than
// opening thousands of connections at once.
const maxBackendsAtOnce = 64

// acquire waits for a place among the back ends asked at once and returns its release; a
// cancelled context does not wait (the back end's request then fails at once).
func (f *Federation) acquire(ctx context.Context) (release func()) {
	if f.sem == nil {
		return func() {}
	}
	select {
	case f.sem <- struct{}{}:
		return func() { <-f.sem }
	case <-ctx.Done():
		return func() {}
	}
}

// Match is one person found by a search, merged across the back ends that know them.
type Match struct {
	// Person is merged; Person.Sources lists every back end knowing them, with their id there.
	Person record.Person
	// Unmatched: the person has no NHS number, so they could not be matched across back ends.
	Unmatched bool
	// Discrepancies names demographic fields on which the back ends disagree.
	Discrepancies []record.Discrepancy
	// searched is each back end's search status, so that Open can report back ends that do
	// not know the person (or failed) without asking them again.
	searched map[string]record.BackendStatus
	// searchErrs is each back end's search error, where it failed (timed out or failed).
	searchErrs map[string]error
	// national is what the demographics service said at search time (national.go).
	national *nationalMatch
	// finding is the search the match came from: Open asks it for the back ends that had
	// not answered (pending) when the match was taken.
	finding *Finding
	pending []string
}

// Pending names the back ends that had not answered the search when the match was taken
// (config order): they may yet find this person, and Open reads each that does as soon as
// its search answers (the others' sections take its answer). Empty for a search that had
// ended, and for a person without an NHS number (who cannot be matched).
func (m Match) Pending() []string {
	if m.Unmatched || m.Person.NHSNumber == "" {
		return nil
	}
	return slices.Clone(m.pending)
}

// NewFederation builds every configured back end; a bad entry is an error naming it.
func NewFederation(cfgs []config.Backend, opts Options) (*Federation, error) {
	f := &Federation{log: opts.logger(), slow: opts.slowAfter(), now: opts.now, sem: make(chan struct{}, maxBackendsAtOnce)}
	seen := map[string]bool{}
	for _, c := range cfgs {
		if seen[c.Name] {
			return nil, fmt.Errorf("back end name %q is used twice: names must be unique", c.Name)
		}
		seen[c.Name] = true
		b, err := New(c, opts)
		if err != nil {
			return nil, err
		}
		f.backends = append(f.backends, b)
	}
	if len(f.backends) == 0 {
		return nil, errors.New("no back ends are configured")
	}
	f.national = splitNational(f)
	return f, nil
}

// NewFederationOf federates already built back ends (tests, or callers wrapping a Backend).
func NewFederationOf(backends []Backend, opts Options) *Federation {
	f := &Federation{backends: backends, log: opts.logger(), slow: opts.slowAfter(), now: opts.now, sem: make(chan struct{}, maxBackendsAtOnce)}
	f.national = splitNational(f)
	return f
}

// Backends describes the configured back ends, in config order.
func (f *Federation) Backends() []Info {
	out := make([]Info, len(f.backends))
	for i, b := range f.backends {
		out[i] = b.Info()
	}
	return out
}

func (f *Federation) backend(name string) Backend {
	for _, b := range f.backends {
		if b.Info().Name == name {
			return b
		}
	}
	return nil
}

// statusFor turns an error (or none) into a back end status line.
func (f *Federation) statusFor(info Info, err error, elapsed time.Duration) record.BackendStatus {
	st := record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Domain: info.Domain, Elapsed: elapsed, Status: record.BackendOK}
	var nq *NotQueriedError
	switch {
	case errors.As(err, &nq):
		st.Status, st.Error = record.BackendNotQueried, nq.Error()
	case err != nil:
		st.Status, st.Error, st.HTTPStatus = record.BackendFailed, err.Error(), httpStatus(err) // 401 / 403 are refusals in the audit trail
	case elapsed > f.slow:
		st.Status = record.BackendSlow
	}
	return record.Sanitised(st) // the error may quote the server
}

// Search runs q on every back end concurrently, waits for every one to answer or give up,
// and matches people across them by NHS number. People without an NHS number stay
// separate, flagged Unmatched. The statuses say, per back end in config order: ok (Counts
// is empty for a search), not-known, slow, failed or not-queried, with the one-line reason.
// Every request sends ctx's request id, or one new id for the whole search (RequestID,
// WithRequestID). (The TUI uses Find, to show and open people before the slowest back end
// has answered; Search is Find waited for.)
func (f *Federation) Search(ctx context.Context, q record.Query) ([]Match, []record.BackendStatus) {
	u := f.Find(ctx, q).Wait()
	return u.Matches, u.Statuses
}

// multiFetcher is a back end that can read one person held under several Patient records
// (duplicates with one NHS number) in one go, giving each section one status.
type multiFetcher interface {
	FetchAll(ctx context.Context, who []record.PersonSource, nhs string, sections []record.Section, emit func(record.Part))
}

// Open fetches the sections of a matched person from every back end that knows them, all
// at once (every section of every back end in flight together). emit is called for each
// Part as it arrives, from many goroutines; onBackend once per configured back end with its
// status: those that know the person when they finish, the others straight away (not known,
// or their search failure). Open returns when all are done or ctx is cancelled.
//
// A match taken from a search still in flight (Find) opens at once: the back ends that
// have found the person are read straight away; each back end still searching is waited
// for, and read as soon as its search finds the same NHS number — its view of the person
// comes first, as a Part carrying Person (so that a discrepancy shows at once) — or gives
// its sections the search's outcome (not known, failed) when it does not.
//
// Every section of every back end ends in exactly one state: a back end that does not know
// the person gives not-known for each section, one not asked (sign-in needed) not-queried,
// one whose search failed failed (or timed-out); a section a back end left unanswered is
// timed-out or failed. A back end holding the person under several Patient records is read
// under all of them, with a notice saying so.
//
// Every back end request of the open sends one request id (X-Request-ID to R4 back ends):
// ctx's (WithRequestID), else a new one. Open returns it, for the audit event of the open.
func (f *Federation) Open(ctx context.Context, m Match, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) (requestID string) {
	ctx, requestID = ensureRequestID(ctx)
	if f.national != nil && !routed(ctx) {
		return f.national.open(ctx, f, m, sections, emit, onBackend) // national.go: verify, locate, route
	}
	var wg sync.WaitGroup
	for _, b := range f.ordered(ctx) {
		i := slices.Index(f.backends, b) // its answer in m.finding
		info := b.Info()
		srcs := sourcesAt(m.Person.Sources, info.Name)
		if n, ok := b.(nationalByNHS); ok && n.ByNHSNumber() && len(srcs) == 0 && m.Person.NHSNumber != "" {
			// A national service (flags) is asked by NHS number, not by a search.
			srcs = []record.PersonSource{{Backend: info.Name, ID: m.Person.NHSNumber}}
		}
		if len(srcs) > 0 {
			wg.Go(func() { f.fetchFrom(ctx, b, srcs, m.Person.NHSNumber, sections, emit, onBackend) })
			continue
		}
		if m.finding == nil || m.Unmatched || m.Person.NHSNumber == "" {
			f.unasked(info, m.searched[info.Name], m.searchErrs[info.Name], sections, emit, onBackend)
			continue
		}
		wg.Go(func() {
			r, ok := m.finding.await(ctx, i)
			if !ok { // the open was cancelled before this back end's search answered
				err := describe(info.Name, 0, 0, ctx.Err())
				st := f.statusFor(info, err, f.clock().Sub(m.finding.started))
				f.unasked(info, st, err, sections, emit, onBackend)
				return
			}
			var srcs []record.PersonSource
			for _, p := range r.people {
				if p.NHSNumber != m.Person.NHSNumber {
					continue
				}
				emit(record.Part{Backend: info.Name, Person: &p}) // the banner knows them (and any discrepancy) at once
				if len(p.Sources) == 0 {
					srcs = append(srcs, record.PersonSource{Backend: info.Name, Name: p.Name, BirthDate: p.BirthDate, Gender: p.Gender, Postcode: p.Address.Postcode})
				}
				for _, s := range sourcesAt(p.Sources, info.Name) {
					if !slices.ContainsFunc(srcs, func(o record.PersonSource) bool { return o.ID == s.ID }) {
						srcs = append(srcs, s)
					}
				}
			}
			if len(srcs) == 0 {
				f.unasked(info, r.status, r.err, sections, emit, onBackend)
				return
			}
			f.fetchFrom(ctx, b, srcs, m.Person.NHSNumber, sections, emit, onBackend)
		})
	}
	wg.Wait()
	return requestID
}

// sourcesAt are the person's records at one back end, each id once.
func sourcesAt(all []record.PersonSource, backend string) []record.PersonSource {
	var srcs []record.PersonSource
	for _, s := range all {
		if s.Backend == backend && !slices.ContainsFunc(srcs, func(o record.PersonSource) bool { return o.ID == s.ID }) {
			srcs = append(srcs, s)
		}
	}
	return srcs
}

// unasked reports a back end that is not asked for the record: its sections take its
// search's outcome (not known when it answered without the person), then its status.
func (f *Federation) unasked(info Info, st record.BackendStatus, searchErr error, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) {
	if st.Name == "" || st.Status == record.BackendOK || st.Status == record.BackendSlow {
		st = record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Domain: info.Domain}
		st.Status = record.BackendNotKnown
	}
	if part := unaskedPart(info.Name, st, searchErr, sections); len(part.Status) > 0 {
		emit(part)
	}
	onBackend(st)
}

// fetchFrom reads the person's sections from one back end that knows them (under srcs),
// then reports the back end's status; every section it leaves unanswered fails.
func (f *Federation) fetchFrom(ctx context.Context, b Backend, srcs []record.PersonSource, nhs string, sections []record.Section, emit func(record.Part), onBackend func(record.BackendStatus)) {
	info := b.Info()
	defer f.acquire(ctx)()
	start := f.clock()
	var (
		mu     sync.Mutex
		states = map[record.Section]record.SectionStatus{}
	)
	// finish gives every section not yet answered a state, emits them, and reports the
	// back end's status.
	finish := func(reason error) {
		part := record.Part{Backend: info.Name}
		mu.Lock()
		for _, s := range sections {
			if _, done := states[s]; !done {
				why := reason
				if why == nil {
					why = &Error{Backend: info.Name, Reason: "did not answer for " + string(s)}
				}
				st := failedStatus(info.Name, s, why)
				states[s] = st
				part.Status = append(part.Status, st)
			}
		}
		st := f.fetchStatus(info, sections, states, f.clock().Sub(start), ctx.Err())
		mu.Unlock()
		if len(part.Status) > 0 {
			emit(part)
		}
		f.log.Debug("open", "backend", info.Name, "status", st.Status, "elapsed", st.Elapsed)
		onBackend(st)
	}
	defer func() {
		// A bug while reading this back end's data fails this back end alone: the
		// sections it had not answered fail with one line, the others stand.
		if r := recover(); r != nil {
			finish(internalError(f.log, info.Name, "reading a record"))
		}
	}()
	got := func(p record.Part) {
		p = record.Sanitised(p) // server text is made safe here, for every kind of back end
		mu.Lock()
		for _, s := range p.Status {
			if s.State != record.StateLoading { // shown in part, not answered yet
				states[s.Section] = s
			}
		}
		mu.Unlock()
		emit(p)
	}
	if len(srcs) > 1 {
		f.log.Info("several Patient records for one person", "backend", info.Name, "count", len(srcs))
		emit(duplicatesPart(info.Name, len(srcs)))
	}
	if mf, ok := b.(multiFetcher); ok && len(srcs) > 1 {
		mf.FetchAll(ctx, srcs, nhs, sections, got)
	} else {
		b.Fetch(ctx, srcs[0], nhs, sections, got)
	}
	var reason error
	if ctx.Err() != nil {
		reason = describe(info.Name, 0, 0, ctx.Err())
	}
	finish(reason)
}

// duplicatesPart is the notice that a back end holds n Patient records for the person.
func duplicatesPart(backend string, n int) record.Part {
	return record.Part{Backend: backend, Notices: []record.Notice{{Backend: backend, Kind: record.NoticeDuplicates,
		Text: fmt.Sprintf("holds %d records for this NHS number: shown together", n)}}}
}

// unaskedPart gives every section of a back end that was not asked for the record its
// state: not-known (the search found nobody), not-queried, or the search's failure.
func unaskedPart(backend string, st record.BackendStatus, searchErr error, sections []record.Section) record.Part {
	part := record.Part{Backend: backend}
	for _, sec := range sections {
		s := record.SectionStatus{Backend: backend, Section: sec, Error: st.Error, HTTPStatus: st.HTTPStatus}
		switch st.Status {
		case record.BackendNotKnown:
			s.State, s.Error, s.HTTPStatus = record.StateNotKnown, "", 0
		case record.BackendNotQueried:
			s.State = record.StateNotQueried
		case record.BackendFailed:
			s.State = record.StateFailed
			if searchErr != nil {
				s.State = errorState(searchErr)
			}
		default:
			continue
		}
		part.Status = append(part.Status, s)
	}
	return part
}

// fetchStatus sums a back end's section statuses into one: ok (or slow) with counts, partial
// when some sections failed (failed, timed out or not asked), failed when every section
// asked failed. A truncated section counts its items and does not make the back end
// partial: its own state says it is incomplete.
func (f *Federation) fetchStatus(info Info, sections []record.Section, states map[record.Section]record.SectionStatus, elapsed time.Duration, ctxErr error) record.BackendStatus {
	st := record.BackendStatus{Name: info.Name, Kind: string(info.Kind), Domain: info.Domain, Elapsed: elapsed, Counts: map[record.Section]int{}}
	failed, notAsked, notHeld, firstErr := 0, 0, 0, ""
	for _, sec := range sections {
		s, ok := states[sec]
		switch {
		case ok && (s.State == record.StateNotSupported || s.State == record.StateNotQueried && s.National):
			// The back end does not hold the section, or (a national service) leaves it to be
			// opened on request: neither answered nor failed.
			notHeld++
		case !ok:
			failed++
			if firstErr == "" {
				firstErr = "back end " + info.Name + " did not answer for " + string(sec)
				if ctxErr != nil {
					firstErr = "back end " + info.Name + " stopped: the request was cancelled"
				}
			}
		case s.State == record.StateFailed || s.State == record.StateTimedOut || s.State == record.StateNotQueried:
			failed++
			if s.State == record.StateNotQueried {
				notAsked++
			}
			if firstErr == "" {
				firstErr = s.Error
			}
		case s.Answered():
			st.Counts[sec] = s.Count
		}
	}
	switch {
	case len(sections) > 0 && notAsked == len(sections):
		st.Status, st.Error = record.BackendNotQueried, firstErr
	case len(sections) > notHeld && failed == len(sections)-notHeld:
		st.Status, st.Error = record.BackendFailed, firstErr
	case failed > 0:
		st.Status, st.Error = record.BackendPartial, firstErr
	case elapsed > f.slow:
		st.Status = record.BackendSlow
	default:
		st.Status = record.BackendOK
	}
	return record.Sanitised(st)
}

// Fetch is the blocking form for `shcr get`: look the NHS number up everywhere, fetch the
// sections from every back end knowing the person, merge, and return the whole record with
// every back end's status (config order) and the discrepancies. found is false when no back
// end knows the person; rec is still returned, with the statuses saying why.
// The search and the open send one request id (ctx's, else a new one), kept in rec.RequestID.
func (f *Federation) Fetch(ctx context.Context, nhs string, sections []record.Section) (rec *record.Record, found bool) {
	ctx, requestID := ensureRequestID(ctx)
	matches, statuses := f.Search(ctx, record.Query{NHSNumber: nhs})
	rec = &record.Record{RequestID: requestID}
	i := slices.IndexFunc(matches, func(m Match) bool { return m.Person.NHSNumber == nhs || m.replaces(nhs) })
	if i < 0 {
		rec.Backends = statuses
		slices.SortStableFunc(rec.Backends, func(a, b record.BackendStatus) int { return f.order[a.Name] - f.order[b.Name] }) // config order
		rec.Person.NHSNumber = nhs
		return rec, false
	}
	return f.OpenRecord(ctx, matches[i], sections), true
}

// OpenRecord opens a person found by Search and waits for every back end: the merged
// record, its back ends in configuration order, and the request id the open was sent
// under. (The TUI uses Open, to show each part as it comes.)
func (f *Federation) OpenRecord(ctx context.Context, m Match, sections []record.Section) *record.Record {
	rec := &record.Record{}
	var mu sync.Mutex
	p := m.Person
	rec.Merge(record.Part{Person: &p})
	merge := newOrderedMerge(rec, f.Names()) // ordered.go: the same record prints the same way
	rec.RequestID = f.Open(ctx, m, sections, func(p record.Part) {
		mu.Lock()
		defer mu.Unlock()
		merge.part(p)
	}, func(st record.BackendStatus) {
		mu.Lock()
		defer mu.Unlock()
		rec.SetBackend(st)
		merge.finished(st.Name)
	})
	merge.close()
	// Config order, the national back ends (demographics, locator) in their place too.
	slices.SortStableFunc(rec.Backends, func(a, b record.BackendStatus) int { return f.order[a.Name] - f.order[b.Name] })
	return rec
}

// Close drops the back ends' idle connections. The Federation stays usable.
func (f *Federation) Close() {
	for _, b := range f.backends {
		if c, ok := b.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}
