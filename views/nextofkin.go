package views

import (
	"fmt"
	"strings"

	"github.com/shcr-project/shcr/client/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// NextOfKinTable is the next of kin tab: name, relationship and roles, phone numbers first,
// ordered by contact rank (1 = call first; unranked last).
func NextOfKinTable(items []record.Contact, v vocab.Vocabulary, revealed func(key string) bool) Table {
	t := Table{
		Section: record.SectionNextOfKin,
		Columns: []Column{{Title: v.ColName, Max: 24}, {Title: v.ColRelationship, Max: 34, Flex: true},
			{Title: v.ColPhone, Max: 34}, {Title: v.ColRank, Min: 4}},
		Rows:        make([]Row, len(items)),
		DefaultSort: 3,
	}
	for i := range items {
		c := &items[i]
		r := Row{Index: i, Domain: c.Provenance.Domain, Restricted: c.Masked(revealed)}
		if !r.Restricted {
			r.Phone = firstPhone(c.Phones)
			rank := ""
			if c.Rank > 0 {
				rank = fmt.Sprint(c.Rank)
			}
			r.Cells = []string{c.Name, ContactRelationship(c, v), phonesText(c.Phones, v), rank}
			r.Keys = []string{"", "", "", rankKey(c.Rank)}
		} else {
			r.Keys = []string{"", "", "", rankKey(0)}
		}
		t.Rows[i] = r
	}
	return t
}

func rankKey(rank int) string {
	if rank <= 0 {
		return "99999"
	}
	return fmt.Sprintf("%05d", rank)
}

// ContactRelationship is "Wife — next of kin, key holder".
func ContactRelationship(c *record.Contact, v vocab.Vocabulary) string {
	roles := make([]string, 0, len(c.Roles))
	for _, r := range c.Roles {
		roles = append(roles, v.ContactRole(r))
	}
	rs := strings.Join(roles, ", ")
	switch {
	case c.Relationship != "" && rs != "":
		return c.Relationship + " — " + rs
	case c.Relationship != "":
		return c.Relationship
	}
	return rs
}

func contactFields(c *record.Contact, v vocab.Vocabulary) []Field {
	rank := ""
	if c.Rank > 0 {
		rank = fmt.Sprint(c.Rank)
	}
	return []Field{
		{v.ColName, c.Name}, {v.ColRelationship, ContactRelationship(c, v)}, {v.ColPhone, phonesText(c.Phones, v)},
		{v.ColRank, rank}, {v.ColEmail, c.Email}, {v.ColAddress, addressText(c.Address)},
		{v.ColStart, periodText(c.Period, v)},
	}
}
