package client

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shcr-project/shcr/config"
	"github.com/shcr-project/shcr/record"
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
	rec := fetchRecord(t, fs.config("Paged"), person.NHS, record.SectionEncounters)
	if n := foreignHits.Load(); n != 0 {
		t.Errorf("the other server was asked %d times", n)
	}
	st := rec.StatusOf(record.SectionEncounters)
	if len(st) != 1 || st[0].State != record.StateTruncated || st[0].Error != "back end Paged sent a next link to another server: not followed; showing the 2 entries read" {
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

// TestSearchsetWithAnotherPersonIsNotOpened: asked for one NHS number, a back end answers
// with somebody else's Patient. `get` (Fetch) finds nobody and asks for none of that other
// person's sections. (Issue 12 §4: kept as a test of what is already handled. Section
// entries whose subject is another person are a separate case, handled with a notice.)
func TestSearchsetWithAnotherPersonIsNotOpened(t *testing.T) {
	asked := testPerson{NHS: "9434765919", Family: "Asked", Given: "Ann", BirthDate: "1950-01-01", Gender: "female"}
	other := testPerson{NHS: "9999999999", Family: "Other", Given: "Olly", BirthDate: "1960-02-02", Gender: "male"}
	var sectionHits atomic.Int32
	fs := recordServer(t, other, "p2", map[string]http.HandlerFunc{"Encounter": func(w http.ResponseWriter, r *http.Request) {
		sectionHits.Add(1)
		writeFHIR(w, 200, searchset("", encounter("e-other", "p2", 1)))
	}})
	fed, err := NewFederation([]config.Backend{fs.config("Wrong")}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	rec, found := fed.Fetch(ctxTimeout(t, 10*time.Second), asked.NHS, record.Sections())
	if found {
		t.Fatalf("found %+v, asked for %s", rec.Person, asked.NHS)
	}
	if rec.Person.NHSNumber != asked.NHS || rec.Person.Name.Family != "" || len(rec.Sections.Encounters) != 0 {
		t.Errorf("the other person's data is in the record: %+v", rec.Person)
	}
	if n := sectionHits.Load(); n != 0 {
		t.Errorf("the other person's sections were asked for %d times", n)
	}
}
