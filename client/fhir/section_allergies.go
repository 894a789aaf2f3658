package fhir

import (
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// Allergies: AllergyIntolerance (+ recorder, asserter). From GP Connect, includeAllergies
// with resolved allergies.
func init() {
	registerMapping(record.SectionAllergies, sectionMapping{
		queries: func() []Query {
			return []Query{search("AllergyIntolerance", "AllergyIntolerance:recorder", "AllergyIntolerance:asserter")}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			for _, r := range items {
				if r.Type == "AllergyIntolerance" {
					if a, ok := m.allergy(r, nil); ok {
						out.Allergies = append(out.Allergies, a)
					}
				}
			}
		},
		gpc: &gpcSection{
			ask: func(GPConnectAsk) (string, []map[string]any) {
				return "includeAllergies", []map[string]any{{"name": "includeResolvedAllergies", "valueBoolean": true}}
			},
			mapping: gpcAllergies,
		},
	})
}

func gpcAllergies(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	if !c.lists.has(gpcListAllergies) && !hasType(c.entries, "AllergyIntolerance") {
		return
	}
	st.State = record.StateReturned
	seen := map[string]bool{}
	for _, e := range c.entries {
		if e.Type == "AllergyIntolerance" && !seen[e.Ref()] {
			seen[e.Ref()] = true
			if a, ok := c.m.allergy(e, nil); ok {
				part.Sections.Allergies = append(part.Sections.Allergies, gpcAllergy(a))
			}
		}
	}
	for _, ct := range c.lists.contained {
		if ct.res.Type == "AllergyIntolerance" {
			if a, ok := c.m.allergy(ct.res, ct.container); ok {
				part.Sections.Allergies = append(part.Sections.Allergies, gpcAllergy(a))
			}
		}
	}
	if len(part.Sections.Allergies) == 0 {
		part.Sections.Allergies = append(part.Sections.Allergies, c.lists.noKnownAllergies(c.m)...)
	}
	if missing := c.lists.missing(c.m, "AllergyIntolerance"); missing > 0 {
		st.Warnings = append(st.Warnings, fmt.Sprintf("%d allerg%s listed by the GP system %s not included in the response.", missing, plural(missing, "y", "ies"), plural(missing, "was", "were")))
	}
	st.Warnings = append(st.Warnings, c.lists.warnings(record.SectionAllergies)...)
	st.Count = len(part.Sections.Allergies)
}

// ---- allergies ----

// noKnownAllergyCodes are SNOMED CT situations stating the person has no known allergy.
var noKnownAllergyCodes = map[string]bool{
	"716186003": true, // No known allergy
	"409137002": true, // No known drug allergy
	"428607008": true, // No known environmental allergy
	"429625007": true, // No known food allergy
	"428197003": true, // No known insect allergy
}

func isNoKnownAllergy(c CodeableConcept) bool {
	for _, cd := range c.Coding {
		if noKnownAllergyCodes[cd.Code] {
			return true
		}
	}
	l := strings.ToLower(c.Label())
	return strings.HasPrefix(l, "no known") && strings.Contains(l, "allerg")
}

// allergy maps an AllergyIntolerance (R4 CodeableConcept statuses or STU3 codes).
// container is the resource holding it when it is a contained resource (GP Connect
// resolved allergies).
func (m *mapper) allergy(r Resource, container *domainResource) (record.Allergy, bool) {
	var a allergyRes
	if err := decodeAs(r, &a); err != nil {
		m.warn("%s; skipped", err)
		return record.Allergy{}, false
	}
	if a.VerificationStatus.Value() == "entered-in-error" {
		return record.Allergy{}, false
	}
	recorded, field := a.RecordedDate, "recordedDate"
	if recorded == "" {
		recorded, field = a.AssertedDate, "assertedDate"
	}
	author := a.Recorder
	if author == nil {
		author = a.Asserter
	}
	al := record.Allergy{
		Item:      m.item(r, &a.domainResource, itemFacts{author: author, recorded: recorded, field: field}),
		Substance: allergySubstance(a), ClinicalStatus: a.ClinicalStatus.Value(),
		VerificationStatus: a.VerificationStatus.Value(), Criticality: a.Criticality, Category: a.Category,
		Asserted: m.date(r, field, recorded),
	}
	if container != nil && al.Provenance.Author.Name == "" && author != nil {
		al.Provenance.Author.Name = m.who(author, container).name
	}
	if cd, ok := a.Code.First(); ok {
		al.Code = cd.Code
	}
	al.NoKnownAllergies = isNoKnownAllergy(a.Code) && a.VerificationStatus.Value() != "refuted"
	for _, rx := range a.Reaction {
		text := firstNonEmpty(readableConcepts(rx.Manifestation), rx.Description)
		if text == "" {
			continue
		}
		if rx.Severity != "" {
			text += " (" + rx.Severity + ")"
		}
		al.Reactions = append(al.Reactions, text)
	}
	switch {
	case a.OnsetString != "":
		al.Onset = a.OnsetString
	case a.OnsetDateTime != "":
		if t, raw := m.dateText(r, "onsetDateTime", a.OnsetDateTime); !t.IsZero() {
			al.Onset = ukdate.Date(t)
			if len(raw) < len("2006-01-02") { // a year or a month: keep that precision
				al.Onset = ukdate.Partial(t, raw)
			}
		}
	}
	return al, true
}

// allergySubstance names what the person reacts to: AllergyIntolerance.code's text (some
// systems send only that), else a coding's display (a "code | term" display reads as its
// term), else the first reaction's substance; a substance known only by a code says so
// rather than showing the bare code.
func allergySubstance(a allergyRes) string {
	if s := readable(a.Code); s != "" {
		return s
	}
	for _, rx := range a.Reaction {
		if rx.Substance != nil {
			if s := readable(*rx.Substance); s != "" {
				return s
			}
		}
	}
	if cd, ok := a.Code.First(); ok {
		sys := "code"
		if cd.System == SystemSNOMED {
			sys = "SNOMED CT code"
		}
		return "substance not named by the source (" + sys + " " + strings.TrimSpace(cd.Code) + ")"
	}
	return ""
}

// gpcAllergy adjusts a GP Connect allergy: the specification fixes verificationStatus to
// "unconfirmed" for every allergy (GP systems do not record it), so it says nothing about
// this one and is not shown as doubt.
func gpcAllergy(a record.Allergy) record.Allergy {
	if a.VerificationStatus == "unconfirmed" {
		a.VerificationStatus = ""
	}
	return a
}

// noKnownAllergies reads an empty active allergies List whose emptyReason (or note) says
// the person has no known allergies ("nilknown"): a positive statement, unlike an empty List
// with "no-content-recorded", which stays zero items.
func (g *gpcLists) noKnownAllergies(m *mapper) []record.Allergy {
	var out []record.Allergy
	for _, l := range g.codes[gpcListAllergies] {
		if !l.Code.Has("", gpcListAllergies) || len(l.Entry) > 0 {
			continue
		}
		nka := false
		for _, c := range l.EmptyReason.Coding {
			switch strings.ToLower(strings.ReplaceAll(c.Code, "-", "")) {
			case "nilknown":
				nka = true
			}
		}
		for _, t := range append([]string{l.EmptyReason.Text}, noteTexts(l.Note)...) {
			if lt := strings.ToLower(strings.TrimSpace(t)); strings.HasPrefix(lt, "no known") && strings.Contains(lt, "allerg") {
				nka = true
			}
		}
		if !nka {
			continue
		}
		res := Resource{Type: "List", ID: l.ID}
		it := m.item(res, &l.domainResource, itemFacts{recorded: l.Date, field: "date"})
		it.Key, it.AlsoKnownAs = "List/"+l.ID+"#no-known-allergies@"+m.scope(it), nil
		out = append(out, record.Allergy{Item: it, Substance: "No known allergies", ClinicalStatus: "active",
			NoKnownAllergies: true, Asserted: it.Provenance.Recorded})
	}
	return out
}
