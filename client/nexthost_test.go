package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcr-project/shcr/client/record"
)

// TestNextLinkToAnotherHostNotFollowed: a searchset whose next link points at another
// server (here another loopback port, so another origin) is not followed — that server is
// never asked, so never sees the request or its token — and the section says so, keeping
// the entries already read. (Issue 12 §4: kept as a test of what is already handled.)
func TestNextLinkToAnotherHostNotFollowed(t *testing.T) {
	var foreignHits atomic.Int32
	foreign := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreignHits.Add(1)
		writeFHIR(w, 200, searchset("", encounter("foreign-1", "p1", 3)))
	}))
	t.Cleanup(foreign.Close)

	person := testPerson{NHS: "9434765919", Family: "Paging", Given: "Pat", BirthDate: "1950-01-01", Gender: "female"}
	elsewhere := func(w http.ResponseWriter, r *http.Request) {
		next := fmt.Sprintf("%s/fhir/R4/Encounter?page=2", foreign.URL)
		writeFHIR(w, 200, searchset(next, encounter("home-1", "p1", 1), encounter("home-2", "p1", 2)))
	}
	fs := recordServer(t, person, "p1", map[string]http.HandlerFunc{"Encounter": elsewhere})
	b, err := New(fs.config("Paged"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		rec record.Record
	)
	b.Fetch(ctxTimeout(t, 10*time.Second), record.PersonSource{Backend: "Paged", ID: "p1"}, person.NHS,
		[]record.Section{record.SectionEncounters}, func(p record.Part) {
			mu.Lock()
			defer mu.Unlock()
			rec.Merge(p)
		})
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the other server was asked %d times", n)
	}
	st := rec.StatusOf(record.SectionEncounters)
	if len(st) != 1 || st[0].State != record.StateFailed || st[0].Error != "back end Paged sent a next link to another server: not followed" {
		t.Errorf("encounters status = %+v", st)
	}
	if len(rec.Sections.Encounters) != 2 {
		t.Errorf("kept %d encounters, want the 2 from the back end's own page", len(rec.Sections.Encounters))
	}
	for _, e := range rec.Sections.Encounters {
		if strings.Contains(e.Key, "foreign") {
			t.Errorf("an entry from the other server was kept: %s", e.Key)
		}
	}
}
