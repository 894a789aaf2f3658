package fhir

import (
	"net/url"

	"github.com/shcr-project/shcr/record"
)

// Query is one search the client runs for a section:
// [base]/{ResourceType}?{Params}&{PatientParam}=<id>, plus _include=… for each of Includes,
// _include:iterate=… for each of IncludeIterate, and _revinclude=Provenance:target when
// RevIncludeProvenance is set. Includes are what the mapping resolves when present; a
// client drops those the server's CapabilityStatement does not declare (the mapping then
// falls back to reference display text).
type Query struct {
	ResourceType         string
	PatientParam         string
	Params               url.Values
	Includes             []string // _include values, e.g. "EpisodeOfCare:care-manager"
	IncludeIterate       []string // _include:iterate values, e.g. "PractitionerRole:practitioner"
	RevIncludeProvenance bool
}

// Values builds the query string for the patient with logical id patientID.
func (q Query) Values(patientID string) url.Values {
	v := url.Values{}
	for k, vs := range q.Params {
		v[k] = append([]string(nil), vs...)
	}
	v.Set(q.PatientParam, patientID)
	for _, inc := range q.Includes {
		v.Add("_include", inc)
	}
	for _, inc := range q.IncludeIterate {
		v.Add("_include:iterate", inc)
	}
	if q.RevIncludeProvenance {
		v.Add("_revinclude", "Provenance:target")
	}
	return v
}

// CommentNoteCode is the SNOMED CT code of GP Connect's "Comment note" Observation, the
// note-like Observations the notes section asks for.
const CommentNoteCode = "37331000000100"

// SectionQueries returns the searches a section needs. Every search is by patient
// ("patient=<id>") and asks for Provenance by _revinclude. The choices:
//
//	care-packages  EpisodeOfCare (+ organization, care-manager), CarePlan, ServiceRequest (+ performer),
//	               DeviceRequest (+ device, performer; optional): equipment provision
//	care-team      CareTeam (+ participant, iterate PractitionerRole:practitioner / :organization),
//	               EpisodeOfCare (+ care-manager, organization; iterate the same)
//	medications    MedicationStatement (+ medication), MedicationRequest (+ medication, requester)
//	allergies      AllergyIntolerance (+ recorder, asserter)
//	next-of-kin    RelatedPerson (Patient.contact comes from the Patient already fetched)
//	encounters     Encounter (+ location, service-provider, practitioner)
//	notes          DocumentReference (+ author), Composition (+ author),
//	               Observation with code=http://snomed.info/sct|37331000000100 (comment notes)
//	alerts         Flag (+ author); deceased and interpreter come from the Patient
//
// No _sort or status filter is sent (not every server supports them); the mapping filters
// (e.g. only active Flags) and the views sort.
func SectionQueries(sec record.Section) []Query {
	q := func(rt string, includes ...string) Query {
		return Query{ResourceType: rt, PatientParam: "patient", Includes: includes, RevIncludeProvenance: true}
	}
	roleIterate := []string{"PractitionerRole:practitioner", "PractitionerRole:organization"}
	switch sec {
	case record.SectionCarePackages:
		return []Query{
			q("EpisodeOfCare", "EpisodeOfCare:organization", "EpisodeOfCare:care-manager"),
			q("CarePlan"),
			q("ServiceRequest", "ServiceRequest:performer"),
			q("DeviceRequest", "DeviceRequest:device", "DeviceRequest:performer"),
		}
	case record.SectionCareTeam:
		ct := q("CareTeam", "CareTeam:participant")
		ct.IncludeIterate = roleIterate
		eoc := q("EpisodeOfCare", "EpisodeOfCare:care-manager", "EpisodeOfCare:organization")
		eoc.IncludeIterate = roleIterate
		return []Query{ct, eoc}
	case record.SectionMedications:
		return []Query{
			q("MedicationStatement", "MedicationStatement:medication"),
			q("MedicationRequest", "MedicationRequest:medication", "MedicationRequest:requester"),
		}
	case record.SectionAllergies:
		return []Query{q("AllergyIntolerance", "AllergyIntolerance:recorder", "AllergyIntolerance:asserter")}
	case record.SectionNextOfKin:
		return []Query{q("RelatedPerson")}
	case record.SectionEncounters:
		return []Query{q("Encounter", "Encounter:location", "Encounter:service-provider", "Encounter:practitioner")}
	case record.SectionNotes:
		obs := q("Observation")
		obs.Params = url.Values{"code": {SystemSNOMED + "|" + CommentNoteCode}}
		return []Query{q("DocumentReference", "DocumentReference:author"), q("Composition", "Composition:author"), obs}
	case record.SectionAlerts:
		return []Query{q("Flag", "Flag:author")}
	}
	return nil
}
