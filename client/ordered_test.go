package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// orderedParts is one open's answers from two back ends that both report Mary (the same
// contact, one key), each with something of its own: A is configured first.
func orderedParts() (a, b []record.Part) {
	contact := func(backend, key, phone string) record.Contact {
		return record.Contact{Item: record.Item{Key: key, Provenance: record.Provenance{Backend: backend, Organisation: backend + " org"}},
			Name: "Mary Pebbleworth", Relationship: "Daughter", Phones: []record.Phone{{Number: phone, Use: "mobile"}}}
	}
	status := func(backend string) record.SectionStatus {
		return record.SectionStatus{Backend: backend, Section: record.SectionNextOfKin, State: record.StateReturned, Count: 2}
	}
	a = []record.Part{{Backend: "A", Sections: record.SectionsData{NextOfKin: []record.Contact{contact("A", "mary", "07700 900123"), contact("A", "tom", "07700 900456")}},
		Status: []record.SectionStatus{status("A")}}}
	b = []record.Part{{Backend: "B", Sections: record.SectionsData{NextOfKin: []record.Contact{contact("B", "jo", "01632 960777"), contact("B", "mary", "07700 900123")}},
		Status: []record.SectionStatus{status("B")}}}
	return a, b
}

// Whichever back end answers first, the merged record is the same: the first configured
// back end leads an item both report (its provenance, the other in AlsoFrom) and its items
// come first. A part waits only while a back end before its own is still answering.
func TestOrderedMergeIsTheSameWhateverTheArrivalOrder(t *testing.T) {
	a, b := orderedParts()
	inOrder := &record.Record{}
	m := newOrderedMerge(inOrder, []string{"A", "B"})
	m.part(a[0])
	m.finished("A")
	m.part(b[0])
	m.finished("B")
	m.close()

	reversed := &record.Record{}
	m = newOrderedMerge(reversed, []string{"A", "B"})
	m.part(b[0])
	if len(reversed.Sections.NextOfKin) != 0 {
		t.Fatal("B's part merged while A, configured before it, was still answering")
	}
	m.finished("B")
	m.part(a[0])
	if len(reversed.Sections.NextOfKin) != 2 {
		t.Fatalf("A's part (the first back end) not merged as it came: %d contacts", len(reversed.Sections.NextOfKin))
	}
	m.finished("A")
	if len(reversed.Sections.NextOfKin) != 3 {
		t.Fatalf("B's part not merged once A finished: %d contacts", len(reversed.Sections.NextOfKin))
	}
	m.close()

	if !reflect.DeepEqual(inOrder.Sections, reversed.Sections) {
		t.Errorf("the record depends on the arrival order:\n in order %+v\n reversed %+v", inOrder.Sections.NextOfKin, reversed.Sections.NextOfKin)
	}
	mary := reversed.Sections.NextOfKin[0]
	if mary.Key != "mary" || mary.Provenance.Backend != "A" || len(mary.AlsoFrom) != 1 || mary.AlsoFrom[0].Backend != "B" {
		t.Errorf("Mary is led by %s, also from %+v: want A, also from B", mary.Provenance.Backend, mary.AlsoFrom)
	}

	// A back end that never says it finished (an open cut short) is merged at the end, in order.
	cut := &record.Record{}
	m = newOrderedMerge(cut, []string{"A", "B"})
	m.part(b[0])
	m.part(a[0])
	m.close()
	if !reflect.DeepEqual(inOrder.Sections, cut.Sections) {
		t.Errorf("closing merged out of order: %+v", cut.Sections.NextOfKin)
	}
}

// OpenRecord gives the same record every time against the demo back ends (three, answering
// in whatever order the scheduler lets them): items both the regional record and the
// council report are led by the regional record, configured first.
func TestOpenRecordIsStable(t *testing.T) {
	srv := startDemo(t, demo.Options{})
	fed, err := NewFederation([]config.Backend{demoConfig(t, srv, demo.NameNHS), demoConfig(t, srv, demo.NameCouncil), demoConfig(t, srv, demo.NameGP)},
		Options{User: config.User{Name: "Dr Test User", ID: "999999999999", Role: "R8000"}, Now: func() time.Time { return demo.ReferenceDate }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	var first []byte
	for run := range 6 {
		rec, found := fed.Fetch(ctxTimeout(t, 30*time.Second), demoNHS(t), record.Sections())
		if !found {
			t.Fatal("the demo person was not found")
		}
		got, err := json.Marshal(rec.Sections)
		if err != nil {
			t.Fatal(err)
		}
		if run == 0 {
			first = got
			shared := 0
			rec.Sections.EachItem(func(_ record.Section, it *record.Item) {
				if len(it.AlsoFrom) > 0 {
					shared++
					if it.Provenance.Backend == demo.NameCouncil && it.AlsoFrom[0].Backend == demo.NameNHS {
						t.Errorf("%s is led by the council, though %s is configured first", it.Key, demo.NameNHS)
					}
				}
			})
			if shared == 0 {
				t.Fatal("no item reported by two back ends: the test shows nothing")
			}
			continue
		}
		if !bytes.Equal(first, got) {
			t.Fatalf("run %d differs from the first", run)
		}
	}
}

// heldMerge is orderedMerge as it was before the item lists were gathered: every part of a
// back end after the first one still answering is held whole, and merged (record.Merge) in
// configuration order. The property test holds the gathering to it.
type heldMerge struct {
	rec  *record.Record
	rank map[string]int
	next int
	done []bool
	held [][]record.Part
}

func newHeldMerge(rec *record.Record, names []string) *heldMerge {
	m := &heldMerge{rec: rec, rank: map[string]int{}, done: make([]bool, len(names)), held: make([][]record.Part, len(names))}
	for i, n := range names {
		m.rank[n] = i
	}
	return m
}

func (m *heldMerge) part(p record.Part) {
	if i, ok := m.rank[p.Backend]; ok && i > m.next {
		m.held[i] = append(m.held[i], p)
		return
	}
	m.rec.Merge(p)
}

func (m *heldMerge) finished(name string) {
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

func (m *heldMerge) flush(i int) {
	if i < len(m.held) {
		for _, p := range m.held[i] {
			m.rec.Merge(p)
		}
		m.held[i] = nil
	}
}

func (m *heldMerge) close() {
	for i := range m.held {
		m.flush(i)
	}
}

// shuffledOpen makes one open's events from a seed: back ends answering in parts (items
// several of them share, some under a second identifier, contacts, statuses, notices), in
// a random arrival order, each back end saying it finished after its last part (or never).
// The same seed makes the same events, afresh (merging changes the items it is given).
type openEvent struct {
	part     *record.Part
	finished string
}

func shuffledOpen(seed uint64) (names []string, events []openEvent) {
	r := rand.New(rand.NewPCG(seed, 7))
	n := 2 + r.IntN(4)
	var perBackend [][]openEvent
	for b := range n {
		name := fmt.Sprintf("Back end %d", b)
		names = append(names, name)
		var evs []openEvent
		for p := range 1 + r.IntN(3) {
			prov := func() record.Provenance {
				return record.Provenance{Backend: name, Organisation: fmt.Sprintf("Org %d", r.IntN(2)), Domain: record.DomainHealth}
			}
			part := record.Part{Backend: name}
			for range r.IntN(8) {
				it := record.Item{Key: fmt.Sprintf("enc-%d", r.IntN(6)), Provenance: prov(), Restricted: r.IntN(5) == 0}
				if r.IntN(10) == 0 {
					it.AlsoKnownAs = []string{fmt.Sprintf("enc-%d", r.IntN(6))}
				}
				part.Sections.Encounters = append(part.Sections.Encounters, record.Encounter{Item: it, Type: []string{"Outpatient appointment", "Home visit"}[r.IntN(2)], Status: "finished"})
			}
			for range r.IntN(3) {
				part.Sections.Medications = append(part.Sections.Medications, record.Medication{
					Item: record.Item{Key: fmt.Sprintf("med-%d", r.IntN(4)), Provenance: prov()}, Name: "Ramipril 2.5mg capsules", Status: "active"})
			}
			if r.IntN(2) == 0 {
				part.Sections.NextOfKin = []record.Contact{{Item: record.Item{Key: fmt.Sprintf("nok-%d-%d", b, p), Provenance: prov()},
					Name: "Mary Pebbleworth", Relationship: "Daughter", Phones: []record.Phone{{Number: "07700 900123"}}}}
			}
			part.Status = []record.SectionStatus{{Backend: name, Section: record.SectionEncounters, State: record.StateLoading, Count: len(part.Sections.Encounters), Total: 20}}
			if r.IntN(4) == 0 {
				part.Notices = []record.Notice{{Backend: name, Kind: "slow", Text: name + " is slow"}}
			}
			evs = append(evs, openEvent{part: &part})
		}
		last := evs[len(evs)-1].part
		last.Status = []record.SectionStatus{{Backend: name, Section: record.SectionEncounters, State: record.StateReturned, Count: 20}}
		if r.IntN(6) != 0 {
			evs = append(evs, openEvent{finished: name})
		}
		perBackend = append(perBackend, evs)
	}
	for {
		var open []int
		for b, evs := range perBackend {
			if len(evs) > 0 {
				open = append(open, b)
			}
		}
		if len(open) == 0 {
			return names, events
		}
		b := open[r.IntN(len(open))]
		events = append(events, perBackend[b][0])
		perBackend[b] = perBackend[b][1:]
	}
}

// Whatever order the back ends' parts and ends arrive in, orderedMerge gives the record the
// held merge gives: the same items, leads, AlsoFrom, statuses, notices, in the same order.
func TestOrderedMergeIsTheHeldMergeWhateverTheArrivalOrder(t *testing.T) {
	shared := 0
	for seed := range uint64(2000) {
		names, events := shuffledOpen(seed)
		want := &record.Record{}
		held := newHeldMerge(want, names)
		for _, e := range events {
			if e.part != nil {
				held.part(*e.part)
			} else {
				held.finished(e.finished)
			}
		}
		held.close()

		_, events = shuffledOpen(seed)
		got := &record.Record{}
		m := newOrderedMerge(got, names)
		for _, e := range events {
			if e.part != nil {
				m.part(*e.part)
			} else {
				m.finished(e.finished)
			}
		}
		m.close()

		for _, e := range want.Sections.Encounters {
			if len(e.AlsoFrom) > 0 {
				shared++
			}
		}
		if !reflect.DeepEqual(want, got) {
			w, _ := json.MarshalIndent(want, "", " ")
			g, _ := json.MarshalIndent(got, "", " ")
			t.Fatalf("seed %d: the record differs from the held merge's\nwant %s\ngot  %s", seed, w, g)
		}
	}
	if shared < 1000 {
		t.Fatalf("only %d encounters reported by two back ends: the cases show little", shared)
	}
}
