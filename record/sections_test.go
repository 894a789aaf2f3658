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
