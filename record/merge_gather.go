package record

import (
	"cmp"
	"reflect"
	"slices"
)

// Gather merges the item lists of parts that arrive in any order into the record Merge would
// build from the same parts taken in configuration order (every part of the first back end,
// then of the second, …; each back end's parts in the order they came): the same items, led
// by the same back end, AlsoFrom in the same order, lists in the same order. It folds each
// part's items into the record's lists as they come, so an open from many back ends holds
// one copy of an item that they all report, not a copy per back end until the earlier back
// ends have finished.
//
// Only lists whose items are recognised by key alone are gathered (not next of kin, which
// recognises a contact by its content too); Add leaves the rest of a part to be merged in
// order as before. Where an item says more than a key (another identifier, provenance of a
// back end other than its part's), the list is instead kept item by item and merged in
// configuration order by Done, as Merge would, so the result is always the same. Until Done
// the gathered lists are in arrival order, their Restricted not yet final.
// Not safe for concurrent use.
type Gather struct {
	rec   *Record
	lists []gatherList
	parts []int32 // parts seen per back end rank
	// first is, by section, the gathered list a section's loading status sizes (the
	// section's first list, as Merge's reserve).
	first map[Section]gatherList
}

// gatherList is one gathered list of SectionsData (an itemGather).
type gatherList interface {
	// add takes the list out of s: the items of part number part of the back end ranked rank.
	add(s *SectionsData, backend string, rank, part int32)
	// done puts the list in order.
	done()
	// reserve makes room to gather n items in all without growing (a section's Total).
	reserve(n int)
}

// gatherable is a sectionList that can be gathered: gatherer is nil where it cannot.
type gatherable interface {
	gatherer(dst *SectionsData) gatherList
}

// NewGather starts gathering the lists of one open into r.
func NewGather(r *Record) *Gather {
	g := &Gather{rec: r, first: map[Section]gatherList{}}
	for _, d := range sectionTable {
		for i, l := range d.lists {
			if gl, ok := l.(gatherable); ok {
				if it := gl.gatherer(&r.Sections); it != nil {
					g.lists = append(g.lists, it)
					if i == 0 {
						g.first[d.Key] = it
					}
				}
			}
		}
	}
	return g
}

// Add takes the gathered lists out of p (they are nil in p afterwards) into the record: p
// is a part of the back end ranked rank in the configuration (0 first). The rest of p is
// for Merge, in order. A list EncounterList made is used again once its items are
// gathered: whoever made p keeps no other hold of it.
func (g *Gather) Add(p *Part, rank int) {
	for len(g.parts) <= rank {
		g.parts = append(g.parts, 0)
	}
	part := g.parts[rank]
	g.parts[rank]++
	for _, st := range p.Status {
		// A section still loading that says how many it will bring has its list, index
		// and group notes made that big once (as Merge makes the list on the same
		// status), not grown part after part.
		if st.State == StateLoading && st.Total > 0 {
			if l, ok := g.first[st.Section]; ok {
				l.reserve(st.Total)
			}
		}
	}
	for _, l := range g.lists {
		l.add(&p.Sections, p.Backend, int32(rank), part)
	}
}

// Done puts the gathered lists in the order (and with the Restricted) Merge would have given
// them. Call it once, after the last Add.
func (g *Gather) Done() {
	for _, l := range g.lists {
		l.done()
	}
	g.lists = nil
}

func (l itemList[T, PT]) gatherer(dst *SectionsData) gatherList {
	if l.same != nil || l.fold != nil {
		return nil
	}
	g := &itemGather[T, PT]{get: l.get, dst: dst, index: map[string]int32{}}
	g.takeBack, _ = any(takeBackEncounters).(func([]T)) // encounters only: the big lists
	g.same, _ = any(sameEncounterBody).(func(a, b *T) bool)
	return g
}

// itemGather gathers one list into the record's (dst's). While every item is plain (keyed
// by Key alone), items with one key form a group, one item in the list: the lead, the item
// that comes first in configuration order (the earliest back end, then its earliest item),
// with AlsoFrom the first provenance of every other back end, in configuration order; meta
// has the lead's back end, part and place, beside the list, and also the ranks of its
// AlsoFrom. members remembers every other item gathered (its back end, part and place) so
// that the list can still be merged item by item, in order (replay), if a later item turns
// out not to be plain; an item its group's lead cannot rebuild (another content, or a back
// end's second item in a group) is kept whole. One back end's items make no members.
type itemGather[T any, PT interface {
	*T
	keyed
}] struct {
	get     func(*SectionsData) *[]T
	dst     *SectionsData
	started bool
	index   map[string]int32 // key → group (its place in the list)
	meta    []groupMeta
	also    [][]int32 // by group: the rank of each of its lead's AlsoFrom (as far as any has one)
	members []member[T]
	seq     []int32 // items seen per back end rank
	replay  []rawItem[T]
	replays bool // the list is kept item by item (replay), not in groups
	room    int  // the groups index and meta were made for
	// takeBack, when not nil, is given a part's list once its items are gathered.
	takeBack func([]T)
	widest   int // the most provenances in a group's AlsoFrom yet
	// same, when not nil, is true when two items' bodies are the same (sameBody) by a
	// typed comparison; false when it cannot tell.
	same func(a, b *T) bool
}

type groupMeta struct {
	leadRank, leadPart, leadSeq int32 // the lead's back end rank, part, and place among that back end's items
}

type member[T any] struct {
	group, rank, part, seq int32
	restricted             bool
	whole                  *T // the item, when its group's lead cannot rebuild it
}

type rawItem[T any] struct {
	rank, part, seq int32
	item            T
}

// plain reports whether Merge would recognise it by its Key alone, and its provenance is
// its part's back end.
func plain(it *Item, backend string) bool {
	return it.AlsoKnownAs == nil && it.AlsoFrom == nil && it.Withheld == "" && it.Provenance.Backend == backend
}

func (g *itemGather[T, PT]) add(s *SectionsData, backend string, rank, part int32) {
	l := g.get(s)
	items := *l
	*l = nil
	if len(items) == 0 {
		return
	}
	if !g.started {
		g.started = true
		if len(*g.get(g.dst)) > 0 {
			g.replays = true // the list holds items from elsewhere: Done merges onto them
		}
	}
	for len(g.seq) <= int(rank) {
		g.seq = append(g.seq, 0)
	}
	for i := range items {
		seq := g.seq[rank]
		g.seq[rank]++
		it := PT(&items[i]).item()
		if !g.replays && !plain(it, backend) {
			g.toReplay()
		}
		if g.replays {
			g.replay = append(g.replay, rawItem[T]{rank: rank, part: part, seq: seq, item: items[i]})
			continue
		}
		g.fold(&items[i], rank, part, seq)
	}
	if g.takeBack != nil {
		g.takeBack(items) // every item is copied: the list is done with (merge_gather_spare.go)
	}
}

func (g *itemGather[T, PT]) reserve(n int) {
	// The record's list itself, as Merge would make it on this part's status (after the
	// part's items were gathered into a list grown item by item).
	if l := g.get(g.dst); cap(*l) < n {
		*l = slices.Grow(*l, n-len(*l))
	}
	if g.replays || n <= g.room {
		return
	}
	g.room = n
	index := make(map[string]int32, n)
	for k, v := range g.index {
		index[k] = v
	}
	g.index = index
	if n > len(g.meta) {
		g.meta = slices.Grow(g.meta, n-len(g.meta))
	}
}

// fold adds a plain item to its group (or starts one).
func (g *itemGather[T, PT]) fold(a *T, rank, part, seq int32) {
	list := g.get(g.dst)
	ai := PT(a).item()
	gi, ok := g.index[ai.Key]
	if !ok || ai.Key == "" {
		if ai.Key != "" {
			g.index[ai.Key] = int32(len(*list))
		}
		*list = append(*list, *a)
		g.meta = append(g.meta, groupMeta{leadRank: rank, leadPart: part, leadSeq: seq})
		return
	}
	m := member[T]{group: gi, rank: rank, part: part, seq: seq, restricted: ai.Restricted}
	gm, lead := &g.meta[gi], &(*list)[gi]
	li := PT(lead).item()
	switch {
	case rank == gm.leadRank:
		m.whole = wholeCopy(*a) // the lead's back end again: Merge drops it, a replay needs it
	case rank > gm.leadRank:
		ranks := g.alsoOf(gi)
		at, found := slices.BinarySearch(ranks, rank)
		if found {
			m.whole = wholeCopy(*a) // this back end's second item in the group
			break
		}
		g.setAlso(gi, slices.Insert(g.growRanks(ranks), at, rank))
		li.AlsoFrom = slices.Insert(g.growAlso(li.AlsoFrom), at, ai.Provenance)
		g.widest = max(g.widest, len(li.AlsoFrom))
		if !g.sameBody(a, lead) {
			m.whole = wholeCopy(*a)
		}
	default: // an earlier back end's: it takes the lead
		if !g.sameBody(a, lead) {
			// The members rebuilt from the old lead would be lost: keep the list item by item.
			m.whole = wholeCopy(*a)
			g.members = append(g.members, m)
			g.toReplay()
			return
		}
		// The old lead is a member now (its provenance first in AlsoFrom), a the lead.
		g.members = append(g.members, member[T]{group: gi, rank: gm.leadRank, part: gm.leadPart, seq: gm.leadSeq, restricted: li.Restricted})
		also := append(g.growAlso(li.AlsoFrom), Provenance{})
		copy(also[1:], also)
		also[0] = li.Provenance
		g.setAlso(gi, slices.Insert(g.growRanks(g.alsoOf(gi)), 0, gm.leadRank))
		*lead = *a
		li.AlsoFrom = also
		*gm = groupMeta{leadRank: rank, leadPart: part, leadSeq: seq}
		return
	}
	g.members = append(g.members, m)
}

// wholeCopy is a copy of an item, kept whole for a replay.
func wholeCopy[T any](v T) *T { return &v }

// alsoOf is the ranks of group gi's AlsoFrom.
func (g *itemGather[T, PT]) alsoOf(gi int32) []int32 {
	if int(gi) < len(g.also) {
		return g.also[gi]
	}
	return nil
}

// setAlso sets the ranks of group gi's AlsoFrom (the list by group made as long as it
// needs: one back end's groups make none).
func (g *itemGather[T, PT]) setAlso(gi int32, ranks []int32) {
	if n := int(gi) + 1; n > len(g.also) {
		g.also = append(g.also, make([][]int32, n-len(g.also))...)
	}
	g.also[gi] = ranks
}

// growRanks makes room for one more rank, at once for as many as the widest group's
// (growAlso).
func (g *itemGather[T, PT]) growRanks(ranks []int32) []int32 {
	if len(ranks) < cap(ranks) {
		return ranks
	}
	grown := make([]int32, len(ranks), max(2, 2*len(ranks), g.widest))
	copy(grown, ranks)
	return grown
}

// growAlso is growGently, but a full list grows at once to the most provenances a group
// of the list has yet (widest) when that is more: the back ends that report one item
// mostly report the next, so a group takes its room in one step instead of eight (an item
// seventeen back ends report).
func (g *itemGather[T, PT]) growAlso(ps []Provenance) []Provenance {
	if len(ps) < cap(ps) || g.widest <= len(ps)+max(2, len(ps)/4) {
		return growGently(ps)
	}
	grown := make([]Provenance, len(ps), g.widest)
	copy(grown, ps)
	return grown
}

// growGently makes room for one more provenance, growing a full list by a quarter (append
// would double it): an item fifty back ends report keeps 49 provenances of ~230 bytes, and
// 5,200 such items with room for 64 each would hold 35 MB of nothing.
func growGently(ps []Provenance) []Provenance {
	if len(ps) < cap(ps) {
		return ps
	}
	grown := make([]Provenance, len(ps), len(ps)+max(2, len(ps)/4))
	copy(grown, ps)
	return grown
}

// sameBody is the package's sameBody, by the list's typed comparison first where it has
// one (encounters: sameEncounterBody), which only ever answers "the same" when it is.
func (g *itemGather[T, PT]) sameBody(a, b *T) bool {
	if g.same != nil && g.same(a, b) {
		return true
	}
	return sameBody[T, PT](a, b)
}

// sameBody reports whether a and b say the same apart from their Item (key, provenance,
// flags): then one can be rebuilt from the other and its own provenance.
func sameBody[T any, PT interface {
	*T
	keyed
}](a, b *T) bool {
	ai, bi := PT(a).item(), PT(b).item()
	sa, sb := *ai, *bi
	*ai, *bi = Item{}, Item{}
	same := reflect.DeepEqual(a, b)
	*ai, *bi = sa, sb
	return same
}

// toReplay turns the groups back into the items they were made of, each with its back end,
// part and place, so that Done merges them one by one in configuration order.
func (g *itemGather[T, PT]) toReplay() {
	g.replays = true
	list := g.get(g.dst)
	g.replay = slices.Grow(g.replay, len(*list)+len(g.members))
	for i, gm := range g.meta {
		it := (*list)[i]
		PT(&it).item().AlsoFrom = nil // Restricted: the lead's own, still
		g.replay = append(g.replay, rawItem[T]{rank: gm.leadRank, part: gm.leadPart, seq: gm.leadSeq, item: it})
	}
	for _, m := range g.members {
		var it T
		if m.whole != nil {
			it = *m.whole
		} else {
			// A member rebuilt from its lead is another back end's first item in the group:
			// its provenance is in the lead's AlsoFrom.
			lead := &(*list)[m.group]
			it = *lead
			ii := PT(&it).item()
			ii.AlsoFrom, ii.Restricted = nil, m.restricted
			at, _ := slices.BinarySearch(g.alsoOf(m.group), m.rank)
			ii.Provenance = PT(lead).item().AlsoFrom[at]
		}
		g.replay = append(g.replay, rawItem[T]{rank: m.rank, part: m.part, seq: m.seq, item: it})
	}
	clear(*list)
	*list = (*list)[:0]
	g.meta, g.members, g.index, g.also = nil, nil, nil, nil
}

func (g *itemGather[T, PT]) done() {
	d := g.get(g.dst)
	if g.replays {
		slices.SortStableFunc(g.replay, func(a, b rawItem[T]) int {
			return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(a.part, b.part), cmp.Compare(a.seq, b.seq))
		})
		var batch []T
		for i := 0; i < len(g.replay); {
			j := i
			batch = batch[:0]
			for ; j < len(g.replay) && g.replay[j].rank == g.replay[i].rank && g.replay[j].part == g.replay[i].part; j++ {
				batch = append(batch, g.replay[j].item)
			}
			*d = mergeItems[T, PT](*d, batch, nil, nil)
			i = j
		}
		g.replay = nil
		return
	}
	// Restricted as Merge leaves it: the lead's own, or any other back end's item's.
	for _, m := range g.members {
		if m.restricted && m.rank != g.meta[m.group].leadRank {
			PT(&(*d)[m.group]).item().Restricted = true
		}
	}
	g.members, g.index, g.also = nil, nil, nil
	before := func(a, b *groupMeta) int {
		return cmp.Or(cmp.Compare(a.leadRank, b.leadRank), cmp.Compare(a.leadSeq, b.leadSeq))
	}
	if slices.IsSortedFunc(g.meta, func(a, b groupMeta) int { return before(&a, &b) }) {
		g.meta = nil
		return // in order already: one back end, or back ends that answered in turn
	}
	order := make([]int32, len(g.meta))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return before(&g.meta[a], &g.meta[b]) })
	out := make([]T, len(order), cap(*d))
	for i, j := range order {
		out[i] = (*d)[j]
	}
	*d = out
	g.meta = nil
}

// sameEncounterBody is true when a and b say the same apart from their Item, field by
// field with ==: then reflect.DeepEqual says so too (a time.Time that is == is the same
// instant in the same *Location). False may still be the same to DeepEqual (two
// Locations alike at different addresses): sameBody then asks it.
// TestSameEncounterBodyComparesEveryField fails when Encounter gains a field this misses.
func sameEncounterBody(a, b *Encounter) bool {
	return a.Class == b.Class && a.Type == b.Type && a.Status == b.Status && a.Period == b.Period &&
		a.Location == b.Location && a.Provider == b.Provider && a.Reason == b.Reason && a.Clinician == b.Clinician &&
		a.AdmitSource == b.AdmitSource && a.DischargeDisposition == b.DischargeDisposition &&
		a.DischargeDestination == b.DischargeDestination && a.MedicallySafe == b.MedicallySafe && a.LegalStatus == b.LegalStatus
}
