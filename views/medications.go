package views

import (
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionMedications, listView(record.SectionMedications, func(v vocab.Vocabulary) string { return v.TabMedications },
		func(s *record.SectionsData) []record.Medication { return s.Medications }, timeless(MedicationsTable), timelessFields(medicationFields)))
}

// MedicationsTable is the medications tab: name, dose, status, start.
func MedicationsTable(items []record.Medication, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionMedications,
		Columns: []Column{{Title: v.ColMedication, Max: 36}, {Title: v.ColDose, Flex: true, Max: 40},
			{Title: v.ColStatus, Max: 12}, {Title: v.ColStart, Min: 11}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		m := &items[i]
		r := Row{Index: i, Domain: m.Provenance.Domain, Restricted: m.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{m.Name, m.Dosage, v.StatusWord(m.Status), ukdate.Partial(m.Period.Start, m.Period.StartText)}
			r.Keys = []string{"", "", "", sortTime(m.Period.Start)}
		}
		t.Rows[i] = r
	}
	return t
}

func medicationFields(m *record.Medication, v vocab.Vocabulary) []Field {
	return []Field{
		{v.ColMedication, m.Name}, {v.ColCode, m.Code}, {v.ColDose, m.Dosage}, {v.ColStatus, v.StatusWord(m.Status)},
		{v.ColStart, ukdate.Partial(m.Period.Start, m.Period.StartText)}, {v.ColEnd, ukdate.Partial(m.Period.End, m.Period.EndText)},
		{v.ColPrescriber, m.Prescriber}, {v.ColNote, m.Note}, {v.ColKind, m.Kind},
	}
}

// currentMedication reports whether a medication is current (active, or intended and not ended).
func currentMedication(m *record.Medication, now time.Time) bool {
	return (m.Status == "active" || m.Status == "intended" || m.Status == "on-hold") && !m.Period.Ended(now)
}
