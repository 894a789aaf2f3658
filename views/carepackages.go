package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/views/vocab"
)

// CarePackagesTable is the care packages tab: type, status, provider, dates, schedule.
func CarePackagesTable(items []record.CarePackage, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionCarePackages,
		Columns: []Column{{Title: v.ColType, Max: 24}, {Title: v.ColStatus, Max: 10}, {Title: v.ColProvider, Flex: true, Max: 30},
			{Title: v.ColStart, Min: 11}, {Title: v.ColEnd, Min: 11}, {Title: v.ColSchedule, Max: 24}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		c := &items[i]
		r := Row{Index: i, Domain: c.Provenance.Domain, Restricted: c.Masked(revealed)}
		if !r.Restricted {
			sched := c.Schedule
			if h := hoursText(c.HoursPerWeek, v); h != "" {
				sched = strings.TrimPrefix(strings.Join([]string{h, sched}, ", "), ", ")
				sched = strings.TrimSuffix(sched, ", ")
			}
			r.Cells = []string{c.Type, v.StatusWord(c.Status), c.Provider, ukdate.Date(c.Period.Start), ukdate.Date(c.Period.End), sched}
			r.Keys = []string{"", "", "", sortTime(c.Period.Start), sortTime(c.Period.End), ""}
		}
		t.Rows[i] = r
	}
	return t
}

func carePackageFields(c *record.CarePackage, v vocab.Vocabulary) []Field {
	hist := make([]string, 0, len(c.StatusHistory))
	for _, h := range c.StatusHistory {
		hist = append(hist, v.StatusWord(h.Status)+" "+periodText(h.Period, v))
	}
	return []Field{
		{v.ColType, c.Type}, {v.ColStatus, v.StatusWord(c.Status)}, {v.ColDescription, c.Description},
		{v.ColProvider, c.Provider}, {v.ColStart, ukdate.Date(c.Period.Start)}, {v.ColEnd, ukdate.Date(c.Period.End)},
		{v.ColSchedule, c.Schedule}, {v.ColHoursPerWeek, hoursText(c.HoursPerWeek, v)},
		{v.ColCareManager, c.CareManager}, {v.ColStatusHistory, strings.Join(hist, "; ")}, {v.ColKind, c.Kind},
	}
}

// activePackage reports whether a care package is in place at now.
func activePackage(c *record.CarePackage, now time.Time) bool {
	return c.Status == "active" && c.Period.Active(now)
}

// CarePackageVerdict is the discharge role's one-line answer: is a care package in place?
// "Care package in place: Yes — home care, 14 h a week, Provider, since 03-Jan-2026", or
// "No active care package found in: A, B; not checked: C". It names every back end: those
// that returned the section, and those that failed or were not asked. A restricted package
// counts only where revealed(key) (nil: none).
func CarePackageVerdict(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool) string {
	if c := bestActivePackage(rec.Sections.CarePackages, now, revealed); c != nil {
		var parts []string
		if c.Type != "" {
			parts = append(parts, strings.ToLower(c.Type))
		}
		if h := hoursText(c.HoursPerWeek, v); h != "" {
			parts = append(parts, h)
		} else if c.Schedule != "" {
			parts = append(parts, c.Schedule)
		}
		if c.Provider != "" {
			parts = append(parts, c.Provider)
		}
		if !c.Period.Start.IsZero() {
			parts = append(parts, fmt.Sprintf(v.Since, ukdate.Date(c.Period.Start)))
		}
		return fmt.Sprintf(v.VerdictYes, strings.Join(parts, ", "))
	}
	vb := verdictBackendsOf(rec, record.SectionCarePackages)
	checked := vb.returned
	for _, b := range vb.notKnown {
		checked = append(checked, fmt.Sprintf(v.VerdictNotKnownThere, b))
	}
	var out string
	if len(checked) == 0 {
		out = v.VerdictUnknown
		if len(vb.notHeld) > 0 {
			out += "; " + fmt.Sprintf(v.VerdictNotHeld, strings.Join(vb.notHeld, ", "))
		}
	} else {
		out = fmt.Sprintf(v.VerdictNo, strings.Join(checked, ", "))
	}
	if len(vb.unchecked) > 0 {
		out += "; " + fmt.Sprintf(v.VerdictNotChecked, strings.Join(vb.unchecked, ", "))
	}
	return out
}

// bestActivePackage is the active package that says most: a council service (EpisodeOfCare)
// with hours and a provider before a plan or a request.
func bestActivePackage(cs []record.CarePackage, now time.Time, revealed func(key string) bool) *record.CarePackage {
	var best *record.CarePackage
	bestScore := -1
	for i := range cs {
		c := &cs[i]
		if c.Masked(revealed) || !activePackage(c, now) {
			continue
		}
		score := 0
		if c.Kind == "EpisodeOfCare" {
			score += 4
		}
		if c.HoursPerWeek > 0 || c.Schedule != "" {
			score += 2
		}
		if c.Provider != "" {
			score++
		}
		if score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

// verdictBackends sorts the record's back ends by what they said about one section.
type verdictBackends struct {
	returned  []string // answered: zero items there means none recorded
	notKnown  []string // do not know the person, so hold nothing for them
	notHeld   []string // do not hold or serve this section
	unchecked []string // failed, not asked, or still loading: the answer is unknown there
}

func verdictBackendsOf(rec *record.Record, sec record.Section) verdictBackends {
	var vb verdictBackends
	seen := map[string]bool{}
	for _, st := range rec.StatusOf(sec) {
		seen[st.Backend] = true
		switch st.State {
		case record.StateReturned:
			vb.returned = append(vb.returned, st.Backend)
		case record.StateNotSupported:
			vb.notHeld = append(vb.notHeld, st.Backend)
		default:
			vb.unchecked = append(vb.unchecked, st.Backend)
		}
	}
	for _, b := range rec.Backends {
		if seen[b.Name] {
			continue
		}
		seen[b.Name] = true
		if b.Status == record.BackendNotKnown {
			vb.notKnown = append(vb.notKnown, b.Name)
		} else {
			vb.unchecked = append(vb.unchecked, b.Name)
		}
	}
	return vb
}
