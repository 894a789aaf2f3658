package views

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// sectionView is what the views know about one section: its title in a vocabulary, its
// table and the details of one of its items. Each section's file registers its own
// (registerView in an init); the order and identity of the sections are record's section
// table, and TestEverySectionHasAView proves every section there has one.
type sectionView struct {
	title  func(v vocab.Vocabulary) string
	table  func(rec *record.Record, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) Table
	fields func(s *record.SectionsData, i int, v vocab.Vocabulary, now time.Time) (*record.Item, []Field)
	// For `shcr get` text, both optional: lead is a paragraph under the section's title
	// (care packages: the verdict); text writes the section's tables instead of its one
	// table (care packages: referrals and orders in a list apart).
	lead func(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) string
	text func(b *strings.Builder, rec *record.Record, v vocab.Vocabulary, st Styles, width int, revealed func(string) bool)
}

var sectionViews = map[record.Section]sectionView{}

func registerView(sec record.Section, sv sectionView) { sectionViews[sec] = sv }

// listView is the view of a section held in one list of type T: its title, its table and
// each item's fields.
func listView[T any](sec record.Section, title func(vocab.Vocabulary) string, list func(*record.SectionsData) []T,
	table func([]T, vocab.Vocabulary, func(string) bool, time.Time) Table, fields func(*T, vocab.Vocabulary, time.Time) []Field) sectionView {
	return sectionView{
		title: title,
		table: func(rec *record.Record, v vocab.Vocabulary, revealed func(string) bool, now time.Time) Table {
			return table(list(&rec.Sections), v, revealed, now)
		},
		fields: func(s *record.SectionsData, i int, v vocab.Vocabulary, now time.Time) (*record.Item, []Field) {
			items := list(s)
			if i < 0 || i >= len(items) {
				return nil, nil
			}
			return s.Item(sec, i), fields(&items[i], v, now)
		},
	}
}

// timeless adapts a table that does not depend on the time to listView.
func timeless[T any](f func([]T, vocab.Vocabulary, func(string) bool) Table) func([]T, vocab.Vocabulary, func(string) bool, time.Time) Table {
	return func(items []T, v vocab.Vocabulary, revealed func(string) bool, _ time.Time) Table {
		return f(items, v, revealed)
	}
}

// timelessFields adapts an item's fields that do not depend on the time to listView.
func timelessFields[T any](f func(*T, vocab.Vocabulary) []Field) func(*T, vocab.Vocabulary, time.Time) []Field {
	return func(x *T, v vocab.Vocabulary, _ time.Time) []Field { return f(x, v) }
}

// TabSections are the sections behind tabs 2…, in tab order (tab 1 is the summary).
func TabSections() []record.Section { return record.TabSections() }

// TabTitles are the names of every tab in order: the summary, then each tab section's title.
func TabTitles(v vocab.Vocabulary) []string {
	out := []string{v.TabSummary}
	for _, sec := range TabSections() {
		out = append(out, SectionTitle(sec, v))
	}
	return out
}

// SectionTitle is the shown name of a section.
func SectionTitle(sec record.Section, v vocab.Vocabulary) string {
	if sv, ok := sectionViews[sec]; ok {
		return sv.title(v)
	}
	return string(sec)
}

// SectionTable turns one section of the record into a table. Restricted items are masked
// ("Restricted item — press x to reveal") unless revealed(key) says they were revealed;
// revealed may be nil (nothing revealed).
func SectionTable(rec *record.Record, sec record.Section, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) Table {
	if sv, ok := sectionViews[sec]; ok {
		return markWithheld(sv.table(rec, v, revealed, now), rec, sec)
	}
	return Table{Section: sec}
}

// Field is one labelled line of a details pane.
type Field struct{ Label, Value string }

// ItemDetails is the details pane of item index of a section: its fields, then its provenance.
// A restricted item shows no content, only that it is restricted and where it came from.
func ItemDetails(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, st Styles, width, height int, revealed func(key string) bool, now time.Time) string {
	item, fields := shownFields(rec, sec, index, v, revealed, now)
	if item == nil {
		return ""
	}
	return renderDetails(fields, *item, v, st, width, height)
}

// ItemDetailsCompact is the details pane for narrow screens: fields flow along the line
// ("Type Home care · Status active · …"), long texts get their own lines, and the provenance
// follows on a line of its own, so that 80 × 24 still shows where the item came from.
func ItemDetailsCompact(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, st Styles, width, height int, revealed func(key string) bool, now time.Time) string {
	item, fields := shownFields(rec, sec, index, v, revealed, now)
	if item == nil {
		return ""
	}
	var lines []string
	flowFields := func(fs []Field) {
		var segs []string
		var long []Field
		for _, f := range fs {
			if f.Value == "" {
				continue
			}
			if strings.Contains(f.Value, "\n") || text.Width(f.Label)+1+text.Width(f.Value) > width*2/3 {
				long = append(long, f)
				continue
			}
			segs = append(segs, st.Label.Render(f.Label)+" "+st.Text.Render(f.Value))
		}
		lines = append(lines, flow(segs, st.Faint.Render(" · "), width)...)
		for _, f := range long {
			for j, l := range wrap(f.Label+" "+f.Value, width) {
				if j == 0 {
					l = st.Label.Render(f.Label) + st.Text.Render(strings.TrimPrefix(l, f.Label))
				} else {
					l = st.Text.Render(l)
				}
				lines = append(lines, l)
			}
		}
	}
	flowFields(fields)
	itemLines := lines
	provLines := flow(compactProvenance(*item, v, st), st.Faint.Render(" · "), width)
	// The provenance always shows: the item's own lines give way first, and the last line
	// left says how many more the reader (Enter) shows.
	if height > 0 && len(itemLines)+len(provLines) > height {
		total := len(itemLines) + len(provLines)
		keep := max(height-len(provLines), 1)
		provLines = provLines[:min(len(provLines), height-keep)]
		itemLines = itemLines[:keep:keep]
		hidden := total - keep - len(provLines)
		// The count goes at the end of the last line kept, that line cut ("…") to make room.
		more := moreLines(v, hidden)
		if room := width - 2 - text.Width(more); room >= 10 {
			itemLines[keep-1] = text.Truncate(itemLines[keep-1], room) + "  " + st.Warning.Render(more)
		} else {
			itemLines[keep-1] = st.Warning.Render(text.Cell(moreLines(v, hidden+1), width))
		}
	}
	lines = append(itemLines, provLines...)
	return strings.Join(lines, "\n")
}

// compactProvenance is the provenance as short segments: "From Demo NHS ShCR (NHS)",
// organisation, author, recorded, source system, security labels.
func compactProvenance(it record.Item, v vocab.Vocabulary, st Styles) []string {
	p := it.Provenance
	segs := []string{st.Label.Render(v.From) + " " + st.Bold.Render(p.Backend+" ("+DomainMarker(p.Domain, v)+")")}
	if p.Via != "" { // relayed: "From Demo NHS ShCR (LA, via Demo NHS ShCR)"
		segs[0] = st.Label.Render(v.From) + " " + st.Bold.Render(p.Backend+" ("+fmt.Sprintf(v.Via, DomainMarker(p.Domain, v), p.Via)+")")
	}
	org := p.Organisation
	if p.OrganisationCode != "" {
		org = strings.TrimSpace(org + " (" + p.OrganisationCode + ")")
	}
	label, when := recordedText(p, v)
	if when != "" && p.ServerUpdated {
		when = label + " " + when
	}
	for _, s := range []string{org, p.Author.String(), when, p.SourceSystem} {
		if s != "" {
			segs = append(segs, st.Text.Render(s))
		}
	}
	if len(p.Security) > 0 {
		segs = append(segs, st.Label.Render(v.Security)+" "+st.Warning.Render(strings.Join(p.Security, ", ")))
	}
	if len(it.AlsoFrom) > 0 {
		names := make([]string, 0, len(it.AlsoFrom))
		for _, a := range it.AlsoFrom {
			names = append(names, a.Backend+" ("+DomainMarker(a.Domain, v)+")")
		}
		segs = append(segs, st.Label.Render(v.AlsoFrom)+" "+st.Text.Render(strings.Join(names, ", ")))
	}
	return segs
}

// shownFields are what a details pane shows of item index of a section: its fields, or only
// that it is restricted when it is masked. The item is nil when there is none.
func shownFields(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) (*record.Item, []Field) {
	item, fields := sectionFields(rec, sec, index, v, now)
	if item != nil && item.Withheld != "" {
		fields = []Field{{v.Details, v.WithheldObjectionDetails}}
	} else if item != nil && item.Masked(revealed) {
		fields = []Field{{v.Details, v.RestrictedDetails}}
	}
	return item, fields
}

func sectionFields(rec *record.Record, sec record.Section, i int, v vocab.Vocabulary, now time.Time) (*record.Item, []Field) {
	if sv, ok := sectionViews[sec]; ok {
		return sv.fields(&rec.Sections, i, v, now)
	}
	return nil, nil
}

// ProvenanceFields lists where an item came from, for the details pane.
func ProvenanceFields(it record.Item, v vocab.Vocabulary) []Field {
	p := it.Provenance
	org := p.Organisation
	if p.OrganisationCode != "" {
		org = strings.TrimSpace(org + " (" + p.OrganisationCode + ")")
	}
	sec := strings.Join(p.Security, ", ")
	domain := DomainLong(p.Domain, v)
	if p.Via != "" {
		domain = fmt.Sprintf(v.Via, domain, p.Via)
	}
	label, when := recordedText(p, v)
	out := []Field{
		{v.Backend, p.Backend},
		{v.Organisation, org},
		{v.Domain, domain},
		{v.Author, p.Author.String()},
		{label, when},
		{v.SourceSystem, p.SourceSystem},
		{v.Security, sec},
	}
	if len(it.AlsoFrom) > 0 {
		names := make([]string, 0, len(it.AlsoFrom))
		for _, a := range it.AlsoFrom {
			names = append(names, a.Backend+" ("+DomainMarker(a.Domain, v)+")")
		}
		out = append(out, Field{v.AlsoFrom, strings.Join(names, ", ")})
	}
	return out
}

// recordedText is the label and date of when an item was recorded: "Recorded" with the
// item's own date at the precision the source gave it, or "Updated on server" when all there
// is is the server's load date (meta.lastUpdated), which is never called "recorded".
func recordedText(p record.Provenance, v vocab.Vocabulary) (label, when string) {
	label = v.Recorded
	if p.ServerUpdated {
		label = v.UpdatedOnServer
	}
	return label, dateTimeText(p.Recorded, p.RecordedText)
}

func renderDetails(fields []Field, it record.Item, v vocab.Vocabulary, st Styles, width, height int) string {
	all := append(slices.Clip(fields), ProvenanceFields(it, v)...)
	lw := 0
	for _, f := range all {
		lw = max(lw, text.Width(f.Label))
	}
	lw = min(lw, max(width*2/5, 8))
	var lines []string
	for _, f := range all {
		if f.Value == "" {
			continue
		}
		valW := max(width-lw-2, 4)
		wrapped := wrap(f.Value, valW)
		for j, wl := range wrapped {
			label := ""
			if j == 0 {
				label = f.Label
			}
			lines = append(lines, st.Label.Render(text.Fit(label, lw))+"  "+st.Text.Render(text.Cell(wl, valW)))
		}
	}
	if height > 0 && len(lines) > height {
		more := st.Warning.Render(text.Cell(moreLines(v, len(lines)-height+1), width))
		lines = append(lines[:height-1], more)
	}
	return strings.Join(lines, "\n")
}

// sortTime is a sort key for a time: zero sorts first.
func sortTime(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return t.UTC().Format("20060102150405")
}

func periodText(p record.Period, v vocab.Vocabulary) string {
	start, end := ukdate.Partial(p.Start, p.StartText), ukdate.Partial(p.End, p.EndText)
	switch {
	case start != "" && end != "":
		return start + " – " + end
	case start != "":
		return fmt.Sprintf(v.Since, start)
	case end != "":
		return fmt.Sprintf(v.Until, end)
	}
	return ""
}

// dateTimeText is a date and time, or the date at the precision the source gave it
// ("Mar-2024", "2023") when it gave no time.
func dateTimeText(t time.Time, raw string) string {
	if raw != "" {
		if _, prec, err := ukdate.ParseFHIR(raw); err == nil && prec != "time" {
			return ukdate.Partial(t, raw)
		}
	}
	return ukdate.DateTime(t)
}

// PhoneText is "07700 900123 (mobile)"; a number that is not a voice line, or no longer in
// use, says so: "01632 960555 (work, fax)", "07700 900999 (mobile, ended 03-Jan-2025)".
func PhoneText(p record.Phone, v vocab.Vocabulary, now time.Time) string {
	var notes []string
	if p.Use != "" && p.Use != "old" {
		notes = append(notes, v.PhoneUse(p.Use))
	}
	switch p.System {
	case record.PhoneFax:
		notes = append(notes, v.PhoneFax)
	case record.PhonePager:
		notes = append(notes, v.PhonePager)
	case record.PhoneSMS:
		notes = append(notes, v.PhoneSMS)
	case record.PhoneTextphone:
		notes = append(notes, v.PhoneTextphone)
	case record.PhoneVoice:
	default:
		notes = append(notes, p.System)
	}
	switch {
	case p.Period.Ended(now):
		notes = append(notes, fmt.Sprintf(v.EndedOn, ukdate.Partial(p.Period.End, p.Period.EndText)))
	case p.Use == "old":
		notes = append(notes, v.PhoneOld)
	}
	if len(notes) == 0 {
		return p.Number
	}
	return p.Number + " (" + strings.Join(notes, ", ") + ")"
}

// phonesText lists the numbers, those that can be called now first.
func phonesText(ps []record.Phone, v vocab.Vocabulary, now time.Time) string {
	return strings.Join(phoneList(ps, v, now), ", ")
}

// phoneList is each number with its label, those that can be called now first.
func phoneList(ps []record.Phone, v vocab.Vocabulary, now time.Time) []string {
	out := make([]string, 0, len(ps))
	for _, callable := range []bool{true, false} {
		for _, p := range ps {
			if p.Number != "" && p.Callable(now) == callable {
				out = append(out, PhoneText(p, v, now))
			}
		}
	}
	return out
}

// firstPhone is the number to call first: a voice number in use now (record.Phone.Callable),
// a mobile if there is one. Faxes, pagers, text-phones and ended numbers are never offered.
func firstPhone(ps []record.Phone, now time.Time) string {
	for _, p := range ps {
		if p.Use == "mobile" && p.Number != "" && p.Callable(now) {
			return p.Number
		}
	}
	for _, p := range ps {
		if p.Number != "" && p.Callable(now) {
			return p.Number
		}
	}
	return ""
}

func addressText(a record.Address) string {
	parts := slices.Clone(a.Lines)
	for _, s := range []string{a.City, a.District, a.Postcode} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func hoursText(h float64, v vocab.Vocabulary) string {
	if h <= 0 {
		return ""
	}
	return fmt.Sprintf(v.HoursAWeek, strconv.FormatFloat(h, 'f', -1, 64))
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
