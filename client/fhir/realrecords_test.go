package fhir

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

func TestInpatientEncounterHospitalisation(t *testing.T) {
	inpatient := example(t, "ukcore/UKCore-Encounter-InpatientEncounter-Example.json")
	// The published encounter as a discharge-planning server fills it in: admission source,
	// destination, a UK Core LegalStatus (as Interweave's published example writes it) and
	// the Interweave medically-safe-for-discharge extension on hospitalization.
	detained := patched(t, inpatient, func(m map[string]any) {
		h := m["hospitalization"].(map[string]any)
		h["admitSource"] = jsonOf(t, `{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-SourceOfAdmissionEngland","code":"19","display":"Usual place of residence"}]}`)
		h["destination"] = jsonOf(t, `{"reference":"Location/care-home-1","display":"Rosewood Care Home"}`)
		h["extension"] = append(h["extension"].([]any), jsonOf(t, `{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-MedicallySafeForDischarge","extension":[
			{"url":"status","valueCode":"ready"},{"url":"predictedDate","valueDateTime":"2019-12-11"},{"url":"actualDate","valueDateTime":"2019-12-11T09:30:00Z"}]}`))
		m["extension"] = append(m["extension"].([]any), jsonOf(t, `{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-LegalStatus","extension":[
			{"url":"legalStatusContext","valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-LegalStatusContext","code":"admission","display":"Admission"}]}},
			{"url":"legalStatusClassification","valueCodeableConcept":{"coding":[{"system":"https://fhir.hl7.org.uk/CodeSystem/UKCore-LegalStatusClassificationEngland","code":"02","display":"Formally detained under Mental Health Act Section 2"}]}}]}`))
	})
	notReady := patched(t, inpatient, func(m map[string]any) {
		h := m["hospitalization"].(map[string]any)
		h["extension"] = jsonOf(t, `[{"url":"https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-MedicallySafeForDischarge","extension":[{"url":"status","valueCode":"notready"},{"url":"predictedDate","valueDateTime":"2019-12-14"}]}]`)
	})
	simpleDate := patched(t, inpatient, func(m map[string]any) {
		m["extension"] = jsonOf(t, `[{"url":"https://example.nhs.uk/fhir/StructureDefinition/Extension-DischargeReadyDate","valueDate":"2019-12"}]`)
	})
	tests := []struct {
		name                           string
		res                            Resource
		admit, disposition, dest, hold string
		safe, safeText                 string
	}{
		{"published", inpatient, "", "Usual place of residence unless listed below", "", "", "", ""},
		{"detained, medically safe, going to a care home", detained, "Usual place of residence", "Usual place of residence unless listed below",
			"Rosewood Care Home", "Formally detained under Mental Health Act Section 2 (admission)", "2019-12-11T09:30:00Z", "2019-12-11T09:30:00Z"},
		{"not ready: no date", notReady, "", "Usual place of residence unless listed below", "", "", "", ""},
		{"a simple discharge-ready date keeps its precision", simpleDate, "", "Usual place of residence unless listed below", "", "", "2019-12-01T00:00:00Z", "2019-12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, w := MapSection(record.SectionEncounters, nil, []Resource{tc.res}, healthSrc)
			if len(d.Encounters) != 1 || len(w) != 0 {
				t.Fatalf("encounters %+v warnings %q", d.Encounters, w)
			}
			e := d.Encounters[0]
			if e.AdmitSource != tc.admit || !strings.HasPrefix(e.DischargeDisposition, tc.disposition) || e.DischargeDestination != tc.dest || e.LegalStatus != tc.hold {
				t.Errorf("admit %q, disposition %q, destination %q, legal status %q", e.AdmitSource, e.DischargeDisposition, e.DischargeDestination, e.LegalStatus)
			}
			if tc.safe == "" {
				if !e.MedicallySafe.Start.IsZero() {
					t.Errorf("medically safe %+v, want none", e.MedicallySafe)
				}
			} else if !e.MedicallySafe.Start.Equal(day(tc.safe)) && !(tc.safeText == "2019-12" && ukdate.Partial(e.MedicallySafe.Start, e.MedicallySafe.StartText) == "Dec-2019") {
				t.Errorf("medically safe %+v, want %s", e.MedicallySafe, tc.safe)
			}
			if e.MedicallySafe.StartText != tc.safeText {
				t.Errorf("medically safe text %q, want %q", e.MedicallySafe.StartText, tc.safeText)
			}
			if e.Period.StartText != "2019-12-10T13:00:00+00:00" || e.Provenance.RecordedText != "2019-12-10T13:00:00+00:00" {
				t.Errorf("period %+v recorded %q", e.Period, e.Provenance.RecordedText)
			}
		})
	}
}

func TestPersonLanguageAndDeath(t *testing.T) {
	richard := example(t, "ukcore/UKCore-Patient-RichardSmith-Example.json")
	pds := example(t, "pds/Patient.json")
	tests := []struct {
		name                  string
		res                   Resource
		language, interpreter string
		deceasedText          string
		diedOn                string
	}{
		{"UK Core: BSL, no interpreter statement", richard, "British Sign Language", "British Sign Language", "", ""},
		{"PDS: French, interpreter required; died", pds, "French", "French", "2010-10-22T00:00:00+00:00", "22-Oct-2010"},
		{"preferred Polish, no interpreter needed", patched(t, richard, func(m map[string]any) {
			m["communication"] = jsonOf(t, `[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"en","display":"English"}]}},
				{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"pl","display":"Polish"}]},"preferred":true,
				 "extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired","valueBoolean":false}]}]`)
		}), "Polish", "", "", ""},
		{"date of death known to the month", patched(t, pds, func(m map[string]any) { m["deceasedDateTime"] = "2010-10" }), "French", "French", "2010-10", "Oct-2010"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := MapPerson(tc.res, healthSrc)
			if err != nil {
				t.Fatal(err)
			}
			if p.Language != tc.language || p.InterpreterLanguage != tc.interpreter {
				t.Errorf("language %q, interpreter %q; want %q, %q", p.Language, p.InterpreterLanguage, tc.language, tc.interpreter)
			}
			if p.DeceasedText != tc.deceasedText || p.Deceased != (tc.deceasedText != "") || p.DeceasedAt.IsZero() != (tc.deceasedText == "") {
				t.Errorf("deceased %v %v %q", p.Deceased, p.DeceasedAt, p.DeceasedText)
			}
			if tc.diedOn == "" {
				return
			}
			d, _ := MapSection(record.SectionAlerts, &tc.res, nil, healthSrc)
			found := false
			for _, a := range d.Alerts {
				if a.Kind == record.AlertDeceased {
					found = a.Text == "Died "+tc.diedOn && a.Period.StartText == tc.deceasedText
				}
			}
			if !found {
				t.Errorf("no deceased alert 'Died %s': %+v", tc.diedOn, d.Alerts)
			}
		})
	}
}

func TestCompositionDischargeSummaryReadsBySection(t *testing.T) {
	comp := example(t, "ukcore/UKCore-Composition-Discharge-Example.json")
	d, w := MapSection(record.SectionNotes, nil, []Resource{comp}, healthSrc)
	if len(d.Notes) != 1 {
		t.Fatalf("notes %+v warnings %q", d.Notes, w)
	}
	n := d.Notes[0]
	if n.Title != "Accident & Emergency Discharge summary" || n.Kind != "composition" || n.Provenance.RecordedText != "2021-02-12T19:00:00+00:00" ||
		n.DateText != "2021-02-12T19:00:00+00:00" {
		t.Errorf("note %q %q %q", n.Title, n.Kind, n.Provenance.RecordedText)
	}
	for _, want := range []string{
		"Allergies and adverse reaction\nCausative agent: Penicillin -class of antibiotic\nDescription of reaction: Eruption due to drug",
		"Attendance details\nDate and time of contact: 12-Feb-2015 07:00",
		"Clinical narrative\n",
		"60 year old man complaining of chest pain lasting around 2 hours.",
	} {
		if !strings.Contains(n.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, n.Text)
		}
	}
	if strings.Contains(n.Text, "<td") || strings.Contains(n.Text, "<p") || strings.Contains(n.Text, "<div") {
		t.Errorf("markup left in the text:\n%s", n.Text)
	}
	// Nested sections are indented under their parent; an empty one says why.
	nested := patched(t, comp, func(m map[string]any) {
		m["section"] = jsonOf(t, `[{"title":"Plan","text":{"status":"additional","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Home with support.</p></div>"},
			"section":[{"title":"Care package","text":{"status":"additional","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Reablement, 4 visits a day.</p><p>Review in 6 weeks.</p><pre>Visits:\n 08:00\n 20:00</pre></div>"}},
			{"title":"Medication changes","emptyReason":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/list-empty-reason","code":"nilknown","display":"Nil Known"}]}}]}]`)
	})
	nested = patched(t, nested, func(m map[string]any) { m["date"] = "2024-03" })
	d, _ = MapSection(record.SectionNotes, nil, []Resource{nested}, healthSrc)
	if n := d.Notes[0]; n.DateText != "2024-03" || ukdate.Partial(n.Date, n.DateText) != "Mar-2024" {
		t.Errorf("date %v %q", n.Date, n.DateText)
	}
	want := "Plan\nHome with support.\n\n  Care package\n  Reablement, 4 visits a day.\n  Review in 6 weeks.\n  Visits:\n  08:00\n  20:00\n\n  Medication changes\n  Nothing recorded: Nil Known"
	if d.Notes[0].Text != want {
		t.Errorf("nested text\n%q\nwant\n%q", d.Notes[0].Text, want)
	}
}

func TestAttachmentsReadableOrDescribed(t *testing.T) {
	ecg := example(t, "ukcore/UKCore-DocumentReference-ECG-Example.json")
	with := func(att string) Resource {
		return patched(t, ecg, func(m map[string]any) { m["content"] = jsonOf(t, `[{"attachment":`+att+`}]`) })
	}
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, text, contentType, url string
		size                         int64
		res                          Resource
	}{
		{"published: a PDF by link only", "", "application/pdf", "DocumentReference/UKCore-DocumentReference-ECG-Example.pdf", 0, ecg},
		{"link only, with its size", "", "application/pdf", "https://docs.example.nhs.uk/ecg.pdf", 48213,
			with(`{"contentType":"application/pdf","url":"https://docs.example.nhs.uk/ecg.pdf","size":48213,"title":"ECG"}`)},
		{"text/plain inline", "Sinus rhythm.\nNo acute changes.", "", "", 0,
			with(`{"contentType":"text/plain; charset=utf-8","data":"` + b64("Sinus rhythm.\nNo acute changes.\n") + `"}`)},
		{"text/html inline, read as text", "ECG\nSinus rhythm.\nRate: 72", "", "", 0,
			with(`{"contentType":"text/html","data":"` + b64("<html><body><h1>ECG</h1><p>Sinus rhythm.</p><table><tr><th>Rate</th><td>72</td></tr></table><script>x()</script></body></html>") + `"}`)},
		{"base64 text with no content type", "Seen by the crisis team.", "", "", 0,
			with(`{"data":"` + b64("Seen by the crisis team.") + `"}`)},
		{"a base64 PDF is described with its size", "", "application/pdf", "", 8,
			with(`{"contentType":"application/pdf","data":"` + b64("%PDF-1.7") + `"}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := MapSection(record.SectionNotes, nil, []Resource{tc.res}, healthSrc)
			if len(d.Notes) != 1 {
				t.Fatalf("notes %+v", d.Notes)
			}
			n := d.Notes[0]
			if n.Text != tc.text || n.ContentType != tc.contentType || n.URL != tc.url || n.Size != tc.size {
				t.Errorf("text %q type %q url %q size %d", n.Text, n.ContentType, n.URL, n.Size)
			}
		})
	}
}

func TestAllergySubstancesAndStatuses(t *testing.T) {
	amox := example(t, "ukcore/UKCore-AllergyIntolerance-Amoxicillin-Example.json")
	with := func(id string, change func(map[string]any)) Resource {
		return patched(t, amox, func(m map[string]any) { m["id"] = id; change(m) })
	}
	status := func(system, code string) any {
		return jsonOf(t, `{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-`+system+`","code":"`+code+`"}]}`)
	}
	rs := []Resource{
		amox,
		with("text-only", func(m map[string]any) { m["code"] = jsonOf(t, `{"text":"Elastoplast"}`) }),
		with("code-bar", func(m map[string]any) {
			m["code"] = jsonOf(t, `{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"91936005 | Allergy to penicillin |"}]}`)
		}),
		with("code-only", func(m map[string]any) {
			m["code"] = jsonOf(t, `{"coding":[{"system":"http://snomed.info/sct","code":"227493005"}]}`)
		}),
		with("error", func(m map[string]any) { m["verificationStatus"] = status("verification", "entered-in-error") }),
		with("refuted", func(m map[string]any) { m["verificationStatus"] = status("verification", "refuted") }),
		with("resolved", func(m map[string]any) { m["clinicalStatus"] = status("clinical", "resolved") }),
		with("inactive", func(m map[string]any) { m["clinicalStatus"] = status("clinical", "inactive") }),
	}
	d, _ := MapSection(record.SectionAllergies, nil, rs, healthSrc)
	got := map[string]record.Allergy{}
	for _, a := range d.Allergies {
		got[strings.TrimPrefix(a.Provenance.Resource, "AllergyIntolerance/")] = a
	}
	tests := []struct {
		id, substance, clinical, verification string
	}{
		{"UKCore-AllergyIntolerance-Amoxicillin-Example", "Amoxicillin", "active", "confirmed"},
		{"text-only", "Elastoplast", "active", "confirmed"},
		{"code-bar", "Allergy to penicillin", "active", "confirmed"},
		{"code-only", "substance not named by the source (SNOMED CT code 227493005)", "active", "confirmed"},
		{"refuted", "Amoxicillin", "active", "refuted"},
		{"resolved", "Amoxicillin", "resolved", "confirmed"},
		{"inactive", "Amoxicillin", "inactive", "confirmed"},
	}
	for _, tc := range tests {
		a, ok := got[tc.id]
		if !ok {
			t.Errorf("%s: not mapped", tc.id)
			continue
		}
		if a.Substance != tc.substance || a.ClinicalStatus != tc.clinical || a.VerificationStatus != tc.verification {
			t.Errorf("%s: substance %q, %s/%s; want %q, %s/%s", tc.id, a.Substance, a.ClinicalStatus, a.VerificationStatus, tc.substance, tc.clinical, tc.verification)
		}
		if a.Substance == "227493005" || strings.Contains(a.Substance, "|") {
			t.Errorf("%s: substance shows a code: %q", tc.id, a.Substance)
		}
	}
	if _, ok := got["error"]; ok || len(d.Allergies) != len(tests) {
		t.Errorf("entered-in-error mapped, or count wrong: %d allergies", len(d.Allergies))
	}
	if r := got["UKCore-AllergyIntolerance-Amoxicillin-Example"].Reactions; len(r) != 1 || r[0] != "Urticarial rash (mild)" {
		t.Errorf("reactions %q", r)
	}
}

func TestMedicationNamesNeverABareCode(t *testing.T) {
	req := example(t, "ukcore/UKCore-MedicationRequest-Amoxicillin-Example.json")
	tests := []struct{ name, concept, want string }{
		{"published dm+d display", "", "Amoxicillin 500mg capsules"},
		{"code | term display", `{"coding":[{"system":"https://dmd.nhs.uk","code":"39732411000001106","display":"39732411000001106 | Amoxicillin 500mg capsules |"}]}`, "Amoxicillin 500mg capsules"},
		{"code only", `{"coding":[{"system":"https://dmd.nhs.uk","code":"39732411000001106"}]}`, "medication not named by the source (code 39732411000001106)"},
		{"text only", `{"text":"Amoxicillin 500mg capsules x 21"}`, "Amoxicillin 500mg capsules x 21"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := req
			if tc.concept != "" {
				r = patched(t, req, func(m map[string]any) { m["medicationCodeableConcept"] = jsonOf(t, tc.concept) })
			}
			d, _ := MapSection(record.SectionMedications, nil, []Resource{r}, healthSrc)
			if len(d.Medications) != 1 || d.Medications[0].Name != tc.want {
				t.Errorf("medications %+v, want name %q", d.Medications, tc.want)
			}
		})
	}
}
