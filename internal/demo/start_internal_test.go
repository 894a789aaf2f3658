package demo

import (
	"net/http/httptest"
	"sync"
	"testing"
)

// BenchmarkBuildDataset is the cost of building the whole demo data set in a new process
// (what the first request that needs it pays once).
func BenchmarkBuildDataset(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := loadDataset(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStartCold is Start in a new process: the data set not yet built. It is what
// `shcr demo` pays before its first screen.
func BenchmarkStartCold(b *testing.B) {
	b.ReportAllocs()
	saved := builtDataset
	defer func() { builtDataset = saved }()
	for b.Loop() {
		builtDataset = sync.OnceValues(loadDataset)
		s, err := Start(Full(nil)) // what shcr demo starts: the records and the national services
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

// Starting everything shcr demo starts (the national services too) builds the dataset but
// not the large record's bulk: the first screen does not wait for it.
func TestFullStartLeavesTheBulkUnbuilt(t *testing.T) {
	saved := builtDataset
	defer func() { builtDataset = saved }()
	builtDataset = sync.OnceValues(loadDataset)
	s, err := Start(Full(nil))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ds, err := builtDataset()
	if err != nil {
		t.Fatal(err)
	}
	if ds.health.lazy == nil {
		t.Fatal("no bulk is deferred")
	}
	if n := ds.health.lazy.built.Load(); n != 0 {
		t.Errorf("starting the demo built the large record's bulk %d times", n)
	}
}

// TestLargeBulkBuiltLazilyOnce: starting the demo, searching for people and reading
// another person's record never build the large record's bulk; the first request that
// needs it builds it, once, however many ask at the same time.
func TestLargeBulkBuiltLazilyOnce(t *testing.T) {
	ds, err := loadDataset()
	if err != nil {
		t.Fatal(err)
	}
	st := ds.health
	if st.lazy == nil || len(st.lazy.pids) == 0 {
		t.Fatal("no bulk is deferred")
	}
	h := newR4Handler("http://demo.invalid/fhir", st).(*r4Handler)
	get := func(path string) int {
		req := httptest.NewRequest("GET", "http://demo.invalid/"+path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	var large string
	for pid := range st.lazy.pids {
		large = pid
	}
	for _, path := range []string{"metadata", "Patient?family=Example", "Patient/" + large, "Encounter?patient=shcr-0001", "AllergyIntolerance?patient=Patient/shcr-0002"} {
		if code := get(path); code != 200 {
			t.Errorf("%s: status %d", path, code)
		}
	}
	if n := st.lazy.built.Load(); n != 0 {
		t.Fatalf("the bulk was built %d times before anyone needed it", n)
	}
	before := len(st.byPat["Encounter"][large])
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if code := get("Encounter?patient=" + large + "&_count=10"); code != 200 {
				t.Errorf("status %d", code)
			}
		})
	}
	wg.Wait()
	if n := st.lazy.built.Load(); n != 1 {
		t.Fatalf("the bulk was built %d times, want once", n)
	}
	if after := len(st.current(false).byPat["Encounter"][large]); after < before+5000 {
		t.Errorf("the large record has %d encounters after the build (%d before)", after, before)
	}
	if len(st.byPat["Encounter"][large]) != before {
		t.Error("building the bulk changed the store earlier requests read")
	}
}

// BenchmarkBuildLargeBulk is what the first request for the large record pays, once per
// process: its 5,000+ encounters and 240 medications built into a copy of the store.
func BenchmarkBuildLargeBulk(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		ds, err := loadDataset()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		ds.health.current(true)
	}
}
