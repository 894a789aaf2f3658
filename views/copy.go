package views

import (
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
	"github.com/shcr-project/shcr/record"
	"github.com/shcr-project/shcr/views/vocab"
)

// CopyChoice is one thing the copy chooser offers: its label ("Phone (mobile)"), the value
// put on the clipboard and what the status bar says was copied ("the phone number").
type CopyChoice struct {
	Label, Value, What string
}

// CopyChoices are what can be copied from item index of sec (sec "" or index < 0: the
// person): the NHS number, each phone of the selected contact (or of the person), its
// address, and the item as text. Nothing restricted is offered unless revealed(key).
func CopyChoices(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) []CopyChoice {
	var out []CopyChoice
	if n := rec.Person.NHSNumber; n != "" {
		out = append(out, CopyChoice{Label: v.NHSNumber + " " + nhsnumber.Format(n), Value: n, What: v.CopyNHSNumber})
	}
	phones := func(ps []record.Phone, who string) { // the numbers to call now first
		for _, callable := range []bool{true, false} {
			for _, p := range ps {
				if p.Number != "" && p.Callable(now) == callable {
					out = append(out, CopyChoice{Label: joinNonEmpty(" — ", v.ColPhone+" "+PhoneText(p, v, now), who), Value: p.Number, What: v.CopyPhone})
				}
			}
		}
	}
	address := func(a record.Address, who string) {
		if s := addressText(a); s != "" {
			out = append(out, CopyChoice{Label: joinNonEmpty(" — ", v.ColAddress+" "+s, who), Value: s, What: v.CopyAddress})
		}
	}
	personOpen := !rec.Person.Restricted || revealed != nil && revealed(record.RevealPersonKey)
	item := itemAt(rec, sec, index)
	switch {
	case item == nil:
		if personOpen {
			phones(rec.Person.Phones, "")
			address(rec.Person.Address, "")
		}
		return out
	case item.Masked(revealed):
		return out
	}
	switch sec {
	case record.SectionNextOfKin:
		c := &rec.Sections.NextOfKin[index]
		phones(c.Phones, c.Name)
		address(c.Address, c.Name)
	case record.SectionCareTeam:
		m := &rec.Sections.CareTeam[index]
		phones(m.Phones, m.Name)
	}
	if t := ItemLine(rec, sec, index, v, revealed, now); t != "" {
		out = append(out, CopyChoice{Label: v.ColText + " " + t, Value: t, What: v.CopyRow})
	}
	return out
}

// PrimaryCopy is what `y` copies from item index of sec: the number to call on a contact
// (a voice number in use now; none for an ended contact), the medication and its dose on
// the medications, the item as text elsewhere; on the summary (sec ""), the NHS number.
// ok is false when there is nothing to copy (a restricted item, a contact with no number
// to call).
func PrimaryCopy(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) (c CopyChoice, ok bool) {
	item := itemAt(rec, sec, index)
	if item == nil {
		if sec == "" && rec.Person.NHSNumber != "" {
			return CopyChoice{Value: rec.Person.NHSNumber, What: v.CopyNHSNumber}, true
		}
		return c, false
	}
	if item.Masked(revealed) {
		return c, false
	}
	switch sec {
	case record.SectionNextOfKin:
		ct := &rec.Sections.NextOfKin[index]
		if !ct.Current(now) {
			return c, false
		}
		if n := firstPhone(ct.Phones, now); n != "" {
			return CopyChoice{Value: n, What: v.CopyPhone}, true
		}
		return c, false
	case record.SectionCareTeam:
		if n := firstPhone(rec.Sections.CareTeam[index].Phones, now); n != "" {
			return CopyChoice{Value: n, What: v.CopyPhone}, true
		}
	case record.SectionMedications:
		m := &rec.Sections.Medications[index]
		if t := joinNonEmpty(" — ", m.Name, m.Dosage); t != "" {
			return CopyChoice{Value: t, What: v.Medication}, true
		}
	}
	if t := ItemLine(rec, sec, index, v, revealed, now); t != "" {
		return CopyChoice{Value: t, What: v.CopyRow}, true
	}
	return c, false
}

// ItemLine is item index of sec as one line of text: its fields ("Type: Home care; Status:
// active; …"), then where it came from. "" for a restricted item not revealed.
func ItemLine(rec *record.Record, sec record.Section, index int, v vocab.Vocabulary, revealed func(key string) bool, now time.Time) string {
	item, fields := sectionFields(rec, sec, index, v, now)
	if item == nil || item.Masked(revealed) {
		return ""
	}
	parts := make([]string, 0, len(fields)+1)
	for _, f := range fields {
		if val := strings.Join(strings.Fields(f.Value), " "); val != "" {
			parts = append(parts, f.Label+": "+val)
		}
	}
	parts = append(parts, v.From+": "+SourceText(*item, v))
	return strings.Join(parts, "; ")
}

// itemAt is item index of sec (as a table row's Index counts: care packages' referrals
// follow the packages), nil when there is none (or sec is "").
func itemAt(rec *record.Record, sec record.Section, index int) *record.Item {
	if sec == "" || index < 0 {
		return nil
	}
	item, _ := sectionFields(rec, sec, index, vocab.Health(), time.Time{})
	return item
}

// CallFirst is the index of the contact to call first: the current contact with a number to
// call now, lowest rank first (rank 1 = call first; unranked after every ranked one);
// failing that, the first current contact by rank. -1 when no contact is current. A
// restricted contact not revealed is never chosen.
func CallFirst(cs []record.Contact, now time.Time, revealed func(key string) bool) int {
	best, bestPhone := -1, false
	for i := range cs {
		c := &cs[i]
		if c.Masked(revealed) || !c.Current(now) {
			continue
		}
		phone := firstPhone(c.Phones, now) != ""
		switch {
		case best < 0, phone && !bestPhone:
		case phone == bestPhone && rankKey(c.Rank) < rankKey(cs[best].Rank):
		default:
			continue
		}
		best, bestPhone = i, phone
	}
	return best
}
