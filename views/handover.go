package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// HandoverEncounters is how many of the latest encounters the handover summary lists.
const HandoverEncounters = 5

// Handover is the handover summary: one page of Markdown that a clinician or social worker
// pastes into a referral or a handover. The person (name, born, gender, NHS number), the
// alerts, the care package verdict, current medications and allergies, the next of kin with
// their phones and the last encounters, each line with its source (back end, organisation,
// NHS or local authority); then what could not be checked. A list is "none recorded" only
// where record.NoneRecorded allows it; otherwise it names what could not be checked.
// Restricted items are withheld unless revealed(key) (nil: none revealed).
func Handover(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool) string {
	var b strings.Builder
	p := &rec.Person
	fmt.Fprintf(&b, "# %s: %s\n\n", md(v.HandoverTitle), md(PersonName(p.Name)))
	who := []string{}
	if born := PersonBornText(p, v, now); born != "" {
		who = append(who, v.Born+" "+born)
	}
	who = append(who, v.Gender+" "+v.GenderWord(p.Gender), v.NHSNumber+" "+NHSNumberText(p.NHSNumber, v))
	fmt.Fprintf(&b, "%s\n\n", md(strings.Join(who, " · ")))
	fmt.Fprintf(&b, "_%s_\n", md(fmt.Sprintf(v.HandoverPrinted, ukdate.DateTime(now))))

	section := func(title string, lines []string) {
		fmt.Fprintf(&b, "\n## %s\n\n", md(title))
		for _, l := range lines {
			b.WriteString(l + "\n")
		}
	}
	section(v.SumAlerts, handoverAlerts(rec, v, now, revealed))
	section(v.SumCarePackage, handoverCarePackages(rec, v, now, revealed))
	section(v.SumMedications, handoverMedications(rec, v, now, revealed))
	section(v.SumAllergies, handoverAllergies(rec, v, revealed))
	section(v.SumNextOfKin, handoverNextOfKin(rec, v, now, revealed))
	section(fmt.Sprintf(v.HandoverLastEncounters, HandoverEncounters), handoverEncounters(rec, v, now, revealed))
	section(v.HandoverCoverage, handoverCoverage(rec, v))
	return b.String()
}

// SourceText is where an item came from, in one line: "Demo NHS ShCR · Wexbridge General
// Hospital (DMH01) · NHS", with the other back ends that reported it.
func SourceText(it record.Item, v vocab.Vocabulary) string {
	p := it.Provenance
	code := ""
	if p.OrganisationCode != "" {
		code = " (" + p.OrganisationCode + ")"
	}
	backend, org := p.Backend, strings.TrimSpace(p.Organisation+code)
	if p.Organisation == p.Backend { // a council's own record: "Demo County Council (DMLA1)"
		backend, org = org, ""
	}
	dom := DomainMarker(p.Domain, v)
	if p.Via != "" {
		dom = fmt.Sprintf(v.Via, dom, p.Via)
	}
	out := joinNonEmpty(" · ", backend, org, dom)
	if len(it.AlsoFrom) > 0 {
		names := make([]string, 0, len(it.AlsoFrom))
		for _, a := range it.AlsoFrom {
			names = append(names, a.Backend+" ("+DomainMarker(a.Domain, v)+")")
		}
		out += "; " + v.AlsoFrom + " " + strings.Join(names, ", ")
	}
	return out
}

// itemLine is one Markdown list item: the text, then its source in italics.
func itemLine(text string, it record.Item, v vocab.Vocabulary) string {
	return "- " + md(text) + " — _" + md(SourceText(it, v)) + "_"
}

// whyLines are the Markdown lines of what could not be checked for sec, and, with nothing
// listed, "none recorded" only where that is known.
func whyLines(listed int, rec *record.Record, sec record.Section, v vocab.Vocabulary) []string {
	var out []string
	if listed == 0 {
		if rec.NoneRecorded(sec) {
			return []string{"- " + md(v.HandoverNone)}
		}
		for _, p := range notCheckedPhrases(rec, sec, v) {
			out = append(out, "- _"+md(p)+"_")
		}
		return out
	}
	for _, p := range UncheckedPhrases(rec, sec, v) {
		out = append(out, "- _"+md(p)+"_")
	}
	return out
}

func handoverAlerts(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) []string {
	var out []string
	p := &rec.Person
	// The national identity checks, as the banner says them (restricted demographics, an
	// NHS number replaced, not confirmed or not checked).
	for _, chip := range IdentityChips(rec, v, TextStyles()) {
		out = append(out, "- **"+md(strings.TrimSuffix(strings.TrimPrefix(Strip(chip), "["), "]"))+"**")
	}
	if p.Deceased {
		t := v.Deceased
		if !p.DeceasedAt.IsZero() {
			t += " " + ukdate.Partial(p.DeceasedAt, p.DeceasedText)
		}
		out = append(out, "- **"+md(t)+"**")
	}
	if p.InterpreterLanguage != "" {
		out = append(out, "- **"+md(v.Interpreter+": "+p.InterpreterLanguage)+"**")
	}
	n, first := 0, len(out)
	for i := range rec.Sections.Alerts {
		a := &rec.Sections.Alerts[i]
		switch {
		case a.Masked(revealed):
			out = append(out, itemLine(v.RestrictedText, a.Item, v))
		case !a.Current(now):
			continue
		case a.Kind == record.AlertDeceased && p.Deceased, a.Kind == record.AlertInterpreter && p.InterpreterLanguage != "":
			// Said once, at the top, as the banner says it.
		default:
			since := ""
			if !a.Period.Start.IsZero() {
				since = fmt.Sprintf(v.Since, ukdate.Partial(a.Period.Start, a.Period.StartText))
			}
			out = append(out, itemLine(joinNonEmpty(" — ", joinNonEmpty(": ", a.Category, a.Text), since), a.Item, v))
		}
		n++
	}
	slices.Sort(out[first:]) // by category: the same whichever back end answered first
	if p.Restricted {
		out = append(out, "- "+md(v.RestrictedExist))
	}
	if n == 0 && len(out) > 0 {
		// The person's own flags are listed: what the alerts lists could not check still shows.
		return append(out, whyLines(1, rec, record.SectionAlerts, v)...)
	}
	return append(out, whyLines(n, rec, record.SectionAlerts, v)...)
}

func handoverCarePackages(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) []string {
	out := []string{md(CarePackageVerdict(rec, v, now, revealed)), ""}
	n := 0
	for i := range rec.Sections.CarePackages {
		c := &rec.Sections.CarePackages[i]
		if c.Masked(revealed) || !activePackage(c, now) {
			continue
		}
		out = append(out, itemLine(joinNonEmpty(", ", c.Type, hoursText(c.HoursPerWeek, v), c.Schedule, c.Provider,
			periodText(c.Period, v)), c.Item, v))
		n++
	}
	if n == 0 {
		return out[:1]
	}
	slices.Sort(out[2:])
	return out
}

func handoverMedications(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) []string {
	var out []string
	for i := range rec.Sections.Medications {
		m := &rec.Sections.Medications[i]
		switch {
		case m.Masked(revealed):
			out = append(out, itemLine(v.RestrictedText, m.Item, v))
		case currentMedication(m, now):
			out = append(out, itemLine(joinNonEmpty(" — ", m.Name, m.Dosage), m.Item, v))
		}
	}
	slices.Sort(out) // by name
	if len(out) == 0 && rec.Count(record.SectionMedications) > 0 && rec.Coverage(record.SectionMedications).Checked() {
		return []string{"- " + md(v.HandoverNone)} // only ended ones: none current
	}
	return append(out, whyLines(len(out), rec, record.SectionMedications, v)...)
}

func handoverAllergies(rec *record.Record, v vocab.Vocabulary, revealed func(string) bool) []string {
	var out []string
	var nka *record.Allergy
	for i := range rec.Sections.Allergies {
		a := &rec.Sections.Allergies[i]
		switch {
		case a.Masked(revealed):
			out = append(out, itemLine(v.RestrictedText, a.Item, v))
		case a.NoKnownAllergies:
			nka = a
		case a.VerificationStatus == "entered-in-error":
		case realAllergy(a, revealed):
			out = append(out, itemLine(joinNonEmpty(" ", a.Substance, paren(strings.Join(a.Reactions, ", "))), a.Item, v))
		default:
			out = append(out, itemLine(joinNonEmpty(" ", a.Substance, paren(allergyStatus(a, v))), a.Item, v))
		}
	}
	slices.Sort(out) // by substance
	if len(out) == 0 && nka != nil {
		out = append(out, itemLine(v.NoKnownAllergies, nka.Item, v))
	}
	return append(out, whyLines(len(out), rec, record.SectionAllergies, v)...)
}

func handoverNextOfKin(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) []string {
	cs := rec.Sections.NextOfKin
	order := make([]int, 0, len(cs))
	for i := range cs {
		if cs[i].Masked(revealed) || cs[i].Current(now) {
			order = append(order, i)
		}
	}
	// Call-first order, then by name: the same whichever back end answered first.
	slices.SortStableFunc(order, func(a, b int) int {
		if c := strings.Compare(rankKey(cs[a].Rank), rankKey(cs[b].Rank)); c != 0 {
			return c
		}
		return strings.Compare(cs[a].Name+cs[a].Key, cs[b].Name+cs[b].Key)
	})
	var out []string
	for _, i := range order {
		c := &cs[i]
		if c.Masked(revealed) {
			out = append(out, itemLine(v.RestrictedText, c.Item, v))
			continue
		}
		phones := phonesText(c.Phones, v, now)
		if phones == "" {
			phones = v.HandoverNoPhone
		}
		out = append(out, itemLine(joinNonEmpty(" ", orNameNotRecorded(c.Name, v), paren(ContactRelationship(c, v, now)))+": "+phones, c.Item, v))
	}
	if len(out) == 0 && len(cs) > 0 && rec.Coverage(record.SectionNextOfKin).Checked() {
		return []string{"- " + md(fmt.Sprintf(v.OnlyEnded, len(cs)))}
	}
	return append(out, whyLines(len(out), rec, record.SectionNextOfKin, v)...)
}

func handoverEncounters(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(string) bool) []string {
	es := rec.Sections.Encounters
	order := make([]int, 0, len(es))
	for i := range es {
		if !es[i].Period.Start.After(now) {
			order = append(order, i)
		}
	}
	when := func(e *record.Encounter) time.Time {
		if e.Masked(revealed) {
			return e.Provenance.Recorded
		}
		return e.Period.Start
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if c := when(&es[b]).Compare(when(&es[a])); c != 0 {
			return c
		}
		return strings.Compare(es[a].Key, es[b].Key)
	})
	var out []string
	for _, i := range order[:min(len(order), HandoverEncounters)] {
		e := &es[i]
		if e.Masked(revealed) {
			out = append(out, itemLine(v.RestrictedText, e.Item, v))
			continue
		}
		loc := e.Location
		if loc == "" {
			loc = e.Provider
		}
		out = append(out, itemLine(joinNonEmpty(" · ", dateTimeText(e.Period.Start, e.Period.StartText), e.Type,
			v.StatusWord(e.Status), loc, e.Clinician), e.Item, v))
	}
	return append(out, whyLines(len(out), rec, record.SectionEncounters, v)...)
}

// handoverCoverage lists, section by section, every back end that could not be checked, then
// how each back end answered.
func handoverCoverage(rec *record.Record, v vocab.Vocabulary) []string {
	var out []string
	for _, sec := range record.Sections() {
		if ps := UncheckedPhrases(rec, sec, v); len(ps) > 0 {
			out = append(out, "- "+md(SectionTitle(sec, v)+": "+strings.Join(ps, "; ")))
		}
	}
	if len(out) == 0 {
		out = append(out, md(v.HandoverAllChecked))
	}
	var bs []string
	for _, b := range rec.Backends {
		bs = append(bs, b.Name+" "+BackendStatusText(b, v))
	}
	if len(bs) > 0 {
		out = append(out, "", md(v.SumBackends+": "+strings.Join(bs, "; ")))
	}
	return out
}

// mdSpecial are the characters that would make Markdown of a server's text.
var mdSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`,
	"<", `\<`, ">", `\>`, "#", `\#`, "|", `\|`, "~", `\~`)

// md is text made safe for one line of Markdown: whitespace folded to single spaces, and
// every character Markdown would act on escaped (a server's text never becomes a link,
// a heading or an HTML tag in the pasted summary).
func md(s string) string {
	return mdSpecial.Replace(strings.Join(strings.Fields(s), " "))
}
