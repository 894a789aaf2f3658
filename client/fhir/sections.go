package fhir

import (
	"net/url"

	"github.com/shcr-project/shcr/record"
)

// sectionMapping is what client/fhir knows about one section: the FHIR R4 searches that
// fill it and how their results map to the record, and, where GP Connect serves the
// section, what the $gpc.getstructuredrecord Parameters ask for it and how the structured
// record maps. Each section_*.go registers its own (registerMapping in an init), beside
// that section's decoding; TestEverySectionHasAMapping proves every section of record's
// section table has one.
type sectionMapping struct {
	queries func() []Query
	mapR4   func(m *mapper, patient *Resource, items []Resource, out *record.SectionsData)
	gpc     *gpcSection // nil: not part of GP Connect (not-supported there)
	// usesPatient: the mapping also reads the Patient resource itself (Patient.contact,
	// deceased, interpreter needed), so the section is answered even where the server
	// refuses every search.
	usesPatient bool
	// nationalOnly: only a national service (a flags back end) holds the section; regional
	// R4 back ends are sent no search for it (the section is not-supported there).
	nationalOnly bool
	// reserve, when set, says mapR4 only appends to out's lists (never makes anew or
	// sorts one), so that PageMapper.MapAppend may hand it a list that already holds
	// earlier pages' items; it makes the section's list with room for n when it has none.
	reserve func(out *record.SectionsData, n int)
}

// gpcSection is a section's part of GP Connect Access Record Structured.
type gpcSection struct {
	// ask is the Parameters entry that asks for the section ("" when nothing need be
	// asked: the Patient, with contacts and GP, always comes); sections sharing one
	// (encounters and notes: includeConsultations) name it alike and it is sent once.
	ask func(a GPConnectAsk) (name string, parts []map[string]any)
	// mapping fills the section from the response; it leaves st.State not-supported when
	// the response does not carry the clinical area.
	mapping func(c *gpcResponse, part *record.Part, st *record.SectionStatus)
}

var sectionMappings = map[record.Section]sectionMapping{}

func registerMapping(sec record.Section, sm sectionMapping) { sectionMappings[sec] = sm }

// search is a query by patient that asks for Provenance by _revinclude, with these _includes.
func search(rt string, includes ...string) Query {
	return Query{ResourceType: rt, PatientParam: "patient", Includes: includes, RevIncludeProvenance: true}
}

// SectionQueries returns the searches a section needs (each section_*.go says which, and
// why). Every search is by patient ("patient=<id>") and asks for Provenance by _revinclude.
// No _sort or status filter is sent (not every server supports them); the mapping filters
// (e.g. only active Flags) and the views sort.
func SectionQueries(sec record.Section) []Query {
	if sm, ok := sectionMappings[sec]; ok && sm.queries != nil {
		return sm.queries()
	}
	return nil
}

// SectionUsesPatient reports whether a section's mapping also reads the Patient resource.
func SectionUsesPatient(sec record.Section) bool { return sectionMappings[sec].usesPatient }

// MapSection maps everything returned for one section — the matches and the _include'd
// resources (Practitioner, PractitionerRole, Organization, Medication, Location,
// Provenance…) across all its queries — plus the Patient resource (Patient.contact → next of
// kin; deceased and interpreter need → alerts). patient may be nil.
//
// A resource that does not decode is skipped and named in the warnings; a value that
// decodes but is not valid (a date that is not a FHIR date) is left blank with a warning.
// Bundle entries with search.mode "outcome" (OperationOutcome) become warnings.
func MapSection(sec record.Section, patient *Resource, resources []Resource, src Source) (record.SectionsData, []string) {
	pm := NewPageMapper(sec, patient, src) // the whole section as one page
	out := pm.Map(resources, nil)
	return out, pm.m.warnings
}

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
