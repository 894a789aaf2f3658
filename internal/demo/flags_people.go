package demo

// The demo people of national flags and objections to sharing (issue 16 §3–4), added to the
// seed's people (loadSeed) and served by the demo NHS shared care record, the demo GP
// practice and the demo national flags service (flags.go):
//
//   - Poppy ASHGROVE (999 301 0006), aged 8: a child protection plan (CP-IS flag on the flags
//     service; its CareTeam names Demo County Council Children's Services with office-hours and
//     emergency duty team numbers);
//   - Desmond HALLOWAY (999 302 0001): a national reasonable adjustment flag (BSL), and a child
//     protection flag from his childhood that has ended (not current: never shown as such);
//   - Winifred CASTELLANE (999 303 0007): objected to sharing from the demo NHS shared care
//     record (a Consent: overall deny, nested permit for emergency treatment, ETREAT): its
//     data is withheld unless the purpose is emergency care and emergency access is used;
//     the GP practice's is shown;
//   - Gerald PENROSE (999 304 0002): the demographics service (PDS) records his NHS record
//     sharing dissent (NCRS): with the national services, every care record's data is
//     withheld unless emergency access is used; without them nothing says so.

// Demo NHS numbers of the flags and objection people (test range, Modulus 11 valid).
const (
	FlagsChildNHS     = "9993010006"
	FlagsAdjustNHS    = "9993020001"
	FlagsObjectionNHS = "9993030007"
	// NCRSDissentNHS is Gerald Penrose: PDS holds his NHS record sharing dissent (pds.go).
	NCRSDissentNHS = "9993040002"
)

// flagsPeople are the seed entries of the three people.
func flagsPeople() []seedPerson {
	addr := func(line, postcode string) seedAddress {
		return seedAddress{Lines: []string{line}, City: "Wexbridge", District: "Demoshire", Postcode: postcode}
	}
	return []seedPerson{
		{Key: "ashgrove", NHS: FlagsChildNHS, Title: "Miss", Family: "Ashgrove", Given: []string{"Poppy"},
			Shows:     "Child protection plan (CP-IS flag on the national flags service): the local authority's office-hours and out-of-hours numbers; a dispatcher opens them on request, which tells the local authority",
			BirthDate: "2018-05-14", Gender: "female", Address: addr("12 Orchard Row", "DM1 4PQ"),
			Phones: []seedPhone{{Value: "01632 960710", Use: "home"}}, Backends: []string{"nhs"},
			Contacts: []seedContact{{Title: "Ms", Family: "Ashgrove", Given: []string{"Leanne"}, Relationship: "MTH", RelDisplay: "mother",
				Roles: []string{"NOK"}, Rank: 1, Phones: []seedPhone{{Value: "07700 900710", Use: "mobile"}}, In: []string{"nhs"}}},
			Encounters: []seedEncounter{{Class: "EMER", Type: "Emergency department attendance", Status: "finished",
				Start: "2026-09-12T16:20:00Z", End: "2026-09-12T19:05:00Z", Location: "loc-ed", Provider: "org-wgh", Reason: "Wrist injury"}},
		},
		{Key: "halloway", NHS: FlagsAdjustNHS, Title: "Mr", Family: "Halloway", Given: []string{"Desmond"},
			Shows:     "National reasonable adjustment flag (British Sign Language); an ended child protection flag from his childhood, not shown as current",
			BirthDate: "2001-02-27", Gender: "male", Address: addr("4 Canal Side", "DM2 7RT"),
			Phones: []seedPhone{{Value: "07700 900720", Use: "mobile"}}, Backends: []string{"nhs"},
			Meds: []seedMed{{Medicine: "sertraline-50", Kind: "statement", Dosage: "One tablet once a day", Status: "active", Start: "2025-03-01"}},
		},
		{Key: "castellane", NHS: FlagsObjectionNHS, Title: "Mrs", Family: "Castellane", Given: []string{"Winifred"},
			Shows:     "Objected to sharing from the demo NHS shared care record: its data is withheld (emergency access only); the GP practice's is shown",
			BirthDate: "1949-08-08", Gender: "female", Address: addr("Flat 3, Belvedere Court", "DM3 9LW"),
			Phones: []seedPhone{{Value: "01632 960730", Use: "home"}}, Backends: []string{"nhs", "gp"},
			Contacts: []seedContact{{Title: "Mr", Family: "Castellane", Given: []string{"Julian"}, Relationship: "SON", RelDisplay: "son",
				Roles: []string{"NOK"}, Rank: 1, Phones: []seedPhone{{Value: "07700 900730", Use: "mobile"}}, In: []string{"nhs", "gp"}}},
			Allergies: []seedAllergy{{Code: "91936005", Display: "Penicillin", Category: "medication", Criticality: "high", Reaction: "Urticaria",
				Severity: "moderate", Recorded: "2012-04-02", Status: "active", Recorder: "pr-okafor"}},
			Meds: []seedMed{{Medicine: "ramipril-2.5", Kind: "statement", Dosage: "One capsule once a day", Status: "active", Start: "2020-01-15"},
				{Medicine: "atorvastatin-20", Kind: "request", Dosage: "One tablet at night", Status: "active", Start: "2024-06-01", Prescriber: "pr-okafor", Reference: true}},
			Encounters: []seedEncounter{{Class: "IMP", Type: "Inpatient stay", Status: "finished", Start: "2026-08-03T10:00:00Z",
				End: "2026-08-09T14:00:00Z", Location: "loc-ward7", Provider: "org-wgh", Reason: "Chest infection"}},
		},
		{Key: "penrose", NHS: NCRSDissentNHS, Title: "Mr", Family: "Penrose", Given: []string{"Gerald"},
			Shows:     "NHS record sharing dissent held by the demographics service (PDS): every care record's data is withheld (emergency access only)",
			BirthDate: "1944-11-19", Gender: "male", Address: addr("27 Millstream Lane", "DM2 3HN"),
			Phones: []seedPhone{{Value: "01632 960740", Use: "home"}}, Backends: []string{"nhs", "gp"},
			Allergies: []seedAllergy{{Code: "91936005", Display: "Penicillin", Category: "medication", Criticality: "high", Reaction: "Rash",
				Severity: "mild", Recorded: "2015-09-10", Status: "active", Recorder: "pr-okafor"}},
			Meds: []seedMed{{Medicine: "ramipril-2.5", Kind: "statement", Dosage: "One capsule once a day", Status: "active", Start: "2019-05-02"}},
		},
	}
}

// addConsents adds the objection to sharing the demo NHS shared care record holds: the FHIR
// consent-example-Emergency shape (overall deny, nested permit for ETREAT), as UK Core
// Consent, with category SNOMED 416409005 (refused consent for upload to local shared
// electronic record).
func (ds *dataset) addConsents(s *store) {
	pid, ok := ds.healthID["castellane"]
	if !ok {
		return
	}
	s.add(jobj{"resourceType": "Consent", "id": "consent-castellane-objection",
		"meta":   healthMeta("Consent", nhsMetaSource, "2026-03-02T10:15:00Z"),
		"status": "active",
		"scope":  concept("", coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", "Privacy Consent")),
		"category": jarr{
			concept("", coding(sysSNOMED, "416409005", "Refused consent for upload to local shared electronic record")),
			concept("", coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "INFA", "information access")),
		},
		"patient":      reference("Patient", pid, ""),
		"dateTime":     "2026-03-02T10:15:00Z",
		"organization": jarr{ds.orgRef("org-kettlewick")},
		"provision": jobj{"type": "deny", "period": period("2026-03-02", ""),
			"provision": jarr{jobj{"type": "permit", "purpose": jarr{
				coding("http://terminology.hl7.org/CodeSystem/v3-ActReason", "ETREAT", "Emergency Treatment")}}}},
	}, pid, nil)
}
