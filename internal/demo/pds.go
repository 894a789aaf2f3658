package demo

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// The demo national demographics service (PDS FHIR R4): GET Patient/{nhs}, GET Patient
// (search) and GET Patient/{nhs}/RelatedPerson, in the shapes of the PDS sandbox mocks,
// refusing requests without an X-Request-ID (a UUID) as PDS does.

const (
	sysSpineError     = "https://fhir.nhs.uk/R4/CodeSystem/Spine-ErrorOrWarningCode"
	extDeathStatus    = "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-DeathNotificationStatus"
	extNCRSConsent    = "https://hl7.org/fhir/R4/consent.html" // NHS record sharing consent (research note §5.3)
	sysDeathStatus    = "https://fhir.hl7.org.uk/CodeSystem/UKCore-DeathNotificationStatus"
	headerXRequestID  = "X-Request-ID"
	headerEndUserODS  = "NHSD-End-User-Organisation-ODS"
	headerCorrelation = "X-Correlation-ID"
)

var uuidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// spineOutcome writes the national services' OperationOutcome: a Spine error code.
func spineOutcome(w http.ResponseWriter, status int, issue, code, display, diagnostics string) {
	is := jobj{"severity": "error", "code": issue, "details": jobj{"coding": jarr{jobj{"system": sysSpineError, "version": "1", "code": code, "display": display}}}}
	if diagnostics != "" {
		is["diagnostics"] = diagnostics
	}
	writeJSON(w, status, mustJSON(jobj{"resourceType": "OperationOutcome", "issue": jarr{is}}))
}

// checkRequestID refuses a request without a UUID X-Request-ID, and mirrors the ids back.
func checkRequestID(w http.ResponseWriter, r *http.Request) bool {
	id := r.Header.Get(headerXRequestID)
	switch {
	case id == "":
		spineOutcome(w, http.StatusBadRequest, "required", "MISSING_VALUE", "Required value is missing", "Invalid request with error - X-Request-ID header must be supplied to access this resource")
		return false
	case !uuidShape.MatchString(id):
		spineOutcome(w, http.StatusBadRequest, "value", "INVALID_VALUE", "Provided value is invalid", "Invalid value - '"+id+"' in header 'X-Request-ID'")
		return false
	}
	w.Header().Set(headerXRequestID, id)
	if c := r.Header.Get(headerCorrelation); c != "" {
		w.Header().Set(headerCorrelation, c)
	}
	return true
}

type pdsHandler struct {
	base     string
	patients map[string]jobj   // by NHS number
	replaced map[string]string // superseded number → the number that replaced it
	related  map[string]jarr
	order    []string // NHS numbers in seed order, for searches
}

func newPDSHandler(base string, ds *dataset) *pdsHandler {
	h := &pdsHandler{base: base, patients: map[string]jobj{}, replaced: map[string]string{NHSSuperseded: NHSReplacedBy}, related: map[string]jarr{}}
	for _, p := range ds.seed.People {
		if p.NHS == "" || !in(p.Backends, "nhs") {
			continue
		}
		r := jobj{"resourceType": "Patient", "id": p.NHS,
			"meta": jobj{"versionId": "2", "security": jarr{coding(sysConfidential, "U", "unrestricted")}},
			"identifier": jarr{jobj{"system": sysNHSNumber, "value": p.NHS,
				"extension": jarr{jobj{"url": extNHSVerify, "valueCodeableConcept": concept("", coding(sysNHSVerify, "01", "Number present and verified"))}}}},
			"name":      jarr{humanName(p.Title, p.Family, p.Given)},
			"gender":    p.Gender,
			"birthDate": p.BirthDate,
			"address":   jarr{address(p.Address)},
			"telecom":   phones(p.Phones),
			"generalPractitioner": jarr{jobj{"id": "254406A3", "type": "Organization",
				"identifier": jobj{"system": sysODS, "value": odsDemoPractice, "period": jobj{"start": "2020-01-01"}}}},
		}
		if p.Deceased != "" {
			r["deceasedDateTime"] = p.Deceased
			r["extension"] = jarr{jobj{"url": extDeathStatus, "extension": jarr{
				jobj{"url": "deathNotificationStatus", "valueCodeableConcept": concept("", coding(sysDeathStatus, "2", "Formal - death notice received from Registrar of Deaths"))},
				jobj{"url": "systemEffectiveDate", "valueDateTime": p.Deceased}}}}
		}
		if p.NHS == NCRSDissentNHS {
			// The NHS record sharing consent extension (PDS karate tests: consentType 4 ncrs,
			// consentValue 2 dissent), as PDS sends it to applications allowed to read it.
			r["extension"] = append(toArr(r["extension"]), jobj{"url": extNCRSConsent, "extension": jarr{
				jobj{"url": "consentType", "valueCodeableConcept": jobj{"coding": jarr{jobj{"code": "4", "display": "ncrs"}}}},
				jobj{"url": "consentValue", "valueCodeableConcept": jobj{"coding": jarr{jobj{"code": "2", "display": "dissent"}}}}}})
		}
		if p.NHS == NHSRestricted {
			// PDS removes location-sensitive fields of a restricted patient (Sensitive_Patient.json).
			r["meta"] = jobj{"versionId": "2", "security": jarr{coding(sysConfidential, "R", "restricted")}}
			delete(r, "address")
			delete(r, "telecom")
			delete(r, "generalPractitioner")
		}
		h.patients[p.NHS] = r
		h.order = append(h.order, p.NHS)
		var rel jarr
		for _, c := range p.Contacts {
			if !in(c.Roles, "NOK") || p.NHS == NHSRestricted {
				continue
			}
			rel = append(rel, jobj{"resourceType": "RelatedPerson", "id": p.Key + "-" + strings.ToLower(c.Family) + "-" + strconv.Itoa(len(rel)+1),
				"active":       true,
				"patient":      jobj{"identifier": jobj{"system": sysNHSNumber, "value": p.NHS}},
				"name":         jarr{humanName(c.Title, c.Family, c.Given)},
				"relationship": jarr{concept("", coding("http://terminology.hl7.org/CodeSystem/v3-RoleCode", c.Relationship, c.RelDisplay), coding("http://terminology.hl7.org/CodeSystem/v2-0131", "N", "Next-of-Kin"))},
				"telecom":      phones(c.Phones)})
		}
		h.related[p.NHS] = rel
	}
	return h
}

func (h *pdsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !checkRequestID(w, r) {
		return
	}
	if r.Method != http.MethodGet {
		spineOutcome(w, http.StatusMethodNotAllowed, "not-supported", "UNSUPPORTED_SERVICE", "Unsupported Service", "")
		return
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "Patient":
		h.search(w, r)
	case len(parts) == 2 && parts[0] == "Patient":
		h.read(w, parts[1])
	case len(parts) == 3 && parts[0] == "Patient" && parts[2] == "RelatedPerson":
		if _, ok := h.patients[parts[1]]; !ok {
			spineOutcome(w, http.StatusNotFound, "not-found", "RESOURCE_NOT_FOUND", "Resource not found", "")
			return
		}
		writeJSON(w, http.StatusOK, mustJSON(h.bundle(h.related[parts[1]], nil)))
	default:
		spineOutcome(w, http.StatusBadRequest, "not-supported", "UNSUPPORTED_SERVICE", "Unsupported Service", "")
	}
}

func (h *pdsHandler) read(w http.ResponseWriter, id string) {
	if !nhsShape.MatchString(id) || !mod11(id) {
		spineOutcome(w, http.StatusBadRequest, "value", "INVALID_RESOURCE_ID", "Resource Id is invalid", "")
		return
	}
	if to, ok := h.replaced[id]; ok {
		id = to // a superseded number answers with the record that replaced it
	}
	p, ok := h.patients[id]
	if !ok {
		spineOutcome(w, http.StatusNotFound, "not-found", "RESOURCE_NOT_FOUND", "Resource not found", "")
		return
	}
	w.Header().Set("ETag", `W/"2"`)
	writeJSON(w, http.StatusOK, mustJSON(p))
}

var nhsShape = regexp.MustCompile(`^\d{10}$`)

func mod11(n string) bool {
	sum := 0
	for i := 0; i < 9; i++ {
		sum += int(n[i]-'0') * (10 - i)
	}
	c := 11 - sum%11
	if c == 11 {
		c = 0
	}
	return c != 10 && c == int(n[9]-'0')
}

// search follows PDS's rules: family and birthdate needed (unless fuzzy); more matches
// than _max-results is a 200 with a TOO_MANY_MATCHES OperationOutcome.
func (h *pdsHandler) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	known := []string{"family", "given", "gender", "birthdate", "address-postalcode", "_fuzzy-match", "_exact-match", "_max-results", "_history"}
	for k := range q {
		if !slices.Contains(known, k) {
			spineOutcome(w, http.StatusBadRequest, "structure", "ADDITIONAL_PROPERTIES", "Additional properties", "Invalid search data provided - '"+k+"'")
			return
		}
	}
	fuzzy := q.Get("_fuzzy-match") == "true"
	if (q.Get("family") == "" && !fuzzy) || len(q["birthdate"]) == 0 {
		spineOutcome(w, http.StatusBadRequest, "required", "MISSING_VALUE", "Required value is missing", "Missing value - 'birth_date/birth_date_range_start/birth_date_range_end'")
		return
	}
	max := 50
	if m := q.Get("_max-results"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 50 {
			spineOutcome(w, http.StatusBadRequest, "value", "INVALID_VALUE", "Provided value is invalid", "Invalid value - '"+m+"' in field '_max-results'")
			return
		}
		max = n
	}
	var hits jarr
	for _, nhs := range h.order {
		p := h.patients[nhs]
		if pdsMatches(p, q, fuzzy) {
			hits = append(hits, p)
		}
	}
	if len(hits) > max {
		writeJSON(w, http.StatusOK, mustJSON(jobj{"resourceType": "OperationOutcome", "issue": jarr{jobj{"severity": "information", "code": "multiple-matches",
			"details": jobj{"coding": jarr{jobj{"system": sysSpineError, "version": "1", "code": "TOO_MANY_MATCHES", "display": "Too Many Matches"}}}}}}))
		return
	}
	writeJSON(w, http.StatusOK, mustJSON(h.bundle(hits, func(jobj) float64 {
		if fuzzy {
			return 0.75
		}
		return 1
	})))
}

func pdsMatches(p jobj, q map[string][]string, fuzzy bool) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	name := p["name"].(jarr)[0].(jobj)
	family, _ := name["family"].(string)
	if f := get("family"); f != "" && !nameMatch(family, f, fuzzy) {
		return false
	}
	if g := get("given"); g != "" {
		given := toStrings(name["given"])
		if len(given) == 0 || !nameMatch(given[0], g, fuzzy) {
			return false
		}
	}
	if g := get("gender"); g != "" && p["gender"] != g {
		return false
	}
	bd, _ := p["birthDate"].(string)
	for _, b := range q["birthdate"] {
		if len(b) < 12 {
			return false
		}
		op, d := b[:2], b[2:]
		if op == "eq" && bd != d || op == "ge" && bd < d || op == "le" && bd > d {
			return false
		}
	}
	if pc := get("address-postalcode"); pc != "" {
		if sec := p["meta"].(jobj)["security"].(jarr)[0].(jobj)["code"]; sec != "U" {
			return false // PDS returns no restricted patient to a search by postcode
		}
		a, ok := p["address"].(jarr)
		if !ok || normPostcode(a[0].(jobj)["postalCode"].(string)) != normPostcode(pc) {
			return false
		}
	}
	return true
}

func toArr(v any) jarr {
	a, _ := v.(jarr)
	return a
}

func toStrings(v any) []string {
	var out []string
	if a, ok := v.(jarr); ok {
		for _, x := range a {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// nameMatch: exact (case-insensitive), a trailing wildcard, or (fuzzy) the same first two letters.
func nameMatch(have, want string, fuzzy bool) bool {
	have, want = strings.ToLower(have), strings.ToLower(want)
	if w, ok := strings.CutSuffix(want, "*"); ok {
		return strings.HasPrefix(have, w)
	}
	if fuzzy && len(have) >= 2 && len(want) >= 2 {
		return have[:2] == want[:2]
	}
	return have == want
}

func (h *pdsHandler) bundle(rs jarr, score func(jobj) float64) jobj {
	entries := jarr{}
	for _, x := range rs {
		r := x.(jobj)
		e := jobj{"fullUrl": h.base + "/" + r["resourceType"].(string) + "/" + r["id"].(string), "resource": r}
		if score != nil {
			e["search"] = jobj{"score": score(r)}
		}
		entries = append(entries, e)
	}
	return jobj{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
}
