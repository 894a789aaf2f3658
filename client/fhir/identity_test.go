package fhir

import (
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// A shared care record fed by the GP system keeps the GP's identifiers: its copy of a
// medication folds into GP Connect's statement whether it carries the statement's, the
// plan's or an issue's identifier; a medication under another identifier stays apart.
func TestGPConnectMedicationFoldsWithTheSharedCareRecordsCopy(t *testing.T) {
	gp, err := MapGPConnect(readFile(t, "examples/gpconnect/meds_response.json"), gpSrc, []record.Section{record.SectionMedications})
	if err != nil {
		t.Fatal(err)
	}
	var aspirin record.Medication
	for _, m := range gp.Sections.Medications {
		if strings.HasPrefix(m.Name, "Aspirin") {
			aspirin = m
		}
	}
	// The aspirin statement's plan is 53426283749629; its two issues 63… and 73….
	if want := []string{"https://provider.nhs.uk/data-identifier|53426283749629", "https://provider.nhs.uk/data-identifier|63426283749629",
		"https://provider.nhs.uk/data-identifier|73426283749629"}; !slices.Equal(aspirin.AlsoKnownAs, want) {
		t.Fatalf("aspirin also known as %q, want %q", aspirin.AlsoKnownAs, want)
	}
	tests := []struct {
		name, kind, identifier string
		wantRows               int
	}{
		{"R4 MedicationRequest with the GP issue's identifier", "MedicationRequest", "63426283749629", 3},
		{"R4 MedicationStatement with the GP statement's identifier", "MedicationStatement", "23426283749629", 3},
		{"R4 MedicationRequest with the GP plan's identifier", "MedicationRequest", "53426283749629", 3},
		{"another identifier: a different record, kept", "MedicationRequest", "99999999999999", 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			extra := `"intent":"order","authoredOn":"2016-08-11","dosageInstruction":[{"text":"One daily"}]`
			if tt.kind == "MedicationStatement" {
				extra = `"effectiveDateTime":"2016-08-11"`
			}
			r := inline(t, `{"resourceType":"`+tt.kind+`","id":"x1","status":"active",`+extra+`,
				"identifier":[{"system":"https://provider.nhs.uk/data-identifier","value":"`+tt.identifier+`"}],
				"medicationCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"319773006","display":"Aspirin 75mg dispersible tablets"}]},
				"subject":{"reference":"Patient/p"}}`)
			d, w := MapSection(record.SectionMedications, nil, []Resource{r}, healthSrc)
			if len(w) != 0 || len(d.Medications) != 1 {
				t.Fatalf("shcr medications %+v warnings %q", d.Medications, w)
			}
			for _, order := range [][]record.Part{{gp, {Backend: healthSrc.Backend, Sections: d}}, {{Backend: healthSrc.Backend, Sections: d}, gp}} {
				var rec record.Record
				for _, p := range order {
					rec.Merge(p)
				}
				if got := len(rec.Sections.Medications); got != tt.wantRows {
					t.Errorf("%s first: %d rows, want %d", order[0].Backend, got, tt.wantRows)
				}
			}
		})
	}
}

func gpBundle(entries ...string) []byte {
	return []byte(`{"resourceType":"Bundle","type":"collection","entry":[
		{"resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9991230009"}],
			"name":[{"family":"Sample","given":["Pat"]}],"managingOrganization":{"reference":"Organization/o"}}},
		{"resource":{"resourceType":"Organization","id":"o","name":"Demo Surgery","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"D1"}]}}` +
		func() string {
			var b strings.Builder
			for _, e := range entries {
				b.WriteString(`,{"resource":` + e + `}`)
			}
			return b.String()
		}() + `]}`)
}

const gpAllergyListHead = `{"resourceType":"List","id":"al","status":"current","mode":"snapshot","title":"Allergies and adverse reactions",
	"code":{"coding":[{"system":"http://snomed.info/sct","code":"886921000000105"}]},"subject":{"reference":"Patient/p"},"date":"2026-11-01T09:00:00+00:00"`

func TestGPConnectEmptyAllergiesList(t *testing.T) {
	tests := []struct {
		name    string
		list    string
		wantNKA bool
	}{
		{"emptyReason nilknown: a positive no known allergies", gpAllergyListHead + `,"emptyReason":{"coding":[{"system":"http://hl7.org/fhir/list-empty-reason","code":"nilknown","display":"Nil Known"}]}}`, true},
		{"note says no known allergies", gpAllergyListHead + `,"emptyReason":{"coding":[{"code":"no-content-recorded"}]},"note":[{"text":"No known allergies"}]}`, true},
		{"no content recorded: returned, zero items", gpAllergyListHead + `,"emptyReason":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1","code":"no-content-recorded"}]},"note":[{"text":"Information not available"}]}`, false},
		{"empty and no reason: returned, zero items", gpAllergyListHead + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MapGPConnect(gpBundle(tt.list), gpSrc, []record.Section{record.SectionAllergies})
			if err != nil {
				t.Fatal(err)
			}
			st := statusOf(p, record.SectionAllergies)
			if st.State != record.StateReturned {
				t.Fatalf("status %+v", st)
			}
			if !tt.wantNKA {
				if len(p.Sections.Allergies) != 0 || st.Count != 0 {
					t.Fatalf("allergies %+v", p.Sections.Allergies)
				}
				return
			}
			if len(p.Sections.Allergies) != 1 || st.Count != 1 {
				t.Fatalf("allergies %+v", p.Sections.Allergies)
			}
			a := p.Sections.Allergies[0]
			if !a.NoKnownAllergies || a.Substance != "No known allergies" || a.Key == "" || a.Provenance.Organisation != "Demo Surgery" ||
				a.Provenance.Domain != record.DomainHealth || a.Asserted.IsZero() {
				t.Errorf("allergy %+v", a)
			}
		})
	}
}

func TestGPConnectConsultationClass(t *testing.T) {
	enc := func(class string) string {
		return `{"resourceType":"Encounter","id":"e","status":"finished","type":[{"text":"Home visit"}],` + class +
			`"subject":{"reference":"Patient/p"},"period":{"start":"2026-08-19T10:30:00+01:00"}}`
	}
	list := `{"resourceType":"List","id":"c","status":"current","mode":"snapshot","title":"List of consultations",
		"code":{"coding":[{"system":"http://snomed.info/sct","code":"1149501000000101"}]},"subject":{"reference":"Patient/p"},"entry":[{"item":{"reference":"Encounter/e"}}]}`
	for _, tt := range []struct{ name, class, want string }{
		{"STU3 class coding", `"class":{"system":"http://hl7.org/fhir/v3/ActCode","code":"HH","display":"home health"},`, "home"},
		{"no class: left blank", ``, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MapGPConnect(gpBundle(enc(tt.class), list), gpSrc, []record.Section{record.SectionEncounters})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Sections.Encounters) != 1 || p.Sections.Encounters[0].Class != tt.want {
				t.Fatalf("encounters %+v", p.Sections.Encounters)
			}
		})
	}
}

// The registered GP named by GP Connect and the same GP in the shared care record's
// CareTeam share the national SDS user id: one care team row.
func TestCareTeamMemberWithAnSDSUserIDFoldsAcrossBackends(t *testing.T) {
	prac := func(sds string) string {
		ids := ""
		if sds != "" {
			ids = `"identifier":[{"system":"https://fhir.nhs.uk/Id/sds-user-id","value":"` + sds + `"}],`
		}
		return `{"resourceType":"Practitioner","id":"pr",` + ids + `"name":[{"family":"Ashdown","given":["Helena"],"prefix":["Dr"]}]}`
	}
	for _, tt := range []struct {
		name          string
		shcrID, gpID  string
		wantCareTeams int
	}{
		{"same SDS user id", "DMASH01", "DMASH01", 1},
		{"different SDS user ids", "DMASH01", "DMASH02", 2},
		{"no SDS user id: scoped by back end", "", "", 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ct := inline(t, `{"resourceType":"CareTeam","id":"ct","status":"active","name":"Care team","subject":{"reference":"Patient/p"},
				"participant":[{"role":[{"coding":[{"system":"http://snomed.info/sct","code":"62247001","display":"General practitioner"}]}],"member":{"reference":"Practitioner/pr"}}]}`)
			d, w := MapSection(record.SectionCareTeam, nil, []Resource{ct, inline(t, prac(tt.shcrID))}, healthSrc)
			if len(w) != 0 || len(d.CareTeam) != 1 {
				t.Fatalf("care team %+v warnings %q", d.CareTeam, w)
			}
			gpPat := strings.Replace(string(gpBundle(prac(tt.gpID))), `"managingOrganization"`, `"generalPractitioner":[{"reference":"Practitioner/pr"}],"managingOrganization"`, 1)
			gp, err := MapGPConnect([]byte(gpPat), gpSrc, []record.Section{record.SectionCareTeam})
			if err != nil || len(gp.Sections.CareTeam) != 1 {
				t.Fatalf("gp care team %+v %v", gp.Sections.CareTeam, err)
			}
			var rec record.Record
			rec.Merge(record.Part{Backend: healthSrc.Backend, Sections: d})
			rec.Merge(gp)
			if got := len(rec.Sections.CareTeam); got != tt.wantCareTeams {
				t.Errorf("care team rows = %d, want %d: %+v", got, tt.wantCareTeams, rec.Sections.CareTeam)
			}
		})
	}
}

// Deceased and interpreter needed are facts about the person: two back ends saying the
// same show one alert with both provenances; saying different things, two.
func TestPatientAlertsFoldAcrossBackends(t *testing.T) {
	pat := func(deceased, lang string) Resource {
		return inline(t, `{"resourceType":"Patient","id":"p","deceasedDateTime":"`+deceased+`",
			"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9991230009"}],
			"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"`+lang+`"}],"text":"`+lang+`"},"preferred":true}],
			"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired","valueBoolean":true}]}`)
	}
	for _, tt := range []struct {
		name       string
		a, b       Resource
		wantAlerts int
	}{
		{"the same death date and language", pat("2026-10-02", "pl"), pat("2026-10-02T14:00:00+01:00", "pl"), 2},
		{"different death dates and languages", pat("2026-10-02", "pl"), pat("2026-10-03", "uk"), 4},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, _ := MapSection(record.SectionAlerts, &tt.a, nil, healthSrc)
			b, _ := MapSection(record.SectionAlerts, &tt.b, nil, socialSrc)
			if len(a.Alerts) != 2 || len(b.Alerts) != 2 {
				t.Fatalf("alerts %+v / %+v", a.Alerts, b.Alerts)
			}
			var rec record.Record
			rec.Merge(record.Part{Backend: healthSrc.Backend, Sections: a})
			rec.Merge(record.Part{Backend: socialSrc.Backend, Sections: b})
			if got := len(rec.Sections.Alerts); got != tt.wantAlerts {
				t.Errorf("alerts = %d, want %d: %+v", got, tt.wantAlerts, rec.Sections.Alerts)
			}
			// Keys reach the audit trail: no date of death or language in them.
			for _, a := range rec.Sections.Alerts {
				if strings.Contains(a.Key, "2026") || strings.Contains(strings.ToLower(a.Key), "pl") {
					t.Errorf("key %q writes the fact out", a.Key)
				}
			}
		})
	}
}

// The family relationship is said once however the back end repeats it.
func TestRelationshipSaidOnce(t *testing.T) {
	for _, tt := range []struct{ name, rel, want string }{
		{"text and display differ in case", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"WIFE","display":"wife"}],"text":"Wife"}]`, "Wife"},
		{"two concepts for one relationship", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"WIFE","display":"Wife"}]},{"text":"wife"}]`, "Wife"},
		{"code only, text again", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"WIFE"}]},{"text":"Wife"}]`, "Wife"},
		{"US spelling of a v3 display", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"NBOR","display":"neighbor"}]}]`, "Neighbour"},
		{"next of kin and wife", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N"}],"text":"Next of kin"},{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"WIFE","display":"wife"}],"text":"Wife"}]`, "Wife"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := inline(t, `{"resourceType":"Patient","id":"p","contact":[{"relationship":`+tt.rel+`,"name":{"text":"Ann Sample"}}]}`)
			d, _ := MapSection(record.SectionNextOfKin, &p, nil, healthSrc)
			if len(d.NextOfKin) != 1 || d.NextOfKin[0].Relationship != tt.want {
				t.Fatalf("contacts %+v", d.NextOfKin)
			}
		})
	}
}

// GP Connect's cross-care-setting identifier keys an item; its other identifiers also name
// it, so a back end that kept only the GP system's local identifier folds into it.
func TestCrossCareSettingIdentifierKeysAndOthersAlsoName(t *testing.T) {
	gp := inline(t, `{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":"active","verificationStatus":"unconfirmed",
		"identifier":[{"system":"https://gp.example/data-identifier","value":"L1"},{"system":"https://fhir.nhs.uk/Id/cross-care-setting-identifier","value":"6f1c"}],
		"code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Penicillin allergy"}]},"patient":{"reference":"Patient/p"}}`)
	d, _ := MapSection(record.SectionAllergies, nil, []Resource{gp}, Source{Backend: "gp", Domain: record.DomainHealth})
	if len(d.Allergies) != 1 || d.Allergies[0].Key != "https://fhir.nhs.uk/Id/cross-care-setting-identifier|6f1c" ||
		!slices.Equal(d.Allergies[0].AlsoKnownAs, []string{"https://gp.example/data-identifier|L1"}) {
		t.Fatalf("allergies %+v", d.Allergies)
	}
	for _, tt := range []struct {
		name, identifier string
		wantRows         int
	}{
		{"the GP system's local identifier", `{"system":"https://gp.example/data-identifier","value":"L1"}`, 1},
		{"the cross-care-setting identifier", `{"system":"https://fhir.nhs.uk/Id/cross-care-setting-identifier","value":"6f1c"}`, 1},
		{"its own identifier only", `{"system":"https://shcr.example/id","value":"L1"}`, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sh := inline(t, `{"resourceType":"AllergyIntolerance","id":"x","identifier":[`+tt.identifier+`],
				"code":{"text":"Penicillin allergy"},"patient":{"reference":"Patient/p"}}`)
			s, _ := MapSection(record.SectionAllergies, nil, []Resource{sh}, healthSrc)
			var rec record.Record
			rec.Merge(record.Part{Backend: healthSrc.Backend, Sections: s})
			rec.Merge(record.Part{Backend: "gp", Sections: d})
			if got := len(rec.Sections.Allergies); got != tt.wantRows {
				t.Errorf("rows = %d, want %d", got, tt.wantRows)
			}
		})
	}
}

// Contacts, alerts and care team members derived from a Patient or CareTeam are not named by
// that resource's identifiers: two back ends' different contacts of one person (same NHS
// number on both Patients) stay two.
func TestItemsDerivedFromAPatientAreNotNamedByItsIdentifiers(t *testing.T) {
	pat := func(name, phone string) Resource {
		return inline(t, `{"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9991230009"}],
			"contact":[{"relationship":[{"text":"Next of kin"}],"name":{"text":"`+name+`"},"telecom":[{"system":"phone","value":"`+phone+`"}]}]}`)
	}
	a, b := pat("Ann Sample", "07700 900001"), pat("Bob Sample", "07700 900002")
	da, _ := MapSection(record.SectionNextOfKin, &a, nil, healthSrc)
	db, _ := MapSection(record.SectionNextOfKin, &b, nil, socialSrc)
	var rec record.Record
	rec.Merge(record.Part{Backend: healthSrc.Backend, Sections: da})
	rec.Merge(record.Part{Backend: socialSrc.Backend, Sections: db})
	if len(rec.Sections.NextOfKin) != 2 {
		t.Fatalf("contacts %+v", rec.Sections.NextOfKin)
	}
	for _, c := range rec.Sections.NextOfKin {
		if len(c.AlsoKnownAs) != 0 {
			t.Errorf("%s also known as %q", c.Name, c.AlsoKnownAs)
		}
	}
}
