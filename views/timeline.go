package views

import (
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// TimelineEntry is one row of the timeline: the item it comes from (its section and its
// index there, as a table row counts it) and when.
type TimelineEntry struct {
	Section record.Section
	Index   int
	When    time.Time
}

// Timeline is everything that happened, from every back end, in one list: encounters,
// notes, care packages starting and ending, and alerts; newest first by default. Each row
// has its date, what kind of entry it is, its text and its source; the domain marker lets
// the `d` filter keep NHS or local authority entries only. A row's Index is its entry's
// position in entries. Restricted items are listed, their content withheld unless
// revealed(key), dated by when they were recorded.
func Timeline(rec *record.Record, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) (entries []TimelineEntry, t Table) {
	t = Table{
		Columns: []Column{{Title: v.ColDate, Min: 11}, {Title: v.ColKind, Max: 14}, {Title: v.ColText, Flex: true},
			{Title: v.ColSource, Max: 22}},
		DefaultSort: 0,
		DefaultDesc: true,
	}
	add := func(sec record.Section, index int, it *record.Item, when time.Time, whenText, kind, text string) {
		r := Row{Index: len(entries), Domain: it.Provenance.Domain, Restricted: it.Masked(revealed)}
		source := it.Provenance.Backend // the organisation is in the details
		if r.Restricted {
			when, whenText, text = it.Provenance.Recorded, "", v.RestrictedText
		}
		// A timeline row always says what kind of entry it is and where it came from,
		// restricted or not: only the content is withheld.
		r.Cells = []string{ukdate.Partial(when, whenText), kind, text, source}
		r.Keys = []string{sortTime(when)}
		entries = append(entries, TimelineEntry{Section: sec, Index: index, When: when})
		t.Rows = append(t.Rows, r)
	}
	s := &rec.Sections
	for i := range s.Encounters {
		e := &s.Encounters[i]
		loc := e.Location
		if loc == "" {
			loc = e.Provider
		}
		add(record.SectionEncounters, i, &e.Item, e.Period.Start, e.Period.StartText, v.TimelineEncounter,
			joinNonEmpty(" · ", e.Type, v.StatusWord(e.Status), loc, e.Clinician))
	}
	for i := range s.Notes {
		n := &s.Notes[i]
		add(record.SectionNotes, i, &n.Item, n.Date, n.DateText, v.TimelineNote, joinNonEmpty(": ", n.Title, noteText(n, v)))
	}
	for i := range s.CarePackages {
		c := &s.CarePackages[i]
		what := joinNonEmpty(" · ", c.Type, c.Provider, joinNonEmpty(", ", hoursText(c.HoursPerWeek, v), c.Schedule))
		if !c.Period.Start.IsZero() || c.Masked(revealed) {
			add(record.SectionCarePackages, i, &c.Item, c.Period.Start, c.Period.StartText, v.TimelinePackageStart, what)
		}
		if !c.Period.End.IsZero() && !c.Masked(revealed) {
			add(record.SectionCarePackages, i, &c.Item, c.Period.End, c.Period.EndText, v.TimelinePackageEnd, what)
		}
	}
	for i := range s.Alerts {
		a := &s.Alerts[i]
		add(record.SectionAlerts, i, &a.Item, a.Period.Start, a.Period.StartText, v.TimelineAlert,
			joinNonEmpty(" · ", joinNonEmpty(": ", a.Category, a.Text), alertStatus(a, v, now)))
	}
	return entries, t
}
