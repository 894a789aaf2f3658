package views

import (
	"strings"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionAllergies, listView(record.SectionAllergies, func(v vocab.Vocabulary) string { return v.TabAllergies },
		func(s *record.SectionsData) []record.Allergy { return s.Allergies }, timeless(AllergiesTable), timelessFields(allergyFields)))
}

// AllergiesTable is the allergies tab. A "no known allergies" statement is a row of its own,
// shown as such: it is an answer, unlike a back end that returned nothing.
func AllergiesTable(items []record.Allergy, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionAllergies,
		Columns: []Column{{Title: v.ColSubstance, Max: 28}, {Title: v.ColReaction, Flex: true, Max: 36},
			{Title: v.ColCriticality, Max: 11}, {Title: v.ColStatus, Max: 12}, {Title: v.ColAsserted, Min: 11}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		a := &items[i]
		r := Row{Index: i, Domain: a.Provenance.Domain, Restricted: a.Masked(revealed)}
		if !r.Restricted {
			sub := a.Substance
			if a.NoKnownAllergies {
				sub = v.NoKnownAllergies
			}
			r.Cells = []string{sub, strings.Join(a.Reactions, "; "), a.Criticality, allergyStatus(a, v), ukdate.Date(a.Asserted)}
			r.Keys = []string{"", "", "", "", sortTime(a.Asserted)}
		}
		t.Rows[i] = r
	}
	return t
}

func allergyStatus(a *record.Allergy, v vocab.Vocabulary) string {
	s := v.StatusWord(a.ClinicalStatus)
	if a.VerificationStatus != "" && a.VerificationStatus != "confirmed" {
		s = strings.TrimPrefix(s+", "+v.StatusWord(a.VerificationStatus), ", ")
	}
	return s
}

func allergyFields(a *record.Allergy, v vocab.Vocabulary) []Field {
	sub := a.Substance
	if a.NoKnownAllergies {
		sub = v.NoKnownAllergies
	}
	return []Field{
		{v.ColSubstance, sub}, {v.ColCode, a.Code}, {v.ColReaction, strings.Join(a.Reactions, "; ")},
		{v.ColCriticality, a.Criticality}, {v.ColStatus, v.StatusWord(a.ClinicalStatus)},
		{v.ColVerification, v.StatusWord(a.VerificationStatus)}, {v.ColCategory, strings.Join(a.Category, ", ")},
		{v.ColOnset, onsetText(a.Onset)}, {v.ColAsserted, ukdate.Date(a.Asserted)},
	}
}

// realAllergy reports whether an allergy entry records an actual allergy (not "no known
// allergies", not refuted or entered in error, not restricted).
func realAllergy(a *record.Allergy, revealed func(key string) bool) bool {
	if a.NoKnownAllergies || a.Masked(revealed) {
		return false
	}
	switch a.VerificationStatus {
	case "refuted", "entered-in-error":
		return false
	}
	return a.ClinicalStatus != "resolved" && a.ClinicalStatus != "inactive"
}

// onsetText is an onset date at the precision given ("Mar-2024"), or the onset as written
// when it is not a date ("childhood").
func onsetText(raw string) string {
	if t, _, err := ukdate.ParseFHIR(raw); err == nil {
		return ukdate.Partial(t, raw)
	}
	return raw
}
