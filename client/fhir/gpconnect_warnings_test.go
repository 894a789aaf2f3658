package fhir

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/shcr-project/shcr/record"
)

// GP Connect List warnings (issue 11, point 7). The published responses carry no warning,
// so each case takes a published response and gives some of its Lists the warningCode
// extensions and note text the specification defines (List.note is 0..1: several warnings
// are concatenated in the one note).

const gpcWarnURL = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1"

const (
	wConfidential = "Items excluded due to confidentiality and/or patient preferences."
	wTransit      = "Patient record transfer from previous GP practice not yet complete; information recorded before 01-Mar-2026 may be missing."
	wFiling       = "Patient record contains some items in the GP practice workflow that have not been reviewed for inclusion in this message; information recorded before 14-Feb-2026 may be missing."
)

// listEdit gives the Lists titled title (every List when title is "") these warning codes
// and this note (no note when note is "").
type listEdit struct {
	title string
	codes []string
	note  string
}

// withWarnings returns the published response at path with the edits applied.
func withWarnings(t *testing.T, path string, edits ...listEdit) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(readFile(t, path), &b); err != nil {
		t.Fatal(err)
	}
	matched := 0
	for _, e := range b["entry"].([]any) {
		r := e.(map[string]any)["resource"].(map[string]any)
		if r["resourceType"] != "List" {
			continue
		}
		for _, ed := range edits {
			if ed.title != "" && r["title"] != ed.title {
				continue
			}
			matched++
			var exts []any
			if old, ok := r["extension"].([]any); ok {
				exts = old
			}
			for _, c := range ed.codes {
				exts = append(exts, map[string]any{"url": gpcWarnURL, "valueCode": c})
			}
			r["extension"] = exts
			if ed.note != "" {
				r["note"] = []any{map[string]any{"text": ed.note}}
			}
		}
	}
	if matched == 0 {
		t.Fatalf("%s: no List matched %+v", path, edits)
	}
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestMapGPConnectWarnings(t *testing.T) {
	allergies := "examples/gpconnect/allergies_response1.json"
	meds := "examples/gpconnect/meds_response.json"
	consultations := "examples/gpconnect/consultations_response1.json"
	all := []record.Section{record.SectionAllergies, record.SectionMedications, record.SectionEncounters, record.SectionNotes}
	// The warning the published allergies response always carries (an allergy the List
	// names is not in the bundle) is not a List warning; it is kept alongside.
	const missing = "1 allergy listed by the GP system was not included in the response."

	tests := []struct {
		name  string
		path  string
		edits []listEdit
		want  map[record.Section][]string // every warning of the section, exactly
	}{
		{
			name: "published allergies, no warning",
			path: allergies,
			want: map[record.Section][]string{record.SectionAllergies: {missing}},
		},
		{
			name:  "three codes, one concatenated note: each warning whole",
			path:  allergies,
			edits: []listEdit{{title: "Active Allergies", codes: []string{"confidential-items", "data-in-transit", "data-awaiting-filing"}, note: wConfidential + " " + wTransit + " " + wFiling}},
			want:  map[record.Section][]string{record.SectionAllergies: {missing, wConfidential, wFiling, wTransit}},
		},
		{
			name:  "concatenated without a space, on separate lines, with separators",
			path:  allergies,
			edits: []listEdit{{title: "Active Allergies", codes: []string{"confidential-items", "data-in-transit"}, note: wConfidential + wTransit + "\n\n; " + wConfidential}},
			want:  map[record.Section][]string{record.SectionAllergies: {missing, wConfidential, wTransit}},
		},
		{
			name:  "codes without a note: the specification's texts",
			path:  allergies,
			edits: []listEdit{{title: "Active Allergies", codes: []string{"confidential-items", "data-in-transit", "data-awaiting-filing"}}},
			want: map[record.Section][]string{record.SectionAllergies: {missing,
				gpcWarnings["confidential-items"].text, gpcWarnings["data-awaiting-filing"].text, gpcWarnings["data-in-transit"].text}},
		},
		{
			name:  "an unknown code, and note text no code explains, are both kept",
			path:  allergies,
			edits: []listEdit{{title: "Resolved Allergies", codes: []string{"data-not-yet-migrated"}, note: "Some historic items are held on paper at the practice and are not included."}},
			want: map[record.Section][]string{record.SectionAllergies: {missing, "GP system warning: data-not-yet-migrated",
				"Some historic items are held on paper at the practice and are not included."}},
		},
		{
			name:  "a long practice note is kept whole, never cut at a width",
			path:  meds,
			edits: []listEdit{{title: "Medication List", note: strings.Repeat("Repeat medication reviewed by the practice pharmacist; ", 12) + "end of note."}},
			want:  map[record.Section][]string{record.SectionMedications: {strings.Repeat("Repeat medication reviewed by the practice pharmacist; ", 12) + "end of note."}},
		},
		{
			name:  "empty-list statements are not warnings",
			path:  meds,
			edits: []listEdit{{title: "Medication List", codes: []string{"data-awaiting-filing"}, note: "Information not available. " + wFiling}},
			want:  map[record.Section][]string{record.SectionMedications: {wFiling}},
		},
		{
			name:  "data in transit on every list: each section shows it once",
			path:  consultations,
			edits: []listEdit{{codes: []string{"data-in-transit"}, note: wTransit}},
			want: map[record.Section][]string{
				record.SectionMedications: {wTransit},
				record.SectionEncounters:  {wTransit},
				record.SectionNotes:       {wTransit},
			},
		},
		{
			name:  "a warning on a list of an area shcr does not show is on every section, labelled",
			path:  consultations,
			edits: []listEdit{{title: "Problems", codes: []string{"confidential-items"}, note: wConfidential}},
			want: map[record.Section][]string{
				record.SectionMedications: {"Problems: " + wConfidential},
				record.SectionEncounters:  {"Problems: " + wConfidential},
				record.SectionNotes:       {"Problems: " + wConfidential},
			},
		},
		{
			name:  "a secondary list's warning goes to its area",
			path:  consultations,
			edits: []listEdit{{title: "Problems - medications related to problems", codes: []string{"confidential-items"}, note: wConfidential}},
			want:  map[record.Section][]string{record.SectionMedications: {wConfidential}, record.SectionEncounters: nil, record.SectionNotes: nil},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := readFile(t, tc.path)
			if len(tc.edits) > 0 {
				body = withWarnings(t, tc.path, tc.edits...)
			}
			p, err := MapGPConnect(body, gpSrc, all)
			if err != nil {
				t.Fatal(err)
			}
			for sec, want := range tc.want {
				st := statusOf(p, sec)
				if st.State != record.StateReturned {
					t.Errorf("%s: state %s", sec, st.State)
				}
				want = slices.Clone(want)
				slices.Sort(want)
				got := slices.Clone(st.Warnings)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("%s warnings:\n got %q\nwant %q", sec, got, want)
				}
			}
		})
	}
}

func TestSplitWarnings(t *testing.T) {
	tests := []struct {
		note string
		want []string
	}{
		{"", nil},
		{wConfidential, []string{wConfidential}},
		{wConfidential + " " + wTransit, []string{wConfidential, wTransit}},
		{wTransit + wFiling, []string{wTransit, wFiling}},
		{"Practice note.\r\n" + wFiling, []string{"Practice note.", wFiling}},
		{"  ITEMS EXCLUDED DUE TO CONFIDENTIALITY and/or patient preferences.  ", []string{"ITEMS EXCLUDED DUE TO CONFIDENTIALITY and/or patient preferences."}},
	}
	for _, tc := range tests {
		if got := splitWarnings(tc.note); !slices.Equal(got, tc.want) {
			t.Errorf("splitWarnings(%q)\n got %q\nwant %q", tc.note, got, tc.want)
		}
	}
}

func TestCleanWarningKeepsWholeLine(t *testing.T) {
	long := strings.Repeat("x", 1200)
	if got := cleanWarning(long); got != long {
		t.Errorf("a 1200-character warning was cut to %d", len(got))
	}
	if got := cleanWarning("a\x1b[31mred\x00\nb"); strings.ContainsAny(got, "\x1b\x00\n") {
		t.Errorf("control characters kept: %q", got)
	}
}

// The edge files kept beside the ordinary server's corpus (shcr's own, built from the
// published responses; see internal/fhirtest/testdata/edge/README.md) map as the
// specification means: each warning whole, on its section.
func TestMapGPConnectWarningEdgeFiles(t *testing.T) {
	edge := "../../../internal/fhirtest/testdata/edge/" // readFile reads under testdata/
	all := []record.Section{record.SectionAllergies, record.SectionMedications, record.SectionEncounters, record.SectionNotes}
	p, err := MapGPConnect(readFile(t, edge+"gpconnect-allergies-warnings.json"), gpSrc, all)
	if err != nil {
		t.Fatal(err)
	}
	got := statusOf(p, record.SectionAllergies).Warnings
	want := []string{"1 allergy listed by the GP system was not included in the response.", "GP system warning: data-not-yet-migrated",
		wConfidential, wFiling, wTransit, "Some historic items are held on paper at the practice and are not included."}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("allergies:\n got %q\nwant %q", got, want)
	}

	p, err = MapGPConnect(readFile(t, edge+"gpconnect-consultations-in-transit.json"), gpSrc, all)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range []record.Section{record.SectionMedications, record.SectionEncounters, record.SectionNotes} {
		got := statusOf(p, sec).Warnings
		want := []string{wTransit, "Problems: " + wConfidential} // sorted
		if !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", sec, got, want)
		}
	}
}

// FuzzSplitWarnings: a List note splits into non-empty single lines, each taken from the
// note (nothing invented, nothing cut inside a warning), one at least for each specified
// warning the note holds.
func FuzzSplitWarnings(f *testing.F) {
	for _, s := range []string{"", wConfidential, wConfidential + wTransit + "\n" + wFiling, "a;b\r\n" + wFiling + " | x",
		"Information not available", "ITEMS EXCLUDED DUE TO CONFIDENTIALITY" + wTransit, "İİİİ " + wTransit, "\u212aİ" + wFiling} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, note string) {
		norm := strings.Join(strings.Fields(note), " ")
		segs := splitWarnings(note)
		for _, s := range segs {
			if s == "" || strings.ContainsAny(s, "\r\n") {
				t.Fatalf("segment %q", s)
			}
			if !strings.Contains(norm, s) {
				t.Fatalf("segment %q is not from the note %q", s, note)
			}
		}
		starts := 0
		for _, st := range gpcWarningStarts {
			if utf8.ValidString(note) && strings.ToLower(note) == strings.ToLower(strings.ToUpper(note)) {
				starts += strings.Count(strings.ToLower(note), st) // plain text: each start is found
			}
		}
		if len(segs) < starts {
			t.Fatalf("%d segments for %d warnings in %q", len(segs), starts, note)
		}
	})
}
