package fhir

import (
	"bytes"
	"io/fs"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// predecodeAll decodes page's Encounters first, as a section read page by page does.
func predecodeAll(d *Predecoder, page []Resource) int { return d.Decode(page) }

// Encounters decoded ahead map to the same items, in the same order, with the same
// warnings, as those the mapping decodes itself: every published example and test case,
// the fuzz seeds, the demo's shape and UK Core Encounters. The demo's shape must be
// decoded ahead (else the path is not exercised and the test proves nothing).
func TestPredecodedMapsTheSame(t *testing.T) {
	in := bundleInputs(t)
	in["ukcore"] = ukcoreEncounterBundle(t, 3)
	in["huge"] = largeEncounterBundle(predecodeMax + 88)
	var d Predecoder
	total := map[string]int{}
	for name, data := range in {
		b, err := ParseBundle(data)
		if err != nil {
			continue
		}
		mine := make([]Resource, len(b.Entries))
		copy(mine, b.Entries)
		n := predecodeAll(&d, b.Entries)
		total[name] = n
		for i := range mine {
			if mine[i].pre != nil {
				t.Fatalf("%s: the copy was changed", name)
			}
		}
		want, wantW := NewPageMapper(record.SectionEncounters, nil, healthSrc), []string(nil)
		got := NewPageMapper(record.SectionEncounters, nil, healthSrc)
		w, g := want.Map(mine, nil), got.Map(b.Entries, nil)
		wantW = want.Warnings()
		if !reflect.DeepEqual(w, g) {
			t.Fatalf("%s: decoded ahead, the items differ:\n%+v\n%+v", name, w.Encounters, g.Encounters)
		}
		if !reflect.DeepEqual(wantW, got.Warnings()) {
			t.Fatalf("%s: decoded ahead, the warnings differ:\n%q\n%q", name, wantW, got.Warnings())
		}
	}
	if total["huge"] != predecodeMax {
		t.Fatalf("demo shape: %d of predecodeMax+88 encounters decoded ahead, want %d (at most predecodeMax a page)", total["huge"], predecodeMax)
	}
	if total["ukcore"] == 0 {
		t.Fatal("UK Core encounters: none decoded ahead")
	}
}

// A page's storage is the next page's: a copy of a resource from a page whose
// storage now holds another page's Encounters is decoded again, not taken for another.
func TestPredecodedStorageReusedIsNotTaken(t *testing.T) {
	page := func() []Resource {
		b, err := ParseBundle(largeEncounterBundle(5))
		if err != nil {
			t.Fatal(err)
		}
		for i := range b.Entries {
			// Bytes of their own, as every page has.
			b.Entries[i].Raw = bytes.Clone(b.Entries[i].Raw)
		}
		return b.Entries
	}
	var d Predecoder
	first := page()
	if predecodeAll(&d, first) == 0 {
		t.Fatal("nothing decoded ahead")
	}
	stale := make([]Resource, len(first))
	copy(stale, first)
	predecodeAll(&d, page())
	third := page()
	predecodeAll(&d, third) // the storage the first page had
	decodedAhead := 0
	for i := range stale {
		if stale[i].pre != nil {
			decodedAhead++
			if predecodedFor(stale[i]) != nil {
				t.Fatalf("%s: taken for the Encounter now in its storage", stale[i].Ref())
			}
		}
		if predecodedFor(third[i]) == nil && third[i].pre != nil {
			t.Fatalf("%s: its own decoded Encounter not taken", third[i].Ref())
		}
	}
	if decodedAhead == 0 {
		t.Fatal("no stale copy was decoded ahead: the test proves nothing")
	}
	d.Release()
	for i := range third {
		if predecodedFor(third[i]) != nil {
			t.Fatalf("%s: its decoded Encounter taken after Release", third[i].Ref())
		}
	}
	if d := first[0].Detached(); d.pre != nil {
		t.Fatal("Detached keeps the page's decoded Encounter")
	}
}

// encounterInputs are every Encounter the test inputs hold (published examples, test cases,
// fuzz seeds, the internal/fhirtest corpus, ../shared/fhir-examples), as resources.
func encounterInputs(t *testing.T) []Resource {
	var out []Resource
	add := func(data []byte) {
		if b, err := ParseBundle(data); err == nil {
			for _, r := range b.Entries {
				if r.Type == "Encounter" {
					out = append(out, r)
				}
			}
			return
		}
		if r, err := ParseResource(data); err == nil && r.Type == "Encounter" {
			out = append(out, r)
		}
	}
	for _, data := range bundleInputs(t) {
		add(data)
	}
	for _, root := range []string{"../../internal/fhirtest/testdata", "../../../shared/fhir-examples", "testdata/published"} {
		_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
				add(readFileF(t, path))
			}
			return nil
		})
	}
	add(ukcoreEncounterBundle(t, 3))
	add(largeEncounterBundle(20))
	for _, s := range predecodeRefCorners {
		out = append(out, Resource{Type: "Encounter", ID: "c", Mode: "match", Raw: []byte(s)})
	}
	return out
}

// Encounters whose references the reader sees only partly, or not as the scan does.
var predecodeRefCorners = []string{
	`{"resourceType":"Encounter","id":"c","status":"finished","subject":{"reference":"Patient/1"},"serviceProvider":{"reference":"Organization/2"}}`,
	`{"resourceType":"Encounter","id":"c","serviceProvider":{"reference":"Organization/2","identifier":{"system":"s","value":"v","assigner":{"reference":"Organization/3"}}}}`,
	`{"resourceType":"Encounter","id":"c","serviceProvider":{"reference":"Organization/2","extension":[{"url":"u","valueReference":{"reference":"Location/9"}}]}}`,
	`{"resourceType":"Encounter","id":"c","x":{"refer\u0065nce":"Practitioner/7"},"serviceProvider":{"reference":"Organization/2"}}`,
	`{"resourceType":"Encounter","id":"c","type":[{"text":"reference"}],"serviceProvider":{"reference":"Organization/2"}}`,
	`{"resourceType":"Encounter","id":"c","serviceProvider":{"reference":null},"location":[{"location":{"reference":"Location/1"}},{"location":{"reference":"Location/1"}}]}`,
	`{"resourceType":"Encounter","id":"c","participant":[{"individual":{"reference":" http://b/fhir/Practitioner/5 "}},{"individual":{"reference":"#p"}},{"individual":{"reference":""}}]}`,
	`{"resourceType":"Encounter","id":"c","hospitalization":{"destination":{"reference":"Location/4"},"origin":{"reference":"Location/3"}},"serviceProvider":{"reference":"Organization/2"}}`,
	`{"resourceType":"Encounter","id":"c","period":{"start":"2020"},"recorder":{"reference":"Practitioner/1"},"author":[{"reference":"Practitioner/2"},{"reference":"Practitioner/1"}]}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1","reference":null},"episodeOfCare":[{"reference":"EpisodeOfCare/2","reference":"EpisodeOfCare/3"}]}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1","reference":{"x":1}},"basedOn":[{"reference":"ServiceRequest/4","reference":[2]}]}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/1","reference":7},"account":[{"reference":"Account/\u0031"}]}`,
	`{"resourceType":"Encounter","id":"c","subject":{"reference":"Patient/\/1"},"diagnosis":[{"condition":{"reference":"Condition/é"}}]}`,
	`{"resourceType":"Encounter","id":"c","class":{"system":"s","code":"AMB","reference":"Location/1"}}`,
	`{"resourceType":"Encounter","id":"c","type":[{"coding":[{"code":"x","reference":"Location/2"}]}]}`,
	`{"resourceType":"Encounter","id":"c","extension":[{"url":"u","valueReference":{"reference":"Organization/5"}}],"contained":[{"resourceType":"Location","id":"l","managingOrganization":{"reference":"Organization/6"}}]}`,
	`{"resourceType":"Encounter","id":"c","x":{"y":{"reference":"Practitioner/8"},"reference":"Practitioner/9"}}`,
}

// ReferencesOf, from an Encounter decoded ahead, is exactly References of its bytes (the
// same references in the same order) for every Encounter of the test inputs and corners,
// whatever the base; the demo's shape must have its references read with it (else the
// path is not exercised).
func TestReferencesOfAgreesWithReferences(t *testing.T) {
	rs := encounterInputs(t)
	known, total := 0, 0
	for i := range rs {
		one := []Resource{rs[i]}
		var d Predecoder
		predecodeAll(&d, one)
		total++
		if p := predecodedFor(one[0]); p != nil && p.refsKnown {
			known++
		}
		for _, base := range []string{"", "http://b/fhir", "https://example.org/fhir/R4"} {
			got, want := ReferencesOf(one[0], base), References(one[0].Raw, base)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s base %q: ReferencesOf %q, References %q\n%s", one[0].Ref(), base, got, want, one[0].Raw)
			}
			checkAppendReferencesOf(t, one[0], base, want)
		}
	}
	t.Logf("%d encounters, %d with their references read with them", total, known)
	if total < 30 || known < 25 {
		t.Fatalf("%d encounters, %d with their references read with them: too few to prove anything", total, known)
	}
	b, err := ParseBundle(largeEncounterBundle(50))
	if err != nil {
		t.Fatal(err)
	}
	var d Predecoder
	predecodeAll(&d, b.Entries)
	for _, r := range b.Entries {
		if r.Type == "Encounter" {
			if p := predecodedFor(r); p == nil || !p.refsKnown {
				t.Fatalf("%s: the demo's shape not read with its references", r.Ref())
			}
		}
	}
}

// FuzzReferencesOf: whatever bytes an Encounter holds, its references from the decode
// ahead are References'.
func FuzzReferencesOf(f *testing.F) {
	addEncounterSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		one := []Resource{{Type: "Encounter", ID: "c", Mode: "match", Raw: raw}}
		var d Predecoder
		predecodeAll(&d, one)
		for _, base := range []string{"", "http://b/fhir"} {
			if got, want := ReferencesOf(one[0], base), References(raw, base); !reflect.DeepEqual(got, want) {
				t.Fatalf("base %q: ReferencesOf %q, References %q", base, got, want)
			}
			checkAppendReferencesOf(t, one[0], base, References(raw, base))
		}
	})
}

// checkAppendReferencesOf: AppendReferencesOf appends r's references (want) after dst
// whatever dst holds: nothing, the same references (what it finds is not checked
// against dst), or twenty of them (past the linear search's length).
func checkAppendReferencesOf(t *testing.T, r Resource, base string, want []string) {
	t.Helper()
	many := make([]string, 0, 20+len(want))
	for len(many) < 20 {
		many = append(many, want...)
		if len(want) == 0 {
			many = append(many, "Practitioner/x")
		}
	}
	for _, dst := range [][]string{nil, {}, slices.Clone(want), many} {
		got := AppendReferencesOf(slices.Clip(dst), r, base)
		if exp := append(slices.Clone(dst), want...); !slices.Equal(got, exp) {
			t.Fatalf("%s base %q: AppendReferencesOf(%q) %q, want %q", r.Ref(), base, dst, got, exp)
		}
	}
}

// addEncounterSeeds seeds a fuzz target of one Encounter's bytes: the reference corners and
// two of the demo's large record's Encounters.
func addEncounterSeeds(f *testing.F) {
	for _, s := range predecodeRefCorners {
		f.Add([]byte(s))
	}
	if b, err := ParseBundle(largeEncounterBundle(2)); err == nil {
		for _, r := range b.Entries {
			f.Add([]byte(r.Raw))
		}
	}
}

// BenchmarkScanAndPredecodeDemoPages measures the two byte readers of the
// 50,000-encounter get's path alone, on the demo's own pages (5 of 1,000): "scan" is the
// page scan (scanBundle, the search goroutine), "predecode" the Encounter reader
// (Predecoder.Decode, the mapping goroutine). MB/s is of the pages' bytes.
func BenchmarkScanAndPredecodeDemoPages(b *testing.B) {
	pages := demoEncounterPages(b, 5000)
	size := 0
	buns := make([]*Bundle, len(pages))
	for i, p := range pages {
		size += len(p)
		bun, ok := scanBundle(p)
		if !ok {
			b.Fatal("page not scanned")
		}
		buns[i] = bun
	}
	b.Run("scan", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range pages {
				if _, ok := scanBundle(p); !ok {
					b.Fatal("page not scanned")
				}
			}
		}
	})
	b.Run("predecode", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		var pre Predecoder
		for b.Loop() {
			for _, bun := range buns {
				if n := pre.Decode(bun.Entries); n != 1000 {
					b.Fatalf("%d decoded", n)
				}
				pre.Release()
			}
		}
	})
}

// A slot holds nothing of the Encounter decoded in it before (on a page before, or one a
// reader gave up on): each page's Encounters, decoded with storage that held others (the
// corners, the published examples), Released or not between pages, are what a fresh
// Predecoder decodes from them, field for field.
func TestPredecodedSlotsHoldNothingOfBefore(t *testing.T) {
	const givenUp = `{"resourceType":"Encounter","id":"g","status":"finished","class":{"code":"AMB"},"period":{"start":"2020"},` +
		`"subject":{"reference":"Patient/1"},"location":[{"location":{"reference":"Location/1"}}],"extension":[{"url":"u","valueBoolean":true}]}`
	// ... and one given up on within a Reference, a Coding (class) and a Period read into
	// slots of the reader's slabs.
	const givenUpInSlots = `{"resourceType":"Encounter","id":"h","class":{"code":"AMB","system":"s","Display":"x"}}`
	const givenUpInRef = `{"resourceType":"Encounter","id":"h","serviceProvider":{"reference":"Organization/9","type":"T","Display":"x"}}`
	for _, s := range []string{givenUp, givenUpInSlots, givenUpInRef} {
		if decodeEncounterFast([]byte(s), &encounterRes{}) {
			t.Fatalf("the reader read the Encounter it must give up on: %s", s)
		}
	}
	rich := encounterInputs(t)
	rich = rich[:min(len(rich), 600)] // with the sparse ones, fewer than predecodeMax
	sparse := []Resource{}
	for i, s := range []string{`{"resourceType":"Encounter","id":"s1"}`, `{"resourceType":"Encounter","id":"s2","status":"planned"}`,
		`{"resourceType":"Encounter","id":"s3","subject":"bad"}`, `{"resourceType":"Encounter","id":"s4","period":{"start":"2021"}}`,
		`{"resourceType":"Encounter","id":"s5","class":{"code":"IMP"},"serviceProvider":{"display":"P"}}`} {
		for range 40 {
			// Before each, one both readers give up on, having read some of it.
			sparse = append(sparse, Resource{Type: "Encounter", ID: "g", Mode: "match", Raw: []byte(givenUp)},
				Resource{Type: "Encounter", ID: "h", Mode: "match", Raw: []byte(givenUpInSlots)},
				Resource{Type: "Encounter", ID: "h", Mode: "match", Raw: []byte(givenUpInRef)},
				Resource{Type: "Encounter", ID: "s" + string(rune('1'+i)), Mode: "match", Raw: []byte(s)})
		}
	}
	fresh := func(page []Resource) []predecoded {
		var out []predecoded
		for _, r := range page {
			var d Predecoder
			one := []Resource{r}
			d.Decode(one)
			if p := predecodedFor(one[0]); p != nil {
				q := *p
				q.raw = nil
				out = append(out, q)
			}
		}
		return out
	}
	for _, release := range []bool{false, true} {
		var d Predecoder
		for round, page := range [][]Resource{rich, sparse, slices.Concat(sparse, rich), sparse} {
			want := fresh(page)
			page = slices.Clone(page)
			d.Decode(page)
			var got []predecoded
			for _, r := range page {
				if p := predecodedFor(r); p != nil {
					q := *p
					q.raw = nil
					got = append(got, q)
				}
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Fatalf("release %v, page %d: %d decoded, fresh %d", release, round, len(got), len(want))
			}
			for i := range got {
				if !reflect.DeepEqual(got[i].enc, want[i].enc) || !reflect.DeepEqual(got[i].own, want[i].own) ||
					!slices.Equal(got[i].refs, want[i].refs) || got[i].refsKnown != want[i].refsKnown || got[i].ownRead != want[i].ownRead ||
					got[i].subject != want[i].subject || got[i].subjectOK != want[i].subjectOK || got[i].subjectKnown != want[i].subjectKnown {
					t.Fatalf("release %v, page %d, Encounter %d: decoded in used storage\n%+v\nfresh\n%+v", release, round, i, got[i], want[i])
				}
			}
			if release {
				d.Release()
			}
		}
	}
}

// The Predecoder's reader hands its slabs out again page after page (slab.rewind): the
// items mapped from one page must hold nothing of them, or the next pages' Encounters
// would change them. Every page's items, compared once the last page is mapped, are those
// of a mapping that decodes each Encounter itself; and the slabs were used again.
func TestPredecodedPagesLeaveNothingInTheSlabs(t *testing.T) {
	var pages [][]byte
	for i := range 4 {
		pages = append(pages, largeEncounterBundle(300+i*50))
	}
	// Every slab in use: profiles, tags and security labels too.
	pages[1] = bytes.ReplaceAll(pages[1], []byte(`"meta":{"lastUpdated"`), []byte(`"meta":{"profile":["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Encounter"],`+
		`"tag":[{"system":"urn:demo:tag","code":"t1"}],"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}],"lastUpdated"`))
	pages = append(pages, ukcoreEncounterBundle(t, 3), largeEncounterBundle(200))
	parse := func(data []byte) []Resource {
		b, err := ParseBundle(data)
		if err != nil {
			t.Fatal(err)
		}
		return b.Entries
	}
	var d Predecoder
	var gotAll, wantAll record.SectionsData
	made := 0
	for _, data := range pages {
		// A mapper each (the demo's pages share their ids); one Predecoder for all.
		got, want := NewPageMapper(record.SectionEncounters, nil, healthSrc), NewPageMapper(record.SectionEncounters, nil, healthSrc)
		page := parse(data)
		if d.Decode(page) == 0 {
			t.Fatal("nothing decoded ahead")
		}
		AppendData(&gotAll, got.Map(page, nil), 0)
		d.Release()
		if made == 0 {
			made = len(d.f.idents.arrays) + len(d.f.refs.arrays) + len(d.f.codings.arrays)
		}
		AppendData(&wantAll, want.Map(parse(data), nil), 0)
	}
	if !reflect.DeepEqual(gotAll.Encounters, wantAll.Encounters) || len(wantAll.Encounters) < 1500 {
		for i := range wantAll.Encounters {
			if i >= len(gotAll.Encounters) || !reflect.DeepEqual(gotAll.Encounters[i], wantAll.Encounters[i]) {
				t.Fatalf("encounter %d of %d differs once later pages were decoded:\n%+v\n%+v", i, len(wantAll.Encounters), gotAll.Encounters[min(i, len(gotAll.Encounters)-1)], wantAll.Encounters[i])
			}
		}
		t.Fatalf("%d encounters, want %d", len(gotAll.Encounters), len(wantAll.Encounters))
	}
	if now := len(d.f.idents.arrays) + len(d.f.refs.arrays) + len(d.f.codings.arrays); made == 0 || now > 2*made {
		t.Fatalf("the reader's slabs: %d arrays after the first page, %d after the last: not used again", made, now)
	}
}
