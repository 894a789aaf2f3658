package fhir

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/shcr-project/shcr/record"
)

// Mapping a section page by page gives what mapping it whole gives: the same items in the
// same order, keys unique across pages (a resource with another's identifier falls back to
// its own reference), a resource sent again on a later page listed once, warnings once.
func TestPageMapperMatchesMapSection(t *testing.T) {
	matches, includes := largeEncounterMatches(t, 30)
	// A later page sends e5 again, and e99 with e3's identifier and a bad date.
	again := matches[5]
	clash, err := ParseResource([]byte(strings.Replace(strings.Replace(string(matches[3].Raw), `"id":"e3"`, `"id":"e99"`, 1),
		`"start":"2025-03-04T10:00:00Z"`, `"start":"not a date"`, 1)))
	if err != nil || clash.ID != "e99" {
		t.Fatalf("clash: %v %q", err, clash.ID)
	}
	clash.Mode = "match"
	pages := [][]Resource{
		append(append([]Resource{}, matches[:10]...), includes...),
		append(append([]Resource{}, matches[10:20]...), append([]Resource{again, clash}, includes...)...),
		append(append([]Resource{}, matches[20:]...), includes...),
	}
	var all []Resource
	for _, p := range pages {
		all = append(all, p...)
	}
	whole, wholeWarnings := MapSection(record.SectionEncounters, nil, all, healthSrc)

	pm := NewPageMapper(record.SectionEncounters, nil, healthSrc)
	pm.Reserve(32) // as the client does with the total the first page says: only room changes
	var paged record.SectionsData
	for i, p := range pages {
		// Later pages name what they reference only through extra (an earlier page's
		// includes), as the client hands them.
		if i == 2 {
			AppendData(&paged, pm.Map(matches[20:], includes), 0)
			continue
		}
		AppendData(&paged, pm.Map(p, nil), 30)
	}
	if len(whole.Encounters) != 31 {
		t.Fatalf("whole: %d encounters, want 31 (30 and the clash)", len(whole.Encounters))
	}
	if !reflect.DeepEqual(paged.Encounters, whole.Encounters) {
		for i := range whole.Encounters {
			if i >= len(paged.Encounters) || !reflect.DeepEqual(paged.Encounters[i], whole.Encounters[i]) {
				t.Fatalf("encounter %d differs:\npaged %+v\nwhole %+v", i, paged.Encounters[min(i, len(paged.Encounters)-1)], whole.Encounters[i])
			}
		}
		t.Fatalf("paged: %d encounters, whole: %d", len(paged.Encounters), len(whole.Encounters))
	}
	if !reflect.DeepEqual(pm.Warnings(), wholeWarnings) || len(wholeWarnings) != 1 {
		t.Errorf("warnings: paged %q, whole %q", pm.Warnings(), wholeWarnings)
	}
	if k := paged.Encounters[20].Key; !strings.HasPrefix(k, "Encounter/e99@") {
		t.Errorf("the clash's key %q, want its own reference (e3 has the identifier)", k)
	}
}

// ReferencePaths says where each reference of the published UK Core Encounter stands, and
// IncludeBrings which of them the _include values shcr sends would bring.
func TestReferencePathsAndIncludes(t *testing.T) {
	raw := readFileF(t, "../../internal/fhirtest/testdata/published/ukcore/UKCore-Encounter-InpatientEncounter-Example.json")
	got := map[string]string{}
	for _, at := range ReferencePaths(raw, "https://example.org/fhir") {
		got[at.Ref] = at.Path
	}
	want := map[string]string{
		"Practitioner/UKCore-Practitioner-ConsultantSandraGose-Example":  "participant.individual",
		"Organization/UKCore-Organization-LeedsTeachingHospital-Example": "serviceProvider",
		"Location/UKCore-Location-CardiologySJUH-Example":                "location.location",
		"Patient/UKCore-Patient-RichardSmith-Example":                    "subject",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths:\n got %v\nwant %v", got, want)
	}
	incs := []string{"Encounter:practitioner", "Encounter:location"}
	for _, c := range []struct {
		typ, path, refType string
		want               bool
	}{
		{"Encounter", "participant.individual", "Practitioner", true},
		{"Encounter", "participant.individual", "PractitionerRole", false}, // :practitioner brings Practitioners only
		{"Encounter", "location.location", "Location", true},
		{"Encounter", "serviceProvider", "Organization", false}, // not asked
		{"ServiceRequest", "location.location", "Location", false},
	} {
		if IncludeBrings(incs, c.typ, c.path, c.refType) != c.want {
			t.Errorf("IncludeBrings(%s %s → %s) = %v", c.typ, c.path, c.refType, !c.want)
		}
	}
	if !IncludeBrings([]string{"DocumentReference:custodian:Organization"}, "DocumentReference", "custodian", "Organization") ||
		IncludeBrings([]string{"DocumentReference:custodian:Organization"}, "DocumentReference", "custodian", "Practitioner") {
		t.Error("a targeted include brings only its target type")
	}
}

// AppendData appends every list of record.SectionsData (a list it forgot would lose a
// section's items read page by page): each list given one item on each of two pages holds
// both, in order; a list first appended to with a hint is made with that room.
func TestAppendDataEveryList(t *testing.T) {
	page := func(n int) record.SectionsData {
		var d record.SectionsData
		v := reflect.ValueOf(&d).Elem()
		for i := range v.NumField() {
			f := v.Field(i)
			if f.Kind() != reflect.Slice {
				continue
			}
			s := reflect.MakeSlice(f.Type(), 1, 1)
			s.Index(0).FieldByName("Item").FieldByName("Key").SetString(fmt.Sprint(v.Type().Field(i).Name, n))
			f.Set(s)
		}
		return d
	}
	for _, hint := range []int{0, 10} {
		var got record.SectionsData
		AppendData(&got, page(1), hint)
		AppendData(&got, record.SectionsData{}, hint)
		AppendData(&got, page(2), hint)
		v := reflect.ValueOf(got)
		for i := range v.NumField() {
			f, name := v.Field(i), v.Type().Field(i).Name
			if f.Kind() != reflect.Slice {
				continue
			}
			if f.Len() != 2 || f.Index(0).FieldByName("Item").FieldByName("Key").String() != name+"1" ||
				f.Index(1).FieldByName("Item").FieldByName("Key").String() != name+"2" {
				t.Errorf("hint %d: %s = %+v, want the items of both pages", hint, name, f.Interface())
			}
			if hint > 0 && f.Cap() < hint {
				t.Errorf("hint %d: %s has room for %d", hint, name, f.Cap())
			}
		}
	}
}

// MapAppend gives what AppendData of Map gives, whatever room is asked for and whether
// the list held is emitted (taken away) between pages; the room asked for is made once.
func TestMapAppendIsAppendDataOfMap(t *testing.T) {
	matches, includes := largeEncounterMatches(t, 40)
	var pages [][]Resource
	for i := 0; i < len(matches); i += 7 {
		pages = append(pages, append(append([]Resource{}, matches[i:min(i+7, len(matches))]...), includes...))
	}
	hints := map[string]func(n int) int{
		"none": func(int) int { return 0 }, "small": func(int) int { return 3 },
		"room": func(n int) int { return 50 + n }, "page": func(n int) int { return n },
	}
	for _, sec := range []record.Section{record.SectionEncounters, record.SectionNotes} {
		for name, hint := range hints {
			for _, emitEvery := range []int{1, 2, 100} {
				old, new := NewPageMapper(sec, nil, healthSrc), NewPageMapper(sec, nil, healthSrc)
				var oldData, newData record.SectionsData
				var oldAll, newAll []record.SectionsData
				for i, p := range pages {
					page := old.Map(p, nil)
					AppendData(&oldData, page, hint((&record.Record{Sections: page}).Count(sec)))
					before := cap(newData.Encounters)
					new.MapAppend(&newData, p, nil, hint)
					if name == "room" && sec == record.SectionEncounters && before > 0 && cap(newData.Encounters) != before {
						t.Fatalf("%s page %d: the list held was made again (cap %d -> %d)", name, i, before, cap(newData.Encounters))
					}
					if (i+1)%emitEvery == 0 {
						oldAll, newAll = append(oldAll, oldData), append(newAll, newData)
						oldData, newData = record.SectionsData{}, record.SectionsData{}
					}
				}
				oldAll, newAll = append(oldAll, oldData), append(newAll, newData)
				for i := range oldAll {
					if !reflect.DeepEqual(oldAll[i], newAll[i]) {
						t.Fatalf("%s %s every %d, part %d: MapAppend\n%+v\nAppendData of Map\n%+v", sec, name, emitEvery, i, newAll[i], oldAll[i])
					}
				}
				if sec == record.SectionEncounters && len(oldAll[0].Encounters) == 0 {
					t.Fatalf("%s: nothing mapped", name)
				}
				if !reflect.DeepEqual(old.Warnings(), new.Warnings()) {
					t.Fatalf("warnings %q, want %q", new.Warnings(), old.Warnings())
				}
			}
		}
	}
}

// largeEncounterMatches parses largeEncounterBundle(n) into its matches and its included
// resources.
func largeEncounterMatches(t *testing.T, n int) (matches, includes []Resource) {
	t.Helper()
	b, err := ParseBundle(largeEncounterBundle(n))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range b.Entries {
		if r.Mode == "include" {
			includes = append(includes, r)
		} else {
			matches = append(matches, r)
		}
	}
	return matches, includes
}

// The encounters a page maps to are in a list record.EncounterList lent (with MapAppend's
// room too), so that the gather, once it has copied them into the record, takes the list
// back for the next page instead of leaving it to the collector.
func TestMappedEncounterListsAreTakenBack(t *testing.T) {
	matches, includes := largeEncounterMatches(t, 30)
	page := append(append([]Resource{}, matches...), includes...)
	for _, c := range []struct {
		name string
		mapp func(pm *PageMapper) record.SectionsData
	}{
		{"Map", func(pm *PageMapper) record.SectionsData { return pm.Map(page, nil) }},
		{"MapAppend with room", func(pm *PageMapper) record.SectionsData {
			var d record.SectionsData
			pm.MapAppend(&d, page, nil, func(n int) int { return 2 * n })
			return d
		}},
	} {
		back := false
		for range 20 { // sync.Pool may drop what it is given (at random under -race)
			data := c.mapp(NewPageMapper(record.SectionEncounters, nil, healthSrc))
			if len(data.Encounters) != 30 {
				t.Fatalf("%s: %d encounters", c.name, len(data.Encounters))
			}
			list := unsafe.SliceData(data.Encounters)
			rec := &record.Record{}
			g := record.NewGather(rec)
			g.Add(&record.Part{Backend: healthSrc.Backend, Sections: data}, 0)
			g.Done()
			if len(rec.Sections.Encounters) != 30 {
				t.Fatalf("%s: gathered %d", c.name, len(rec.Sections.Encounters))
			}
			if unsafe.SliceData(record.EncounterList(30)) == list {
				back = true
				break
			}
		}
		if !back {
			t.Errorf("%s: the list a page was mapped to was never taken back", c.name)
		}
	}
}

// A page's items are mapped from the list the last page's were (no list made per page),
// and that list holds nothing of a page once it is mapped (the page's buffer is reused).
func TestPageMapperKeepsOneItemsList(t *testing.T) {
	matches, includes := largeEncounterMatches(t, 30)
	pm := NewPageMapper(record.SectionEncounters, nil, healthSrc)
	var list *Resource
	for i := range 3 {
		page := append(append([]Resource{}, matches[i*10:(i+1)*10]...), includes...)
		if got := pm.Map(page, nil); len(got.Encounters) != 10 {
			t.Fatalf("page %d: %d encounters", i, len(got.Encounters))
		}
		if i > 0 && unsafe.SliceData(pm.items) != list {
			t.Fatalf("page %d: its items in a list of their own", i)
		}
		list = unsafe.SliceData(pm.items)
		for j, r := range pm.items[:cap(pm.items)] {
			if r.Raw != nil || r.Type != "" {
				t.Fatalf("page %d: item %d (%s) still held after mapping", i, j, r.Type)
			}
		}
	}
}

// who remembers its last answers (recentWho) only while they hold: a reference with
// another display, or resolved on a later page to a resource that now says otherwise, is
// described again; the same reference on the same page is described the same way.
func TestWhoRemembersOnlyWhatStillHolds(t *testing.T) {
	enc := func(id, practitioner, display string) Resource {
		r := inline(t, `{"resourceType":"Encounter","id":"`+id+`","status":"finished",
			"identifier":[{"system":"https://example.nhs.uk/Id/enc","value":"`+id+`"}],
			"period":{"start":"2024-03-12T10:00:00Z"},
			"participant":[{"individual":{"reference":"`+practitioner+`","display":"`+display+`"}}]}`)
		r.Mode = "match"
		return r
	}
	dr := func(name string) Resource {
		r := inline(t, `{"resourceType":"Practitioner","id":"p1","name":[{"text":"`+name+`"}]}`)
		r.Mode = "include"
		return r
	}
	pm := NewPageMapper(record.SectionEncounters, nil, healthSrc)
	first := pm.Map([]Resource{
		enc("e1", "Practitioner/p1", "shown if p1 is not sent"), enc("e2", "Practitioner/p1", "another display"),
		enc("e3", "Practitioner/gone", "Dr Display One"), enc("e4", "Practitioner/gone", "Dr Display Two"),
		enc("e5", "Practitioner/gone", "Dr Display One"), dr("Dr Page One"),
	}, nil)
	second := pm.Map([]Resource{enc("e6", "Practitioner/p1", "shown if p1 is not sent"), dr("Dr Page Two")}, nil)
	var got []string
	for _, e := range append(first.Encounters, second.Encounters...) {
		got = append(got, e.Clinician)
	}
	want := []string{"Dr Page One", "Dr Page One", "Dr Display One", "Dr Display Two", "Dr Display One", "Dr Page Two"}
	if !slices.Equal(got, want) {
		t.Fatalf("clinicians %q, want %q", got, want)
	}
}
