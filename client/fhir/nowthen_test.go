package fhir

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/record"
)

// TestPDSPatientNowVersusThen: the published PDS patient's telecom and contact all ended on
// 2025-12-31; the text-phone is "other" with the UK Core OtherContactSystem extension.
func TestPDSPatientNowVersusThen(t *testing.T) {
	now := day("2026-06-01T12:00:00Z")
	pat := example(t, "pds/Patient.json")
	p, err := MapPerson(pat, healthSrc)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Phones) != 2 {
		t.Fatalf("phones = %+v", p.Phones)
	}
	home, text := p.Phones[0], p.Phones[1]
	if home.System != record.PhoneVoice || home.Period.EndText != "2025-12-31" || home.Callable(now) {
		t.Errorf("ended home phone = %+v (callable %v)", home, home.Callable(now))
	}
	if !home.Callable(day("2025-06-01T12:00:00Z")) {
		t.Errorf("home phone was callable in its period: %+v", home)
	}
	if text.System != record.PhoneTextphone || text.Callable(day("2025-06-01T12:00:00Z")) {
		t.Errorf("text-phone = %+v", text)
	}

	d, w := MapSection(record.SectionNextOfKin, &pat, nil, healthSrc)
	if len(w) != 0 || len(d.NextOfKin) != 1 {
		t.Fatalf("contacts %+v warnings %q", d.NextOfKin, w)
	}
	// No name: kept, as what it is (an emergency contact with a number), and ended.
	ec := d.NextOfKin[0]
	if ec.Name != "" || !slices.Equal(ec.Roles, []string{record.RoleEmergencyContact}) || len(ec.Phones) != 1 {
		t.Errorf("emergency contact = %+v", ec)
	}
	if ec.Current(now) || ec.Period.EndText != "2025-12-31" || !ec.Current(day("2025-06-01T12:00:00Z")) {
		t.Errorf("emergency contact period = %+v", ec.Period)
	}
}

// TestPhoneSystems: each ContactPoint system is labelled; only a voice number in its
// period is the number to call.
func TestPhoneSystems(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name, telecom string
		system        string
		callable      bool
		email         string
	}{
		{"phone", `{"system":"phone","value":"01632 960001","use":"home"}`, record.PhoneVoice, true, ""},
		{"no system", `{"value":"01632 960001"}`, record.PhoneVoice, true, ""},
		{"phone ended", `{"system":"phone","value":"01632 960001","use":"home","period":{"start":"2019-01-01","end":"2021-12-31"}}`, record.PhoneVoice, false, ""},
		{"phone old", `{"system":"phone","value":"01632 960001","use":"old"}`, record.PhoneVoice, false, ""},
		{"phone from next year", `{"system":"phone","value":"01632 960001","period":{"start":"2099-01-01"}}`, record.PhoneVoice, true, ""},
		{"fax", `{"system":"fax","value":"01632 960002","use":"work"}`, record.PhoneFax, false, ""},
		{"pager", `{"system":"pager","value":"07623 960003"}`, record.PhonePager, false, ""},
		{"sms", `{"system":"sms","value":"07700 900004","use":"mobile"}`, record.PhoneSMS, false, ""},
		{"textphone extension (PDS)", `{"system":"other","value":"01632 960005","extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-OtherContactSystem",
			"valueCoding":{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-OtherContactSystem","code":"textphone","display":"Minicom (Textphone)"}}]}`, record.PhoneTextphone, false, ""},
		{"textphone extension on system (UK Core)", `{"system":"other","_system":{"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-OtherContactSystem",
			"valueCoding":{"code":"textphone"}}]},"value":"01632 960006"}`, record.PhoneTextphone, false, ""},
		{"minicom in the value", `{"system":"other","value":"Minicom 01632 960007"}`, record.PhoneTextphone, false, ""},
		{"text relay on a phone", `{"system":"phone","value":"18001 01632 960008 (text relay)"}`, record.PhoneTextphone, false, ""},
		{"other, not a phone", `{"system":"other","value":"https://example.invalid/chat"}`, "other", false, ""},
		{"email", `{"system":"email","value":"pat@example.invalid"}`, "", false, "pat@example.invalid"},
		{"email ended", `{"system":"email","value":"old@example.invalid","period":{"end":"2022-12-31"}}`, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := inline(t, `{"resourceType":"RelatedPerson","id":"r","active":true,"name":[{"text":"Pat Sample"}],"telecom":[`+tt.telecom+`]}`)
			d, w := MapSection(record.SectionNextOfKin, nil, []Resource{r}, socialSrc)
			if len(w) != 0 || len(d.NextOfKin) != 1 {
				t.Fatalf("contacts %+v warnings %q", d.NextOfKin, w)
			}
			c := d.NextOfKin[0]
			if c.Email != tt.email {
				t.Errorf("email %q, want %q", c.Email, tt.email)
			}
			if tt.email != "" || strings.Contains(tt.telecom, `"email"`) {
				if len(c.Phones) != 0 {
					t.Errorf("an email listed as a phone: %+v", c.Phones)
				}
				return
			}
			if len(c.Phones) != 1 {
				t.Fatalf("phones %+v", c.Phones)
			}
			if ph := c.Phones[0]; ph.System != tt.system || ph.Callable(now) != tt.callable {
				t.Errorf("phone %+v: system %q callable %v, want %q %v", ph, ph.System, ph.Callable(now), tt.system, tt.callable)
			}
		})
	}
}

// TestContactsNowVersusThen: a RelatedPerson no longer active or whose period ended is kept
// and marked, never current; a contact without a phone or a name is kept.
func TestContactsNowVersusThen(t *testing.T) {
	now := time.Now()
	joy := string(readFile(t, "examples/ukcore/UKCore-RelatedPerson-JoySmith-Example.json"))
	inactiveJoy := strings.Replace(joy, `"resourceType": "RelatedPerson",`, `"resourceType": "RelatedPerson", "active": false,`, 1)
	if inactiveJoy == joy {
		t.Fatal("could not mark the UK Core example inactive")
	}
	tests := []struct {
		name, json string
		current    bool
		inactive   bool
		contact    string
	}{
		{"UK Core RelatedPerson", joy, true, false, "Joy SMITH"},
		{"UK Core RelatedPerson no longer active", inactiveJoy, false, true, "Joy SMITH"},
		{"relationship ended last year", `{"resourceType":"RelatedPerson","id":"g1","active":true,"name":[{"text":"Former Guardian"}],
			"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"GUARD","display":"guardian"}]}],
			"telecom":[{"system":"phone","value":"01632 960100"}],"period":{"start":"2019-01-01","end":"2025-11-30"}}`, false, false, "Former Guardian"},
		{"support role ended though the person is still related", `{"resourceType":"RelatedPerson","id":"k1","name":[{"text":"Kim Keyholder"}],
			"period":{"start":"2020-01-01","end":"2025-02-01"},
			"extension":[{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-SocialCareSupportRole","extension":[
			{"url":"supportRoleType","valueCodeableConcept":{"coding":[{"code":"KH","display":"Key Holder"}]}},{"url":"supportRolePeriod","valuePeriod":{"start":"2021-01-01"}}]}]}`,
			false, false, "Kim Keyholder"},
		{"no phone", `{"resourceType":"RelatedPerson","id":"n1","name":[{"text":"Nia Nophone"}],"relationship":[{"text":"Next of kin"}]}`, true, false, "Nia Nophone"},
		{"no name", `{"resourceType":"RelatedPerson","id":"n2","relationship":[{"text":"Key holder"}],"telecom":[{"system":"phone","value":"01632 960101"}]}`, true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionNextOfKin, nil, []Resource{inline(t, tt.json)}, socialSrc)
			if len(w) != 0 || len(d.NextOfKin) != 1 {
				t.Fatalf("a contact dropped (or more than one): %+v warnings %q", d.NextOfKin, w)
			}
			c := d.NextOfKin[0]
			if c.Name != tt.contact || c.Current(now) != tt.current || c.Inactive != tt.inactive || c.Phones == nil {
				t.Errorf("contact %+v: current %v inactive %v, want %v %v", c, c.Current(now), c.Inactive, tt.current, tt.inactive)
			}
		})
	}
	// Patient.contact with an ended period.
	pat := inline(t, `{"resourceType":"Patient","id":"p1","contact":[
		{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N"}]}],"name":{"text":"Old Kin"},"period":{"end":"2024-03"}},
		{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"C"}]}],"name":{"text":"New Kin"},"period":{"start":"2024-03"}}]}`)
	d, _ := MapSection(record.SectionNextOfKin, &pat, nil, socialSrc)
	if len(d.NextOfKin) != 2 || d.NextOfKin[0].Current(now) || !d.NextOfKin[1].Current(now) || d.NextOfKin[0].Period.EndText != "2024-03" {
		t.Errorf("Patient.contact periods = %+v", d.NextOfKin)
	}
}

// TestFlagsNowVersusThen: a Flag whose period ended is kept and not current; a Flag naming
// an allergy is an allergy alert.
func TestFlagsNowVersusThen(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name, json string
		kept       bool
		current    bool
		category   string
	}{
		{"active, open", `{"resourceType":"Flag","id":"f1","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"safety","display":"Safety"}]}],
			"code":{"text":"Dog at property"},"period":{"start":"2024-01-01"}}`, true, true, "Safety"},
		{"active, period ended", `{"resourceType":"Flag","id":"f2","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"safety","display":"Safety"}]}],
			"code":{"text":"Aggressive relative at address"},"period":{"start":"2023-01-01","end":"2025-01-31"}}`, true, false, "Safety"},
		{"inactive", `{"resourceType":"Flag","id":"f3","status":"inactive","code":{"text":"Old warning"}}`, false, false, ""},
		{"diet flag naming an allergy", `{"resourceType":"Flag","id":"f4","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"diet","display":"Diet"}]}],
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"91935009","display":"Allergy to peanut"}]}}`, true, true, AlertCategoryAllergy},
		{"allergy category flag", `{"resourceType":"Flag","id":"f5","status":"active","category":[{"text":"Allergies and adverse reactions"}],"code":{"text":"Penicillin - anaphylaxis"}}`,
			true, true, AlertCategoryAllergy},
		{"diet flag without an allergy", `{"resourceType":"Flag","id":"f6","status":"active","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/flag-category","code":"diet","display":"Diet"}]}],
			"code":{"text":"Soft diet"}}`, true, true, "Diet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, w := MapSection(record.SectionAlerts, nil, []Resource{inline(t, tt.json)}, healthSrc)
			if len(w) != 0 {
				t.Errorf("warnings %q", w)
			}
			if !tt.kept {
				if len(d.Alerts) != 0 {
					t.Errorf("inactive flag shown: %+v", d.Alerts)
				}
				return
			}
			if len(d.Alerts) != 1 {
				t.Fatalf("alerts %+v", d.Alerts)
			}
			a := d.Alerts[0]
			if a.Current(now) != tt.current || a.Category != tt.category {
				t.Errorf("alert %+v: current %v category %q, want %v %q", a, a.Current(now), a.Category, tt.current, tt.category)
			}
		})
	}
}

// TestCareTeamNowVersusThen: a participant whose period ended, a team whose period ended, a
// PractitionerRole no longer active and a finished episode's care manager are not current.
func TestCareTeamNowVersusThen(t *testing.T) {
	now := time.Now()
	pr := withMode(inline(t, `{"resourceType":"Practitioner","id":"sw1","name":[{"family":"Worker","given":["Sam"]}]}`), "include")
	tests := []struct {
		name    string
		res     []Resource
		current []bool
	}{
		{"participant ended", []Resource{withMode(inline(t, `{"resourceType":"CareTeam","id":"ct1","status":"active","name":"Locality team","participant":[
			{"member":{"reference":"Practitioner/sw1"},"role":[{"text":"Social worker"}],"period":{"start":"2023-01-01","end":"2025-03-31"}},
			{"member":{"display":"Alex Current"},"role":[{"text":"Occupational therapist"}],"period":{"start":"2025-04-01"}}]}`), "match"), pr}, []bool{false, true}},
		// The R4 CareTeam example's shape: status active, the team's period ended in 2013,
		// a contained practitioner.
		{"team period ended", []Resource{withMode(inline(t, `{"resourceType":"CareTeam","id":"example","status":"active",
			"contained":[{"resourceType":"Practitioner","id":"pr1","name":[{"family":"Dietician","given":["Dorothy"]}]}],
			"period":{"end":"2013-01-01"},"participant":[{"role":[{"text":"responsiblePerson"}],"member":{"reference":"Patient/example"}},
			{"role":[{"text":"adviser"}],"member":{"reference":"#pr1","display":"Dorothy Dietition"},"period":{"start":"2012-01-01"}}]}`), "match")}, []bool{false}},
		{"team inactive", []Resource{withMode(inline(t, `{"resourceType":"CareTeam","id":"ct3","status":"inactive","participant":[{"member":{"display":"Pat Former"}}]}`), "match")}, []bool{false}},
		{"known by a PractitionerRole no longer active", []Resource{
			withMode(inline(t, `{"resourceType":"CareTeam","id":"ct4","status":"active","participant":[{"member":{"reference":"PractitionerRole/role1"}}]}`), "match"),
			withMode(inline(t, `{"resourceType":"PractitionerRole","id":"role1","active":false,"practitioner":{"reference":"Practitioner/sw1"},
				"code":[{"coding":[{"system":"http://snomed.info/sct","code":"106328005","display":"Social worker (occupation)"}]}]}`), "include"), pr}, []bool{false}},
		{"known by a PractitionerRole whose period ended", []Resource{
			withMode(inline(t, `{"resourceType":"CareTeam","id":"ct5","status":"active","participant":[{"member":{"reference":"PractitionerRole/role2"}}]}`), "match"),
			withMode(inline(t, `{"resourceType":"PractitionerRole","id":"role2","active":true,"period":{"start":"2020-01-01","end":"2024-12-31"},"practitioner":{"reference":"Practitioner/sw1"}}`), "include"), pr}, []bool{false}},
		{"finished episode's care manager", []Resource{withMode(inline(t, `{"resourceType":"EpisodeOfCare","id":"e1","status":"finished","careManager":{"reference":"Practitioner/sw1"}}`), "match"), pr}, []bool{false}},
		{"active episode's care manager", []Resource{withMode(inline(t, `{"resourceType":"EpisodeOfCare","id":"e2","status":"active","careManager":{"reference":"Practitioner/sw1"},"period":{"start":"2024-01-01"}}`), "match"), pr}, []bool{true}},
		{"PractitionerRole match ended", []Resource{withMode(inline(t, `{"resourceType":"PractitionerRole","id":"role3","active":false,"practitioner":{"reference":"Practitioner/sw1"}}`), "match"), pr}, []bool{false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := MapSection(record.SectionCareTeam, nil, tt.res, socialSrc)
			if len(d.CareTeam) != len(tt.current) {
				t.Fatalf("members %+v", d.CareTeam)
			}
			for i, m := range d.CareTeam {
				if m.Current(now) != tt.current[i] {
					t.Errorf("member %+v: current %v, want %v", m, m.Current(now), tt.current[i])
				}
			}
		})
	}
	// A member both ended (a finished episode) and current (an active team) is current.
	both := []Resource{
		withMode(inline(t, `{"resourceType":"EpisodeOfCare","id":"e3","status":"finished","careManager":{"reference":"Practitioner/sw1"}}`), "match"),
		withMode(inline(t, `{"resourceType":"CareTeam","id":"ct6","status":"active","participant":[{"member":{"reference":"Practitioner/sw1"},"role":[{"coding":[{"system":"http://snomed.info/sct","code":"106328005"}]}]}]}`), "match"),
		pr,
	}
	d, _ := MapSection(record.SectionCareTeam, nil, both, socialSrc)
	if len(d.CareTeam) != 1 || !d.CareTeam[0].Current(now) {
		t.Errorf("folded member = %+v", d.CareTeam)
	}
}
