package demo

import (
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
)

// FHIR systems and extension URLs used by the demo data.
const (
	sysNHSNumber     = "https://fhir.nhs.uk/Id/nhs-number"
	sysODS           = "https://fhir.nhs.uk/Id/ods-organization-code"
	sysSNOMED        = "http://snomed.info/sct"
	sysUCUM          = "http://unitsofmeasure.org"
	sysV2RelType     = "http://terminology.hl7.org/CodeSystem/v2-0131"
	sysV3RoleCode    = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
	sysV3ActCode     = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
	sysConfidential  = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
	sysSDSJobRole    = "https://fhir.hl7.org.uk/CodeSystem/UKCore-SDSJobRoleName"
	sysLAPersonID    = "https://demo-county.example.gov.uk/Id/social-care-person-id"
	sysLALocalID     = "https://demo-county.example.gov.uk/Id/local-record-id"
	sysSHCRLocalID   = "https://shcr.demoshire.example.nhs.uk/Id/local-record-id"
	sysSupportRole   = "https://fhir.yhcr.nhs.uk/CodeSystem/Interweave-SocialCareSupportRole-1"
	sysServiceType   = "https://fhir.yhcr.nhs.uk/CodeSystem/Interweave-SocialCareServiceType-1"
	sysIWSource      = "https://yhcr.nhs.uk/Source"
	sysIWProvenance  = "https://yhcr.nhs.uk/Provenance"
	extNHSVerify     = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
	sysNHSVerify     = "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
	extContactRank   = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-ContactRank"
	extSupportRole   = "https://fhir.yhcr.nhs.uk/StructureDefinition/Extension-Interweave-SocialCareSupportRole"
	extNHSComm       = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSCommunication"
	extInterpreter   = "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired"
	profileUKCore    = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
	profileInterweav = "https://fhir.yhcr.nhs.uk/StructureDefinition/Interweave-"
	councilSourceSys = "DCC-ASC"
	councilSourceTxt = "Demoshire Adult Social Care System"
	councilLACode    = "DMLA1"
	nhsMetaSource    = "urn:demo:wexbridge-general-hospital:epr"
	gpMetaSource     = "urn:demo:kettlewick-surgery:gp-system"
	communityMetaSrc = "urn:demo:demoshire-community-health:ehr"
)

// supportRoles are the Interweave social care support role displays.
var supportRoleDisplay = map[string]string{
	"NOK": "Next of Kin", "EC": "Emergency Contact", "KH": "Key Holder", "LPA": "Lasting Power of Attorney",
	"MC": "Main Carer", "CAR": "Carer",
}

// dataset is everything the three back ends serve.
type dataset struct {
	seed    *seedFile
	health  *store
	council *store
	orgs    map[string]seedOrg
	pracs   map[string]seedPractitioner
	locs    map[string]seedLocation
	meds    map[string]seedMedicine
	// healthID and councilID map a person key to the Patient id on each back end.
	healthID, councilID map[string]string
}

// newDataset indexes a seed's organisations, practitioners, locations and medicines by id.
func newDataset(sf *seedFile) *dataset {
	ds := &dataset{seed: sf, orgs: map[string]seedOrg{}, pracs: map[string]seedPractitioner{},
		locs: map[string]seedLocation{}, meds: map[string]seedMedicine{},
		healthID: map[string]string{}, councilID: map[string]string{}}
	for _, o := range sf.Organisations {
		ds.orgs[o.ID] = o
	}
	for _, p := range sf.Practitioners {
		ds.pracs[p.ID] = p
	}
	for _, l := range sf.Locations {
		ds.locs[l.ID] = l
	}
	for _, m := range sf.Medicines {
		ds.meds[m.ID] = m
	}
	return ds
}

func loadDataset() (ds *dataset, err error) { return loadDatasetWith(0) }

// loadDatasetWith builds the data set with the large record's encounters set to
// largeEncounters (0: as the seed says).
func loadDatasetWith(largeEncounters int) (ds *dataset, err error) {
	// Building panics only on a malformed seed (a duplicate id, say): report it as an error.
	defer func() {
		if r := recover(); r != nil {
			ds, err = nil, fmt.Errorf("data/people.json: %v", r)
		}
	}()
	sf, err := loadSeed()
	if err != nil {
		return nil, err
	}
	if largeEncounters > 0 {
		for i := range sf.People {
			if sf.People[i].Large != nil {
				l := *sf.People[i].Large
				l.Encounters = largeEncounters
				sf.People[i].Large = &l
			}
		}
	}
	ds = newDataset(sf)
	if err := ds.check(); err != nil {
		return nil, err
	}
	ds.health = ds.buildHealth()
	ds.council = ds.buildCouncil()
	return ds, nil
}

// check verifies the seed's internal references, so a typo fails loudly at start-up.
func (ds *dataset) check() error {
	var errs []string
	need := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Sprintf(format, args...))
		}
	}
	org := func(id string) bool { _, ok := ds.orgs[id]; return ok }
	prac := func(id string) bool { _, ok := ds.pracs[id]; return id == "" || ok }
	for _, p := range ds.seed.Practitioners {
		need(org(p.Org), "practitioner %s: unknown org %s", p.ID, p.Org)
	}
	keys := map[string]bool{}
	for _, p := range ds.seed.People {
		need(!keys[p.Key], "duplicate person key %s", p.Key)
		keys[p.Key] = true
		for _, m := range p.Meds {
			_, ok := ds.meds[m.Medicine]
			need(ok, "%s: unknown medicine %s", p.Key, m.Medicine)
			need(prac(m.Prescriber), "%s: unknown prescriber %s", p.Key, m.Prescriber)
		}
		for _, e := range p.Encounters {
			need(org(e.Provider), "%s: unknown provider %s", p.Key, e.Provider)
			_, ok := ds.locs[e.Location]
			need(e.Location == "" || ok, "%s: unknown location %s", p.Key, e.Location)
			need(prac(e.With), "%s: unknown practitioner %s", p.Key, e.With)
		}
		for _, n := range p.Notes {
			need(prac(n.Author), "%s: unknown note author %s", p.Key, n.Author)
		}
		for _, pk := range p.Packages {
			need(org(pk.Provider), "%s: unknown provider %s", p.Key, pk.Provider)
			need(prac(pk.CareManager), "%s: unknown care manager %s", p.Key, pk.CareManager)
		}
		for _, m := range append(slices.Clone(p.CareTeam), p.SocialWorkers...) {
			need(prac(m.Practitioner), "%s: unknown practitioner %s", p.Key, m.Practitioner)
		}
		for _, a := range p.Allergies {
			need(prac(a.Recorder), "%s: unknown recorder %s", p.Key, a.Recorder)
		}
		for _, c := range p.Consultations {
			need(prac(c.Clinician), "%s: unknown clinician %s", p.Key, c.Clinician)
		}
		for _, f := range p.Flags {
			need(org(f.Author), "%s: unknown flag author %s", p.Key, f.Author)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("data/people.json: %s", strings.Join(errs, "; "))
	}
	return nil
}

func in(list []string, s string) bool { return slices.Contains(list, s) }

// --- small FHIR builders ---------------------------------------------------------------

func reference(typ, id, display string) jobj {
	r := jobj{"reference": typ + "/" + id}
	if display != "" {
		r["display"] = display
	}
	return r
}

func coding(system, code, display string) jobj {
	c := jobj{"system": system, "code": code}
	if display != "" {
		c["display"] = display
	}
	return c
}

func concept(text string, codings ...jobj) jobj {
	c := jobj{}
	if len(codings) > 0 {
		l := jarr{}
		for _, x := range codings {
			l = append(l, x)
		}
		c["coding"] = l
	}
	if text != "" {
		c["text"] = text
	}
	return c
}

// snomed gives a SNOMED CT concept, or a text-only concept when there is no code.
func snomed(code, display string) jobj {
	if code == "" {
		return concept(display)
	}
	return concept(display, coding(sysSNOMED, code, display))
}

func period(start, end string) jobj {
	p := jobj{}
	if start != "" {
		p["start"] = start
	}
	if end != "" {
		p["end"] = end
	}
	return p
}

func phones(ps []seedPhone) jarr {
	out := jarr{}
	for _, p := range ps {
		out = append(out, jobj{"system": "phone", "value": p.Value, "use": p.Use})
	}
	return out
}

func humanName(title, family string, given []string) jobj {
	n := jobj{"use": "official", "family": family, "given": toA(given)}
	if title != "" {
		n["prefix"] = jarr{title}
	}
	return n
}

func toA(ss []string) jarr {
	out := make(jarr, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func address(a seedAddress) jobj {
	m := jobj{"use": "home", "line": toA(a.Lines), "city": a.City, "postalCode": a.Postcode}
	if a.District != "" {
		m["district"] = a.District
	}
	return m
}

func (ds *dataset) pracName(id string) string {
	p := ds.pracs[id]
	return strings.TrimSpace(p.Title + " " + strings.Join(p.Given, " ") + " " + p.Family)
}

func (ds *dataset) orgRef(id string) jobj { return reference("Organization", id, ds.orgs[id].Name) }

func (ds *dataset) pracRef(id string) jobj { return reference("Practitioner", id, ds.pracName(id)) }

func healthMeta(profile, source string, lastUpdated string) jobj {
	m := jobj{"profile": jarr{profileUKCore + profile}, "source": source}
	if lastUpdated != "" {
		m["lastUpdated"] = lastUpdated
	}
	return m
}

func councilMeta(profile string, lastUpdated string) jobj {
	m := jobj{
		"profile": jarr{profileInterweav + profile},
		"tag": jarr{
			coding(sysIWSource, councilSourceSys, councilSourceTxt),
			coding(sysIWProvenance, councilLACode, "Demo County Council"),
		},
	}
	if lastUpdated != "" {
		m["lastUpdated"] = lastUpdated
	}
	return m
}

// instant turns a date into a FHIR instant at 09:00 UTC; dateTimes pass through.
func instant(s string) string {
	if len(s) == 10 {
		return s + "T09:00:00Z"
	}
	return s
}

func restrictedLabel() jarr {
	return jarr{coding(sysConfidential, "R", "restricted")}
}

func textAttachment(title, text string) jobj {
	return jobj{"contentType": "text/plain; charset=utf-8", "language": "en-GB", "title": title,
		"data": base64.StdEncoding.EncodeToString([]byte(text)), "size": len(text)}
}

// --- shared resources -------------------------------------------------------------------

func (ds *dataset) addOrganisations(s *store, backend string) {
	for _, o := range ds.seed.Organisations {
		if !in(o.Backends, backend) {
			continue
		}
		r := jobj{"resourceType": "Organization", "id": o.ID, "active": true, "name": o.Name,
			"identifier": jarr{jobj{"system": sysODS, "value": o.ODS}},
			"type":       jarr{concept("", coding("http://terminology.hl7.org/CodeSystem/organization-type", o.Type, ""))},
			"telecom":    jarr{jobj{"system": "phone", "value": o.Phone, "use": "work"}}}
		if backend == "council" {
			r["meta"] = councilMeta("Organization", "2026-01-01T09:00:00Z")
		} else {
			r["meta"] = healthMeta("Organization", nhsMetaSource, "2026-01-01T09:00:00Z")
		}
		s.add(r, "", nil)
	}
}

func (ds *dataset) addPractitioners(s *store, backend string) {
	for _, p := range ds.seed.Practitioners {
		if !in(p.Backends, backend) {
			continue
		}
		tel := jarr{jobj{"system": "phone", "value": p.Phone, "use": "work"}}
		if p.Email != "" {
			tel = append(tel, jobj{"system": "email", "value": p.Email, "use": "work"})
		}
		pr := jobj{"resourceType": "Practitioner", "id": p.ID, "active": true,
			"identifier": jarr{jobj{"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "DM" + strings.ToUpper(p.Family[:3]) + "01"}},
			"name":       jarr{humanName(p.Title, p.Family, p.Given)}, "telecom": tel}
		role := jobj{"resourceType": "PractitionerRole", "id": "role-" + p.ID, "active": true,
			"practitioner": ds.pracRef(p.ID), "organization": ds.orgRef(p.Org), "telecom": tel}
		var codes jarr
		if p.JobRole != "" {
			codes = append(codes, concept(p.JobDisplay, coding(sysSDSJobRole, p.JobRole, p.JobDisplay)))
		}
		codes = append(codes, snomed(p.Role, p.RoleDisplay))
		role["code"] = codes
		if p.Team != "" {
			if t, ok := ds.orgs[p.Team]; ok {
				role["extension"] = jarr{jobj{"url": "https://demo-county.example.gov.uk/StructureDefinition/team", "valueReference": ds.orgRef(t.ID)}}
				role["specialty"] = jarr{concept(t.Name)}
			} else {
				role["specialty"] = jarr{concept(p.Team)}
			}
		}
		if backend == "council" {
			pr["meta"] = councilMeta("Practitioner", "2026-01-01T09:00:00Z")
			role["meta"] = councilMeta("PractitionerRole", "2026-01-01T09:00:00Z")
		} else {
			pr["meta"] = healthMeta("Practitioner", nhsMetaSource, "2026-01-01T09:00:00Z")
			role["meta"] = healthMeta("PractitionerRole", nhsMetaSource, "2026-01-01T09:00:00Z")
		}
		s.add(pr, "", nil)
		s.add(role, "", map[string][]string{"practitioner": {"Practitioner/" + p.ID}, "organization": {"Organization/" + p.Org}})
	}
}

// patientResource builds the Patient as one back end holds it.
func (ds *dataset) patientResource(p seedPerson, id, backend string) jobj {
	r := jobj{"resourceType": "Patient", "id": id, "active": true,
		"name":      jarr{humanName(p.Title, p.Family, p.Given)},
		"telecom":   phones(p.Phones),
		"gender":    p.Gender,
		"birthDate": p.BirthDate,
		"address":   jarr{address(p.Address)}}
	var ids jarr
	if p.NHS != "" {
		ids = append(ids, jobj{"system": sysNHSNumber, "value": p.NHS,
			"extension": jarr{jobj{"url": extNHSVerify, "valueCodeableConcept": concept("",
				coding(sysNHSVerify, "01", "Number present and verified"))}}})
	}
	if backend == "council" {
		ids = append(ids, jobj{"system": sysLAPersonID, "value": p.LAID,
			"type": concept("Local authority social care person identifier", coding("http://terminology.hl7.org/CodeSystem/v2-0203", "PI", "Patient internal identifier"))})
		r["meta"] = councilMeta("Patient", "2026-11-01T09:00:00Z")
		if p.CouncilBirthDate != "" {
			r["birthDate"] = p.CouncilBirthDate
		}
	} else {
		r["meta"] = healthMeta("Patient", nhsMetaSource, "2026-11-01T09:00:00Z")
		r["generalPractitioner"] = jarr{ds.orgRef("org-kettlewick")}
	}
	r["identifier"] = ids
	if p.Deceased != "" {
		r["deceasedDateTime"] = p.Deceased
	} else {
		r["deceasedBoolean"] = false
	}
	if p.Interpreter != "" {
		lang := concept(p.Language, coding("urn:ietf:bcp:47", p.Interpreter, p.Language))
		r["communication"] = jarr{jobj{"language": lang, "preferred": true}}
		r["extension"] = jarr{
			jobj{"url": extInterpreter, "valueBoolean": true},
			jobj{"url": extNHSComm, "extension": jarr{
				jobj{"url": "language", "valueCodeableConcept": lang},
				jobj{"url": "interpreterRequired", "valueBoolean": true},
			}},
		}
	}
	if backend == "nhs" {
		var contacts jarr
		for _, c := range p.Contacts {
			if !in(c.In, "nhs") {
				continue
			}
			var rel jarr
			if in(c.Roles, "NOK") {
				rel = append(rel, concept("Next of kin", coding(sysV2RelType, "N", "Next-of-Kin")))
			}
			if in(c.Roles, "EC") {
				rel = append(rel, concept("Emergency contact", coding(sysV2RelType, "C", "Emergency Contact")))
			}
			rel = append(rel, concept(c.RelDisplay, coding(sysV3RoleCode, c.Relationship, c.RelDisplay)))
			ct := jobj{"relationship": rel, "name": humanName(c.Title, c.Family, c.Given), "telecom": phones(c.Phones)}
			if c.Rank > 0 {
				ct["extension"] = jarr{jobj{"url": extContactRank, "valuePositiveInt": c.Rank}}
			}
			contacts = append(contacts, ct)
		}
		if len(contacts) > 0 {
			r["contact"] = contacts
		}
	}
	return r
}
