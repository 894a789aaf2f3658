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
// part's items as they come, so an open from many back ends holds one copy of an item that
// they all report, not a copy per back end until the earlier back ends have finished.
//
// Only lists whose items are recognised by key alone are gathered (not next of kin, which
// recognises a contact by its content too); Add leaves the rest of a part to be merged in
// order as before. Where an item says more than a key (another identifier, provenance of a
// back end other than its part's), the list is instead kept item by item and merged in
// configuration order at the end, as Merge would, so the result is always the same.
// Not safe for concurrent use.
type Gather struct {
	lists []gatherList
	parts []int32 // parts seen per back end rank
}

// gatherList is one gathered list of SectionsData (an itemGather).
type gatherList interface {
	// add takes the list out of s: the items of part number part of the back end ranked rank.
	add(s *SectionsData, backend string, rank, part int32)
	// into merges what was gathered into dst's list.
	into(dst *SectionsData)
}

// gatherable is a sectionList that can be gathered: gatherer is nil where it cannot.
type gatherable interface{ gatherer() gatherList }

// NewGather starts gathering the lists of one open.
func NewGather() *Gather {
	g := &Gather{}
	for _, d := range sectionTable {
		for _, l := range d.lists {
			if gl, ok := l.(gatherable); ok {
				if it := gl.gatherer(); it != nil {
					g.lists = append(g.lists, it)
				}
			}
		}
	}
	return g
}

// Add takes the gathered lists out of p (they are nil in p afterwards), a part of the back
// end ranked rank in the configuration (0 first). The rest of p is for Merge, in order.
func (g *Gather) Add(p *Part, rank int) {
	for len(g.parts) <= rank {
		g.parts = append(g.parts, 0)
	}
	part := g.parts[rank]
	g.parts[rank]++
	for _, l := range g.lists {
		l.add(&p.Sections, p.Backend, int32(rank), part)
	}
}

// Into merges everything gathered into r. Call it once, after the last Add and after the
// parts' other content has been merged.
func (g *Gather) Into(r *Record) {
	for _, l := range g.lists {
		l.into(&r.Sections)
	}
	g.lists = nil
}

func (l itemList[T, PT]) gatherer() gatherList {
	if l.same != nil || l.fold != nil {
		return nil
	}
	return &itemGather[T, PT]{get: l.get, index: map[string]int32{}}
}

// itemGather gathers one list. While every item is plain (keyed by Key alone), items with
// one key form a group: the lead is the item that comes first in configuration order (the
// earliest back end, then its earliest item), AlsoFrom the first provenance of every other
// back end, in configuration order. members remembers every item gathered (its back end,
// part and place) so that the list can still be merged item by item, in order (replay),
// if a later item turns out not to be plain; an item that cannot be rebuilt from its
// group's lead (another content, or a second item of a back end in a group) is kept whole.
type itemGather[T any, PT interface {
	*T
	keyed
}] struct {
	get     func(*SectionsData) *[]T
	index   map[string]int32 // key → group
	groups  []group[T]
	members []member[T]
	seq     []int32 // items seen per back end rank
	replay  []rawItem[T]
	replays bool // the list is kept item by item (replay), not in groups
}

type group[T any] struct {
	lead     T       // AlsoFrom: the other back ends' first provenance, in rank order
	leadRank int32   // the lead's back end rank and its place among that back end's items
	leadSeq  int32   //
	alsoRank []int32 // the rank of each of lead's AlsoFrom
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
}

// fold adds a plain item to its group (or starts one).
func (g *itemGather[T, PT]) fold(a *T, rank, part, seq int32) {
	ai := PT(a).item()
	m := member[T]{rank: rank, part: part, seq: seq, restricted: ai.Restricted}
	gi, ok := g.index[ai.Key]
	if !ok || ai.Key == "" {
		m.group = int32(len(g.groups))
		if ai.Key != "" {
			g.index[ai.Key] = m.group
		}
		g.groups = append(g.groups, group[T]{lead: *a, leadRank: rank, leadSeq: seq})
		g.members = append(g.members, m)
		return
	}
	m.group = gi
	gr := &g.groups[gi]
	lead := PT(&gr.lead).item()
	switch {
	case rank == gr.leadRank:
		m.whole = ptr(*a) // the lead's back end again: Merge drops it, a replay needs it
	case rank > gr.leadRank:
		at, found := slices.BinarySearch(gr.alsoRank, rank)
		if found {
			m.whole = ptr(*a) // this back end's second item in the group
			break
		}
		gr.alsoRank = slices.Insert(gr.alsoRank, at, rank)
		lead.AlsoFrom = slices.Insert(growGently(lead.AlsoFrom), at, ai.Provenance)
		if !sameBody[T, PT](a, &gr.lead) {
			m.whole = ptr(*a)
		}
	default: // an earlier back end's: it takes the lead
		if !sameBody[T, PT](a, &gr.lead) {
			// The members rebuilt from the old lead would be lost: keep the list item by item.
			m.whole = ptr(*a)
			g.members = append(g.members, m)
			g.toReplay()
			return
		}
		also := append(growGently(lead.AlsoFrom), Provenance{})
		copy(also[1:], also)
		also[0] = lead.Provenance
		gr.alsoRank = slices.Insert(gr.alsoRank, 0, gr.leadRank)
		gr.lead = *a
		PT(&gr.lead).item().AlsoFrom = also
		gr.leadRank, gr.leadSeq = rank, seq
	}
	g.members = append(g.members, m)
}

func ptr[T any](v T) *T { return &v }

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
// part and place, so that into merges them one by one in configuration order.
func (g *itemGather[T, PT]) toReplay() {
	g.replays = true
	g.replay = slices.Grow(g.replay, len(g.members))
	for _, m := range g.members {
		var it T
		if m.whole != nil {
			it = *m.whole
		} else {
			gr := &g.groups[m.group]
			it = gr.lead
			lead, ii := PT(&gr.lead).item(), PT(&it).item()
			ii.AlsoFrom, ii.Restricted = nil, m.restricted
			if m.rank != gr.leadRank {
				at, _ := slices.BinarySearch(gr.alsoRank, m.rank)
				ii.Provenance = lead.AlsoFrom[at]
			}
		}
		g.replay = append(g.replay, rawItem[T]{rank: m.rank, part: m.part, seq: m.seq, item: it})
	}
	g.groups, g.members, g.index = nil, nil, nil
}

func (g *itemGather[T, PT]) into(dst *SectionsData) {
	d := g.get(dst)
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
		if gr := &g.groups[m.group]; m.restricted && m.rank != gr.leadRank {
			PT(&gr.lead).item().Restricted = true
		}
	}
	g.members = nil
	order := make([]int32, len(g.groups))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		ga, gb := &g.groups[a], &g.groups[b]
		return cmp.Or(cmp.Compare(ga.leadRank, gb.leadRank), cmp.Compare(ga.leadSeq, gb.leadSeq))
	})
	out := make([]T, 0, len(order))
	for _, i := range order {
		out = append(out, g.groups[i].lead)
	}
	g.groups, g.index = nil, nil
	if len(*d) == 0 {
		if cap(*d) >= len(out) {
			out = append(*d, out...) // into the room a loading status reserved
		}
		*d = out
		return
	}
	*d = mergeItems[T, PT](*d, out, nil, nil)
}
