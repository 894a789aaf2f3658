package record

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/shcr-project/shcr/internal/safetext"
)

// hostiles are strings a server could send, each unsafe for a single-line field: escape
// sequences (CSI, OSC 52, a window title), bidi controls, C1 controls in their UTF-8 form,
// invalid UTF-8, zero-width characters, line breaks (the last is safe in a note's text, so
// that using Multi for a single-line field, or Line for a note's text, shows).
var hostiles = []string{
	hostile,
	"\x1b[2J\x1b[HSmith",
	"\x1b]52;c;cm0gLXJmIH4=\x07Jane",
	"\x1b]0;pwned\x1b\\title",
	"Smith\u202eevil\u202c\u2066x\u2069",
	"a\u0085b\u009b31mc\u009d0;t\u009c",
	"bad\xff\xfeutf8\xc0",
	"zero\u200bwidth\ufeff",
	"del\x7fnul\x00bell\x07",
	"line1\r\nline2\u2028line3",
	"line1\nline2\tx",
}

// filler fills a value by reflection: every string reachable from it (struct fields,
// slice elements, map keys and values, through pointers), in a fixed order, gets
// value(i) for the i-th string; every slice gets elems elements and every map elems
// entries; every pointer is allocated; times, numbers and booleans are set too. It knows
// nothing of the record types: a field added to them later is filled like the others.
type filler struct {
	n     int
	elems int
	value func(i int) string
	multi []bool // multi[i]: the i-th string is multi-line text (MultiLine)
	path  []string
	// unknown are the places of a kind the filler cannot fill (a channel, a function, an
	// interface a string does not implement): the guard cannot vouch for them.
	unknown []string
}

func (f *filler) fill(v reflect.Value, path string, multi bool, depth int) {
	if depth > 12 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(f.value(f.n))
		f.multi = append(f.multi, multi)
		f.path = append(f.path, path)
		f.n++
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Interface:
		if !reflect.TypeFor[string]().Implements(v.Type()) {
			f.unknown = append(f.unknown, path)
			return
		}
		s := reflect.New(reflect.TypeFor[string]()).Elem()
		f.fill(s, path, multi, depth+1)
		v.Set(s)
	case reflect.Array:
		for i := range v.Len() {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multi, depth+1)
		}
	case reflect.Struct:
		t := v.Type()
		if t == timeType {
			v.Set(reflect.ValueOf(time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)))
			return
		}
		for i := range t.NumField() {
			if t.Field(i).IsExported() {
				f.fill(v.Field(i), path+"."+t.Field(i).Name, MultiLine(t, t.Field(i).Name), depth+1)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), f.elems, f.elems))
		for i := range f.elems {
			f.fill(v.Index(i), fmt.Sprintf("%s[%d]", path, i), multi, depth+1)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		f.fill(v.Elem(), path, multi, depth+1)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		for i := range f.elems {
			k := reflect.New(v.Type().Key()).Elem()
			e := reflect.New(v.Type().Elem()).Elem()
			f.fill(k, fmt.Sprintf("%s{key %d}", path, i), false, depth+1)
			f.fill(e, fmt.Sprintf("%s{%d}", path, i), multi, depth+1)
			m.SetMapIndex(k, e)
		}
		v.Set(m)
	default:
		f.unknown = append(f.unknown, path)
	}
}

// build returns a new T filled by a filler with elems and value, and the filler.
func build[T any](elems int, value func(i int) string) (T, *filler) {
	var v T
	f := &filler{elems: elems, value: value}
	f.fill(reflect.ValueOf(&v).Elem(), reflect.TypeFor[T]().String(), false, 0)
	return v, f
}

// sharing lists, for every slice, pointer, map and string in res, whether it is the same
// memory as its counterpart in src: where a walk copied and where it shared. With paths,
// each entry names where it is (slower: only to report a difference).
func sharing(res, src reflect.Value, paths bool) []string {
	var out []string
	var walk func(res, src reflect.Value, path func() string)
	same := func(a, b unsafe.Pointer, path func() string) {
		switch {
		case paths:
			out = append(out, fmt.Sprintf("%s shared=%v", path(), a == b))
		case a == b:
			out = append(out, "shared")
		default:
			out = append(out, "copied")
		}
	}
	walk = func(res, src reflect.Value, path func() string) {
		switch res.Kind() {
		case reflect.String:
			same(unsafe.Pointer(unsafe.StringData(res.String())), unsafe.Pointer(unsafe.StringData(src.String())), path)
		case reflect.Struct:
			for i := range res.NumField() {
				if f := res.Type().Field(i); f.IsExported() {
					walk(res.Field(i), src.Field(i), func() string { return path() + "." + f.Name })
				}
			}
		case reflect.Slice:
			same(res.UnsafePointer(), src.UnsafePointer(), path)
			for i := range min(res.Len(), src.Len()) {
				walk(res.Index(i), src.Index(i), func() string { return fmt.Sprintf("%s[%d]", path(), i) })
			}
		case reflect.Pointer:
			same(res.UnsafePointer(), src.UnsafePointer(), path)
			if !res.IsNil() && !src.IsNil() {
				walk(res.Elem(), src.Elem(), path)
			}
		case reflect.Map:
			same(res.UnsafePointer(), src.UnsafePointer(), path)
		}
	}
	walk(res, src, func() string { return "" })
	return out
}

// differences lists where a (the typed walk's result) and b (the reflective walk's) differ.
func differences(a, b reflect.Value, path string) []string {
	switch a.Kind() {
	case reflect.String:
		if a.String() != b.String() {
			return []string{fmt.Sprintf("%s: %q against %q", path, a.String(), b.String())}
		}
	case reflect.Struct:
		var out []string
		for i := range a.NumField() {
			if f := a.Type().Field(i); f.IsExported() {
				out = append(out, differences(a.Field(i), b.Field(i), path+"."+f.Name)...)
			}
		}
		return out
	case reflect.Slice, reflect.Pointer, reflect.Map:
		if a.IsNil() != b.IsNil() || a.Kind() != reflect.Pointer && a.Len() != b.Len() {
			return []string{path + ": nil or length differs"}
		}
		switch a.Kind() {
		case reflect.Slice:
			var out []string
			for i := range a.Len() {
				out = append(out, differences(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
			}
			return out
		case reflect.Pointer:
			if !a.IsNil() {
				return differences(a.Elem(), b.Elem(), path)
			}
		case reflect.Map:
			if !reflect.DeepEqual(a.Interface(), b.Interface()) {
				return []string{path + ": maps differ"}
			}
		}
	default:
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return []string{path + ": differs"}
		}
	}
	return nil
}

// checkTypedMatchesReflection sanitises v with Sanitised (the typed walk) and with the
// reflective walk and requires the same value, the same sharing with v, and v unchanged
// (against twin, built the same way).
func checkTypedMatchesReflection[T any](t *testing.T, what string, v, twin T) (changed, same bool) {
	t.Helper()
	got := Sanitised(v)
	want := sanitisedByReflection(v)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: the typed walk (record/sanitise_typed.go, sanitise_items.go, sanitise_status.go: is the field in it?) and the reflective walk differ: %s",
			what, strings.Join(differences(reflect.ValueOf(got), reflect.ValueOf(want), ""), "; "))
		return false, false
	}
	if !slices.Equal(sharing(reflect.ValueOf(got), reflect.ValueOf(v), false), sharing(reflect.ValueOf(want), reflect.ValueOf(v), false)) {
		gs := sharing(reflect.ValueOf(got), reflect.ValueOf(v), true)
		ws := sharing(reflect.ValueOf(want), reflect.ValueOf(v), true)
		for i := range gs {
			if gs[i] != ws[i] {
				t.Errorf("%s: the typed walk has %s, the reflective walk %s", what, gs[i], ws[i])
				break
			}
		}
	}
	if !reflect.DeepEqual(v, twin) {
		t.Errorf("%s: Sanitised modified its argument", what)
	}
	return !reflect.DeepEqual(want, v), true
}

// TestTypedSanitiseMatchesReflection is the typed walk's guard: for every string reachable
// from a Part, a Person and a []Person (found by reflection, so a field added later is in),
// a value with only that string hostile, all others clean, must come out of the typed walk
// exactly as out of the reflective one, copied and shared alike. Leaving a field out of the
// typed walk, or walking it with the wrong rule (Line for Multi), fails here.
func TestTypedSanitiseMatchesReflection(t *testing.T) {
	clean := func(int) string { return "Leeds Teaching Hospitals" }
	t.Run("Part", func(t *testing.T) { checkEveryString[Part](t, clean, 330) })
	t.Run("Person", func(t *testing.T) { checkEveryString[Person](t, clean, 25) })
	t.Run("[]Person", func(t *testing.T) { checkEveryString[[]Person](t, clean, 25) })
}

func checkEveryString[T any](t *testing.T, clean func(int) string, atLeast int) {
	_, f := build[T](1, clean)
	if len(f.unknown) > 0 {
		t.Fatalf("fields of a kind the guard cannot fill, so cannot check: %s", strings.Join(f.unknown, ", "))
	}
	if f.n < atLeast {
		t.Fatalf("only %d strings reachable from %T: the fill does not reach the record types", f.n, *new(T))
	}
	if !sanitiseTyped(new(T)) {
		t.Fatalf("%T is not walked by the typed walk", *new(T))
	}
	for leaf := range f.n {
		// Every string gets the payload of every kind at once, a line break and a tab (safe
		// in a note's text only), and one more of the list in turn.
		for _, h := range []string{hostile, "line1\nline2\tx", hostiles[1+leaf%(len(hostiles)-2)]} {
			value := func(i int) string {
				if i == leaf {
					return h
				}
				return clean(i)
			}
			v, _ := build[T](1, value)
			twin, _ := build[T](1, value)
			changed, same := checkTypedMatchesReflection(t, fmt.Sprintf("%s = %q", f.path[leaf], h), v, twin)
			if want := !safetext.Safe(h, f.multi[leaf]); same && changed != want {
				t.Errorf("%s = %q: changed %v, want %v", f.path[leaf], h, changed, want)
			}
		}
	}
	// Every string hostile at once, and two of everything.
	for _, h := range hostiles {
		all := func(int) string { return h }
		v, _ := build[T](2, all)
		twin, _ := build[T](2, all)
		checkTypedMatchesReflection(t, "every string "+fmt.Sprintf("%q", h), v, twin)
	}
	// Nothing hostile: the value comes back sharing everything.
	v, _ := build[T](2, clean)
	twin, _ := build[T](2, clean)
	if changed, _ := checkTypedMatchesReflection(t, "clean", v, twin); changed {
		t.Error("a clean value was changed")
	}
	for _, s := range sharing(reflect.ValueOf(Sanitised(v)), reflect.ValueOf(v), true) {
		if strings.HasSuffix(s, "shared=false") {
			t.Errorf("clean value: %s", s)
		}
	}
}

// TestSanitiseTypedKnowsItsTypes: the types the typed walk takes, and that every other
// type still goes the reflective way (and is sanitised).
func TestSanitiseTypedKnowsItsTypes(t *testing.T) {
	for _, v := range []any{new(Part), new(Person), new([]Person)} {
		if !sanitiseTyped(v) {
			t.Errorf("%T not walked by type", v)
		}
	}
	for _, v := range []any{new(Record), new(BackendStatus), new(SectionStatus), new([]Part), new(*Part), new(string)} {
		if sanitiseTyped(v) {
			t.Errorf("%T walked by type, but TestTypedSanitiseMatchesReflection does not check it", v)
		}
	}
	if got := Sanitised(BackendStatus{Error: "x\x1b[2Jy"}); got.Error != "x"+safetext.Placeholder+"y" {
		t.Errorf("BackendStatus not sanitised: %q", got.Error)
	}
}

// FuzzTypedSanitise: on any strings, in any places, the typed walk gives the reflective
// walk's answer, copies and shares alike, and leaves its argument alone. text is cut at
// '|' into the strings put in turn into the chosen places of a Part with two of
// everything; every is how often a place gets one (every place when 0), the others clean.
func FuzzTypedSanitise(f *testing.F) {
	for _, h := range hostiles {
		f.Add(h, uint8(0), uint16(0))
		f.Add(h+"|ok|"+h, uint8(5), uint16(3))
	}
	f.Add("Leeds|Ward 5|\u00e9\u0301 \U0001F468\u200d\U0001F469", uint8(2), uint16(1))
	f.Add("", uint8(0), uint16(0))
	f.Fuzz(func(t *testing.T, text string, every uint8, offset uint16) {
		pieces := strings.Split(text, "|")
		value := func(i int) string {
			if every == 0 || (i+int(offset))%int(every) == 0 {
				return pieces[i%len(pieces)]
			}
			return "Emergency admission"
		}
		v, _ := build[Part](2, value)
		twin, _ := build[Part](2, value)
		checkTypedMatchesReflection(t, "part", v, twin)
		p, _ := build[[]Person](2, value)
		ptwin, _ := build[[]Person](2, value)
		checkTypedMatchesReflection(t, "people", p, ptwin)
	})
}

// demoEncounters are n encounters shaped as the demo's large record's: clean, as nearly
// all a server sends is.
func demoEncounters(n int) []Encounter {
	encs := make([]Encounter, n)
	for i := range encs {
		encs[i] = Encounter{Item: Item{Key: "https://example.org/enc|" + strings.Repeat("x", i%20),
			Provenance: Provenance{Backend: "Demo NHS ShCR", Organisation: "Leeds Teaching Hospitals", Domain: DomainHealth,
				Security: []string{"N"}, SourceSystem: "https://example.org/pas", Resource: fmt.Sprintf("Encounter/enc-%d", i),
				Recorded: time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC)}},
			Class: "inpatient", Type: "Emergency admission", Status: "finished", Location: "Ward 5", Provider: "Leeds Teaching Hospitals",
			Reason: "Fall at home", Clinician: "Dr Helen Ward",
			Period: Period{Start: time.Date(2024, 3, 12, 9, 30, 0, 0, time.UTC), StartText: "2024-03-12T09:30:00Z"}}
	}
	return encs
}

// BenchmarkSanitisePart5000: a Part of 5,000 demo-shaped encounters, by the typed walk
// (Sanitised) and by the reflective one it replaced.
func BenchmarkSanitisePart5000(b *testing.B) {
	part := Part{Backend: "Demo NHS ShCR", Sections: SectionsData{Encounters: demoEncounters(5000)}}
	b.Run("typed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = Sanitised(part)
		}
	})
	b.Run("reflection", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = sanitisedByReflection(part)
		}
	})
}
