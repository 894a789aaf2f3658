package fhir

import (
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Alerts: Flag (+ author); deceased and interpreter come from the Patient. Not part of GP
// Connect.
func init() {
	registerMapping(record.SectionAlerts, sectionMapping{
		queries:     func() []Query { return []Query{search("Flag", "Flag:author")} },
		usesPatient: true,
		mapR4: func(m *mapper, patient *Resource, items []Resource, out *record.SectionsData) {
			if patient != nil {
				out.Alerts = append(out.Alerts, m.patientAlerts(*patient)...)
			}
			for _, r := range items {
				if r.Type == "Flag" {
					if c, ok := m.refusalFinding(r); ok {
						// A Flag coded "refused consent for upload to a shared record" is the
						// person's objection, filed in the consent section.
						out.Consent = append(out.Consent, c)
						continue
					}
					if a, ok := m.flag(r); ok {
						out.Alerts = append(out.Alerts, a)
					}
				}
			}
		},
	})
}

// ---- alerts ----

// AlertCategoryAllergy is the Category of a Flag that states an allergy or intolerance (a
// diet flag naming an allergy, a flag categorised as allergy): the Summary shows it with
// the alerts and, as a record may hold it nowhere else, beside the allergies.
const AlertCategoryAllergy = "Allergy"

// allergyWords say that a flag is about an allergy or intolerance.
var allergyWords = []string{"allerg", "anaphyla", "intoleran", "hypersensitiv"}

// flag maps a Flag. An inactive or entered-in-error Flag is not shown; one whose period
// has ended is kept with its period, so that record.Alert.Current says it no longer holds.
func (m *mapper) flag(r Resource) (record.Alert, bool) {
	var f flagRes
	if err := decodeAs(r, &f); err != nil {
		m.warn("%s; skipped", err)
		return record.Alert{}, false
	}
	if f.Status != "" && f.Status != "active" {
		return record.Alert{}, false
	}
	a := record.Alert{
		Item: m.item(r, &f.domainResource, itemFacts{author: f.Author}), Kind: record.AlertFlag,
		Category: cleanTerm(f.Category.Label()), Text: f.Code.Label(), Status: firstNonEmpty(f.Status, "active"),
		Period: m.periodWithText(r, "period", &f.Period),
	}
	a.Programme = flagProgramme(f)
	a.Notes = flagNotes(r)
	if flagIsAllergy(f) {
		// A diet or drug flag naming an allergy is filed as an allergy alert; its text (the
		// flag's code) says what it is.
		a.Category = AlertCategoryAllergy
	}
	return a, true
}

// National patient flag code systems: the draft PatientFlagCategory (NRAF, CP-IS, FGM) and
// the published IG's England-FlagCategoryPatient (national-reasonable-adjustment-flag).
const (
	SystemPatientFlagCategory = "https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory"
	SystemFlagCategoryPatient = "https://fhir.nhs.uk/England/CodeSystem/England-FlagCategoryPatient"
	extFlagNotes              = "https://fhir.nhs.uk/England/StructureDefinition/Extension-FlagNotes"
	snomedChildProtection     = "224353004" // Child protection finding (finding): CP-IS flag code
)

// flagProgramme is the national programme a Flag belongs to, by its code or category:
// CP-IS (or SNOMED 224353004), NRAF / national-reasonable-adjustment-flag, FGM; "" for a
// local flag.
func flagProgramme(f flagRes) string {
	for _, c := range append([]CodeableConcept{f.Code}, f.Category...) {
		for _, cd := range c.Coding {
			switch {
			case cd.System == SystemPatientFlagCategory && cd.Code == "CP-IS",
				cd.System == SystemSNOMED && cd.Code == snomedChildProtection:
				return record.FlagChildProtection
			case cd.System == SystemPatientFlagCategory && cd.Code == "NRAF",
				cd.System == SystemFlagCategoryPatient && cd.Code == "national-reasonable-adjustment-flag":
				return record.FlagReasonableAdjustment
			case (cd.System == SystemPatientFlagCategory || cd.System == SystemFlagCategoryPatient) && cd.Code == "FGM":
				return record.FlagFGM
			}
		}
	}
	return ""
}

// flagNotes is the text of the Flag's Extension-FlagNotes (an Annotation), "" without one.
func flagNotes(r Resource) string {
	var x struct {
		Extension []struct {
			URL             string `json:"url"`
			ValueAnnotation struct {
				Text string `json:"text"`
			} `json:"valueAnnotation"`
		} `json:"extension"`
	}
	if unmarshal(r.Raw, &x) != nil {
		return ""
	}
	for _, e := range x.Extension {
		if e.URL == extFlagNotes {
			return strings.TrimSpace(e.ValueAnnotation.Text)
		}
	}
	return ""
}

// flagIsAllergy: the flag's category or code names an allergy or intolerance.
func flagIsAllergy(f flagRes) bool {
	texts := []string{conceptWordsOf(f.Category), conceptWordsOf([]CodeableConcept{f.Code})}
	for _, c := range f.Category {
		for _, cd := range c.Coding {
			texts = append(texts, cd.Code)
		}
	}
	return containsAnyOf(strings.ToLower(strings.Join(texts, "\n")), allergyWords)
}

func firstRef(rs Refs) *Reference {
	if len(rs) == 0 {
		return nil
	}
	return &rs[0]
}
