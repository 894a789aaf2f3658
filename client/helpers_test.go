package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/demo"
	"github.com/shcr-project/shcr/record"
)

// testPerson is who the test FHIR servers serve: a demo person, so that federation with
// the demo back ends matches them by NHS number.
type testPerson struct {
	NHS, Family, Given, BirthDate, Gender string
}

// startDemo runs the embedded demo back ends for one test.
func startDemo(t testing.TB, opts demo.Options) *demo.Servers {
	t.Helper()
	s, err := demo.Start(opts)
	if err != nil {
		t.Fatalf("demo.Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

// demoConfig returns the config of the named demo back end.
func demoConfig(t testing.TB, s *demo.Servers, name string) config.Backend {
	t.Helper()
	for _, c := range s.Config() {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no demo back end %q", name)
	return config.Backend{}
}

// demoPerson picks a demo person the demo NHS back end knows (found by searching it).
func demoPerson(t testing.TB, s *demo.Servers) testPerson {
	t.Helper()
	b, err := New(demoConfig(t, s, demo.NameNHS), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range demo.People() {
		if p.NHSNumber == "" {
			continue
		}
		people, err := b.Search(context.Background(), record.Query{NHSNumber: p.NHSNumber})
		if err == nil && len(people) == 1 {
			return testPerson{NHS: p.NHSNumber, Family: p.Family, Given: p.Given, BirthDate: p.BirthDate, Gender: p.Gender}
		}
	}
	t.Fatal("no demo person is known to the demo NHS back end")
	return testPerson{}
}

func readTestdata(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

// patientJSON is the published UK Core Patient example (Richard Smith) re-labelled as p.
func patientJSON(t testing.TB, p testPerson, id string) map[string]any {
	t.Helper()
	m := readTestdata(t, "UKCore-Patient-RichardSmith-Example.json")
	m["id"] = id
	ids := m["identifier"].([]any)
	ids[0].(map[string]any)["value"] = p.NHS
	var given []any
	for _, g := range strings.Fields(p.Given) {
		given = append(given, g)
	}
	m["name"] = []any{map[string]any{"use": "official", "family": p.Family, "given": given}}
	m["birthDate"] = p.BirthDate
	m["gender"] = p.Gender
	delete(m, "text")
	return m
}

// searchset wraps resources in a FHIR searchset Bundle, with an optional next link.
func searchset(next string, resources ...map[string]any) []byte {
	entries := make([]any, 0, len(resources))
	for _, r := range resources {
		entries = append(entries, map[string]any{
			"fullUrl":  fmt.Sprintf("urn:test:%s/%s", r["resourceType"], r["id"]),
			"resource": r,
			"search":   map[string]any{"mode": "match"},
		})
	}
	b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(resources), "entry": entries}
	if next != "" {
		b["link"] = []any{map[string]any{"relation": "next", "url": next}}
	}
	out, _ := json.Marshal(b)
	return out
}

func writeFHIR(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	w.Write(body)
}

func outcome(severity, code, diagnostics string) []byte {
	b, _ := json.Marshal(map[string]any{"resourceType": "OperationOutcome", "issue": []any{
		map[string]any{"severity": severity, "code": code, "diagnostics": diagnostics}}})
	return b
}

// capabilityStatement declares the given resource types, each searchable by patient (and
// Patient by identifier, family, birthdate), with Provenance:target revincludes.
func capsJSON(types ...string) []byte {
	var res []any
	for _, ty := range types {
		params := []any{map[string]any{"name": "patient", "type": "reference"}}
		if ty == "Patient" {
			params = []any{map[string]any{"name": "identifier"}, map[string]any{"name": "family"}, map[string]any{"name": "birthdate"}}
		}
		res = append(res, map[string]any{"type": ty, "searchParam": params, "searchRevInclude": []any{"Provenance:target"}})
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
		"fhirVersion": "4.0.1", "format": []any{"json"}, "rest": []any{map[string]any{"mode": "server", "resource": res}}})
	return b
}

// fhirServer is a loopback FHIR server for one test: /metadata from caps; every other
// request goes to h. It counts requests (metadata excluded).
type fhirServer struct {
	*httptest.Server
	hits atomic.Int64
}

func newFHIRServer(t testing.TB, caps []byte, h http.HandlerFunc) *fhirServer {
	t.Helper()
	fs := &fhirServer{}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/metadata") {
			writeFHIR(w, 200, caps)
			return
		}
		fs.hits.Add(1)
		h(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fhirServer) config(name string) config.Backend {
	return config.Backend{Name: name, Kind: config.KindFHIRR4, URL: fs.URL + "/fhir/R4", Domain: "health"}
}

func statusOf(sts []record.BackendStatus, name string) record.BackendStatus {
	for _, s := range sts {
		if s.Name == name {
			return s
		}
	}
	return record.BackendStatus{Name: name, Status: "(missing)"}
}

func ctxTimeout(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// sleeps is Options.Sleep in tests: it records each wait a back end asked for before a
// retry and returns at once (with the context's error, as the real one would).
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// fetchRecord reads sections of the person with Patient id p1 from the back end cfg as
// `get` does (Fetch), every part merged into one record.
func fetchRecord(t *testing.T, cfg config.Backend, nhs string, sections ...record.Section) *record.Record {
	t.Helper()
	return fetchSources(t, cfg, nhs, []string{"p1"}, 10*time.Second, sections...)
}

// fetchSources asks one back end for the sections of the person held under the Patient ids
// (FetchAll, within limit) and merges every part it emits into one record.
func fetchSources(t *testing.T, cfg config.Backend, nhs string, ids []string, limit time.Duration, sections ...record.Section) *record.Record {
	t.Helper()
	b, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		rec record.Record
	)
	who := make([]record.PersonSource, 0, len(ids))
	for _, id := range ids {
		who = append(who, record.PersonSource{Backend: cfg.Name, ID: id})
	}
	b.(*fhirBackend).FetchAll(ctxTimeout(t, limit), who, nhs, sections, func(p record.Part) {
		mu.Lock()
		defer mu.Unlock()
		rec.Merge(p)
	})
	return &rec
}
