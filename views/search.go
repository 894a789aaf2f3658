package views

import (
	"strings"
	"time"

	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// ResultsTable lists the people a search found, with enough to tell them apart: name, born,
// gender, postcode, NHS number and which back ends know them. A person known only to one back
// end without an NHS number is flagged unmatched.
func ResultsTable(people []record.Person, unmatched []bool, v vocab.Vocabulary, now time.Time) Table {
	t := Table{
		Columns: []Column{{Title: v.ColName, Min: 16, Max: 28}, {Title: v.ColBorn, Min: 17}, {Title: v.ColGender, Max: 8},
			{Title: v.ColPostcode, Max: 9}, {Title: v.ColNHSNumber, Min: 12}, {Title: v.ColKnownTo, Flex: true}},
		Rows:     make([]Row, len(people)),
		NoDomain: true,
	}
	for i := range people {
		p := &people[i]
		var srcs []string
		for _, s := range p.Sources {
			srcs = append(srcs, s.Backend)
		}
		known := strings.Join(srcs, ", ")
		if i < len(unmatched) && unmatched[i] {
			known += " — " + v.Unmatched
		}
		postcode := p.Address.Postcode
		if p.Restricted { // PDS sensitive: where they live is withheld, in the list too
			postcode = v.Withheld
		}
		t.Rows[i] = Row{Index: i, Restricted: false,
			Cells: []string{PersonName(p.Name), BornText(p.BirthDate, v, now), v.GenderWord(p.Gender), postcode,
				NHSNumberText(p.NHSNumber, v), known}}
	}
	return t
}
