package demo

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestSeedCheckNamesBrokenReferences(t *testing.T) {
	sf, err := loadSeed()
	if err != nil {
		t.Fatal(err)
	}
	ds := newDataset(sf)
	if err := ds.check(); err != nil {
		t.Fatalf("the embedded seed: %v", err)
	}
	sf.People[0].Meds = append(sf.People[0].Meds, seedMed{Medicine: "unobtainium-5"})
	sf.People[1].Packages = append(sf.People[1].Packages, seedPackage{Provider: "org-nowhere", CareManager: "pr-nobody"})
	err = ds.check()
	if err == nil {
		t.Fatal("broken references passed the check")
	}
	for _, want := range []string{"unknown medicine unobtainium-5", "unknown provider org-nowhere", "unknown care manager pr-nobody"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

func TestStoreRefusesDuplicateIDs(t *testing.T) {
	s := newStore("x", []string{"Patient"})
	s.add(jobj{"resourceType": "Patient", "id": "a"}, "a", nil)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "duplicate resource Patient/a") {
			t.Errorf("recover = %v", r)
		}
	}()
	s.add(jobj{"resourceType": "Patient", "id": "a"}, "a", nil)
}

func TestEncodeJSONMatchesEncodingJSON(t *testing.T) {
	v := jobj{
		"zeta": jarr{1, 2.5, "x<y>&\"\\\n\t\x01", true, nil, jobj{"b": 1, "a": false}},
		"id":   "abc", "resourceType": "Thing", "meta": jobj{"tag": jarr{}},
		"text": "Café — naïve\u2028ok", "bad": string([]byte{0xff, 'a'}), "n": int64(7), "f": 14.0,
	}
	got := mustJSON(v)
	if !strings.HasPrefix(string(got), `{"resourceType":"Thing","id":"abc","meta":{"tag":[]},"bad":`) {
		t.Errorf("key order: %s", got)
	}
	if !strings.Contains(string(got), `x<y>&`) {
		t.Errorf("HTML escaped: %s", got)
	}
	var a, b any
	if err := json.Unmarshal(got, &a); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, got)
	}
	ref, _ := json.Marshal(v)
	if err := json.Unmarshal(ref, &b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("values differ:\n%s\n%s", got, ref)
	}
}
