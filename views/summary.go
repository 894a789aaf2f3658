package views

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/views/vocab"
)

// Summary is the one screen a busy person needs: care package status, allocated social
// worker, next of kin with phone, allergies, current medications, last encounter, alerts and
// which back ends answered. Each line says "not returned" or "failed" rather than "none"
// when that is the truth. Restricted items count only where revealed(key) (nil: none).
func Summary(rec *record.Record, v vocab.Vocabulary, st Styles, width, height int, now time.Time, revealed func(key string) bool) string {
	fields := SummaryFields(rec, v, now, revealed)
	lw := 0
	for _, f := range fields {
		lw = max(lw, textWidth(f.Label))
	}
	var lines []string
	for _, f := range fields {
		valW := max(width-lw-2, 8)
		for j, wl := range wrap(f.Value, valW) {
			label := ""
			if j == 0 {
				label = f.Label
			}
			lines = append(lines, st.Label.Render(fit(label, lw))+"  "+st.Text.Render(clip(wl, valW)))
			if j == 2 {
				break
			}
		}
	}
	if height > 0 && len(lines) > height {
		lines = lines[:height]
	}
	return strings.Join(lines, "\n")
}

// SummaryFields are the summary's lines as label and value. A restricted item is left out
// (an alert says only that it is restricted) unless revealed(key); revealed may be nil.
func SummaryFields(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool) []Field {
	s := &rec.Sections
	out := []Field{{v.SumCarePackage, CarePackageVerdict(rec, v, now, revealed)}}

	sw := ""
	if state := sectionShort(rec, record.SectionCareTeam, v); state != "" {
		sw = state
	} else {
		var names []string
		for i := range s.CareTeam {
			m := &s.CareTeam[i]
			if m.Masked(revealed) || !isSocialWorker(m) {
				continue
			}
			names = appendNew(names, joinNonEmpty(", ", m.Name, m.Team, firstPhone(m.Phones))+" ["+DomainMarker(m.Provenance.Domain, v)+"]")
		}
		if len(names) == 0 {
			for _, c := range s.CarePackages {
				if c.CareManager != "" && !c.Masked(revealed) && activePackage(&c, now) {
					names = append(names, c.CareManager)
				}
			}
		}
		sw = strings.Join(names, "; ")
		if sw == "" {
			sw = v.SumNone
		}
	}
	out = append(out, Field{v.SumSocialWorker, sw})

	kin := sectionShort(rec, record.SectionNextOfKin, v)
	if kin == "" {
		cs := slices.Clone(s.NextOfKin)
		slices.SortStableFunc(cs, func(a, b record.Contact) int { return strings.Compare(rankKey(a.Rank), rankKey(b.Rank)) })
		var parts []string
		for i := range cs {
			c := &cs[i]
			if c.Masked(revealed) {
				continue
			}
			parts = appendNew(parts, joinNonEmpty(" ", c.Name, paren(ContactRelationship(c, v)), firstPhone(c.Phones)))
			if len(parts) == 3 {
				break
			}
		}
		kin = strings.Join(parts, "; ")
	}
	out = append(out, Field{v.SumNextOfKin, kin})

	all := sectionShort(rec, record.SectionAllergies, v)
	if all == "" {
		var parts []string
		nka := false
		for i := range s.Allergies {
			a := &s.Allergies[i]
			switch {
			case a.NoKnownAllergies:
				nka = true
			case realAllergy(a, revealed):
				parts = appendNew(parts, joinNonEmpty(" ", a.Substance, paren(strings.Join(a.Reactions, ", "))))
			}
		}
		if len(parts) == 0 && nka {
			parts = append(parts, v.NoKnownAllergies)
		}
		all = strings.Join(parts, "; ")
		if all == "" {
			all = v.SumNone
		}
	}
	out = append(out, Field{v.SumAllergies, all})

	meds := sectionShort(rec, record.SectionMedications, v)
	if meds == "" {
		n := 0
		for i := range s.Medications {
			if m := &s.Medications[i]; !m.Masked(revealed) && currentMedication(m) {
				n++
			}
		}
		meds = fmt.Sprint(n)
	}
	out = append(out, Field{v.SumMedications, meds})

	last := sectionShort(rec, record.SectionEncounters, v)
	if last == "" {
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
			last = joinNonEmpty(", ", ukdate.Date(e.Period.Start), e.Type, loc) + " [" + DomainMarker(e.Provenance.Domain, v) + "]"
		} else {
			last = v.SumNone
		}
	}
	out = append(out, Field{v.SumLastEncounter, last})

	var alerts []string
	for _, a := range s.Alerts {
		if a.Masked(revealed) {
			alerts = append(alerts, v.RestrictedText)
			continue
		}
		alerts = append(alerts, joinNonEmpty(": ", a.Category, a.Text))
	}
	if len(alerts) > 0 {
		out = append(out, Field{v.SumAlerts, strings.Join(alerts, "; ")})
	}

	// Where they live and their numbers: withheld for a restricted (PDS sensitive) person
	// until revealed.
	if rec.Person.Restricted && (revealed == nil || !revealed(record.RevealPersonKey)) {
		out = append(out, Field{v.SumAddress, v.Restricted})
	} else {
		at := joinNonEmpty("; ", addressText(rec.Person.Address), phonesText(rec.Person.Phones, v))
		if at == "" {
			at = v.SumNone
		}
		out = append(out, Field{v.SumAddress, at})
	}

	var bs []string
	for _, b := range rec.Backends {
		bs = append(bs, b.Name+" "+BackendStatusText(b, v))
	}
	out = append(out, Field{v.SumBackends, strings.Join(bs, "; ")})
	return out
}

// sectionShort is "" when the section has rows to summarise, else what to say instead:
// loading, failed, not returned, or none recorded.
func sectionShort(rec *record.Record, sec record.Section, v vocab.Vocabulary) string {
	if rec.Count(sec) > 0 {
		return ""
	}
	if Loading(rec, sec) {
		return v.Loading
	}
	var failed []string
	for _, s := range rec.StatusOf(sec) {
		if s.State == record.StateFailed {
			failed = append(failed, fmt.Sprintf(v.FailedIn, s.Backend, s.Error))
		}
	}
	if !rec.Returned(sec) {
		if len(failed) > 0 {
			return strings.Join(failed, "; ")
		}
		return v.NotReturned
	}
	out := v.SumNone
	if len(failed) > 0 {
		out += "; " + strings.Join(failed, "; ")
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
