package fhir

import (
	"encoding/json"
	"testing"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// patched returns a published example with changes made to its JSON: the real shape, with
// the one element a test is about set as a real server might send it.
func patched(t *testing.T, r Resource, change func(map[string]any)) Resource {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Raw, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ParseResource(b)
	if err != nil {
		t.Fatal(err)
	}
	out.FullURL, out.Mode = r.FullURL, r.Mode
	return out
}

func jsonOf(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// interweaveService is the published Interweave social care service (EpisodeOfCare), its
// Provenance tag set to code and display (display "" drops it).
func interweaveService(t *testing.T, code, display string) Resource {
	return patched(t, example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json"), func(m map[string]any) {
		tags := m["meta"].(map[string]any)["tag"].([]any)
		tag := tags[1].(map[string]any)
		tag["code"] = code
		if display == "" {
			delete(tag, "display")
		} else {
			tag["display"] = display
		}
	})
}

// noProfile drops meta.profile, so that only the organisation says the domain.
func noProfile(t *testing.T, r Resource) Resource {
	return patched(t, r, func(m map[string]any) { delete(m["meta"].(map[string]any), "profile") })
}

var councils = Organisations{"706": {Name: "London Borough of Islington", Domain: record.DomainSocialCare}}

func TestWhoSaidItRegionalTags(t *testing.T) {
	withConfig := healthSrc
	withConfig.Organisations = councils
	tests := []struct {
		name     string
		res      Resource
		src      Source
		org      string
		code     string
		domain   record.Domain
		via      string
		recorded string
	}{
		{"published: a social care service (by its profile), a trust's tag, relayed by a health ShCR", interweaveService(t, "RCB", "York and Scarborough Teaching Hospitals NHS Foundation Trust"), healthSrc,
			"York and Scarborough Teaching Hospitals NHS Foundation Trust", "RCB", record.DomainSocialCare, "demo-shcr", "2022-06-09T09:00:00Z"},
		{"without its social care profile, the trust's tag makes it health", noProfile(t, interweaveService(t, "RCB", "York and Scarborough Teaching Hospitals NHS Foundation Trust")), socialSrc,
			"York and Scarborough Teaching Hospitals NHS Foundation Trust", "RCB", record.DomainHealth, "demo-council", "2022-06-09T09:00:00Z"},
		{"a council's service relayed by a health ShCR is social care, via it", interweaveService(t, "706", "London Borough of Islington"), healthSrc,
			"London Borough of Islington", "706", record.DomainSocialCare, "demo-shcr", "2022-06-09T09:00:00Z"},
		{"a council code alone, named by config", interweaveService(t, "706", ""), withConfig,
			"London Borough of Islington", "706", record.DomainSocialCare, "demo-shcr", "2022-06-09T09:00:00Z"},
		{"a council code alone, unknown to config: the code's shape gives the domain", noProfile(t, interweaveService(t, "706", "")), healthSrc,
			"organisation (ODS code 706)", "706", record.DomainSocialCare, "demo-shcr", "2022-06-09T09:00:00Z"},
		{"the council's own back end: not relayed", interweaveService(t, "706", "Demo County Council"), socialSrc,
			"Demo County Council", "706", record.DomainSocialCare, "", "2022-06-09T09:00:00Z"},
		{"a trust's record on a council back end is health, via it", noProfile(t, interweaveService(t, "RR8", "Leeds Teaching Hospitals NHS Trust")), socialSrc,
			"Leeds Teaching Hospitals NHS Trust", "RR8", record.DomainHealth, "demo-council", "2022-06-09T09:00:00Z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, w := MapSection(record.SectionCarePackages, nil, []Resource{tc.res}, tc.src)
			if len(d.CarePackages) != 1 {
				t.Fatalf("care packages %+v, warnings %q", d.CarePackages, w)
			}
			p := d.CarePackages[0].Provenance
			if p.Organisation != tc.org || p.OrganisationCode != tc.code || p.Domain != tc.domain || p.Via != tc.via || p.Backend != tc.src.Backend {
				t.Errorf("provenance = %+v\nwant organisation %q (%s), domain %s, via %q", p, tc.org, tc.code, tc.domain, tc.via)
			}
			if p.SourceSystem != "Acme Ltd Data Systems" {
				t.Errorf("source system %q", p.SourceSystem)
			}
			if !p.Recorded.Equal(day(tc.recorded)) || p.ServerUpdated || p.RecordedText != "2022-06-09T09:00:00Z" {
				t.Errorf("recorded %v %q server=%v, want the service's own period.start", p.Recorded, p.RecordedText, p.ServerUpdated)
			}
		})
	}
}

func TestWhoSaidItSecurityAndSourceTags(t *testing.T) {
	flag := func(meta string) Resource {
		return patched(t, inline(t, `{"resourceType":"Flag","id":"f1","status":"active","code":{"text":"Key safe 1234"}}`), func(m map[string]any) {
			m["meta"] = jsonOf(t, meta)
		})
	}
	src := healthSrc
	src.Organisations = councils
	tests := []struct {
		name, meta, org string
		domain          record.Domain
	}{
		{"ODS coding in meta.security", `{"security":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","code":"706"}]}`, "London Borough of Islington", record.DomainSocialCare},
		{"ODS code in meta.source", `{"source":"https://fhir.nhs.uk/Id/ods-organization-code|706"}`, "London Borough of Islington", record.DomainSocialCare},
		{"configured code at the end of meta.source", `{"source":"https://council.example/fhir#706"}`, "London Borough of Islington", record.DomainSocialCare},
		{"meta.source naming no organisation", `{"source":"urn:example:mosaic"}`, "Demo NHS ShCR", record.DomainHealth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := MapSection(record.SectionAlerts, nil, []Resource{flag(tc.meta)}, src)
			if len(d.Alerts) != 1 {
				t.Fatalf("alerts %+v", d.Alerts)
			}
			if p := d.Alerts[0].Provenance; p.Organisation != tc.org || p.Domain != tc.domain {
				t.Errorf("provenance %+v, want %q %s", p, tc.org, tc.domain)
			}
		})
	}
}

func TestProvenanceResourceTargetingAnItemWins(t *testing.T) {
	allergy := example(t, "ukcore/UKCore-AllergyIntolerance-Amoxicillin-Example.json")
	// The published Provenance, targeting the allergy and recorded on behalf of a council
	// known only by its ODS code.
	prov := patched(t, example(t, "ukcore/UKCore-Provenance-RARecordConsent-Example.json"), func(m map[string]any) {
		m["target"] = jsonOf(t, `[{"reference":"https://demo.invalid/fhir/AllergyIntolerance/UKCore-AllergyIntolerance-Amoxicillin-Example/_history/2"}]`)
		agent := m["agent"].([]any)[0].(map[string]any)
		agent["onBehalfOf"] = jsonOf(t, `{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"706"}}`)
	})
	all := append(ukcore(t), prov)
	src := healthSrc
	src.Organisations = councils
	d, _ := MapSection(record.SectionAllergies, nil, append(matches(all, "AllergyIntolerance"), withMode(prov, "include"),
		withMode(example(t, "ukcore/UKCore-Practitioner-ConsultantSandraGose-Example.json"), "include")), src)
	var amox record.Allergy
	for _, a := range d.Allergies {
		if a.Provenance.Resource == allergy.Ref() {
			amox = a
		}
	}
	p := amox.Provenance
	// Without the Provenance the recorder (Sandra Gose) and the back end would say it.
	if p.Author.Name != "Dr Paul Rastall" || p.Author.Role != "General Medical Practitioner" || p.Organisation != "London Borough of Islington" ||
		p.OrganisationCode != "706" || p.Domain != record.DomainSocialCare || p.Via != "demo-shcr" {
		t.Errorf("provenance = %+v", p)
	}
	// Recorded stays the allergy's own recordedDate, not the Provenance's recorded.
	if !p.Recorded.Equal(day("2019-12-10T13:00:00Z")) || p.RecordedText != "2019-12-10T13:00:00+00:00" {
		t.Errorf("recorded %v %q", p.Recorded, p.RecordedText)
	}
}

func TestReferencesResolveEveryWay(t *testing.T) {
	doc := example(t, "ukcore/UKCore-DocumentReference-ECG-Example.json")
	role := example(t, "ukcore/UKCore-PractitionerRole-GeneralPractitioner-Example.json")
	rastall := example(t, "ukcore/UKCore-Practitioner-DoctorPaulRastall-Example.json")
	whiteRose := example(t, "ukcore/UKCore-Organization-WhiteRoseMedicalCentre-Example.json")
	src := healthSrc
	src.Organisations = councils
	withAuthor := func(author string) Resource {
		return patched(t, doc, func(m map[string]any) {
			m["author"] = jsonOf(t, author)
			delete(m, "custodian")
		})
	}
	contained := patched(t, doc, func(m map[string]any) {
		var rr map[string]any
		_ = json.Unmarshal(role.Raw, &rr)
		rr["id"] = "role1"
		rr["practitioner"] = map[string]any{"reference": "#doc1"}
		rr["organization"] = map[string]any{"identifier": map[string]any{"system": SystemODS, "value": "B82005"}}
		var pr map[string]any
		_ = json.Unmarshal(rastall.Raw, &pr)
		pr["id"] = "doc1"
		m["contained"] = []any{rr, pr}
		m["author"] = jsonOf(t, `[{"reference":"#role1"}]`)
	})
	tests := []struct {
		name                 string
		res                  Resource
		author, role, org    string
		code                 string
		domain               record.Domain
		includeRoleAndFriend bool
	}{
		{"relative PractitionerRole: person, role and organisation", withAuthor(`[{"reference":"PractitionerRole/UKCore-PractitionerRole-GeneralPractitioner-Example"}]`),
			"Dr Paul Rastall", "GP", "WHITE ROSE MEDICAL CENTRE", "GP5", record.DomainHealth, true},
		{"absolute PractitionerRole on the same server", withAuthor(`[{"reference":"https://demo.invalid/fhir/R4/PractitionerRole/UKCore-PractitionerRole-GeneralPractitioner-Example"}]`),
			"Dr Paul Rastall", "GP", "WHITE ROSE MEDICAL CENTRE", "GP5", record.DomainHealth, true},
		{"contained PractitionerRole with an identifier-only organisation", contained,
			"Dr Paul Rastall", "GP", "organisation (ODS code B82005)", "B82005", record.DomainHealth, false},
		{"identifier-only organisation author, known code", withAuthor(`[{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"706"}}]`),
			"London Borough of Islington", "", "London Borough of Islington", "706", record.DomainSocialCare, false},
		{"identifier-only organisation author, unknown code", withAuthor(`[{"type":"Organization","identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"rcb"}}]`),
			"organisation (ODS code RCB)", "", "organisation (ODS code RCB)", "RCB", record.DomainHealth, false},
		{"identifier-only practitioner: never a bare number", withAuthor(`[{"identifier":{"system":"https://fhir.nhs.uk/Id/sds-user-id","value":"555021935107"}}]`),
			"member of NHS staff (SDS user ID 555021935107)", "", "Demo NHS ShCR", "", record.DomainHealth, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs := []Resource{tc.res}
			if tc.includeRoleAndFriend {
				rs = append(rs, withMode(role, "include"), withMode(rastall, "include"), withMode(whiteRose, "include"))
			}
			d, w := MapSection(record.SectionNotes, nil, rs, src)
			if len(d.Notes) != 1 {
				t.Fatalf("notes %+v warnings %q", d.Notes, w)
			}
			p := d.Notes[0].Provenance
			if p.Author.Name != tc.author || p.Author.Role != tc.role || p.Organisation != tc.org || p.OrganisationCode != tc.code || p.Domain != tc.domain {
				t.Errorf("provenance %+v\nwant author %q (%q), organisation %q (%s), %s", p, tc.author, tc.role, tc.org, tc.code, tc.domain)
			}
		})
	}
}

func TestRecordedIsTheItemsOwnDate(t *testing.T) {
	service := example(t, "interweave/EpisodeOfCare-InterweaveSocialCareServiceExample-Full.json")
	loadOnly := patched(t, service, func(m map[string]any) { delete(m, "period"); delete(m, "statusHistory") })
	partial := patched(t, example(t, "ukcore/UKCore-AllergyIntolerance-Amoxicillin-Example.json"), func(m map[string]any) {
		m["recordedDate"] = "2024-03"
		m["onsetDateTime"] = "2023"
	})
	stmt := patched(t, example(t, "ukcore/UKCore-MedicationStatement-Amoxicillin-Example.json"), func(m map[string]any) {
		m["effectivePeriod"] = map[string]any{"start": "2023", "end": "2024-03"}
		delete(m, "effectiveDateTime")
		m["dateAsserted"] = "2024-03-02"
	})
	t.Run("meta.lastUpdated only: updated on server", func(t *testing.T) {
		d, _ := MapSection(record.SectionCarePackages, nil, []Resource{loadOnly}, socialSrc)
		p := d.CarePackages[0].Provenance
		if !p.ServerUpdated || !p.Recorded.Equal(day("2022-02-01T09:37:00Z")) || p.RecordedText != "2022-02-01T09:37:00Z" {
			t.Errorf("provenance %+v", p)
		}
	})
	t.Run("period.start beats meta.lastUpdated", func(t *testing.T) {
		d, _ := MapSection(record.SectionCarePackages, nil, []Resource{service}, socialSrc)
		if p := d.CarePackages[0].Provenance; p.ServerUpdated || !p.Recorded.Equal(day("2022-06-09T09:00:00Z")) {
			t.Errorf("provenance %+v", p)
		}
	})
	t.Run("a partial recordedDate keeps its precision", func(t *testing.T) {
		d, _ := MapSection(record.SectionAllergies, nil, []Resource{partial}, healthSrc)
		a := d.Allergies[0]
		if a.Provenance.RecordedText != "2024-03" || ukdate.Partial(a.Provenance.Recorded, a.Provenance.RecordedText) != "Mar-2024" || a.Onset != "2023" {
			t.Errorf("recorded %q (%s), onset %q", a.Provenance.RecordedText, ukdate.Partial(a.Provenance.Recorded, a.Provenance.RecordedText), a.Onset)
		}
	})
	t.Run("partial period dates keep their text", func(t *testing.T) {
		d, _ := MapSection(record.SectionMedications, nil, []Resource{stmt}, healthSrc)
		md := d.Medications[0]
		if md.Period.StartText != "2023" || md.Period.EndText != "2024-03" || ukdate.Partial(md.Period.End, md.Period.EndText) != "Mar-2024" ||
			md.Provenance.RecordedText != "2024-03-02" {
			t.Errorf("period %+v recorded %q", md.Period, md.Provenance.RecordedText)
		}
	})
}

func TestPatientDerivedItemsKeepTheBackEndsDomain(t *testing.T) {
	// A council's copy of the Patient names the GP practice as managing organisation: its
	// contacts are still the council's record, not the practice's.
	pt := patched(t, example(t, "ukcore/UKCore-Patient-RichardSmith-Example.json"), func(m map[string]any) {
		m["managingOrganization"] = jsonOf(t, `{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"B82005"}}`)
	})
	d, _ := MapSection(record.SectionNextOfKin, &pt, nil, socialSrc)
	if len(d.NextOfKin) == 0 {
		t.Fatal("no contacts")
	}
	for _, c := range d.NextOfKin {
		if p := c.Provenance; p.Domain != record.DomainSocialCare || p.Organisation != "Demo County Council" || p.Via != "" {
			t.Errorf("contact %q provenance %+v", c.Name, p)
		}
	}
}

func TestProvenanceTargetsADocumentEntryByFullURL(t *testing.T) {
	comp := example(t, "ukcore/UKCore-Composition-Discharge-Example.json")
	comp.FullURL = "urn:uuid:0b5a5e0c-1b0e-4a43-9a3c-4b1d3c1f7a10"
	prov := inline(t, `{"resourceType":"Provenance","id":"pv","target":[{"reference":"urn:uuid:0b5a5e0c-1b0e-4a43-9a3c-4b1d3c1f7a10"}],
		"recorded":"2021-02-12T19:05:00Z","agent":[{"who":{"display":"Dr Paul Rastall"},
		"onBehalfOf":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"RR8"}}}]}`)
	d, _ := MapSection(record.SectionNotes, nil, []Resource{comp, withMode(prov, "include")}, socialSrc)
	if len(d.Notes) != 1 {
		t.Fatalf("notes %+v", d.Notes)
	}
	if p := d.Notes[0].Provenance; p.Author.Name != "Dr Paul Rastall" || p.Organisation != "organisation (ODS code RR8)" ||
		p.Domain != record.DomainHealth || p.Via != "demo-council" {
		t.Errorf("provenance %+v", p)
	}
}

func TestODSCodeShapesAndNames(t *testing.T) {
	src := Source{Organisations: Organisations{"y99999": {Name: "Kettlewick Surgery", Domain: record.DomainHealth}}}
	tests := []struct {
		code, name string
		domain     record.Domain
		label      string
	}{
		{"706", "", record.DomainSocialCare, "organisation (ODS code 706)"},
		{"A81001", "", record.DomainHealth, "organisation (ODS code A81001)"},
		{"rr8", "", record.DomainHealth, "organisation (ODS code RR8)"},
		{"RR801", "", record.DomainHealth, "organisation (ODS code RR801)"},
		{"QWO", "", record.DomainHealth, "organisation (ODS code QWO)"},
		{"15F", "", record.DomainHealth, "organisation (ODS code 15F)"},
		{"VN1X2", "", record.DomainSocialCare, "organisation (ODS code VN1X2)"},
		{"Y99999", "", record.DomainHealth, "Kettlewick Surgery"},
		{"X99", "", "", "organisation (ODS code X99)"},
		{"", "Leeds City Council", record.DomainSocialCare, ""},
		{"", "Adult Social Care", record.DomainSocialCare, ""},
		{"", "Airedale NHS Foundation Trust", record.DomainHealth, ""},
		{"", "The reablement team", "", ""},
	}
	for _, tc := range tests {
		if d := src.orgDomain(tc.code, tc.name, nil); d != tc.domain {
			t.Errorf("orgDomain(%q, %q) = %q, want %q", tc.code, tc.name, d, tc.domain)
		}
		if l := src.orgLabel(tc.code); l != tc.label {
			t.Errorf("orgLabel(%q) = %q, want %q", tc.code, l, tc.label)
		}
	}
	if d := src.orgDomain("", "Anywhere", Concepts{{Coding: []Coding{{Code: "RO141"}}}}); d != record.DomainSocialCare {
		t.Errorf("ODS role RO141 (local authority) = %q", d)
	}
}
