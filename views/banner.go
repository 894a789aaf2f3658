package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/internal/text"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// PersonName is the NHS CUI form: "SMITH, Ann (Mrs)".
func PersonName(n record.Name) string {
	s := strings.ToUpper(n.Family)
	if g := strings.Join(n.Given, " "); g != "" {
		if s != "" {
			s += ", "
		}
		s += g
	}
	if len(n.Prefix) > 0 && n.Prefix[0] != "" {
		s += " (" + n.Prefix[0] + ")"
	}
	return s
}

// BornText is "12-Mar-1948 (78y)", or the partial date as given ("1948").
func BornText(birth string, v vocab.Vocabulary, now time.Time) string {
	if birth == "" {
		return ""
	}
	t, prec, err := ukdate.ParseFHIR(birth)
	if err != nil {
		return birth
	}
	shown := ukdate.Date(t)
	switch prec {
	case "year":
		shown = t.Format("2006")
	case "month":
		shown = t.Format("Jan-2006")
	}
	if age := ukdate.Age(t, now); age >= 0 && prec != "year" {
		shown += fmt.Sprintf(" (%d%s)", age, v.Age)
	}
	return shown
}

// NHSNumberText is "943 476 5919", or the vocabulary's "no NHS number".
func NHSNumberText(n string, v vocab.Vocabulary) string {
	if n == "" {
		return v.NoNHSNumber
	}
	return nhsnumber.Format(n)
}

// Banner is the person banner: the NHS CUI line, then a line of alert chips when there are any.
// Chips are bracketed text so that they do not rely on colour.
func Banner(rec *record.Record, v vocab.Vocabulary, st Styles, width int, now time.Time) string {
	return BannerWith(rec, RecordFacts(rec), v, st, width, now)
}

// Facts are what the banner says about the whole record that only a walk over every item
// can tell. Worked out once per record change (the TUI keeps them beside its masked
// record), not on every frame: a frame of a 10,000-encounter record does not look at every
// encounter to know whether one is restricted.
type Facts struct {
	AnyRestricted bool // some item of some section is restricted
	// WithheldByObjection: some item is withheld because the person objected to sharing
	// (the reveal key then offers to break the glass).
	WithheldByObjection bool
}

// RecordFacts walks rec for its Facts.
func RecordFacts(rec *record.Record) Facts {
	return Facts{AnyRestricted: anyRestricted(rec), WithheldByObjection: rec.WithheldByObjection()}
}

// BannerWith is Banner with the record's Facts already known.
func BannerWith(rec *record.Record, facts Facts, v vocab.Vocabulary, st Styles, width int, now time.Time) string {
	p := &rec.Person
	segs := []string{st.BannerName.Render(PersonName(p.Name))}
	if b := personBorn(p, v, now); b != "" {
		segs = append(segs, st.Label.Render(v.Born)+" "+st.Banner.Render(b))
	}
	segs = append(segs, st.Label.Render(v.Gender)+" "+st.Banner.Render(v.GenderWord(p.Gender)))
	segs = append(segs, st.Label.Render(v.NHSNumber)+" "+st.BannerName.Render(NHSNumberText(p.NHSNumber, v)))
	if lang := languageText(p); lang != "" {
		segs = append(segs, st.Label.Render(v.Language)+" "+st.Banner.Render(lang))
	}
	lines := flow(segs, "  ", width)
	if chips := append(IdentityChips(rec, v, st), chips(rec, facts, v, st, now)...); len(chips) > 0 {
		lines = append(lines, flow(chips, " ", width)...)
	}
	if held := HeldElsewhereLine(rec, v, st, width); held != "" { // identity.go
		lines = append(lines, held)
	}
	lines = append(lines, FlagLines(rec, v, st, width, now)...) // national flags, objections (flags.go)
	return strings.Join(lines, "\n")
}

// PersonBornText is the born text of a person; for one who has died, with the age at death
// rather than the age today: "12-Mar-1948 (died aged 77)".
func PersonBornText(p *record.Person, v vocab.Vocabulary, now time.Time) string {
	return personBorn(p, v, now)
}

func personBorn(p *record.Person, v vocab.Vocabulary, now time.Time) string {
	if !p.Deceased || p.DeceasedAt.IsZero() || p.BirthDate == "" {
		return BornText(p.BirthDate, v, now)
	}
	t, prec, err := ukdate.ParseFHIR(p.BirthDate)
	if err != nil {
		return p.BirthDate
	}
	shown := ukdate.Partial(t, p.BirthDate)
	if age := ukdate.Age(t, p.DeceasedAt); age >= 0 && prec != "year" {
		shown += " (" + fmt.Sprintf(v.DiedAged, age) + ")"
	}
	return shown
}

// Chips are the alerts that matter at a glance, as "[TEXT]" markers. Only alerts that hold
// now are shown: an ended or inactive flag is not.
func Chips(rec *record.Record, v vocab.Vocabulary, st Styles, now time.Time) []string {
	return chips(rec, RecordFacts(rec), v, st, now)
}

func chips(rec *record.Record, facts Facts, v vocab.Vocabulary, st Styles, now time.Time) []string {
	var out []string
	chip := func(s lipglossStyle, text string) { out = append(out, s.Render("["+text+"]")) }
	restricted := rec.Person.Restricted
	deceased, interp := rec.Person.Deceased, rec.Person.InterpreterLanguage
	for i := range rec.Sections.Alerts {
		a := &rec.Sections.Alerts[i]
		if a.Restricted {
			restricted = true
			continue
		}
		if !a.Current(now) || a.Programme != "" { // a national flag has its own line (FlagLines)
			continue
		}
		switch a.Kind {
		case record.AlertDeceased:
			deceased = true
		case record.AlertInterpreter:
			if interp == "" {
				interp = a.Text
			}
		default:
			cat := a.Category
			if cat == "" {
				cat = a.Text
			}
			chip(st.ChipAlert, strings.ToUpper(cat))
		}
	}
	if deceased {
		t := v.Deceased
		if !rec.Person.DeceasedAt.IsZero() {
			t += " " + ukdate.Partial(rec.Person.DeceasedAt, rec.Person.DeceasedText)
		}
		chip(st.ChipAlert, t)
	}
	if interp != "" {
		chip(st.ChipWarn, v.Interpreter+": "+interp)
	} else if slices.ContainsFunc(rec.Sections.Alerts, func(a record.Alert) bool { return a.Kind == record.AlertInterpreter && a.Current(now) }) {
		chip(st.ChipWarn, v.Interpreter)
	}
	if slices.ContainsFunc(rec.Sections.Allergies, func(a record.Allergy) bool { return realAllergy(&a, nil) }) {
		chip(st.ChipWarn, v.AllergiesPresent)
	}
	restricted = restricted || facts.AnyRestricted
	if restricted {
		chip(st.ChipWarn, v.RestrictedExist)
	}
	if len(rec.Discrepancies) > 0 {
		var parts []string
		for _, d := range rec.Discrepancies {
			names := make([]string, 0, len(d.Values))
			for n := range d.Values {
				names = append(names, n)
			}
			slices.Sort(names)
			vals := make([]string, 0, len(names))
			for _, n := range names {
				vals = append(vals, n+" "+discrepancyValue(d.Field, d.Values[n], v))
			}
			parts = append(parts, fmt.Sprintf(v.DisagreeOn, discrepancyField(d.Field, v), strings.Join(vals, " / ")))
		}
		chip(st.ChipAlert, v.BackendsDisagree+" "+strings.Join(parts, "; "))
	}
	failed := FailedBackends(rec)
	if len(failed) > 0 {
		chip(st.ChipAlert, v.BackendDown+": "+strings.Join(failed, ", "))
	}
	// A safety flag (crew safety, safeguarding) that could not be checked is said to be so
	// on every tab, not only on the Summary: a back end not asked, timed out or cut short.
	if names := alertsNotChecked(rec, failed); len(names) > 0 {
		chip(st.ChipWarn, fmt.Sprintf(v.AlertsNotChecked, strings.Join(names, ", ")))
	}
	return out
}

// alertsNotChecked names the back ends whose alerts could not be checked and that have
// finished answering, but those already named as failed.
func alertsNotChecked(rec *record.Record, failed []string) []string {
	var out []string
	for _, st := range rec.Coverage(record.SectionAlerts).Unchecked {
		if st.State != record.StateLoading && !slices.Contains(failed, st.Backend) && !slices.Contains(out, st.Backend) {
			out = append(out, st.Backend)
		}
	}
	return out
}

func discrepancyField(f string, v vocab.Vocabulary) string {
	switch f {
	case "name":
		return v.FieldName
	case "birth_date":
		return v.FieldBirthDate
	case "gender":
		return v.FieldGender
	}
	return f
}

func discrepancyValue(field, val string, v vocab.Vocabulary) string {
	switch field {
	case "birth_date":
		if t, _, err := ukdate.ParseFHIR(val); err == nil {
			return ukdate.Date(t)
		}
	case "gender":
		return v.GenderWord(val)
	}
	return val
}

// FailedBackends names the back ends that failed outright or failed a section.
func FailedBackends(rec *record.Record) []string {
	var out []string
	add := func(n string) {
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	for _, b := range rec.Backends {
		if b.Status == record.BackendFailed || b.Status == record.BackendPartial {
			add(b.Name)
		}
	}
	for _, s := range rec.SectionStatus {
		if s.State == record.StateFailed {
			add(s.Backend)
		}
	}
	return out
}

func anyRestricted(rec *record.Record) bool {
	s := &rec.Sections
	return slices.ContainsFunc(s.CarePackages, func(x record.CarePackage) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.Referrals, func(x record.CarePackage) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.CareTeam, func(x record.CareTeamMember) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.Medications, func(x record.Medication) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.Allergies, func(x record.Allergy) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.NextOfKin, func(x record.Contact) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.Encounters, func(x record.Encounter) bool { return x.Restricted }) ||
		slices.ContainsFunc(s.Notes, func(x record.Note) bool { return x.Restricted })
}

// flow lays rendered segments out left to right, starting a new line when one would pass width.
func flow(segs []string, sep string, width int) []string {
	var lines []string
	cur, curW := "", 0
	sw := text.Width(sep)
	for _, s := range segs {
		w := text.Width(s)
		if curW > 0 && curW+sw+w > width {
			lines = append(lines, cur)
			cur, curW = "", 0
		}
		if curW > 0 {
			cur += sep
			curW += sw
		}
		if w > width {
			// Too long for one line: wrap it over as many as it needs.
			if curW > 0 {
				lines = append(lines, cur)
				cur, curW = "", 0
			}
			parts := strings.Split(text.WrapStyled(s, width), "\n")
			lines = append(lines, parts[:len(parts)-1]...)
			s = parts[len(parts)-1]
			w = text.Width(s)
		}
		cur += s
		curW += w
	}
	if curW > 0 {
		lines = append(lines, cur)
	}
	return lines
}
