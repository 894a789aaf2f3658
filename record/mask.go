package record

import (
	"reflect"
	"slices"
	"time"
)

// RevealPersonKey is the key Masked passes to revealed for the person's own demographics
// (address and phones of a person whose Patient resource is labelled restricted).
const RevealPersonKey = "person"

// Masked returns a copy of r that is safe to show or print without revealing restricted data:
//
//   - every item with Restricted set whose Key is not revealed keeps only its Item (key,
//     provenance, also-reported-by, Restricted=true) and its Kind; every content field is
//     zeroed, including fields added to the item types later;
//
//   - a Person with Restricted set (a PDS sensitive record) keeps name, NHS number, birth
//     date and gender but loses address, phones and every back end's postcode, unless
//     revealed(RevealPersonKey); demographic discrepancies other than name, birth date and
//     gender are dropped then too.
//
//   - every item reported only by back ends the person objected to sharing from (an active
//     deny in the consent section; record/consent.go) keeps only its Item, marked Withheld
//     "objection", unless revealed(RevealObjectionKey(backend)) (emergency access).
//
// revealed may be nil (nothing revealed). r is not modified. A section list with an item
// withheld is new; a list with nothing withheld is r's own (capped, so an append to it
// cannot write into r: a 50,000-encounter list is not copied for every frame or print),
// and items not masked share their inner slices with r, so callers must treat the result
// as read-only.
func (r *Record) Masked(revealed func(key string) bool) *Record {
	if revealed == nil {
		revealed = func(string) bool { return false }
	}
	m := *r
	m.Person = maskPerson(r.Person, revealed)
	if r.Person.Restricted && !revealed(RevealPersonKey) {
		m.Discrepancies = nil
		for _, d := range r.Discrepancies {
			switch d.Field {
			case "name", "birth_date", "gender":
				m.Discrepancies = append(m.Discrepancies, d)
			}
		}
	} else {
		m.Discrepancies = slices.Clone(r.Discrepancies)
	}
	for _, d := range sectionTable {
		for _, l := range d.lists {
			l.mask(&m.Sections, &r.Sections, revealed)
		}
	}
	withholdObjected(&m, r.ObjectedBackends(time.Time{}), revealed)
	m.SectionStatus = slices.Clone(r.SectionStatus)
	m.Backends = slices.Clone(r.Backends)
	m.Notices = slices.Clone(r.Notices)
	return &m
}

// Masked reports whether the item is restricted and its content has been withheld.
func (i Item) Masked(revealed func(key string) bool) bool {
	return i.Withheld != "" || i.Restricted && (revealed == nil || !revealed(i.Key))
}

// RestrictedKeys lists what Masked would withhold: RevealPersonKey first when the person is
// restricted, then the key of every restricted item, section by section. Revealing them all
// (`shcr get --reveal-restricted REASON`) is audit.Revealed(rec, choice, reason, rec.RestrictedKeys()...).
func (r *Record) RestrictedKeys() []string {
	var keys []string
	if r.Person.Restricted {
		keys = append(keys, RevealPersonKey)
	}
	r.Sections.EachItem(func(_ Section, it *Item) {
		if it.Restricted {
			keys = append(keys, it.Key)
		}
	})
	return keys
}

func maskPerson(p Person, revealed func(string) bool) Person {
	if !p.Restricted || revealed(RevealPersonKey) {
		p.Phones = slices.Clone(p.Phones)
		p.Sources = slices.Clone(p.Sources)
		return p
	}
	p.Address = Address{}
	p.Phones = nil
	p.Sources = slices.Clone(p.Sources)
	for i := range p.Sources {
		p.Sources[i].Postcode = ""
	}
	return p
}

func maskItems[T any, PT interface {
	*T
	keyed
}](items []T, revealed func(string) bool) []T {
	if items == nil {
		return nil
	}
	// Copied only when an item is withheld: a list with nothing to withhold (most, and a
	// 50,000-encounter one) is shared, never written through.
	var out []T
	for i := range items {
		it := PT(&items[i]).item()
		if it.Restricted && !revealed(it.Key) {
			if out == nil {
				out = slices.Clone(items)
			}
			zeroContent(reflect.ValueOf(&out[i]).Elem())
		}
	}
	if out == nil {
		return items[:len(items):len(items)] // an append to it cannot write into items
	}
	return out
}

// keptWhenMasked names the fields a masked item keeps: the embedded Item (key and
// provenance), Kind and Category, which only say what sort of record it is (e.g. "document",
// "care-package"). Everything else is content and is zeroed — new fields included, by default.
func keptWhenMasked(field string) bool {
	return field == "Item" || field == "Kind" || field == "PackageCategory"
}

func zeroContent(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		if !keptWhenMasked(t.Field(i).Name) {
			v.Field(i).SetZero()
		}
	}
}

// Reveals is the set of restricted items (and RevealPersonKey) a user has revealed while one
// record is open. The TUI keeps one per open record, passes its Has to Masked, and drops it
// when the record is closed or the screen locks, so a reveal lasts only while the record is
// open. The zero value (and a nil *Reveals) reveals nothing. Not safe for concurrent use.
type Reveals struct{ keys map[string]bool }

// Add reveals the items with these keys.
func (r *Reveals) Add(keys ...string) {
	if r.keys == nil {
		r.keys = make(map[string]bool, len(keys))
	}
	for _, k := range keys {
		r.keys[k] = true
	}
}

// Has reports whether key has been revealed; rec.Masked(reveals.Has) gives the record to show.
func (r *Reveals) Has(key string) bool { return r != nil && r.keys[key] }

// Len is how many keys have been revealed.
func (r *Reveals) Len() int {
	if r == nil {
		return 0
	}
	return len(r.keys)
}
