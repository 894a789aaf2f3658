package demo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
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

func gpMeta(profile string) jobj { return jobj{"profile": jarr{gpcProfile + profile}} }

func gpList(title, code, display, pid string, entries []string) jobj {
	l := jobj{"resourceType": "List", "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
		"title": title, "code": jobj{"coding": jarr{coding(sysSNOMED, code, display)}},
		"subject": reference("Patient", pid, ""), "date": ReferenceDate.Format(time.RFC3339),
		"orderedBy": jobj{"coding": jarr{coding("http://hl7.org/fhir/list-order", "event-date", "Sorted by Event Date")}}}
	if len(entries) == 0 {
		l["emptyReason"] = jobj{"coding": jarr{coding(gpcEmptyReason, "no-content-recorded", "No Content Recorded")}}
		l["note"] = jarr{jobj{"text": "Information not available"}}
	} else {
		var es jarr
		for _, e := range entries {
			es = append(es, jobj{"item": jobj{"reference": e}})
		}
		l["entry"] = es
	}
	return l
}

// gpBundle builds the structured record for one person, as the demo practice holds it.
func (ds *dataset) gpBundle(i int, q gpQuery) jobj {
	p := ds.seed.People[i]
	pre := personPrefix(i)
	pid := "gp-" + pre
	var entries jarr
	add := func(r jobj) { entries = append(entries, jobj{"resource": r}) }
	pracs := []string{"pr-ashdown"}
	usePrac := func(id string) {
		if id != "" && !slices.Contains(pracs, id) {
			pracs = append(pracs, id)
		}
	}
	roleRef := func(id string) jobj { usePrac(id); return reference("PractitionerRole", "role-"+id, "") }

	// Patient, with contacts where only relationship.text names the role.
	ids := jarr{jobj{"system": sysNHSNumber, "value": p.NHS, "extension": jarr{jobj{"url": gpcVerifyExt,
		"valueCodeableConcept": jobj{"coding": jarr{coding(gpcVerifySystem, "01", "Number present and verified")}}}}}}
	pat := jobj{"resourceType": "Patient", "id": pid, "meta": gpMeta("CareConnect-GPC-Patient-1"), "identifier": ids,
		"active": true, "name": jarr{humanName(p.Title, p.Family, p.Given)}, "telecom": phones(p.Phones),
		"gender": p.Gender, "birthDate": p.BirthDate, "address": jarr{address(p.Address)},
		"generalPractitioner":  jarr{reference("Practitioner", "pr-ashdown", "")},
		"managingOrganization": reference("Organization", gpPracticeOrg, "")}
	var contacts jarr
	for _, c := range p.Contacts {
		if !in(c.In, "gp") {
			continue
		}
		text := c.RelDisplay
		if in(c.Roles, "NOK") {
			text = "Next of kin"
		} else if in(c.Roles, "EC") {
			text = "Emergency contact"
		}
		contacts = append(contacts, jobj{"relationship": jarr{jobj{"text": text}}, "name": humanName(c.Title, c.Family, c.Given), "telecom": phones(c.Phones)})
	}
	if len(contacts) > 0 {
		pat["contact"] = contacts
	}
	if p.Interpreter != "" {
		pat["communication"] = jarr{jobj{"language": concept(p.Language, coding("urn:ietf:bcp:47", p.Interpreter, p.Language)), "preferred": true,
			"extension": jarr{jobj{"url": "https://fhir.hl7.org.uk/STU3/StructureDefinition/Extension-CareConnect-NHSCommunication-1",
				"extension": jarr{jobj{"url": "interpreterRequired", "valueBoolean": true}}}}}}
	}
	add(pat)

	if q.allergies {
		var active []string
		var ended []jobj
		for j, a := range p.Allergies {
			cat := a.Category
			if cat == "food" {
				cat = "environment" // GP Connect STU3 uses medication | environment only
			}
			r := jobj{"resourceType": "AllergyIntolerance", "id": fmt.Sprintf("gal-%s-%d", pre, j+1),
				"meta":           gpMeta("CareConnect-GPC-AllergyIntolerance-1"),
				"identifier":     jarr{jobj{"system": gpcDataID, "value": fmt.Sprintf("gal-%s-%d", pre, j+1)}},
				"clinicalStatus": a.Status, "verificationStatus": "unconfirmed", "type": "allergy",
				"category": jarr{cat}, "code": jobj{"coding": jarr{coding(sysSNOMED, a.Code, a.Display)}},
				"patient": reference("Patient", pid, ""), "assertedDate": instant(a.Recorded),
				"recorder": roleRef(gpRecorder(a.Recorder))}
			if a.Reaction != "" {
				r["reaction"] = jarr{jobj{"manifestation": jarr{jobj{"text": a.Reaction}}, "severity": a.Severity}}
			}
			if a.Criticality != "" {
				r["criticality"] = a.Criticality
			}
			if a.Status == "resolved" {
				r["id"] = fmt.Sprintf("ended-%d", j+1)
				ended = append(ended, r)
				continue
			}
			active = append(active, "AllergyIntolerance/"+r["id"].(string))
			add(r)
		}
		if p.NKA {
			id := "gal-" + pre + "-nka"
			add(jobj{"resourceType": "AllergyIntolerance", "id": id, "meta": gpMeta("CareConnect-GPC-AllergyIntolerance-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": id}}, "clinicalStatus": "active", "verificationStatus": "unconfirmed",
				"type": "allergy", "category": jarr{"medication"}, "code": jobj{"coding": jarr{coding(sysSNOMED, "716186003", "No known allergy")}},
				"patient": reference("Patient", pid, ""), "assertedDate": "2024-05-01T09:00:00+00:00",
				"recorder": roleRef("pr-ashdown")})
			active = append(active, "AllergyIntolerance/"+id)
		}
		l := gpList("Allergies and adverse reactions", listAllergies, "Allergies and adverse reaction", pid, active)
		if p.GPConfidential {
			warn(l, "confidential-items", "Items excluded due to confidentiality and/or patient preferences.")
		}
		ds.inTransit(l, p)
		add(l)
		if q.resolved {
			var refs []string
			for _, e := range ended {
				refs = append(refs, "#"+e["id"].(string))
			}
			el := gpList("Ended allergies", listEnded, "Ended allergies", pid, refs)
			if len(ended) > 0 {
				var contained jarr
				for _, e := range ended {
					contained = append(contained, e)
				}
				el["contained"] = contained
			}
			add(el)
		}
	}

	if q.meds {
		var listed []string
		usedMeds := map[string]bool{}
		all := append(slices.Clone(p.Meds), ds.largeMeds(p)...)
		for j, m := range all {
			end := m.End
			if q.medsFrom != "" && end != "" && end < q.medsFrom {
				continue
			}
			med := ds.meds[m.Medicine]
			usedMeds[med.ID] = true
			prescriber := m.Prescriber
			if prescriber == "" {
				prescriber = "pr-ashdown"
			}
			k := fmt.Sprintf("%s-%d", pre, j+1)
			planID, orderID, msID := "gmp-"+k, "gmo-"+k, "gms-"+k
			rxType := "repeat"
			if m.End != "" {
				rxType = "acute"
			}
			ext := jarr{jobj{"url": gpcProfile + "Extension-CareConnect-GPC-PrescriptionType-1",
				"valueCodeableConcept": jobj{"coding": jarr{coding("https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescriptionType-1", rxType, strings.ToUpper(rxType[:1])+rxType[1:])}}}}
			add(jobj{"resourceType": "MedicationStatement", "id": msID, "meta": gpMeta("CareConnect-GPC-MedicationStatement-1"),
				"extension": jarr{
					jobj{"url": gpcProfile + "Extension-CareConnect-GPC-MedicationStatementLastIssueDate-1", "valueDateTime": m.Start},
					jobj{"url": gpcProfile + "Extension-CareConnect-GPC-PrescribingAgency-1", "valueCodeableConcept": jobj{"coding": jarr{
						coding("https://fhir.nhs.uk/STU3/CodeSystem/CareConnect-PrescribingAgency-1", "prescribed-at-gp-practice", "Prescribed at GP practice")}}},
				},
				"identifier": jarr{jobj{"system": gpcDataID, "value": msID}}, "basedOn": jarr{reference("MedicationRequest", planID, "")},
				"status": m.Status, "medicationReference": reference("Medication", med.ID, ""), "effectivePeriod": period(m.Start, m.End),
				"dateAsserted": m.Start, "subject": reference("Patient", pid, ""), "taken": "unk", "dosage": jarr{jobj{"text": m.Dosage}}})
			planStatus := map[string]string{"active": "active", "completed": "completed", "stopped": "stopped"}[m.Status]
			add(jobj{"resourceType": "MedicationRequest", "id": planID, "meta": gpMeta("CareConnect-GPC-MedicationRequest-1"), "extension": ext,
				"identifier": jarr{jobj{"system": gpcDataID, "value": planID}}, "status": planStatus, "intent": "plan",
				"medicationReference": reference("Medication", med.ID, ""), "subject": reference("Patient", pid, ""),
				"authoredOn": m.Start, "recorder": roleRef(prescriber), "dosageInstruction": jarr{jobj{"text": m.Dosage}},
				"dispenseRequest": jobj{"validityPeriod": period(m.Start, m.End)}})
			add(jobj{"resourceType": "MedicationRequest", "id": orderID, "meta": gpMeta("CareConnect-GPC-MedicationRequest-1"), "extension": ext,
				"identifier": jarr{jobj{"system": gpcDataID, "value": orderID}}, "basedOn": jarr{reference("MedicationRequest", planID, "")},
				"status": "completed", "intent": "order",
				"medicationReference": reference("Medication", med.ID, ""), "subject": reference("Patient", pid, ""),
				"authoredOn": m.Start, "recorder": roleRef(prescriber), "dosageInstruction": jarr{jobj{"text": m.Dosage}},
				"dispenseRequest": jobj{"validityPeriod": period(m.Start, "")}})
			listed = append(listed, "MedicationStatement/"+msID)
		}
		for _, med := range ds.seed.Medicines {
			if usedMeds[med.ID] {
				add(jobj{"resourceType": "Medication", "id": med.ID, "meta": gpMeta("CareConnect-GPC-Medication-1"),
					"code": jobj{"coding": jarr{coding(sysSNOMED, med.Code, med.Display)}}})
			}
		}
		l := gpList("Medications and medical devices", listMedications, "Medications and medical devices", pid, listed)
		ds.inTransit(l, p)
		add(l)
	}

	if q.consultations {
		cons := slices.Clone(p.Consultations)
		slices.SortFunc(cons, func(a, b seedConsult) int { return strings.Compare(b.Date, a.Date) })
		var kept []seedConsult
		for _, c := range cons {
			if q.periodStart != "" && c.Date[:10] < q.periodStart {
				continue
			}
			if q.period != "" && c.Date[:10] > q.period {
				continue
			}
			kept = append(kept, c)
		}
		if q.mostRecent > 0 && len(kept) > q.mostRecent {
			kept = kept[:q.mostRecent]
		}
		var encRefs []string
		for j, c := range kept {
			k := fmt.Sprintf("%s-%d", pre, j+1)
			encID, obsID := "genc-"+k, "gobs-"+k
			start, _ := time.Parse(time.RFC3339, c.Date)
			usePrac(c.Clinician)
			add(jobj{"resourceType": "Encounter", "id": encID, "meta": gpMeta("CareConnect-GPC-Encounter-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": encID}}, "status": "finished", "type": jarr{jobj{"text": c.Type}},
				"subject": reference("Patient", pid, ""),
				"participant": jarr{jobj{"type": jarr{jobj{"coding": jarr{coding("http://hl7.org/fhir/v3/ParticipationType", "PPRF", "primary performer")}}},
					"individual": reference("Practitioner", c.Clinician, "")}},
				"period":          period(c.Date, start.Add(10*time.Minute).Format(time.RFC3339)),
				"serviceProvider": reference("Organization", gpPracticeOrg, "")})
			add(jobj{"resourceType": "List", "id": "gcons-" + k, "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
				"title": c.Type, "code": jobj{"coding": jarr{coding(sysSNOMED, "325851000000107", "Consultation")}},
				"subject": reference("Patient", pid, ""), "encounter": reference("Encounter", encID, ""), "date": c.Date,
				"entry": jarr{jobj{"item": reference("List", "gtopic-"+k, "")}}})
			add(jobj{"resourceType": "List", "id": "gtopic-" + k, "meta": gpMeta("CareConnect-GPC-List-1"), "status": "current", "mode": "snapshot",
				"title": c.Topic, "code": jobj{"coding": jarr{coding(sysSNOMED, "25851000000105", "Topic (EHR)")}},
				"subject": reference("Patient", pid, ""), "encounter": reference("Encounter", encID, ""), "date": c.Date,
				"entry": jarr{jobj{"item": reference("Observation", obsID, "")}}})
			add(jobj{"resourceType": "Observation", "id": obsID, "meta": gpMeta("CareConnect-GPC-Observation-1"),
				"identifier": jarr{jobj{"system": gpcDataID, "value": obsID}}, "status": "final",
				"code":    jobj{"coding": jarr{coding(sysSNOMED, "37331000000100", "Comment note")}},
				"subject": reference("Patient", pid, ""), "context": reference("Encounter", encID, ""),
				"effectiveDateTime": c.Date, "issued": c.Date, "performer": jarr{reference("Practitioner", c.Clinician, "")},
				"comment": c.Comment})
			encRefs = append(encRefs, "Encounter/"+encID)
		}
		l := gpList("List of consultations", listConsultation, "List of consultations", pid, encRefs)
		ds.inTransit(l, p)
		add(l)
	}

	// The practice, its clinicians and their roles.
	o := ds.orgs[gpPracticeOrg]
	add(jobj{"resourceType": "Organization", "id": o.ID, "meta": gpMeta("CareConnect-GPC-Organization-1"),
		"identifier": jarr{jobj{"system": sysODS, "value": o.ODS}}, "name": o.Name,
		"telecom": jarr{jobj{"system": "phone", "value": o.Phone, "use": "work"}}})
	for _, id := range pracs {
		pr := ds.pracs[id]
		add(jobj{"resourceType": "Practitioner", "id": id, "meta": gpMeta("CareConnect-GPC-Practitioner-1"),
			"identifier": jarr{jobj{"system": "https://fhir.nhs.uk/Id/sds-user-id", "value": "DM" + strings.ToUpper(pr.Family[:3]) + "01"}},
			"name":       jarr{jobj{"use": "usual", "family": pr.Family, "given": toA(pr.Given), "prefix": jarr{pr.Title}}}})
		code := jarr{jobj{"coding": jarr{coding("https://fhir.hl7.org.uk/STU3/CodeSystem/CareConnect-SDSJobRoleName-1", pr.JobRole, pr.JobDisplay)}}}
		if pr.JobRole == "" {
			code = jarr{jobj{"text": pr.RoleDisplay}}
		}
		add(jobj{"resourceType": "PractitionerRole", "id": "role-" + id, "meta": gpMeta("CareConnect-GPC-PractitionerRole-1"),
			"practitioner": reference("Practitioner", id, ""), "organization": reference("Organization", gpPracticeOrg, ""), "code": code})
	}
	return jobj{"resourceType": "Bundle", "meta": gpMeta("GPConnect-StructuredRecord-Bundle-1"), "type": "collection", "entry": entries}
}

// warn adds a GP Connect list warning code with the text the specification gives it.
func warn(l jobj, code, text string) {
	l["extension"] = append(asList(l["extension"]), jobj{"url": gpcWarningExt, "valueCode": code})
	l["note"] = append(asList(l["note"]), jobj{"text": text})
}

// inTransit warns that the record is still arriving from the previous practice.
func (ds *dataset) inTransit(l jobj, p seedPerson) {
	if p.GPInTransit == "" {
		return
	}
	d, err := time.Parse("2006-01-02", p.GPInTransit)
	if err != nil {
		return
	}
	warn(l, "data-in-transit", "Patient record transfer from previous GP practice not yet complete; information recorded before "+
		d.Format("02-Jan-2006")+" may be missing.")
}

// gpRecorder maps a recorder to a clinician the GP practice knows.
func gpRecorder(id string) string {
	if id == "pr-ashdown" || id == "pr-okafor" {
		return id
	}
	return "pr-ashdown"
}
