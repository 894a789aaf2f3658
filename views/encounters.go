package views

import (
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionEncounters, listView(record.SectionEncounters, func(v vocab.Vocabulary) string { return v.TabEncounters },
		func(s *record.SectionsData) []record.Encounter { return s.Encounters }, timeless(EncountersTable), timelessFields(encounterFields)))
}

// EncountersTable is the encounters tab, newest first by default.
func EncountersTable(items []record.Encounter, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionEncounters,
		Columns: []Column{{Title: v.ColDate, Min: 17}, {Title: v.ColType, Max: 28}, {Title: v.ColClass, Max: 12},
			{Title: v.ColStatus, Max: 11}, {Title: v.ColLocation, Flex: true, Max: 30}, {Title: v.ColProfessional, Max: 20}},
		Rows:        make([]Row, len(items)),
		DefaultSort: 0,
		DefaultDesc: true,
	}
	for i := range items {
		e := &items[i]
		r := Row{Index: i, Domain: e.Provenance.Domain, Restricted: e.Masked(revealed)}
		if !r.Restricted {
			loc := e.Location
			if loc == "" {
				loc = e.Provider
			}
			r.Cells = []string{dateTimeText(e.Period.Start, e.Period.StartText), e.Type, e.Class, v.StatusWord(e.Status), loc, e.Clinician}
		}
		r.Keys = []string{sortTime(e.Period.Start)}
		if r.Restricted { // content withheld: sort by when it was recorded
			r.Keys[0] = sortTime(e.Provenance.Recorded)
		}
		t.Rows[i] = r
	}
	return t
}

func encounterFields(e *record.Encounter, v vocab.Vocabulary) []Field {
	return []Field{
		{v.ColStart, dateTimeText(e.Period.Start, e.Period.StartText)}, {v.ColEnd, dateTimeText(e.Period.End, e.Period.EndText)},
		{v.ColType, e.Type}, {v.ColClass, e.Class}, {v.ColStatus, v.StatusWord(e.Status)},
		{v.ColLocation, e.Location}, {v.ColProvider, e.Provider}, {v.ColReason, e.Reason},
		{v.ColProfessional, e.Clinician},
		{v.ColAdmitSource, e.AdmitSource}, {v.ColDischargeDisposition, e.DischargeDisposition},
		{v.ColDischargeDestination, e.DischargeDestination},
		{v.ColMedicallySafe, ukdate.Partial(e.MedicallySafe.Start, e.MedicallySafe.StartText)},
		{v.ColLegalStatus, e.LegalStatus},
	}
}
