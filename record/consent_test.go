package record

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

var consentNow = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

// objectedRecord: the person objected to sharing from "shcr" (an active deny, emergency only);
// "gp" holds a medication of its own and one "shcr" reports too.
func objectedRecord() *Record {
	prov := func(b string) Provenance {
		return Provenance{Backend: b, Organisation: b + " org", Domain: DomainHealth, Author: Author{Name: "Dr A"}}
	}
	r := &Record{}
	r.Merge(Part{Backend: "shcr", Sections: SectionsData{
		Consent: []ConsentRecord{{Item: Item{Key: "Consent/1", Provenance: prov("shcr")}, Kind: ConsentResource,
			Decision: DecisionDeny, EmergencyOnly: true, Status: "active", Text: "objected"}},
		Medications: []Medication{{Item: Item{Key: "med-shared", Provenance: prov("shcr")}, Name: "Ramipril"},
			{Item: Item{Key: "med-shcr", Provenance: prov("shcr")}, Name: "Sertraline"}},
		Encounters: []Encounter{{Item: Item{Key: "enc-1", Provenance: prov("shcr")}, Type: "Inpatient stay", Reason: "Chest infection"}},
	}})
	r.Merge(Part{Backend: "gp", Sections: SectionsData{
		Medications: []Medication{{Item: Item{Key: "med-shared", Provenance: prov("gp")}, Name: "Ramipril"},
			{Item: Item{Key: "med-gp", Provenance: prov("gp")}, Name: "Aspirin"}},
	}})
	r.SetStatus(SectionStatus{Backend: "shcr", Section: SectionEncounters, State: StateReturned, Count: 1})
	r.SetStatus(SectionStatus{Backend: "gp", Section: SectionEncounters, State: StateReturned})
	return r
}

func TestObjectionWithholdsItsBackEnd(t *testing.T) {
	r := objectedRecord()
	if got := r.ObjectedBackends(consentNow); !slices.Equal(got, []string{"shcr"}) {
		t.Fatalf("ObjectedBackends = %v", got)
	}
	m := r.Masked(nil)
	byKey := map[string]Medication{}
	for _, x := range m.Sections.Medications {
		byKey[x.Key] = x
	}
	if x := byKey["med-shcr"]; x.Name != "" || x.Withheld != WithheldObjection || !x.Masked(nil) ||
		x.Provenance.Organisation != "" || x.Provenance.Author.Name != "" || x.Provenance.Backend != "shcr" {
		t.Errorf("objected item not withheld: %+v", x)
	}
	if x := byKey["med-shared"]; x.Name != "Ramipril" || x.Withheld != "" || x.Provenance.Backend != "gp" || len(x.AlsoFrom) != 0 {
		t.Errorf("an item another back end reports is shown from there alone: %+v", x)
	}
	if x := byKey["med-gp"]; x.Name != "Aspirin" || x.Withheld != "" {
		t.Errorf("the GP's own item: %+v", x)
	}
	if e := m.Sections.Encounters[0]; e.Type != "" || e.Reason != "" || e.Withheld != WithheldObjection {
		t.Errorf("encounter: %+v", e)
	}
	// Withheld is an item: never "none recorded".
	if m.NoneRecorded(SectionEncounters) {
		t.Error("withheld encounters shown as none recorded")
	}
	// The consent record itself is shown: it is what the banner says.
	if c := m.Sections.Consent[0]; c.Withheld != "" || c.Text != "objected" {
		t.Errorf("consent record: %+v", c)
	}
	if !m.WithheldByObjection() || len(m.EmergencyAccess) != 0 {
		t.Errorf("withheld %v, emergency access %v", m.WithheldByObjection(), m.EmergencyAccess)
	}
	// r is not modified.
	if r.Sections.Medications[0].Provenance.Backend != "shcr" || len(r.Sections.Medications[0].AlsoFrom) != 1 || r.Sections.Encounters[0].Type == "" {
		t.Errorf("Masked changed the record: %+v", r.Sections.Medications)
	}
	// JSON says why.
	b, _ := json.Marshal(m.Sections.Encounters)
	if !strings.Contains(string(b), `"withheld":"objection"`) || strings.Contains(string(b), "Chest infection") {
		t.Errorf("JSON: %s", b)
	}

	// Emergency access (the objection key revealed) shows everything, and says so.
	var rev Reveals
	rev.Add(r.ObjectionKeys(consentNow)...)
	e := r.Masked(rev.Has)
	if e.WithheldByObjection() || !slices.Equal(e.EmergencyAccess, []string{"shcr"}) || e.Sections.Encounters[0].Reason != "Chest infection" {
		t.Errorf("emergency access: %+v %v", e.Sections.Encounters, e.EmergencyAccess)
	}
}

func TestObjectionNotInForce(t *testing.T) {
	for name, c := range map[string]ConsentRecord{
		"permit":     {Decision: DecisionPermit, Status: "active"},
		"inactive":   {Decision: DecisionDeny, Status: "inactive"},
		"restricted": {Item: Item{Restricted: true}, Decision: DecisionDeny},
		"ended":      {Decision: DecisionDeny, Period: Period{End: consentNow.Add(-time.Hour)}},
	} {
		if c.Objection(consentNow) {
			t.Errorf("%s is an objection in force", name)
		}
	}
	if !(ConsentRecord{Decision: DecisionDeny}).Objection(consentNow) {
		t.Error("a deny without a status is not an objection")
	}
	r := objectedRecord()
	r.Sections.Consent[0].Decision = DecisionPermit
	if m := r.Masked(nil); m.WithheldByObjection() || m.Sections.Encounters[0].Type == "" {
		t.Error("a permit withholds data")
	}
}

// Masked on a 5,500-item record of which half comes from a back end the person objected to
// (the TUI calls it after every part while a record loads).
func BenchmarkMaskedObjectedLargeRecord(b *testing.B) {
	r := &Record{}
	r.Sections.Consent = []ConsentRecord{{Item: Item{Key: "c", Provenance: Provenance{Backend: "shcr"}}, Decision: DecisionDeny, EmergencyOnly: true}}
	for i := range 5000 {
		be := []string{"shcr", "gp"}[i%2]
		r.Sections.Encounters = append(r.Sections.Encounters, Encounter{Item: Item{Key: string(rune(i)), Provenance: Provenance{Backend: be}},
			Class: "ambulatory", Type: "Home visit", Reason: "Review"})
	}
	for i := range 500 {
		r.Sections.Medications = append(r.Sections.Medications, Medication{Item: Item{Key: string(rune(i)), Provenance: Provenance{Backend: "shcr"}}, Name: "Paracetamol"})
	}
	b.ReportAllocs()
	for b.Loop() {
		if m := r.Masked(nil); !m.WithheldByObjection() {
			b.Fatal("nothing withheld")
		}
	}
}
