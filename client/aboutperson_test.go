package client

import (
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/client/fhir"
)

// TestAboutPersonOnlyIsTheFilter: whatever entries of a page are about someone else,
// aboutPersonOnly keeps exactly the others in order (the Bundle read as the client reads
// it), counts those dropped, and leaves the page as it was; a page with none dropped is
// kept as it is.
func TestAboutPersonOnlyIsTheFilter(t *testing.T) {
	base, _ := url.Parse("http://b.example/fhir")
	b := &fhirBackend{backendCore: backendCore{base: base, baseStr: base.String()}}
	ids := []string{"p1", "p1-linked"}
	rng := rand.New(rand.NewPCG(7, 11))
	for round := range 400 {
		n := rng.IntN(12)
		var entries []string
		var wantIDs []string
		wantDropped := 0
		for i := range n {
			id := fmt.Sprintf("e%d", i)
			subject, mode := "", "match"
			switch rng.IntN(5) {
			case 0:
				subject = `"subject":{"reference":"Patient/p2"},`
			case 1:
				subject, mode = `"subject":{"reference":"Patient/p2"},`, "include"
			case 2:
				subject = `"subject":{"reference":"Patient/p1-linked"},`
			case 3:
				subject = `"subject":{"reference":"http://b.example/fhir/Patient/p1"},`
			}
			if strings.Contains(subject, "p2") && mode == "match" {
				wantDropped++
			} else {
				wantIDs = append(wantIDs, id)
			}
			entries = append(entries, fmt.Sprintf(`{"fullUrl":"http://b.example/fhir/Encounter/%s","resource":{"resourceType":"Encounter","id":"%s",%s"status":"finished"},"search":{"mode":"%s"}}`, id, id, subject, mode))
		}
		bundle, err := fhir.ParseBundle([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Join(entries, ",") + `]}`))
		if err != nil {
			t.Fatal(err)
		}
		page := bundle.Entries
		before := slices.Clone(page)
		// As read whole, then as a section read page by page reads it: its Encounters
		// decoded first (whom each is about read with it).
		for _, decoded := range []bool{false, true} {
			var pre fhir.Predecoder
			if decoded && pre.Decode(page) != countMatchEncounters(page) {
				t.Fatalf("round %d: not every Encounter decoded first", round)
			}
			kept, dropped := b.aboutPersonOnly(page, ids, "")
			var gotIDs []string
			for _, r := range kept {
				gotIDs = append(gotIDs, r.ID)
			}
			if !slices.Equal(gotIDs, wantIDs) || dropped != wantDropped {
				t.Fatalf("round %d (decoded first %v): kept %q dropped %d, want %q dropped %d", round, decoded, gotIDs, dropped, wantIDs, wantDropped)
			}
			for i := range page {
				if page[i].ID != before[i].ID || string(page[i].Raw) != string(before[i].Raw) {
					t.Fatalf("round %d: the page was written: entry %d is %s, was %s", round, i, page[i].ID, before[i].ID)
				}
			}
			if dropped == 0 && len(page) > 0 && &kept[0] != &page[0] {
				t.Fatalf("round %d: nothing dropped but the page was copied", round)
			}
			pre.Release()
		}
	}
}

func countMatchEncounters(rs []fhir.Resource) int {
	n := 0
	for _, r := range rs {
		if r.Type == "Encounter" && isMatch(r) {
			n++
		}
	}
	return n
}
