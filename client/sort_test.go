package client

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// TestSortNewestWhereDeclared: a big section is asked newest first (_sort=-date) where the
// CapabilityStatement declares date and _sort for its type, and not elsewhere; a server
// that declares them but refuses _sort (400) still answers the section, asked again
// without it, and is not sent _sort again.
func TestSortNewestWhereDeclared(t *testing.T) {
	person := testPerson{NHS: "9434765919", Family: "Sorted", Given: "Sam", BirthDate: "1950-01-01", Gender: "female"}
	caps := func(sortable bool) []byte {
		params := []any{map[string]any{"name": "patient"}, map[string]any{"name": "date"}}
		if sortable {
			params = append(params, map[string]any{"name": "_sort"})
		}
		b, _ := json.Marshal(map[string]any{"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
			"fhirVersion": "4.0.1", "format": []any{"json"}, "rest": []any{map[string]any{"mode": "server", "resource": []any{
				map[string]any{"type": "Patient", "searchParam": []any{map[string]any{"name": "identifier"}}},
				map[string]any{"type": "Encounter", "searchParam": params}}}}})
		return b
	}
	for _, tc := range []struct {
		name             string
		sortable, refuse bool
		wantSort         []bool // per record opened: _sort sent on the Encounter search that answered
	}{
		{"declared", true, false, []bool{true, true}},
		{"not declared", false, false, []bool{false, false}},
		{"declared but refused", true, true, []bool{false, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				sorts []string // _sort of each Encounter search, "" when none
			)
			pat := patientJSON(t, person, "p1")
			fs := newFHIRServer(t, caps(tc.sortable), func(w http.ResponseWriter, r *http.Request) {
				switch {
				case strings.HasSuffix(r.URL.Path, "/Patient"):
					writeFHIR(w, 200, searchset("", pat))
				case strings.HasSuffix(r.URL.Path, "/Encounter"):
					s := r.URL.Query().Get("_sort")
					mu.Lock()
					sorts = append(sorts, s)
					mu.Unlock()
					if s != "" && tc.refuse {
						writeFHIR(w, 400, outcome("error", "not-supported", "_sort is not supported"))
						return
					}
					writeFHIR(w, 200, searchset("", encounter("e1", "p1", 1), encounter("e2", "p1", 2)))
				default:
					writeFHIR(w, 404, outcome("error", "not-found", "no"))
				}
			})
			b, err := New(fs.config("Sorting"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range tc.wantSort {
				if _, err := b.Search(ctxTimeout(t, 10*time.Second), record.Query{NHSNumber: person.NHS}); err != nil {
					t.Fatal(err)
				}
				mu.Lock()
				sorts = nil
				mu.Unlock()
				var rec record.Record
				b.Fetch(ctxTimeout(t, 10*time.Second), record.PersonSource{Backend: "Sorting", ID: "p1"}, person.NHS,
					[]record.Section{record.SectionEncounters}, func(p record.Part) { rec.Merge(p) })
				st := rec.StatusOf(record.SectionEncounters)
				if len(st) != 1 || st[0].State != record.StateReturned || len(rec.Sections.Encounters) != 2 {
					t.Fatalf("record %d: encounters %+v, %d items", i+1, st, len(rec.Sections.Encounters))
				}
				mu.Lock()
				last := sorts[len(sorts)-1]
				refusedAgain := tc.refuse && i > 0 && len(sorts) > 1
				mu.Unlock()
				if (last == "-date") != want || (last != "" && last != "-date") {
					t.Errorf("record %d: _sort=%q on the search that answered, want sorted %v", i+1, last, want)
				}
				if refusedAgain {
					t.Errorf("record %d: _sort sent again after the server refused it: %q", i+1, sorts)
				}
			}
		})
	}
}
