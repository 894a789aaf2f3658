package tui

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/internal/audit"
	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// TestOpenSendsOneRequestIDAndRecordsIt: a loopback R4 back end knowing the person sees one
// X-Request-ID on every request of a record open, a different one when the record is opened
// again (r), and each record-opened event carries the id its open sent.
func TestOpenSendsOneRequestIDAndRecordsIt(t *testing.T) {
	type hit struct{ path, query, id string }
	var (
		mu   sync.Mutex
		hits []hit
	)
	caps := `{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1","format":["json"],"rest":[{"mode":"server","resource":[` +
		`{"type":"Patient","searchParam":[{"name":"identifier","type":"token"}]},` +
		`{"type":"AllergyIntolerance","searchParam":[{"name":"patient","type":"reference"}]},` +
		`{"type":"Flag","searchParam":[{"name":"patient","type":"reference"}]}]}]}`
	patient := `{"resourceType":"Patient","id":"w1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"` + oakesNHS + `"}],"name":[{"family":"Oakes","given":["Winifred"]}]}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		if strings.HasSuffix(r.URL.Path, "/metadata") {
			_, _ = w.Write([]byte(caps))
			return
		}
		mu.Lock()
		hits = append(hits, hit{r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Request-ID")})
		mu.Unlock()
		entry := ""
		if strings.HasSuffix(r.URL.Path, "/Patient") {
			entry = `{"fullUrl":"` + "http://" + r.Host + `/fhir/Patient/w1","resource":` + patient + `,"search":{"mode":"match"}}`
		}
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[` + entry + `]}`))
	}))
	defer srv.Close()
	extra := config.Backend{Name: "Loopback ShCR", Kind: config.KindFHIRR4, URL: srv.URL + "/fhir", Domain: "health"}
	r := newGovRig(t, Options{Purpose: demoPurpose}, extra)
	take := func() []hit {
		mu.Lock()
		defer mu.Unlock()
		out := hits
		hits = nil
		return out
	}
	// openID is the one id of the open's requests (those after the search's Patient query).
	openID := func(what string, got []hit) string {
		t.Helper()
		var open []hit
		for i, h := range got {
			if strings.HasSuffix(h.path, "/Patient") && strings.Contains(h.query, "identifier") && i == 0 {
				continue // the search
			}
			open = append(open, h)
		}
		if len(open) == 0 {
			t.Fatalf("%s: the loopback back end was not asked for the record: %+v", what, got)
		}
		for _, h := range open {
			if h.id == "" || h.id != open[0].id {
				t.Fatalf("%s: request ids differ or are missing: %+v", what, open)
			}
		}
		return open[0].id
	}

	r.search(nhsnumber.Format(oakesNHS))
	if out := r.view(); !strings.Contains(out, "OAKES, Winifred") {
		t.Fatalf("record not open:\n%s", out)
	}
	first := openID("first open", take())
	r.keys("r")
	second := openID("second open", take())
	if first == second {
		t.Errorf("two opens sent the same request id %q", first)
	}
	var opened []string
	for _, e := range r.events(t) {
		if e.Event == audit.RecordOpened {
			opened = append(opened, e.RequestID)
		}
	}
	if len(opened) != 2 || opened[0] != first || opened[1] != second {
		t.Errorf("record-opened request ids = %q, sent %q then %q", opened, first, second)
	}
}
