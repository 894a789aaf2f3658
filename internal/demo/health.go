package demo

import (
	"fmt"
	"strings"
)

// patientParams are the Patient search parameters both FHIR R4 back ends support.
var patientParams = map[string]string{
	"_id": "token", "identifier": "token", "family": "string", "given": "string", "name": "string",
	"birthdate": "date", "address-postalcode": "string", "phone": "token", "telecom": "token", "gender": "token",
}

// sectionParams are the search parameters of the per-person resource types.
var sectionParams = map[string]string{"_id": "token", "patient": "reference", "subject": "reference"}

var refParams = map[string]string{"_id": "token"}

func personPrefix(i int) string { return fmt.Sprintf("%04d", i+1) }

func (ds *dataset) buildHealth() *store {
	types := []string{"Patient", "AllergyIntolerance", "MedicationStatement", "MedicationRequest", "Medication",
		"Encounter", "DocumentReference", "Composition", "Flag", "CareTeam", "Practitioner", "PractitionerRole",
		"Organization", "Location", "Provenance", "Consent"}
	s := newStore(NameNHS, types)
	for _, t := range types {
		switch t {
		case "Patient":
			s.search[t] = patientParams
		case "Medication", "Practitioner", "Organization", "Location", "PractitionerRole":
			s.search[t] = refParams
		default:
			s.search[t] = sectionParams
		}
	}
	s.includes["MedicationStatement"] = []string{"medication"}
	s.includes["MedicationRequest"] = []string{"medication", "requester"}
	s.includes["Encounter"] = []string{"location", "service-provider", "participant", "practitioner"}
	s.includes["AllergyIntolerance"] = []string{"recorder"}
	s.includes["CareTeam"] = []string{"participant"}
	s.includes["DocumentReference"] = []string{"author"}
	s.includes["Composition"] = []string{"author"}
	s.includes["Flag"] = []string{"author"}
	s.includes["PractitionerRole"] = []string{"practitioner", "organization"}

	ds.addOrganisations(s, "nhs")
	ds.addPractitioners(s, "nhs")
	for _, l := range ds.seed.Locations {
		s.add(jobj{"resourceType": "Location", "id": l.ID, "status": "active", "name": l.Name,
			"meta": healthMeta("Location", nhsMetaSource, "2026-01-01T09:00:00Z"), "managingOrganization": ds.orgRef(l.Org)}, "", nil)
	}
	for _, m := range ds.seed.Medicines {
		s.add(jobj{"resourceType": "Medication", "id": m.ID, "meta": healthMeta("Medication", nhsMetaSource, ""),
			"code": concept(m.Display, coding(sysSNOMED, m.Code, m.Display))}, "", nil)
	}
	for i, p := range ds.seed.People {
		if !in(p.Backends, "nhs") {
			continue
		}
		pid := "shcr-" + personPrefix(i)
		ds.healthID[p.Key] = pid
		s.add(ds.patientResource(p, pid, "nhs"), pid, nil)
		ds.addHealthSections(s, i, p, pid)
		if p.Large != nil {
			// The large record's bulk is built when a request first needs it (lazyBulk).
			s.deferBulk(pid, func(s *store) { ds.addLarge(s, i, p, pid) })
		}
	}
	ds.addConsents(s) // flags_people.go
	return s
}

// provenance adds a Provenance resource for target, as the source system recorded it.
func (ds *dataset) provenance(s *store, pid, target, recorded, author, org string) {
	id := "prov-" + strings.ReplaceAll(target, "/", "-")
	s.add(jobj{"resourceType": "Provenance", "id": id,
		"meta":     healthMeta("Provenance", nhsMetaSource, ""),
		"target":   jarr{jobj{"reference": target}},
		"recorded": instant(recorded),
		"activity": concept("", coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", "create")),
		"agent": jarr{jobj{
			"type":       concept("", coding("http://terminology.hl7.org/CodeSystem/provenance-participant-type", "author", "Author")),
			"who":        ds.pracRef(author),
			"onBehalfOf": ds.orgRef(org),
		}},
		"patient": reference("Patient", pid, ""),
	}, pid, nil)
}

func allergyResource(id, pid string, a seedAllergy, recorder jobj, meta jobj) jobj {
	clinical := a.Status
	if clinical == "" {
		clinical = "active"
	}
	r := jobj{"resourceType": "AllergyIntolerance", "id": id, "meta": meta,
		"identifier":         jarr{jobj{"system": sysSHCRLocalID, "value": id}},
		"clinicalStatus":     concept("", coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", clinical, strings.ToUpper(clinical[:1])+clinical[1:])),
		"verificationStatus": concept("", coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed")),
		"type":               "allergy",
		"category":           jarr{a.Category},
		"code":               snomed(a.Code, a.Display),
		"patient":            reference("Patient", pid, ""),
		"recordedDate":       a.Recorded,
		"recorder":           recorder,
	}
	if a.Criticality != "" {
		r["criticality"] = a.Criticality
	}
	if a.Reaction != "" {
		r["reaction"] = jarr{jobj{"manifestation": jarr{concept(a.Reaction)}, "severity": a.Severity}}
	}
	return r
}

// nkaResource is a positive "no known allergies" statement (SNOMED CT 716186003).
func nkaResource(id, pid, recorded string, meta jobj) jobj {
	return jobj{"resourceType": "AllergyIntolerance", "id": id, "meta": meta,
		"clinicalStatus":     concept("", coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active")),
		"verificationStatus": concept("", coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed")),
		"code":               snomed("716186003", "No known allergy"),
		"patient":            reference("Patient", pid, ""),
		"recordedDate":       recorded,
	}
}

func encounterClass(c string) jobj {
	display := map[string]string{"IMP": "inpatient encounter", "AMB": "ambulatory", "EMER": "emergency",
		"HH": "home health", "VR": "virtual"}[c]
	return coding(sysV3ActCode, c, display)
}

func (ds *dataset) addHealthSections(s *store, i int, p seedPerson, pid string) {
	pre := personPrefix(i)
	subj := reference("Patient", pid, "")
	// The shared care record is fed by the GP system: what it holds from there keeps the GP's
	// identifiers (the ones GP Connect gives the same items), so the two fold into one row.
	atGP := in(p.Backends, "gp")
	for j, a := range p.Allergies {
		id := fmt.Sprintf("al-%s-%d", pre, j+1)
		r := allergyResource(id, pid, a, ds.pracRef(a.Recorder), healthMeta("AllergyIntolerance", gpMetaSource, instant(a.Recorded)))
		if atGP {
			r["identifier"] = withGPIdentifier(r["identifier"], fmt.Sprintf("gal-%s-%d", pre, j+1))
		}
		s.add(r, pid, map[string][]string{"recorder": {"Practitioner/" + a.Recorder}})
		if a.Provenance {
			ds.provenance(s, pid, "AllergyIntolerance/"+id, a.Recorded, a.Recorder, ds.pracs[a.Recorder].Org)
		}
	}
	if p.NKA {
		r := nkaResource("al-"+pre+"-nka", pid, "2024-05-01", healthMeta("AllergyIntolerance", gpMetaSource, "2024-05-01T09:00:00Z"))
		if atGP {
			r["identifier"] = withGPIdentifier(nil, "gal-"+pre+"-nka")
		}
		s.add(r, pid, nil)
	}
	for j, m := range p.Meds {
		ds.addMedication(s, pid, fmt.Sprintf("%s-%d", pre, j+1), m, gpMedKey(p, pre, j))
	}
	for j, e := range p.Encounters {
		ds.addEncounter(s, pid, fmt.Sprintf("en-%s-%d", pre, j+1), e)
	}
	for j, n := range p.Notes {
		if n.Backend != "nhs" {
			continue
		}
		ds.addDocument(s, pid, fmt.Sprintf("doc-%s-%d", pre, j+1), n, "nhs")
	}
	if d := p.Discharge; d != nil {
		var secs jarr
		for _, sec := range d.Sections {
			secs = append(secs, jobj{"title": sec.Title, "text": jobj{"status": "generated",
				"div": `<div xmlns="http://www.w3.org/1999/xhtml"><p>` + xmlEscape(sec.Text) + `</p></div>`}})
		}
		var enc jobj
		for j, e := range p.Encounters {
			if e.End != "" && strings.HasPrefix(e.End, d.Date[:10]) {
				enc = reference("Encounter", fmt.Sprintf("en-%s-%d", pre, j+1), "")
			}
		}
		c := jobj{"resourceType": "Composition", "id": "comp-" + pre + "-1",
			"meta":       healthMeta("Composition", nhsMetaSource, d.Date),
			"identifier": jobj{"system": sysSHCRLocalID, "value": "comp-" + pre + "-1"},
			"status":     "final", "type": snomed("373942005", "Discharge summary"),
			"subject": subj, "date": d.Date, "author": jarr{ds.pracRef(d.Author)},
			"title": "Discharge summary", "custodian": ds.orgRef("org-wgh"), "section": secs}
		if enc != nil {
			c["encounter"] = enc
		}
		s.add(c, pid, map[string][]string{"author": {"Practitioner/" + d.Author}})
	}
	for j, f := range p.Flags {
		if f.Backend != "nhs" {
			continue
		}
		s.add(flagResource(fmt.Sprintf("flag-%s-%d", pre, j+1), pid, f, ds.orgRef(f.Author), healthMeta("Flag", nhsMetaSource, instant(f.Start))), pid,
			map[string][]string{"author": {"Organization/" + f.Author}})
	}
	if len(p.CareTeam) > 0 {
		s.add(ds.careTeam("ct-"+pre+"-1", pid, "Care team", p.CareTeam, "org-kettlewick", healthMeta("CareTeam", gpMetaSource, "2026-01-05T09:00:00Z"), false), pid,
			map[string][]string{"participant": pracRefs(p.CareTeam, "Practitioner/")})
	}
}

func pracRefs(ms []seedMember, prefix string) []string {
	var out []string
	for _, m := range ms {
		out = append(out, prefix+m.Practitioner)
	}
	return out
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func flagResource(id, pid string, f seedFlag, author jobj, meta jobj) jobj {
	return jobj{"resourceType": "Flag", "id": id, "meta": meta, "status": "active",
		"category": jarr{concept(f.Label, coding("http://terminology.hl7.org/CodeSystem/flag-category", f.Category, ""))},
		"code":     concept(f.Text),
		"subject":  reference("Patient", pid, ""),
		"period":   period(f.Start, ""),
		"author":   author}
}

// careTeam builds a CareTeam; byRole makes members PractitionerRole references (as the
// council's system does) rather than Practitioner ones.
func (ds *dataset) careTeam(id, pid, name string, members []seedMember, org string, meta jobj, byRole bool) jobj {
	var parts jarr
	for _, m := range members {
		member := ds.pracRef(m.Practitioner)
		if byRole {
			member = reference("PractitionerRole", "role-"+m.Practitioner, ds.pracName(m.Practitioner))
		}
		parts = append(parts, jobj{"role": jarr{snomed(m.Role, m.RoleDisplay)}, "member": member,
			"onBehalfOf": ds.orgRef(ds.pracs[m.Practitioner].Org), "period": period(m.Start, "")})
	}
	return jobj{"resourceType": "CareTeam", "id": id, "meta": meta, "status": "active", "name": name,
		"subject": reference("Patient", pid, ""), "participant": parts, "managingOrganization": jarr{ds.orgRef(org)}}
}

// withGPIdentifier puts the GP system's identifier (as GP Connect gives it) before a
// resource's own identifiers, so that it is the one a reader keys the item by.
func withGPIdentifier(own any, gpID string) jarr {
	out := jarr{jobj{"system": gpcDataID, "value": gpID}}
	if l, ok := own.(jarr); ok {
		out = append(out, l...)
	}
	return out
}

// gpMedKey is the suffix the GP Connect demo gives the person's j-th medication (the seed's
// medications, then the large record's), or "" when the person is not registered there.
func gpMedKey(p seedPerson, pre string, j int) string {
	if !in(p.Backends, "gp") {
		return ""
	}
	return fmt.Sprintf("%s-%d", pre, j+1)
}

// addMedication adds a medication; gpKey, when set, is the GP Connect demo's suffix for the
// same medication: a statement carries the GP statement's identifier and a request the GP
// issue's, as the GP system fed them to the shared care record.
func (ds *dataset) addMedication(s *store, pid, suffix string, m seedMed, gpKey string) {
	med := ds.meds[m.Medicine]
	var id string
	r := jobj{}
	if m.Kind == "request" {
		id = "mr-" + suffix
		r = jobj{"resourceType": "MedicationRequest", "id": id, "status": m.Status, "intent": "order",
			"authoredOn": m.Start, "dosageInstruction": jarr{jobj{"text": m.Dosage}},
			"dispenseRequest": jobj{"validityPeriod": period(m.Start, m.End)}}
		if m.Prescriber != "" {
			r["requester"] = ds.pracRef(m.Prescriber)
		}
		r["meta"] = healthMeta("MedicationRequest", gpMetaSource, instant(m.Start))
	} else {
		id = "ms-" + suffix
		r = jobj{"resourceType": "MedicationStatement", "id": id, "status": m.Status,
			"effectivePeriod": period(m.Start, m.End), "dateAsserted": m.Start, "dosage": jarr{jobj{"text": m.Dosage}}}
		r["meta"] = healthMeta("MedicationStatement", nhsMetaSource, instant(m.Start))
	}
	r["identifier"] = jarr{jobj{"system": sysSHCRLocalID, "value": id}}
	if gpKey != "" {
		gpID := "gms-" + gpKey
		if m.Kind == "request" {
			gpID = "gmo-" + gpKey
		}
		r["identifier"] = withGPIdentifier(r["identifier"], gpID)
		r["meta"] = healthMeta(r["resourceType"].(string), gpMetaSource, instant(m.Start))
	}
	r["subject"] = reference("Patient", pid, "")
	refs := map[string][]string{}
	if m.Reference {
		r["medicationReference"] = reference("Medication", med.ID, med.Display)
		refs["medication"] = []string{"Medication/" + med.ID}
	} else {
		r["medicationCodeableConcept"] = concept(med.Display, coding(sysSNOMED, med.Code, med.Display))
	}
	if m.Prescriber != "" && m.Kind == "request" {
		refs["requester"] = []string{"Practitioner/" + m.Prescriber}
	}
	s.add(r, pid, refs)
	if m.Provenance {
		author := m.Prescriber
		if author == "" {
			author = "pr-ashdown"
		}
		ds.provenance(s, pid, r["resourceType"].(string)+"/"+id, m.Start, author, ds.pracs[author].Org)
	}
}

func (ds *dataset) addEncounter(s *store, pid, id string, e seedEncounter) {
	source := map[string]string{"org-community": communityMetaSrc, "org-kettlewick": gpMetaSource}[e.Provider]
	if source == "" {
		source = nhsMetaSource
	}
	r := jobj{"resourceType": "Encounter", "id": id, "meta": healthMeta("Encounter", source, instant(e.Start)),
		"identifier": jarr{jobj{"system": sysSHCRLocalID, "value": id}},
		"status":     e.Status, "class": encounterClass(e.Class), "type": jarr{concept(e.Type)},
		"subject": reference("Patient", pid, ""), "period": period(e.Start, e.End),
		"serviceProvider": ds.orgRef(e.Provider)}
	refs := map[string][]string{"service-provider": {"Organization/" + e.Provider}}
	if e.Reason != "" {
		r["reasonCode"] = jarr{concept(e.Reason)}
	}
	if e.Location != "" {
		r["location"] = jarr{jobj{"location": reference("Location", e.Location, ds.locs[e.Location].Name)}}
		refs["location"] = []string{"Location/" + e.Location}
	}
	if e.With != "" {
		r["participant"] = jarr{jobj{"type": jarr{concept("", coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "PPRF", "primary performer"))},
			"individual": ds.pracRef(e.With)}}
		refs["participant"] = []string{"Practitioner/" + e.With}
		refs["practitioner"] = refs["participant"]
	}
	s.add(r, pid, refs)
}

func (ds *dataset) addDocument(s *store, pid, id string, n seedNote, backend string) {
	var meta jobj
	if backend == "council" {
		meta = councilMeta("DocumentReference", n.Date)
	} else {
		meta = healthMeta("DocumentReference", nhsMetaSource, n.Date)
	}
	if n.Restricted {
		meta["security"] = restrictedLabel()
	}
	var content jarr
	if n.PDFSize > 0 {
		content = jarr{jobj{"attachment": jobj{"contentType": "application/pdf", "title": n.Title + ".pdf", "size": n.PDFSize,
			"url": "https://documents.wexbridge-general.example.nhs.uk/" + id + ".pdf", "creation": n.Date}}}
	} else {
		content = jarr{jobj{"attachment": textAttachment(n.Title, n.Text)}}
	}
	r := jobj{"resourceType": "DocumentReference", "id": id, "meta": meta,
		"identifier": jarr{jobj{"system": sysSHCRLocalID, "value": id}},
		"status":     "current", "docStatus": "final",
		"type":        concept(n.Type),
		"subject":     reference("Patient", pid, ""),
		"date":        n.Date,
		"author":      jarr{ds.pracRef(n.Author)},
		"description": n.Title,
		"content":     content}
	if backend == "council" {
		r["identifier"] = jarr{jobj{"system": sysLALocalID, "value": id}}
		r["category"] = jarr{concept("Social care case note")}
		r["custodian"] = ds.orgRef("org-council")
	} else {
		r["category"] = jarr{concept("Clinical note")}
		r["custodian"] = ds.orgRef("org-wgh")
	}
	s.add(r, pid, map[string][]string{"author": {"Practitioner/" + n.Author}})
}
