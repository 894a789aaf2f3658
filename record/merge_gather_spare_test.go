package record

import (
	"fmt"
	"testing"
	"unsafe"
)

// encountersFor is n encounters, keyed k0…, for a part of backend.
func encountersFor(l []Encounter, backend string, n int) []Encounter {
	for i := range n {
		l = append(l, Encounter{Item: Item{Key: fmt.Sprintf("k%d", i), Provenance: Provenance{Backend: backend}}, Type: "Home visit"})
	}
	return l
}

// gatherOne gathers one part with encounters l into a new record and returns the record.
func gatherOne(l []Encounter) *Record {
	r := &Record{}
	g := NewGather(r)
	p := Part{Backend: "b0", Sections: SectionsData{Encounters: l}}
	g.Add(&p, 0)
	g.Done()
	return r
}

// A list EncounterList lent comes back from it once Gather has copied its items, empty and
// cleared; a list anyone else made (or part of a lent list) is never handed out again.
func TestGatherTakesBackOnlyTheListsItLent(t *testing.T) {
	// sync.Pool may drop what it is given (it does so at random under -race): tried a
	// few times.
	back := false
	for range 20 {
		l := encountersFor(EncounterList(1000), "b0", 1000)
		lent := unsafe.SliceData(l)
		r := gatherOne(l)
		if len(r.Sections.Encounters) != 1000 || r.Sections.Encounters[999].Key != "k999" {
			t.Fatalf("gathered %d encounters", len(r.Sections.Encounters))
		}
		again := EncounterList(1000)
		if unsafe.SliceData(again) != lent {
			continue
		}
		back = true
		if len(again) != 0 || cap(again) < 1000 {
			t.Fatalf("a list taken back: length %d, room %d", len(again), cap(again))
		}
		for i, e := range again[:cap(again)] {
			if e.Key != "" || e.Type != "" || e.Provenance.Backend != "" {
				t.Fatalf("a list taken back still holds item %d: %+v", i, e.Item)
			}
		}
		// What was gathered is the record's own: filling the list again changes nothing.
		encountersFor(again, "b9", 1000)
		if r.Sections.Encounters[0].Provenance.Backend != "b0" {
			t.Fatal("the record shares the list taken back")
		}
		break
	}
	if !back {
		t.Fatal("a list Gather was done with was never handed out again")
	}

	for _, c := range []struct {
		name string
		list func() []Encounter
	}{
		{"made elsewhere", func() []Encounter { return make([]Encounter, 0, 2000) }},
		{"part of a lent list", func() []Encounter { return EncounterList(2000)[1:1] }},
	} {
		for range 20 {
			l := encountersFor(c.list(), "b0", 1000)
			gatherOne(l)
			for range 3 {
				if again := EncounterList(1000); unsafe.SliceData(again) == unsafe.SliceData(l) {
					t.Fatalf("a list %s was handed out by EncounterList", c.name)
				}
			}
		}
	}
	if EncounterList(0) != nil {
		t.Error("EncounterList(0) made a list")
	}
}
