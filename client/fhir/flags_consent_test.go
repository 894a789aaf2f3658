package fhir

import (
	"testing"

	"github.com/shcr-project/shcr/record"
)

var flagsSrc = Source{Backend: "flags", Domain: record.DomainHealth, Organisation: "National flags"}

// The draft Patient Flag shape for CP-IS (NHSDigital/ra-sandbox CPISPatientFlagExample1, as
// JSON in the research note §3.2), the published IG's reasonable adjustment code, SNOMED
// 224353004, and an FGM flag: each is a national flag of its programme, with its notes.
func TestNationalFlagProgrammes(t *testing.T) {
	cpis := inline(t, `{"resourceType":"Flag","id":"cpis-1","meta":{"profile":["https://fhir.nhs.uk/England/StructureDefinition/PatientFlag"]},
	 "extension":[{"url":"https://fhir.nhs.uk/England/StructureDefinition/Extension-FlagNotes","valueAnnotation":{"text":"Plan reviewed monthly"}}],
	 "status":"active",
	 "code":{"coding":[{"system":"https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory","code":"CP-IS","display":"Child Protection - Information Sharing Flag"}]},
	 "subject":{"reference":"Patient/PatientExample1"},
	 "contained":[{"resourceType":"Provenance","target":[{"reference":"#"}],"recorded":"2024-01-01T11:00:00+00:00",
	   "activity":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-DataOperation","code":"CREATE"}]}}]}`)
	nraf := inline(t, `{"resourceType":"Flag","id":"ra-1","status":"active",
	 "code":{"coding":[{"system":"https://fhir.nhs.uk/England/CodeSystem/England-FlagCategoryPatient","code":"national-reasonable-adjustment-flag"}]},
	 "subject":{"reference":"Patient/9449306753"}}`)
	snomedCP := inline(t, `{"resourceType":"Flag","id":"cp-2","status":"active",
	 "category":[{"coding":[{"system":"https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory","code":"CP-IS"}]}],
	 "code":{"coding":[{"system":"http://snomed.info/sct","code":"224353004","display":"Child protection finding"}]},
	 "subject":{"reference":"Patient/p"},"period":{"start":"2012-01-01","end":"2015-01-01"}}`)
	fgm := inline(t, `{"resourceType":"Flag","id":"fgm-1","status":"active",
	 "code":{"coding":[{"system":"https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory","code":"FGM","display":"Female Genital Mutilation Flag"}]},
	 "subject":{"reference":"Patient/p"}}`)
	local := inline(t, `{"resourceType":"Flag","id":"local-1","status":"active","code":{"text":"Dog in house"},"subject":{"reference":"Patient/p"}}`)
	data, warnings := MapSection(record.SectionAlerts, nil, []Resource{cpis, nraf, snomedCP, fgm, local}, flagsSrc)
	if len(warnings) > 0 {
		t.Errorf("warnings: %v", warnings)
	}
	want := map[string]string{"Flag/cpis-1": record.FlagChildProtection, "Flag/ra-1": record.FlagReasonableAdjustment,
		"Flag/cp-2": record.FlagChildProtection, "Flag/fgm-1": record.FlagFGM, "Flag/local-1": ""}
	if len(data.Alerts) != len(want) {
		t.Fatalf("alerts = %+v", data.Alerts)
	}
	for _, a := range data.Alerts {
		if got := a.Programme; got != want[a.Provenance.Resource] {
			t.Errorf("%s: programme %q, want %q", a.Provenance.Resource, got, want[a.Provenance.Resource])
		}
		if a.Provenance.Resource == "Flag/cpis-1" && a.Notes != "Plan reviewed monthly" {
			t.Errorf("CP-IS notes = %q", a.Notes)
		}
		if a.Provenance.Resource == "Flag/cp-2" && a.Period.EndText != "2015-01-01" {
			t.Errorf("ended flag lost its period: %+v", a.Period)
		}
	}
}

// consentEmergency is the FHIR R4 consent-example-Emergency shape (research note §5.3):
// overall deny, with a nested permit for purpose ETREAT.
const consentEmergency = `{"resourceType":"Consent","id":"consent-example-Emergency","status":"active",
 "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"INFA"}]}],
 "patient":{"reference":"Patient/f001"},"dateTime":"2015-11-18",
 "provision":{"type":"deny",
   "provision":[{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"ETREAT"}]}]}}`

func TestConsentShapes(t *testing.T) {
	// The published UK Core Consent example: a consent for information access with no
	// provision.type: not an objection.
	uk, err := ParseResource(readFile(t, "../../../internal/fhirtest/testdata/published/ukcore/UKCore-Consent-ForInformationAccess-Example.json"))
	if err != nil {
		t.Fatal(err)
	}
	emergency := inline(t, consentEmergency)
	denyAll := inline(t, `{"resourceType":"Consent","id":"c-deny","status":"active","patient":{"reference":"Patient/p"},
	 "scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"patient-privacy"}]},
	 "provision":{"type":"deny"}}`)
	withdrawn := inline(t, `{"resourceType":"Consent","id":"c-old","status":"inactive","patient":{"reference":"Patient/p"},
	 "provision":{"type":"deny","provision":[{"type":"permit","purpose":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActReason","code":"ETREAT"}]}]}}`)
	refusalObs := inline(t, `{"resourceType":"Observation","id":"o-1","status":"final","subject":{"reference":"Patient/p"},
	 "code":{"coding":[{"system":"http://snomed.info/sct","code":"416409005","display":"Refused consent for upload to local shared electronic record"}]},
	 "effectiveDateTime":"2025-06-01"}`)
	otherObs := inline(t, `{"resourceType":"Observation","id":"o-2","status":"final","subject":{"reference":"Patient/p"},
	 "code":{"coding":[{"system":"http://snomed.info/sct","code":"37331000000100"}]}}`)
	data, _ := MapSection(record.SectionConsent, nil, []Resource{uk, emergency, denyAll, withdrawn, refusalObs, otherObs}, flagsSrc)
	got := map[string]record.ConsentRecord{}
	for _, c := range data.Consent {
		got[c.Provenance.Resource] = c
	}
	if len(got) != 5 {
		t.Fatalf("consent records = %+v", data.Consent)
	}
	check := func(ref, decision string, emergencyOnly, objection bool) {
		t.Helper()
		c := got[ref]
		if c.Decision != decision || c.EmergencyOnly != emergencyOnly || c.Objection(day("2026-11-25T09:00:00Z")) != objection {
			t.Errorf("%s: %+v (objection %v)", ref, c, c.Objection(day("2026-11-25T09:00:00Z")))
		}
	}
	check("Consent/UKCore-Consent-ForInformationAccess-Example", record.DecisionPermit, false, false)
	check("Consent/consent-example-Emergency", record.DecisionDeny, true, true)
	check("Consent/c-deny", record.DecisionDeny, false, true)
	check("Consent/c-old", record.DecisionDeny, true, false)
	check("Observation/o-1", record.DecisionDeny, true, true)
	if got["Observation/o-1"].Kind != record.ConsentFinding || got["Consent/c-deny"].Kind != record.ConsentResource {
		t.Errorf("kinds: %+v", got)
	}

	// A Flag coded as a refusal is an objection, filed with the consent records, not an alert.
	flag := inline(t, `{"resourceType":"Flag","id":"f-refused","status":"active","subject":{"reference":"Patient/p"},
	 "code":{"coding":[{"system":"http://snomed.info/sct","code":"416308001","display":"Refused consent for upload to national shared electronic record"}]}}`)
	alerts, _ := MapSection(record.SectionAlerts, nil, []Resource{flag}, flagsSrc)
	if len(alerts.Alerts) != 0 || len(alerts.Consent) != 1 || !alerts.Consent[0].Objection(day("2026-11-25T09:00:00Z")) {
		t.Errorf("refusal flag: alerts %+v consent %+v", alerts.Alerts, alerts.Consent)
	}
}

// The PDS NHS record sharing consent extension (karate test expectations, research note §5.3
// item 3): consentType 4 ncrs with consentValue 2 dissent is an objection; consent is not.
func TestNCRSDissent(t *testing.T) {
	patient := func(value string) Resource {
		return inline(t, `{"resourceType":"Patient","id":"9733163759",
		 "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9733163759"}],
		 "extension":[{"url":"https://hl7.org/fhir/R4/consent.html","extension":[
		   {"url":"consentType","valueCodeableConcept":{"coding":[{"code":"4","display":"ncrs"}]}},
		   {"url":"consentValue","valueCodeableConcept":{"coding":[{"code":"`+value+`"}]}}]}]}`)
	}
	dissent := patient("2")
	data, _ := MapSection(record.SectionConsent, &dissent, nil, flagsSrc)
	if len(data.Consent) != 1 || data.Consent[0].Kind != record.ConsentNCRS || !data.Consent[0].Objection(day("2026-11-25T09:00:00Z")) {
		t.Errorf("dissent: %+v", data.Consent)
	}
	consent := patient("1")
	data, _ = MapSection(record.SectionConsent, &consent, nil, flagsSrc)
	if len(data.Consent) != 0 {
		t.Errorf("consent read as an objection: %+v", data.Consent)
	}
}

// The CP-IS CareTeam: plan type, dates, the local authority from a contained Organization,
// office-hours (WP) and out-of-hours (EC) numbers.
func TestChildProtectionCareTeam(t *testing.T) {
	ct := inline(t, `{"resourceType":"CareTeam","id":"ct-1","status":"active",
	 "category":[{"coding":[{"system":"https://fhir.nhs.uk/R4/CodeSystem/CPIS-ObservationType","code":"LACI","display":"Looked After Child Information"}]}],
	 "subject":{"identifier":{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9993010006"}},
	 "period":{"start":"2020-04-13","end":"2023-04-12"},
	 "managingOrganization":[{"reference":"#la"}],
	 "contained":[{"resourceType":"Organization","id":"la","name":"Local Authority - LONDON BOROUGH OF ISLINGTON",
	   "identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"706"}],
	   "contact":[{"purpose":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-AddressUse","code":"EC"}]},"telecom":[{"system":"phone","value":"07998256451"}]},
	              {"purpose":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-AddressUse","code":"WP"}]},"telecom":[{"system":"phone","value":"02077886655"}]}]}]}`)
	data, _ := MapSection(record.SectionChildProtection, nil, []Resource{ct}, flagsSrc)
	if len(data.ChildProtection) != 1 {
		t.Fatalf("plans = %+v", data.ChildProtection)
	}
	p := data.ChildProtection[0]
	if p.PlanType != record.PlanLookedAfter || p.LocalAuthority != "Local Authority - LONDON BOROUGH OF ISLINGTON" || p.LocalAuthorityCode != "706" ||
		len(p.OutOfHours) != 1 || p.OutOfHours[0].Number != "07998256451" || len(p.OfficeHours) != 1 || p.OfficeHours[0].Number != "02077886655" {
		t.Errorf("plan = %+v", p)
	}
	if p.Current(day("2026-11-25T09:00:00Z")) {
		t.Error("a plan that ended in 2023 is current")
	}
	if SectionQueries(record.SectionChildProtection) != nil {
		t.Error("regional back ends are asked for the child protection plan")
	}
}
