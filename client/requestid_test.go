package client

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
)

// TestRequestIDPerOpen: a loopback R4 back end sees one X-Request-ID on every request of one
// record fetch (its search and every section), a different one on the next, and the record
// carries the id for its audit event; an id given in the context is the one sent.
func TestRequestIDPerOpen(t *testing.T) {
	p := testPerson{NHS: "9434765919", Family: "Carter", Given: "Ann", BirthDate: "1950-01-02", Gender: "female"}
	pat := patientJSON(t, p, "p1")
	var (
		mu  sync.Mutex
		ids []string
	)
	srv := newFHIRServer(t, capsJSON("Patient", "EpisodeOfCare", "AllergyIntolerance", "MedicationStatement"), func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		ids = append(ids, r.Header.Get("X-Request-ID"))
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/Patient") {
			writeFHIR(w, 200, searchset("", pat))
			return
		}
		writeFHIR(w, 200, searchset(""))
	})
	fed, err := NewFederation([]config.Backend{srv.config("Regional ShCR")}, Options{SlowAfter: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer fed.Close()
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := ids
		ids = nil
		return out
	}
	one := func(what string, got []string) string {
		t.Helper()
		if len(got) < 2 {
			t.Fatalf("%s: %d requests, want the search and the sections", what, len(got))
		}
		for _, id := range got {
			if id != got[0] {
				t.Fatalf("%s: request ids differ: %q", what, got)
			}
		}
		if _, err := uuid.Parse(got[0]); err != nil {
			t.Fatalf("%s: request id %q is not a UUID: %v", what, got[0], err)
		}
		return got[0]
	}

	rec, found := fed.Fetch(ctxTimeout(t, 20*time.Second), p.NHS, record.Sections())
	if !found {
		t.Fatalf("not found: %+v", rec.Backends)
	}
	first := one("first fetch", take())
	if rec.RequestID != first {
		t.Errorf("record's request id = %q, sent %q", rec.RequestID, first)
	}
	rec, _ = fed.Fetch(ctxTimeout(t, 20*time.Second), p.NHS, record.Sections())
	second := one("second fetch", take())
	if second == first {
		t.Errorf("two fetches sent the same request id %q", first)
	}
	if rec.RequestID != second {
		t.Errorf("record's request id = %q, sent %q", rec.RequestID, second)
	}

	// Search then Open (the interface): the id in the context is sent by the open and returned.
	matches, _ := fed.Search(ctxTimeout(t, 20*time.Second), record.Query{NHSNumber: p.NHS})
	if len(matches) != 1 {
		t.Fatalf("matches = %+v", matches)
	}
	if got := take(); len(got) == 0 || got[0] == "" {
		t.Fatalf("search sent request ids %q", got)
	}
	want := NewRequestID()
	got := fed.Open(WithRequestID(ctxTimeout(t, 20*time.Second), want), matches[0], record.Sections(), func(record.Part) {}, func(record.BackendStatus) {})
	if got != want {
		t.Errorf("Open returned %q, want the context's %q", got, want)
	}
	if sent := one("open", take()); sent != want {
		t.Errorf("open sent %q, want %q", sent, want)
	}
	// Without one in the context, Open makes one and returns it.
	got = fed.Open(ctxTimeout(t, 20*time.Second), matches[0], record.Sections(), func(record.Part) {}, func(record.BackendStatus) {})
	if sent := one("open without id", take()); sent != got || got == want {
		t.Errorf("open sent %q, returned %q (previous %q)", sent, got, want)
	}
}
