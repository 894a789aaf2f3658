package fhir

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

func TestSectionQueries(t *testing.T) {
	want := map[record.Section][]string{
		record.SectionCarePackages: {"EpisodeOfCare", "CarePlan", "ServiceRequest", "DeviceRequest"},
		record.SectionCareTeam:     {"CareTeam", "EpisodeOfCare"},
		record.SectionMedications:  {"MedicationStatement", "MedicationRequest"},
		record.SectionAllergies:    {"AllergyIntolerance"},
		record.SectionNextOfKin:    {"RelatedPerson"},
		record.SectionEncounters:   {"Encounter"},
		record.SectionNotes:        {"DocumentReference", "Composition", "Observation"},
		record.SectionAlerts:       {"Flag"},
		record.SectionConsent:      {"Consent", "Observation"},
	}
	for _, sec := range record.Sections() {
		qs := SectionQueries(sec)
		var types []string
		for _, q := range qs {
			types = append(types, q.ResourceType)
			if q.PatientParam != "patient" || !q.RevIncludeProvenance {
				t.Errorf("%s %s: patient param %q revinclude %v", sec, q.ResourceType, q.PatientParam, q.RevIncludeProvenance)
			}
			for _, inc := range append(slices.Clone(q.Includes), q.IncludeIterate...) {
				if src, _, ok := strings.Cut(inc, ":"); !ok || (src != q.ResourceType && !slices.Contains(q.IncludeIterate, inc)) {
					t.Errorf("%s: include %q is not of the form %s:param", sec, inc, q.ResourceType)
				}
			}
		}
		if !slices.Equal(types, want[sec]) {
			t.Errorf("%s queries %v, want %v", sec, types, want[sec])
		}
	}
	if SectionQueries("nonsense") != nil {
		t.Error("queries for an unknown section")
	}
}

func TestQueryValues(t *testing.T) {
	var notes Query
	for _, q := range SectionQueries(record.SectionNotes) {
		if q.ResourceType == "Observation" {
			notes = q
		}
	}
	v := notes.Values("p-1")
	want := url.Values{"patient": {"p-1"}, "code": {"http://snomed.info/sct|37331000000100"}, "_revinclude": {"Provenance:target"}}
	if v.Encode() != want.Encode() {
		t.Errorf("Values = %s, want %s", v.Encode(), want.Encode())
	}
	ct := SectionQueries(record.SectionCareTeam)[0].Values("p-2")
	if ct.Get("_include") != "CareTeam:participant" || len(ct["_include:iterate"]) != 2 {
		t.Errorf("care team query %s", ct.Encode())
	}
	// Values copies: changing the result leaves the query's Params alone.
	v.Set("code", "x")
	if notes.Params.Get("code") == "x" {
		t.Error("Values shares the query's Params")
	}
}

func TestHugeInlineNoteIsCut(t *testing.T) {
	text := strings.Repeat("Visited and well. ", 10000) // 180 KB
	doc := inline(t, `{"resourceType":"DocumentReference","id":"big","status":"current","content":[{"attachment":{"contentType":"text/plain","data":"`+
		base64.StdEncoding.EncodeToString([]byte(text))+`"}}]}`)
	d, _ := MapSection(record.SectionNotes, nil, []Resource{doc}, socialSrc)
	if len(d.Notes) != 1 {
		t.Fatal("note lost")
	}
	n := d.Notes[0].Text
	if len(n) > maxNoteText+100 || !strings.HasPrefix(n, "Visited and well.") || !strings.HasSuffix(n, "longer than 64 KB]") {
		t.Errorf("note of %d bytes, ends %q", len(n), n[len(n)-40:])
	}
}
