package fhir

import (
	"slices"
	"strings"

	"github.com/shcr-project/shcr/record"
)

// Encounters: Encounter (+ location, service-provider, practitioner). From GP Connect, the
// most recent consultations (includeConsultations).
func init() {
	registerMapping(record.SectionEncounters, sectionMapping{
		queries: func() []Query {
			return []Query{search("Encounter", "Encounter:location", "Encounter:service-provider", "Encounter:practitioner")}
		},
		mapR4: func(m *mapper, _ *Resource, items []Resource, out *record.SectionsData) {
			if n := countType(items, "Encounter"); out.Encounters == nil {
				// A list Gather hands back when done with it (record.EncounterList).
				out.Encounters = record.EncounterList(n)
			} else {
				out.Encounters = slices.Grow(out.Encounters, n)
			}
			for _, r := range items {
				if r.Type == "Encounter" {
					// Built where it is listed (an encounter is ~640 bytes: not built, then
					// copied out, then copied in).
					l := slices.Grow(out.Encounters, 1)
					n := len(l)
					l = l[:n+1]
					l[n] = record.Encounter{} // whatever a list held past its length
					if !m.encounterInto(r, &l[n]) {
						l[n] = record.Encounter{}
						l = l[:n]
					}
					out.Encounters = l
				}
			}
		},
		gpc: &gpcSection{ask: askConsultations, mapping: gpcEncounters},
		reserve: func(out *record.SectionsData, n int) {
			if cap(out.Encounters) == 0 {
				out.Encounters = record.EncounterList(n)
			}
		},
	})
}

func gpcEncounters(c *gpcResponse, part *record.Part, st *record.SectionStatus) {
	if !c.lists.has(gpcListConsultations) && !hasType(c.entries, "Encounter") {
		return
	}
	st.State = record.StateReturned
	for _, e := range c.entries {
		if e.Type == "Encounter" {
			if enc, ok := c.m.encounter(e); ok {
				part.Sections.Encounters = append(part.Sections.Encounters, enc)
			}
		}
	}
	st.Warnings = append(st.Warnings, c.lists.warnings(record.SectionEncounters)...)
	st.Count = len(part.Sections.Encounters)
}

// askConsultations asks for the most recent consultations: encounters and notes both come
// from them.
func askConsultations(a GPConnectAsk) (string, []map[string]any) {
	return "includeConsultations", []map[string]any{{"name": "includeNumberOfMostRecent", "valuePositiveInt": a.ConsultationsRecent}}
}

// ---- encounters ----

var encounterClasses = map[string]string{
	"IMP": "inpatient", "ACUTE": "inpatient", "NONAC": "inpatient", "AMB": "ambulatory", "EMER": "emergency",
	"HH": "home", "VR": "virtual", "FLD": "field", "OBSENC": "observation", "PRENC": "pre-admission", "SS": "short stay",
}

func (m *mapper) encounter(r Resource) (record.Encounter, bool) {
	var enc record.Encounter
	ok := m.encounterInto(r, &enc)
	return enc, ok
}

// encounterInto maps r into *enc, which must be empty; false (enc left as it may be
// half-filled) when r is not listed: unreadable, or entered in error.
func (m *mapper) encounterInto(r Resource, enc *record.Encounter) bool {
	// Decoded into the mapper's scratch (one allocation fewer per encounter): nothing
	// mapped from it keeps a pointer into it, only its strings.
	e := &m.enc
	var ownRead, read bool
	if p := predecodedFor(r); p != nil {
		// Decoded ahead (Predecoder): only the item is built here.
		e, ownRead, read = &p.enc, p.ownRead, true
		if ownRead {
			m.own = p.own
		}
	} else {
		*e = encounterRes{}
		// Its own facts (item's) in the same pass where the hand-written reader reads both.
		m.own = ownFacts{}
		ownRead = decodeEncounterOwnFast(r.Raw, r.ID, e, &m.own)
		if !ownRead {
			*e = encounterRes{}
		}
		read = ownRead || decodeEncounterFastID(r.Raw, r.ID, e)
	}
	if !read {
		*e = encounterRes{}
		if err := decodeAs(r, e); err != nil {
			m.warn("%s; skipped", err)
			return false
		}
	}
	if e.Status == "entered-in-error" {
		return false
	}
	enc.Item = m.itemOwn(r, &e.domainResource, itemFacts{}, ownRead)
	enc.Type, enc.Status = e.Type.Label(), e.Status
	enc.Period = m.period(r, "period", &e.Period)
	enc.Reason = firstNonEmpty(e.ReasonCode.Label(), e.Reason.Label())
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
	m.hospitalStay(r, e, enc)
	return true
}

// hospitalStay reads Encounter.hospitalization (admission source, discharge disposition and
// destination) and the UK extensions on a stay: UK Core LegalStatus (e.g. detained under a
// Mental Health Act section) and a "medically safe / ready for discharge" date (Interweave
// MedicallySafeForDischarge: status + predictedDate + actualDate; or a simple dateTime or
// Period extension named discharge-ready, medically optimised…). Extensions are matched by
// the end of their URL, on the Encounter and on its hospitalization.
func (m *mapper) hospitalStay(r Resource, e *encounterRes, enc *record.Encounter) {
	exts := e.Extension
	if h := e.Hospitalization; h != nil {
		exts = append(slices.Clone(exts), h.Extension...)
		enc.AdmitSource = h.AdmitSource.Label()
		enc.DischargeDisposition = h.DischargeDisposition.Label()
		if h.Destination != nil {
			enc.DischargeDestination = m.who(h.Destination, &e.domainResource).name
		}
	}
	var legal []string
	for _, x := range exts {
		name := extName(x.URL)
		switch {
		case name == "legalstatus" || strings.HasSuffix(name, "-legalstatus") || strings.HasSuffix(name, "mentalhealthactstatus"):
			if t := legalStatusText(x); t != "" && !slices.Contains(legal, t) {
				legal = append(legal, t)
			}
		case strings.Contains(name, "dischargedestination"):
			if enc.DischargeDestination == "" {
				enc.DischargeDestination = x.Text()
				if enc.DischargeDestination == "" && x.ValueReference != nil {
					enc.DischargeDestination = m.who(x.ValueReference, &e.domainResource).name
				}
			}
		case strings.Contains(name, "medicallysafe") || strings.Contains(name, "medicallyoptimi") ||
			strings.Contains(name, "dischargeready") || strings.Contains(name, "readyfordischarge"):
			if enc.MedicallySafe.Start.IsZero() {
				enc.MedicallySafe = m.medicallySafe(r, x)
			}
		}
	}
	enc.LegalStatus = strings.Join(legal, "; ")
}

// extName is the last path segment of an extension URL, in lower case.
func extName(url string) string {
	u := strings.ToLower(strings.TrimRight(strings.TrimSpace(url), "/"))
	if i := strings.LastIndex(u, "/"); i >= 0 {
		u = u[i+1:]
	}
	return u
}

// legalStatusText reads UK Core LegalStatus: legalStatusClassification (the status) and
// legalStatusContext (admission, discharge…), or a simple coded value.
func legalStatusText(x Extension) string {
	t := x.Text()
	ctx := ""
	for _, sub := range x.Extension {
		switch n := strings.ToLower(sub.URL); {
		case strings.Contains(n, "classification"):
			t = firstNonEmpty(sub.Text(), t)
		case strings.Contains(n, "context"):
			ctx = sub.Text()
		}
	}
	if t != "" && ctx != "" {
		t += " (" + strings.ToLower(ctx) + ")"
	}
	return strings.TrimSpace(t)
}

// medicallySafe reads the date a stay was declared medically safe for discharge: the
// Interweave extension's actualDate (unless its status says not ready), else a simple
// dateTime or Period value.
func (m *mapper) medicallySafe(r Resource, x Extension) record.Period {
	if len(x.Extension) > 0 {
		status, actual := "", ""
		for _, sub := range x.Extension {
			switch strings.ToLower(sub.URL) {
			case "status":
				status = strings.ToLower(sub.Text())
			case "actualdate":
				actual = firstNonEmpty(sub.ValueDateTime, sub.ValueDate)
			}
		}
		if status == "notready" || status == "not-ready" || actual == "" {
			return record.Period{}
		}
		var p record.Period
		p.Start, p.StartText = m.dateText(r, "medicallySafeForDischarge.actualDate", actual)
		return p
	}
	if x.ValuePeriod != nil {
		return m.period(r, "medicallySafeForDischarge", x.ValuePeriod)
	}
	var p record.Period
	p.Start, p.StartText = m.dateText(r, "medicallySafeForDischarge", firstNonEmpty(x.ValueDateTime, x.ValueDate))
	return p
}
