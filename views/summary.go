package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// Summary is the one screen a busy person needs: care package status, allocated social
// worker, next of kin with phone, allergies, current medications, last encounter, alerts,
// list warnings, notices and which back ends answered. A field longer than three lines is
// cut after two and the third says how many more lines the reader (Enter) shows; the next of
// kin name three contacts and count the others. A line says "none recorded" only when
// record.NoneRecorded allows it; otherwise it names what could not be checked. Restricted
// items count only where revealed(key) (nil: none).
func Summary(rec *record.Record, v vocab.Vocabulary, st Styles, width, height int, now time.Time, revealed func(key string) bool) string {
	fields := SummaryFields(rec, v, now, revealed)
	lw := 0
	for _, f := range fields {
		lw = max(lw, text.Width(f.Label))
	}
	var lines []string
	var owner []string // the label of the field each line belongs to
	for _, f := range fields {
		valW := max(width-lw-2, 8)
		// Each paragraph (a warning, a notice) starts on its own line; a long one is cut
		// after three lines, except the care package verdict, warnings and notices, which
		// are shown in full.
		full := f.Label == v.SumWarnings || f.Label == v.SumNotices || f.Label == v.SumCarePackage || f.Label == v.SumHeldElsewhere
		first := true
		for _, para := range strings.Split(f.Value, "\n") {
			wrapped := wrap(para, valW)
			if !full && len(wrapped) > 3 {
				// Never a silent cut: the third line says how much more the reader shows.
				wrapped = append(wrapped[:2:2], moreLines(v, len(wrapped)-2))
			}
			for _, wl := range wrapped {
				label := ""
				if first {
					label, first = f.Label, false
				}
				lines = append(lines, st.Label.Render(text.Fit(label, lw))+"  "+st.Text.Render(text.Cell(wl, valW)))
				owner = append(owner, f.Label)
			}
		}
	}
	if height > 0 && len(lines) > height {
		// Say what did not fit rather than cut it silently.
		var hidden []string
		for _, l := range owner[height-1:] {
			hidden = appendNew(hidden, l)
		}
		more := fmt.Sprintf(v.SumMore, len(lines)-height+1, strings.Join(hidden, ", "))
		lines = append(lines[:height-1], st.Warning.Render(text.Cell(more, width)))
	}
	return strings.Join(lines, "\n")
}

// SummaryFields are the summary's lines as label and value. A restricted item is left out
// (an alert says only that it is restricted) unless revealed(key); revealed may be nil.
func SummaryFields(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool) []Field {
	return summaryFields(rec, v, now, revealed, summaryKin)
}

// summaryKin is how many next of kin the Summary names; the others are counted ("+2 more
// (Enter)") and the reader (SummaryText) names them all.
const summaryKin = 3

// summaryFields is SummaryFields naming at most kinLimit next of kin (all when negative).
func summaryFields(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool, kinLimit int) []Field {
	s := &rec.Sections
	out := []Field{{v.SumCarePackage, CarePackageVerdict(rec, v, now, revealed)}}

	// Allocated social worker: a current member of the care team, else the care manager of
	// an active package.
	var names []string
	for i := range s.CareTeam {
		m := &s.CareTeam[i]
		if m.Masked(revealed) || !isSocialWorker(m) || !m.Current(now) {
			continue
		}
		names = appendNew(names, joinNonEmpty(", ", orNameNotRecorded(m.Name, v), m.Team, firstPhone(m.Phones, now))+" ["+DomainMarker(m.Provenance.Domain, v)+"]")
	}
	if len(names) == 0 {
		for _, c := range s.CarePackages {
			if c.CareManager != "" && !c.Masked(revealed) && activePackage(&c, now) {
				names = appendNew(names, c.CareManager)
			}
		}
	}
	out = append(out, Field{v.SumSocialWorker, listOrWhy(strings.Join(names, "\n"), rec, record.SectionCareTeam, v)})

	// Next of kin: current contacts only, call-first order, with a number that can be called.
	cs := slices.Clone(s.NextOfKin)
	slices.SortStableFunc(cs, func(a, b record.Contact) int { return strings.Compare(rankKey(a.Rank), rankKey(b.Rank)) })
	var kin []string
	ended, masked, more := 0, 0, 0
	for i := range cs {
		c := &cs[i]
		switch {
		case c.Masked(revealed):
			masked++
			continue
		case !c.Current(now):
			ended++
			continue
		}
		phone := firstPhone(c.Phones, now)
		if phone == "" {
			phone = v.NoPhoneRecorded
		}
		line := joinNonEmpty(" ", orNameNotRecorded(c.Name, v), paren(ContactRelationship(c, v, now)), phone)
		switch {
		case slices.Contains(kin, line):
		case kinLimit < 0 || len(kin) < kinLimit:
			kin = append(kin, line)
		default:
			more++
		}
	}
	if more > 0 {
		kin = append(kin, fmt.Sprintf(v.MoreEnter, more))
	}
	if masked > 0 {
		kin = append(kin, fmt.Sprintf(v.RestrictedCount, masked))
	}
	if len(kin) == 0 && ended > 0 {
		kin = append(kin, fmt.Sprintf(v.OnlyEnded, ended))
	}
	// A contact a line: a name and the number to call stay together.
	out = append(out, Field{v.SumNextOfKin, listOrWhy(strings.Join(kin, "\n"), rec, record.SectionNextOfKin, v)})

	out = append(out, Field{v.SumAllergies, allergySummary(rec, v, revealed)})

	// The current ones by name (a count alone tells a social worker nothing); restricted
	// ones counted, never dropped; only ended ones said so, never "none".
	meds := ""
	if rec.Count(record.SectionMedications) > 0 {
		var names []string
		masked, ended := 0, 0
		for i := range s.Medications {
			switch m := &s.Medications[i]; {
			case m.Masked(revealed):
				masked++
			case currentMedication(m, now):
				names = appendNew(names, m.Name)
			default:
				ended++
			}
		}
		if masked > 0 {
			names = append(names, fmt.Sprintf(v.RestrictedCount, masked))
		}
		if len(names) == 0 && ended > 0 {
			names = append(names, fmt.Sprintf(v.OnlyEnded, ended))
		}
		meds = strings.Join(names, ", ")
	}
	out = append(out, Field{v.SumMedications, listOrWhy(meds, rec, record.SectionMedications, v)})

	last := ""
	li := -1
	for i := range s.Encounters {
		e := &s.Encounters[i]
		if e.Masked(revealed) || e.Period.Start.After(now) {
			continue
		}
		if li < 0 || e.Period.Start.After(s.Encounters[li].Period.Start) {
			li = i
		}
	}
	if li >= 0 {
		e := &s.Encounters[li]
		loc := e.Location
		if loc == "" {
			loc = e.Provider
		}
		last = joinNonEmpty(", ", ukdate.Partial(e.Period.Start, e.Period.StartText), e.Type, loc) + " [" + DomainMarker(e.Provenance.Domain, v) + "]"
	}
	out = append(out, Field{v.SumLastEncounter, listOrWhy(last, rec, record.SectionEncounters, v)})
	// A current stay: its legal status and when the person was declared medically safe to leave.
	for i := range s.Encounters {
		e := &s.Encounters[i]
		if e.Masked(revealed) || !currentEncounter(e, now) {
			continue
		}
		if e.LegalStatus != "" {
			out = append(out, Field{v.SumLegalStatus, e.LegalStatus + " [" + DomainMarker(e.Provenance.Domain, v) + "]"})
		}
		if !e.MedicallySafe.Start.IsZero() {
			out = append(out, Field{v.SumMedicallySafe, ukdate.Partial(e.MedicallySafe.Start, e.MedicallySafe.StartText)})
		}
	}

	var alerts []string
	for i := range s.Alerts {
		a := &s.Alerts[i]
		if a.Withheld != "" {
			alerts = appendNew(alerts, v.WithheldObjectionText)
			continue
		}
		if a.Masked(revealed) {
			alerts = append(alerts, v.RestrictedText)
			continue
		}
		if !a.Current(now) {
			continue
		}
		alerts = append(alerts, joinNonEmpty(": ", a.Category, a.Text))
	}
	// With no current alert the line is left out only when every back end was checked: a
	// safety flag that could not be checked is said to be so.
	switch a := strings.Join(alerts, "\n"); { // an alert a line
	case a != "":
		out = append(out, Field{v.SumAlerts, withProblems(a, rec, record.SectionAlerts, v)})
	case len(UncheckedPhrases(rec, record.SectionAlerts, v)) > 0 || rec.Count(record.SectionAlerts) == 0 && !rec.NoneRecorded(record.SectionAlerts):
		out = append(out, Field{v.SumAlerts, strings.Join(notCheckedPhrases(rec, record.SectionAlerts, v), "; ")})
	}

	if lang := languageText(&rec.Person); lang != "" {
		out = append(out, Field{v.SumLanguage, lang})
	}

	// Where they live and their numbers: withheld for a restricted (PDS sensitive) person
	// until revealed.
	switch {
	case rec.LocationWithheld():
		// PDS marks them restricted: no back end's address is kept, so none to reveal (identity.go).
		out = append(out, Field{v.SumAddress, fmt.Sprintf(v.AddressWithheld, rec.Identity.Backend)})
	case rec.Person.Restricted && (revealed == nil || !revealed(record.RevealPersonKey)):
		out = append(out, Field{v.SumAddress, v.Restricted})
	default:
		at := joinNonEmpty("; ", addressText(rec.Person.Address), phonesText(rec.Person.Phones, v, now))
		if at == "" {
			at = v.SumNone
		}
		out = append(out, Field{v.SumAddress, at})
	}

	if ws := WarningLines(rec, v); len(ws) > 0 {
		out = append(out, Field{v.SumWarnings, strings.Join(ws, "\n")})
	}
	if ns := NoticeLines(rec); len(ns) > 0 {
		out = append(out, Field{v.SumNotices, strings.Join(ns, "\n")})
	}

	out = append(out, IdentityFields(rec, v, now)...) // identity.go
	var bs []string
	for _, b := range rec.Backends {
		bs = append(bs, b.Name+" "+BackendStatusText(b, v))
	}
	out = append(out, Field{v.SumBackends, strings.Join(bs, "; ")})
	return out
}

// listOrWhy is a Summary value: what the section lists, followed by every back end that
// could not be checked; with nothing listed, "none recorded" only when that is known.
func listOrWhy(list string, rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	list = withheldNote(list, rec, sec, v) // an objection's withheld items are never "none" (consent.go)
	if list == "" {
		if Loading(rec, sec) && rec.Count(sec) == 0 {
			return CheckingText(rec, sec, v)
		}
		if rec.Count(sec) > 0 && rec.Coverage(sec).Checked() {
			// The section answered in full and holds items, none of them of this line's kind
			// (a care team with no social worker): none recorded, not "not returned".
			return v.SumNone
		}
		return emptyText(rec, sec, v)
	}
	return withProblems(list, rec, sec, v)
}

// allergySummary lists the allergies; "No known allergies" only when a source asserted it
// and no source lists an allergy (a restricted one counts: "1 restricted allergy").
func allergySummary(rec *record.Record, v vocab.Vocabulary, revealed func(key string) bool) string {
	var parts []string
	nka, masked := false, 0
	for i := range rec.Sections.Allergies {
		a := &rec.Sections.Allergies[i]
		switch {
		case a.Masked(revealed):
			masked++
		case a.NoKnownAllergies:
			nka = true
		case a.VerificationStatus == "entered-in-error":
		case realAllergy(a, revealed):
			parts = appendNew(parts, joinNonEmpty(" ", a.Substance, paren(strings.Join(a.Reactions, ", "))))
		default: // refuted, resolved or inactive: listed, and said to be so
			parts = appendNew(parts, joinNonEmpty(" ", a.Substance, paren(allergyStatus(a, v))))
		}
	}
	switch masked {
	case 0:
	case 1:
		parts = append(parts, fmt.Sprintf(v.RestrictedAllergy, masked))
	default:
		parts = append(parts, fmt.Sprintf(v.RestrictedAllergies, masked))
	}
	if len(parts) == 0 && nka {
		parts = append(parts, v.NoKnownAllergies)
	}
	return listOrWhy(strings.Join(parts, "; "), rec, record.SectionAllergies, v)
}

// currentEncounter reports whether an encounter is going on now (an admission not yet ended).
func currentEncounter(e *record.Encounter, now time.Time) bool {
	switch e.Status {
	case "finished", "cancelled", "entered-in-error", "planned":
		return false
	}
	return !e.Period.Start.IsZero() && !e.Period.Start.After(now) && e.Period.Active(now)
}

// languageText is the preferred language, with the interpreter need where there is one.
func languageText(p *record.Person) string {
	switch {
	case p.Language != "":
		return p.Language
	case p.InterpreterLanguage != "":
		return p.InterpreterLanguage
	}
	return ""
}

// WarningLines are every list warning of every section, in full, one per line.
func WarningLines(rec *record.Record, v vocab.Vocabulary) []string {
	var out []string
	for _, sec := range record.Sections() {
		for _, st := range rec.StatusOf(sec) {
			for _, w := range st.Warnings {
				out = appendNew(out, SectionTitle(sec, v)+": "+WarningText(w, st.Backend, v))
			}
		}
	}
	return out
}

// NoticeLines are the notices (entries about another person dropped, duplicate records read
// together, linked records followed), one per line: "Back end: text".
func NoticeLines(rec *record.Record) []string {
	var out []string
	for _, n := range rec.Notices {
		out = appendNew(out, joinNonEmpty(": ", n.Backend, n.Text))
	}
	return out
}

// appendNew appends s unless it is already there: the same fact from two back ends is said once.
func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func joinNonEmpty(sep string, parts ...string) string {
	out := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func paren(s string) string {
	if s == "" {
		return ""
	}
	return "(" + s + ")"
}
