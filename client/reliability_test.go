package client

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/goleak"

	"github.com/shcr-project/shcr/client/fhir"
	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// Degradation: how shcr behaves when back ends are slow, when the user moves on, and over a
// long session. Every test here runs against real loopback HTTP servers (the demo back ends
// or an httptest FHIR server), and asserts orderings and counts, not wall-clock speed.

var reliabilityUser = config.User{Name: "Dr Jane Carter", ID: "G13579135"}

// openTimes records, per back end, when Open emitted its parts and when it finished.
type openTimes struct {
	mu        sync.Mutex
	firstEmit map[string]time.Time
	lastEmit  map[string]time.Time
	finished  map[string]time.Time
	status    map[string]record.BackendStatus
	changed   chan struct{} // receives after a part or a status (coalesced)
}

func newOpenTimes() *openTimes {
	return &openTimes{firstEmit: map[string]time.Time{}, lastEmit: map[string]time.Time{},
		finished: map[string]time.Time{}, status: map[string]record.BackendStatus{}, changed: make(chan struct{}, 1)}
}

func (o *openTimes) emit(p record.Part) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.firstEmit[p.Backend]; !ok {
		o.firstEmit[p.Backend] = now
	}
	o.lastEmit[p.Backend] = now
	o.notify()
}

func (o *openTimes) backend(st record.BackendStatus) {
	now := time.Now()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.finished[st.Name] = now
	o.status[st.Name] = st
	o.notify()
}

func (o *openTimes) notify() {
	select {
	case o.changed <- struct{}{}:
	default:
	}
}

// TestSlowOneInTenDoesNotHoldBackOthers: beside the three demo back ends runs a fourth (the
// demo NHS data again, behind a gate) one of whose requests is held: the gate keeps the
// record's Encounter search until the test releases it. While that one request is held,
// every other back end's parts are emitted and every other back end finishes; the slow back
// end's other sections are emitted before its slow one ends, too. (A client that waited for
// the held request before the others would never get there: the test gives up after 10 s.)
func TestSlowOneInTenDoesNotHoldBackOthers(t *testing.T) {
	fast := startDemo(t, demo.Options{})
	slowSet := startDemo(t, demo.Options{})
	const slowName = "Slow NHS ShCR"
	slowCfg := demoConfig(t, slowSet, demo.NameNHS)
	slowCfg.Name = slowName
	g := startGate(t, slowCfg.URL, "/Encounter")
	slowCfg.URL = g.url
	// The slow back end comes first: a client that asked the back ends one after another
	// would make every fast one wait for it.
	cfgs := append([]config.Backend{slowCfg}, fast.Config()...)
	fed, err := NewFederation(cfgs, Options{User: reliabilityUser, SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	person := demoPerson(t, fast)

	ctx := ctxTimeout(t, 30*time.Second)
	matches, statuses := fed.Search(ctx, record.Query{NHSNumber: person.NHS})
	if len(matches) != 1 {
		t.Fatalf("search: %d matches, statuses %+v", len(matches), statuses)
	}
	if n := len(matches[0].Person.Sources); n < 2 {
		t.Fatalf("the person is known to %d back ends, want the fast ones and the slow one", n)
	}
	times := newOpenTimes()
	opened := make(chan struct{})
	go func() {
		defer close(opened)
		fed.Open(ctx, matches[0], record.Sections(), times.emit, times.backend)
	}()
	select {
	case <-g.held:
	case <-opened:
		t.Fatal("the open never asked the slow back end for encounters: nothing was held")
	}
	// While the request is held: every other back end finishes, and the slow one emits.
	others := func() (waiting []string) {
		times.mu.Lock()
		defer times.mu.Unlock()
		for _, src := range matches[0].Person.Sources {
			if _, done := times.finished[src.Backend]; src.Backend != slowName && !done {
				waiting = append(waiting, src.Backend)
			}
		}
		if _, ok := times.firstEmit[slowName]; !ok {
			waiting = append(waiting, slowName+" (a first part)")
		}
		return waiting
	}
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for w := others(); len(w) > 0; w = others() {
		select {
		case <-times.changed:
		case <-deadline.C:
			g.release()
			t.Fatalf("while one request of %s was held, still waiting for %v after 10 s", slowName, w)
		}
	}
	released := time.Now()
	g.release()
	<-opened

	slowSt, ok := times.status[slowName]
	if !ok {
		t.Fatalf("no status for %s", slowName)
	}
	if slowSt.Status != record.BackendOK {
		t.Fatalf("%s: %s %s (a slow answer is not a failure)", slowName, slowSt.Status, slowSt.Error)
	}
	slowEnd := times.finished[slowName]
	if !slowEnd.After(released) {
		t.Fatalf("%s finished at %v, before its held request was released (%v)", slowName, slowEnd, released)
	}
	for _, src := range matches[0].Person.Sources {
		if src.Backend == slowName {
			continue
		}
		st := times.status[src.Backend]
		if st.Status != record.BackendOK {
			t.Errorf("%s: %s %s", src.Backend, st.Status, st.Error)
		}
		if last, ok := times.lastEmit[src.Backend]; !ok || !last.Before(slowEnd) {
			t.Errorf("%s: last part emitted at %v, not before the slow back end finished (%v)", src.Backend, last, slowEnd)
		}
		if end := times.finished[src.Backend]; !end.Before(slowEnd) {
			t.Errorf("%s finished at %v, not before the slow back end (%v)", src.Backend, end, slowEnd)
		}
	}
	// One slow request holds back only its own section: the slow back end's first part
	// (its Patient or a fast section) came out while the slow request was still held.
	if first := times.firstEmit[slowName]; !first.Before(released) {
		t.Errorf("%s: first part at %v, after the held request was released (%v): one slow request held back every section", slowName, first, released)
	}
}

// gate is a proxy in front of a FHIR base that holds the first request whose path ends with
// suffix until release is called (or the client gives up); held is closed when it arrives.
type gate struct {
	url     string
	held    chan struct{}
	free    chan struct{}
	once    sync.Once
	release func()
}

func startGate(t *testing.T, base, suffix string) *gate {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	g := &gate{held: make(chan struct{}), free: make(chan struct{})}
	var freeOnce sync.Once
	g.release = func() { freeOnce.Do(func() { close(g.free) }) }
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: u.Scheme, Host: u.Host})
	var holding atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, suffix) && holding.CompareAndSwap(false, true) {
			g.once.Do(func() { close(g.held) })
			select {
			case <-g.free:
			case <-r.Context().Done():
				return
			}
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(g.release)
	g.url = srv.URL + u.Path
	return g
}

// TestHundredOpensLeaveNothingBehind opens a record 100 times in a row on one Federation,
// as a TUI session does, cancelling about a third of the opens at random points (before,
// during the search, during the sections). Afterwards, with idle connections closed and the
// servers stopped, no goroutine is left behind (goleak), and the heap after GC has not grown
// with the number of opens.
func TestHundredOpensLeaveNothingBehind(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	srv, err := demo.Start(demo.Options{Latency: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	fed, err := NewFederation(srv.Config(), Options{User: reliabilityUser, SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	person := demoPerson(t, srv)
	rng := rand.New(rand.NewPCG(7, 11)) // fixed seed: the same cancellation points every run

	var baseHeap uint64
	completed, cancelled := 0, 0
	for i := range 100 {
		if i == 10 {
			baseHeap = heapAfterGC()
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancelAt := time.Duration(-1)
		if i%3 == 1 {
			cancelAt = time.Duration(rng.IntN(25)) * time.Millisecond
		}
		var timer *time.Timer
		if cancelAt >= 0 {
			timer = time.AfterFunc(cancelAt, cancel)
		}
		rec := &record.Record{}
		var mu sync.Mutex
		matches, _ := fed.Search(ctx, record.Query{NHSNumber: person.NHS})
		if len(matches) == 1 {
			fed.Open(ctx, matches[0], record.Sections(), func(p record.Part) {
				mu.Lock()
				rec.Merge(p)
				mu.Unlock()
			}, func(st record.BackendStatus) {
				mu.Lock()
				rec.SetBackend(st)
				mu.Unlock()
			})
		}
		wasCancelled := ctx.Err() != nil
		if timer != nil {
			timer.Stop()
		}
		cancel()
		switch {
		case wasCancelled:
			cancelled++
		case len(matches) != 1:
			t.Fatalf("open %d (not cancelled): %d matches", i, len(matches))
		default:
			completed++
			mu.Lock()
			for _, st := range rec.Backends {
				if st.Status != record.BackendOK && st.Status != record.BackendNotKnown {
					t.Fatalf("open %d (not cancelled): %s %s %s", i, st.Name, st.Status, st.Error)
				}
			}
			if rec.Count(record.SectionNextOfKin)+rec.Count(record.SectionEncounters) == 0 {
				t.Fatalf("open %d (not cancelled): an empty record", i)
			}
			mu.Unlock()
		}
	}
	if cancelled == 0 || completed < 60 {
		t.Fatalf("%d opens completed, %d cancelled: the test did not exercise both", completed, cancelled)
	}
	growth := int64(heapAfterGC()) - int64(baseHeap)
	t.Logf("100 opens: %d completed, %d cancelled; live heap grew %d KiB after the first 10", completed, cancelled, growth/1024)
	// A leaked record (hundreds of KiB each) or per-open cache would show as tens of MiB.
	if growth > 8<<20 {
		t.Errorf("live heap grew by %d KiB over 90 opens: something keeps every open", growth/1024)
	}
	fed.Close()
}

func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestNoRequestOutlivesItsContext: a back end whose section searches never answer. Once
// every section's request is in flight, the user moves on (the context is cancelled). The
// server must see every one of those requests' contexts end shortly after — the client
// closed them, it did not leave them running — and no new request may start afterwards.
func TestNoRequestOutlivesItsContext(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Test", Given: "Cancel", BirthDate: "1948-03-12", Gender: "female"}
	type seen struct {
		arrived, ended time.Time
		timedOut       bool
	}
	var (
		mu        sync.Mutex
		requests  []*seen
		cancelled atomic.Int64 // UnixNano of the cancel; 0 before
		late      atomic.Int64 // requests that arrived after the cancel
		inFlight  atomic.Int64
		allEnded  = make(chan struct{}, 1)
		started   = make(chan struct{}, 256) // one per request that has reached the server
	)
	block := func(w http.ResponseWriter, r *http.Request) {
		s := &seen{arrived: time.Now()}
		if c := cancelled.Load(); c != 0 && s.arrived.UnixNano() > c {
			late.Add(1)
		}
		mu.Lock()
		requests = append(requests, s)
		mu.Unlock()
		inFlight.Add(1)
		started <- struct{}{}
		defer func() {
			if inFlight.Add(-1) == 0 && cancelled.Load() != 0 {
				select {
				case allEnded <- struct{}{}:
				default:
				}
			}
		}()
		select {
		case <-r.Context().Done():
		case <-time.After(20 * time.Second):
			s.timedOut = true
		}
		mu.Lock()
		s.ended = time.Now()
		mu.Unlock()
	}
	types := map[string]http.HandlerFunc{}
	for _, ty := range []string{"Encounter", "MedicationStatement", "MedicationRequest", "AllergyIntolerance", "RelatedPerson", "Flag", "EpisodeOfCare", "CareTeam", "DocumentReference"} {
		types[ty] = block
	}
	srv := recordServer(t, person, "pat-1", types)
	fed, err := NewFederation([]config.Backend{srv.config("Hanging")}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	matches, statuses := fed.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: person.NHS})
	if len(matches) != 1 {
		t.Fatalf("search: %+v %+v", matches, statuses)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan record.BackendStatus, 1)
	go fed.Open(ctx, matches[0], record.Sections(), func(record.Part) {}, func(st record.BackendStatus) { done <- st })

	// Wait until every section's searches are in flight: one per query whose type the
	// server serves (the other types are refused at once and never block).
	want := 0
	for _, sec := range record.Sections() {
		for _, q := range fhir.SectionQueries(sec) {
			if types[q.ResourceType] != nil {
				want++
			}
		}
	}
	bound := time.After(10 * time.Second)
	for n := 0; n < want; n++ {
		select {
		case <-started:
		case <-bound:
			t.Fatalf("only %d of %d requests in flight after 10 s", inFlight.Load(), want)
		}
	}
	blocked := inFlight.Load()
	if blocked < 5 {
		t.Fatalf("%d requests in flight: the sections were not fetched at once", blocked)
	}
	cancelTime := time.Now()
	cancelled.Store(cancelTime.UnixNano())
	cancel()

	select {
	case st := <-done:
		if st.Status == record.BackendOK {
			t.Errorf("a cancelled open reported %+v", st)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Open did not return after its context was cancelled")
	}
	// Every request the server saw must end: the server observes its context cancelled (the
	// last one to end says so on allEnded).
	if inFlight.Load() > 0 {
		select {
		case <-allEnded:
		case <-time.After(5 * time.Second):
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if n := inFlight.Load(); n > 0 {
		t.Fatalf("%d requests still running on the server 5 s after the user moved on", n)
	}
	var slowest time.Duration
	for i, s := range requests {
		if s.timedOut {
			t.Errorf("request %d ran until the server gave up: its context never ended", i)
		}
		slowest = max(slowest, s.ended.Sub(cancelTime))
	}
	if late.Load() > 0 {
		t.Errorf("%d requests started after the context was cancelled", late.Load())
	}
	// "Shortly": the client closes the connections when the context ends; the server notices
	// on its next read. A second is generous on a loaded machine.
	if slowest > time.Second {
		t.Errorf("the last request's context ended %v after the cancel", slowest)
	}
	t.Logf("%d requests in flight at cancel; all ended within %v", len(requests), slowest)
}

// FuzzErrorResponse: a back end answers the Patient search with any status (200 or
// 400–599), any Content-Type and any body, over real loopback HTTP. Whatever it sends, the
// search gives people or an error whose message — the line the status bar and `shcr get`
// show — is one line, names the back end, stays short and never dumps the body. Seeds:
// testdata/fuzz/FuzzErrorResponse/.
func FuzzErrorResponse(f *testing.F) {
	f.Add(502, "text/html", []byte("<html><body><h1>502 Bad Gateway</h1></body></html>"))
	var (
		mu   sync.Mutex
		resp struct {
			status int
			ct     string
			body   []byte
		}
	)
	caps := capsJSON("Patient")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/metadata") {
			writeFHIR(w, 200, caps)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", resp.ct)
		w.WriteHeader(resp.status)
		w.Write(resp.body)
	}))
	f.Cleanup(srv.Close)
	const name = "fuzz-backend"
	b, err := New(config.Backend{Name: name, Kind: config.KindFHIRR4, URL: srv.URL + "/fhir/R4", Domain: "health", Timeout: 10 * time.Second}, Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		// 200, or a 4xx/5xx other than 429 and 503 (those are retried after a wait: the
		// fault matrix covers them).
		st := 400 + int(uint(status)%200)
		if status%4 == 0 || st == 429 || st == 503 {
			st = 200
		}
		mu.Lock()
		resp.status, resp.ct, resp.body = st, contentType, body
		mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		people, err := b.Search(ctx, record.Query{NHSNumber: "9434765919"})
		if err == nil {
			if st != 200 {
				t.Fatalf("status %d gave %d people and no error", st, len(people))
			}
			return
		}
		msg := err.Error()
		switch {
		case strings.ContainsAny(msg, "\n\r"):
			t.Fatalf("status %d: error is not one line: %q", st, msg)
		case !strings.HasPrefix(msg, "back end "+name+" "):
			t.Fatalf("status %d: error does not start with the back end: %q", st, msg)
		case utf8.RuneCountInString(msg) > 800:
			t.Fatalf("status %d: error is %d characters long: %.200q", st, utf8.RuneCountInString(msg), msg)
		case !utf8.ValidString(msg):
			t.Fatalf("status %d: error is not valid UTF-8: %q", st, msg)
		case len(body) > 1000 && strings.Contains(msg, string(body[:400])):
			t.Fatalf("status %d: error dumps the body: %.200q", st, msg)
		}
	})
}
