package views

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/views/vocab"
)

// TabSections are the sections behind tabs 2–8, in tab order (tab 1 is the summary).
func TabSections() []record.Section {
	return []record.Section{record.SectionCarePackages, record.SectionCareTeam, record.SectionMedications,
		record.SectionAllergies, record.SectionNextOfKin, record.SectionEncounters, record.SectionNotes}
}

// SectionTitle is the shown name of a section.
func SectionTitle(sec record.Section, v vocab.Vocabulary) string {
	switch sec {
	case record.SectionCarePackages:
		return v.TabCarePackages
	case record.SectionCareTeam:
		return v.TabCareTeam
	case record.SectionMedications:
		return v.TabMedications
	case record.SectionAllergies:
		return v.TabAllergies
	case record.SectionNextOfKin:
		return v.TabNextOfKin
	case record.SectionEncounters:
		return v.TabEncounters
	case record.SectionNotes:
		return v.TabNotes
	case record.SectionAlerts:
		return v.SumAlerts
	}
	return string(sec)
}

// SectionTable turns one section of the record into a table. Restricted items are masked
// ("Restricted item — press x to reveal") unless revealed(key) says they were revealed;
// revealed may be nil (nothing revealed).
func SectionTable(rec *record.Record, sec record.Section, v vocab.Vocabulary, revealed func(key string) bool) Table {
	s := &rec.Sections
	switch sec {
	case record.SectionCarePackages:
		return CarePackagesTable(s.CarePackages, v, revealed)
	case record.SectionCareTeam:
		return CareTeamTable(s.CareTeam, v, revealed)
	case record.SectionMedications:
		return MedicationsTable(s.Medications, v, revealed)
	case record.SectionAllergies:
		return AllergiesTable(s.Allergies, v, revealed)
	case record.SectionNextOfKin:
		return NextOfKinTable(s.NextOfKin, v, revealed)
	case record.SectionEncounters:
		return EncountersTable(s.Encounters, v, revealed)
	case record.SectionNotes:
		return NotesTable(s.Notes, v, revealed)
	case record.SectionAlerts:
		return AlertsTable(s.Alerts, v, revealed)
	}
	return Table{Section: sec}
}

// Field is one labelled line of a details pane.
type Field struct{ Label, Value string }

// ItemDetails is the details pane of item index of a section: its fields, then its provenance.
// A restricted item shows no content, only that it is restricted and where it came from.
func ItemDetails(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, st Styles, width, height int, revealed func(key string) bool) string {
	item, fields := sectionFields(rec, sec, index, v)
	if item == nil {
		return ""
	}
	if item.Masked(revealed) {
		fields = []Field{{v.Details, v.RestrictedDetails}}
	}
	return renderDetails(fields, *item, v, st, width, height)
}

// ItemDetailsCompact is the details pane for narrow screens: fields flow along the line
// ("Type Home care · Status active · …"), long texts get their own lines, and the provenance
// follows on a line of its own, so that 80 × 24 still shows where the item came from.
func ItemDetailsCompact(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, st Styles, width, height int, revealed func(key string) bool) string {
	item, fields := sectionFields(rec, sec, index, v)
	if item == nil {
		return ""
	}
	if item.Masked(revealed) {
		fields = []Field{{v.Details, v.RestrictedDetails}}
	}
	var lines []string
	flowFields := func(fs []Field) {
		var segs []string
		var long []Field
		for _, f := range fs {
			if f.Value == "" {
				continue
			}
			if textWidth(f.Label)+1+textWidth(f.Value) > width*2/3 {
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
	// The provenance always shows: the item's own lines give way first.
	if height > 0 && len(itemLines)+len(provLines) > height {
		provLines = provLines[:min(len(provLines), height)]
		itemLines = itemLines[:max(height-len(provLines), 0)]
	}
	lines = append(itemLines, provLines...)
	return strings.Join(lines, "\n")
}

// compactProvenance is the provenance as short segments: "From Demo NHS ShCR (NHS)",
// organisation, author, recorded, source system, security labels.
func compactProvenance(it record.Item, v vocab.Vocabulary, st Styles) []string {
	p := it.Provenance
	segs := []string{st.Label.Render(v.From) + " " + st.Bold.Render(p.Backend+" ("+DomainMarker(p.Domain, v)+")")}
	org := p.Organisation
	if p.OrganisationCode != "" {
		org = strings.TrimSpace(org + " (" + p.OrganisationCode + ")")
	}
	for _, s := range []string{org, p.Author.String(), ukdate.DateTime(p.Recorded), p.SourceSystem} {
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

func sectionFields(rec *record.Record, sec record.Section, i int, v vocab.Vocabulary) (*record.Item, []Field) {
	s := &rec.Sections
	in := func(n int) bool { return i >= 0 && i < n }
	switch sec {
	case record.SectionCarePackages:
		if in(len(s.CarePackages)) {
			return &s.CarePackages[i].Item, carePackageFields(&s.CarePackages[i], v)
		}
	case record.SectionCareTeam:
		if in(len(s.CareTeam)) {
			return &s.CareTeam[i].Item, careTeamFields(&s.CareTeam[i], v)
		}
	case record.SectionMedications:
		if in(len(s.Medications)) {
			return &s.Medications[i].Item, medicationFields(&s.Medications[i], v)
		}
	case record.SectionAllergies:
		if in(len(s.Allergies)) {
			return &s.Allergies[i].Item, allergyFields(&s.Allergies[i], v)
		}
	case record.SectionNextOfKin:
		if in(len(s.NextOfKin)) {
			return &s.NextOfKin[i].Item, contactFields(&s.NextOfKin[i], v)
		}
	case record.SectionEncounters:
		if in(len(s.Encounters)) {
			return &s.Encounters[i].Item, encounterFields(&s.Encounters[i], v)
		}
	case record.SectionNotes:
		if in(len(s.Notes)) {
			return &s.Notes[i].Item, noteFields(&s.Notes[i], v)
		}
	case record.SectionAlerts:
		if in(len(s.Alerts)) {
			return &s.Alerts[i].Item, alertFields(&s.Alerts[i], v)
		}
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
	out := []Field{
		{v.Backend, p.Backend},
		{v.Organisation, org},
		{v.Domain, DomainLong(p.Domain, v)},
		{v.Author, p.Author.String()},
		{v.Recorded, ukdate.DateTime(p.Recorded)},
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

func renderDetails(fields []Field, it record.Item, v vocab.Vocabulary, st Styles, width, height int) string {
	all := append(slices.Clip(fields), ProvenanceFields(it, v)...)
	lw := 0
	for _, f := range all {
		lw = max(lw, textWidth(f.Label))
	}
	lw = min(lw, max(width/3, 8))
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
			lines = append(lines, st.Label.Render(fit(label, lw))+"  "+st.Text.Render(clip(wl, valW)))
		}
	}
	if height > 0 && len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}

// wrap breaks text into lines of at most w cells, keeping paragraph breaks.
func wrap(s string, w int) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			out = append(out, "")
			continue
		}
		cur := ""
		for _, word := range words {
			switch {
			case cur == "":
				cur = word
			case textWidth(cur)+1+textWidth(word) <= w:
				cur += " " + word
			default:
				out = append(out, cur)
				cur = word
			}
		}
		out = append(out, cur)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// sortTime is a sort key for a time: zero sorts first.
func sortTime(t time.Time) string {
	if t.IsZero() {
		return "0"
	}
	return t.UTC().Format("20060102150405")
}

func periodText(p record.Period, v vocab.Vocabulary) string {
	switch {
	case !p.Start.IsZero() && !p.End.IsZero():
		return ukdate.Date(p.Start) + " – " + ukdate.Date(p.End)
	case !p.Start.IsZero():
		return fmt.Sprintf(v.Since, ukdate.Date(p.Start))
	case !p.End.IsZero():
		return fmt.Sprintf(v.Until, ukdate.Date(p.End))
	}
	return ""
}

// PhoneText is "07700 900123 (mobile)".
func PhoneText(p record.Phone, v vocab.Vocabulary) string {
	if p.Use == "" {
		return p.Number
	}
	return p.Number + " (" + v.PhoneUse(p.Use) + ")"
}

func phonesText(ps []record.Phone, v vocab.Vocabulary) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, PhoneText(p, v))
	}
	return strings.Join(out, ", ")
}

// firstPhone is the number to call first: a mobile if there is one.
func firstPhone(ps []record.Phone) string {
	for _, p := range ps {
		if p.Use == "mobile" && p.Number != "" {
			return p.Number
		}
	}
	for _, p := range ps {
		if p.Number != "" {
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
