package fhir

import (
	"net/url"
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
	// Optional marks a search that adds to a section but is not what the section is: a
	// server that refuses its resource type (many record servers hold no DeviceRequest)
	// leaves the section answered by its other searches, with that type named as not
	// available, rather than making the whole section not-supported.
	Optional bool
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
