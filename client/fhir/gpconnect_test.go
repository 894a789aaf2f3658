package fhir

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

var gpSrc = Source{Backend: "gp-connect", Domain: record.DomainSocialCare /* overridden: GP data is health */}

func statusOf(p record.Part, sec record.Section) record.SectionStatus {
	for _, s := range p.Status {
		if s.Section == sec {
			return s
		}
	}
	return record.SectionStatus{}
}

func TestMapGPConnectAllergies(t *testing.T) {
	p, err := MapGPConnect(readFile(t, "examples/gpconnect/allergies_response1.json"), gpSrc, []record.Section{record.SectionAllergies})
	if err != nil {
		t.Fatal(err)
	}
	if p.Backend != "gp-connect" || p.Person == nil || p.Person.NHSNumber != "9999999999" || p.Person.Name.Family != "Jackson" {
		t.Fatalf("person = %+v", p.Person)
	}
	if len(p.Status) != 1 {
		t.Fatalf("status = %+v, want one per section asked", p.Status)
	}
	st := statusOf(p, record.SectionAllergies)
	if st.State != record.StateReturned || st.Count != 4 {
		t.Errorf("status = %+v", st)
	}
	// The active List names an allergy the bundle does not hold: the user is told.
	if !hasWarning(st.Warnings, "1 allergy listed by the GP system was not included") {
		t.Errorf("warnings %q", st.Warnings)
	}
	bySubst := map[string]record.Allergy{}
	for _, a := range p.Sections.Allergies {
		bySubst[a.Substance] = a
	}
	// Active ones (STU3 code statuses) and the resolved one contained in its List.
	// GP Connect fixes verificationStatus to "unconfirmed" for every allergy: not shown as doubt.
	nut := bySubst["Nut allergy"]
	if nut.ClinicalStatus != "active" || nut.VerificationStatus != "" || nut.Criticality != "high" ||
		!slices.Equal(nut.Reactions, []string{"Anaphalactic shock (severe)"}) || !slices.Equal(nut.Category, []string{"environment"}) {
		t.Errorf("nut = %+v", nut)
	}
	resolved := bySubst["Aspirin 75mg dispersible tablet"]
	if resolved.ClinicalStatus != "resolved" || !slices.Equal(resolved.Reactions, []string{"Emesis (severe)"}) {
		t.Errorf("resolved = %+v", resolved)
	}
	if _, ok := bySubst["Amoxicillin 250mg capsules"]; !ok {
		t.Errorf("amoxicillin missing: %v", p.Sections.Allergies)
	}
	for _, a := range p.Sections.Allergies {
		pv := a.Provenance
		if pv.Domain != record.DomainHealth || pv.Organisation != "The Trevelyan Practice" || pv.OrganisationCode != "O001" ||
			pv.Author.Name != "Miss Nichole Gilbert" || pv.Author.Role != "GP" || pv.Recorded.IsZero() {
			t.Errorf("%s provenance = %+v", a.Substance, pv)
		}
		if !strings.HasPrefix(a.Key, "https://provider.nhs.uk/data-identifier|") {
			t.Errorf("key %q", a.Key)
		}
	}
}

func TestMapGPConnectMedications(t *testing.T) {
	p, err := MapGPConnect(readFile(t, "examples/gpconnect/meds_response.json"), gpSrc, []record.Section{record.SectionMedications, record.SectionAllergies})
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(p, record.SectionMedications); st.State != record.StateReturned || st.Count != 3 {
		t.Errorf("medications status = %+v", st)
	}
	// No allergies List in a medications response: not returned, which is not "none".
	if st := statusOf(p, record.SectionAllergies); st.State != record.StateNotSupported {
		t.Errorf("allergies status = %+v", st)
	}
	meds := p.Sections.Medications
	if len(meds) != 3 {
		t.Fatalf("got %d medications, want the 3 statements (plans and orders folded in)", len(meds))
	}
	// Two published statements share one identifier: both are kept, under different keys.
	if meds[0].Key == meds[1].Key {
		t.Errorf("duplicate keys %q", meds[0].Key)
	}
	asp := meds[2]
	// The clinician's term (the sctdescid DescriptionDisplay) is preferred to the SNOMED display.
	if asp.Name != "Aspirin 75mg dispersible tablet" || asp.Provenance.Author.Name != "Miss Nichole Gilbert" || asp.Code != "319773006" || asp.Status != "active" || asp.Intent != "plan" ||
		asp.Prescriber != "Miss Nichole Gilbert" || asp.Dosage != "TAKE ONE DAILY (INSTRUCTIONS FOR PATIENT)" ||
		!strings.Contains(asp.Note, "Repeat") || !asp.Period.Start.Equal(day("2016-08-11T00:00:00+01:00")) {
		t.Errorf("aspirin = %+v", asp)
	}
	for _, m := range meds {
		if m.Kind != "statement" {
			t.Errorf("%s listed as %s", m.Name, m.Kind)
		}
	}
}

func TestMapGPConnectConsultations(t *testing.T) {
	p, err := MapGPConnect(readFile(t, "examples/gpconnect/consultations_response1.json"), gpSrc,
		[]record.Section{record.SectionEncounters, record.SectionNotes, record.SectionCarePackages})
	if err != nil {
		t.Fatal(err)
	}
	if st := statusOf(p, record.SectionEncounters); st.State != record.StateReturned || st.Count != 3 {
		t.Errorf("encounters status = %+v", st)
	}
	if st := statusOf(p, record.SectionCarePackages); st.State != record.StateNotSupported {
		t.Errorf("care packages status = %+v", st)
	}
	encs := p.Sections.Encounters
	if len(encs) != 3 {
		t.Fatalf("got %d encounters", len(encs))
	}
	if e := encs[0]; e.Type != "Surgery Consultation" || e.Status != "finished" || e.Clinician != "Miss Nichole Gilbert" ||
		!e.Period.Start.Equal(day("2019-03-28T10:30:00Z")) {
		t.Errorf("consultation = %+v", e)
	}
	notes := p.Sections.Notes
	if st := statusOf(p, record.SectionNotes); st.State != record.StateReturned || st.Count != 21 || len(notes) != 21 {
		t.Errorf("notes status = %+v (%d notes)", st, len(notes))
	}
	first := notes[0]
	if first.Title != "Anxiety with Depression – History" || first.Kind != "observation" ||
		!strings.HasPrefix(first.Text, "Come for review. Overall doing better.") || first.Provenance.Author.Name != "Miss Nichole Gilbert" {
		t.Errorf("first note = %+v", first)
	}
	titles := map[string]bool{}
	for _, n := range notes {
		titles[n.Title] = true
		if n.Text == "" {
			t.Errorf("empty comment note %+v", n)
		}
	}
	for _, want := range []string{"Swollen legs – Examination", "Knee Pain – Plan"} {
		if !titles[want] {
			t.Errorf("no note titled %q; titles: %v", want, titles)
		}
	}
}

func TestMapGPConnectProblemsOnlyPatient(t *testing.T) {
	p, err := MapGPConnect(readFile(t, "examples/gpconnect/problems_response1.json"), gpSrc, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Person == nil || p.Person.NHSNumber != "9999999999" {
		t.Fatalf("person = %+v", p.Person)
	}
	if len(p.Status) != len(record.Sections()) {
		t.Errorf("got %d statuses, want one per section", len(p.Status))
	}
	for _, sec := range []record.Section{record.SectionAllergies, record.SectionMedications, record.SectionEncounters, record.SectionNotes, record.SectionAlerts, record.SectionCarePackages} {
		if st := statusOf(p, sec); st.State != record.StateNotSupported || st.Count != 0 {
			t.Errorf("%s = %+v", sec, st)
		}
	}
	// The registered GP is the care team; Patient.contact (none here) the next of kin.
	if st := statusOf(p, record.SectionCareTeam); st.State != record.StateReturned || st.Count != 1 {
		t.Errorf("care team status = %+v", st)
	}
	gp := p.Sections.CareTeam[0]
	if gp.Name != "Miss Nichole Gilbert" || gp.Organisation != "The Trevelyan Practice" || gp.Role != "GP" {
		t.Errorf("GP = %+v", gp)
	}
	if st := statusOf(p, record.SectionNextOfKin); st.State != record.StateReturned || st.Count != 0 {
		t.Errorf("next of kin = %+v", st)
	}
}

// A GP Connect response as the specification shapes warnings and next of kin, which the
// published examples do not show.
const gpcWarningBundle = `{"resourceType":"Bundle","type":"collection","entry":[
 {"resource":{"resourceType":"List","status":"current","mode":"snapshot","title":"Allergies and adverse reactions",
   "code":{"coding":[{"system":"http://snomed.info/sct","code":"886921000000105"}]},
   "extension":[{"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1","valueCode":"confidential-items"},
                {"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1","valueCode":"data-in-transit"}],
   "note":[{"text":"Items excluded due to confidentiality and/or patient preferences."},
           {"text":"Patient record transfer from previous GP practice not yet complete; information recorded before 01-Mar-2026 may be missing."}],
   "emptyReason":{"coding":[{"system":"http://hl7.org/fhir/list-empty-reason","code":"no-content-recorded"}]}}},
 {"resource":{"resourceType":"List","status":"current","mode":"snapshot","title":"Medication List",
   "code":{"coding":[{"system":"http://snomed.info/sct","code":"933361000000108"}]},
   "extension":[{"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1","valueCode":"data-awaiting-filing"}]}},
 {"resource":{"resourceType":"Organization","id":"org1","name":"Demo Surgery","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"Y99999"}]}},
 {"resource":{"id":"pat1","resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9991000003"}],
   "name":[{"use":"official","family":"Testperson","given":["Ada"]}],"birthDate":"1948-03-12","gender":"female",
   "managingOrganization":{"reference":"Organization/org1"},
   "contact":[{"relationship":[{"text":"Next of kin"}],"name":{"family":"Testperson","given":["Bob"]},"telecom":[{"system":"phone","value":"07700 900001","use":"mobile"}]},
              {"relationship":[{"text":"Emergency contact"}],"name":{"text":"Carol Sample"},"telecom":[{"system":"phone","value":"01632 960002","use":"home"}]}]}}
]}`

func TestMapGPConnectWarningsAndNextOfKin(t *testing.T) {
	p, err := MapGPConnect([]byte(gpcWarningBundle), gpSrc, []record.Section{record.SectionAllergies, record.SectionMedications, record.SectionNextOfKin})
	if err != nil {
		t.Fatal(err)
	}
	al := statusOf(p, record.SectionAllergies)
	if al.State != record.StateReturned || al.Count != 0 {
		t.Errorf("allergies = %+v", al)
	}
	want := []string{
		"Items excluded due to confidentiality and/or patient preferences.",
		"Patient record transfer from previous GP practice not yet complete; information recorded before 01-Mar-2026 may be missing.",
	}
	if !slices.Equal(al.Warnings, want) {
		t.Errorf("allergy warnings = %q", al.Warnings)
	}
	med := statusOf(p, record.SectionMedications)
	if len(med.Warnings) != 1 || !strings.Contains(med.Warnings[0], "not been reviewed") {
		t.Errorf("medication warnings = %q", med.Warnings)
	}
	kin := p.Sections.NextOfKin
	if len(kin) != 2 {
		t.Fatalf("contacts = %+v", kin)
	}
	if !slices.Equal(kin[0].Roles, []string{record.RoleNextOfKin}) || kin[0].Name != "Bob Testperson" || kin[0].Phones[0].Use != "mobile" {
		t.Errorf("next of kin = %+v", kin[0])
	}
	if !slices.Equal(kin[1].Roles, []string{record.RoleEmergencyContact}) || kin[1].Name != "Carol Sample" {
		t.Errorf("emergency contact = %+v", kin[1])
	}
	if pv := kin[0].Provenance; pv.Organisation != "Demo Surgery" || pv.OrganisationCode != "Y99999" || pv.Domain != record.DomainHealth {
		t.Errorf("provenance = %+v", pv)
	}
}

func TestMapGPConnectErrors(t *testing.T) {
	tests := []struct {
		name, body string
		want       string
		is         error
	}{
		{"operation outcome", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"PATIENT_NOT_FOUND"}]}}]}`,
			"the patient is not registered at this GP practice", ErrNotFHIR},
		{"no patient", `{"resourceType":"Bundle","type":"collection","entry":[]}`, "no Patient", ErrNoPatient},
		{"html", `<html><body>Gateway timeout</body></html>`, "HTML", ErrNotFHIR},
		{"bad patient", `{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"p","birthDate":"31/05/1952"}}]}`, "Patient/p: birthDate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := MapGPConnect([]byte(tt.body), gpSrc, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("err %v is not %v", err, tt.is)
			}
		})
	}
}
