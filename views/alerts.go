package views

import (
	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/views/vocab"
)

// AlertsTable lists alerts (flags, deceased, interpreter) for the text output; the TUI shows
// them as banner chips.
func AlertsTable(items []record.Alert, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionAlerts,
		Columns: []Column{{Title: v.ColCategory, Max: 20}, {Title: v.ColText, Flex: true}, {Title: v.ColStatus, Max: 10},
			{Title: v.ColStart, Min: 11}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		a := &items[i]
		r := Row{Index: i, Domain: a.Provenance.Domain, Restricted: a.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{a.Category, a.Text, v.StatusWord(a.Status), ukdate.Date(a.Period.Start)}
			r.Keys = []string{"", "", "", sortTime(a.Period.Start)}
		}
		t.Rows[i] = r
	}
	return t
}

func alertFields(a *record.Alert, v vocab.Vocabulary) []Field {
	return []Field{{v.ColCategory, a.Category}, {v.ColText, a.Text}, {v.ColStatus, v.StatusWord(a.Status)},
		{v.ColStart, ukdate.Date(a.Period.Start)}, {v.ColEnd, ukdate.Date(a.Period.End)}}
}
