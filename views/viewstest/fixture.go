// Package viewstest builds hand-made records for the views' and the TUI's tests, golden
// files and benchmarks. The people, places and numbers are invented; NHS numbers are from
// the 999 test range and pass Modulus 11.
package viewstest

import (
	"fmt"
	"time"

	"github.com/shcr-project/shcr/internal/ukdate"
	"github.com/shcr-project/shcr/record"
)

// Back end names used by the fixtures.
const (
	Health = "Demo NHS ShCR"
	Social = "Demo County Council"
	GP     = "Demo GP Connect"
)

// Now is the fixed clock of every fixture: 25-Nov-2026 10:00 UK time.
var Now = time.Date(2026, 11, 25, 10, 0, 0, 0, ukdate.London)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, ukdate.London) }
func at(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, ukdate.London)
}

func healthProv(author, role string, rec time.Time) record.Provenance {
	return record.Provenance{Backend: Health, Organisation: "Muddlecombe Hospitals NHS Trust", OrganisationCode: "ZZT01",
		Domain: record.DomainHealth, Author: record.Author{Name: author, Role: role}, Recorded: rec, SourceSystem: "Demo EPR"}
}

func socialProv(author, role string, rec time.Time) record.Provenance {
	return record.Provenance{Backend: Social, Organisation: "Demo County Council Adult Social Care", OrganisationCode: "ZZC01",
		Domain: record.DomainSocialCare, Author: record.Author{Name: author, Role: role}, Recorded: rec, SourceSystem: "Demo Case Management"}
}

func item(key string, p record.Provenance) record.Item { return record.Item{Key: key, Provenance: p} }

// Person is the fixtures' person: Ann Pebbleworth, born 12-Mar-1948, NHS No. 999 100 0003.
func Person() record.Person {
	return record.Person{
		NHSNumber: "9991000003",
		Name:      record.Name{Family: "Pebbleworth", Given: []string{"Ann"}, Prefix: []string{"Mrs"}},
		BirthDate: "1948-03-12", Gender: "female",
		Address: record.Address{Lines: []string{"1 Teacup Lane"}, City: "Muddlecombe", Postcode: "ZZ1 1ZZ"},
		Phones:  []record.Phone{{Number: "01632 960001", Use: "home"}},
		Sources: []record.PersonSource{
			{Backend: Health, ID: "pat-1", Name: record.Name{Family: "Pebbleworth", Given: []string{"Ann"}}, BirthDate: "1948-03-12", Gender: "female", Postcode: "ZZ1 1ZZ"},
			{Backend: Social, ID: "LA-0042", Name: record.Name{Family: "Pebbleworth", Given: []string{"Ann"}}, BirthDate: "1948-03-12", Gender: "female", Postcode: "ZZ1 1ZZ"},
		},
	}
}

// Record is a complete record from two back ends, every section returned.
func Record() *record.Record {
	rec := &record.Record{Person: Person()}
	s := &rec.Sections
	s.CarePackages = []record.CarePackage{
		{Item: item("cp-1", socialProv("Sam Okafor", "Social worker", at(2025, 12, 20, 11, 30))), Kind: record.PackageKindEpisode, Type: "Home care",
			Status: "active", Description: "Morning and evening calls", Provider: "Brightwater Home Care Ltd",
			Period: record.Period{Start: day(2026, 1, 3)}, Schedule: "2 visits a day", HoursPerWeek: 14, CareManager: "Sam Okafor",
			StatusHistory: []record.StatusPeriod{{Status: "planned", Period: record.Period{Start: day(2025, 12, 20), End: day(2026, 1, 3)}}, {Status: "active", Period: record.Period{Start: day(2026, 1, 3)}}}},
		{Item: item("cp-2", socialProv("Sam Okafor", "Social worker", at(2025, 9, 1, 9, 0))), Kind: record.PackageKindEpisode, Type: "Reablement",
			Status: "finished", Provider: "Demo County Reablement Team", Period: record.Period{Start: day(2025, 9, 1), End: day(2025, 10, 13)}, Schedule: "daily"},
	}
	s.CareTeam = []record.CareTeamMember{
		{Item: item("ct-1", socialProv("", "", at(2025, 9, 1, 9, 0))), Name: "Sam Okafor", Role: "Social worker", RoleCode: "106328005",
			Team: "Adult Social Care East", Organisation: "Demo County Council", Phones: []record.Phone{{Number: "01632 960123", Use: "work"}},
			Period: record.Period{Start: day(2025, 9, 1)}, Status: "active"},
		{Item: item("ct-2", healthProv("", "", at(2024, 5, 2, 9, 0))), Name: "Dr Priya Nandakumar", Role: "General practitioner", RoleCode: "R0260",
			Team: "Muddlecombe Surgery", Phones: []record.Phone{{Number: "01632 960200", Use: "work"}}, Period: record.Period{Start: day(2019, 4, 1)}},
	}
	s.Medications = []record.Medication{
		{Item: item("med-1", healthProv("Dr Priya Nandakumar", "GP", at(2026, 10, 2, 14, 5))), Kind: "statement", Name: "Amlodipine 5mg tablets",
			Code: "319283006", Dosage: "One tablet once a day", Status: "active", Period: record.Period{Start: day(2024, 2, 1)}, Prescriber: "Dr Priya Nandakumar"},
		{Item: item("med-2", healthProv("Dr Priya Nandakumar", "GP", at(2026, 10, 2, 14, 6))), Kind: "statement", Name: "Metformin 500mg tablets",
			Dosage: "One tablet twice a day with food", Status: "active", Period: record.Period{Start: day(2023, 6, 12)}},
		{Item: item("med-3", healthProv("Dr Priya Nandakumar", "GP", at(2026, 10, 2, 14, 7))), Kind: "request", Name: "Paracetamol 500mg tablets",
			Dosage: "Two tablets up to four times a day when required", Status: "active", Period: record.Period{Start: day(2026, 10, 2)}},
		{Item: item("med-4", healthProv("Dr Priya Nandakumar", "GP", at(2025, 3, 2, 9, 0))), Kind: "statement", Name: "Amoxicillin 500mg capsules",
			Dosage: "One capsule three times a day for 7 days", Status: "completed", Period: record.Period{Start: day(2025, 3, 2), End: day(2025, 3, 9)}},
	}
	s.Allergies = []record.Allergy{
		{Item: item("al-1", healthProv("Dr Priya Nandakumar", "GP", at(2019, 4, 1, 10, 0))), Substance: "Penicillin", ClinicalStatus: "active",
			VerificationStatus: "confirmed", Criticality: "high", Reactions: []string{"Urticarial rash (moderate)"}, Asserted: day(2019, 4, 1)},
	}
	s.NextOfKin = []record.Contact{
		{Item: item("nok-2", socialProv("Sam Okafor", "Social worker", at(2025, 9, 1, 9, 0))), Name: "Tom Pebbleworth", Roles: []string{record.RoleEmergencyContact},
			Relationship: "Son", Phones: []record.Phone{{Number: "07700 900456", Use: "mobile"}}, Rank: 2, Source: "RelatedPerson"},
		{Item: item("nok-1", healthProv("", "", at(2024, 5, 2, 9, 0))), Name: "Mary Pebbleworth", Roles: []string{record.RoleNextOfKin, record.RoleKeyHolder},
			Relationship: "Daughter", Phones: []record.Phone{{Number: "07700 900123", Use: "mobile"}, {Number: "01632 960999", Use: "home"}}, Rank: 1, Source: "Patient.contact"},
		{Item: item("nok-3", socialProv("Sam Okafor", "Social worker", at(2025, 9, 1, 9, 0))), Name: "Jo Quill", Roles: []string{record.RoleKeyHolder},
			Relationship: "Neighbour", Phones: []record.Phone{{Number: "01632 960777", Use: "home"}}, Source: "RelatedPerson"},
	}
	s.NextOfKin[1].AlsoFrom = []record.Provenance{socialProv("Sam Okafor", "Social worker", at(2025, 9, 1, 9, 0))}
	s.Encounters = []record.Encounter{
		{Item: item("enc-1", healthProv("", "", at(2026, 10, 2, 9, 0))), Class: "inpatient", Type: "Emergency admission", Status: "finished",
			Period: record.Period{Start: at(2026, 9, 28, 22, 40), End: at(2026, 10, 2, 11, 0)}, Location: "Ward 7, Muddlecombe General",
			Provider: "Muddlecombe Hospitals NHS Trust", Reason: "Fall at home", Clinician: "Dr Lee Hartley"},
		{Item: item("enc-2", socialProv("Sam Okafor", "Social worker", at(2026, 10, 9, 15, 0))), Class: "home", Type: "Review visit", Status: "finished",
			Period: record.Period{Start: at(2026, 10, 9, 14, 0)}, Location: "Home", Clinician: "Sam Okafor"},
		{Item: item("enc-3", healthProv("", "", at(2026, 11, 3, 10, 0))), Class: "ambulatory", Type: "Outpatient appointment", Status: "finished",
			Period: record.Period{Start: at(2026, 11, 3, 10, 30)}, Location: "Fracture clinic", Clinician: "Ms Ade Bello"},
		{Item: item("enc-4", healthProv("", "", at(2026, 11, 20, 10, 0))), Class: "ambulatory", Type: "Outpatient appointment", Status: "planned",
			Period: record.Period{Start: at(2026, 12, 14, 9, 15)}, Location: "Falls clinic"},
	}
	s.Notes = []record.Note{
		{Item: item("note-1", healthProv("Dr Lee Hartley", "Consultant", at(2026, 10, 2, 10, 0))), Kind: "document", Title: "Summary on leaving ward",
			Date: at(2026, 10, 2, 10, 0), Status: "current", Text: "Admitted after a fall at home. No fracture. Mobilising with a frame. Home care restarted."},
		{Item: item("note-2", socialProv("Sam Okafor", "Social worker", at(2026, 10, 9, 16, 0))), Kind: "case-note", Title: "Review visit",
			Date: at(2026, 10, 9, 16, 0), Text: "Visited at home with daughter present. Agreed to continue evening calls."},
		{Item: record.Item{Key: "note-3", Provenance: func() record.Provenance {
			p := socialProv("Sam Okafor", "Social worker", at(2026, 10, 10, 9, 0))
			p.Security = []string{record.ConfidentialityRestricted}
			return p
		}(), Restricted: true}, Kind: "case-note", Title: "SECRET TITLE", Date: at(2026, 10, 10, 9, 0), Text: "SECRET CONTENT"},
	}
	s.Alerts = []record.Alert{
		{Item: item("flag-1", socialProv("Sam Okafor", "Social worker", at(2025, 9, 1, 9, 0))), Kind: record.AlertFlag, Category: "Key safe",
			Text: "Key safe by the back door", Status: "active", Period: record.Period{Start: day(2025, 9, 1)}},
	}
	for _, b := range []string{Health, Social} {
		for _, sec := range record.Sections() {
			n := countFrom(rec, sec, b)
			rec.SetStatus(record.SectionStatus{Backend: b, Section: sec, State: record.StateReturned, Count: n})
		}
	}
	rec.SetBackend(record.BackendStatus{Name: Health, Kind: "fhir-r4", Domain: record.DomainHealth, Status: record.BackendOK, Counts: counts(rec, Health)})
	rec.SetBackend(record.BackendStatus{Name: Social, Kind: "fhir-r4", Domain: record.DomainSocialCare, Status: record.BackendOK, Counts: counts(rec, Social)})
	return rec
}

// WithProblems adds a third back end that failed, a failed section, a truncated section, a
// GP Connect warning and a demographic discrepancy.
func WithProblems(rec *record.Record) *record.Record {
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionMedications, State: record.StateFailed, Error: "back end Demo GP Connect answered 500 with an HTML page"})
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionAllergies, State: record.StateReturned, Warnings: []string{"confidential-items"}})
	// GP Connect answered the rest: encounters (none there), and it serves no care packages,
	// care team, contacts, notes or alerts.
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionEncounters, State: record.StateReturned})
	for _, sec := range []record.Section{record.SectionCarePackages, record.SectionCareTeam, record.SectionNextOfKin, record.SectionNotes, record.SectionAlerts} {
		rec.SetStatus(record.SectionStatus{Backend: GP, Section: sec, State: record.StateNotSupported, Error: "GP Connect does not serve this"})
	}
	for i, st := range rec.SectionStatus {
		if st.Backend == Health && st.Section == record.SectionEncounters {
			rec.SectionStatus[i].State, rec.SectionStatus[i].Total = record.StateTruncated, 12000
		}
	}
	rec.SetBackend(record.BackendStatus{Name: GP, Kind: "gp-connect", Domain: record.DomainHealth, Status: record.BackendPartial, Error: "medications failed"})
	rec.Person.Sources = append(rec.Person.Sources, record.PersonSource{Backend: GP, ID: "gp-9", Name: record.Name{Family: "Pebbleworth", Given: []string{"Ann"}}, BirthDate: "1948-12-03", Gender: "female"})
	rec.Discrepancies = record.Discrepancies(rec.Person.Sources)
	return rec
}

// Empty is a record whose back ends returned nothing for care packages (none recorded),
// sent no answer at all for medications (so it is unknown: not asked), and said "no known
// allergies".
func Empty() *record.Record {
	rec := &record.Record{Person: Person()}
	rec.Sections.Allergies = []record.Allergy{{Item: item("nka", healthProv("", "", day(2024, 1, 1))), NoKnownAllergies: true, Substance: "No known allergy", ClinicalStatus: "active", Asserted: day(2024, 1, 1)}}
	for _, sec := range record.Sections() {
		if sec == record.SectionMedications {
			continue
		}
		rec.SetStatus(record.SectionStatus{Backend: Health, Section: sec, State: record.StateReturned, Count: rec.Count(sec)})
		rec.SetStatus(record.SectionStatus{Backend: Social, Section: sec, State: record.StateReturned})
	}
	rec.SetBackend(record.BackendStatus{Name: Health, Status: record.BackendOK, Domain: record.DomainHealth})
	rec.SetBackend(record.BackendStatus{Name: Social, Status: record.BackendOK, Domain: record.DomainSocialCare})
	return rec
}

// Large is Record with n encounters (for speed tests).
func Large(n int) *record.Record {
	rec := Record()
	encs := make([]record.Encounter, n)
	start := at(2026, 11, 1, 9, 0)
	types := []string{"Home visit", "Outpatient appointment", "Telephone call", "District nurse visit", "Review visit"}
	for i := range encs {
		p := healthProv("", "", start)
		if i%3 == 0 {
			p = socialProv("Sam Okafor", "Social worker", start)
		}
		encs[i] = record.Encounter{Item: item(fmt.Sprintf("enc-%d", i), p), Class: "home", Type: types[i%len(types)], Status: "finished",
			Period: record.Period{Start: start.Add(-time.Duration(i) * 7 * time.Hour)}, Location: fmt.Sprintf("Location %d", i%40), Clinician: "Jo Visitor"}
	}
	rec.Sections.Encounters = encs
	for _, b := range []string{Health, Social} {
		rec.SetStatus(record.SectionStatus{Backend: b, Section: record.SectionEncounters, State: record.StateReturned, Count: countFrom(rec, record.SectionEncounters, b)})
	}
	return rec
}

func counts(rec *record.Record, backend string) map[record.Section]int {
	out := map[record.Section]int{}
	for _, sec := range record.Sections() {
		if n := countFrom(rec, sec, backend); n > 0 {
			out[sec] = n
		}
	}
	return out
}

func countFrom(rec *record.Record, sec record.Section, backend string) int {
	n := 0
	for _, it := range rec.Sections.Items(sec) {
		if it.Provenance.Backend == backend {
			n++
		}
	}
	return n
}
