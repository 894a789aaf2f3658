package client

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// TestRecycledPagesChangeNothing: the large demo record read page by page (1,000
// encounters a page) with each mapped page's buffer handed back, zeroed and read into
// again is the record read with every page in a buffer of its own: nothing kept from a
// page (items, references, statuses, warnings) still reads its bytes. Seen to fail when
// the buffer is handed back before the page is mapped.
func TestRecycledPagesChangeNothing(t *testing.T) {
	srv := startDemo(t, demo.Options{LargeEncounters: 6000, PageSize: 1000})
	nhs := largeDemoNHS(t)
	fetch := func() *record.Record {
		fed, err := NewFederation(srv.Config(), Options{User: reliabilityUser})
		if err != nil {
			t.Fatal(err)
		}
		defer fed.Close()
		rec, found := fed.Fetch(context.Background(), nhs, record.Sections())
		if !found {
			t.Fatal("the large record was not found")
		}
		return rec
	}
	old := recycleBody
	defer func() { recycleBody = old }()
	recycleBody = func(fhir.Body) bool { return false } // every page its own buffer
	want := fetch()
	var recycled atomic.Int64
	recycleBody = func(b fhir.Body) bool {
		kept := fhir.RecycleBody(b)
		if kept {
			recycled.Add(1)
		}
		return kept
	}
	for range 2 {
		got := fetch()
		if n := len(got.Sections.Encounters); n < 6000 {
			t.Fatalf("%d encounters, want at least 6,000", n)
		}
		if !reflect.DeepEqual(got.Sections, want.Sections) {
			for i := range want.Sections.Encounters {
				if i >= len(got.Sections.Encounters) || !reflect.DeepEqual(got.Sections.Encounters[i], want.Sections.Encounters[i]) {
					t.Fatalf("encounter %d differs with pages recycled", i)
				}
			}
			t.Fatal("the sections differ with pages recycled")
		}
		if !sameStatuses(got.SectionStatus, want.SectionStatus) {
			t.Fatalf("statuses differ with pages recycled:\n%+v\n%+v", got.SectionStatus, want.SectionStatus)
		}
	}
	if recycled.Load() < 5 {
		t.Fatalf("%d page buffers handed back: the test reads too few pages to prove anything", recycled.Load())
	}
}

// sameStatuses: the same section statuses, whatever order the back ends finished in.
func sameStatuses(a, b []record.SectionStatus) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
	for i := range a {
		found := false
		for j := range b {
			if !used[j] && reflect.DeepEqual(a[i], b[j]) {
				used[j], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
