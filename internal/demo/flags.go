package demo

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// The demo national flags service: NHS England's Patient Flags API shapes (Flag, with the
// PatientFlagCategory / England-FlagCategoryPatient codes and Extension-FlagNotes) and the
// CP-IS care team (CareTeam), hand-written from the shapes in the research note (no sandbox
// data is published). Like the real services it refuses a request without an X-Request-ID
// (400 MISSING_VALUE), and a CP-IS request without IsUnscheduledAccessEvent; every CP-IS
// read with IsUnscheduledAccessEvent: true is recorded as a notification to the local
// authority (Notified), so tests can prove when one was, and was not, sent.
//
//	GET [base]/Flag?patient=<NHS number>[&code=<flag code>]
//	GET [base]/CareTeam?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|<NHS number>
//	GET [base]/AuditEvent?patient:identifier=https://fhir.nhs.uk/Id/nhs-number|<NHS number>
//	    &_include=AuditEvent:entity-type=http://terminology.hl7.org/CodeSystem/v3-RoleClass|ASSIGNED
//	    (the unscheduled-care accesses to the child's record, with the organisations included)

// NameFlags is the demo flags service's name, as shown in provenance.
const NameFlags = "Demo National Flags"

const (
	sysPatientFlagCategory = "https://fhir.nhs.uk/England/CodeSystem/PatientFlagCategory"
	sysFlagCategoryPatient = "https://fhir.nhs.uk/England/CodeSystem/England-FlagCategoryPatient"
	sysSpineErrorCode      = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"
	sysCPISPlanType        = "https://fhir.nhs.uk/R4/CodeSystem/CPIS-ObservationType"
	sysAddressUse          = "http://terminology.hl7.org/CodeSystem/v3-AddressUse"
	extFlagNotes           = "https://fhir.nhs.uk/England/StructureDefinition/Extension-FlagNotes"
	profilePatientFlag     = "https://fhir.nhs.uk/England/StructureDefinition/PatientFlag"
)

var requestIDPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// flagsHandler serves the flags service.
type flagsHandler struct {
	base      string
	flags     map[string][]jobj // NHS number → Flags
	careTeams map[string][]jobj // NHS number → CP-IS CareTeams
	accesses  map[string][]jobj // NHS number → CP-IS AuditEvents (unscheduled-care accesses)
	accessOrg map[string]jobj   // the accessing organisations, by id (the search's _include)

	mu       sync.Mutex
	notified []string // NHS numbers read with IsUnscheduledAccessEvent: true, in order
}

func newFlagsHandler(base string) *flagsHandler {
	h := &flagsHandler{base: base, flags: map[string][]jobj{}, careTeams: map[string][]jobj{}, accesses: map[string][]jobj{}, accessOrg: map[string]jobj{}}
	subject := func(nhs string) jobj {
		return jobj{"identifier": jobj{"system": sysNHSNumber, "value": nhs}}
	}
	flag := func(id, nhs string, code jobj, notes string, per jobj) jobj {
		f := jobj{"resourceType": "Flag", "id": id, "meta": jobj{"profile": jarr{profilePatientFlag}},
			"status": "active", "code": code, "subject": subject(nhs), "period": per,
			"contained": jarr{jobj{"resourceType": "Provenance", "id": "prov", "target": jarr{jobj{"reference": "#"}},
				"recorded": instant(per["start"].(string)), "activity": concept("", coding("http://terminology.hl7.org/CodeSystem/v3-DataOperation", "CREATE", ""))}}}
		if notes != "" {
			f["extension"] = jarr{jobj{"url": extFlagNotes, "valueAnnotation": jobj{"text": notes}}}
		}
		return f
	}
	cpis := concept("", coding(sysPatientFlagCategory, "CP-IS", "Child Protection - Information Sharing Flag"))
	h.flags[FlagsChildNHS] = []jobj{flag("flag-cpis-ashgrove", FlagsChildNHS, cpis, "", period("2026-02-10", ""))}
	h.careTeams[FlagsChildNHS] = []jobj{{
		"resourceType": "CareTeam", "id": "cpis-careteam-ashgrove", "status": "active",
		"category": jarr{concept("", coding(sysCPISPlanType, "CPPI", "Child Protection Plan Information"))},
		"subject":  subject(FlagsChildNHS),
		"period":   period("2026-02-10", ""),
		"managingOrganization": jarr{jobj{"reference": "#la", "display": "Demo County Council Children's Services",
			"identifier": jobj{"system": sysODS, "value": "DMLA1"}}},
		"contained": jarr{jobj{"resourceType": "Organization", "id": "la", "name": "Demo County Council Children's Services",
			"identifier": jarr{jobj{"system": sysODS, "value": "DMLA1"}},
			"contact": jarr{
				jobj{"purpose": concept("Office hours", coding(sysAddressUse, "WP", "work place")),
					"telecom": jarr{jobj{"system": "phone", "value": "01632 960500", "use": "work"}}},
				jobj{"purpose": concept("Out of hours: emergency duty team", coding(sysAddressUse, "EC", "emergency contact")),
					"telecom": jarr{jobj{"system": "phone", "value": "01632 960599", "use": "work"}}},
			}}},
	}}
	// Her last unscheduled-care accesses (the ED visit of 12-Sep-2026, an ambulance call in
	// March): AuditEvents naming the accessing organisation by reference (included) or display.
	access := func(id, recorded string, who jobj) jobj {
		return jobj{"resourceType": "AuditEvent", "id": id,
			"type":     coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "RESTful Operation"),
			"action":   "R",
			"recorded": recorded,
			"outcome":  "0",
			"agent":    jarr{jobj{"who": who, "requestor": true}},
			"source":   jobj{"observer": jobj{"display": "CP-IS"}},
			"entity":   jarr{jobj{"what": subject(FlagsChildNHS)}}}
	}
	h.accessOrg["org-dmh01"] = jobj{"resourceType": "Organization", "id": "org-dmh01", "name": "Wexbridge General Hospital NHS Trust",
		"identifier": jarr{jobj{"system": sysODS, "value": "DMH01"}}}
	h.accesses[FlagsChildNHS] = []jobj{
		access("cpis-access-2", "2026-03-21T02:10:00+00:00", jobj{"display": "Demoshire Ambulance Service NHS Trust",
			"identifier": jobj{"system": sysODS, "value": "DMA01"}}),
		access("cpis-access-1", "2026-09-12T17:25:00+01:00", jobj{"reference": "Organization/org-dmh01",
			"identifier": jobj{"system": sysODS, "value": "DMH01"}}),
	}
	h.flags[FlagsAdjustNHS] = []jobj{
		flag("flag-nraf-halloway", FlagsAdjustNHS,
			concept("", coding(sysFlagCategoryPatient, "national-reasonable-adjustment-flag", "National Reasonable Adjustment Flag")),
			"Deaf: uses British Sign Language. Book a BSL interpreter; write things down until one arrives.", period("2024-09-01", "")),
		// A child protection plan from his childhood, ended: never shown as current.
		flag("flag-cpis-halloway-ended", FlagsAdjustNHS, cpis, "", period("2012-03-01", "2015-06-30")),
	}
	return h
}

// Notified returns the NHS numbers whose CP-IS plan was read with IsUnscheduledAccessEvent:
// true (the local authority told), in order.
func (h *flagsHandler) Notified() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.notified)
}

// spineError answers as the national services do: an OperationOutcome with a
// Spine-ErrorOrWarningCode.
func spineError(w http.ResponseWriter, status int, code, display, diagnostics string) {
	oo := jobj{"resourceType": "OperationOutcome", "issue": jarr{jobj{"severity": "error", "code": "value",
		"details":     concept("", coding(sysSpineErrorCode, code, display)),
		"diagnostics": diagnostics}}}
	writeJSON(w, status, mustJSON(oo))
}

func (h *flagsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		spineError(w, http.StatusMethodNotAllowed, "NOT_ALLOWED", "Method not allowed", "this demo service is read only")
		return
	}
	if strings.Trim(r.URL.Path, "/") == "metadata" {
		// What it serves, for `shcr demo --serve` users (the real services publish an OAS).
		writeJSON(w, http.StatusOK, mustJSON(jobj{"resourceType": "CapabilityStatement", "status": "active", "kind": "instance",
			"fhirVersion": "4.0.1", "format": jarr{"application/fhir+json"}, "rest": jarr{jobj{"mode": "server", "resource": jarr{
				jobj{"type": "Flag", "interaction": jarr{jobj{"code": "search-type"}}, "searchParam": jarr{jobj{"name": "patient", "type": "token"}, jobj{"name": "code", "type": "token"}}},
				jobj{"type": "CareTeam", "interaction": jarr{jobj{"code": "search-type"}}, "searchParam": jarr{jobj{"name": "patient:identifier", "type": "token"}}},
			}}}}))
		return
	}
	if id := r.Header.Get("X-Request-ID"); id == "" {
		spineError(w, http.StatusBadRequest, "MISSING_VALUE", "Required value is missing", "X-Request-ID header must be supplied to access this resource")
		return
	} else if !requestIDPattern.MatchString(id) {
		spineError(w, http.StatusBadRequest, "INVALID_VALUE", "Provided value is invalid", "X-Request-ID header must be a UUID")
		return
	}
	q := r.URL.Query()
	switch strings.Trim(r.URL.Path, "/") {
	case "Flag":
		nhs := q.Get("patient")
		if !nhsnumber.Valid(nhs) {
			spineError(w, http.StatusBadRequest, "INVALID_SEARCH_DATA", "Invalid search data", "patient must be a valid NHS number")
			return
		}
		var out []jobj
		for _, f := range h.flags[nhs] {
			if code := q.Get("code"); code == "" || strings.Contains(string(mustJSON(f["code"])), `"code":"`+code+`"`) {
				out = append(out, f)
			}
		}
		writeJSON(w, http.StatusOK, mustJSON(h.searchset("Flag", out)))
	case "CareTeam", "AuditEvent":
		v := r.Header.Get("IsUnscheduledAccessEvent")
		if v == "" {
			spineError(w, http.StatusBadRequest, "MISSING_VALUE", "Required value is missing", "IsUnscheduledAccessEvent header must be supplied to access this resource")
			return
		}
		if v != "true" && v != "false" {
			spineError(w, http.StatusBadRequest, "INVALID_VALUE", "Provided value is invalid", "IsUnscheduledAccessEvent must be true or false")
			return
		}
		system, nhs, _ := strings.Cut(q.Get("patient:identifier"), "|")
		if system != sysNHSNumber || !nhsnumber.Valid(nhs) {
			spineError(w, http.StatusBadRequest, "INVALID_SEARCH_DATA", "Invalid search data", "patient:identifier must be "+sysNHSNumber+"|<NHS number>")
			return
		}
		if v == "true" {
			h.mu.Lock()
			h.notified = append(h.notified, nhs)
			h.mu.Unlock()
		}
		if strings.Trim(r.URL.Path, "/") == "AuditEvent" {
			writeJSON(w, http.StatusOK, mustJSON(h.accessSet(nhs, q.Get("_include") != "")))
			return
		}
		writeJSON(w, http.StatusOK, mustJSON(h.searchset("CareTeam", h.careTeams[nhs])))
	default:
		spineError(w, http.StatusNotFound, "NOT_FOUND", "Not found", "this service serves Flag, CareTeam and AuditEvent searches")
	}
}

// accessSet is the AuditEvent searchset of a child's unscheduled-care accesses, with the
// accessing organisations they refer to when include is asked.
func (h *flagsHandler) accessSet(nhs string, include bool) jobj {
	b := h.searchset("AuditEvent", h.accesses[nhs])
	if !include {
		return b
	}
	entries := b["entry"].(jarr)
	seen := map[string]bool{}
	for _, ev := range h.accesses[nhs] {
		for _, ag := range ev["agent"].(jarr) {
			ref, _ := ag.(jobj)["who"].(jobj)["reference"].(string)
			id := strings.TrimPrefix(ref, "Organization/")
			if o, ok := h.accessOrg[id]; ok && !seen[id] {
				seen[id] = true
				entries = append(entries, jobj{"fullUrl": h.base + "/" + ref, "resource": o, "search": jobj{"mode": "include"}})
			}
		}
	}
	b["entry"] = entries
	return b
}

func (h *flagsHandler) searchset(typ string, rs []jobj) jobj {
	entries := jarr{}
	for _, res := range rs {
		entries = append(entries, jobj{"fullUrl": h.base + "/" + typ + "/" + res["id"].(string), "resource": res,
			"search": jobj{"mode": "match"}})
	}
	return jobj{"resourceType": "Bundle", "type": "searchset", "total": len(rs), "entry": entries}
}
