package demo

import (
	"fmt"
	"time"
)

// largeEncounterKinds are the encounters the large record cycles through.
var largeEncounterKinds = []struct {
	class, typ, location, provider, reason string
	length                                 time.Duration
}{
	{"AMB", "Outpatient appointment", "loc-opd", "org-wgh", "Heart failure clinic", 30 * time.Minute},
	{"HH", "District nurse home visit", "", "org-community", "Leg ulcer dressing", 40 * time.Minute},
	{"VR", "Telephone consultation", "", "org-kettlewick", "Medication review", 10 * time.Minute},
	{"AMB", "GP appointment", "loc-kettlewick", "org-kettlewick", "Blood pressure check", 15 * time.Minute},
	{"HH", "District nurse home visit", "", "org-community", "Diabetic foot check", 30 * time.Minute},
	{"EMER", "Emergency department attendance", "loc-ed", "org-wgh", "Shortness of breath", 5 * time.Hour},
	{"AMB", "Outpatient appointment", "loc-opd", "org-wgh", "Diabetes clinic", 20 * time.Minute},
	{"IMP", "Emergency admission", "loc-ward7", "org-wgh", "Heart failure exacerbation", 72 * time.Hour},
}

var largeDosages = []string{"One tablet once a day", "One tablet twice a day", "Two tablets four times a day when required",
	"One capsule each morning", "One tablet at night"}

// addLarge generates the bulk of the large record deterministically: encounters every 36
// hours going back from the reference date (newest first), and a long medication history.
func (ds *dataset) addLarge(s *store, i int, p seedPerson, pid string) {
	pre := personPrefix(i)
	for k := range p.Large.Encounters {
		kind := largeEncounterKinds[(k*7+k/11)%len(largeEncounterKinds)]
		start := ReferenceDate.Add(-time.Duration(k)*36*time.Hour - 2*time.Hour)
		e := seedEncounter{Class: kind.class, Type: kind.typ, Status: "finished",
			Start: start.Format(time.RFC3339), End: start.Add(kind.length).Format(time.RFC3339),
			Location: kind.location, Provider: kind.provider, Reason: kind.reason}
		if kind.provider == "org-kettlewick" {
			e.With = "pr-okafor"
		}
		ds.addEncounter(s, pid, fmt.Sprintf("en-%s-L%d", pre, k+1), e)
	}
	for k, m := range ds.largeMeds(p) {
		ds.addMedication(s, pid, fmt.Sprintf("%s-L%d", pre, k+1), m, gpMedKey(p, pre, len(p.Meds)+k))
	}
}

// largeMeds generates the large record's medication history: one a month going back from
// the reference date, the newest twelve still active, every fourth a prescription.
func (ds *dataset) largeMeds(p seedPerson) []seedMed {
	if p.Large == nil {
		return nil
	}
	meds := ds.seed.Medicines
	out := make([]seedMed, 0, p.Large.Medications)
	for k := range p.Large.Medications {
		start := ReferenceDate.AddDate(0, 0, -30*k)
		m := seedMed{Medicine: meds[k%len(meds)].ID, Kind: "statement", Dosage: largeDosages[k%len(largeDosages)],
			Start: start.Format("2006-01-02"), Reference: k%2 == 0, Status: "active"}
		if k%4 == 3 {
			m.Kind, m.Prescriber = "request", "pr-okafor"
		}
		if k >= 12 {
			m.Status = "completed"
			m.End = start.AddDate(0, 0, 28).Format("2006-01-02")
		}
		out = append(out, m)
	}
	return out
}
