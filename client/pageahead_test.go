package client

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// pageJSON is a searchset page written in the order given: members are name/value pairs
// (a name may come twice, as some servers send).
func pageJSON(t *testing.T, members ...any) (head, rest string) {
	t.Helper()
	var parts []string
	for i := 0; i+1 < len(members); i += 2 {
		v, err := json.Marshal(members[i+1])
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, fmt.Sprintf("%q:%s", members[i], v))
	}
	all := `{"resourceType":"Bundle","type":"searchset",` + strings.Join(parts, ",") + "}"
	// The head is everything before the entries: written first, then the server waits.
	cut := strings.Index(all, `"entry":`)
	return all[:cut], all[cut:]
}

func entries(rs ...map[string]any) []any {
	var out []any
	for _, r := range rs {
		out = append(out, map[string]any{"fullUrl": fmt.Sprintf("urn:test:Encounter/%s", r["id"]), "resource": r,
			"search": map[string]any{"mode": "match"}})
	}
	return out
}

func nextLink(url string) []any { return []any{map[string]any{"relation": "next", "url": url}} }

// TestNextPageAskedWhileThePageIsRead: the next page is asked for as soon as a page's next
// link has been read, while its entries are still arriving, so that the server prepares
// it meanwhile (issue 15: pages read one after another cost a round trip each). The first
// page's server writes everything up to its entries, then holds them until the second
// page has been asked for (giving up after a while, and the test fails).
func TestNextPageAskedWhileThePageIsRead(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Paging", Given: "Pat", BirthDate: "1950-01-01", Gender: "female"}
	page2Asked := make(chan struct{})
	var once sync.Once
	var (
		mu      sync.Mutex
		waited  bool // the first page's entries were held until page 2 was asked for
		pagesIn []string
	)
	var fs *fhirServer
	fs = recordServer(t, person, "p1", map[string]http.HandlerFunc{"Encounter": func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		mu.Lock()
		pagesIn = append(pagesIn, page)
		mu.Unlock()
		if page == "2" {
			once.Do(func() { close(page2Asked) })
			writeFHIR(w, 200, searchset("", encounter("e3", "p1", 3)))
			return
		}
		head, rest := pageJSON(t, "link", nextLink(fs.URL+"/fhir/R4/Encounter?page=2"),
			"entry", entries(encounter("e1", "p1", 1), encounter("e2", "p1", 2)))
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(200)
		fmt.Fprint(w, head)
		w.(http.Flusher).Flush()
		select {
		case <-page2Asked:
			mu.Lock()
			waited = true
			mu.Unlock()
		case <-time.After(5 * time.Second): // not asked ahead: the test fails below
		case <-r.Context().Done():
			return
		}
		fmt.Fprint(w, rest)
	}})
	rec := fetchRecord(t, fs.config("Paged"), person.NHS, record.SectionEncounters)
	mu.Lock()
	defer mu.Unlock()
	if !waited {
		t.Errorf("page 2 was not asked for while page 1 was read (requests: %q)", pagesIn)
	}
	if got := len(rec.Sections.Encounters); got != 3 {
		t.Errorf("%d encounters, want 3 (two pages)", got)
	}
	if st := rec.StatusOf(record.SectionEncounters); len(st) != 1 || st[0].State != record.StateReturned {
		t.Errorf("encounters status = %+v, want returned", st)
	}
	if len(pagesIn) != 2 {
		t.Errorf("requests for encounters: %q, want two (each page once)", pagesIn)
	}
}

// TestPageAskedAheadButNotTheNextIsDropped: a server whose page names one next link before
// its entries and another after them (two "link" members; the last one counts, as for
// every JSON member) gets both asked — the first ahead, as a hint — but only the page the
// whole Bundle names is read: nothing from the other reaches the record.
func TestPageAskedAheadButNotTheNextIsDropped(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Paging", Given: "Pat", BirthDate: "1950-01-01", Gender: "female"}
	var fs *fhirServer
	var (
		mu      sync.Mutex
		pagesIn []string
	)
	fs = recordServer(t, person, "p1", map[string]http.HandlerFunc{"Encounter": func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		mu.Lock()
		pagesIn = append(pagesIn, page)
		mu.Unlock()
		switch page {
		case "hint":
			writeFHIR(w, 200, searchset("", encounter("from-the-hint", "p1", 9)))
		case "real":
			writeFHIR(w, 200, searchset("", encounter("e3", "p1", 3)))
		default:
			head, rest := pageJSON(t, "link", nextLink(fs.URL+"/fhir/R4/Encounter?page=hint"),
				"entry", entries(encounter("e1", "p1", 1), encounter("e2", "p1", 2)),
				"link", nextLink(fs.URL+"/fhir/R4/Encounter?page=real"))
			writeFHIR(w, 200, []byte(head+rest))
		}
	}})
	rec := fetchRecord(t, fs.config("Paged"), person.NHS, record.SectionEncounters)
	var keys []string
	for _, e := range rec.Sections.Encounters {
		keys = append(keys, e.Key)
		if strings.Contains(e.Key, "from-the-hint") {
			t.Errorf("an encounter from the page asked ahead but not followed was kept: %s", e.Key)
		}
	}
	if len(keys) != 3 {
		t.Errorf("encounters %q, want e1, e2 and e3", keys)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Count(strings.Join(pagesIn, ","), "real") != 1 {
		t.Errorf("requests for encounters: %q, want the real next page once", pagesIn)
	}
}
