package record

import "slices"

// Arrivals merges an open's parts into a record as they arrive, whatever order the back ends
// answer in, so that once every part is in the record is the one Merge builds from the same
// parts taken in configuration order (every part of the first-configured back end, then of
// the second, …; each back end's own parts in the order they came): the same items, the
// same lead for an item two back ends report (its provenance, so its domain), AlsoFrom in
// the same order, the same Restricted, statuses and notices. `shcr get` builds that record
// too (client's orderedMerge), so the TUI shows what `get` prints.
//
// Every part is merged at once, where it stands, so that it is shown at once. A part that
// comes early (a later-configured back end's part is already in) leaves the record Stale:
// Settle builds it again from the start in configuration order (the TUI does so now and
// then while the record is Small, and once by Finish when the open is done): a frame never
// waits for more than a small record's merge, and a large record is built in order once.
//
// Apply records a change that is not a part (a back end's overall status, the end of the
// open) so that building again keeps it. Such a change must touch only its own back end's
// statuses (or come last): it is replayed in its back end's place.
//
// Arrivals holds every part (until Finish, for a large record): the record is built from
// them again. Not safe for concurrent use.
type Arrivals struct {
	rec    *Record
	base   func() *Record
	rank   map[string]int
	log    []arrival
	top    int  // the highest rank merged yet
	stale  bool // a part was merged out of configuration order and not yet put in place
	items  int  // items and statuses in the logged parts: what building again costs
	closed bool // the parts were let go of (Finish, or Hold passed): parts are merged as they come

	// Budget is the most items and statuses (in all parts so far) for which the record is
	// Small. DefaultArrivalsBudget unless set.
	Budget int
	// Hold is the most items and statuses Arrivals keeps the parts of: past it they are let
	// go of and the rest merged as they come (arrival order, as Merge alone gives), so that
	// fifty back ends' large records are not held twice and built again in one long frame.
	// DefaultArrivalsHold unless set.
	Hold int
}

// DefaultArrivalsHold: parts of this many items (~40 MB of encounters) are held, and built
// again by Gather in tens of milliseconds when the open is done (a large record from a few
// back ends); fifty back ends' large records (260,000) are not.
const DefaultArrivalsHold = 60000

// DefaultArrivalsBudget: building a record of this many items and statuses again in
// configuration order takes ten to twenty milliseconds with fifty back ends
// (BenchmarkArrivals, fifty-person), inside a frame.
const DefaultArrivalsBudget = 2000

// arrival is one logged change: a part, or a change of another kind (do).
type arrival struct {
	rank int
	part Part
	do   func(*Record)
}

// Last is the rank of a change that comes after every back end's (the end of the open).
const Last = int(^uint(0) >> 1)

// NewArrivals starts merging into the record base makes (base is called again each time
// the record is built anew, and must make the same record each time); names are the back
// ends in configuration order. A part of a back end not named comes first (the national
// services), as in client's orderedMerge.
func NewArrivals(base func() *Record, names []string) *Arrivals {
	a := &Arrivals{rec: base(), base: base, rank: make(map[string]int, len(names)), Budget: DefaultArrivalsBudget, Hold: DefaultArrivalsHold}
	for i, n := range names {
		if _, dup := a.rank[n]; !dup {
			a.rank[n] = i + 1
		}
	}
	return a
}

// Record is the record built so far. It stays the same *Record: building again writes over it.
func (a *Arrivals) Record() *Record { return a.rec }

// RankOf is a back end's place in the configuration (1 first; 0 for one not configured).
func (a *Arrivals) RankOf(backend string) int { return a.rank[backend] }

// Part merges p where it stands; the record is Stale afterwards when p came early.
func (a *Arrivals) Part(p Part) {
	a.rec.Merge(p)
	if a.closed {
		return
	}
	r := a.rank[p.Backend]
	a.log = append(a.log, arrival{rank: r, part: p})
	a.items += partItems(&p) + len(p.Status)
	if r < a.top {
		a.stale = true
	}
	a.top = max(a.top, r)
	if a.items > a.Hold {
		// Too much to hold and build again: what is in stays as it came.
		a.log, a.closed, a.stale = nil, true, false
	}
}

// Stale reports whether a part came early and the record is not yet in configuration order.
func (a *Arrivals) Stale() bool { return a.stale }

// Small reports whether the parts so far are few enough (Budget) to build the record again
// within a frame.
func (a *Arrivals) Small() bool { return a.items <= a.Budget }

// Apply makes a change that is not a part, for the back end of rank rank (RankOf; Last
// after every back end), and keeps it to make again when the record is built anew.
func (a *Arrivals) Apply(rank int, do func(*Record)) {
	if !a.closed {
		a.log = append(a.log, arrival{rank: rank, do: do})
	}
	do(a.rec)
}

// Settle builds the record again in configuration order if a part was merged out of it.
// It reports whether it did.
func (a *Arrivals) Settle() bool {
	if !a.stale {
		return false
	}
	a.rebuild()
	return true
}

// Finish settles the record once every part of the open is in. It keeps the parts while
// the record is small (within Budget), so that a part after it (a child protection plan
// opened later) still takes its place in configuration order at once; a large record's
// parts it lets go of, and parts after it merge as they come.
func (a *Arrivals) Finish() (rebuilt bool) {
	if a.Small() {
		return a.Settle()
	}
	rebuilt = a.stale
	if a.stale {
		a.gatherAgain()
	}
	a.log, a.closed = nil, true
	return rebuilt
}

// gatherAgain builds the record anew as rebuild does, the item lists by Gather (client's
// orderedMerge: the same record, faster for a large one). Gather takes the lists out of the
// parts and may use an encounter list again: the parts are done with afterwards.
func (a *Arrivals) gatherAgain() {
	a.sortLog()
	fresh := a.base()
	g := NewGather(fresh)
	for i := range a.log {
		e := &a.log[i]
		if e.do != nil {
			e.do(fresh)
			continue
		}
		g.Add(&e.part, e.rank)
		fresh.Merge(e.part)
	}
	g.Done()
	*a.rec = *fresh
	a.stale = false
}

// rebuild builds the record anew: base, then every change in configuration order.
func (a *Arrivals) rebuild() {
	a.sortLog()
	fresh := a.base()
	for _, e := range a.log {
		if e.do != nil {
			e.do(fresh)
		} else {
			fresh.Merge(e.part)
		}
	}
	*a.rec = *fresh
	a.stale = false
}

// sortLog puts the logged changes in configuration order (each back end's in the order
// they came).
func (a *Arrivals) sortLog() {
	slices.SortStableFunc(a.log, func(x, y arrival) int {
		switch {
		case x.rank < y.rank:
			return -1
		case x.rank > y.rank:
			return 1
		}
		return 0
	})
}

// partItems is the number of items in p's lists.
func partItems(p *Part) int {
	n := 0
	for _, d := range sectionTable {
		for _, l := range d.lists {
			n += l.count(&p.Sections)
		}
	}
	return n
}
