package demo

import (
	"net/http"
	"strings"
	"sync"
)

// The demo national record locator (NRL consumer API): GET DocumentReference?subject:
// identifier=https://fhir.nhs.uk/Id/nhs-number|{nhs}, answering pointers in the consumer
// API's example shape, refusing requests without NHSD-End-User-Organisation-ODS or an
// X-Request-ID as NRL does.

const (
	sysNRLFormat    = "https://fhir.nhs.uk/England/CodeSystem/England-NRLFormatCode"
	extContentStab  = "https://fhir.nhs.uk/England/StructureDefinition/Extension-England-ContentStability"
	extRetrievalMec = "https://fhir.nhs.uk/England/StructureDefinition/Extension-England-NRLRetrievalMechanism"
)

type nrlHandler struct {
	base     string
	nhsBase  func() string // the running Demo NHS ShCR's base URL
	once     sync.Once
	pointers map[string][]demoPointer
}

func newNRLHandler(base string, nhsBase func() string) *nrlHandler {
	return &nrlHandler{base: base, nhsBase: nhsBase}
}

func (h *nrlHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(headerEndUserODS) == "" {
		spineOutcome(w, http.StatusBadRequest, "invalid", "BAD_REQUEST", "Bad request", "Required header NHSD-End-User-Organisation-ODS is missing")
		return
	}
	if !checkRequestID(w, r) {
		return
	}
	if r.Method != http.MethodGet || strings.Trim(r.URL.Path, "/") != "DocumentReference" {
		spineOutcome(w, http.StatusBadRequest, "invalid", "BAD_REQUEST", "Bad request", "Only GET DocumentReference is served here")
		return
	}
	h.once.Do(func() { h.pointers = demoPointers(h.nhsBase()) })
	subj := r.URL.Query().Get("subject:identifier")
	nhs, ok := strings.CutPrefix(subj, sysNHSNumber+"|")
	if !ok || !nhsShape.MatchString(nhs) || !mod11(nhs) {
		spineOutcome(w, http.StatusBadRequest, "invalid", "INVALID_PARAMETER", "Invalid parameter", "Invalid NHS number provided in the query parameters")
		return
	}
	entries := jarr{}
	for _, p := range h.pointers[nhs] {
		dr := jobj{"resourceType": "DocumentReference", "id": p.id, "status": "current", "docStatus": "final",
			"type":      jobj{"coding": jarr{jobj{"system": "http://snomed.info/sct", "code": p.typeCode, "display": p.typeDisplay}}},
			"category":  jarr{jobj{"coding": jarr{jobj{"system": "http://snomed.info/sct", "code": p.catCode, "display": p.catDisplay}}}},
			"subject":   jobj{"identifier": jobj{"system": sysNHSNumber, "value": nhs}},
			"date":      p.date,
			"author":    jarr{jobj{"identifier": jobj{"system": sysODS, "value": p.custodian}}},
			"custodian": jobj{"identifier": jobj{"system": sysODS, "value": p.custodian}, "display": p.custodianName},
			"content": jarr{jobj{"attachment": jobj{"contentType": p.contentType, "url": p.url, "creation": p.date},
				"format": jobj{"system": sysNRLFormat, "code": "urn:nhs-ic:unstructured", "display": "Unstructured Document"},
				"extension": jarr{
					jobj{"url": extContentStab, "valueCodeableConcept": jobj{"coding": jarr{jobj{"system": "https://fhir.nhs.uk/England/CodeSystem/England-NRLContentStability", "code": "static", "display": "Static"}}}},
					jobj{"url": extRetrievalMec, "valueCodeableConcept": jobj{"coding": jarr{jobj{"system": "https://fhir.nhs.uk/England/CodeSystem/England-NRLRetrievalMechanism", "code": p.mechanism, "display": p.mechanism}}}},
				}}},
		}
		entries = append(entries, jobj{"fullUrl": h.base + "/DocumentReference/" + p.id, "resource": dr})
	}
	w.Header().Set("Content-Type", "application/fhir+json;version=1")
	writeJSON(w, http.StatusOK, mustJSON(jobj{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}))
}
