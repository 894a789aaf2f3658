package fhir

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// predecodeAll decodes every Encounter of page ahead (as the search goroutine does while
// the mapping is busy) and reports how many it decoded.
func predecodeAll(d *Predecoder, page []Resource) int {
	d.Begin(page)
	n := 0
	for d.Next() {
		n++
	}
	return n
}

// Encounters decoded ahead map to the same items, in the same order, with the same
// warnings, as those the mapping decodes itself: every published example and test case,
// the fuzz seeds, the demo's shape and UK Core Encounters. The demo's shape must be
// decoded ahead (else the path is not exercised and the test proves nothing).
func TestPredecodedMapsTheSame(t *testing.T) {
	in := bundleInputs(t)
	in["ukcore"] = ukcoreEncounterBundle(t, 3)
	in["huge"] = largeEncounterBundle(600)
	var d Predecoder
	total := map[string]int{}
	for name, data := range in {
		b, err := ParseBundle(data)
		if err != nil {
			continue
		}
		mine := make([]Resource, len(b.Entries))
		copy(mine, b.Entries)
		n := predecodeAll(&d, b.Entries)
		total[name] = n
		for i := range mine {
			if mine[i].pre != nil {
				t.Fatalf("%s: the copy was changed", name)
			}
		}
		want, wantW := NewPageMapper(record.SectionEncounters, nil, healthSrc), []string(nil)
		got := NewPageMapper(record.SectionEncounters, nil, healthSrc)
		w, g := want.Map(mine, nil), got.Map(b.Entries, nil)
		wantW = want.Warnings()
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("%s: decoded ahead, the items differ:\n%+v\n%+v", name, w.Encounters, g.Encounters)
		}
		if !reflect.DeepEqual(wantW, got.Warnings()) {
			t.Fatalf("%s: decoded ahead, the warnings differ:\n%q\n%q", name, wantW, got.Warnings())
		}
	}
	if total["huge"] != predecodeMax {
		t.Fatalf("demo shape: %d of 600 encounters decoded ahead, want %d (at most predecodeMax a page)", total["huge"], predecodeMax)
	}
	if total["ukcore"] == 0 {
		t.Fatal("UK Core encounters: none decoded ahead")
	}
}

// A page's storage is reused every other page: a copy of a resource from a page whose
// storage now holds another page's Encounters is decoded again, not taken for another.
func TestPredecodedStorageReusedIsNotTaken(t *testing.T) {
	page := func() []Resource {
		b, err := ParseBundle(largeEncounterBundle(5))
		if err != nil {
			t.Fatal(err)
		}
		for i := range b.Entries {
			// Bytes of their own, as every page has.
			b.Entries[i].Raw = bytes.Clone(b.Entries[i].Raw)
		}
		return b.Entries
	}
	var d Predecoder
	first := page()
	if predecodeAll(&d, first) == 0 {
		t.Fatal("nothing decoded ahead")
	}
	stale := make([]Resource, len(first))
	copy(stale, first)
	predecodeAll(&d, page())
	third := page()
	predecodeAll(&d, third) // the first page's storage, now the third's
	decodedAhead := 0
	for i := range stale {
		if stale[i].pre != nil {
			decodedAhead++
			if predecodedFor(stale[i]) != nil {
				t.Fatalf("%s: taken for the Encounter now in its storage", stale[i].Ref())
			}
		}
		if predecodedFor(third[i]) == nil && third[i].pre != nil {
			t.Fatalf("%s: its own decoded Encounter not taken", third[i].Ref())
		}
	}
	if decodedAhead == 0 {
		t.Fatal("no stale copy was decoded ahead: the test proves nothing")
	}
	if d := first[0].Detached(); d.pre != nil {
		t.Fatal("Detached keeps the page's decoded Encounter")
	}
}
