package views

import (
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// Consent and objections to sharing: the section's table and fields, and the rows the
// objection withholds (markWithheld). The banner line is FlagLines'.

func init() {
	registerView(record.SectionConsent, listView(record.SectionConsent,
		func(v vocab.Vocabulary) string { return v.TitleConsent },
		func(s *record.SectionsData) []record.ConsentRecord { return s.Consent },
		ConsentTable, timelessFields(consentFields)))
}

// ConsentTable lists what the person decided about sharing, back end by back end.
func ConsentTable(items []record.ConsentRecord, v vocab.Vocabulary, revealed func(string) bool, now time.Time) Table {
	t := Table{
		Section: record.SectionConsent,
		Columns: []Column{{Title: v.ColKind, Max: 28}, {Title: v.ColDecision, Max: 40}, {Title: v.ColText, Flex: true},
			{Title: v.ColDate, Min: 11}, {Title: v.ColStatus, Max: 16}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		c := &items[i]
		r := Row{Index: i, Domain: c.Provenance.Domain, Restricted: c.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{consentKind(c, v), consentDecision(c, v), c.Text, ukdate.Partial(c.Date, c.DateText), consentStatus(c, v, now)}
			r.Keys = []string{"", "", "", sortTime(c.Date), ""}
		}
		t.Rows[i] = r
	}
	return t
}

func consentKind(c *record.ConsentRecord, v vocab.Vocabulary) string {
	switch c.Kind {
	case record.ConsentFinding:
		return v.ConsentKindFinding
	case record.ConsentNCRS:
		return v.ConsentKindNCRS
	}
	return v.ConsentKindConsent
}

func consentDecision(c *record.ConsentRecord, v vocab.Vocabulary) string {
	switch {
	case c.Decision == record.DecisionDeny && c.EmergencyOnly:
		return v.ConsentDeny + ": " + v.ConsentEmergency
	case c.Decision == record.DecisionDeny:
		return v.ConsentDeny
	}
	return v.ConsentPermit
}

func consentStatus(c *record.ConsentRecord, v vocab.Vocabulary, now time.Time) string {
	if c.Period.Ended(now) {
		return v.StatusInactive
	}
	if c.Status == "" {
		return v.StatusActive
	}
	return v.StatusWord(c.Status)
}

func consentFields(c *record.ConsentRecord, v vocab.Vocabulary) []Field {
	return []Field{{v.ColKind, consentKind(c, v)}, {v.ColDecision, consentDecision(c, v)}, {v.ColText, c.Text},
		{v.ColDate, ukdate.Partial(c.Date, c.DateText)}, {v.ColStart, ukdate.Partial(c.Period.Start, c.Period.StartText)},
		{v.ColEnd, ukdate.Partial(c.Period.End, c.Period.EndText)}}
}

// markWithheld marks the rows whose items an objection withheld (record.Masked), so that
// they say why rather than "restricted".
func markWithheld(t Table, rec *record.Record, sec record.Section) Table {
	for i := range t.Rows {
		if it := rec.Sections.Item(sec, t.Rows[i].Index); it != nil && it.Withheld != "" {
			t.Rows[i].Withheld, t.Rows[i].Restricted, t.Rows[i].Cells = true, true, nil
		}
	}
	return t
}

// quietWhenEmpty: the child protection and consent sections are left out of the whole
// record's text when they hold nothing, as most records hold neither; asked for by name
// (--section), they are printed with their state like any other. The banner says when a
// child protection flag has contacts not yet asked.
func quietWhenEmpty(rec *record.Record, sec record.Section) bool {
	return (sec == record.SectionChildProtection || sec == record.SectionConsent) && rec.Count(sec) == 0
}

// withheldNote adds to a Summary line that the section holds items withheld because of an
// objection to sharing, so that a line with nothing else to list never reads "none recorded".
func withheldNote(list string, rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	for _, it := range rec.Sections.Items(sec) {
		if it.Withheld != "" {
			return joinNonEmpty("; ", list, v.WithheldObjectionText)
		}
	}
	return list
}
