package views

import (
	"strings"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/views/vocab"
)

// CareTeamTable is the care team tab: the allocated social worker and other professionals.
func CareTeamTable(items []record.CareTeamMember, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionCareTeam,
		Columns: []Column{{Title: v.ColName, Max: 24}, {Title: v.ColRole, Max: 24}, {Title: v.ColTeam, Flex: true, Max: 30},
			{Title: v.ColPhone, Max: 16}, {Title: v.ColStart, Min: 11}},
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
			r.Phone = firstPhone(m.Phones)
			r.Cells = []string{m.Name, m.Role, team, r.Phone, ukdate.Date(m.Period.Start)}
			r.Keys = []string{"", "", "", "", sortTime(m.Period.Start)}
		}
		t.Rows[i] = r
	}
	return t
}

func careTeamFields(m *record.CareTeamMember, v vocab.Vocabulary) []Field {
	return []Field{
		{v.ColName, m.Name}, {v.ColRole, m.Role}, {v.ColCode, m.RoleCode}, {v.ColTeam, m.Team},
		{v.ColOrganisation, m.Organisation}, {v.ColPhone, phonesText(m.Phones, v)}, {v.ColEmail, m.Email},
		{v.ColStatus, v.StatusWord(m.Status)}, {v.ColStart, ukdate.Date(m.Period.Start)}, {v.ColEnd, ukdate.Date(m.Period.End)},
	}
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
