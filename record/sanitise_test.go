package record

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/safetext"
)

const hostile = "Jane\x1b]52;c;cm0gLXJmIH4=\x07 \u202eSmith\u202c\x1b[2J\x1b]0;pwned\x1b\\\u200b\x9b\x00\r\nend"

// fill sets every string reachable from v (a settable value) to s: one element in every
// slice, one entry in every map, every pointer allocated. Fields added to the record types
// later are filled too.
func fillStrings(t *testing.T, v reflect.Value, s string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Struct:
		if v.Type() == timeType {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fillStrings(t, v.Field(i), s, depth+1)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fillStrings(t, v.Index(0), s, depth+1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fillStrings(t, v.Elem(), s, depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		e := reflect.New(v.Type().Elem()).Elem()
		fillStrings(t, k, s, depth+1)
		fillStrings(t, e, s, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	}
}

// unsafeStrings lists the path of every string reachable from v that Line (or Multi, for
// multi-line fields) would change, and counts the strings seen.
func unsafeStrings(v reflect.Value, path string, multi bool, seen *int) []string {
	switch v.Kind() {
	case reflect.String:
		*seen++
		if !safetext.Safe(v.String(), multi) {
			return []string{path}
		}
	case reflect.Struct:
		var out []string
		for i := range v.NumField() {
			f := v.Type().Field(i)
			if f.IsExported() {
				out = append(out, unsafeStrings(v.Field(i), path+"."+f.Name, MultiLine(v.Type(), f.Name), seen)...)
			}
		}
		return out
	case reflect.Slice, reflect.Array:
		var out []string
		for i := range v.Len() {
			out = append(out, unsafeStrings(v.Index(i), path+"[]", multi, seen)...)
		}
		return out
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return unsafeStrings(v.Elem(), path, multi, seen)
		}
	case reflect.Map:
		var out []string
		for it := v.MapRange(); it.Next(); {
			out = append(out, unsafeStrings(it.Key(), path+"{key}", false, seen)...)
			out = append(out, unsafeStrings(it.Value(), path+"{}", multi, seen)...)
		}
		return out
	}
	return nil
}

func TestSanitisedReachesEveryString(t *testing.T) {
	var rec Record
	fillStrings(t, reflect.ValueOf(&rec).Elem(), hostile, 0)
	var part Part
	fillStrings(t, reflect.ValueOf(&part).Elem(), hostile, 0)
	for name, v := range map[string]any{"record": &rec, "part": &part} {
		seen := 0
		if bad := unsafeStrings(reflect.ValueOf(v), name, false, &seen); len(bad) < 50 {
			t.Fatalf("%s: the filled value should be unsafe almost everywhere; only %d of %d strings are", name, len(bad), seen)
		}
	}
	before := reflect.ValueOf(rec).Interface()
	clean := Sanitised(rec)
	seen := 0
	if bad := unsafeStrings(reflect.ValueOf(clean), "record", false, &seen); len(bad) > 0 {
		t.Errorf("Sanitised left %d unsafe strings: %s", len(bad), strings.Join(bad, ", "))
	}
	if seen < 100 {
		t.Errorf("only %d strings walked: the fill did not reach the record", seen)
	}
	if !reflect.DeepEqual(before, reflect.ValueOf(rec).Interface()) || rec.Person.Name.Family != hostile || rec.Sections.Notes[0].Text != hostile {
		t.Error("Sanitised modified its argument")
	}
	p := Sanitised(part)
	seen = 0
	if bad := unsafeStrings(reflect.ValueOf(p), "part", false, &seen); len(bad) > 0 {
		t.Errorf("Sanitised(Part) left unsafe strings: %s", strings.Join(bad, ", "))
	}
	if p.Person == part.Person {
		t.Error("Sanitised(Part) changed the Person in place instead of copying it")
	}
	if part.Person.Name.Family != hostile {
		t.Error("Sanitised(Part) modified the Person it points to")
	}
}

func TestSanitisedKeepsText(t *testing.T) {
	n := Note{Title: "Visit\r\nnotes", Text: "Seen at home.\n\tMobility \x1b[1mimproving\x1b[0m.\r\nNo falls."}
	got := Sanitised(n)
	if got.Title != "Visit notes" {
		t.Errorf("Title = %q: single-line fields lose their line breaks", got.Title)
	}
	if want := "Seen at home.\n\tMobility " + safetext.Placeholder + "improving" + safetext.Placeholder + ".\nNo falls."; got.Text != want {
		t.Errorf("Text = %q, want %q: a note's text keeps LF and tab", got.Text, want)
	}
	p := Person{Name: Name{Family: "Llŷr-Żółkiewska", Given: []string{"王秀英"}}, Phones: []Phone{{Number: "\u202e321 009 00770\u202c"}},
		DeceasedAt: time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)}
	gp := Sanitised(p)
	if gp.Name.Family != p.Name.Family || gp.Name.Given[0] != "王秀英" || gp.Phones[0].Number != "321 009 00770" || !gp.DeceasedAt.Equal(p.DeceasedAt) {
		t.Errorf("Sanitised(Person) = %+v", gp)
	}
	if p.Phones[0].Number == gp.Phones[0].Number {
		t.Error("the original's phone slice was changed")
	}
	st := map[Section]int{SectionNotes: 2}
	if got := Sanitised(BackendStatus{Name: "a", Counts: st, Error: "x\x1b[1my"}); got.Error != "x"+safetext.Placeholder+"y" || got.Counts[SectionNotes] != 2 {
		t.Errorf("Sanitised(BackendStatus) = %+v", got)
	}
}

func TestSanitisedCleanAllocatesNothing(t *testing.T) {
	part := Part{Backend: "council", Person: &Person{Name: Name{Family: "Smith", Given: []string{"Jane"}}},
		Sections: SectionsData{Notes: []Note{{Title: "Visit", Text: "Seen.\nWell."}}}}
	var got Part
	n := testing.AllocsPerRun(20, func() { got = Sanitised(part) })
	if got.Person != part.Person || &got.Sections.Notes[0] != &part.Sections.Notes[0] {
		t.Error("a clean part should come back sharing everything")
	}
	if n > 2 {
		t.Errorf("Sanitised of a clean part allocated %v times", n)
	}
}

// BenchmarkSanitisedLargePart: the walk over a large, clean section (the demo's large record
// has thousands of encounters) allocates nothing (the reflective walk it replaced copied
// the argument once); BenchmarkSanitisePart5000 compares the two.
func BenchmarkSanitisedLargePart(b *testing.B) {
	encs := make([]Encounter, 5000)
	for i := range encs {
		encs[i] = Encounter{Item: Item{Key: "https://example.org/enc|" + strings.Repeat("x", i%20),
			Provenance: Provenance{Backend: "Demo NHS ShCR", Organisation: "Leeds Teaching Hospitals", Security: []string{"N"}}},
			Class: "inpatient", Type: "Emergency admission", Status: "finished", Location: "Ward 5", Provider: "Leeds Teaching Hospitals",
			Reason: "Fall at home", Clinician: "Dr Helen Ward"}
	}
	part := Part{Backend: "Demo NHS ShCR", Sections: SectionsData{Encounters: encs}}
	b.ReportAllocs()
	for b.Loop() {
		_ = Sanitised(part)
	}
}
