package demo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/shcr-project/shcr/internal/nhsnumber"
)

// GP Connect (STU3) systems, profiles and list codes, as the specification publishes them.
const (
	gpcProfile       = "https://fhir.nhs.uk/STU3/StructureDefinition/"
	gpcErrorSystem   = "https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1"
	gpcWarningExt    = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1"
	gpcEmptyReason   = "https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-ListEmptyReasonCode-1"
	gpcVerifyExt     = "https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-NHSNumberVerificationStatus-1"
	gpcVerifySystem  = "https://fhir.nhs.uk/CareConnect-NHSNumberVerificationStatus-1" // as the published examples have it
	gpcDataID        = "https://kettlewick-surgery.example.nhs.uk/data-identifier"
	gpcPatientPath   = "/Patient/$gpc.getstructuredrecord"
	listAllergies    = "886921000000105"
	listEnded        = "1103671000000101"
	listMedications  = "933361000000108"
	listConsultation = "1149501000000101"
	gpPracticeOrg    = "org-kettlewick"
)

// gpHandler answers GP Connect Access Record Structured for the demo people registered at
// the demo GP practice.
type gpHandler struct {
	base  string
	ds    *dataset
	byNHS map[string]int // NHS number → index in the seed
	caps  []byte
	now   func() time.Time
}

func newGPHandler(base string, ds *dataset) http.Handler {
	h := &gpHandler{base: base, ds: ds, byNHS: map[string]int{}, now: time.Now}
	for i, p := range ds.seed.People {
		if p.NHS != "" && in(p.Backends, "gp") {
			h.byNHS[p.NHS] = i
		}
	}
	h.caps = mustJSON(jobj{
		"resourceType": "CapabilityStatement", "version": "1.6.0", "name": "GP Connect",
		"title": NameGP + " (synthetic demo data)", "status": "active", "date": ReferenceDate.Format("2006-01-02"),
		"publisher": "shcr demo", "kind": "instance", "software": jobj{"name": "shcr embedded demo back end"},
		"implementation": jobj{"description": NameGP + ": GP Connect Access Record Structured", "url": base},
		"fhirVersion":    "3.0.1", "acceptUnknown": "both", "format": jarr{"application/fhir+json"},
		"profile": jarr{jobj{"reference": gpcProfile + "GPConnect-StructuredRecord-Bundle-1"}},
		"rest": jarr{jobj{"mode": "server", "operation": jarr{jobj{"name": "gpc.getstructuredrecord",
			"definition": jobj{"reference": "https://fhir.nhs.uk/STU3/OperationDefinition/GPConnect-GetStructuredRecord-Operation-1"}}}}},
	})
	return h
}

// gpError answers with a GP Connect OperationOutcome (Spine error code).
func gpError(w http.ResponseWriter, status int, spineCode, issueCode, diagnostics string) {
	display := map[string]string{
		"BAD_REQUEST": "Bad request", "ACCESS_DENIED": "Access denied", "INVALID_NHS_NUMBER": "Invalid NHS number",
		"PATIENT_NOT_FOUND": "Patient not found", "INVALID_PARAMETER": "Invalid parameter",
		"INVALID_RESOURCE": "Invalid validation of resource", "NOT_IMPLEMENTED": "Not implemented",
	}[spineCode]
	oo := jobj{"resourceType": "OperationOutcome",
		"meta": jobj{"profile": jarr{gpcProfile + "GPConnect-OperationOutcome-1"}},
		"issue": jarr{jobj{"severity": "error", "code": issueCode,
			"details":     jobj{"coding": jarr{jobj{"system": gpcErrorSystem, "code": spineCode, "display": display}}},
			"diagnostics": diagnostics}}}
	writeJSON(w, status, mustJSON(oo))
}

func (h *gpHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/metadata" && (r.Method == http.MethodGet || r.Method == http.MethodHead):
		writeJSON(w, http.StatusOK, h.caps)
	case r.URL.Path == gpcPatientPath && r.Method == http.MethodPost:
		h.structured(w, r)
	case r.URL.Path == gpcPatientPath:
		w.Header().Set("Allow", "POST")
		gpError(w, http.StatusMethodNotAllowed, "BAD_REQUEST", "not-supported", r.Method+" is not supported: use POST with a Parameters body")
	default:
		gpError(w, http.StatusNotFound, "NOT_IMPLEMENTED", "not-supported", "this demo GP back end serves only "+gpcPatientPath+" and /metadata")
	}
}

// checkRequest enforces the Spine headers and the unsigned JWT GP Connect requires.
func (h *gpHandler) checkRequest(r *http.Request) (status int, code, issue, msg string) {
	for _, hd := range []string{"Ssp-TraceID", "Ssp-From", "Ssp-To", "Ssp-InteractionID"} {
		if strings.TrimSpace(r.Header.Get(hd)) == "" {
			return http.StatusBadRequest, "BAD_REQUEST", "invalid", "missing header " + hd
		}
	}
	if got := r.Header.Get("Ssp-InteractionID"); got != GPConnectInteractionID {
		return http.StatusBadRequest, "BAD_REQUEST", "invalid", fmt.Sprintf("Ssp-InteractionID %q does not match this operation (expected %s)", got, GPConnectInteractionID)
	}
	if got := r.Header.Get("Ssp-To"); got != gpToASID {
		return http.StatusForbidden, "ACCESS_DENIED", "forbidden", fmt.Sprintf("Ssp-To %q is not this system's ASID", got)
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusForbidden, "ACCESS_DENIED", "forbidden", "missing Authorization header: a Bearer JWT is required"
	}
	tok, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		return http.StatusForbidden, "ACCESS_DENIED", "forbidden", "the Authorization header must be \"Bearer <JWT>\""
	}
	if err := h.checkJWT(strings.TrimSpace(tok)); err != "" {
		return http.StatusBadRequest, "BAD_REQUEST", "invalid", "JWT: " + err
	}
	return 0, "", "", ""
}

func decodeSegment(s string) (jobj, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	var m jobj
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	return m, nil
}

// checkJWT validates the GP Connect access token claims. It returns "" when they are good.
func (h *gpHandler) checkJWT(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "not a JWT (expected header.payload.signature)"
	}
	hdr, err := decodeSegment(parts[0])
	if err != nil {
		return "header is not base64url JSON"
	}
	if hdr["alg"] != "none" {
		return fmt.Sprintf("alg must be \"none\" (GP Connect tokens are unsigned), got %v", hdr["alg"])
	}
	c, err := decodeSegment(parts[1])
	if err != nil {
		return "payload is not base64url JSON"
	}
	for _, k := range []string{"iss", "sub", "aud", "exp", "iat", "reason_for_request", "requested_scope",
		"requesting_device", "requesting_organization", "requesting_practitioner"} {
		if _, ok := c[k]; !ok {
			return "missing claim " + k
		}
	}
	if c["reason_for_request"] != "directcare" {
		return "reason_for_request must be \"directcare\""
	}
	scope, _ := c["requested_scope"].(string)
	if scope != "patient/*.read" && scope != "organization/*.read" {
		return fmt.Sprintf("requested_scope must be patient/*.read, got %q", scope)
	}
	exp, ok1 := c["exp"].(float64)
	iat, ok2 := c["iat"].(float64)
	if !ok1 || !ok2 {
		return "exp and iat must be numbers"
	}
	if exp-iat > 300 || exp <= iat {
		return "exp must be after iat and at most 5 minutes later"
	}
	// Expiry is checked against the clock, as Spine does, except for tokens issued on the
	// demo's reference day: clients that run on the demo's fixed clock (tests, screenshots)
	// sign tokens "now" = ReferenceDate.
	onDemoClock := time.Unix(int64(iat), 0).UTC().Format("2006-01-02") == ReferenceDate.Format("2006-01-02")
	if now := float64(h.now().Unix()); exp < now-60 && !onDemoClock {
		return "token has expired"
	}
	for _, claim := range []struct{ name, typ string }{{"requesting_device", "Device"},
		{"requesting_organization", "Organization"}, {"requesting_practitioner", "Practitioner"}} {
		m, ok := c[claim.name].(jobj)
		if !ok || m["resourceType"] != claim.typ {
			return fmt.Sprintf("%s must be a %s resource", claim.name, claim.typ)
		}
	}
	org := c["requesting_organization"].(jobj)
	if !hasIdentifier(org, sysODS) {
		return "requesting_organization needs an ODS code identifier (" + sysODS + ")"
	}
	prac := c["requesting_practitioner"].(jobj)
	if names, _ := prac["name"].(jarr); len(names) == 0 {
		return "requesting_practitioner needs a name"
	}
	if id, _ := prac["id"].(string); id == "" || c["sub"] != id {
		return "sub must equal requesting_practitioner.id"
	}
	return ""
}

func hasIdentifier(r jobj, system string) bool {
	for _, v := range asList(r["identifier"]) {
		if m, ok := v.(jobj); ok && m["system"] == system && m["value"] != nil && m["value"] != "" {
			return true
		}
	}
	return false
}

// gpQuery is what the Parameters body asks for.
type gpQuery struct {
	nhs                 string
	allergies, resolved bool
	meds                bool
	medsFrom            string
	consultations       bool
	mostRecent          int
	periodStart, period string
}

func (h *gpHandler) structured(w http.ResponseWriter, r *http.Request) {
	if status, code, issue, msg := h.checkRequest(r); status != 0 {
		gpError(w, status, code, issue, msg)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		gpError(w, http.StatusBadRequest, "BAD_REQUEST", "invalid", "could not read the request body")
		return
	}
	q, status, code, msg := parseGPParameters(body)
	if status != 0 {
		gpError(w, status, code, "invalid", msg)
		return
	}
	i, ok := h.byNHS[q.nhs]
	if !ok {
		gpError(w, http.StatusNotFound, "PATIENT_NOT_FOUND", "not-found", "no patient with this NHS number is registered at this practice")
		return
	}
	writeJSON(w, http.StatusOK, mustJSON(h.ds.gpBundle(i, q)))
}

// parseGPParameters reads the $gpc.getstructuredrecord Parameters body.
func parseGPParameters(body []byte) (q gpQuery, status int, code, msg string) {
	var params struct {
		ResourceType string `json:"resourceType"`
		Parameter    []struct {
			Name            string `json:"name"`
			ValueIdentifier *struct {
				System string `json:"system"`
				Value  string `json:"value"`
			} `json:"valueIdentifier"`
			Part []struct {
				Name             string `json:"name"`
				ValueBoolean     *bool  `json:"valueBoolean"`
				ValueDate        string `json:"valueDate"`
				ValuePositiveInt int    `json:"valuePositiveInt"`
				ValuePeriod      *struct {
					Start string `json:"start"`
					End   string `json:"end"`
				} `json:"valuePeriod"`
			} `json:"part"`
		} `json:"parameter"`
	}
	if err := json.Unmarshal(body, &params); err != nil {
		return q, http.StatusUnprocessableEntity, "INVALID_RESOURCE", "the body is not a valid Parameters resource: " + err.Error()
	}
	if params.ResourceType != "Parameters" {
		return q, http.StatusUnprocessableEntity, "INVALID_RESOURCE", fmt.Sprintf("expected a Parameters resource, got %q", params.ResourceType)
	}
	seen := map[string]bool{}
	for _, p := range params.Parameter {
		if seen[p.Name] {
			return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "parameter " + p.Name + " is given twice"
		}
		seen[p.Name] = true
		switch p.Name {
		case "patientNHSNumber":
			if p.ValueIdentifier == nil || p.ValueIdentifier.System != sysNHSNumber {
				return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "patientNHSNumber needs a valueIdentifier with system " + sysNHSNumber
			}
			q.nhs = p.ValueIdentifier.Value
		case "includeAllergies":
			q.allergies = true
			for _, pt := range p.Part {
				if pt.Name != "includeResolvedAllergies" || pt.ValueBoolean == nil {
					return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "includeAllergies takes one part, includeResolvedAllergies (valueBoolean)"
				}
				q.resolved = *pt.ValueBoolean
			}
		case "includeMedication":
			q.meds = true
			for _, pt := range p.Part {
				switch pt.Name {
				case "medicationSearchFromDate":
					if !dateValue.MatchString(pt.ValueDate) {
						return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "medicationSearchFromDate needs a valueDate"
					}
					q.medsFrom = pt.ValueDate
				case "includePrescriptionIssues":
				default:
					return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "unknown part " + pt.Name + " of includeMedication"
				}
			}
		case "includeConsultations":
			q.consultations = true
			for _, pt := range p.Part {
				switch pt.Name {
				case "includeNumberOfMostRecent":
					if pt.ValuePositiveInt < 1 {
						return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "includeNumberOfMostRecent needs a valuePositiveInt of 1 or more"
					}
					q.mostRecent = pt.ValuePositiveInt
				case "consultationSearchPeriod":
					if pt.ValuePeriod == nil {
						return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "consultationSearchPeriod needs a valuePeriod"
					}
					q.periodStart, q.period = pt.ValuePeriod.Start, pt.ValuePeriod.End
				default:
					return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "unknown part " + pt.Name + " of includeConsultations"
				}
			}
		case "includeProblems", "includeImmunisations", "includeUncategorisedData", "includeInvestigations", "includeReferrals", "includeDiary":
			// Accepted; the demo practice has none of these clinical areas recorded.
		default:
			return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "unknown parameter " + p.Name
		}
	}
	if q.nhs == "" {
		return q, http.StatusUnprocessableEntity, "INVALID_PARAMETER", "patientNHSNumber is required"
	}
	if !nhsnumber.Valid(q.nhs) || len(q.nhs) != 10 {
		return q, http.StatusBadRequest, "INVALID_NHS_NUMBER", "the NHS number is not valid (10 digits with a Modulus 11 check digit)"
	}
	return q, 0, "", ""
}
