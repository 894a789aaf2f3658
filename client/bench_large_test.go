package client

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// largeDemoNHS is the demo person with the large record (5,000+ encounters, 240
// medications), found by what People says they show.
func largeDemoNHS(tb testing.TB) string {
	tb.Helper()
	for _, p := range demo.People() {
		if p.NHSNumber != "" && strings.Contains(strings.ToLower(p.Shows), "large record") {
			return p.NHSNumber
		}
	}
	tb.Fatal("no demo person shows the large record")
	return ""
}

// BenchmarkFetchLargeRecord loads the large demo record in full — search on every demo
// back end, then every section of every back end, every page (5,000+ encounters at the
// server's page size, 240 medications) — through Federation.Fetch, as `shcr get` does.
// The demo back ends run in the same process on loopback, so their work is in the figure
// too. Goal: ≤ 1 s per record (cold: a new Federation each time, CapabilityStatements read
// again). B/op is everything allocated; bench/run.sh measures the whole process's peak RSS.
func BenchmarkFetchLargeRecord(b *testing.B) {
	srv := startDemo(b, demo.Options{})
	nhs := largeDemoNHS(b)
	opts := Options{User: reliabilityUser}
	check := func(b *testing.B, rec *record.Record, found bool) {
		if !found {
			b.Fatal("the large record was not found")
		}
		if n := len(rec.Sections.Encounters); n < 5000 {
			b.Fatalf("%d encounters, want ≥ 5,000", n)
		}
		if n := len(rec.Sections.Medications); n < 200 {
			b.Fatalf("%d medications, want ≥ 200", n)
		}
		for _, st := range rec.Backends {
			if st.Status != record.BackendOK && st.Status != record.BackendSlow {
				b.Fatalf("%s: %s %s", st.Name, st.Status, st.Error)
			}
		}
		for _, st := range rec.SectionStatus {
			if st.State == record.StateTruncated {
				b.Fatalf("%s %s truncated at %d: the record was not loaded in full", st.Backend, st.Section, st.Count)
			}
		}
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		var rec *record.Record
		for b.Loop() {
			fed, err := NewFederation(srv.Config(), opts)
			if err != nil {
				b.Fatal(err)
			}
			var found bool
			rec, found = fed.Fetch(context.Background(), nhs, record.Sections())
			fed.Close()
			check(b, rec, found)
		}
		b.ReportMetric(float64(len(rec.Sections.Encounters)), "encounters")
		b.ReportMetric(float64(len(rec.Sections.Medications)), "medications")
	})
	b.Run("warm", func(b *testing.B) {
		fed, err := NewFederation(srv.Config(), opts)
		if err != nil {
			b.Fatal(err)
		}
		defer fed.Close()
		rec, found := fed.Fetch(context.Background(), nhs, record.Sections())
		check(b, rec, found)
		b.ReportAllocs()
		for b.Loop() {
			rec, found = fed.Fetch(context.Background(), nhs, record.Sections())
			check(b, rec, found)
		}
	})
}

// BenchmarkFirstPage opens a record whose encounters come in many pages (the demo's large
// person with 20,000 encounters, 1,000 a page, on the demo's health back end alone) and
// reports how long after the open the first encounters are emitted (first-page-ms: the
// TUI shows them, the section still loading) beside the whole record (whole-ms), and the
// peak heap in use during the open (runtime.ReadMemStats every 2 ms).
func BenchmarkFirstPage(b *testing.B) {
	srv := startDemo(b, demo.Options{LargeEncounters: 20000, PageSize: 1000})
	cfg := demoConfig(b, srv, "Demo NHS ShCR")
	nhs := largeDemoNHS(b)
	var first, whole time.Duration
	open := func() {
		fed, err := NewFederation([]config.Backend{cfg}, Options{User: reliabilityUser})
		if err != nil {
			b.Fatal(err)
		}
		defer fed.Close()
		ctx := context.Background()
		matches, _ := fed.Search(ctx, record.Query{NHSNumber: nhs})
		if len(matches) != 1 {
			b.Fatalf("%d matches", len(matches))
		}
		var mu sync.Mutex
		rec := &record.Record{}
		start := time.Now()
		first = 0
		fed.Open(ctx, matches[0], record.Sections(), func(p record.Part) {
			mu.Lock()
			defer mu.Unlock()
			if first == 0 && len(p.Sections.Encounters) > 0 {
				first = time.Since(start)
			}
			rec.Merge(p)
		}, func(record.BackendStatus) {})
		whole = time.Since(start)
		if n := len(rec.Sections.Encounters); n < 20000 {
			b.Fatalf("%d encounters", n)
		}
	}
	open() // the demo builds its data once
	stopPeak := heapPeak(2 * time.Millisecond)
	b.ReportAllocs()
	var firsts, wholes time.Duration
	n := 0
	for b.Loop() {
		open()
		firsts += first
		wholes += whole
		n++
	}
	peak := stopPeak()
	b.ReportMetric(float64(firsts.Microseconds())/1000/float64(n), "first-page-ms")
	b.ReportMetric(float64(wholes.Microseconds())/1000/float64(n), "whole-ms")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
