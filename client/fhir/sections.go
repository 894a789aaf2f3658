package fhir

import (
	"slices"

	"github.com/shcr-project/shcr/record"
)

// MapSection maps everything returned for one section — the matches and the _include'd
// resources (Practitioner, PractitionerRole, Organization, Medication, Location,
// Provenance…) across all its queries — plus the Patient resource (Patient.contact → next of
// kin; deceased and interpreter need → alerts). patient may be nil.
//
// A resource that does not decode is skipped and named in the warnings; a value that
// decodes but is not valid (a date that is not a FHIR date) is left blank with a warning.
// Bundle entries with search.mode "outcome" (OperationOutcome) become warnings.
func MapSection(sec record.Section, patient *Resource, resources []Resource, src Source) (record.SectionsData, []string) {
	all := resources
	if patient != nil {
		all = append(slices.Clone(resources), *patient)
	}
	m := newMapper(src, all)
	var out record.SectionsData
	seen := make(map[string]bool, len(resources))
	items := make([]Resource, 0, len(resources))
	for _, r := range resources {
		if r.Type == "OperationOutcome" {
			if oo, ok := ParseOperationOutcome(r.Raw); ok && len(oo.Issues) > 0 {
				m.warn("the back end said: %s", oo.String())
			}
			continue
		}
		if r.Mode == "include" || r.Mode == "outcome" {
			continue
		}
		if r.ID != "" {
			ref := r.Ref()
			if seen[ref] {
				continue
			}
			seen[ref] = true
		}
		items = append(items, r)
	}
	switch sec {
	case record.SectionCarePackages:
		out.CarePackages, out.Referrals = m.carePackages(items)
	case record.SectionCareTeam:
		for _, r := range items {
			out.CareTeam = appendMembers(out.CareTeam, m.careTeam(r)...)
		}
	case record.SectionMedications:
		out.Medications = m.medications(items)
	case record.SectionAllergies:
		for _, r := range items {
			if r.Type == "AllergyIntolerance" {
				if a, ok := m.allergy(r, nil); ok {
					out.Allergies = append(out.Allergies, a)
				}
			}
		}
	case record.SectionNextOfKin:
		if patient != nil {
			out.NextOfKin = append(out.NextOfKin, m.patientContacts(*patient)...)
		}
		for _, r := range items {
			if r.Type == "RelatedPerson" {
				if c, ok := m.relatedPerson(r); ok {
					out.NextOfKin = append(out.NextOfKin, c)
				}
			}
		}
	case record.SectionEncounters:
		out.Encounters = make([]record.Encounter, 0, countType(items, "Encounter"))
		for _, r := range items {
			if r.Type == "Encounter" {
				if e, ok := m.encounter(r); ok {
					out.Encounters = append(out.Encounters, e)
				}
			}
		}
	case record.SectionNotes:
		for _, r := range items {
			if n, ok := m.note(r, ""); ok {
				out.Notes = append(out.Notes, n)
			}
		}
	case record.SectionAlerts:
		if patient != nil {
			out.Alerts = append(out.Alerts, m.patientAlerts(*patient)...)
		}
		for _, r := range items {
			if r.Type == "Flag" {
				if a, ok := m.flag(r); ok {
					out.Alerts = append(out.Alerts, a)
				}
			}
		}
	default:
		m.warn("unknown section %q", sec)
	}
	return out, m.warnings
}

// countType is how many of rs are of type typ (to size a section's list once).
func countType(rs []Resource, typ string) int {
	n := 0
	for _, r := range rs {
		if r.Type == typ {
			n++
		}
	}
	return n
}

// appendMembers adds care team members, folding one already present under the same key:
// the entry with a coded role wins, and fills what the other lacks.
func appendMembers(dst []record.CareTeamMember, add ...record.CareTeamMember) []record.CareTeamMember {
	for _, a := range add {
		i := slices.IndexFunc(dst, func(d record.CareTeamMember) bool { return d.Key == a.Key })
		if i < 0 {
			dst = append(dst, a)
			continue
		}
		keep, other := dst[i], a
		if keep.RoleCode == "" && a.RoleCode != "" {
			keep, other = a, dst[i]
		}
		keep.Team = firstNonEmpty(keep.Team, other.Team)
		keep.Organisation = firstNonEmpty(keep.Organisation, other.Organisation)
		keep.Email = firstNonEmpty(keep.Email, other.Email)
		if len(keep.Phones) == 0 {
			keep.Phones = other.Phones
		}
		// One of the two still current (an active team) while the other has ended (a
		// finished episode's care manager): the member is current, as the current one says.
		if now := mappingNow(); !keep.Current(now) && other.Current(now) {
			keep.Period, keep.Status = other.Period, other.Status
		}
		dst[i] = keep
	}
	return dst
}
