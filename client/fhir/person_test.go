package fhir

import (
	"slices"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/record"
)

func TestMapPersonExamples(t *testing.T) {
	tests := []struct {
		file          string
		nhs, verif    string
		family        string
		given         string
		birth, gender string
		postcode      string
		deceased      bool
		interpreter   string
		restricted    bool
		phones        int
	}{
		{file: "ukcore/UKCore-Patient-RichardSmith-Example.json", nhs: "9912003888", verif: "01", family: "SMITH", given: "Richard",
			birth: "1970-09-11", gender: "male", postcode: "LS17 7DF", interpreter: "British Sign Language", phones: 1},
		{file: "pds/Patient.json", nhs: "9000000009", verif: "01", family: "Smith", given: "Jane", birth: "2010-10-22", gender: "female",
			postcode: "LS1 6AE", deceased: true, interpreter: "French", phones: 2},
		{file: "pds/Sensitive_Patient.json", nhs: "9000000025", verif: "01", family: "Smythe", given: "Janet", birth: "2010-10-22",
			gender: "female", deceased: true, restricted: true},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := example(t, tt.file)
			p, err := MapPerson(r, healthSrc)
			if err != nil {
				t.Fatal(err)
			}
			if p.NHSNumber != tt.nhs || p.NHSNumberVerification != tt.verif {
				t.Errorf("NHS number %q (%q), want %q (%q)", p.NHSNumber, p.NHSNumberVerification, tt.nhs, tt.verif)
			}
			if p.Name.Family != tt.family || len(p.Name.Given) == 0 || p.Name.Given[0] != tt.given {
				t.Errorf("name = %+v", p.Name)
			}
			if p.BirthDate != tt.birth || p.Gender != tt.gender || p.Address.Postcode != tt.postcode {
				t.Errorf("birth %q gender %q postcode %q", p.BirthDate, p.Gender, p.Address.Postcode)
			}
			if p.Deceased != tt.deceased || p.InterpreterLanguage != tt.interpreter || p.Restricted != tt.restricted {
				t.Errorf("deceased %v interpreter %q restricted %v", p.Deceased, p.InterpreterLanguage, p.Restricted)
			}
			if len(p.Phones) != tt.phones {
				t.Errorf("phones = %+v, want %d", p.Phones, tt.phones)
			}
			want := record.PersonSource{Backend: healthSrc.Backend, ID: r.ID, Name: p.Name, BirthDate: tt.birth, Gender: tt.gender, Postcode: tt.postcode}
			if len(p.Sources) != 1 || p.Sources[0].Backend != want.Backend || p.Sources[0].ID != want.ID ||
				p.Sources[0].BirthDate != want.BirthDate || p.Sources[0].Postcode != want.Postcode || p.Sources[0].Name.Family != tt.family {
				t.Errorf("sources = %+v", p.Sources)
			}
		})
	}
}

func TestMapPersonPDSDeceasedAndHomeAddress(t *testing.T) {
	p, err := MapPerson(example(t, "pds/Patient.json"), healthSrc)
	if err != nil {
		t.Fatal(err)
	}
	if !p.DeceasedAt.Equal(day("2010-10-22T00:00:00Z")) {
		t.Errorf("DeceasedAt = %v", p.DeceasedAt)
	}
	if p.Address.Use != "home" || p.Address.Lines[0] != "1 Trevelyan Square" {
		t.Errorf("address = %+v, want the home one", p.Address)
	}
	if p.Phones[0].Number != "01632960587" || p.Phones[0].Use != "home" {
		t.Errorf("phones = %+v", p.Phones)
	}
}

func TestMapPersonOwnCases(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		check   func(t *testing.T, p record.Person)
		wantErr string
	}{
		{name: "local authority person without NHS number",
			json: `{"resourceType":"Patient","id":"la-1","identifier":[{"system":"https://demo.invalid/Id/local-authority-person-id","value":"LA-000123"}],
			"name":[{"family":"Testperson","given":["Ada"]}],"birthDate":"1948-03"}`,
			check: func(t *testing.T, p record.Person) {
				if p.NHSNumber != "" || p.LocalAuthorityID != "LA-000123" || p.BirthDate != "1948-03" {
					t.Errorf("got nhs %q la %q birth %q", p.NHSNumber, p.LocalAuthorityID, p.BirthDate)
				}
			}},
		{name: "NHS number failing Modulus 11 is not kept",
			json: `{"resourceType":"Patient","id":"x","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"1234567890"}]}`,
			check: func(t *testing.T, p record.Person) {
				if p.NHSNumber != "" {
					t.Errorf("kept invalid NHS number %q", p.NHSNumber)
				}
			}},
		{name: "NHS number with spaces",
			json: `{"resourceType":"Patient","id":"x","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"999 100 0003"}]}`,
			check: func(t *testing.T, p record.Person) {
				if p.NHSNumber != "9991000003" {
					t.Errorf("NHSNumber = %q", p.NHSNumber)
				}
			}},
		{name: "deceasedDateTime",
			json: `{"resourceType":"Patient","id":"d","deceasedDateTime":"2026-01-05T14:30:00+00:00"}`,
			check: func(t *testing.T, p record.Person) {
				if !p.Deceased || !p.DeceasedAt.Equal(day("2026-01-05T14:30:00Z")) {
					t.Errorf("deceased %v at %v", p.Deceased, p.DeceasedAt)
				}
			}},
		{name: "interpreter not required",
			json: `{"resourceType":"Patient","id":"i","communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"pl","display":"Polish"}]},
			"extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired","valueBoolean":false}]}]}`,
			check: func(t *testing.T, p record.Person) {
				if p.InterpreterLanguage != "" {
					t.Errorf("interpreter %q", p.InterpreterLanguage)
				}
			}},
		{name: "English listed: no interpreter assumed",
			json: `{"resourceType":"Patient","id":"e","communication":[{"language":{"coding":[{"code":"en-GB"}]}},{"language":{"text":"Welsh"}}]}`,
			check: func(t *testing.T, p record.Person) {
				if p.InterpreterLanguage != "" {
					t.Errorf("interpreter %q", p.InterpreterLanguage)
				}
			}},
		{name: "preferred language with interpreter extension",
			json: `{"resourceType":"Patient","id":"e","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired","valueBoolean":true}],
			"communication":[{"language":{"coding":[{"code":"en"}]}},{"language":{"coding":[{"code":"so","display":"Somali"}]},"preferred":true}]}`,
			check: func(t *testing.T, p record.Person) {
				if p.InterpreterLanguage != "Somali" {
					t.Errorf("interpreter %q", p.InterpreterLanguage)
				}
			}},
		{name: "bad birthDate", json: `{"resourceType":"Patient","id":"enc-9","birthDate":"12/03/1948"}`, wantErr: "Patient/enc-9: birthDate: not a FHIR date"},
		{name: "birthDate as number", json: `{"resourceType":"Patient","id":"p9","birthDate":19480312}`, wantErr: "Patient/p9: birthDate: expected a string"},
		{name: "not a Patient", json: `{"resourceType":"Flag","id":"f"}`, wantErr: "Flag/f: expected a Patient"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := MapPerson(inline(t, tt.json), socialSrc)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "1948") {
					t.Errorf("error %q repeats the birth date", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, p)
		})
	}
}

func TestMapPersonGPConnectPatient(t *testing.T) {
	b := bundleOf(t, "examples/gpconnect/allergies_response1.json")
	i := slices.IndexFunc(b.Entries, func(r Resource) bool { return r.Type == "Patient" })
	p, err := MapPerson(b.Entries[i], healthSrc)
	if err != nil {
		t.Fatal(err)
	}
	if p.NHSNumber != "9999999999" || p.NHSNumberVerification != "01" || p.Name.Family != "Jackson" || p.Name.Prefix[0] != "Miss" || p.BirthDate != "1952-05-31" {
		t.Errorf("got %+v", p)
	}
}
