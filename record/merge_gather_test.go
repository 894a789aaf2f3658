package record

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"testing"
	"time"
)

// gatherCase is one open's parts from several back ends, in configuration order, with an
// arrival order: each back end's parts in their own order, the back ends interleaved.
type gatherCase struct {
	parts   [][]Part // by back end rank
	arrival []Part
}

// randomGatherCase makes back ends reporting overlapping items: a few keys shared between
// them (and "" keys), the same or another content, restricted or not, a back end's item
// sent twice. odd is the chance of an item Merge does not recognise by Key alone (another
// identifier, provenance naming another back end, AlsoFrom already set).
func randomGatherCase(r *rand.Rand, odd float64) gatherCase {
	var c gatherCase
	backends := 1 + r.IntN(5)
	for b := range backends {
		name := fmt.Sprintf("b%d", b)
		var parts []Part
		for p := range 1 + r.IntN(3) {
			var encs []Encounter
			var allergies []Allergy
			for range r.IntN(6) {
				it := Item{Key: []string{"", "k1", "k2", "k3", "k4", "k5"}[r.IntN(6)],
					Provenance: Provenance{Backend: name, Organisation: fmt.Sprintf("org %d", r.IntN(2)), Security: []string{"N"}},
					Restricted: r.IntN(4) == 0}
				if r.Float64() < odd {
					switch r.IntN(3) {
					case 0:
						it.AlsoKnownAs = []string{fmt.Sprintf("k%d", 1+r.IntN(5))}
					case 1:
						it.Provenance.Backend = fmt.Sprintf("b%d", r.IntN(backends))
					default:
						it.AlsoFrom = []Provenance{{Backend: "elsewhere"}}
					}
				}
				typ := "Outpatient appointment"
				if r.IntN(5) == 0 {
					typ = fmt.Sprintf("Home visit %d", p)
				}
				encs = append(encs, Encounter{Item: it, Type: typ, Status: "finished"})
				if r.IntN(2) == 0 {
					allergies = append(allergies, Allergy{Item: it, Substance: typ})
				}
			}
			contacts := []Contact{{Item: Item{Key: "mary", Provenance: Provenance{Backend: name}}, Name: "Mary Pebbleworth", Relationship: "Daughter"}}
			st := SectionStatus{Backend: name, Section: SectionEncounters, State: StateReturned, Count: len(encs)}
			if len(encs)%2 == 1 {
				// Still loading, with the server's count (a guess, too small or too big):
				// Gather and Merge make room from it.
				st.State, st.Total = StateLoading, 2*len(encs)+p
			}
			parts = append(parts, Part{Backend: name, Sections: SectionsData{Encounters: encs, Allergies: allergies, NextOfKin: contacts},
				Status: []SectionStatus{st}})
		}
		c.parts = append(c.parts, parts)
	}
	next := make([]int, backends)
	for left := 0; ; left = 0 {
		var open []int
		for b := range backends {
			if next[b] < len(c.parts[b]) {
				open = append(open, b)
				left++
			}
		}
		if left == 0 {
			return c
		}
		b := open[r.IntN(len(open))]
		c.arrival = append(c.arrival, c.parts[b][next[b]])
		next[b]++
	}
}

// inOrder is the record Merge builds from the parts taken in configuration order.
func (c gatherCase) inOrder() *Record {
	r := &Record{}
	for _, parts := range c.parts {
		for _, p := range parts {
			r.Merge(cloneParts(p))
		}
	}
	return r
}

// gathered is the record a Gather builds from the parts in arrival order (the rest of each
// part merged in configuration order, as client's orderedMerge does), and whether any list
// was kept item by item.
func (c gatherCase) gathered() (*Record, bool) {
	r := &Record{}
	g := NewGather(r)
	rest := make([][]Part, len(c.parts))
	for _, p := range c.arrival {
		p = cloneParts(p)
		rank := int(p.Backend[1] - '0')
		g.Add(&p, rank)
		if p.Sections.Encounters != nil || p.Sections.Allergies != nil {
			panic("Add left a gathered list in the part")
		}
		rest[rank] = append(rest[rank], p)
	}
	for _, parts := range rest {
		for _, p := range parts {
			r.Merge(p)
		}
	}
	replayed := false
	for _, l := range g.lists {
		if e, ok := l.(*itemGather[Encounter, *Encounter]); ok {
			replayed = e.replays
		}
	}
	g.Done()
	return r, replayed
}

// cloneParts copies a part's lists (and their items' slices), so that merging one copy
// cannot change another's.
func cloneParts(p Part) Part {
	b, err := json.Marshal(p.Sections)
	if err != nil {
		panic(err)
	}
	var s SectionsData
	if err := json.Unmarshal(b, &s); err != nil {
		panic(err)
	}
	if s.Encounters != nil {
		// Into a list Gather takes back once gathered and hands out again, here to the
		// next part cloned: an item the gather kept a hold of in a part's list would change.
		s.Encounters = append(EncounterList(len(s.Encounters)), s.Encounters...)
	}
	// AlsoKnownAs is not in JSON: carry it over.
	for i := range s.Encounters {
		s.Encounters[i].AlsoKnownAs = slices.Clone(p.Sections.Encounters[i].AlsoKnownAs)
	}
	for i := range s.Allergies {
		s.Allergies[i].AlsoKnownAs = slices.Clone(p.Sections.Allergies[i].AlsoKnownAs)
	}
	p.Sections = s
	return p
}

// Whatever order the parts arrive in, gathering them gives the record Merge gives from the
// parts in configuration order: the same items, leads, AlsoFrom, Restricted, and order.
func TestGatherIsMergeInConfigurationOrder(t *testing.T) {
	for _, odd := range []float64{0, 0.05, 0.3, 0.6} {
		t.Run(fmt.Sprintf("odd=%v", odd), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(odd*100)))
			grouped, replayed, shared := 0, 0, 0
			for n := range 1000 {
				c := randomGatherCase(r, odd)
				want := c.inOrder()
				got, replays := c.gathered()
				if replays {
					replayed++
				} else {
					grouped++
				}
				for _, e := range want.Sections.Encounters {
					if len(e.AlsoFrom) > 0 {
						shared++
					}
				}
				if !reflect.DeepEqual(want.Sections, got.Sections) {
					w, _ := json.MarshalIndent(want.Sections.Encounters, "", " ")
					g, _ := json.MarshalIndent(got.Sections.Encounters, "", " ")
					t.Fatalf("case %d (kept item by item: %v): gathered differs from the ordered merge\nwant %s\ngot  %s", n, replays, w, g)
				}
			}
			t.Logf("%d cases grouped, %d kept item by item, %d shared encounters", grouped, replayed, shared)
			if grouped < 50 || shared < 50 {
				t.Fatalf("the cases did not exercise grouping: %d grouped, %d shared", grouped, shared)
			}
			if odd > 0 && replayed < 50 {
				t.Fatalf("the cases did not exercise keeping items one by one: %d", replayed)
			}
		})
	}
}

// An item that fifty back ends report is held once while gathering: the other back ends'
// copies leave only their provenance (and a small note of where they came).
func TestGatherHoldsOneCopyOfASharedItem(t *testing.T) {
	r := &Record{}
	g := NewGather(r)
	for rank := 49; rank >= 0; rank-- { // the last configured answers first
		name := fmt.Sprintf("b%02d", rank)
		p := Part{Backend: name, Sections: SectionsData{Encounters: []Encounter{
			{Item: Item{Key: "enc-1", Provenance: Provenance{Backend: name}}, Type: "Outpatient appointment"}}}}
		g.Add(&p, rank)
	}
	var e *itemGather[Encounter, *Encounter]
	for _, l := range g.lists {
		if x, ok := l.(*itemGather[Encounter, *Encounter]); ok {
			e = x
		}
	}
	if e.replays || len(r.Sections.Encounters) != 1 {
		t.Fatalf("kept item by item %v, %d groups: want one group", e.replays, len(r.Sections.Encounters))
	}
	for _, m := range e.members {
		if m.whole != nil {
			t.Fatalf("a copy from rank %d was kept whole", m.rank)
		}
	}
	g.Done()
	enc := r.Sections.Encounters
	if len(enc) != 1 || enc[0].Provenance.Backend != "b00" || len(enc[0].AlsoFrom) != 49 || enc[0].AlsoFrom[0].Backend != "b01" || enc[0].AlsoFrom[48].Backend != "b49" {
		t.Fatalf("got %+v", enc)
	}
	if c := cap(enc[0].AlsoFrom); c > 49+49/4+4 {
		t.Errorf("room for %d provenances kept for 49", c)
	}
}

// gatherBenchParts are the parts one open of a large record brings, as the client emits
// them: per back end, pages of 1,000 encounters (the first saying it is loading, with the
// server's total), keyed as the demo's are; shared back ends report the same keys.
func gatherBenchParts(backends, n int) [][]Part {
	out := make([][]Part, backends)
	for b := range backends {
		name := fmt.Sprintf("b%d", b)
		for from := 0; from < n; from += 1000 {
			encs := make([]Encounter, 0, 1000)
			for i := from; i < min(n, from+1000); i++ {
				encs = append(encs, Encounter{Item: Item{
					Key:        fmt.Sprintf("https://shcr.demoshire.example.nhs.uk/Id/local-record-id|en-0010-L%d", i),
					Provenance: Provenance{Backend: name, Resource: fmt.Sprintf("Encounter/en-0010-L%d", i), Security: []string{}},
				}, Type: "Outpatient appointment", Status: "finished"})
			}
			state := StateLoading
			if from+1000 >= n {
				state = StateReturned
			}
			out[b] = append(out[b], Part{Backend: name, Sections: SectionsData{Encounters: encs},
				Status: []SectionStatus{{Backend: name, Section: SectionEncounters, State: state, Count: from + len(encs), Total: n}}})
		}
	}
	return out
}

// BenchmarkGatherLargeSection gathers 50,000 encounters from one back end (and 5,200 that
// three back ends each report) as client's orderedMerge does: Add, then Merge of the rest,
// then Done.
func BenchmarkGatherLargeSection(b *testing.B) {
	for _, c := range []struct {
		name        string
		backends, n int
		interleaved bool // the back ends' parts arrive in turn (each back end's first, then second…)
	}{{"one-50000", 1, 50000, false}, {"three-5200", 3, 5200, false}, {"seventeen-5200-in-turn", 17, 5200, true}} {
		b.Run(c.name, func(b *testing.B) {
			parts := gatherBenchParts(c.backends, c.n)
			type arrival struct {
				p    Part
				rank int
			}
			var order []arrival
			for i := 0; i < len(parts[0]); i++ {
				for rank, ps := range parts {
					if c.interleaved {
						order = append(order, arrival{ps[i], rank})
					}
				}
			}
			if !c.interleaved {
				for rank, ps := range parts {
					for _, p := range ps {
						order = append(order, arrival{p, rank})
					}
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				r := &Record{}
				g := NewGather(r)
				for _, a := range order {
					p := a.p
					g.Add(&p, a.rank)
					r.Merge(p)
				}
				g.Done()
				if len(r.Sections.Encounters) != c.n {
					b.Fatalf("%d encounters", len(r.Sections.Encounters))
				}
			}
		})
	}
}

// A section still loading that says how many it will bring has its gathered index made
// that big at once: gathering the rest of its parts allocates nothing (the list itself is
// made that big by Merge), and the items are those gathered without the room.
func TestGatherMakesRoomFromTheTotal(t *testing.T) {
	want := &Record{}
	for _, p := range gatherBenchParts(1, 4000)[0] {
		want.Merge(p)
	}
	// MemStats counts every goroutine's allocations (the runtime's own, rarely): a few
	// tries, one must make none.
	fewest := uint64(1 << 62)
	for range 3 {
		parts := gatherBenchParts(1, 4000)
		r := &Record{}
		g := NewGather(r)
		first := parts[0][0]
		g.Add(&first, 0)
		if c := cap(r.Sections.Encounters); c < 4000 {
			// The first part's items went into a list grown item by item, copied again
			// by Merge's room.
			t.Fatalf("the record's list has room for %d after the first part, want the 4,000 it said", c)
		}
		r.Merge(first)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range parts[0][1:] {
			g.Add(&parts[0][1+i], 0)
		}
		runtime.ReadMemStats(&after)
		fewest = min(fewest, after.Mallocs-before.Mallocs)
		g.Done()
		if !reflect.DeepEqual(want.Sections, r.Sections) {
			t.Fatal("gathered with room differs from the merge")
		}
	}
	if fewest > 0 {
		t.Errorf("gathering 3,000 items of a section with room for them made %d allocations", fewest)
	}
}

// sameEncounterBody (the gather's typed comparison) says "the same" only when
// reflect.DeepEqual does, and tells apart two encounters that differ in any one field
// outside their Item: a field Encounter gains that it does not compare fails here by name.
func TestSameEncounterBodyComparesEveryField(t *testing.T) {
	at := time.Date(2026, 3, 12, 9, 30, 0, 0, time.UTC)
	base := Encounter{Item: Item{Key: "k"}}
	// Every leaf outside Item set, so that changing it is a change.
	var leaves []string
	var set func(v reflect.Value, path string, change bool, only string)
	set = func(v reflect.Value, path string, change bool, only string) {
		if v.Type() == reflect.TypeFor[time.Time]() {
			if only == "" || only == path {
				if change {
					v.Set(reflect.ValueOf(at.Add(time.Hour)))
				} else {
					v.Set(reflect.ValueOf(at))
				}
			}
			if !change {
				leaves = append(leaves, path)
			}
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if f.Type == reflect.TypeFor[Item]() {
					continue
				}
				set(v.Field(i), path+"."+f.Name, change, only)
			}
		case reflect.String:
			if only == "" || only == path {
				if change {
					v.SetString("changed " + path)
				} else {
					v.SetString("as said " + path)
				}
			}
			if !change {
				leaves = append(leaves, path)
			}
		default:
			t.Fatalf("Encounter%s is a %s: teach this test (and sameEncounterBody) how to change it", path, v.Kind())
		}
	}
	set(reflect.ValueOf(&base).Elem(), "", false, "")
	if len(leaves) < 19 {
		t.Fatalf("only %d fields found: %v", len(leaves), leaves)
	}
	var gathered *itemGather[Encounter, *Encounter] // its comparison
	for _, l := range NewGather(&Record{}).lists {
		if e, ok := l.(*itemGather[Encounter, *Encounter]); ok {
			gathered = e
		}
	}
	if gathered.same == nil {
		t.Fatal("the encounters' gather has no typed comparison")
	}
	same := base
	same.Item = Item{Key: "other", Provenance: Provenance{Backend: "b1"}, AlsoFrom: []Provenance{{Backend: "b2"}}}
	if !sameEncounterBody(&base, &same) || !sameBody[Encounter, *Encounter](&base, &same) {
		t.Fatal("two encounters differing only in their Item are not the same")
	}
	for _, leaf := range leaves {
		other := base
		set(reflect.ValueOf(&other).Elem(), "", true, leaf)
		if reflect.DeepEqual(base, other) {
			t.Fatalf("Encounter%s: not changed", leaf)
		}
		if sameEncounterBody(&base, &other) {
			t.Errorf("Encounter%s differs, but sameEncounterBody says the same", leaf)
		}
		if sameBody[Encounter, *Encounter](&base, &other) {
			t.Errorf("Encounter%s differs, but sameBody says the same", leaf)
		}
		if gathered.sameBody(&base, &other) {
			t.Errorf("Encounter%s differs, but the gather's comparison says the same", leaf)
		}
	}
	// The same instant in another *Location alike: not the same to ==, the same to
	// DeepEqual, so the gather's comparison asks it.
	london1, london2 := time.FixedZone("UK", 0), time.FixedZone("UK", 0)
	a, b := base, base
	a.Period.Start, b.Period.Start = at.In(london1), at.In(london2)
	if sameEncounterBody(&a, &b) || !gathered.sameBody(&a, &b) {
		t.Error("times alike in two Locations: want not == but the same body")
	}
}

// Seventeen back ends reporting the same items, their parts in turn (as fifty back ends'
// pages come): once a group has every back end's provenance, a later group's AlsoFrom is
// made with that room at once, not grown by a quarter eight times.
func TestGatherGivesAGroupItsRoomAtOnce(t *testing.T) {
	parts := gatherBenchParts(17, 3000)
	r := &Record{}
	g := NewGather(r)
	for i := range parts[0] {
		for rank := range parts {
			p := parts[rank][i]
			g.Add(&p, rank)
		}
	}
	g.Done()
	enc := r.Sections.Encounters
	if len(enc) != 3000 {
		t.Fatalf("%d encounters", len(enc))
	}
	for i, e := range enc {
		if len(e.AlsoFrom) != 16 || e.AlsoFrom[15].Backend != "b16" {
			t.Fatalf("encounter %d: %d also reported", i, len(e.AlsoFrom))
		}
		if c := cap(e.AlsoFrom); i >= 1000 && c != 16 || c > 16+16/4+2 {
			t.Fatalf("encounter %d (part %d): room for %d provenances kept for 16", i, i/1000+1, c)
		}
	}
}
