package record

import (
	"sync"
	"unsafe"
	"weak"
)

// Encounter lists used again. A large section reaches the record in parts: the mapping
// fills a list of a page or more of encounters (~640 bytes each), Gather copies its items
// into the record's own list, and the part's list is left for the collector — 32 MB made,
// zeroed and collected over a 50,000-encounter open. Instead, the mapping takes its lists
// from EncounterList, and Gather.Add, once it has copied a list's items, hands that list
// back (cleared) for the next part.
//
// Only a list EncounterList made, whole (from its first element), is taken back: a list
// anyone else made (a test's, another back end kind's, a copy the sanitiser made) is never
// written by anyone but its maker. Whoever takes a list from EncounterList hands it on in a
// Part and keeps no other hold of it (the mapping does not: a part's lists are the part's);
// Gather.Add is then the last to read it.

// spareEncounters are lists Gather has finished with (their items cleared, length zero),
// kept by a sync.Pool so that an idle process holds none for long.
var spareEncounters sync.Pool // of *[]Encounter

// lentEncounters are the lists EncounterList has handed out and not had back, by the
// address of their first element, with a weak pointer to it: a list is taken back only when
// the weak pointer still leads to it (an address used again by another list, after the lent
// one was collected, does not). A list dropped unread (never gathered) keeps only its entry,
// pruned as they grow.
var lentEncounters struct {
	sync.Mutex
	lists map[uintptr]weak.Pointer[Encounter]
	prune int // the size at which dead entries are next looked for
}

// EncounterList is an empty list with room for at least n encounters, for a part's items:
// one that Gather has finished with when one big enough is spare, else a new one with a
// quarter more room (a big section's parts grow slowly). nil for n <= 0.
func EncounterList(n int) []Encounter {
	if n <= 0 {
		return nil
	}
	var l []Encounter
	if p, ok := spareEncounters.Get().(*[]Encounter); ok && cap(*p) >= n {
		l = (*p)[:0]
	} else {
		l = make([]Encounter, 0, n+n/4)
	}
	first := unsafe.SliceData(l)
	lent := &lentEncounters
	lent.Lock()
	if lent.lists == nil {
		lent.lists = map[uintptr]weak.Pointer[Encounter]{}
	}
	lent.lists[uintptr(unsafe.Pointer(first))] = weak.Make(first)
	if len(lent.lists) > max(lent.prune, 64) {
		for at, w := range lent.lists {
			if w.Value() == nil {
				delete(lent.lists, at)
			}
		}
		lent.prune = 2 * len(lent.lists)
	}
	lent.Unlock()
	return l
}

// takeBackEncounters keeps l for EncounterList when EncounterList made it (and it is
// whole): its items are cleared (the record holds its own copies) and its length made
// zero. The caller is done with l.
func takeBackEncounters(l []Encounter) {
	if cap(l) == 0 {
		return
	}
	first := unsafe.SliceData(l)
	at := uintptr(unsafe.Pointer(first))
	lent := &lentEncounters
	lent.Lock()
	w, ok := lent.lists[at]
	mine := ok && w.Value() == first
	if ok {
		delete(lent.lists, at)
	}
	lent.Unlock()
	if !mine {
		return
	}
	clear(l[:cap(l)])
	spare := l[:0] // its own variable: l is not moved to the heap for a list not taken back
	spareEncounters.Put(&spare)
}
