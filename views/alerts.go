package views

import (
	"fmt"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionAlerts, listView(record.SectionAlerts, func(v vocab.Vocabulary) string { return v.SumAlerts },
		func(s *record.SectionsData) []record.Alert { return s.Alerts }, AlertsTable, alertFields))
}

// AlertsTable lists alerts (flags, deceased, interpreter) for the text output; the TUI shows
// the current ones as banner chips. An alert whose period has ended says so.
func AlertsTable(items []record.Alert, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) Table {
	t := Table{
		Section: record.SectionAlerts,
		Columns: []Column{{Title: v.ColCategory, Max: 20}, {Title: v.ColText, Flex: true}, {Title: v.ColStatus, Max: 24},
			{Title: v.ColStart, Min: 11}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		a := &items[i]
		r := Row{Index: i, Domain: a.Provenance.Domain, Restricted: a.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{a.Category, a.Text, alertStatus(a, v, now), ukdate.Partial(a.Period.Start, a.Period.StartText)}
			r.Keys = []string{"", "", "", sortTime(a.Period.Start)}
		}
		t.Rows[i] = r
	}
	return t
}

// alertStatus is the alert's status; one that has ended is "ended 03-Jan-2026" whatever the
// source's status says.
func alertStatus(a *record.Alert, v vocab.Vocabulary, now time.Time) string {
	if a.Period.Ended(now) {
		return fmt.Sprintf(v.EndedOn, ukdate.Partial(a.Period.End, a.Period.EndText))
	}
	if !a.Current(now) && (a.Status == "" || a.Status == "active") {
		return v.StatusInactive
	}
	return v.StatusWord(a.Status)
}

func alertFields(a *record.Alert, v vocab.Vocabulary, now time.Time) []Field {
	return []Field{{v.ColCategory, a.Category}, {v.ColText, a.Text}, {v.ColStatus, alertStatus(a, v, now)},
		{v.ColStart, ukdate.Partial(a.Period.Start, a.Period.StartText)}, {v.ColEnd, ukdate.Partial(a.Period.End, a.Period.EndText)}}
}
