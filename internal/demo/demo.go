// Package demo runs shcr's embedded demo back ends: real HTTP FHIR servers on loopback that
// serve an obviously synthetic data set (test-range NHS numbers, invented people and places).
//
// Three back ends start by default (and, with Options.Flags, as `shcr demo` asks, a fourth:
// "Demo National Flags", a national flags service, flags.go):
//   - "Demo NHS ShCR": a FHIR R4 regional shared care record (UK Core shapes), domain health;
//   - "Demo County Council": a FHIR R4 social care record (Interweave shapes), domain social-care;
//   - "Demo GP Practice": GP Connect Access Record Structured (FHIR STU3), domain health.
//
// They behave as real servers do: a CapabilityStatement at [base]/metadata, reads, searches
// with paging, _include and _revinclude, and OperationOutcome bodies with 4xx statuses for bad
// requests, so that shcr's client works against them unchanged. The data is fixed and dates
// are chosen relative to ReferenceDate, so output is reproducible.
//
// The data set is a compact seed (data/people.json) turned into FHIR resources at start-up
// (build.go, health.go, council.go, gpconnect.go); the large record's thousands of
// encounters and medications are generated deterministically (large.go), once, when a
// request first needs them (store.go, lazyBulk), so that start-up takes a few milliseconds.
//
// Shapes worth knowing when mapping the demo's answers:
//   - Care package hours: the council's EpisodeOfCare (Interweave SocialCareService) names a
//     ServiceRequest in referralRequest; that ServiceRequest carries
//     quantityQuantity {value: 14, unit: "hours per week", system: UCUM, code: "h/wk"} and
//     occurrenceTiming {code.text: "4 visits a day", repeat: {frequency, period 1, periodUnit
//     d, boundsPeriod}}. A CarePlan ("Care and support plan") lists the activities.
//   - Contacts: on the NHS back end, Patient.contact with v2-0131 N (next of kin) / C
//     (emergency contact), a v3 RoleCode family relationship and the UK Core ContactRank
//     extension; on the council, RelatedPerson with the Interweave SocialCareSupportRole
//     extension (NOK, EC, KH, LPA, MC), a v3 RoleCode relationship, ContactRank and phones
//     with use mobile/home; on the GP back end, Patient.contact whose relationship has only
//     text ("Next of kin").
//   - The council's Patient carries the local authority identifier
//     (https://demo-county.example.gov.uk/Id/social-care-person-id); one person has no NHS
//     number at all. Council resources carry Interweave meta.tag Source and Provenance tags;
//     NHS resources carry meta.source; some items have Provenance resources
//     (_revinclude=Provenance:target).
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// ReferenceDate is "today" in the demo data set: every date in it is chosen relative to this
// day, so that output never depends on the clock.
var ReferenceDate = time.Date(2026, time.November, 25, 9, 0, 0, 0, time.UTC)

// Back end names, as shown in provenance.
const (
	NameNHS     = "Demo NHS ShCR"
	NameCouncil = "Demo County Council"
	NameGP      = "Demo GP Practice"
	NamePDS     = "Demo PDS"
	NameNRL     = "Demo NRL"
)

// GP Connect settings of the demo GP back end: Config fills them in and the demo server
// checks them on every request.
const (
	GPConnectInteractionID = "urn:nhs:names:services:gpconnect:fhir:operation:gpc.getstructuredrecord-1"
	gpFromASID             = "200000000999"
	gpToASID               = "918999000111"
	gpFromODS              = "DMX01"
	gpOrgName              = "Demo shcr user organisation"
)

// builtDataset builds the data set once per process: it is immutable once built (the
// servers only read it), and building it (5,000+ resources) is the slow part of Start.
var builtDataset = sync.OnceValues(loadDataset)

// Options tunes the demo servers.
type Options struct {
	Latency     time.Duration // added to every response (benchmarks use 100 ms)
	SlowEvery   int           // if >0, every Nth request (per back end) is slowed by SlowLatency
	SlowLatency time.Duration
	// Logger gets one line per request: back end, method, path and query parameter names
	// (never their values), status and duration. nil discards.
	Logger *slog.Logger
	// LargeEncounters, when > 0, gives the large record that many encounters instead of the
	// seed's 5,200 (benchmarks: 50,000). Such a data set is built for this Start alone.
	LargeEncounters int
	// PageSize, when > 0, is the number of entries in every FHIR R4 search page, whatever
	// _count asks (as some servers do); else _count is honoured up to 500, default 50.
	PageSize int
	// National also starts a demographics service (PDS) and a record locator (NRL)
	// (pds.go, nrl.go); shcr demo does.
	National bool
	// Flags also starts the demo national flags service (flags.go; `shcr demo` does).
	Flags bool
}

// Server is one running demo back end.
type Server struct {
	Name   string
	Kind   config.Kind
	Domain record.Domain // default domain of its items
	URL    string        // FHIR base URL, e.g. http://127.0.0.1:40123/fhir/R4
}

// Servers is the set of running demo back ends.
type Servers struct {
	Backends []Server

	servers   []*http.Server
	listeners []net.Listener
	wg        sync.WaitGroup
	closeOnce sync.Once

	flags *flagsHandler // the flags service, when started (Options.Flags)

	// unused are the connections that have not sent a request yet. A client dials ahead,
	// or finishes a dial for a request it has cancelled, and may never use the connection:
	// Shutdown would wait (up to 5 s) for a request on each, so Close closes them first.
	mu     sync.Mutex
	unused map[net.Conn]bool
}

// track follows a connection's state for Close.
func (s *Servers) track(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		s.unused[c] = true
	} else {
		delete(s.unused, c)
	}
}

// Start builds the data set and starts every demo back end on 127.0.0.1 with a free port.
func Start(opts Options) (*Servers, error) {
	ds, err := builtDataset()
	if opts.LargeEncounters > 0 {
		ds, err = loadDatasetWith(opts.LargeEncounters)
	}
	if err != nil {
		return nil, fmt.Errorf("demo data: %w", err)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	type spec struct {
		srv    Server
		prefix string
		build  func(base string) http.Handler
	}
	specs := []spec{
		{Server{Name: NameNHS, Kind: config.KindFHIRR4, Domain: record.DomainHealth}, "/fhir/R4",
			func(base string) http.Handler { return newR4HandlerPaged(base, ds.health, opts.PageSize) }},
		{Server{Name: NameCouncil, Kind: config.KindFHIRR4, Domain: record.DomainSocialCare}, "/fhir/R4",
			func(base string) http.Handler { return newR4HandlerPaged(base, ds.council, opts.PageSize) }},
		{Server{Name: NameGP, Kind: config.KindGPConnect, Domain: record.DomainHealth}, "/GP0001/STU3/1/gpconnect/structured/fhir",
			func(base string) http.Handler { return newGPHandler(base, ds) }},
	}
	s := &Servers{unused: map[net.Conn]bool{}}
	if opts.National {
		nhsBase := func() string { b, _ := s.Backend(NameNHS); return b.URL }
		specs = append(specs,
			spec{Server{Name: NamePDS, Kind: config.KindPDS}, "/personal-demographics/FHIR/R4",
				func(base string) http.Handler { return newPDSHandler(base, ds) }},
			spec{Server{Name: NameNRL, Kind: config.KindNRL}, "/record-locator/consumer/FHIR/R4",
				func(base string) http.Handler { return newNRLHandler(base, nhsBase) }})
	}
	if opts.Flags {
		specs = append(specs, spec{Server{Name: NameFlags, Kind: config.KindFlags, Domain: record.DomainHealth}, "/patient-flags/FHIR/R4",
			func(base string) http.Handler { s.flags = newFlagsHandler(base); return s.flags }})
	}
	for _, sp := range specs {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("demo back end %q: %w", sp.srv.Name, err)
		}
		sp.srv.URL = "http://" + ln.Addr().String() + sp.prefix
		mux := http.NewServeMux()
		mux.Handle(sp.prefix+"/", http.StripPrefix(sp.prefix, sp.build(sp.srv.URL)))
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			writeOutcome(w, http.StatusNotFound, "not-found", "no FHIR service at "+r.URL.Path+"; the base URL is "+sp.srv.URL)
		})
		h := withMiddleware(mux, sp.srv.Name, opts, logger)
		hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ConnState: s.track}
		s.servers = append(s.servers, hs)
		s.listeners = append(s.listeners, ln)
		s.Backends = append(s.Backends, sp.srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				logger.Error("demo back end stopped", "backend", sp.srv.Name, "error", err)
			}
		}()
	}
	return s, nil
}

// Close stops every back end and waits for them to finish. It is safe to call twice.
func (s *Servers) Close() {
	if s == nil {
		return
	}
	s.closeOnce.Do(func() {
		s.mu.Lock()
		for c := range s.unused {
			_ = c.Close()
		}
		s.mu.Unlock()
		for _, hs := range s.servers {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			if err := hs.Shutdown(ctx); err != nil {
				_ = hs.Close()
			}
			cancel()
		}
		s.wg.Wait()
	})
}

// Config returns ready-to-use back end configs for the running demo back ends: no sign-in,
// their kind, domain and base URL, and the GP Connect settings the demo GP back end expects.
func (s *Servers) Config() []config.Backend {
	out := make([]config.Backend, 0, len(s.Backends))
	for _, b := range s.Backends {
		cb := config.Backend{Name: b.Name, Kind: b.Kind, URL: b.URL, Domain: b.Domain, Auth: config.Auth{Type: config.AuthNone},
			Organisations: demoCovers[b.Name]}
		if b.Kind == config.KindGPConnect {
			cb.GPConnect = config.GPConnect{FromASID: gpFromASID, ToASID: gpToASID, FromODS: gpFromODS, OrgName: gpOrgName,
				InteractionID: GPConnectInteractionID, MedicationMonths: 12, ConsultationsRecent: 3}
		}
		out = append(out, cb)
	}
	return out
}

// demoCovers are the organisations whose records each demo back end holds: routing asks
// the one covering a person's registered practice first.
var demoCovers = map[string][]string{
	NameNHS:     {odsDemoHospital, odsDemoPractice, "DMC01"},
	NameCouncil: {"DMLA1"},
	NameGP:      {odsDemoPractice},
}

// Notified returns the NHS numbers whose child protection plan the demo flags service was
// asked for with IsUnscheduledAccessEvent: true (the local authority told), in order; nil
// without the flags service.
func (s *Servers) Notified() []string {
	if s == nil || s.flags == nil {
		return nil
	}
	return s.flags.Notified()
}

// Full are the options `shcr demo` (and `--demo`) starts the demo with: the regional
// records and the national services (demographics, record locator, flags).
func Full(logger *slog.Logger) Options {
	return Options{Logger: logger, National: true, Flags: true}
}

// Backend returns the running back end with that name.
func (s *Servers) Backend(name string) (Server, bool) {
	for _, b := range s.Backends {
		if b.Name == name {
			return b, true
		}
	}
	return Server{}, false
}

// Person is one demo person, for the README, tests and the TUI's hint line.
type Person struct {
	NHSNumber string // 10 digits; "" for the person known only to the council
	Family    string
	Given     string
	BirthDate string // ISO 8601, as the NHS back end has it
	Gender    string
	Postcode  string
	Phone     string
	Shows     string // one line: what this person demonstrates
}

// People lists the demo people in a fixed order.
func People() []Person {
	ds, err := loadSeed()
	if err != nil {
		return nil
	}
	out := make([]Person, 0, len(ds.People))
	for _, p := range ds.People {
		ph := ""
		if len(p.Phones) > 0 {
			ph = p.Phones[0].Value
		}
		out = append(out, Person{NHSNumber: p.NHS, Family: p.Family, Given: strings.Join(p.Given, " "),
			BirthDate: p.BirthDate, Gender: p.Gender, Postcode: p.Address.Postcode, Phone: ph, Shows: p.Shows})
	}
	return out
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

// withMiddleware adds the configured latency and logs each request without personal data.
func withMiddleware(next http.Handler, name string, opts Options, logger *slog.Logger) http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		delay := opts.Latency
		if c := n.Add(1); opts.SlowEvery > 0 && c%int64(opts.SlowEvery) == 0 {
			delay += opts.SlowLatency
		}
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		params := make([]string, 0, len(r.URL.Query()))
		for k := range r.URL.Query() {
			params = append(params, k)
		}
		slices.Sort(params)
		logger.Info("demo request", "backend", name, "method", r.Method, "path", r.URL.Path,
			"params", strings.Join(params, ","), "status", rec.status, "duration", time.Since(start))
	})
}
