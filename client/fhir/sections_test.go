package fhir

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

// matches marks resources as search matches of the given types and the rest as includes,
// as a server answering the section's queries with _include would.
func matches(rs []Resource, types ...string) []Resource {
	out := make([]Resource, len(rs))
	for i, r := range rs {
		r.Mode = "include"
		if slices.Contains(types, r.Type) {
			r.Mode = "match"
		}
		out[i] = r
	}
	return out
}

func richard(t *testing.T) *Resource {
	p := example(t, "ukcore/UKCore-Patient-RichardSmith-Example.json")
	return &p
}

func TestMapSectionUKCoreAllergies(t *testing.T) {
	d, w := MapSection(record.SectionAllergies, richard(t), matches(ukcore(t), "AllergyIntolerance"), healthSrc)
	if len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	if len(d.Allergies) != 2 {
		t.Fatalf("got %d allergies", len(d.Allergies))
	}
	amox, nka := d.Allergies[0], d.Allergies[1]
	if amox.Substance != "Amoxicillin" || amox.Code != "372687004" || amox.ClinicalStatus != "active" || amox.VerificationStatus != "confirmed" {
		t.Errorf("amoxicillin = %+v", amox)
	}
	if !slices.Equal(amox.Reactions, []string{"Urticarial rash (mild)"}) || amox.NoKnownAllergies {
		t.Errorf("reactions %q nka %v", amox.Reactions, amox.NoKnownAllergies)
	}
	// Author from the recorder (resolved via the included Practitioner), recorded from recordedDate.
	if amox.Provenance.Author.Name != "Mrs Sandra Gose" || !amox.Provenance.Recorded.Equal(day("2019-12-10T13:00:00Z")) {
		t.Errorf("provenance = %+v", amox.Provenance)
	}
	if amox.Provenance.Backend != "demo-shcr" || amox.Provenance.Domain != record.DomainHealth || amox.Provenance.Organisation != "Demo NHS ShCR" {
		t.Errorf("provenance defaults = %+v", amox.Provenance)
	}
	if amox.Key != "AllergyIntolerance/UKCore-AllergyIntolerance-Amoxicillin-Example@demo-shcr" || amox.Provenance.Resource != "AllergyIntolerance/UKCore-AllergyIntolerance-Amoxicillin-Example" {
		t.Errorf("key %q resource %q", amox.Key, amox.Provenance.Resource)
	}
	if !nka.NoKnownAllergies || nka.Code != "409137002" {
		t.Errorf("no known allergies snippet: %+v", nka)
	}
}

func TestMapSectionAllergyShapes(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		nka     bool
		clin    string
		present bool
	}{
		{"no known allergy 716186003", `{"resourceType":"AllergyIntolerance","id":"a1","clinicalStatus":{"coding":[{"code":"active"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"716186003","display":"No known allergy"}]}}`, true, "active", true},
		{"no known food allergy by text", `{"resourceType":"AllergyIntolerance","id":"a2","code":{"text":"No known food allergies"}}`, true, "", true},
		{"refuted NKA is not NKA", `{"resourceType":"AllergyIntolerance","id":"a3","verificationStatus":{"coding":[{"code":"refuted"}]},"code":{"coding":[{"system":"http://snomed.info/sct","code":"716186003"}]}}`, false, "", true},
		{"penicillin", `{"resourceType":"AllergyIntolerance","id":"a4","clinicalStatus":"active","code":{"text":"Penicillin"},"criticality":"high"}`, false, "active", true},
		{"entered in error is left out", `{"resourceType":"AllergyIntolerance","id":"a5","verificationStatus":{"coding":[{"code":"entered-in-error"}]},"code":{"text":"Latex"}}`, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionAllergies, nil, []Resource{inline(t, tt.json)}, healthSrc)
			if len(w) != 0 {
				t.Errorf("warnings %q", w)
			}
			if got := len(d.Allergies) == 1; got != tt.present {
				t.Fatalf("present = %v, want %v", got, tt.present)
			}
			if !tt.present {
				return
			}
			if a := d.Allergies[0]; a.NoKnownAllergies != tt.nka || a.ClinicalStatus != tt.clin {
				t.Errorf("got nka %v clinical %q", a.NoKnownAllergies, a.ClinicalStatus)
			}
		})
	}
	// Nothing returned is not "no known allergies": an empty section has no items at all.
	d, _ := MapSection(record.SectionAllergies, nil, nil, healthSrc)
	if d.Allergies != nil {
		t.Errorf("empty response gave %+v", d.Allergies)
	}
}

func TestMapSectionUKCoreMedications(t *testing.T) {
	d, w := MapSection(record.SectionMedications, richard(t), matches(ukcore(t), "MedicationStatement", "MedicationRequest"), healthSrc)
	if len(w) != 0 {
		t.Errorf("warnings: %q", w)
	}
	if len(d.Medications) != 2 {
		t.Fatalf("got %d medications: %+v", len(d.Medications), d.Medications)
	}
	byKind := map[string]record.Medication{}
	for _, m := range d.Medications {
		byKind[m.Kind] = m
	}
	st, rq := byKind["statement"], byKind["request"]
	if st.Name != "Amoxicillin 250mg capsules" || st.Code != "39732311000001104" || st.CodeSystem != "https://dmd.nhs.uk" ||
		st.Dosage != "2 capsules 4 times a day." || st.Status != "active" || !st.Period.End.Equal(day("2021-05-15T13:50:00Z")) {
		t.Errorf("statement = %+v", st)
	}
	// The statement has a business identifier: it is the key.
	if st.Key != "https://tools.ietf.org/html/rfc4122|ac0ffbdf-3289-41d5-84d9-068a1f5937db" {
		t.Errorf("statement key %q", st.Key)
	}
	if rq.Name != "Amoxicillin 500mg capsules" || rq.Intent != "option" || rq.Status != "completed" || rq.Prescriber != "Mrs Sandra Gose" ||
		rq.Dosage != "500mg - three times a day." || !rq.Period.Start.Equal(day("2023-06-15T15:00:00Z")) {
		t.Errorf("request = %+v", rq)
	}
}

func TestMapSectionMedicationReferenceShapes(t *testing.T) {
	timoptol := example(t, "ukcore/UKCore-Medication-TimoptolEyeDrops-Example.json")
	timoptol.Mode = "include"
	tests := []struct {
		name, json, want, code string
		warn                   bool
	}{
		{"included Medication", `{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order","medicationReference":{"reference":"Medication/UKCore-Medication-TimoptolEyeDrops-Example"}}`,
			"Timoptol 0.5% eye drops (DE Pharmaceuticals)", "18616211000001106", false},
		{"absolute reference", `{"resourceType":"MedicationRequest","id":"r2","status":"active","intent":"order","medicationReference":{"reference":"https://example.org/fhir/Medication/UKCore-Medication-TimoptolEyeDrops-Example"}}`,
			"Timoptol 0.5% eye drops (DE Pharmaceuticals)", "18616211000001106", false},
		{"contained Medication", `{"resourceType":"MedicationStatement","id":"s1","status":"active","contained":[{"resourceType":"Medication","id":"m1","code":{"coding":[{"system":"http://snomed.info/sct","code":"322236009","display":"Paracetamol 500mg tablets"}]}}],"medicationReference":{"reference":"#m1"}}`,
			"Paracetamol 500mg tablets", "322236009", false},
		{"display only", `{"resourceType":"MedicationStatement","id":"s2","status":"active","medicationReference":{"reference":"Medication/gone","display":"Furosemide 40mg tablets"}}`,
			"Furosemide 40mg tablets", "", false},
		{"unresolvable", `{"resourceType":"MedicationStatement","id":"s3","status":"active","medicationReference":{"reference":"Medication/gone"}}`, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inline(t, tt.json)
			r.Mode = "match"
			d, w := MapSection(record.SectionMedications, nil, []Resource{r, timoptol}, healthSrc)
			if len(d.Medications) != 1 {
				t.Fatalf("got %d", len(d.Medications))
			}
			if m := d.Medications[0]; m.Name != tt.want || m.Code != tt.code {
				t.Errorf("name %q code %q", m.Name, m.Code)
			}
			if got := hasWarning(w, "Medication/gone"); got != tt.warn {
				t.Errorf("warnings %q", w)
			}
		})
	}
}

func TestMapSectionCarePackages(t *testing.T) {
	b := bundleOf(t, "cases/socialcare-carepackages-bundle.json")
	d, w := MapSection(record.SectionCarePackages, nil, b.Entries, socialSrc)
	if len(d.CarePackages) != 4 {
		t.Fatalf("got %d care packages: %+v", len(d.CarePackages), d.CarePackages)
	}
	// The malformed entry is skipped, named, and the rest kept; the outcome is passed on.
	if !hasWarning(w, "EpisodeOfCare/eoc-bad", "status", "skipped") {
		t.Errorf("no warning naming EpisodeOfCare/eoc-bad: %q", w)
	}
	if !hasWarning(w, "Some services are held in another system") {
		t.Errorf("outcome entry not passed on: %q", w)
	}
	byKey := map[string]record.CarePackage{}
	for _, cp := range d.CarePackages {
		byKey[cp.Provenance.Resource] = cp
	}
	home := byKey["EpisodeOfCare/eoc-home"]
	if home.Type != "Home care" || home.Status != "active" || home.Provider != "Acme Home Care (Demo) Ltd" || home.CareManager != "Sam Example" ||
		home.HoursPerWeek != 14 || !home.Period.Start.Equal(day("2026-09-01T00:00:00+01:00")) {
		t.Errorf("home care = %+v", home)
	}
	// Interweave-style tags: source system and responsible organisation. Recorded is the
	// item's own date (period.start), not meta.lastUpdated (a server load date).
	if p := home.Provenance; p.SourceSystem != "Demo County Council Social Care System" || p.Organisation != "Demo County Council" || p.OrganisationCode != "X99" ||
		p.Domain != record.DomainSocialCare || !p.Recorded.Equal(day("2026-09-01T00:00:00+01:00")) || p.ServerUpdated || p.Via != "" {
		t.Errorf("home care provenance = %+v", p)
	}
	if home.Key != "https://demo.invalid/Id/service|SVC-1001" {
		t.Errorf("key %q", home.Key)
	}
	reab := byKey["ServiceRequest/sr-1"]
	if reab.Type != "Reablement" || reab.Schedule != "4 visits a day, 30 min each" || reab.HoursPerWeek != 14 || reab.Provider != "Brightside Reablement Team" {
		t.Errorf("reablement = %+v", reab)
	}
	// A Provenance resource targeting it (by absolute, versioned reference) comes first for
	// author and organisation; Recorded is the item's own authoredOn.
	if p := reab.Provenance; p.Author.Name != "Sam Example" || p.Author.Role != "Social worker" || p.Organisation != "Demo County Council" ||
		p.OrganisationCode != "X99" || !p.Recorded.Equal(day("2026-10-20T00:00:00+01:00")) || p.RecordedText != "2026-10-20" {
		t.Errorf("reablement provenance = %+v", p)
	}
	if dc := byKey["ServiceRequest/sr-2"]; dc.HoursPerWeek != 6 || dc.Schedule != "6 hours a week" || dc.Status != "draft" {
		t.Errorf("day centre = %+v", dc)
	}
	if cp := byKey["CarePlan/cp-1"]; cp.Schedule != "Personal care: Morning and evening, 7 days" || cp.Description != "Care and support plan" {
		t.Errorf("care plan = %+v", cp)
	}
}

func TestMapSectionUKCoreAndInterweaveCarePackages(t *testing.T) {
	all := append(ukcore(t), example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json"))
	d, _ := MapSection(record.SectionCarePackages, nil, matches(all, "EpisodeOfCare", "CarePlan"), socialSrc)
	byRes := map[string]record.CarePackage{}
	for _, cp := range d.CarePackages {
		byRes[cp.Provenance.Resource] = cp
	}
	iw := byRes["EpisodeOfCare/InterweaveSocialCareServiceExample-Full"]
	if iw.Type != "Reablement Service" || iw.Status != "finished" || iw.Provider != "The reablement team" || iw.CareManager != "Dr Jane BLOGGS" ||
		iw.Description != "Short Term Support: Ongoing Low Level" {
		t.Errorf("interweave = %+v", iw)
	}
	if len(iw.StatusHistory) != 3 || iw.StatusHistory[1].Status != "active" || !iw.StatusHistory[1].Period.Start.Equal(day("2022-06-09T09:00:00Z")) {
		t.Errorf("status history = %+v", iw.StatusHistory)
	}
	if p := iw.Provenance; p.SourceSystem != "Acme Ltd Data Systems" || p.OrganisationCode != "RCB" ||
		p.Organisation != "York and Scarborough Teaching Hospitals NHS Foundation Trust" || iw.Key != "https://fhir.yhcr.nhs.uk/Id/local-SocialCareService-identifier|XXX.SERVICE-ABC123" {
		t.Errorf("provenance %+v key %q", p, iw.Key)
	}
	// The UK Core smoking cessation episode is managed by an NHS trust: a health service,
	// listed with referrals and orders, never as a care package, even when a council back end
	// relays it. (The weight management plan names no organisation: the council back end's
	// domain decides, and it stays a care package.)
	for _, r := range []string{"EpisodeOfCare/UKCore-EpisodeOfCare-SmokingCessationTherapy-Example"} {
		if _, ok := byRes[r]; ok {
			t.Errorf("%s is a health service but was listed as a care package", r)
		}
	}
	for _, cp := range d.Referrals {
		if cp.PackageCategory != record.PackageOrder {
			t.Errorf("%s in referrals with category %q", cp.Provenance.Resource, cp.PackageCategory)
		}
		byRes[cp.Provenance.Resource] = cp
	}
	smoke := byRes["EpisodeOfCare/UKCore-EpisodeOfCare-SmokingCessationTherapy-Example"]
	if smoke.Type != "Smoking cessation therapy" || smoke.Provider != "LEEDS TEACHING HOSPITALS NHS TRUST" {
		t.Errorf("smoking cessation = %+v", smoke)
	}
	wellness := byRes["CarePlan/UKCore-CarePlan-WellnessPlan-Example"]
	if wellness.Type != "Weight management plan" || wellness.Description != "Manage obesity and weight loss" || wellness.Schedule != "Body weight: once a day" ||
		!wellness.Period.End.Equal(day("2020-01-01T00:00:00Z")) {
		t.Errorf("wellness = %+v", wellness)
	}
}

func TestScheduleShapes(t *testing.T) {
	tests := []struct {
		name  string
		json  string
		sched string
		hours float64
	}{
		{"timing days of week", `{"resourceType":"ServiceRequest","id":"s","status":"active","occurrenceTiming":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","dayOfWeek":["mon","wed","fri"],"duration":1,"durationUnit":"h"}}}`,
			"2 visits a day, 1 h each (Mon, Wed, Fri)", 6},
		{"weekly", `{"resourceType":"ServiceRequest","id":"s","status":"active","occurrenceTiming":{"repeat":{"frequency":3,"period":1,"periodUnit":"wk","duration":45,"durationUnit":"min"}}}`,
			"3 visits a week, 45 min each", 2.25},
		{"every two weeks", `{"resourceType":"ServiceRequest","id":"s","status":"active","occurrenceTiming":{"repeat":{"frequency":1,"period":2,"periodUnit":"wk"}}}`,
			"every 2 weeks", 0},
		{"hours a day quantity", `{"resourceType":"ServiceRequest","id":"s","status":"active","quantityQuantity":{"value":2,"unit":"h/d"}}`, "2 hours a day", 14},
		{"hours extension per day", `{"resourceType":"EpisodeOfCare","id":"e","status":"active","extension":[{"url":"https://example.org/Extension-HoursPerDay","valueInteger":3},{"url":"https://example.org/Extension-Schedule","valueString":"Mornings"}]}`,
			"Mornings", 21},
		{"care plan quantity", `{"resourceType":"CarePlan","id":"c","status":"active","intent":"plan","activity":[{"detail":{"status":"scheduled","quantity":{"value":10,"unit":"hours per week"}}}]}`, "", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionCarePackages, nil, []Resource{inline(t, tt.json)}, socialSrc)
			if len(d.CarePackages) != 1 || len(w) != 0 {
				t.Fatalf("packages %d warnings %q", len(d.CarePackages), w)
			}
			if cp := d.CarePackages[0]; cp.Schedule != tt.sched || cp.HoursPerWeek != tt.hours {
				t.Errorf("schedule %q hours %v, want %q %v", cp.Schedule, cp.HoursPerWeek, tt.sched, tt.hours)
			}
		})
	}
}

func TestMapSectionCareTeam(t *testing.T) {
	// UK Core CareTeam (its member reference does not resolve: a published quirk), the
	// PractitionerRole, and the Interweave careManager.
	all := append(ukcore(t), example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json"))
	d, w := MapSection(record.SectionCareTeam, nil, matches(all, "CareTeam", "EpisodeOfCare"), healthSrc)
	if !hasWarning(w, "CareTeam/UKCore-CareTeam-WeightManagementTeam-Example", "Practitioner/UKCore-Practitioner-PaulRastall-Example") {
		t.Errorf("unresolved member not named: %q", w)
	}
	var team, manager *record.CareTeamMember
	for i := range d.CareTeam {
		switch d.CareTeam[i].Provenance.Resource {
		case "CareTeam/UKCore-CareTeam-WeightManagementTeam-Example":
			team = &d.CareTeam[i]
		case "EpisodeOfCare/InterweaveSocialCareServiceExample-Full":
			manager = &d.CareTeam[i]
		}
	}
	if team == nil || team.Team != "Weight management team" || team.Status != "inactive" {
		t.Errorf("care team member = %+v", team)
	}
	if manager == nil || manager.Name != "Dr Jane BLOGGS" || manager.Role != "Care manager" || manager.Team != "" || manager.Organisation != "" {
		t.Errorf("care manager = %+v", manager)
	}
	// The same care manager reported by another EpisodeOfCare folds into one member.
	if manager != nil && manager.Key != "member:Practitioner/InterweavePractitionerExample@Acme Ltd Data Systems" {
		t.Errorf("member key %q", manager.Key)
	}

	// PractitionerRole as a match, resolved to its practitioner and organisation.
	pr := matches(ukcore(t), "PractitionerRole")
	d, _ = MapSection(record.SectionCareTeam, nil, pr, healthSrc)
	if len(d.CareTeam) != 1 {
		t.Fatalf("got %d", len(d.CareTeam))
	}
	gp := d.CareTeam[0]
	if gp.Name != "Dr Paul Rastall" || gp.Role != "GP" || gp.RoleCode != "62247001" || gp.Organisation != "WHITE ROSE MEDICAL CENTRE" ||
		len(gp.Phones) != 1 || gp.Phones[0].Number != "0113 6323200" {
		t.Errorf("GP = %+v", gp)
	}
}

func TestMapSectionCareTeamSocialWorkers(t *testing.T) {
	ct := inline(t, `{"resourceType":"CareTeam","id":"ct-1","status":"active","name":"Older People's Team North",
	"managingOrganization":[{"display":"Demo County Council"}],
	"participant":[
	 {"role":[{"coding":[{"system":"http://snomed.info/sct","code":"106328005","display":"Social worker (occupation)"}]}],"member":{"reference":"Practitioner/sw1"}},
	 {"role":[{"coding":[{"system":"http://snomed.info/sct","code":"768832004","display":"Case manager (occupation)"}]}],"member":{"reference":"Practitioner/cm1","display":"Chris Sample"}},
	 {"member":{"reference":"PractitionerRole/role-sw2"}},
	 {"role":[{"text":"Daughter"}],"member":{"reference":"RelatedPerson/rp1"}}]}`)
	sw1 := inline(t, `{"resourceType":"Practitioner","id":"sw1","name":[{"family":"Example","given":["Sam"]}],"telecom":[{"system":"phone","value":"01632 960100","use":"work"},{"system":"email","value":"sam@example.invalid"}]}`)
	role := inline(t, `{"resourceType":"PractitionerRole","id":"role-sw2","practitioner":{"display":"Alex Demo"},"organization":{"display":"Demo County Council"},
	"code":[{"coding":[{"system":"https://fhir.nhs.uk/CodeSystem/NHSDigital-SDS-JobRoleCode","code":"R1330","display":"Social Worker"}]}]}`)
	ct.Mode = "match"
	d, w := MapSection(record.SectionCareTeam, nil, []Resource{ct, sw1, withMode(role, "include"), withMode(sw1, "include")}, socialSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.CareTeam) != 3 {
		t.Fatalf("got %d members: %+v", len(d.CareTeam), d.CareTeam)
	}
	want := []struct{ name, role, code, org string }{
		{"Sam Example", "Social worker", "106328005", "Demo County Council"},
		{"Chris Sample", "Case manager", "768832004", "Demo County Council"},
		{"Alex Demo", "Social worker", "R1330", "Demo County Council"},
	}
	for i, w := range want {
		m := d.CareTeam[i]
		if m.Name != w.name || m.Role != w.role || m.RoleCode != w.code || m.Organisation != w.org || m.Team != "Older People's Team North" {
			t.Errorf("member %d = %+v, want %+v", i, m, w)
		}
	}
	if d.CareTeam[0].Email != "sam@example.invalid" || len(d.CareTeam[0].Phones) != 1 {
		t.Errorf("contact details %+v", d.CareTeam[0])
	}
}

func withMode(r Resource, mode string) Resource { r.Mode = mode; return r }

func TestMapSectionNextOfKin(t *testing.T) {
	all := append(ukcore(t), example(t, "interweave/RelatedPerson-InterweaveRelatedPersonExample-SocialCare-Full.json"))
	d, w := MapSection(record.SectionNextOfKin, richard(t), matches(all, "RelatedPerson"), socialSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.NextOfKin) != 3 {
		t.Fatalf("got %d contacts", len(d.NextOfKin))
	}
	jane, joy, mother := d.NextOfKin[0], d.NextOfKin[1], d.NextOfKin[2]
	if jane.Source != "Patient.contact" || jane.Name != "Miss Jane Jackson" || jane.Rank != 1 || len(jane.Phones) != 1 ||
		jane.Phones[0] != (record.Phone{Number: "07777123123", Use: "mobile"}) || jane.Address.Postcode != "LS17 6EH" ||
		jane.Relationship != "Personal relationship with the patient" {
		t.Errorf("Patient.contact = %+v", jane)
	}
	if joy.Source != "RelatedPerson" || joy.Name != "Joy SMITH" || joy.Relationship != "Wife" || len(joy.Roles) != 0 {
		t.Errorf("Joy = %+v", joy)
	}
	// Interweave: STU3-era v3 RoleCode URL for the relationship, support role KH → key holder.
	if !slices.Equal(mother.Roles, []string{record.RoleKeyHolder}) || mother.Relationship != "Mother" || mother.Name != "Mrs Jane Bloggs" ||
		mother.Phones[0].Use != "mobile" || mother.Email != "jane.bloggs@email.com" || !mother.Period.Start.Equal(day("2022-01-11T00:00:00Z")) {
		t.Errorf("Interweave = %+v", mother)
	}
	if mother.Provenance.Organisation != "Leeds City Council" || mother.Provenance.SourceSystem != "Acme Ltd Data Systems" {
		t.Errorf("Interweave provenance %+v", mother.Provenance)
	}
}

func TestMapSectionNextOfKinPDS(t *testing.T) {
	b := bundleOf(t, "examples/pds/RelatedPersonBundle.json")
	pat := example(t, "pds/Patient.json")
	d, _ := MapSection(record.SectionNextOfKin, &pat, b.Entries, healthSrc)
	if len(d.NextOfKin) != 2 {
		t.Fatalf("got %d", len(d.NextOfKin))
	}
	ec, guardian := d.NextOfKin[0], d.NextOfKin[1]
	if !slices.Equal(ec.Roles, []string{record.RoleEmergencyContact}) || ec.Phones[0].Number != "01632960587" {
		t.Errorf("emergency contact = %+v", ec)
	}
	if !slices.Equal(guardian.Roles, []string{record.RoleGuardian}) || guardian.Rank != 1 || guardian.Name != "Mrs Jane Smith" ||
		guardian.Phones[0].Use != "home" {
		t.Errorf("guardian = %+v", guardian)
	}
}

func TestContactRoleShapes(t *testing.T) {
	tests := []struct {
		name, rel string
		exts      string
		roles     []string
		relText   string
	}{
		{"v2-0131 next of kin", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N","display":"Next-of-Kin"}]}]`, ``, []string{record.RoleNextOfKin}, ""},
		{"v3 NOK and family", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"NOK"}]},{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"SON","display":"natural son"}]}]`,
			``, []string{record.RoleNextOfKin}, "Natural son"},
		{"STU3 single relationship", `{"coding":[{"system":"http://hl7.org/fhir/v3/RoleCode","code":"DAU","display":"daughter"}]}`, ``, nil, "Daughter"},
		{"non-ASCII relationship", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"X","display":"ékoli"}]}]`, ``, []string{}, "Ékoli"},
		{"code and text say the same", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"DAU","display":"daughter"}],"text":"Daughter"}]`, ``, nil, "Daughter"},
		{"GP Connect text only", `[{"text":"Next of kin"}]`, ``, []string{record.RoleNextOfKin}, ""},
		{"power of attorney", `[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"HPOWATT","display":"healthcare power of attorney"}]}]`, ``, []string{record.RoleLPA}, ""},
		{"interweave NOK + main carer", `[{"coding":[{"system":"http://hl7.org/fhir/v3/RoleCode","code":"HUSB","display":"husband"}]}]`,
			`,"extension":[{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-SocialCareSupportRole","extension":[{"url":"supportRoleType","valueCodeableConcept":{"coding":[{"code":"NOK","display":"Next of Kin"}]}}]},
			{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-SocialCareSupportRole","extension":[{"url":"supportRoleType","valueCodeableConcept":{"text":"Main carer"}}]}]`,
			[]string{record.RoleNextOfKin, record.RoleMainCarer}, "Husband"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inline(t, `{"resourceType":"RelatedPerson","id":"r","name":[{"text":"Pat Sample"}],"relationship":`+tt.rel+tt.exts+`}`)
			d, w := MapSection(record.SectionNextOfKin, nil, []Resource{r}, socialSrc)
			if len(d.NextOfKin) != 1 || len(w) != 0 {
				t.Fatalf("contacts %d warnings %q", len(d.NextOfKin), w)
			}
			c := d.NextOfKin[0]
			if !slices.Equal(c.Roles, tt.roles) || c.Relationship != tt.relText || c.Name != "Pat Sample" {
				t.Errorf("roles %q relationship %q name %q", c.Roles, c.Relationship, c.Name)
			}
		})
	}
}

func TestMapSectionEncounters(t *testing.T) {
	d, w := MapSection(record.SectionEncounters, nil, matches(ukcore(t), "Encounter"), healthSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.Encounters) != 1 {
		t.Fatalf("got %d", len(d.Encounters))
	}
	e := d.Encounters[0]
	// Location/UKCore-Location-CardiologySJUH-Example is not published alongside: no name.
	if e.Class != "inpatient" || e.Type != "Seen in hospital ward" || e.Status != "finished" || e.Provider != "LEEDS TEACHING HOSPITALS NHS TRUST" ||
		e.Reason != "General treatment" || e.Clinician != "Mrs Sandra Gose" || e.Location != "" ||
		!e.Period.Start.Equal(day("2019-12-10T13:00:00Z")) || !e.Period.End.Equal(day("2019-12-11T13:00:00Z")) {
		t.Errorf("encounter = %+v", e)
	}
	bad := inline(t, `{"resourceType":"Encounter","id":"enc-9","status":"finished","period":{"start":"last Tuesday"},"class":{"code":"HH"},"location":[{"location":{"display":"Home"}}]}`)
	d, w = MapSection(record.SectionEncounters, nil, []Resource{bad}, healthSrc)
	if len(d.Encounters) != 1 || d.Encounters[0].Class != "home" || d.Encounters[0].Location != "Home" || !d.Encounters[0].Period.Start.IsZero() {
		t.Errorf("got %+v", d.Encounters)
	}
	if !hasWarning(w, "Encounter/enc-9: period.start: not a FHIR date") || hasWarning(w, "last Tuesday") {
		t.Errorf("warnings %q (the bad value is not repeated: it may be personal data)", w)
	}
}

func TestMapSectionNotes(t *testing.T) {
	all := matches(ukcore(t), "DocumentReference", "Composition")
	d, w := MapSection(record.SectionNotes, nil, all, healthSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.Notes) != 2 {
		t.Fatalf("got %d notes", len(d.Notes))
	}
	var comp, ecg record.Note
	for _, n := range d.Notes {
		if n.Kind == "composition" {
			comp = n
		} else {
			ecg = n
		}
	}
	// The ECG is a PDF: listed with its type, not decoded.
	if ecg.Kind != "document" || ecg.ContentType != "application/pdf" || ecg.Text != "" || ecg.Title != "Electrocardiogram (ECG) Report" ||
		ecg.Status != "preliminary" || ecg.URL != "DocumentReference/UKCore-DocumentReference-ECG-Example.pdf" || !ecg.Date.Equal(day("2025-01-24T14:30:00Z")) {
		t.Errorf("ECG = %+v", ecg)
	}
	if comp.Title != "Accident & Emergency Discharge summary" || comp.Status != "final" {
		t.Errorf("composition = %+v", comp)
	}
	for _, want := range []string{"Allergies and adverse reaction\nCausative agent: Penicillin -class of antibiotic", "Severity: Mild",
		"Diagnoses\nDiagnosis name: Acute ST segment elevation myocardial infarction", "Clinical narrative\n60 year old man"} {
		if !strings.Contains(comp.Text, want) {
			t.Errorf("composition text lacks %q", want)
		}
	}
	if strings.Contains(comp.Text, "<div") || strings.Contains(comp.Text, "</") || strings.Contains(comp.Text, "Clinical narrative\nClinical narrative") {
		t.Errorf("composition text not clean:\n%s", comp.Text)
	}
}

func TestMapSectionNotesOwnCases(t *testing.T) {
	b := bundleOf(t, "cases/notes-bundle.json")
	d, w := MapSection(record.SectionNotes, nil, b.Entries, socialSrc)
	byRes := map[string]record.Note{}
	for _, n := range d.Notes {
		byRes[n.Provenance.Resource] = n
	}
	if len(d.Notes) != 4 {
		t.Fatalf("got %d notes: %+v", len(d.Notes), d.Notes)
	}
	visit := byRes["DocumentReference/doc-visit"]
	if visit.Kind != "case-note" || !visit.Restricted || !slices.Equal(visit.Provenance.Security, []string{"R"}) || visit.Title != "Home visit note" ||
		visit.Text != "Home visit\nVisited at home. Mrs Testperson was well.\n- Key safe code changed\n- Carer to call twice daily" || visit.ContentType != "" {
		t.Errorf("visit = %+v", visit)
	}
	if visit.Provenance.Author.Name != "Sam Example" {
		t.Errorf("author from DocumentReference.author display: %+v", visit.Provenance.Author)
	}
	if plain := byRes["DocumentReference/doc-plain"]; plain.Text != "Daughter phoned: will visit on Friday." || plain.Restricted {
		t.Errorf("plain = %+v", plain)
	}
	letter := byRes["DocumentReference/doc-baddate"]
	if letter.ContentType != "application/pdf" || letter.Size != 48213 || letter.URL != "Binary/letter-1" || !letter.Date.IsZero() {
		t.Errorf("letter = %+v", letter)
	}
	if !hasWarning(w, "DocumentReference/doc-baddate: date: not a FHIR date") {
		t.Errorf("warnings %q", w)
	}
	if obs := byRes["Observation/obs-note"]; obs.Kind != "observation" || obs.Text != "Reviewed package with family." || obs.Title != "Case note" {
		t.Errorf("observation = %+v", obs)
	}
	if _, ok := byRes["Observation/obs-bp"]; ok {
		t.Error("a blood pressure reading was shown as a note")
	}
}

func TestMapSectionAlerts(t *testing.T) {
	flags := []Resource{
		inline(t, `{"resourceType":"Flag","id":"f1","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"safety","display":"Safety"}],"text":"Safeguarding"}],
		"code":{"text":"Adult safeguarding concern: do not discuss with son"},"period":{"start":"2026-06-01"},"author":{"display":"Demo County Council"}}`),
		inline(t, `{"resourceType":"Flag","id":"f2","status":"inactive","code":{"text":"Old warning"}}`),
		inline(t, `{"resourceType":"Flag","id":"f3","status":"active","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"V"}]},"category":[{"text":"Crew safety"}],"code":{"text":"Dog at property"}}`),
	}
	pat := inline(t, `{"resourceType":"Patient","id":"p1","deceasedDateTime":"2026-11-20T08:00:00Z",
	"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication","extension":[{"url":"language","valueCodeableConcept":{"coding":[{"code":"pl","display":"Polish"}]}},{"url":"interpreterRequired","valueBoolean":true}]}]}`)
	d, w := MapSection(record.SectionAlerts, &pat, flags, socialSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	kinds := map[string]record.Alert{}
	for _, a := range d.Alerts {
		kinds[a.Kind+":"+a.Text] = a
	}
	if len(d.Alerts) != 4 {
		t.Fatalf("got %d alerts: %+v", len(d.Alerts), d.Alerts)
	}
	sg := kinds["flag:Adult safeguarding concern: do not discuss with son"]
	if sg.Category != "Safeguarding" || sg.Status != "active" || !sg.Period.Start.Equal(day("2026-06-01T00:00:00+01:00")) || sg.Provenance.Author.Name != "Demo County Council" {
		t.Errorf("safeguarding = %+v", sg)
	}
	if dog := kinds["flag:Dog at property"]; !dog.Restricted || dog.Category != "Crew safety" {
		t.Errorf("crew safety = %+v", dog)
	}
	if dec := kinds["deceased:Died 20-Nov-2026"]; dec.Kind != record.AlertDeceased || !dec.Period.Start.Equal(day("2026-11-20T08:00:00Z")) {
		t.Errorf("deceased alert missing: %+v", d.Alerts)
	}
	if _, ok := kinds["interpreter:Interpreter required: Polish"]; !ok {
		t.Errorf("interpreter alert missing: %+v", d.Alerts)
	}
	// UK Core Richard Smith: BSL and Makaton, no interpreter statement.
	d, _ = MapSection(record.SectionAlerts, richard(t), nil, healthSrc)
	if len(d.Alerts) != 1 || d.Alerts[0].Kind != record.AlertInterpreter || !strings.Contains(d.Alerts[0].Text, "British Sign Language") {
		t.Errorf("Richard Smith alerts = %+v", d.Alerts)
	}
}

func TestProvenanceExample(t *testing.T) {
	// The published Provenance targets a Consent; its agent reference does not resolve
	// (a published quirk), so the display names are used.
	prov := example(t, "ukcore/UKCore-Provenance-RARecordConsent-Example.json")
	m := newMapper(healthSrc, ukcore(t))
	infos := m.provs["Consent/UKCore-Consent-ForInformationAccess-Example"]
	if len(infos) != 1 {
		t.Fatalf("provenance for the consent: %+v (%s)", infos, prov.Ref())
	}
	pi := infos[0]
	if pi.author.Name != "Dr Paul Rastall" || pi.author.Role != "General Medical Practitioner" || pi.org != "White Rose Medical Centre" ||
		!pi.recorded.Equal(day("2022-03-01T10:05:33Z")) {
		t.Errorf("provenance = %+v", pi)
	}
}

func TestKeysFoldAcrossBackendsAndStayUniqueWithinOne(t *testing.T) {
	a := inline(t, `{"resourceType":"Flag","id":"f1","status":"active","code":{"text":"A"},"meta":{"tag":[{"system":"https://yhcr.nhs.uk/Source","code":"SYS","display":"Source System"}]}}`)
	b := inline(t, `{"resourceType":"Flag","id":"f2","status":"active","code":{"text":"B"},"identifier":[{"system":"urn:x","value":"1"}]}`)
	c := inline(t, `{"resourceType":"Flag","id":"f3","status":"active","code":{"text":"C"},"identifier":[{"system":"urn:x","value":"1"}]}`)
	d1, _ := MapSection(record.SectionAlerts, nil, []Resource{a, b, c}, healthSrc)
	d2, _ := MapSection(record.SectionAlerts, nil, []Resource{a}, socialSrc)
	if d1.Alerts[0].Key != "Flag/f1@Source System" || d1.Alerts[0].Key != d2.Alerts[0].Key {
		t.Errorf("keys %q and %q should fold", d1.Alerts[0].Key, d2.Alerts[0].Key)
	}
	if d1.Alerts[1].Key != "urn:x|1" || d1.Alerts[2].Key == d1.Alerts[1].Key {
		t.Errorf("duplicate identifier keys: %q %q", d1.Alerts[1].Key, d1.Alerts[2].Key)
	}
	var r record.Record
	r.Merge(record.Part{Backend: "one", Sections: d1})
	r.Merge(record.Part{Backend: "two", Sections: d2})
	if len(r.Sections.Alerts) != 3 || len(r.Sections.Alerts[0].AlsoFrom) != 1 {
		t.Errorf("merged alerts %+v", r.Sections.Alerts)
	}
}

func TestMapSectionNeverPanicsOnOddInput(t *testing.T) {
	odd := []string{
		`{"resourceType":"AllergyIntolerance","id":"x","reaction":"bad"}`,
		`{"resourceType":"CareTeam","id":"x","participant":[{"member":null},{}]}`,
		`{"resourceType":"MedicationStatement","id":"x","basedOn":[{"reference":""}],"medicationReference":{}}`,
		`{"resourceType":"EpisodeOfCare","id":"x","careManager":{"reference":"#nope"},"statusHistory":[{}]}`,
		`{"resourceType":"DocumentReference","id":"x","content":[{"attachment":{"contentType":"text/plain","data":"!!!not base64"}}]}`,
		`{"resourceType":"Composition","id":"x","section":[{"text":{"div":"<div><table><tr><td>a</td></tr></div>"}}]}`,
		`{"resourceType":"Observation","id":"x","performer":{"reference":"Practitioner/1"},"comment":"single performer object"}`,
		`{"resourceType":"RelatedPerson","id":"x","relationship":null,"name":{"family":"One"}}`,
		`{"resourceType":"Provenance","id":"x","target":{"reference":"Flag/1"},"agent":[{}]}`,
	}
	for _, sec := range record.Sections() {
		var rs []Resource
		for _, o := range odd {
			var probe map[string]any
			if err := json.Unmarshal([]byte(o), &probe); err != nil {
				t.Fatal(err)
			}
			rs = append(rs, inline(t, o))
		}
		MapSection(sec, &rs[len(rs)-2], rs, healthSrc)
	}
}

func TestEpisodeOfCareTakesItsReferralRequest(t *testing.T) {
	eoc := withMode(inline(t, `{"resourceType":"EpisodeOfCare","id":"e1","status":"active","type":[{"text":"Home care"}],
	"referralRequest":[{"reference":"ServiceRequest/sr-e1"}],"period":{"start":"2026-09-01"}}`), "match")
	sr := withMode(inline(t, `{"resourceType":"ServiceRequest","id":"sr-e1","status":"active","intent":"order","code":{"text":"Home care"},
	"performer":[{"display":"Brightwater Home Care (Demo) Ltd"}],
	"occurrenceTiming":{"code":{"text":"4 visits a day"},"repeat":{"frequency":4,"period":1,"periodUnit":"d","boundsPeriod":{"start":"2026-09-01"}}},
	"quantityQuantity":{"value":14,"unit":"hours per week","system":"http://unitsofmeasure.org","code":"h/wk"}}`), "include")
	other := withMode(inline(t, `{"resourceType":"ServiceRequest","id":"sr-other","status":"active","intent":"order","code":{"text":"Meals"}}`), "match")
	d, w := MapSection(record.SectionCarePackages, nil, []Resource{eoc, withMode(sr, "match"), other}, socialSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.CarePackages) != 2 {
		t.Fatalf("got %d packages: %+v", len(d.CarePackages), d.CarePackages)
	}
	home := d.CarePackages[0]
	if home.Kind != "EpisodeOfCare" || home.Schedule != "4 visits a day" || home.HoursPerWeek != 14 || home.Provider != "Brightwater Home Care (Demo) Ltd" {
		t.Errorf("home care = %+v", home)
	}
	if d.CarePackages[1].Type != "Meals" {
		t.Errorf("unrelated request lost: %+v", d.CarePackages[1])
	}
}

func TestCareManagerAndCareTeamMemberFold(t *testing.T) {
	eoc := withMode(inline(t, `{"resourceType":"EpisodeOfCare","id":"e1","status":"active","careManager":{"reference":"Practitioner/pr-1"},
	"managingOrganization":{"display":"Acme Home Care (Demo) Ltd"},"team":[{"reference":"CareTeam/ct-1"}]}`), "match")
	ct := withMode(inline(t, `{"resourceType":"CareTeam","id":"ct-1","status":"active","name":"Allocated workers",
	"participant":[{"member":{"reference":"PractitionerRole/role-1"}}]}`), "match")
	role := withMode(inline(t, `{"resourceType":"PractitionerRole","id":"role-1","practitioner":{"reference":"Practitioner/pr-1"},"organization":{"display":"Demo County Council"},
	"code":[{"coding":[{"system":"http://snomed.info/sct","code":"106328005","display":"Social worker (occupation)"}]}]}`), "include")
	pr := withMode(inline(t, `{"resourceType":"Practitioner","id":"pr-1","name":[{"family":"Example","given":["Sam"]}],"telecom":[{"system":"phone","value":"01632 960100"}]}`), "include")
	d, w := MapSection(record.SectionCareTeam, nil, []Resource{eoc, ct, role, pr}, socialSrc)
	if len(w) != 0 {
		t.Errorf("warnings %q", w)
	}
	if len(d.CareTeam) != 1 {
		t.Fatalf("got %d members, want the care manager and the team's social worker folded: %+v", len(d.CareTeam), d.CareTeam)
	}
	m := d.CareTeam[0]
	// The coded role wins; the provider is not taken for the worker's organisation.
	if m.Name != "Sam Example" || m.Role != "Social worker" || m.RoleCode != "106328005" || m.Organisation != "Demo County Council" || m.Team != "Allocated workers" {
		t.Errorf("member = %+v", m)
	}
}

func TestIdlessResourcesKeepDistinctKeys(t *testing.T) {
	a := inline(t, `{"resourceType":"Flag","status":"active","code":{"text":"One"}}`)
	b := inline(t, `{"resourceType":"Flag","status":"active","code":{"text":"Two"}}`)
	d, _ := MapSection(record.SectionAlerts, nil, []Resource{a, b}, healthSrc)
	if len(d.Alerts) != 2 || d.Alerts[0].Key == d.Alerts[1].Key {
		t.Fatalf("alerts %+v", d.Alerts)
	}
	var r record.Record
	r.Merge(record.Part{Backend: "x", Sections: d})
	if len(r.Sections.Alerts) != 2 {
		t.Errorf("merge lost an id-less alert: %+v", r.Sections.Alerts)
	}
}

func TestSTU3Shapes(t *testing.T) {
	pr := withMode(inline(t, `{"resourceType":"Practitioner","id":"gp1","name":[{"family":"Ashdown","given":["Helena"],"prefix":["Dr"]}]}`), "include")
	req := withMode(inline(t, `{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order",
	"medicationCodeableConcept":{"text":"Ramipril 2.5mg capsules"},"requester":{"agent":{"reference":"Practitioner/gp1"}}}`), "match")
	d, w := MapSection(record.SectionMedications, nil, []Resource{req, pr}, healthSrc)
	if len(w) != 0 || len(d.Medications) != 1 || d.Medications[0].Prescriber != "Dr Helena Ashdown" {
		t.Errorf("STU3 requester: %+v %q", d.Medications, w)
	}
	plan := withMode(inline(t, `{"resourceType":"CarePlan","id":"c1","status":"active","intent":"plan","title":"Support plan",
	"author":[{"reference":"Practitioner/gp1"}]}`), "match")
	prov := withMode(inline(t, `{"resourceType":"Provenance","id":"pv","target":[{"reference":"CarePlan/c1"}],"recorded":"2026-02-01T10:00:00Z",
	"agent":[{"whoReference":{"reference":"Practitioner/gp1"},"onBehalfOfReference":{"display":"Kettlewick Surgery"}}]}`), "include")
	d, w = MapSection(record.SectionCarePackages, nil, []Resource{plan, pr, prov}, healthSrc)
	if len(w) != 0 || len(d.CarePackages) != 1 {
		t.Fatalf("STU3 care plan: %+v %q", d.CarePackages, w)
	}
	if p := d.CarePackages[0].Provenance; p.Author.Name != "Dr Helena Ashdown" || p.Organisation != "Kettlewick Surgery" || !p.Recorded.Equal(day("2026-02-01T10:00:00Z")) {
		t.Errorf("STU3 provenance = %+v", p)
	}
}
