package fhir

import (
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// The published PDS sandbox shapes (examples/pds, MIT): the full patient 9000000009 with
// a registered GP and a formally notified death; the restricted 9000000025; related people.
func TestMapPDSPublishedPatients(t *testing.T) {
	src := Source{Backend: "pds", Organisations: Organisations{"Y12345": {Name: "Example Surgery"}}}
	r, err := ParseResource(readFile(t, "examples/pds/Patient.json"))
	if err != nil {
		t.Fatal(err)
	}
	in2025 := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	p, id, err := MapPDSPatient(r, src, "9000000009", in2025)
	if err != nil {
		t.Fatal(err)
	}
	if p.NHSNumber != "9000000009" || !id.Verified || len(id.Superseded) != 0 || id.Restricted || id.Confidentiality != "U" {
		t.Errorf("person %s identity %+v", p.NHSNumber, id)
	}
	if id.GPPractice != "Y12345" || id.GPPracticeName != "Example Surgery" {
		t.Errorf("GP %q %q", id.GPPractice, id.GPPracticeName)
	}
	if id.Deceased == nil || id.Deceased.Status != record.DeathFormal || id.Deceased.At.IsZero() {
		t.Errorf("deceased %+v", id.Deceased)
	}
	if p.Address.Postcode == "" {
		t.Error("an unrestricted patient's address was dropped")
	}
	// The registration ended on 31-Dec-2025: after it, no registered practice is shown.
	if _, later, _ := MapPDSPatient(r, src, "9000000009", time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)); later.GPPractice != "" {
		t.Errorf("an ended registration shown as current: %q", later.GPPractice)
	}
	// Read under another number: the answer is the record that replaced it.
	if _, sup, _ := MapPDSPatient(r, src, "9000000017", in2025); len(sup.Superseded) != 1 || sup.Superseded[0] != "9000000017" {
		t.Errorf("superseded %+v", sup.Superseded)
	}

	rs, err := ParseResource(readFile(t, "examples/pds/Sensitive_Patient.json"))
	if err != nil {
		t.Fatal(err)
	}
	sp, sid, err := MapPDSPatient(rs, src, "9000000025", in2025)
	if err != nil {
		t.Fatal(err)
	}
	if !sid.Restricted || sid.Confidentiality != "R" || !sp.Restricted || sid.GPPractice != "" || sp.Address.Postcode != "" {
		t.Errorf("restricted: %+v %+v", sid, sp)
	}

	b, err := ParseBundle(readFile(t, "examples/pds/RelatedPersonBundle.json"))
	if err != nil {
		t.Fatal(err)
	}
	rel, err := MapPDSRelated(b.Entries)
	if err != nil || len(rel) == 0 {
		t.Fatalf("related: %v %+v", err, rel)
	}
	if rel[0].Name.Family != "Smith" || !strings.Contains(rel[0].Relationship, "Guardian") || len(rel[0].Phones) == 0 {
		t.Errorf("related[0] %+v", rel[0])
	}
}

// The NRL consumer API's example pointer (research note §2.3, abridged there).
func TestMapNRLPointer(t *testing.T) {
	const body = `{"resourceType":"Bundle","type":"searchset","entry":[{"resource":
{"resourceType":"DocumentReference","id":"X26-1634567890","status":"current","docStatus":"preliminary",
 "type":{"coding":[{"system":"http://snomed.info/sct","code":"736253002","display":"Mental health crisis plan"}]},
 "category":[{"coding":[{"system":"http://snomed.info/sct","code":"734163000","display":"Care plan"}]}],
 "subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}},
 "author":[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"X24"}}],
 "custodian":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"X26"}},
 "content":[{"attachment":{"contentType":"application/pdf","url":"ssp://spine-proxy.national.ncrs.nhs.uk/p1.nhs.uk/EPAACS/MentalHealthCrisisPlan.pdf",
   "title":"Example Mental Health Crisis Plan electronic document","creation":"2022-12-20T09:45:41+00:00"},
   "format":{"system":"https://fhir.nhs.uk/England/CodeSystem/England-NRLFormatCode","code":"urn:nhs-ic:unstructured","display":"Unstructured Document"},
   "extension":[{"url":"https://fhir.nhs.uk/England/StructureDefinition/Extension-England-NRLRetrievalMechanism","valueCodeableConcept":{"coding":[{"system":"https://fhir.nhs.uk/England/CodeSystem/England-NRLRetrievalMechanism","code":"SSP","display":"Spine Secure Proxy"}]}}]}]}},
{"resource":{"resourceType":"DocumentReference","id":"old","status":"superseded","custodian":{"identifier":{"value":"X26"}}}}]}`
	b, err := ParseBundle([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	ps, err := MapNRLPointers(b.Entries, Organisations{"X26": {Name: "Example Trust"}})
	if err != nil || len(ps) != 1 {
		t.Fatalf("%v %+v", err, ps)
	}
	p := ps[0]
	if p.CustodianCode != "X26" || p.CustodianName != "Example Trust" || p.Type != "Mental health crisis plan" || p.TypeCode != "736253002" ||
		p.Category != "Care plan" || p.Retrieval != "SSP" || p.ContentType != "application/pdf" || p.Format != "Unstructured Document" ||
		p.Date.Year() != 2022 || !strings.HasPrefix(p.URL, "ssp://") {
		t.Errorf("pointer %+v", p)
	}
}
