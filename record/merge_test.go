package record

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMergeFoldsTheSameItemFromTwoBackends(t *testing.T) {
	var r Record
	a := Part{Backend: "shcr", Sections: SectionsData{Allergies: []Allergy{{
		Item:      Item{Key: "https://ids.example/allergy|1", Provenance: Provenance{Backend: "shcr", Domain: DomainHealth}},
		Substance: "Penicillin",
	}}}, Status: []SectionStatus{{Backend: "shcr", Section: SectionAllergies, State: StateReturned, Count: 1}}}
	b := Part{Backend: "gp", Sections: SectionsData{Allergies: []Allergy{
		{Item: Item{Key: "https://ids.example/allergy|1", Provenance: Provenance{Backend: "gp", Domain: DomainHealth}, Restricted: true}, Substance: "Penicillin"},
		{Item: Item{Key: "https://ids.example/allergy|2", Provenance: Provenance{Backend: "gp", Domain: DomainHealth}}, Substance: "Latex"},
	}}, Status: []SectionStatus{{Backend: "gp", Section: SectionAllergies, State: StateReturned, Count: 2}}}
	r.Merge(a)
	r.Merge(b)
	r.Merge(b) // a repeated part (refresh) does not add provenances twice
	if got := len(r.Sections.Allergies); got != 2 {
		t.Fatalf("allergies = %d, want 2", got)
	}
	first := r.Sections.Allergies[0]
	if len(first.AlsoFrom) != 1 || first.AlsoFrom[0].Backend != "gp" || !first.Restricted {
		t.Fatalf("first allergy = %+v", first)
	}
	if len(r.StatusOf(SectionAllergies)) != 2 || !r.Returned(SectionAllergies) || r.Returned(SectionNotes) {
		t.Fatalf("statuses = %+v", r.SectionStatus)
	}
}

func TestItemsWithoutKeysAreNeverFolded(t *testing.T) {
	var r Record
	p := Part{Backend: "x", Sections: SectionsData{Notes: []Note{{Title: "a"}, {Title: "b"}}}}
	r.Merge(p)
	if len(r.Sections.Notes) != 2 {
		t.Fatalf("notes = %d", len(r.Sections.Notes))
	}
}

func TestDiscrepanciesNameEachBackend(t *testing.T) {
	var r Record
	r.Merge(Part{Backend: "a", Person: &Person{NHSNumber: "9434765919", Name: Name{Family: "Smith", Given: []string{"Ann"}}, BirthDate: "1948-03-12", Gender: "female"}})
	r.Merge(Part{Backend: "b", Person: &Person{NHSNumber: "9434765919", Name: Name{Family: "SMITH", Given: []string{"Ann"}}, BirthDate: "1948-12-03", Gender: "female"}})
	if len(r.Discrepancies) != 1 || r.Discrepancies[0].Field != "birth_date" {
		t.Fatalf("discrepancies = %+v", r.Discrepancies)
	}
	if s := r.Discrepancies[0].String(); s != "birth_date: a=1948-03-12, b=1948-12-03" {
		t.Fatalf("String = %q", s)
	}
}

func TestJSONUsesSnakeCaseAndEmptyLists(t *testing.T) {
	r := Record{Sections: SectionsData{NextOfKin: []Contact{}}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"nhs_number"`, `"birth_date"`, `"next_of_kin":[]`, `"care_packages":null`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s: %s", want, b)
		}
	}
}
