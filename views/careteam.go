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

func init() {
	registerView(record.SectionCareTeam, listView(record.SectionCareTeam, func(v vocab.Vocabulary) string { return v.TabCareTeam },
		func(s *record.SectionsData) []record.CareTeamMember { return s.CareTeam }, CareTeamTable, careTeamFields))
}

// CareTeamTable is the care team tab: the allocated social worker and other professionals.
// A member who has left the team shows when (End); their numbers are never offered to copy.
func CareTeamTable(items []record.CareTeamMember, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) Table {
	t := Table{
		Section: record.SectionCareTeam,
		Columns: []Column{{Title: v.ColName, Max: 24}, {Title: v.ColRole, Max: 24}, {Title: v.ColTeam, Flex: true, Max: 30},
			{Title: v.ColPhone, Min: 12, Max: 16}, {Title: v.ColStart, Min: 11}, {Title: v.ColEnd, Min: 11}},
		Rows: make([]Row, len(items)),
	}
	for i := range items {
		m := &items[i]
		r := Row{Index: i, Domain: m.Provenance.Domain, Restricted: m.Masked(revealed)}
		if !r.Restricted {
			team := m.Team
			if m.Organisation != "" && m.Organisation != team {
				team = strings.TrimPrefix(team+", "+m.Organisation, ", ")
			}
			phone := ""
			if m.Current(now) {
				r.Phone = firstPhone(m.Phones, now)
				phone = r.Phone
			}
			r.Cells = []string{orNameNotRecorded(m.Name, v), m.Role, team, phone,
				ukdate.Partial(m.Period.Start, m.Period.StartText), memberEnd(m, v, now)}
			r.Keys = []string{"", "", "", "", sortTime(m.Period.Start), sortTime(m.Period.End)}
		}
		t.Rows[i] = r
	}
	// The End column only where a member has an end: the table stays narrow otherwise.
	if !slices.ContainsFunc(t.Rows, func(r Row) bool { return len(r.Cells) > 5 && r.Cells[5] != "" }) {
		t.Columns = t.Columns[:5]
		for i := range t.Rows {
			if len(t.Rows[i].Cells) > 5 {
				t.Rows[i].Cells, t.Rows[i].Keys = t.Rows[i].Cells[:5], t.Rows[i].Keys[:5]
			}
		}
	}
	return t
}

// memberEnd is when a member left the team ("ended 03-Jan-2026"), "inactive" when the
// source says so without a date, and the planned end of a current member.
func memberEnd(m *record.CareTeamMember, v vocab.Vocabulary, now time.Time) string {
	end := ukdate.Partial(m.Period.End, m.Period.EndText)
	switch {
	case m.Current(now):
		return end
	case m.Period.Ended(now):
		return fmt.Sprintf(v.EndedOn, end)
	case !m.Period.Start.IsZero() && now.Before(m.Period.Start):
		return fmt.Sprintf(v.StartsOn, ukdate.Partial(m.Period.Start, m.Period.StartText))
	}
	return v.StatusWord(m.Status)
}

func careTeamFields(m *record.CareTeamMember, v vocab.Vocabulary, now time.Time) []Field {
	status := v.StatusWord(m.Status)
	if !m.Current(now) {
		status = joinNonEmpty(", ", status, memberEnd(m, v, now))
	}
	return []Field{
		{v.ColName, orNameNotRecorded(m.Name, v)}, {v.ColRole, m.Role}, {v.ColCode, m.RoleCode}, {v.ColTeam, m.Team},
		{v.ColOrganisation, m.Organisation}, {v.ColPhone, phonesText(m.Phones, v, now)}, {v.ColEmail, m.Email},
		{v.ColStatus, status}, {v.ColStart, ukdate.Partial(m.Period.Start, m.Period.StartText)},
		{v.ColEnd, ukdate.Partial(m.Period.End, m.Period.EndText)},
	}
}

func orNameNotRecorded(name string, v vocab.Vocabulary) string {
	if strings.TrimSpace(name) == "" {
		return v.NameNotRecorded
	}
	return name
}

// isSocialWorker reports whether a care team member is a social worker (SNOMED CT 106328005,
// NHS job role R1330, or the role text says so).
func isSocialWorker(m *record.CareTeamMember) bool {
	switch m.RoleCode {
	case "106328005", "R1330", "768832004":
		return true
	}
	r := strings.ToLower(m.Role)
	return strings.Contains(r, "social worker") || strings.Contains(r, "case manager")
}
