package fhir

import (
	"strings"

	"github.com/shcr-project/shcr/client/record"
)

// ---- encounters ----

var encounterClasses = map[string]string{
	"IMP": "inpatient", "ACUTE": "inpatient", "NONAC": "inpatient", "AMB": "ambulatory", "EMER": "emergency",
	"HH": "home", "VR": "virtual", "FLD": "field", "OBSENC": "observation", "PRENC": "pre-admission", "SS": "short stay",
}

func (m *mapper) encounter(r Resource) (record.Encounter, bool) {
	var e encounterRes
	if err := decodeAs(r, &e); err != nil {
		m.warn("%s; skipped", err)
		return record.Encounter{}, false
	}
	if e.Status == "entered-in-error" {
		return record.Encounter{}, false
	}
	enc := record.Encounter{
		Item: m.item(r, &e.domainResource, itemFacts{}), Type: e.Type.Label(), Status: e.Status,
		Period: m.period(r, "period", &e.Period), Reason: firstNonEmpty(e.ReasonCode.Label(), e.Reason.Label()),
	}
	if e.Class != nil {
		enc.Class = firstNonEmpty(encounterClasses[strings.ToUpper(e.Class.Code)], e.Class.Display, e.Class.Code)
	}
	for _, l := range e.Location {
		if n := m.who(&l.Location, &e.domainResource).name; n != "" {
			enc.Location = n
			break
		}
	}
	if e.ServiceProvider != nil {
		enc.Provider = m.who(e.ServiceProvider, &e.domainResource).name
	}
	// The primary performer or attender, else the first participant.
	best := -1
	for i, p := range e.Participant {
		if p.Individual == nil {
			continue
		}
		if best < 0 {
			best = i
		}
		if p.Type.Has("", "PPRF") || p.Type.Has("", "ATND") {
			best = i
			break
		}
	}
	if best >= 0 {
		enc.Clinician = m.who(e.Participant[best].Individual, &e.domainResource).name
	}
	return enc, true
}
