package record

import (
	"reflect"
	"strings"
	"testing"
)

// The section table holds every list of SectionsData exactly once, under its JSON name, and
// each list's accessor reaches that field: a list added to SectionsData without a row in
// the table would be neither merged, masked, walked nor written as [].
func TestSectionTableCoversEverySectionsDataList(t *testing.T) {
	typ := reflect.TypeFor[SectionsData]()
	byJSON := map[string]int{}
	for i := range typ.NumField() {
		name, _, _ := strings.Cut(typ.Field(i).Tag.Get("json"), ",")
		byJSON[name] = i
	}
	seen := map[string]bool{}
	keys := map[Section]bool{}
	for _, d := range sectionTable {
		if keys[d.Key] {
			t.Errorf("section %q twice", d.Key)
		}
		keys[d.Key] = true
		for _, l := range d.lists {
			i, ok := byJSON[l.json()]
			if !ok || seen[l.json()] {
				t.Errorf("%s: list %q is not one SectionsData field", d.Key, l.json())
				continue
			}
			seen[l.json()] = true
			// The accessor reaches the field of that name: one item there counts.
			var s SectionsData
			f := reflect.ValueOf(&s).Elem().Field(i)
			f.Set(reflect.MakeSlice(f.Type(), 1, 1))
			if l.count(&s) != 1 {
				t.Errorf("%s: list %q reads another field", d.Key, l.json())
			}
		}
	}
	if len(seen) != typ.NumField() {
		t.Errorf("the table holds %d of SectionsData's %d lists", len(seen), typ.NumField())
	}
	if got := (SectionsData{}).WithEmptyLists(); reflect.ValueOf(got).Field(0).IsNil() {
		t.Error("WithEmptyLists left a nil list")
	}
}

// Item(sec, i) is Items(sec)[i] — the same item, not a copy — for every section, with the
// care packages' referrals and orders left out as Items leaves them, and nil past the end.
func TestItemIsItemsAt(t *testing.T) {
	typ := reflect.TypeFor[SectionsData]()
	var s SectionsData
	for i := range typ.NumField() {
		f := reflect.ValueOf(&s).Elem().Field(i)
		if f.Kind() != reflect.Slice {
			continue
		}
		f.Set(reflect.MakeSlice(f.Type(), 3+i, 3+i)) // a different length in every list
	}
	for _, d := range sectionTable {
		items := s.Items(d.Key)
		if len(items) == 0 {
			t.Fatalf("%s: no items in the fixture", d.Key)
		}
		for i, want := range items {
			if got := s.Item(d.Key, i); got != want {
				t.Errorf("%s: Item(%d) = %p, want Items()[%d] = %p", d.Key, i, got, i, want)
			}
		}
		for _, i := range []int{-1, len(items), len(items) + 5} {
			if got := s.Item(d.Key, i); got != nil {
				t.Errorf("%s: Item(%d) of %d = %p, want nil", d.Key, i, len(items), got)
			}
		}
	}
	if got := s.Item("no-such-section", 0); got != nil {
		t.Errorf("an unknown section's Item(0) = %p, want nil", got)
	}
}
