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
	registerView(record.SectionNextOfKin, listView(record.SectionNextOfKin, func(v vocab.Vocabulary) string { return v.TabNextOfKin },
		func(s *record.SectionsData) []record.Contact { return s.NextOfKin }, NextOfKinTable, contactFields))
}

// NextOfKinTable is the next of kin tab: name, relationship and roles, phone numbers first,
// ordered by contact rank (1 = call first; unranked last). A contact that has ended is shown
// as ended, never ranked to call first and never offered to copy; it sorts last.
func NextOfKinTable(items []record.Contact, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) Table {
	t := Table{
		Section: record.SectionNextOfKin,
		Columns: []Column{{Title: v.ColName, Max: 24, Wrap: true}, {Title: v.ColRelationship, Max: 40, Flex: true, Wrap: true},
			{Title: v.ColPhone, Max: 34, Whole: true}, {Title: v.ColRank, Min: 4}},
		Rows:        make([]Row, len(items)),
		DefaultSort: 3,
	}
	for i := range items {
		c := &items[i]
		r := Row{Index: i, Domain: c.Provenance.Domain, Restricted: c.Masked(revealed)}
		if !r.Restricted {
			rank, key := "", rankKey(c.Rank)
			if c.Current(now) {
				r.Phone = firstPhone(c.Phones, now)
				if c.Rank > 0 {
					rank = fmt.Sprint(c.Rank)
				}
			} else {
				key = "99999~" // ended: after every current contact
			}
			r.Cells = []string{orNameNotRecorded(c.Name, v), ContactRelationship(c, v, now), contactPhonesCell(c, v, now), rank}
			if all := contactPhones(c, v, now); all != r.Cells[2] {
				r.TextCells = []string{r.Cells[0], r.Cells[1], all, rank}
			}
			r.Keys = []string{"", "", "", key}
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

// contactPhones is the contact's numbers, or "no phone recorded".
func contactPhones(c *record.Contact, v vocab.Vocabulary, now time.Time) string {
	if p := phonesText(c.Phones, v, now); p != "" {
		return p
	}
	return v.NoPhoneRecorded
}

// contactPhoneLines is the contact's numbers a line each (a number is never broken across
// lines), or "no phone recorded".
func contactPhoneLines(c *record.Contact, v vocab.Vocabulary, now time.Time) string {
	if ps := phoneList(c.Phones, v, now); len(ps) > 0 {
		return strings.Join(ps, "\n")
	}
	return v.NoPhoneRecorded
}

// contactPhonesCell is the table's phone cell: for a current contact only the numbers to
// call, and how many others there are (a fax, an ended number: in the details); for an ended
// contact, or one with no number to call, every number with its label.
func contactPhonesCell(c *record.Contact, v vocab.Vocabulary, now time.Time) string {
	var call []string
	for _, p := range c.Phones {
		if p.Number != "" && p.Callable(now) {
			call = append(call, PhoneText(p, v, now))
		}
	}
	if !c.Current(now) || len(call) == 0 {
		return contactPhones(c, v, now)
	}
	if other := len(slices.DeleteFunc(slices.Clone(c.Phones), func(p record.Phone) bool { return p.Number == "" || p.Callable(now) })); other > 0 {
		call = append(call, fmt.Sprintf(v.PhonesMore, other))
	}
	return strings.Join(call, ", ")
}

// ContactRelationship is "Wife — next of kin, key holder"; a contact that no longer holds
// says so: "Guardian — ended 01-Nov-2025", "Son — no longer a contact".
func ContactRelationship(c *record.Contact, v vocab.Vocabulary, now time.Time) string {
	roles := make([]string, 0, len(c.Roles))
	for _, r := range c.Roles {
		if w := v.ContactRole(r); !strings.EqualFold(w, c.Relationship) { // "Guardian — guardian" says it twice
			roles = append(roles, w)
		}
	}
	rs := strings.Join(roles, ", ")
	out := rs
	switch {
	case c.Relationship != "" && rs != "":
		out = c.Relationship + " — " + rs
	case c.Relationship != "":
		out = c.Relationship
	}
	if ended := contactEnded(c, v, now); ended != "" {
		out = joinNonEmpty(" — ", ended, out) // first, so that a narrow column still shows it
	}
	return out
}

// contactEnded is "" for a current contact, else why it is not current.
func contactEnded(c *record.Contact, v vocab.Vocabulary, now time.Time) string {
	switch {
	case c.Current(now):
		return ""
	case c.Period.Ended(now):
		return fmt.Sprintf(v.EndedOn, ukdate.Partial(c.Period.End, c.Period.EndText))
	case c.Inactive:
		return v.NoLongerContact
	case !c.Period.Start.IsZero() && now.Before(c.Period.Start):
		return fmt.Sprintf(v.StartsOn, ukdate.Partial(c.Period.Start, c.Period.StartText))
	}
	return v.NoLongerContact
}

func contactFields(c *record.Contact, v vocab.Vocabulary, now time.Time) []Field {
	rank := ""
	if c.Rank > 0 && c.Current(now) {
		rank = fmt.Sprint(c.Rank)
	}
	return []Field{
		{v.ColName, orNameNotRecorded(c.Name, v)}, {v.ColRelationship, ContactRelationship(c, v, now)},
		{v.ColPhone, contactPhoneLines(c, v, now)},
		{v.ColRank, rank}, {v.ColEmail, c.Email}, {v.ColAddress, addressText(c.Address)},
		{v.ColStart, periodText(c.Period, v)},
	}
}
