package fhir

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// largeEncounterBundle is a searchset of n Encounters with their included Location,
// Organization and Practitioner, as the demo's large record pages back.
func largeEncounterBundle(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"Bundle","type":"searchset","total":` + fmt.Sprint(n) + `,"entry":[`)
	for i := range n {
		fmt.Fprintf(&b, `{"fullUrl":"http://demo.invalid/fhir/Encounter/e%d","search":{"mode":"match"},"resource":{"resourceType":"Encounter","id":"e%d",
"meta":{"lastUpdated":"2026-01-02T10:00:00Z","source":"urn:demo:epr"},"identifier":[{"system":"urn:demo:enc","value":"%d"}],"status":"finished",
"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"type":[{"text":"Outpatient appointment"}],
"period":{"start":"2025-03-%02dT10:00:00Z","end":"2025-03-%02dT10:30:00Z"},"reasonCode":[{"text":"Review"}],
"participant":[{"type":[{"coding":[{"code":"PPRF"}]}],"individual":{"reference":"Practitioner/pr-%d"}}],
"location":[{"location":{"reference":"Location/loc-%d"}}],"serviceProvider":{"reference":"Organization/org-1"}}},`, i, i, i, i%28+1, i%28+1, i%20, i%5)
	}
	for i := range 20 {
		fmt.Fprintf(&b, `{"search":{"mode":"include"},"resource":{"resourceType":"Practitioner","id":"pr-%d","name":[{"family":"Example%d","given":["Sam"],"prefix":["Dr"]}]}},`, i, i)
	}
	for i := range 5 {
		fmt.Fprintf(&b, `{"search":{"mode":"include"},"resource":{"resourceType":"Location","id":"loc-%d","name":"Clinic %d"}},`, i, i)
	}
	b.WriteString(`{"search":{"mode":"include"},"resource":{"resourceType":"Organization","id":"org-1","name":"Demo Hospital NHS Trust"}}]}`)
	return []byte(b.String())
}

func TestLargeEncounterBundleMaps(t *testing.T) {
	b, err := ParseBundle(largeEncounterBundle(300))
	if err != nil {
		t.Fatal(err)
	}
	d, w := MapSection(record.SectionEncounters, nil, b.Entries, healthSrc)
	if len(w) != 0 || len(d.Encounters) != 300 {
		t.Fatalf("encounters %d warnings %q", len(d.Encounters), w)
	}
	if e := d.Encounters[7]; e.Clinician != "Dr Sam Example7" || e.Location != "Clinic 2" || e.Provider != "Demo Hospital NHS Trust" || e.Class != "ambulatory" {
		t.Errorf("encounter 7 = %+v", e)
	}
}

// BenchmarkMapEncounters5000 measures decoding and mapping the large record's encounters
// (5,000 with their includes) — the cost the TUI pays after the last page arrives.
func BenchmarkMapEncounters5000(b *testing.B) {
	data := largeEncounterBundle(5000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	entries, n := 0, 0
	for b.Loop() {
		bun, err := ParseBundle(data)
		if err != nil {
			b.Fatal(err)
		}
		d, _ := MapSection(record.SectionEncounters, nil, bun.Entries, healthSrc)
		if len(d.Encounters) != 5000 {
			b.Fatal(len(d.Encounters))
		}
		entries = len(bun.Entries)
		n++
	}
	runtime.ReadMemStats(&after)
	if n > 0 && entries > 0 {
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/float64(entries), "allocs/entry")
	}
}

// BenchmarkMapGPConnectConsultations measures the published 123-entry consultations bundle.
func BenchmarkMapGPConnectConsultations(b *testing.B) {
	data := readFileF(b, "testdata/examples/gpconnect/consultations_response1.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := MapGPConnect(data, gpSrc, nil); err != nil {
			b.Fatal(err)
		}
	}
}
