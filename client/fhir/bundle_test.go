package fhir

import (
	"errors"
	"strings"
	"testing"
)

func TestParseBundlePDSKeyOrder(t *testing.T) {
	// PDS puts resourceType after id: the decoder must not care.
	b := bundleOf(t, "examples/pds/RelatedPersonBundle.json")
	if b.Type != "searchset" || b.Total != 1 || b.Next != "" || len(b.Entries) != 1 {
		t.Fatalf("got type %q total %d next %q entries %d", b.Type, b.Total, b.Next, len(b.Entries))
	}
	e := b.Entries[0]
	if e.Type != "RelatedPerson" || e.ID != "507B7621" || !strings.HasSuffix(e.FullURL, "/RelatedPerson/507B7621") {
		t.Errorf("entry = %+v", e)
	}
	if e.Ref() != "RelatedPerson/507B7621" {
		t.Errorf("Ref = %q", e.Ref())
	}
}

func TestParseBundleModesNextAndBadEntries(t *testing.T) {
	b := bundleOf(t, "cases/socialcare-carepackages-bundle.json")
	if b.Total != 9 {
		t.Errorf("Total = %d, want 9", b.Total)
	}
	if b.Next != "http://demo.invalid/fhir/EpisodeOfCare?patient=p1&_page=2" {
		t.Errorf("Next = %q", b.Next)
	}
	modes := map[string]int{}
	for _, e := range b.Entries {
		modes[e.Mode]++
	}
	if modes["match"] != 5 || modes["include"] != 5 || modes["outcome"] != 1 {
		t.Errorf("modes = %v", modes)
	}
	if len(b.Warnings) != 1 || !strings.Contains(b.Warnings[0], "http://demo.invalid/fhir/broken") {
		t.Errorf("warnings = %q, want the broken entry named", b.Warnings)
	}
}

func TestParseBundleTotalAbsent(t *testing.T) {
	b, err := ParseBundle([]byte(`{"entry":[{"resource":{"id":"x","resourceType":"Flag"}}],"type":"collection","resourceType":"Bundle"}`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != -1 || len(b.Entries) != 1 || b.Entries[0].Ref() != "Flag/x" {
		t.Errorf("got %+v", b)
	}
}

func TestParseBundleErrors(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"empty", "", []string{"empty"}},
		{"html", "<!DOCTYPE html><html><body>Bad gateway</body></html>", []string{"HTML"}},
		{"array", `[1,2]`, []string{"not a JSON object"}},
		{"truncated", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Pat`, []string{"truncated"}},
		{"syntax", "{\"resourceType\":\"Bundle\",\n\"type\": searchset}", []string{"malformed JSON", "line 2"}},
		{"no resourceType", `{"type":"searchset"}`, []string{"no resourceType"}},
		{"a patient", `{"resourceType":"Patient","id":"p1"}`, []string{"expected a Bundle", "Patient"}},
		{"operation outcome", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Patient/123 is not known"}]}`,
			[]string{"OperationOutcome", "error (not-found): Patient/123 is not known"}},
		{"wrong type", `{"resourceType":"Bundle","total":"many"}`, []string{"total", "expected a number", "string"}},
		{"entries not array", `{"resourceType":"Bundle","entry":{"resource":{}}}`, []string{"entry", "expected an array"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := ParseBundle([]byte(tt.body))
			if err == nil {
				t.Fatalf("no error; got %+v", b)
			}
			if !errors.Is(err, ErrNotFHIR) {
				t.Errorf("error %v does not wrap ErrNotFHIR", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseResource(t *testing.T) {
	r := example(t, "pds/Patient.json")
	if r.Type != "Patient" || r.ID != "9000000009" {
		t.Errorf("got %s", r.Ref())
	}
	if _, err := ParseResource([]byte(`{"id":"1"}`)); err == nil {
		t.Error("a resource without resourceType was accepted")
	}
}

func TestDecodeErrorNamesResourceAndField(t *testing.T) {
	r := inline(t, `{"resourceType":"Encounter","id":"enc-9","period":{"start":12}}`)
	var e encounterRes
	err := decodeAs(r, &e)
	if err == nil || !strings.Contains(err.Error(), "Encounter/enc-9: period.start") {
		t.Errorf("err = %v, want it to name Encounter/enc-9 and period.start", err)
	}
}
