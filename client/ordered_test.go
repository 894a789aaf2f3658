package client

import (
	"bytes"
	"encoding/json"
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
