package fhir

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shcr-project/shcr/record"
)

// GP Connect Access Record Structured (STU3 CareConnect) List codes (SNOMED CT).
const (
	gpcListAllergies     = "886921000000105"  // Allergies and adverse reaction (active allergies)
	gpcListMedications   = "933361000000108"  // Medications and medical devices
	gpcListConsultations = "1149501000000101" // List of consultations
	gpcConsultation      = "325851000000107"  // Consultation (one consultation's List)
	gpcTopic             = "25851000000105"   // Topic (a consultation's problem or issue)
	gpcHeading           = "24781000000107"   // Heading (a topic's category)
)

// ErrNoPatient is returned by MapGPConnect when the bundle has no Patient.
var ErrNoPatient = errors.New("the GP Connect response has no Patient")

// MapGPConnect maps a GP Connect Access Record Structured response (a STU3 `collection`
// Bundle of Patient, Organization, Practitioner, PractitionerRole, one List per clinical
// area and the clinical resources) into a Part: the person, and for each requested section
// a SectionStatus (returned when the bundle carries that clinical area's List, else
// not-returned) with every List warning as Warnings, each in full: each warningCode
// (confidential-items, data-in-transit, data-awaiting-filing, any other), each warning the
// List note states (the specification concatenates several in one note; they are split),
// and, labelled with the List's title, warnings of areas shcr does not show. Items are domain health; organisation = the GP practice
// (Patient.managingOrganization, else the bundle's Organization). Entry order is not
// relied on.
//
// Sections: allergies (active and resolved, including resolved allergies contained in a
// List), medications (MedicationStatement with its plan and issues folded in, and
// MedicationRequests no statement covers), encounters (consultations), notes (the
// consultations' "Comment note" Observations, titled by topic and heading), next of kin
// (Patient.contact, where relationship.text alone may name the role) and care team (the
// registered GP). Care packages and alerts are not part of GP Connect: not-returned.
func MapGPConnect(bundle []byte, src Source, sections []record.Section) (record.Part, error) {
	part, err := mapGPConnect(bundle, src, sections)
	if err != nil {
		return record.Part{}, tidy(err)
	}
	for i := range part.Status {
		for j, w := range part.Status[i].Warnings {
			part.Status[i].Warnings[j] = cleanWarning(w)
		}
	}
	return part, nil
}

func mapGPConnect(bundle []byte, src Source, sections []record.Section) (record.Part, error) {
	b, err := ParseBundle(bundle)
	if err != nil {
		return record.Part{}, fmt.Errorf("GP Connect response: %w", err)
	}
	if len(sections) == 0 {
		sections = record.Sections()
	}
	var patient *Resource
	for i := range b.Entries {
		if b.Entries[i].Type == "Patient" {
			if patient == nil {
				patient = &b.Entries[i]
			}
		}
	}
	if patient == nil {
		return record.Part{}, ErrNoPatient
	}
	src.Domain, src.DomainFixed = record.DomainHealth, true
	// The GP practice: the Patient's managing organisation, else the only Organization.
	m := newMapper(src, b.Entries)
	var pr patientRes
	if err := decodeAs(*patient, &pr); err != nil {
		return record.Part{}, fmt.Errorf("GP Connect response: %w", err)
	}
	practice := party{}
	if pr.ManagingOrg != nil {
		practice = m.who(pr.ManagingOrg, &pr.domainResource)
	}
	if practice.name == "" {
		for _, e := range b.Entries {
			if e.Type == "Organization" {
				practice = m.describe(e, 0)
				break
			}
		}
	}
	if practice.name != "" {
		src.Organisation, src.OrganisationCode = practice.name, practice.orgCode
		m.src = src
	}
	person, err := mapPerson(*patient, src)
	if err != nil {
		return record.Part{}, fmt.Errorf("GP Connect response: %w", err)
	}

	g := gpcLists{}
	for _, e := range b.Entries {
		if e.Type == "List" {
			g.add(m, e, nil)
		}
	}
	g.finish()
	c := &gpcResponse{m: m, entries: b.Entries, lists: &g, patient: patient, pr: &pr, practice: practice}
	part := record.Part{Backend: src.Backend, Person: &person}
	for _, sec := range sections {
		st := record.SectionStatus{Backend: src.Backend, Section: sec, State: record.StateNotSupported}
		before := len(m.warnings)
		if sm, ok := sectionMappings[sec]; ok && sm.gpc != nil {
			sm.gpc.mapping(c, &part, &st)
		}
		// What went wrong while mapping this section (an entry that does not decode, a
		// medication not in the response) is shown on the tab too.
		st.Warnings = append(st.Warnings, m.warnings[before:]...)
		part.Status = append(part.Status, st)
	}
	return part, nil
}

// gpcResponse is a GP Connect response as the sections' mappings read it.
type gpcResponse struct {
	m        *mapper
	entries  []Resource
	lists    *gpcLists
	patient  *Resource
	pr       *patientRes
	practice party // the GP practice
}

// GPConnectAsk is what the $gpc.getstructuredrecord Parameters depend on besides the
// sections: today's date, how many months of medication and how many recent consultations.
type GPConnectAsk struct {
	Now                 time.Time
	MedicationMonths    int
	ConsultationsRecent int
}

// GPConnectParameters are the Parameters parts that ask for these sections, in section
// table order, each named once.
func GPConnectParameters(sections []record.Section, a GPConnectAsk) []map[string]any {
	var out []map[string]any
	seen := map[string]bool{}
	for _, sec := range record.Sections() {
		sm, ok := sectionMappings[sec]
		if !ok || sm.gpc == nil || sm.gpc.ask == nil || !slices.Contains(sections, sec) {
			continue
		}
		name, parts := sm.gpc.ask(a)
		if name == "" || seen[name] {
			continue
		}
		seen[name] = true
		out = append(out, map[string]any{"name": name, "part": parts})
	}
	return out
}

func firstPhones(a, b []record.Phone) []record.Phone {
	if len(a) > 0 {
		return a
	}
	return b
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func hasType(rs []Resource, t string) bool {
	return slices.ContainsFunc(rs, func(r Resource) bool { return r.Type == t })
}
