package viewstest

import (
	"github.com/shcr-project/shcr/record"
)

// Back end names of the hard-case fixture, besides Health, Social and GP.
const (
	Community = "Demo Community Trust"     // answers, but its care packages time out
	Borough   = "Demo Borough Council"     // does not know the person
	Mental    = "Demo Mental Health Trust" // not asked: sign-in needed
)

// GPWarningPaper is a GP Connect list warning that is not one of the coded ones, long enough
// to wrap on any terminal.
const GPWarningPaper = "Items recorded before 2019 are held on paper at the practice and are not shown here; ask the practice for them if they matter to this decision."

// Hard is a record with every hard case a real server gives: a failed back end section
// (server error), a timed-out one, a truncated one, a not-supported one, a back end that does
// not know the person and one not asked; an ended guardian with a fax ranked to call first, a
// contact with no name and one with no phone, a phone that has ended and a text-phone; an
// ended social worker; a referral, equipment and a service the server calls active that
// finished; an item relayed via a health ShCR, one dated only by the server, partial dates; a
// current admission with its hospitalisation details; several GP Connect warnings; notices.
func Hard() *record.Record {
	rec := &record.Record{Person: Person()}
	rec.Person.Language = "Polish"
	rec.Person.Sources = append(rec.Person.Sources,
		record.PersonSource{Backend: GP, ID: "gp-9", Name: rec.Person.Name, BirthDate: rec.Person.BirthDate, Gender: "female"},
		record.PersonSource{Backend: Community, ID: "ct-7", Name: rec.Person.Name, BirthDate: rec.Person.BirthDate, Gender: "female"})
	s := &rec.Sections

	relayed := socialProv("Sam Okafor", "Social worker", at(2026, 11, 2, 9, 0))
	relayed.Backend, relayed.Via = Health, Health
	serverDated := healthProv("", "", at(2024, 3, 12, 8, 30))
	serverDated.ServerUpdated = true
	partial := healthProv("Dr Priya Nandakumar", "GP", day(2024, 3, 1))
	partial.RecordedText = "2024-03"
	restricted := socialProv("Sam Okafor", "Social worker", at(2025, 2, 1, 9, 0))
	restricted.Security = []string{record.ConfidentialityRestricted}

	s.CarePackages = []record.CarePackage{
		{Item: item("hcp-1", socialProv("Sam Okafor", "Social worker", at(2025, 3, 1, 9, 0))), Kind: record.PackageKindEpisode, PackageCategory: record.PackageCare,
			Type: "Home care", Status: "finished", ReportedStatus: "active", Provider: "Brightwater Home Care Ltd",
			Period: record.Period{Start: day(2025, 3, 1), StartText: "2025-03"}, Schedule: "3 visits a day",
			StatusHistory: []record.StatusPeriod{
				{Status: "active", Period: record.Period{Start: day(2025, 3, 1), StartText: "2025-03", End: day(2026, 1, 3), EndText: "2026-01-03"}},
				{Status: "finished", Period: record.Period{Start: day(2026, 1, 3), StartText: "2026-01-03"}}}},
		{Item: item("hcp-2", socialProv("Sam Okafor", "Social worker", at(2026, 10, 5, 9, 0))), Kind: record.PackageKindDevice, PackageCategory: record.PackageEquipment,
			Type: "Hospital bed", Status: "active", Provider: "Demo Community Equipment Service", Period: record.Period{Start: day(2026, 10, 5)}},
	}
	s.Referrals = []record.CarePackage{
		{Item: item("ref-1", healthProv("Dr Lee Hartley", "Consultant", at(2026, 11, 21, 9, 0))), Kind: record.PackageKindRequest, PackageCategory: record.PackageOrder,
			Type: "MRI lumbar spine", Status: "active", Provider: "Muddlecombe Hospitals NHS Trust", Period: record.Period{Start: day(2026, 11, 21)}},
	}
	s.CareTeam = []record.CareTeamMember{
		{Item: item("hct-1", socialProv("", "", at(2024, 1, 10, 9, 0))), Name: "Alex Former", Role: "Social worker", RoleCode: "106328005",
			Team: "Adult Social Care West", Phones: []record.Phone{{Number: "01632 960321", Use: "work"}},
			Period: record.Period{Start: day(2024, 1, 10), End: day(2026, 6, 30)}, Status: "inactive"},
		{Item: item("hct-2", socialProv("", "", at(2026, 7, 1, 9, 0))), Name: "Sam Okafor", Role: "Social worker", RoleCode: "106328005",
			Team: "Adult Social Care East", Phones: []record.Phone{{Number: "01632 960999", Use: "work", System: record.PhoneFax}, {Number: "01632 960123", Use: "work"}},
			Period: record.Period{Start: day(2026, 7, 1)}, Status: "active"},
	}
	s.Medications = []record.Medication{
		{Item: item("hmed-1", partial), Kind: "statement", Name: "Metformin 500mg tablets", Dosage: "One tablet twice a day with food",
			Status: "active", Period: record.Period{Start: day(2023, 1, 1), StartText: "2023"}},
	}
	s.Allergies = []record.Allergy{
		{Item: item("hnka", healthProv("", "", day(2024, 1, 1))), NoKnownAllergies: true, Substance: "No known allergy", ClinicalStatus: "active", Asserted: day(2024, 1, 1)},
		{Item: record.Item{Key: "hal-r", Provenance: restricted, Restricted: true}, Substance: "SECRET SUBSTANCE", ClinicalStatus: "active"},
	}
	s.NextOfKin = []record.Contact{
		{Item: item("hnok-1", socialProv("Sam Okafor", "Social worker", at(2024, 5, 1, 9, 0))), Name: "Rita Vole", Roles: []string{record.RoleGuardian},
			Relationship: "Guardian", Rank: 1, Source: "RelatedPerson",
			Phones: []record.Phone{{Number: "01632 960555", Use: "work", System: record.PhoneFax}, {Number: "07700 900777", Use: "mobile"}},
			Period: record.Period{Start: day(2024, 5, 1), End: day(2025, 11, 1)}},
		{Item: item("hnok-2", healthProv("", "", at(2024, 5, 2, 9, 0))), Name: "Mary Pebbleworth", Roles: []string{record.RoleNextOfKin},
			Relationship: "Daughter", Rank: 2, Source: "Patient.contact",
			Phones: []record.Phone{{Number: "07700 900123", Use: "mobile", Period: record.Period{End: day(2026, 2, 1)}},
				{Number: "18001 01632 960444", System: record.PhoneTextphone}, {Number: "01632 960888", Use: "home"}}},
		{Item: item("hnok-3", socialProv("", "", at(2025, 9, 1, 9, 0))), Roles: []string{record.RoleKeyHolder}, Relationship: "Neighbour",
			Phones: []record.Phone{{Number: "01632 960777", Use: "home"}}, Source: "RelatedPerson"},
		{Item: item("hnok-4", socialProv("", "", at(2025, 9, 1, 9, 0))), Name: "Jo Quill", Roles: []string{record.RoleCarer}, Relationship: "Friend", Source: "RelatedPerson"},
	}
	s.Encounters = []record.Encounter{
		{Item: item("henc-1", healthProv("", "", at(2026, 11, 20, 23, 0))), Class: "inpatient", Type: "Emergency admission", Status: "in-progress",
			Period: record.Period{Start: at(2026, 11, 20, 22, 40)}, Location: "Ward 3, Muddlecombe General", Provider: "Muddlecombe Hospitals NHS Trust",
			AdmitSource: "Emergency department", DischargeDisposition: "Home with support", DischargeDestination: "Usual place of residence",
			MedicallySafe: record.Period{Start: day(2026, 11, 24), StartText: "2026-11-24"}, LegalStatus: "Mental Health Act 1983 section 2"},
		{Item: item("henc-2", healthProv("", "", day(2024, 3, 1))), Class: "ambulatory", Type: "Outpatient appointment", Status: "finished",
			Period: record.Period{Start: day(2024, 3, 1), StartText: "2024-03"}, Location: "Diabetes clinic"},
	}
	s.Notes = []record.Note{
		{Item: item("hnote-1", relayed), Kind: "case-note", Title: "Carers assessment", Date: at(2026, 11, 2, 9, 0),
			Text: "Daughter visits daily. Needs help with meals."},
		{Item: item("hnote-2", healthProv("Dr Lee Hartley", "Consultant", at(2026, 11, 22, 16, 0))), Kind: "composition", Title: "Ward round summary",
			Date: at(2026, 11, 22, 16, 0), Status: "final",
			Text: "Presenting complaint:\nConfusion and a fall at home.\n\nPlan:\nAssess under section 2. Physiotherapy daily."},
		{Item: item("hnote-3", serverDated), Kind: "document", Title: "Clinic letter", ContentType: "application/pdf", Size: 48213,
			URL: "https://example.invalid/Binary/letter-1"},
	}
	s.Alerts = []record.Alert{
		{Item: item("hflag-1", socialProv("Sam Okafor", "Social worker", at(2026, 7, 1, 9, 0))), Kind: record.AlertFlag, Category: "Key safe",
			Text: "Key safe by the back door", Status: "active", Period: record.Period{Start: day(2026, 7, 1)}},
		{Item: item("hflag-2", healthProv("", "", at(2024, 1, 1, 9, 0))), Kind: record.AlertFlag, Category: "Violence risk",
			Text: "Aggressive when confused (ended)", Status: "active", Period: record.Period{Start: day(2024, 1, 1), End: day(2025, 1, 1)}},
		{Item: item("hflag-3", healthProv("", "", at(2024, 1, 1, 9, 0))), Kind: record.AlertFlag, Category: "Dog in house",
			Text: "Dog rehomed", Status: "inactive"},
	}

	for _, b := range []string{Health, Social} {
		for _, sec := range record.Sections() {
			rec.SetStatus(record.SectionStatus{Backend: b, Section: sec, State: record.StateReturned, Count: countFrom(rec, sec, b)})
		}
	}
	// Demo NHS ShCR read 2 of 1,203 encounters.
	rec.SetStatus(record.SectionStatus{Backend: Health, Section: record.SectionEncounters, State: record.StateTruncated, Count: 2, Total: 1203})
	// GP Connect: medications with several warnings, allergies failed with a server error,
	// the sections it does not serve.
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionMedications, State: record.StateReturned,
		Warnings: []string{"confidential-items", "data-in-transit", "data-awaiting-filing", GPWarningPaper}})
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionAllergies, State: record.StateFailed, HTTPStatus: 500})
	rec.SetStatus(record.SectionStatus{Backend: GP, Section: record.SectionCarePackages, State: record.StateNotSupported, Error: "does not serve EpisodeOfCare"})
	for _, sec := range []record.Section{record.SectionCareTeam, record.SectionNextOfKin, record.SectionEncounters, record.SectionNotes, record.SectionAlerts} {
		rec.SetStatus(record.SectionStatus{Backend: GP, Section: sec, State: record.StateNotSupported, Error: "not a GP Connect section"})
	}
	// The community trust: care packages timed out, the rest answered (nothing there).
	for _, sec := range record.Sections() {
		st := record.SectionStatus{Backend: Community, Section: sec, State: record.StateReturned}
		if sec == record.SectionCarePackages {
			st.State = record.StateTimedOut
		}
		rec.SetStatus(st)
	}
	rec.SetBackend(record.BackendStatus{Name: Health, Kind: "fhir-r4", Domain: record.DomainHealth, Status: record.BackendOK, Counts: counts(rec, Health)})
	rec.SetBackend(record.BackendStatus{Name: Social, Kind: "fhir-r4", Domain: record.DomainSocialCare, Status: record.BackendOK, Counts: counts(rec, Social)})
	rec.SetBackend(record.BackendStatus{Name: GP, Kind: "gp-connect", Domain: record.DomainHealth, Status: record.BackendPartial})
	rec.SetBackend(record.BackendStatus{Name: Community, Kind: "fhir-r4", Domain: record.DomainHealth, Status: record.BackendPartial})
	rec.SetBackend(record.BackendStatus{Name: Borough, Kind: "fhir-r4", Domain: record.DomainSocialCare, Status: record.BackendNotKnown})
	rec.SetBackend(record.BackendStatus{Name: Mental, Kind: "fhir-r4", Domain: record.DomainHealth, Status: record.BackendNotQueried, Error: "sign-in needed"})
	rec.Notices = []record.Notice{
		{Backend: Health, Kind: record.NoticeWrongSubject, Text: "2 entries about someone else were left out (not merged)"},
		{Backend: Social, Kind: record.NoticeDuplicates, Text: "holds 2 records with this NHS number (LA-0042, LA-0099): both read and shown together"},
	}
	return rec
}

// Deceased is Hard for a person who died on 03-Oct-2026 (the admission ended then), with the
// interpreter needed.
func Deceased() *record.Record {
	rec := Hard()
	rec.Person.Deceased = true
	rec.Person.DeceasedAt, rec.Person.DeceasedText = day(2026, 10, 3), "2026-10-03"
	rec.Person.InterpreterLanguage = "Polish"
	e := &rec.Sections.Encounters[0]
	e.Status = "finished"
	e.Period = record.Period{Start: at(2026, 9, 20, 22, 40), End: day(2026, 10, 3)}
	return rec
}
