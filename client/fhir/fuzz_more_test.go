package fhir

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
)

// These fuzz targets drive the real decoding and mapping paths with hostile input and check
// properties, not just "no panic". Their seed corpora are in testdata/fuzz/<FuzzName>/
// (Go's corpus format): every published example under testdata/examples/, wrapped where a
// target needs a Bundle, plus broken variants (truncated, wrong JSON types, missing
// resourceType, null entries). `go test` runs the seeds; `go test -fuzz=FuzzMapSections`
// explores further. bench/fuzzseed regenerates the seeds from the examples.

// fuzzMaxMessage bounds any message a user can be shown (an error, a warning): enough for a
// sentence naming a resource and an element, never a dump of what the back end sent.
const fuzzMaxMessage = 600

// fuzzing reports whether the test binary runs with -fuzz (not the seed corpus alone).
func fuzzing() bool {
	f := flag.Lookup("test.fuzz")
	return f != nil && f.Value.String() != ""
}

// slowInput turns a pathologically slow input into a finding while fuzzing (so that the
// fuzzer saves it): decoding and mapping a response must be linear-ish, and nothing the
// fuzzer generates (at most a few hundred KB) may take seconds. Plain `go test` never times.
func slowInput(t *testing.T, start time.Time, size int) {
	t.Helper()
	if d := time.Since(start); fuzzing() && d > 3*time.Second {
		t.Fatalf("a %d-byte input took %v", size, d)
	}
}

// checkMessage fails when msg is not one short, non-empty line.
func checkMessage(t *testing.T, what, msg string) {
	t.Helper()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("%s is empty", what)
	}
	if strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("%s is not one line: %q", what, msg)
	}
	if n := utf8.RuneCountInString(msg); n > fuzzMaxMessage {
		t.Fatalf("%s is %d characters long (more than %d): %.200q…", what, n, fuzzMaxMessage, msg)
	}
}

// checkWarning checks a GP Connect warning: one line, printable, kept in full (the
// specification's warnings and a practice's note) up to maxWarningLen.
func checkWarning(t *testing.T, what, msg string) {
	t.Helper()
	if strings.TrimSpace(msg) == "" {
		t.Fatalf("%s is empty", what)
	}
	if strings.IndexFunc(msg, unicode.IsControl) >= 0 {
		t.Fatalf("%s holds a control character: %q", what, msg)
	}
	if n := utf8.RuneCountInString(msg); n > maxWarningLen {
		t.Fatalf("%s is %d characters long (more than %d)", what, n, maxWarningLen)
	}
}

// checkItem checks what every mapped item must carry: a key, the back end that said it, a
// valid domain, and Restricted agreeing with its security labels.
func checkItem(t *testing.T, sec string, it record.Item, src Source) {
	t.Helper()
	if it.Key == "" {
		t.Fatalf("%s: item without a key: %+v", sec, it)
	}
	if it.Provenance.Backend != src.Backend {
		t.Fatalf("%s: item %q has provenance back end %q, want %q", sec, it.Key, it.Provenance.Backend, src.Backend)
	}
	if !it.Provenance.Domain.Valid() {
		t.Fatalf("%s: item %q has domain %q", sec, it.Key, it.Provenance.Domain)
	}
	if it.Restricted != it.Provenance.Restricted() {
		t.Fatalf("%s: item %q: Restricted=%v but security labels %v", sec, it.Key, it.Restricted, it.Provenance.Security)
	}
}

// checkSections checks every item of every section.
func checkSections(t *testing.T, d record.SectionsData, src Source) {
	t.Helper()
	for _, it := range itemsOf(d) {
		checkItem(t, "item", it, src)
	}
	checkPackagesAndPhones(t, d)
}

// checkPackagesAndPhones: clinical orders are never care packages and care packages never
// orders; a status shcr reads otherwise keeps the server's and differs from it; every phone
// has a known system, and only a voice phone can be callable.
func checkPackagesAndPhones(t *testing.T, d record.SectionsData) {
	t.Helper()
	for _, cp := range d.CarePackages {
		if cp.PackageCategory != record.PackageCare && cp.PackageCategory != record.PackageEquipment {
			t.Fatalf("care package %q has category %q", cp.Key, cp.PackageCategory)
		}
	}
	for _, cp := range d.Referrals {
		if cp.PackageCategory != record.PackageOrder {
			t.Fatalf("referral %q has category %q", cp.Key, cp.PackageCategory)
		}
	}
	for _, cp := range append(slices.Clone(d.CarePackages), d.Referrals...) {
		if cp.ReportedStatus != "" && cp.ReportedStatus == cp.Status {
			t.Fatalf("%q: reported status %q kept though shcr reads it the same", cp.Key, cp.Status)
		}
		if cp.Status == "active" && cp.Period.Ended(time.Now()) {
			t.Fatalf("%q: active though its period ended %v", cp.Key, cp.Period.End)
		}
	}
	var phones []record.Phone
	for _, c := range d.NextOfKin {
		phones = append(phones, c.Phones...)
	}
	for _, m := range d.CareTeam {
		phones = append(phones, m.Phones...)
	}
	for _, p := range phones {
		switch p.System {
		case record.PhoneVoice, record.PhoneFax, record.PhonePager, record.PhoneSMS, record.PhoneTextphone, "other":
		default:
			t.Fatalf("phone %q has system %q", p.Number, p.System)
		}
		if p.System != record.PhoneVoice && p.Callable(time.Now()) {
			t.Fatalf("a %s number is callable", p.System)
		}
	}
}

// checkPerson checks a mapped person: an NHS number is either absent or valid Modulus 11,
// and the back end's own view names the back end.
func checkPerson(t *testing.T, p record.Person, src Source) {
	t.Helper()
	if p.NHSNumber != "" && !nhsnumber.Valid(p.NHSNumber) {
		t.Fatalf("person has NHS number %q, which fails Modulus 11", p.NHSNumber)
	}
	if len(p.Sources) != 1 || p.Sources[0].Backend != src.Backend {
		t.Fatalf("person sources %+v, want one from %q", p.Sources, src.Backend)
	}
}

// FuzzMapSections decodes a FHIR R4 response (a searchset Bundle, or a single resource as a
// read returns it) and maps it as every section, with its Patient as the section's patient.
// Bad input must give a typed error (ErrNotFHIR) in one short line; whatever decodes must
// map to items that all carry provenance with the back end, a valid domain and Restricted
// matching their security labels; warnings are one short line each.
func FuzzMapSections(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Encounter","id":"e1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},"period":{"start":"2024-03-12"}}}]}`))
	// Issue 11 shapes: regional organisation tags, a Provenance targeting an item with an
	// identifier-only organisation, a PractitionerRole author (contained, with siblings),
	// partial dates, hospitalization with UK extensions, a Composition with nested and empty
	// sections, attachments, allergies known by text or code only, a Patient's language and death.
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[
{"fullUrl":"https://x.invalid/fhir/EpisodeOfCare/e1","resource":{"resourceType":"EpisodeOfCare","id":"e1","status":"active","meta":{"lastUpdated":"2024-03-01T10:00:00Z","source":"https://fhir.nhs.uk/Id/ods-organization-code|706","tag":[{"system":"https://yhcr.nhs.uk/Source","code":"S"},{"system":"https://yhcr.nhs.uk/Provenance","code":"706"}],"security":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","code":"RR8"}]},"period":{"start":"2024-03"},"managingOrganization":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"A81001"}}}},
{"resource":{"resourceType":"Provenance","id":"p1","target":[{"reference":"https://x.invalid/fhir/EpisodeOfCare/e1/_history/1"}],"recorded":"2024","agent":[{"who":{"reference":"PractitionerRole/r1"},"onBehalfOf":{"type":"Organization","identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"V1AB2"}}}]},"search":{"mode":"include"}},
{"resource":{"resourceType":"PractitionerRole","id":"r1","practitioner":{"reference":"#p"},"organization":{"reference":"Organization/o1"},"code":[{"coding":[{"code":"62247001","display":"GP"}]}]},"search":{"mode":"include"}},
{"resource":{"resourceType":"Organization","id":"o1","name":"City Council","type":[{"coding":[{"code":"RO141"}]}]},"search":{"mode":"include"}},
{"resource":{"resourceType":"Encounter","id":"en1","status":"in-progress","class":{"code":"IMP"},"period":{"start":"2024"},"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-LegalStatus","extension":[{"url":"legalStatusContext","valueCodeableConcept":{"text":"Admission"}},{"url":"legalStatusClassification","valueCodeableConcept":{"coding":[{"code":"02","display":"Section 2"}]}}]}],"hospitalization":{"admitSource":{"text":"Home"},"destination":{"identifier":{"value":"9"}},"dischargeDisposition":{"coding":[{"code":"19"}]},"extension":[{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-MedicallySafeForDischarge","extension":[{"url":"status","valueCode":"ready"},{"url":"actualDate","valueDateTime":"2024-03"}]},{"url":"x/Extension-DischargeReadyDate","valuePeriod":{"start":"2024-03-02"}}]},"serviceProvider":{"reference":"#o"},"contained":[{"resourceType":"Organization","id":"o","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"15F"}]}]}},
{"resource":{"resourceType":"Composition","id":"c1","status":"final","date":"2024-03","title":"Discharge","author":[{"reference":"#r"}],"contained":[{"resourceType":"PractitionerRole","id":"r","practitioner":{"reference":"#p"},"organization":{"reference":"#r"}},{"resourceType":"Practitioner","id":"p","name":[{"text":"Dr A"}]}],"section":[{"title":"A","text":{"div":"<div><pre>x\ny</pre></div>"},"section":[{"title":"B","emptyReason":{"text":"none"}},{"title":"C","entry":[{"reference":"X/1"}]}]}]}},
{"resource":{"resourceType":"DocumentReference","id":"d1","status":"current","author":[{"identifier":{"system":"https://fhir.nhs.uk/Id/sds-user-id","value":"1"}}],"content":[{"attachment":{"data":"SGVsbG8="}},{"attachment":{"contentType":"text/html","data":"PHA+aGk8L3A+"}},{"attachment":{"contentType":"application/pdf","url":"x","size":9}}]}},
{"resource":{"resourceType":"AllergyIntolerance","id":"a1","code":{"coding":[{"code":"91936005","display":"91936005 | Allergy to penicillin |"}]},"recordedDate":"2023","onsetDateTime":"2023-05"}},
{"resource":{"resourceType":"AllergyIntolerance","id":"a2","code":{"coding":[{"code":"1"}]},"verificationStatus":{"coding":[{"code":"refuted"}]}}},
{"resource":{"resourceType":"AllergyIntolerance","id":"a3","code":{"text":"Plasters"},"verificationStatus":"entered-in-error"}},
{"resource":{"resourceType":"Patient","id":"pt","deceasedDateTime":"2024-03","communication":[{"language":{"text":"Polish"},"preferred":true}],"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication","extension":[{"url":"language","valueCodeableConcept":{"text":"Welsh"}},{"url":"preferred","valueBoolean":true}]}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowInput(t, time.Now(), len(data))
		src := Source{Backend: "fuzz-r4", Domain: record.DomainSocialCare, Organisation: "Fuzz County Council",
			Organisations: Organisations{"706": {Name: "Fuzz Borough", Domain: record.DomainSocialCare}, "RR8": {Name: "Fuzz Trust", Domain: record.DomainHealth}}}
		var resources []Resource
		b, err := ParseBundle(data)
		if err != nil {
			if !errors.Is(err, ErrNotFHIR) {
				t.Fatalf("ParseBundle error is not ErrNotFHIR: %v", err)
			}
			checkMessage(t, "ParseBundle error", err.Error())
			r, rerr := ParseResource(data)
			if rerr != nil {
				if !errors.Is(rerr, ErrNotFHIR) {
					t.Fatalf("ParseResource error is not ErrNotFHIR: %v", rerr)
				}
				checkMessage(t, "ParseResource error", rerr.Error())
				return
			}
			if r.Type == "" {
				t.Fatalf("ParseResource gave a resource without a type and no error")
			}
			resources = []Resource{r}
		} else {
			if b == nil {
				t.Fatal("ParseBundle gave neither a bundle nor an error")
			}
			for _, w := range b.Warnings {
				checkMessage(t, "bundle warning", w)
			}
			for _, e := range b.Entries {
				if e.Type == "" || len(e.Raw) == 0 {
					t.Fatalf("bundle entry without a type or body: %+v", e)
				}
			}
			resources = b.Entries
		}
		var patient *Resource
		for i := range resources {
			if resources[i].Type != "Patient" {
				continue
			}
			if patient == nil {
				patient = &resources[i]
			}
			p, err := MapPerson(resources[i], src)
			if err != nil {
				checkMessage(t, "MapPerson error", err.Error())
				continue
			}
			checkPerson(t, p, src)
		}
		for _, sec := range record.Sections() {
			d, warnings := MapSection(sec, patient, resources, src)
			checkSections(t, d, src)
			for _, w := range warnings {
				checkMessage(t, string(sec)+" warning", w)
			}
		}
	})
}

// FuzzMapGPConnect maps a GP Connect Access Record Structured response (STU3). Bad input
// gives one short error line; a mapped Part carries the person, exactly one status per
// section (returned or not-returned, from this back end), one-line warnings, and items
// that are all domain health with provenance naming the back end.
func FuzzMapGPConnect(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		defer slowInput(t, time.Now(), len(data))
		src := Source{Backend: "fuzz-gp", Domain: record.DomainSocialCare}
		part, err := MapGPConnect(data, src, nil)
		if err != nil {
			checkMessage(t, "MapGPConnect error", err.Error())
			if !strings.HasPrefix(err.Error(), "GP Connect response") && !errors.Is(err, ErrNoPatient) {
				t.Fatalf("error does not say it is about the GP Connect response: %v", err)
			}
			return
		}
		if part.Backend != src.Backend || part.Person == nil {
			t.Fatalf("part from %q with person %v", part.Backend, part.Person)
		}
		checkPerson(t, *part.Person, src)
		seen := map[record.Section]bool{}
		for _, st := range part.Status {
			if seen[st.Section] {
				t.Fatalf("two statuses for %s", st.Section)
			}
			seen[st.Section] = true
			if st.Backend != src.Backend {
				t.Fatalf("%s: status from %q", st.Section, st.Backend)
			}
			if st.State != record.StateReturned && st.State != record.StateNotSupported {
				t.Fatalf("%s: state %q", st.Section, st.State)
			}
			for _, w := range st.Warnings {
				checkWarning(t, string(st.Section)+" warning", w)
			}
		}
		if len(seen) != len(record.Sections()) {
			t.Fatalf("statuses for %d sections, want %d", len(seen), len(record.Sections()))
		}
		gp := src
		gp.Domain = record.DomainHealth
		checkSections(t, part.Sections, gp)
		for _, it := range itemsOf(part.Sections) {
			if it.Provenance.Domain != record.DomainHealth {
				t.Fatalf("GP Connect item %q has domain %q, want health", it.Key, it.Provenance.Domain)
			}
		}
	})
}

func itemsOf(d record.SectionsData) []record.Item {
	var out []record.Item
	for _, x := range d.CarePackages {
		out = append(out, x.Item)
	}
	for _, x := range d.Referrals {
		out = append(out, x.Item)
	}
	for _, x := range d.CareTeam {
		out = append(out, x.Item)
	}
	for _, x := range d.Medications {
		out = append(out, x.Item)
	}
	for _, x := range d.Allergies {
		out = append(out, x.Item)
	}
	for _, x := range d.NextOfKin {
		out = append(out, x.Item)
	}
	for _, x := range d.Encounters {
		out = append(out, x.Item)
	}
	for _, x := range d.Notes {
		out = append(out, x.Item)
	}
	for _, x := range d.Alerts {
		out = append(out, x.Item)
	}
	return out
}

// FuzzReadError reads an error response (content type and body) into the one line the user
// sees after "back end X answered 502 with …": never empty, one line, bounded, and a large
// body is never dumped into it.
func FuzzReadError(f *testing.F) {
	f.Add("application/fhir+json", []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Patient/1 is not known"}]}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		defer slowInput(t, time.Now(), len(body))
		msg := ReadError(contentType, body)
		checkMessage(t, "ReadError", msg)
		if !utf8.ValidString(msg) {
			t.Fatalf("ReadError is not valid UTF-8: %q", msg)
		}
		// No dump: a long body's bytes do not appear wholesale in the line.
		if len(body) > 2*fuzzMaxMessage && strings.Contains(msg, string(body[:fuzzMaxMessage])) {
			t.Fatalf("ReadError dumped the body: %.200q", msg)
		}
		if oo, ok := ParseOperationOutcome(body); ok {
			checkMessage(t, "OperationOutcome.String", oo.String())
			for _, is := range oo.Issues {
				checkMessage(t, "Issue.String", is.String())
			}
		}
	})
}

// ukcoreEncounterBundle is a searchset of n copies of the published UK Core inpatient
// Encounter example (narrative, extensions, hospitalization and all), each with its own id
// and identifier, with the Practitioner, Location and Organization it references included
// once, as a real server pages back a large record.
func ukcoreEncounterBundle(tb testing.TB, n int) []byte {
	tb.Helper()
	read := func(name string) map[string]any {
		data, err := os.ReadFile("testdata/examples/ukcore/" + name)
		if err != nil {
			tb.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			tb.Fatal(err)
		}
		return m
	}
	enc := read("UKCore-Encounter-InpatientEncounter-Example.json")
	var buf bytes.Buffer
	fmt.Fprintf(&buf, `{"resourceType":"Bundle","type":"searchset","total":%d,"entry":[`, n)
	for i := range n {
		enc["id"] = fmt.Sprintf("enc-%d", i)
		enc["identifier"] = []any{map[string]any{"system": "https://example.org/fhir/encounter-id", "value": fmt.Sprint(i)}}
		res, _ := json.Marshal(enc)
		fmt.Fprintf(&buf, `{"fullUrl":"https://example.org/fhir/R4/Encounter/enc-%d","resource":%s,"search":{"mode":"match"}},`, i, res)
	}
	for _, inc := range []string{"UKCore-Practitioner-ConsultantSandraGose-Example.json", "UKCore-Organization-LeedsTeachingHospital-Example.json"} {
		res, _ := json.Marshal(read(inc))
		fmt.Fprintf(&buf, `{"resource":%s,"search":{"mode":"include"}},`, res)
	}
	buf.WriteString(`{"resource":{"resourceType":"Location","id":"UKCore-Location-HospitalSJUH-Example","name":"St James's University Hospital"},"search":{"mode":"include"}}]}`)
	return buf.Bytes()
}

// BenchmarkDecodeEncounterBundle measures decoding throughput (MB/s) and allocations per
// entry for a 5,000-Encounter searchset of the published UK Core example: "decode" is
// ParseBundle alone (routing every entry), "decode+map" adds mapping the encounters
// section (references resolved, provenance built).
func BenchmarkDecodeEncounterBundle(b *testing.B) {
	data := ukcoreEncounterBundle(b, 5000)
	src := Source{Backend: "bench", Domain: record.DomainHealth}
	for _, mapIt := range []bool{false, true} {
		name := "decode"
		if mapIt {
			name = "decode+map"
		}
		b.Run(name, func(b *testing.B) {
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
				entries = len(bun.Entries)
				if mapIt {
					d, _ := MapSection(record.SectionEncounters, nil, bun.Entries, src)
					if len(d.Encounters) != 5000 {
						b.Fatalf("%d encounters", len(d.Encounters))
					}
				}
				n++
			}
			runtime.ReadMemStats(&after)
			if n > 0 && entries > 0 {
				b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n)/float64(entries), "allocs/entry")
			}
		})
	}
}
