package record

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fill sets every field reachable from v to a non-zero value, so that a test sees any field
// a later change adds to the item types.
func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		v.SetString("content-" + v.Type().Name())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(t, s.Index(0))
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		fill(t, k)
		fill(t, e)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(t, p.Elem())
		v.Set(p)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2025, 3, 12, 14, 5, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i))
			}
		}
	default:
		t.Fatalf("fill: add a case for %s", v.Kind())
	}
	if v.IsZero() {
		t.Fatalf("fill left %s zero", v.Type())
	}
}

// filledRecord has, in every section, three items of that section's type with every field
// set: "secret" (restricted), "shown" (restricted, to be revealed) and "open" (not restricted).
func filledRecord(t *testing.T) *Record {
	t.Helper()
	var r Record
	fill(t, reflect.ValueOf(&r).Elem())
	r.Person.Restricted = false
	sv := reflect.ValueOf(&r.Sections).Elem()
	for i := range sv.NumField() {
		f := sv.Field(i)
		s := reflect.MakeSlice(f.Type(), 3, 3)
		for j, key := range []string{"secret", "shown", "open"} {
			el := s.Index(j)
			fill(t, el)
			item := el.FieldByName("Item")
			item.FieldByName("Key").SetString(key)
			item.FieldByName("Restricted").SetBool(key != "open")
			item.FieldByName("Provenance").FieldByName("Security").Set(reflect.ValueOf([]string{ConfidentialityRestricted}))
		}
		f.Set(s)
	}
	return &r
}

func revealShown(key string) bool { return key == "shown" }

func TestMaskedClearsEveryContentField(t *testing.T) {
	r := filledRecord(t)
	orig := filledRecord(t)
	m := r.Masked(revealShown)

	sv := reflect.ValueOf(m.Sections)
	ov := reflect.ValueOf(orig.Sections)
	// One list per section, plus referrals and orders, which share the care packages section.
	if sv.NumField() != len(Sections())+1 {
		t.Fatalf("SectionsData has %d lists, Sections() %d (+1 referrals): cover the new one", sv.NumField(), len(Sections()))
	}
	for i := range sv.NumField() {
		name := sv.Type().Field(i).Name
		list, olist := sv.Field(i), ov.Field(i)
		if list.Len() != 3 {
			t.Fatalf("%s: %d items, want 3 (masked items are listed, not dropped)", name, list.Len())
		}
		secret, oSecret := list.Index(0), olist.Index(0)
		typ := secret.Type()
		for f := range typ.NumField() {
			field := typ.Field(f)
			got := secret.Field(f)
			switch field.Name {
			case "Item":
				if !reflect.DeepEqual(got.Interface(), oSecret.Field(f).Interface()) {
					t.Errorf("%s: masked item lost its key or provenance: %+v", name, got.Interface())
				}
				it := got.Interface().(Item)
				if !it.Restricted || it.Key != "secret" || it.Provenance.Backend == "" || len(it.AlsoFrom) != 1 {
					t.Errorf("%s: Item = %+v", name, it)
				}
			case "Kind", "PackageCategory":
				if got.IsZero() {
					t.Errorf("%s: %s was cleared", name, field.Name)
				}
			default:
				if !got.IsZero() {
					t.Errorf("%s.%s is restricted content but was kept: %v", typ.Name(), field.Name, got.Interface())
				}
			}
		}
		// The revealed and the unrestricted items are untouched.
		for j := 1; j < 3; j++ {
			if !reflect.DeepEqual(list.Index(j).Interface(), olist.Index(j).Interface()) {
				t.Errorf("%s item %d changed although revealed or not restricted", name, j)
			}
		}
	}
	if !reflect.DeepEqual(r, orig) {
		t.Fatal("Masked modified the original record")
	}
	// Nothing revealed: both restricted items masked.
	m = r.Masked(nil)
	if m.Sections.Notes[1].Text != "" || m.Sections.Notes[2].Text == "" {
		t.Errorf("nil revealed: %+v", m.Sections.Notes)
	}
}

func TestMaskedPreservesTheRestOfTheRecord(t *testing.T) {
	r := filledRecord(t)
	m := r.Masked(nil)
	if !reflect.DeepEqual(m.Person, r.Person) {
		t.Error("an unrestricted person was changed")
	}
	if !reflect.DeepEqual(m.SectionStatus, r.SectionStatus) || !reflect.DeepEqual(m.Backends, r.Backends) ||
		!reflect.DeepEqual(m.Discrepancies, r.Discrepancies) {
		t.Error("statuses, back ends or discrepancies changed")
	}
	// The masked copy's section lists are its own: writing to them leaves r alone.
	m.Sections.Notes[2].Title = "changed"
	m.SectionStatus[0].State = StateFailed
	if r.Sections.Notes[2].Title == "changed" || r.SectionStatus[0].State == StateFailed {
		t.Error("the copy shares section lists with the original")
	}
}

func TestMaskedRestrictedPerson(t *testing.T) {
	r := filledRecord(t)
	r.Person.Restricted = true
	r.Discrepancies = []Discrepancy{
		{Field: "name", Values: map[string]string{"a": "SMITH", "b": "SMYTH"}},
		{Field: "postcode", Values: map[string]string{"a": "ZZ99 3AB", "b": "ZZ99 3CD"}},
	}
	orig := filledRecord(t)
	orig.Person.Restricted = true
	orig.Discrepancies = r.Discrepancies

	m := r.Masked(nil)
	p := m.Person
	if !reflect.DeepEqual(p.Address, Address{}) || p.Phones != nil {
		t.Errorf("restricted person keeps address or phones: %+v %+v", p.Address, p.Phones)
	}
	for _, s := range p.Sources {
		if s.Postcode != "" {
			t.Errorf("postcode kept in source %+v", s)
		}
	}
	if p.NHSNumber != r.Person.NHSNumber || !reflect.DeepEqual(p.Name, r.Person.Name) || p.BirthDate != r.Person.BirthDate ||
		p.Gender != r.Person.Gender || !p.Restricted {
		t.Errorf("restricted person lost name, NHS number or birth date: %+v", p)
	}
	if len(m.Discrepancies) != 1 || m.Discrepancies[0].Field != "name" {
		t.Errorf("discrepancies %+v", m.Discrepancies)
	}
	if r.Person.Sources[0].Postcode == "" || r.Person.Address.Postcode == "" {
		t.Error("original person modified")
	}
	if !reflect.DeepEqual(r, orig) {
		t.Fatal("Masked modified the original record")
	}

	m = r.Masked(func(k string) bool { return k == RevealPersonKey })
	if !reflect.DeepEqual(m.Person, r.Person) || len(m.Discrepancies) != 2 {
		t.Error("revealed person was masked")
	}
}

// What `shcr get --output json` prints for a restricted note: listed, "restricted": true,
// provenance, and no content.
func TestMaskedJSON(t *testing.T) {
	prov := Provenance{Backend: "council", Organisation: "Northtown Council", Domain: DomainSocialCare,
		SourceSystem: "CaseSys", Security: []string{ConfidentialityVeryRestricted}, Resource: "DocumentReference/77"}
	r := &Record{
		Person: Person{NHSNumber: "9434765919", Name: Name{Family: "TESTPERSON", Given: []string{"Ada"}}},
		Sections: SectionsData{Notes: []Note{
			{Item: Item{Key: "https://casesys.example|N-77", Provenance: prov, Restricted: true}, Kind: "case-note",
				Title: "Strategy meeting outcome", Text: "Police attended the address on 3 March", Date: time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)},
			{Item: Item{Key: "k2", Provenance: prov}, Kind: "case-note", Title: "Review visit", Text: "Seen at home"},
		}},
	}
	b, err := json.Marshal(r.Masked(nil))
	if err != nil {
		t.Fatal(err)
	}
	out := string(b)
	for _, secret := range []string{"Strategy meeting", "Police attended", "2026-03-03"} {
		if strings.Contains(out, secret) {
			t.Errorf("JSON reveals %q: %s", secret, out)
		}
	}
	for _, want := range []string{`"key":"https://casesys.example|N-77"`, `"restricted":true`, `"backend":"council"`,
		`"security":["V"]`, `"kind":"case-note"`, `"Review visit"`, `"Seen at home"`} {
		if !strings.Contains(out, want) {
			t.Errorf("JSON lacks %s: %s", want, out)
		}
	}
	if keys := r.RestrictedKeys(); len(keys) != 1 || keys[0] != "https://casesys.example|N-77" {
		t.Errorf("RestrictedKeys() = %v", keys)
	}
	if !r.Sections.Notes[0].Masked(nil) || r.Sections.Notes[0].Masked(func(string) bool { return true }) || r.Sections.Notes[1].Masked(nil) {
		t.Error("Item.Masked wrong")
	}
}

func TestRestrictedKeysEverySection(t *testing.T) {
	r := filledRecord(t)
	lists := reflect.ValueOf(r.Sections).NumField() // a section may hold two lists (care packages, referrals)
	keys := r.RestrictedKeys()
	if len(keys) != 2*lists {
		t.Errorf("RestrictedKeys() found %d, want %d (2 per list)", len(keys), 2*lists)
	}
	r.Person.Restricted = true
	keys = r.RestrictedKeys()
	if len(keys) != 2*lists+1 || keys[0] != RevealPersonKey {
		t.Errorf("restricted person: %v", keys)
	}
	// Revealing every key gives back the whole record.
	var all Reveals
	all.Add(keys...)
	if m := r.Masked(all.Has); !reflect.DeepEqual(m, r) {
		t.Error("revealing every restricted key does not give the whole record")
	}
}

func BenchmarkMaskedLargeRecord(b *testing.B) {
	r := &Record{}
	for i := range 5000 {
		r.Sections.Encounters = append(r.Sections.Encounters, Encounter{Item: Item{Key: string(rune(i)), Restricted: i%50 == 0},
			Class: "ambulatory", Type: "Home visit", Reason: "Review"})
	}
	for i := range 500 {
		r.Sections.Medications = append(r.Sections.Medications, Medication{Item: Item{Key: string(rune(i))}, Name: "Paracetamol"})
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Masked(nil)
	}
}

func TestReveals(t *testing.T) {
	var nilSet *Reveals
	if nilSet.Has("x") || nilSet.Len() != 0 {
		t.Error("nil set reveals something")
	}
	var rv Reveals
	r := filledRecord(t)
	if m := r.Masked(rv.Has); m.Sections.Notes[0].Text != "" || m.Sections.Notes[1].Text != "" {
		t.Error("empty set revealed an item")
	}
	rv.Add("secret")
	m := r.Masked(rv.Has)
	if m.Sections.Notes[0].Text == "" || m.Sections.Notes[1].Text != "" || rv.Len() != 1 {
		t.Errorf("after Add(secret): %q %q", m.Sections.Notes[0].Text, m.Sections.Notes[1].Text)
	}
}
