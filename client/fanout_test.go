package client

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/internal/memlimit"
	"github.com/shcr-project/shcr/record"
)

// hostWaves is a client transport that gives each request a wave on its host: 1 + the
// highest wave among that host's requests whose answers had come back when it started.
// A request that needs another's answer (a next page, a reference read, the record after
// the search) starts after it, so a host's waves are the round trips the client waited
// for one after another there; back ends are asked side by side, so the record's round
// trips are the most any host took. The servers add a latency so that requests sent
// together overlap; nothing asserts on time.
type hostWaves struct {
	base http.RoundTripper

	mu       sync.Mutex
	finished map[string]int
	most     map[string]int
	requests int
	late     []string // requests after the first wave of a phase
	keep     bool     // keep every request in all
	all      []string
}

func newHostWaves() *hostWaves {
	return &hostWaves{base: http.DefaultTransport.(*http.Transport).Clone(), finished: map[string]int{}, most: map[string]int{}}
}

func (h *hostWaves) RoundTrip(r *http.Request) (*http.Response, error) {
	host := r.URL.Host
	h.mu.Lock()
	wave := h.finished[host] + 1
	h.most[host] = max(h.most[host], wave)
	h.requests++
	if wave > 1 {
		h.late = append(h.late, fmt.Sprintf("wave %d: %s %s", wave, r.Method, r.URL.RequestURI()))
	}
	if h.keep {
		h.all = append(h.all, fmt.Sprintf("wave %d: %s %s", wave, r.Method, r.URL.RequestURI()))
	}
	h.mu.Unlock()
	resp, err := h.base.RoundTrip(r)
	h.mu.Lock()
	h.finished[host] = max(h.finished[host], wave)
	h.mu.Unlock()
	return resp, err
}

// phase returns the most waves any host took since the last phase, and the requests, and
// starts a new phase.
func (h *hostWaves) phase() (waves, requests int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, n := range h.most {
		waves = max(waves, n)
	}
	requests = h.requests
	h.finished, h.most, h.requests, h.late = map[string]int{}, map[string]int{}, 0, nil
	return waves, requests
}

// openRecord searches every back end by NHS number and opens the match, as Federation.Fetch
// does, and returns the waves of each phase.
func openRecord(ctx context.Context, tb testing.TB, fed *Federation, hw *hostWaves, nhs string) (rec *record.Record, searchWaves, openWaves, requests int) {
	tb.Helper()
	matches, sts := fed.Search(ctx, record.Query{NHSNumber: nhs})
	if len(matches) != 1 {
		tb.Fatalf("%d people found: %+v", len(matches), sts)
	}
	searchWaves, n := hw.phase()
	rec = fed.OpenRecord(ctx, matches[0], record.Sections())
	late := slices.Clone(hw.late)
	openWaves, m := hw.phase()
	if openWaves > 2 && len(late) < 50 {
		tb.Logf("open: requests after the first round trip:\n%s", strings.Join(late, "\n"))
	}
	return rec, searchWaves, openWaves, n + m
}

// TestRoundTripsDemo: the whole record from the demo's three back ends (which declare and
// serve the _include and _revinclude values of every section) is the person search (with
// the CapabilityStatement beside it), every section at once, and one more round trip only
// for the references no include can bring (CareTeam.managingOrganization,
// DocumentReference.custodian: elements with no search parameter), each read once; the
// Patient the search returned is not read again.
func TestRoundTripsDemo(t *testing.T) {
	srv := startDemo(t, demo.Options{Latency: 50 * time.Millisecond})
	hw := newHostWaves()
	fed, err := NewFederation(srv.Config(), Options{User: reliabilityUser, HTTPClient: &http.Client{Transport: hw}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	hw.keep = true
	rec, sw, ow, n := openRecord(ctxTimeout(t, 30*time.Second), t, fed, hw, demoPerson(t, srv).NHS)
	t.Logf("round trips: demo (3 back ends): search %d, open %d, %d requests", sw, ow, n)
	if testing.Verbose() {
		t.Logf("%s", strings.Join(hw.all, "\n"))
	}
	if sw != 1 || ow > 2 {
		t.Errorf("search took %d round trips, open %d: want 1 and at most 2", sw, ow)
	}
	seen := map[string]bool{}
	for _, r := range hw.all {
		if strings.Contains(r, "/fhir/R4/Patient/") {
			t.Errorf("the Patient the search returned was read again: %s", r)
		}
		if strings.HasPrefix(r, "wave 2") {
			if seen[r] {
				t.Errorf("read twice: %s", r)
			}
			seen[r] = true
			if strings.Contains(r, "patient=") {
				t.Errorf("a section search waited for another answer: %s", r)
			}
		}
	}
	if len(rec.Backends) != len(srv.Config()) {
		t.Errorf("back ends = %+v", rec.Backends)
	}
	for _, b := range rec.Backends {
		if b.Status != record.BackendOK {
			t.Errorf("back end %s: %+v", b.Name, b)
		}
	}
}

// demoNHS is a demo person known to the NHS and council back ends with an ordinary record.
func demoNHS(tb testing.TB) string {
	tb.Helper()
	for _, p := range demo.People() {
		if p.NHSNumber != "" && !strings.Contains(strings.ToLower(p.Shows), "large record") {
			return p.NHSNumber
		}
	}
	tb.Fatal("no demo person")
	return ""
}

// fiftyBackends starts enough demo back ends for n (three a demo), each answering after
// latency, and configures them with unique names.
func fiftyBackends(tb testing.TB, n int, latency time.Duration) []config.Backend {
	tb.Helper()
	var cfgs []config.Backend
	for i := 0; len(cfgs) < n; i++ {
		srv := startDemo(tb, demo.Options{Latency: latency})
		for _, c := range srv.Config() {
			if len(cfgs) == n {
				break
			}
			c.Name = fmt.Sprintf("%s %02d", c.Name, i)
			cfgs = append(cfgs, c)
		}
	}
	return cfgs
}

// TestFiftyBackendsRoundTrips: with fifty back ends configured, a person's record is
// complete in at most four round trips (search, sections, references; each back end side
// by side). (A section of thousands of entries adds one round trip a page: the large
// record's 5,200 encounters are 11 pages of 500, read one after another.)
func TestFiftyBackendsRoundTrips(t *testing.T) {
	if testing.Short() {
		t.Skip("fifty back ends")
	}
	// 250 ms a request (the figure is 100 ms): a wave is counted by time, so the
	// distance must dwarf what a loaded CI runner (and the race detector) adds between
	// requests of one wave. SlowAfter: a back end answering late is not the question here.
	cfgs := fiftyBackends(t, 50, 250*time.Millisecond)
	hw := newHostWaves()
	fed, err := NewFederation(cfgs, Options{User: reliabilityUser, SlowAfter: time.Minute, HTTPClient: &http.Client{Transport: hw}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fed.Close)
	rec, sw, ow, n := openRecord(ctxTimeout(t, 60*time.Second), t, fed, hw, demoNHS(t))
	t.Logf("round trips: fifty back ends: search %d, open %d, %d requests", sw, ow, n)
	if sw+ow > 4 {
		t.Errorf("the record took %d round trips (search %d, open %d): want ≤ 4", sw+ow, sw, ow)
	}
	ok := 0
	for _, b := range rec.Backends {
		if b.Status == record.BackendOK {
			ok++
		}
	}
	if ok < 40 {
		t.Errorf("%d back ends ok of %d: %+v", ok, len(rec.Backends), rec.Backends)
	}
}

// BenchmarkFiftyBackends opens a record from fifty back ends (seventeen demo sets) at
// 100 ms a request, with a new Federation each time (CapabilityStatements read again):
// "person" an ordinary demo person, "large" the demo's large record (5,200 encounters, 11
// pages on each of the 17 regional records; the councils do not serve Encounter). It
// reports the round trips of the search and the open, and the peak heap in use
// (runtime.ReadMemStats every 5 ms) above what the demo servers, which run in this process,
// hold once built, beside -benchmem. That peak still counts the servers' own work (their
// responses in flight): shcr's memory in its own process is bench/run.sh's (step 3b).
func BenchmarkFiftyBackends(b *testing.B) {
	cfgs := fiftyBackends(b, 50, 100*time.Millisecond)
	for _, c := range []struct {
		name string
		nhs  string
	}{{"person", demoNHS(b)}, {"large", largeDemoNHS(b)}} {
		b.Run(c.name, func(b *testing.B) {
			open := func() (*record.Record, int, int, int) {
				hw := newHostWaves()
				fed, err := NewFederation(cfgs, Options{User: reliabilityUser, HTTPClient: &http.Client{Transport: hw}})
				if err != nil {
					b.Fatal(err)
				}
				defer fed.Close()
				ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
				defer cancel()
				return openRecord(ctx, b, fed, hw, c.nhs)
			}
			// Once untimed, so that the demo servers (in this process) have built their
			// data; the peak is measured above the heap they then hold. shcr runs under a
			// soft memory limit (main.go: memlimit.Soft): here it is the servers' heap
			// plus shcr's limit, as if they were in another process.
			open()
			runtime.GC()
			stopLimit := memlimit.Soft(int64(memlimit.LiveHeap())+memlimit.Default, os.Getenv)
			defer stopLimit()
			stopPeak := heapPeak(5 * time.Millisecond)
			var sw, ow, reqs int
			for b.Loop() {
				rec, s, o, n := open()
				if len(rec.Backends) != 50 {
					b.Fatalf("%d back ends", len(rec.Backends))
				}
				sw, ow, reqs = max(sw, s), max(ow, o), n
			}
			peak := stopPeak()
			b.ReportMetric(float64(sw), "search-rt")
			b.ReportMetric(float64(ow), "open-rt")
			b.ReportMetric(float64(reqs), "requests")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}
