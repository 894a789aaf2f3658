package client

import "github.com/shcr-project/shcr/record"

// orderedMerge folds the parts of an open into one record in configuration order of the back
// ends, whatever order they arrive in: the record is the one Merge builds from every part of
// the first back end, then every part of the second, and so on (each back end's own parts in
// the order they came). The same record then prints the same way every time: an item two
// back ends report is led by the first configured (its provenance first, the other in
// AlsoFrom), and lists hold the first back end's items first.
//
// The item lists (all but next of kin) are gathered as they come (record.Gather): an item
// that fifty back ends report is held once, not once per back end until the back ends
// before them have finished. The rest of a part (statuses, the person, next of kin) is
// merged as soon as every back end before its own has finished, and held until then: with
// one back end (or back ends answering in order) nothing is held.
// Not safe for concurrent use: OpenRecord serialises the calls.
type orderedMerge struct {
	rec    *record.Record
	gather *record.Gather
	rank   map[string]int // back end name → its place in the configuration
	next   int            // the first back end not finished: its parts merge as they come
	done   []bool
	held   [][]record.Part // parts of back ends after next, in arrival order
}

func newOrderedMerge(rec *record.Record, names []string) *orderedMerge {
	m := &orderedMerge{rec: rec, gather: record.NewGather(rec), rank: make(map[string]int, len(names)), done: make([]bool, len(names)), held: make([][]record.Part, len(names))}
	for i, n := range names {
		m.rank[n] = i
	}
	return m
}

// part gathers p's item lists (into the record: a part of a back end that is not
// configured, the national services' identity parts, as if it were configured first), and
// merges the rest now if its back end is the first one not finished (or is not a
// configured back end), else holds it.
func (m *orderedMerge) part(p record.Part) {
	i, ok := m.rank[p.Backend]
	rank := 0 // not a configured back end: first
	if ok {
		rank = i + 1
	}
	m.gather.Add(&p, rank)
	if !ok || i <= m.next {
		m.rec.Merge(p)
		return
	}
	m.held[i] = append(m.held[i], p)
}

// finished marks a back end as done (its status is in), and merges what the back ends after
// it were holding, in order, up to the next one still answering.
func (m *orderedMerge) finished(name string) {
	i, ok := m.rank[name]
	if !ok {
		return
	}
	m.done[i] = true
	for m.next < len(m.done) && m.done[m.next] {
		m.next++
		m.flush(m.next)
	}
}

// flush merges the parts held for back end i.
func (m *orderedMerge) flush(i int) {
	if i >= len(m.held) {
		return
	}
	for _, p := range m.held[i] {
		m.rec.Merge(p)
	}
	m.held[i] = nil
}

// close merges everything still held, in order (back ends that never said they finished),
// then the gathered item lists.
func (m *orderedMerge) close() {
	for i := range m.held {
		m.flush(i)
	}
	m.next = len(m.done)
	m.gather.Done()
}
