package views

import (
	"fmt"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

func init() {
	registerView(record.SectionCarePackages, sectionView{
		title: func(v vocab.Vocabulary) string { return v.TabCarePackages },
		table: func(rec *record.Record, v vocab.Vocabulary, revealed func(string) bool, _ time.Time) Table {
			return CarePackagesTable(rec.Sections.CarePackages, rec.Sections.Referrals, v, revealed)
		},
		// Referrals and orders follow the care packages in the table, and so in the index.
		fields: func(s *record.SectionsData, i int, v vocab.Vocabulary, _ time.Time) (*record.Item, []Field) {
			if i >= len(s.CarePackages) {
				s, i = &record.SectionsData{CarePackages: s.Referrals}, i-len(s.CarePackages)
			}
			if i < 0 || i >= len(s.CarePackages) {
				return nil, nil
			}
			return &s.CarePackages[i].Item, carePackageFields(&s.CarePackages[i], v)
		},
		lead: CarePackageVerdict,
		// Referrals and orders are listed apart in text: they are not care packages.
		text: func(b *strings.Builder, rec *record.Record, v vocab.Vocabulary, st Styles, width int, revealed func(string) bool) {
			t := CarePackagesTable(rec.Sections.CarePackages, nil, v, revealed)
			writeTable(b, &t, v, st, width)
			if len(rec.Sections.Referrals) > 0 {
				fmt.Fprintf(b, "\n%s (%d)\n", v.Referrals, len(rec.Sections.Referrals))
				rt := ReferralsTable(rec.Sections.Referrals, v, revealed)
				writeTable(b, &rt, v, st, width)
			}
		},
	})
}

// CarePackagesTable is the care packages tab: type, status, provider, dates, schedule.
// Equipment is listed with the care packages, marked as equipment; referrals (clinical
// orders and referrals) follow them, marked as orders and always sorted after them: they
// are not care packages.
func CarePackagesTable(items, referrals []record.CarePackage, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionCarePackages,
		Columns: []Column{{Title: v.ColType, Max: 30}, {Title: v.ColStatus, Max: 40}, {Title: v.ColProvider, Flex: true, Max: 30},
			{Title: v.ColStart, Min: 11}, {Title: v.ColEnd, Min: 11}, {Title: v.ColSchedule, Max: 24}},
		Rows: make([]Row, 0, len(items)+len(referrals)),
	}
	add := func(c *record.CarePackage, index, group int) {
		r := Row{Index: index, Group: group, Domain: c.Provenance.Domain, Restricted: c.Masked(revealed)}
		if !r.Restricted {
			sched := c.Schedule
			if h := hoursText(c.HoursPerWeek, v); h != "" {
				sched = joinNonEmpty(", ", h, sched)
			}
			r.Cells = []string{packageType(c, group, v), PackageStatus(c, v), c.Provider,
				ukdate.Partial(c.Period.Start, c.Period.StartText), ukdate.Partial(c.Period.End, c.Period.EndText), sched}
			r.Keys = []string{"", "", "", sortTime(c.Period.Start), sortTime(c.Period.End), ""}
		}
		t.Rows = append(t.Rows, r)
	}
	for i := range items {
		add(&items[i], i, 0)
	}
	for i := range referrals {
		add(&referrals[i], len(items)+i, 1)
	}
	return t
}

// ReferralsTable is the "Referrals and orders" list of the text output.
func ReferralsTable(referrals []record.CarePackage, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := CarePackagesTable(nil, referrals, v, revealed)
	for i := range t.Rows {
		t.Rows[i].Group = 0
		if !t.Rows[i].Restricted {
			t.Rows[i].Cells[0] = referrals[i].Type
		}
	}
	return t
}

// packageType is the type with what kind of item it is, the marker first so that a narrow
// column still shows it: "[equipment] Hospital bed", "[order] MRI lumbar spine".
func packageType(c *record.CarePackage, group int, v vocab.Vocabulary) string {
	switch {
	case group == 1 || c.PackageCategory == record.PackageOrder:
		return joinNonEmpty(" ", v.OrderMark, c.Type)
	case c.PackageCategory == record.PackageEquipment:
		return joinNonEmpty(" ", v.EquipmentMark, c.Type)
	}
	return c.Type
}

// PackageStatus is the status as shcr reads it; when the server said otherwise, what the
// history says and when, and what the server says: "ended 03-Jan-2026 (server says active)".
func PackageStatus(c *record.CarePackage, v vocab.Vocabulary) string {
	s := v.StatusWord(c.Status)
	if c.ReportedStatus == "" || c.ReportedStatus == c.Status {
		return s
	}
	return joinNonEmpty(" ", s, statusSince(c), fmt.Sprintf(v.ServerSays, v.StatusWord(c.ReportedStatus)))
}

// statusSince is when the package took its status: the start of the last history entry
// with that status, else the end of its period, else the end of the last history entry.
func statusSince(c *record.CarePackage) string {
	for i := len(c.StatusHistory) - 1; i >= 0; i-- {
		h := c.StatusHistory[i]
		if h.Status == c.Status && !h.Period.Start.IsZero() {
			return ukdate.Partial(h.Period.Start, h.Period.StartText)
		}
	}
	if !c.Period.End.IsZero() {
		return ukdate.Partial(c.Period.End, c.Period.EndText)
	}
	if n := len(c.StatusHistory); n > 0 && !c.StatusHistory[n-1].Period.End.IsZero() {
		p := c.StatusHistory[n-1].Period
		return ukdate.Partial(p.End, p.EndText)
	}
	return ""
}

func carePackageFields(c *record.CarePackage, v vocab.Vocabulary) []Field {
	hist := make([]string, 0, len(c.StatusHistory))
	for _, h := range c.StatusHistory {
		hist = append(hist, v.StatusWord(h.Status)+" "+periodText(h.Period, v))
	}
	typ := c.Type
	switch c.PackageCategory {
	case record.PackageEquipment:
		typ = joinNonEmpty(" ", c.Type, v.EquipmentMark)
	case record.PackageOrder:
		typ = joinNonEmpty(" ", c.Type, v.OrderMark)
	}
	return []Field{
		{v.ColType, typ}, {v.ColStatus, PackageStatus(c, v)}, {v.ColDescription, c.Description},
		{v.ColProvider, c.Provider}, {v.ColStart, ukdate.Partial(c.Period.Start, c.Period.StartText)},
		{v.ColEnd, ukdate.Partial(c.Period.End, c.Period.EndText)},
		{v.ColSchedule, c.Schedule}, {v.ColHoursPerWeek, hoursText(c.HoursPerWeek, v)},
		{v.ColCareManager, c.CareManager}, {v.ColStatusHistory, strings.Join(hist, "; ")}, {v.ColKind, string(c.Kind)},
	}
}

// activePackage reports whether a care package (not equipment, not an order) is in place at now.
func activePackage(c *record.CarePackage, now time.Time) bool {
	if c.PackageCategory == record.PackageEquipment || c.PackageCategory == record.PackageOrder {
		return false
	}
	return c.Status == "active" && c.Period.Active(now)
}

// CarePackageVerdict is the discharge role's one-line answer: is a care package in place?
//
//   - "Care package in place: Yes — home care, 14 h a week, Provider, since 03-Jan-2026"
//     when every back end that knows the person was checked;
//   - "Care package in place: No — none active at A, B" only when every back end that knows
//     the person returned its care packages in full;
//   - "Care package in place: Unknown — not checked at C (server error); …" otherwise
//     (whenever record.Coverage has a back end unchecked), with an active package found
//     elsewhere named: "Unknown — found active: home care, …; timed out at C";
//   - "Care package in place: checking C…" while a back end is still being asked for its
//     care packages (never Yes or No before it has answered or given up), with what is
//     known so far: "checking C… — so far found active: home care, …".
//
// Referrals and orders never count, nor does equipment. A restricted package counts only
// where revealed(key) (nil: none); one not revealed makes "No" unknown.
func CarePackageVerdict(rec *record.Record, v vocab.Vocabulary, now time.Time, revealed func(key string) bool) string {
	unchecked := UncheckedPhrases(rec, record.SectionCarePackages, v)
	best := bestActivePackage(rec.Sections.CarePackages, now, revealed)
	if loading := LoadingBackends(rec, record.SectionCarePackages); len(loading) > 0 {
		return checkingVerdict(rec, loading, best, v)
	}
	if c := best; c != nil {
		parts := packageText(c, v)
		if len(unchecked) == 0 {
			return fmt.Sprintf(v.VerdictYes, parts)
		}
		// A back end that knows the person could not be checked: its answer (the council's
		// own, say) might differ, so the verdict is Unknown; what was found is still said.
		found := fmt.Sprintf(v.FoundActive, parts)
		return fmt.Sprintf(v.VerdictUnknown, strings.Join(append([]string{found}, unchecked...), "; "))
	}
	cov := rec.Coverage(record.SectionCarePackages)
	masked := 0
	for i := range rec.Sections.CarePackages {
		if rec.Sections.CarePackages[i].Masked(revealed) {
			masked++
		}
	}
	if cov.Checked() && masked == 0 {
		return joinNonEmpty("; ", append([]string{fmt.Sprintf(v.VerdictNo, strings.Join(cov.Complete, ", "))}, notHeldPhrases(cov, v, true)...)...)
	}
	var why []string
	if masked > 0 {
		why = append(why, fmt.Sprintf(v.RestrictedCount, masked))
	}
	if len(cov.Complete) > 0 {
		why = append(why, fmt.Sprintf(v.NoneActiveAt, strings.Join(cov.Complete, ", ")))
	}
	why = append(why, unchecked...)
	if len(unchecked) == 0 {
		why = append(why, notHeldPhrases(cov, v, true)...)
	}
	if len(why) == 0 {
		why = append(why, v.NotReturned)
	}
	return fmt.Sprintf(v.VerdictUnknown, strings.Join(why, "; "))
}

// checkingVerdict is the verdict while back ends are still being asked: "checking X…",
// never Yes or No, with what is known so far (an active package found, a back end that
// failed).
func checkingVerdict(rec *record.Record, loading []string, best *record.CarePackage, v vocab.Vocabulary) string {
	var soFar []string
	if best != nil {
		soFar = append(soFar, fmt.Sprintf(v.FoundActive, packageText(best, v)))
	}
	for _, st := range rec.Coverage(record.SectionCarePackages).Unchecked {
		if st.State != record.StateLoading {
			soFar = appendNew(soFar, StatePhrase(st, v))
		}
	}
	who := strings.Join(loading, ", ")
	if len(soFar) == 0 {
		return fmt.Sprintf(v.VerdictChecking, who)
	}
	return fmt.Sprintf(v.VerdictCheckingSoFar, who, strings.Join(soFar, "; "))
}

// packageText is an active package in a few words: "home care, 14 h a week, Provider,
// since 03-Jan-2026".
func packageText(c *record.CarePackage, v vocab.Vocabulary) string {
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
		parts = append(parts, fmt.Sprintf(v.Since, ukdate.Partial(c.Period.Start, c.Period.StartText)))
	}
	return strings.Join(parts, ", ")
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
		if c.Kind == record.PackageKindEpisode {
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
