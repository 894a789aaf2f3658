package demo_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/shcr-project/shcr/internal/demo"
)

type obj = map[string]any

// start runs the demo back ends for one test.
func start(t *testing.T) *demo.Servers {
	t.Helper()
	s, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func base(t *testing.T, s *demo.Servers, name string) string {
	t.Helper()
	b, ok := s.Backend(name)
	if !ok {
		t.Fatalf("no back end %q", name)
	}
	return b.URL
}

// get fetches a URL and decodes its JSON body.
func get(t *testing.T, u string) (int, obj) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("GET %s: Content-Type %q", u, ct)
	}
	var m obj
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET %s: body is not JSON: %v\n%.300s", u, err, b)
	}
	return resp.StatusCode, m
}

// search runs a search and returns the bundle, failing unless it answers 200.
func search(t *testing.T, baseURL, typ string, q url.Values) obj {
	t.Helper()
	code, b := get(t, baseURL+"/"+typ+"?"+q.Encode())
	if code != http.StatusOK {
		t.Fatalf("%s?%s: status %d: %v", typ, q.Encode(), code, b)
	}
	if b["resourceType"] != "Bundle" || b["type"] != "searchset" {
		t.Fatalf("%s?%s: not a searchset Bundle: %v", typ, q.Encode(), b["resourceType"])
	}
	return b
}

func entries(b obj) []obj {
	var out []obj
	for _, e := range list(b["entry"]) {
		out = append(out, e.(obj))
	}
	return out
}

// resources returns the entries' resources with the given search mode ("" = any).
func resources(b obj, mode string) []obj {
	var out []obj
	for _, e := range entries(b) {
		if mode != "" && str(e, "search", "mode") != mode {
			continue
		}
		out = append(out, e["resource"].(obj))
	}
	return out
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// str walks nested objects by key and returns the string at the end ("" if absent).
func str(v any, path ...string) string {
	for _, p := range path {
		m, ok := v.(obj)
		if !ok {
			return ""
		}
		v = m[p]
	}
	s, _ := v.(string)
	return s
}

func total(b obj) int {
	f, _ := b["total"].(float64)
	return int(f)
}

func nextLink(b obj) string {
	for _, l := range list(b["link"]) {
		if str(l, "relation") == "next" {
			return str(l, "url")
		}
	}
	return ""
}

// searchAll follows every next link and returns every matching resource.
func searchAll(t *testing.T, baseURL, typ string, q url.Values) ([]obj, int, int) {
	t.Helper()
	b := search(t, baseURL, typ, q)
	want := total(b)
	all := resources(b, "match")
	pages := 1
	for next := nextLink(b); next != ""; next = nextLink(b) {
		if !strings.HasPrefix(next, baseURL+"/") {
			t.Fatalf("next link %q is not under the base URL %q", next, baseURL)
		}
		var code int
		code, b = get(t, next)
		if code != http.StatusOK {
			t.Fatalf("next page %s: status %d", next, code)
		}
		if total(b) != want {
			t.Fatalf("total changed between pages: %d then %d", want, total(b))
		}
		all = append(all, resources(b, "match")...)
		pages++
		if pages > 10000 {
			t.Fatal("too many pages: next links loop")
		}
	}
	return all, want, pages
}

// patientID finds the Patient id for an NHS number on a back end.
func patientID(t *testing.T, baseURL, nhs string) string {
	t.Helper()
	b := search(t, baseURL, "Patient", url.Values{"identifier": {"https://fhir.nhs.uk/Id/nhs-number|" + nhs}})
	rs := resources(b, "match")
	if len(rs) != 1 {
		t.Fatalf("NHS number %s: %d patients", nhs, len(rs))
	}
	return str(rs[0], "id")
}

func byPatient(t *testing.T, baseURL, typ, pid string, extra url.Values) []obj {
	t.Helper()
	q := url.Values{"patient": {pid}, "_count": {"500"}}
	for k, v := range extra {
		q[k] = v
	}
	all, _, _ := searchAll(t, baseURL, typ, q)
	return all
}

// --- GP Connect ---------------------------------------------------------------------------

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// gpJWT builds the unsigned access token GP Connect consumers send.
func gpJWT(mutate func(obj)) string {
	now := time.Now().Unix()
	claims := obj{
		"iss": "https://shcr.example", "sub": "staff-1", "aud": "https://provider.example/fhir",
		"exp": now + 300, "iat": now, "reason_for_request": "directcare", "requested_scope": "patient/*.read",
		"requesting_device": obj{"resourceType": "Device", "identifier": []any{obj{"system": "https://shcr.example/device", "value": "shcr"}}},
		"requesting_organization": obj{"resourceType": "Organization", "name": "Demo",
			"identifier": []any{obj{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "DMX01"}}},
		"requesting_practitioner": obj{"resourceType": "Practitioner", "id": "staff-1",
			"name": []any{obj{"family": "Carter", "given": []any{"Jane"}}}},
	}
	if mutate != nil {
		mutate(claims)
	}
	return b64(obj{"alg": "none", "typ": "JWT"}) + "." + b64(claims) + "."
}

func gpParams(nhs string, parts ...obj) obj {
	ps := []any{obj{"name": "patientNHSNumber", "valueIdentifier": obj{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}}}
	for _, p := range parts {
		ps = append(ps, p)
	}
	return obj{"resourceType": "Parameters", "parameter": ps}
}

func allParts() []obj {
	return []obj{
		{"name": "includeAllergies", "part": []any{obj{"name": "includeResolvedAllergies", "valueBoolean": true}}},
		{"name": "includeMedication"},
		{"name": "includeConsultations", "part": []any{obj{"name": "includeNumberOfMostRecent", "valuePositiveInt": 3}}},
	}
}

// gpPost calls $gpc.getstructuredrecord; headers may be altered by edit.
func gpPost(t *testing.T, s *demo.Servers, body obj, edit func(http.Header)) (int, obj) {
	t.Helper()
	var cfg *struct{ from, to, interaction string }
	for _, b := range s.Config() {
		if b.Name == demo.NameGP {
			cfg = &struct{ from, to, interaction string }{b.GPConnect.FromASID, b.GPConnect.ToASID, b.GPConnect.InteractionID}
		}
	}
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, base(t, s, demo.NameGP)+"/Patient/$gpc.getstructuredrecord", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Ssp-TraceID", "6d4d4a55-0a5c-4ab4-9f6e-3a0f5d2c1b11")
	req.Header.Set("Ssp-From", cfg.from)
	req.Header.Set("Ssp-To", cfg.to)
	req.Header.Set("Ssp-InteractionID", cfg.interaction)
	req.Header.Set("Authorization", "Bearer "+gpJWT(nil))
	if edit != nil {
		edit(req.Header)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m obj
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatalf("GP Connect body is not JSON: %v", err)
	}
	return resp.StatusCode, m
}

func gpResources(b obj, typ string) []obj {
	var out []obj
	for _, e := range entries(b) {
		r := e["resource"].(obj)
		if r["resourceType"] == typ {
			out = append(out, r)
		}
	}
	return out
}

func gpListByCode(b obj, code string) obj {
	for _, l := range gpResources(b, "List") {
		for _, c := range list(l["code"].(obj)["coding"]) {
			if str(c, "code") == code {
				return l
			}
		}
	}
	return nil
}

func spineCode(oo obj) string {
	for _, is := range list(oo["issue"]) {
		for _, c := range list(is.(obj)["details"].(obj)["coding"]) {
			return str(c, "code")
		}
	}
	return ""
}

func jsonEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
