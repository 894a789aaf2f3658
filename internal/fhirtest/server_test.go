package fhirtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// A small generic data set: one person with references of every shape the server follows.
var testResources = []string{
	`{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9912003888"},{"value":"LOCAL-1"}],
	  "name":[{"family":"Smith","given":["Richard"]}],"birthDate":"1970-09-11","gender":"male",
	  "address":[{"postalCode":"LS1 4HY"}],"telecom":[{"system":"phone","value":"0113 123 1234"}],
	  "generalPractitioner":[{"reference":"Organization/o1"}]}`,
	`{"resourceType":"Patient","id":"p2","name":[{"family":"Smythe","given":["Janet"]}],"birthDate":"1980-01-02"}`,
	`{"resourceType":"Organization","id":"o1","name":"White Rose Medical Centre"}`,
	`{"resourceType":"Practitioner","id":"pr1","name":[{"family":"Rastall","given":["Paul"]}]}`,
	`{"resourceType":"PractitionerRole","id":"role1","practitioner":{"reference":"Practitioner/pr1"},"organization":{"reference":"Organization/o1"}}`,
	`{"resourceType":"CareTeam","id":"ct1","subject":{"reference":"Patient/p1"},"participant":[{"member":{"reference":"PractitionerRole/role1"}}]}`,
	`{"resourceType":"AllergyIntolerance","id":"a1","patient":{"reference":"Patient/p1"},"recorder":{"reference":"Practitioner/pr1"},
	  "code":{"coding":[{"system":"http://snomed.info/sct","code":"294505008"}]}}`,
	`{"resourceType":"AllergyIntolerance","id":"a2","patient":{"reference":"PLACEHOLDER/Patient/p1"}}`,
	`{"resourceType":"AllergyIntolerance","id":"a3","patient":{"reference":"Patient/p2"}}`,
	`{"resourceType":"AllergyIntolerance","id":"a4","patient":{"reference":"https://elsewhere.example.org/fhir/Patient/p1"}}`,
	`{"resourceType":"Provenance","id":"prov1","target":[{"reference":"AllergyIntolerance/a1"}],"recorded":"2024-01-01T00:00:00Z","agent":[{"who":{"reference":"Organization/o1"}}]}`,
	`{"resourceType":"Coverage","id":"cov1","beneficiary":{"reference":"Patient/p1"},"status":"active"}`,
}

func startTest(t *testing.T, opts Options) *Server {
	t.Helper()
	var rs []Resource
	// The server's own base is only known once it runs: absolute references are written
	// with a placeholder and the server is started twice (the first only to learn nothing).
	for _, s := range testResources {
		r, err := Parse([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	srv := Start(t, rs, opts)
	for i, r := range rs {
		if strings.Contains(string(r.Raw), "PLACEHOLDER") {
			fixed, err := Parse([]byte(strings.ReplaceAll(string(r.Raw), "PLACEHOLDER", srv.URL)))
			if err != nil {
				t.Fatal(err)
			}
			rs[i] = fixed
		}
	}
	srv.store = newStore(rs)
	return srv
}

type bundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   struct{ Mode string }
	} `json:"entry"`
	Issue []struct{ Severity, Code, Diagnostics string }
}

func get(t *testing.T, u string) (int, bundle) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); ct != "application/fhir+json" {
		t.Errorf("%s: Content-Type %q", u, ct)
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil {
		t.Fatalf("%s: %v: %s", u, err, body)
	}
	return resp.StatusCode, b
}

// refs lists "mode:Type/id" for each entry.
func (b bundle) refs() []string {
	var out []string
	for _, e := range b.Entry {
		var h struct{ ResourceType, ID string }
		_ = json.Unmarshal(e.Resource, &h)
		out = append(out, e.Search.Mode+":"+h.ResourceType+"/"+h.ID)
	}
	return out
}

func (b bundle) next() string {
	for _, l := range b.Link {
		if l.Relation == "next" {
			return l.URL
		}
	}
	return ""
}

func TestSearch(t *testing.T) {
	s := startTest(t, Options{})
	q := url.QueryEscape
	tests := []struct {
		query string
		want  []string
	}{
		{"AllergyIntolerance?patient=p1", []string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2"}},
		{"AllergyIntolerance?patient=Patient/p1", []string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2"}},
		{"AllergyIntolerance?patient=" + q(s.URL+"/Patient/p1"), []string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2"}},
		{"AllergyIntolerance?patient=p1,p2", []string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2", "match:AllergyIntolerance/a3"}},
		{"CareTeam?subject=Patient/p1", []string{"match:CareTeam/ct1"}},
		{"CareTeam?patient=p1", []string{"match:CareTeam/ct1"}},
		{"Coverage?beneficiary=Patient/p1", []string{"match:Coverage/cov1"}},
		{"Coverage?patient=p1", []string{"match:Coverage/cov1"}},
		{"Patient?identifier=" + q("https://fhir.nhs.uk/Id/nhs-number|9912003888"), []string{"match:Patient/p1"}},
		{"Patient?identifier=9912003888", []string{"match:Patient/p1"}},
		{"Patient?identifier=" + q("|LOCAL-1"), []string{"match:Patient/p1"}},
		{"Patient?identifier=" + q("|9912003888"), nil},
		{"Patient?identifier=" + q("https://fhir.nhs.uk/Id/nhs-number|9000000009"), nil},
		{"Patient?_id=p2,p1", []string{"match:Patient/p1", "match:Patient/p2"}},
		{"Patient?family=smi&birthdate=1970-09-11", []string{"match:Patient/p1"}},
		{"Patient?family=Sm", []string{"match:Patient/p1", "match:Patient/p2"}},
		{"Patient?family:exact=Smith", []string{"match:Patient/p1"}},
		{"Patient?address-postalcode=ls14hy&given=rich", []string{"match:Patient/p1"}},
		{"Patient?phone=01131231234", []string{"match:Patient/p1"}},
		{"AllergyIntolerance?code=" + q("http://snomed.info/sct|294505008"), []string{"match:AllergyIntolerance/a1"}},
		{"AllergyIntolerance?patient=p1&_include=AllergyIntolerance:recorder",
			[]string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2", "include:Practitioner/pr1"}},
		{"AllergyIntolerance?patient=p1&_revinclude=Provenance:target",
			[]string{"match:AllergyIntolerance/a1", "match:AllergyIntolerance/a2", "include:Provenance/prov1"}},
		{"CareTeam?patient=p1&_include=CareTeam:participant",
			[]string{"match:CareTeam/ct1", "include:PractitionerRole/role1"}},
		{"CareTeam?patient=p1&_include=CareTeam:participant&_include:iterate=PractitionerRole:practitioner&_include:iterate=PractitionerRole:organization",
			[]string{"match:CareTeam/ct1", "include:PractitionerRole/role1", "include:Practitioner/pr1", "include:Organization/o1"}},
		{"CareTeam?patient=p1&_include=CareTeam:participant:Practitioner", []string{"match:CareTeam/ct1"}},
	}
	for _, tc := range tests {
		code, b := get(t, s.URL+"/"+tc.query)
		if code != 200 || b.ResourceType != "Bundle" || b.Type != "searchset" {
			t.Errorf("%s: %d %+v", tc.query, code, b)
			continue
		}
		matches := 0
		for _, r := range b.refs() {
			if strings.HasPrefix(r, "match:") {
				matches++
			}
		}
		if b.Total == nil || *b.Total != matches {
			t.Errorf("%s: total %v, %d matches", tc.query, b.Total, matches)
		}
		got := b.refs()
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s:\n got %v\nwant %v", tc.query, got, tc.want)
		}
		for _, e := range b.Entry {
			if !strings.HasPrefix(e.FullURL, s.URL+"/") {
				t.Errorf("%s: fullUrl %q", tc.query, e.FullURL)
			}
		}
	}
}

func TestPaging(t *testing.T) {
	var rs []Resource
	var want []string
	for i := range 23 {
		id := "obs" + string(rune('a'+i))
		r, err := Parse([]byte(`{"resourceType":"Observation","id":"` + id + `","subject":{"reference":"Patient/p1"}}`))
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
		want = append(want, "match:Observation/"+id)
	}
	s := Start(t, rs, Options{MaxPageSize: 10})
	for _, tc := range []struct {
		query string
		pages int
	}{
		{"Observation?patient=p1&_count=5", 5},
		{"Observation?patient=p1", 3},           // default page 20, capped at 10
		{"Observation?patient=p1&_count=50", 3}, // capped at MaxPageSize
		{"Observation?patient=p1&_count=23", 3},
	} {
		var got []string
		pages := 0
		for u := s.URL + "/" + tc.query; u != ""; pages++ {
			code, b := get(t, u)
			if code != 200 || b.Total == nil || *b.Total != 23 {
				t.Fatalf("%s: %d total %v", u, code, b.Total)
			}
			got = append(got, b.refs()...)
			u = b.next()
			if pages > 30 {
				t.Fatal("next links do not end")
			}
		}
		if pages != tc.pages || !slices.Equal(got, want) {
			t.Errorf("%s: %d pages, entries %v", tc.query, pages, got)
		}
	}
	// _count=0 answers the total alone.
	if _, b := get(t, s.URL+"/Observation?patient=p1&_count=0"); *b.Total != 23 || len(b.Entry) != 0 || b.next() != "" {
		t.Errorf("_count=0: %+v", b)
	}
}

func TestErrorsAreOperationOutcomes(t *testing.T) {
	s := startTest(t, Options{})
	tests := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/NotAType?patient=p1", 404, "not-supported"},
		{"GET", "/Basic?patient=p1", 404, "not-supported"},
		{"GET", "/Basic/x", 404, "not-supported"},
		{"GET", "/Observation/x", 404, "not-found"},
		{"GET", "/Patient/nobody", 404, "not-found"},
		{"GET", "/AllergyIntolerance?patient=p1&onset=2020", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?patient:missing=true", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?beneficiary=p1", 400, "not-supported"},
		{"GET", "/Patient?patient=p1", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?patient=p1&_include=CareTeam:participant", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?patient=p1&_include=AllergyIntolerance:nonsense", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?patient=p1&_revinclude=AuditEvent:entity", 400, "not-supported"},
		{"GET", "/AllergyIntolerance?patient=p1&_count=lots", 400, "invalid"},
		{"GET", "/Patient/p1/_history/1/extra", 404, "not-found"},
		{"POST", "/Patient", 405, "not-supported"},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest(tc.method, s.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var oo bundle
		_ = json.NewDecoder(resp.Body).Decode(&oo)
		resp.Body.Close()
		if resp.StatusCode != tc.status || oo.ResourceType != "OperationOutcome" || len(oo.Issue) != 1 ||
			oo.Issue[0].Severity != "error" || oo.Issue[0].Code != tc.code || oo.Issue[0].Diagnostics == "" {
			t.Errorf("%s %s: %d %+v", tc.method, tc.path, resp.StatusCode, oo)
		}
	}
}

func TestRead(t *testing.T) {
	s := startTest(t, Options{})
	resp, err := http.Get(s.URL + "/Organization/o1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != testResources[2] {
		t.Errorf("read: %d %s", resp.StatusCode, body)
	}
}

type capStatement struct {
	ResourceType string
	FHIRVersion  string
	Rest         []struct {
		Mode     string
		Resource []struct {
			Type             string
			SearchParam      []struct{ Name, Type string }
			SearchInclude    []string
			SearchRevInclude []string
		}
	}
}

func metadata(t *testing.T, s *Server) map[string][]string {
	t.Helper()
	resp, err := http.Get(s.URL + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var cs capStatement
	if err := json.NewDecoder(resp.Body).Decode(&cs); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" || len(cs.Rest) != 1 || cs.Rest[0].Mode != "server" {
		t.Fatalf("metadata: %d %+v", resp.StatusCode, cs)
	}
	out := map[string][]string{}
	for _, r := range cs.Rest[0].Resource {
		var decl []string
		for _, p := range r.SearchParam {
			decl = append(decl, p.Name)
		}
		for _, i := range r.SearchInclude {
			decl = append(decl, "_include="+i)
		}
		for _, i := range r.SearchRevInclude {
			decl = append(decl, "_revinclude="+i)
		}
		out[r.Type] = decl
	}
	return out
}

func TestCapabilityStatement(t *testing.T) {
	complete := metadata(t, startTest(t, Options{}))
	// Every type it holds, and the standard types it holds nothing of (served empty).
	for _, typ := range []string{"AllergyIntolerance", "CareTeam", "Coverage", "Organization", "Patient", "Practitioner",
		"PractitionerRole", "Provenance", "Observation", "DeviceRequest", "EpisodeOfCare", "RelatedPerson"} {
		if complete[typ] == nil {
			t.Errorf("complete statement lacks %s", typ)
		}
	}
	if complete["NotAType"] != nil || complete["Basic"] != nil {
		t.Errorf("declares a type it does not serve")
	}
	for typ, want := range map[string][]string{
		"AllergyIntolerance": {"_id", "patient", "code", "recorder", "asserter", "_include=AllergyIntolerance:patient", "_include=AllergyIntolerance:recorder", "_revinclude=Provenance:target"},
		"CareTeam":           {"patient", "subject", "_include=CareTeam:participant"},
		"Coverage":           {"patient", "beneficiary", "status"},
		"Patient":            {"identifier", "family", "given", "birthdate", "gender", "address-postalcode", "phone", "_include=Patient:general-practitioner"},
		"Observation":        {"patient", "subject", "identifier"},
		"RelatedPerson":      {"patient", "name"},
	} {
		for _, w := range want {
			if !slices.Contains(complete[typ], w) {
				t.Errorf("complete: %s lacks %s: %v", typ, w, complete[typ])
			}
		}
	}
	if slices.Contains(complete["Patient"], "patient") || slices.Contains(complete["AllergyIntolerance"], "beneficiary") ||
		slices.Contains(complete["Organization"], "subject") {
		t.Errorf("declares parameters it does not serve: %v %v", complete["Patient"], complete["AllergyIntolerance"])
	}
	// A standard type it holds nothing of answers an empty searchset.
	s := startTest(t, Options{})
	if code, b := get(t, s.URL+"/Observation?patient=p1"); code != 200 || b.Total == nil || *b.Total != 0 || len(b.Entry) != 0 {
		t.Errorf("empty standard type: %d %+v", code, b)
	}

	// Incomplete: by default only Patient of the served types, plus DeviceRequest, which it
	// refuses.
	inc := startTest(t, Options{Capability: Incomplete})
	decl := metadata(t, inc)
	if len(decl) != 2 || decl["Patient"] == nil || decl["DeviceRequest"] == nil || !slices.Equal(decl["DeviceRequest"], []string{"patient"}) {
		t.Errorf("incomplete statement declares %v", decl)
	}
	if code, b := get(t, inc.URL+"/AllergyIntolerance?patient=p1"); code != 200 || len(b.Entry) != 2 {
		t.Errorf("an omitted type is still served: %d %v", code, b.refs())
	}
	if code, b := get(t, inc.URL+"/DeviceRequest?patient=p1"); code != 404 || b.ResourceType != "OperationOutcome" {
		t.Errorf("a declared type it refuses: %d %+v", code, b)
	}
	// Chosen omissions and refusals.
	inc = startTest(t, Options{Capability: Incomplete, Omit: []string{"CareTeam"}, Refuse: []string{"Coverage"}})
	decl = metadata(t, inc)
	if decl["CareTeam"] != nil || decl["Coverage"] == nil || decl["AllergyIntolerance"] == nil {
		t.Errorf("incomplete statement declares %v", decl)
	}
	if code, _ := get(t, inc.URL+"/Coverage?patient=p1"); code != 404 {
		t.Errorf("refused Coverage: %d", code)
	}
	if code, b := get(t, inc.URL+"/CareTeam?patient=p1"); code != 200 || len(b.Entry) != 1 {
		t.Errorf("omitted CareTeam: %d %v", code, b.refs())
	}
}

// The published corpus loads (Bundles unpacked, no Type/id twice), and the UK Core example
// patient's data is found by the searches an ordinary client makes.
func TestPublishedCorpus(t *testing.T) {
	rs, err := Load("testdata/published")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) < 30 {
		t.Fatalf("%d resources", len(rs))
	}
	s := Start(t, rs, Options{})
	code, b := get(t, s.URL+"/Patient?identifier="+url.QueryEscape("https://fhir.nhs.uk/Id/nhs-number|9912003888"))
	if code != 200 || len(b.Entry) != 1 {
		t.Fatalf("patient search: %d %v", code, b.refs())
	}
	for _, typ := range []string{"AllergyIntolerance", "MedicationRequest", "ServiceRequest", "Encounter", "RelatedPerson", "Flag", "CarePlan", "EpisodeOfCare"} {
		code, b := get(t, s.URL+"/"+typ+"?patient=UKCore-Patient-RichardSmith-Example&_revinclude=Provenance:target")
		if code != 200 || b.Total == nil || *b.Total == 0 {
			t.Errorf("%s: %d %v", typ, code, b.refs())
		}
	}
	// PDS RelatedPersonBundle is a searchset: its RelatedPerson is stored.
	if _, b := get(t, s.URL+"/RelatedPerson?_id=507B7621"); len(b.Entry) != 1 {
		t.Errorf("PDS RelatedPerson from a Bundle: %v", b.refs())
	}
}

// The R4 edge cases load with the published corpus (no Type/id twice) and add a duplicate
// Patient record with the UK Core patient's NHS number.
func TestEdgeCasesServeWithTheCorpus(t *testing.T) {
	s := StartDir(t, Options{}, "testdata/published", "testdata/edge/r4")
	_, b := get(t, s.URL+"/Patient?identifier="+url.QueryEscape("https://fhir.nhs.uk/Id/nhs-number|9912003888"))
	if len(b.Entry) != 2 {
		t.Errorf("patients with 9912003888: %v", b.refs())
	}
	_, b = get(t, s.URL+"/RelatedPerson?patient=UKCore-Patient-RichardSmith-Example")
	if len(b.Entry) != 2 {
		t.Errorf("related people: %v", b.refs())
	}
}
