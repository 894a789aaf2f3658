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

// National flags (child protection, reasonable adjustments, FGM) and objections to sharing:
// the banner lines that follow the chips on every tab, and the child protection section.

func init() {
	registerView(record.SectionChildProtection, listView(record.SectionChildProtection,
		func(v vocab.Vocabulary) string { return v.TitleChildProtection },
		func(s *record.SectionsData) []record.ChildProtectionPlan { return s.ChildProtection },
		ChildProtectionTable, childProtectionFields))
}

// FlagLines are the banner's lines for national flags that hold now (an ended or inactive
// flag is not shown), then one line per back end the person objected to sharing from.
// A child protection flag names the plan and the responsible local authority's office-hours
// and out-of-hours numbers once they are read, else says they were not asked.
func FlagLines(rec *record.Record, v vocab.Vocabulary, st Styles, width int, now time.Time) []string {
	var segs []string
	seen := map[string]bool{}
	for _, a := range rec.NationalFlags(now) {
		if seen[a.Programme] {
			continue
		}
		seen[a.Programme] = true
		switch a.Programme {
		case record.FlagChildProtection:
			segs = append(segs, st.ChipAlert.Render("["+v.FlagChildProtection+"]")+" "+st.Text.Render(childProtectionLine(rec, v, now)))
		case record.FlagReasonableAdjustment:
			segs = append(segs, st.ChipWarn.Render("["+v.FlagReasonableAdjustment+"]")+flagDetail(a, st))
		case record.FlagFGM:
			segs = append(segs, st.ChipAlert.Render("["+v.FlagFGM+"]")+flagDetail(a, st))
		}
	}
	national, own := rec.NationalObjections(now), rec.OwnObjections(now)
	nationalShown := slices.ContainsFunc(rec.EmergencyAccess, func(b string) bool { return !slices.Contains(own, b) })
	for _, c := range national {
		// One line for a national dissent: it covers every care record, however many.
		if nationalShown {
			segs = append(segs, st.ChipWarn.Render("["+fmt.Sprintf(v.ObjectedNationalRevealed, c.Provenance.Backend)+"]"))
		} else {
			segs = append(segs, st.ChipAlert.Render("["+fmt.Sprintf(v.ObjectedNational, c.Provenance.Backend)+"]"))
		}
	}
	for _, b := range rec.ObjectedBackends(now) {
		if len(national) > 0 && !slices.Contains(own, b) {
			continue // said by the national line
		}
		if slices.Contains(rec.EmergencyAccess, b) {
			segs = append(segs, st.ChipWarn.Render("["+fmt.Sprintf(v.ObjectedRevealed, b)+"]"))
		} else {
			segs = append(segs, st.ChipAlert.Render("["+fmt.Sprintf(v.ObjectedBanner, b)+"]"))
		}
	}
	var lines []string
	for _, s := range segs {
		lines = append(lines, flow([]string{s}, " ", width)...)
	}
	return lines
}

// flagDetail is " notes" (else " text") of a flag, or "".
func flagDetail(a record.Alert, st Styles) string {
	d := a.Notes
	if d == "" {
		d = a.Text
	}
	if d == "" {
		return ""
	}
	return " " + st.Text.Render(d)
}

// childProtectionLine says what is known of the plan: its type and start, the local
// authority and its numbers; or that the contacts were not asked (unscheduled care, not yet
// opened), or could not be read.
func childProtectionLine(rec *record.Record, v vocab.Vocabulary, now time.Time) string {
	var parts []string
	for _, p := range rec.Sections.ChildProtection {
		if p.Withheld != "" || p.Restricted || !p.Current(now) {
			continue
		}
		plan := planWord(p, v)
		if p.Period.Start.IsZero() {
			parts = append(parts, plan)
		} else {
			parts = append(parts, plan+" "+fmt.Sprintf(v.Since, ukdate.Partial(p.Period.Start, p.Period.StartText)))
		}
		la := fmt.Sprintf(v.CPCall, p.LocalAuthority)
		if n := firstPhone(p.OfficeHours, now); n != "" {
			la += " · " + v.CPOfficeHours + " " + n
		}
		if n := firstPhone(p.OutOfHours, now); n != "" {
			la += " · " + v.CPOutOfHours + " " + n
		}
		parts = append(parts, la)
		if len(p.RecentAccesses) > 0 {
			a := p.RecentAccesses[0] // newest first
			parts = append(parts, fmt.Sprintf(v.CPLastAccess, ukdate.Partial(a.At, a.AtText), a.Organisation))
		}
		if p.UnscheduledNotified {
			parts = append(parts, v.CPNotified)
		}
		return strings.Join(parts, " · ")
	}
	for _, st := range rec.StatusOf(record.SectionChildProtection) {
		switch st.State {
		case record.StateNotQueried:
			return v.CPNotAsked
		case record.StateFailed, record.StateTimedOut:
			return StatePhrase(st, v)
		}
	}
	return v.CPNoContacts
}

func planWord(p record.ChildProtectionPlan, v vocab.Vocabulary) string {
	switch p.PlanType {
	case record.PlanChildProtection:
		return v.PlanCPPI
	case record.PlanLookedAfter:
		return v.PlanLACI
	case record.PlanUnborn:
		return v.PlanUCPI
	}
	if p.PlanText != "" {
		return p.PlanText
	}
	return p.PlanType
}

// ChildProtectionTable lists child protection plans with the local authority's numbers.
func ChildProtectionTable(items []record.ChildProtectionPlan, v vocab.Vocabulary, revealed func(string) bool, now time.Time) Table {
	t := Table{
		Section: record.SectionChildProtection,
		Columns: []Column{{Title: v.ColPlan, Max: 28}, {Title: v.ColLocalAuthority, Flex: true}, {Title: v.ColOfficeHours, Max: 24},
			{Title: v.ColOutOfHours, Max: 24}, {Title: v.ColStart, Min: 11}, {Title: v.ColStatus, Max: 20}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		p := &items[i]
		r := Row{Index: i, Domain: p.Provenance.Domain, Restricted: p.Masked(revealed)}
		if !r.Restricted {
			r.Cells = []string{planWord(*p, v), p.LocalAuthority, firstPhone(p.OfficeHours, now), firstPhone(p.OutOfHours, now),
				ukdate.Partial(p.Period.Start, p.Period.StartText), planStatus(p, v, now)}
			r.TextCells = []string{planWord(*p, v), p.LocalAuthority, phonesText(p.OfficeHours, v, now), phonesText(p.OutOfHours, v, now),
				ukdate.Partial(p.Period.Start, p.Period.StartText), planStatus(p, v, now)}
			r.Keys = []string{"", "", "", "", sortTime(p.Period.Start), ""}
			r.Phone = firstPhone(p.OutOfHours, now)
			if r.Phone == "" {
				r.Phone = firstPhone(p.OfficeHours, now)
			}
		}
		t.Rows[i] = r
	}
	return t
}

// planStatus: an ended plan says so whatever its status; else the status as a word.
func planStatus(p *record.ChildProtectionPlan, v vocab.Vocabulary, now time.Time) string {
	if p.Period.Ended(now) {
		return fmt.Sprintf(v.EndedOn, ukdate.Partial(p.Period.End, p.Period.EndText))
	}
	if p.Status == "" {
		return v.StatusActive
	}
	return v.StatusWord(p.Status)
}

func childProtectionFields(p *record.ChildProtectionPlan, v vocab.Vocabulary, now time.Time) []Field {
	f := []Field{{v.ColPlan, planWord(*p, v)}, {v.ColLocalAuthority, p.LocalAuthority},
		{v.ColOfficeHours, phonesText(p.OfficeHours, v, now)}, {v.ColOutOfHours, phonesText(p.OutOfHours, v, now)},
		{v.ColStart, ukdate.Partial(p.Period.Start, p.Period.StartText)}, {v.ColEnd, ukdate.Partial(p.Period.End, p.Period.EndText)},
		{v.ColStatus, planStatus(p, v, now)}}
	if p.UnscheduledNotified {
		f = append(f, Field{v.ColNote, v.CPNotified})
	}
	if a := accessesText(p, v); a != "" {
		f = append(f, Field{v.CPAccesses, a})
	}
	return f
}

// accessesText lists the child's recent unscheduled-care accesses, a line each; "none" only
// when CP-IS was asked and answered; why when it could not be read; "" when not asked.
func accessesText(p *record.ChildProtectionPlan, v vocab.Vocabulary) string {
	switch {
	case p.AccessesError != "":
		return fmt.Sprintf(v.CPAccessesFailed, p.AccessesError)
	case !p.AccessesRead:
		return ""
	case len(p.RecentAccesses) == 0:
		return v.CPAccessesNone
	}
	var lines []string
	for _, a := range p.RecentAccesses {
		who := a.Organisation
		if a.OrganisationCode != "" && a.OrganisationCode != who {
			who += " (" + a.OrganisationCode + ")"
		}
		lines = append(lines, ukdate.Partial(a.At, a.AtText)+"  "+who)
	}
	return strings.Join(lines, "\n")
}
