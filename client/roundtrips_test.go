package client

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/fhirtest"
	"github.com/shcr-project/shcr/record"
)

// waves records a loopback server's requests and gives each a wave: 1 + the highest wave
// among the requests that had finished when it started. A request that needs another's
// answer starts after that one finished, so the number of waves is the number of round
// trips the client waited for one after another. Each request is held for a latency (a
// stand-in for a distant server, so that requests sent together overlap); nothing asserts
// on time.
type waves struct {
	latency time.Duration

	mu       sync.Mutex
	finished int // highest wave finished so far
	reqs     []waveReq
}

type waveReq struct {
	wave int
	req  string // "GET /fhir/Patient?…" (path and raw query)
}

func (w *waves) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		wave := w.finished + 1
		w.mu.Unlock()
		time.Sleep(w.latency) // the simulated distance; the test counts waves, not time
		h.ServeHTTP(rw, r)
		w.mu.Lock()
		w.finished = max(w.finished, wave)
		w.reqs = append(w.reqs, waveReq{wave: wave, req: r.Method + " " + r.URL.RequestURI()})
		w.mu.Unlock()
	})
}

// phase returns the requests since the last phase and how many waves they took, and starts
// a new phase (its first requests are wave 1).
func (w *waves) phase() (n int, reqs []waveReq) {
	w.mu.Lock()
	defer w.mu.Unlock()
	reqs, w.reqs = w.reqs, nil
	lo := 0
	for _, r := range reqs {
		if lo == 0 || r.wave < lo {
			lo = r.wave
		}
		n = max(n, r.wave)
	}
	if lo > 0 {
		n = n - lo + 1
		for i := range reqs {
			reqs[i].wave -= lo - 1
		}
	}
	w.finished = 0
	sort.SliceStable(reqs, func(i, j int) bool { return reqs[i].wave < reqs[j].wave })
	return n, reqs
}

func describeWaves(reqs []waveReq) string {
	var b strings.Builder
	for _, r := range reqs {
		fmt.Fprintf(&b, "  wave %d: %s\n", r.wave, r.req)
	}
	return b.String()
}

// referenceReads are the references read (one by one or as a batch) in reqs: "Type/id"
// once per time it was asked for.
func referenceReads(reqs []waveReq) []string {
	var out []string
	for _, r := range reqs {
		path, query, _ := strings.Cut(strings.TrimPrefix(r.req, "GET /fhir/"), "?")
		typ, id, ok := strings.Cut(path, "/")
		if !readableRefs[typ] {
			continue
		}
		if ok {
			out = append(out, typ+"/"+id)
			continue
		}
		for _, kv := range strings.Split(query, "&") {
			if v, ok := strings.CutPrefix(kv, "_id="); ok {
				for _, id := range strings.Split(strings.ReplaceAll(v, "%2C", ","), ",") {
					out = append(out, typ+"/"+id)
				}
			}
		}
	}
	return out
}

// TestRoundTripsOneBackend: the whole record from one ordinary server is three round trips
// at most: the person search (with the CapabilityStatement), every section at once (with
// the _include and _revinclude values the statement declares), and the references no
// include brought, batched by type (_id=a,b,c) and read once across sections. The
// published examples name practitioners and locations from elements no section includes
// (ServiceRequest.requester, .locationReference), so even the complete statement needs
// the third; TestRoundTripsIncludes shows two where includes cover every reference.
func TestRoundTripsOneBackend(t *testing.T) {
	for _, tc := range []struct {
		capability   fhirtest.Capability
		search, open int // waves at most
	}{
		{fhirtest.Complete, 1, 2},
		{fhirtest.Incomplete, 1, 2},
	} {
		t.Run(tc.capability.String(), func(t *testing.T) {
			w := &waves{latency: 150 * time.Millisecond} // far above what a loaded runner adds within a wave
			fed, _ := ordinaryFederation(t, fhirtest.Options{Capability: tc.capability, Wrap: w.wrap})
			ctx := ctxTimeout(t, 30*time.Second)
			matches, sts := fed.Search(ctx, record.Query{NHSNumber: ukCoreNHSNumber})
			if len(matches) != 1 {
				t.Fatalf("%d people found: %+v", len(matches), sts)
			}
			searchWaves, searchReqs := w.phase()
			var (
				mu  sync.Mutex
				rec record.Record
			)
			fed.Open(ctx, matches[0], record.Sections(), func(p record.Part) {
				mu.Lock()
				defer mu.Unlock()
				rec.Merge(p)
			}, func(record.BackendStatus) {})
			openWaves, openReqs := w.phase()
			t.Logf("round trips: ordinary server, %s statement: search %d, open %d, %d requests",
				tc.capability, searchWaves, openWaves, len(searchReqs)+len(openReqs))
			if searchWaves > tc.search || openWaves > tc.open {
				t.Errorf("search took %d waves (want ≤ %d), open %d (want ≤ %d):\n%s--\n%s",
					searchWaves, tc.search, openWaves, tc.open, describeWaves(searchReqs), describeWaves(openReqs))
			}
			reads := referenceReads(openReqs)
			seen := map[string]bool{}
			for _, r := range reads {
				if seen[r] {
					t.Errorf("reference %s read more than once:\n%s", r, describeWaves(openReqs))
				}
				seen[r] = true
			}
			for _, r := range openReqs {
				if strings.HasPrefix(r.req, "GET /fhir/Patient/") {
					t.Errorf("the Patient the search returned was read again: %s", r.req)
				}
			}
			if n := len(rec.Sections.Encounters) + len(rec.Sections.Medications); n == 0 {
				t.Errorf("no encounters or medications read")
			}
		})
	}
}
