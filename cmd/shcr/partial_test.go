package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shcr-project/shcr/internal/demo"
)

// TestGetExitCodePartial runs `shcr get` against the demo NHS back end and a regional
// record that knows the person: exit 4 (partial) when one of its sections could not be
// read in full (truncated: Bundle.total larger than what was sent; or timed out), and 0
// when it only refuses some resource types (not-supported is an answer).
func TestGetExitCodePartial(t *testing.T) {
	t.Parallel() // runs the binary with its own home, config and state
	servers, err := demo.Start(demo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer servers.Close()
	p := demoPerson(t, "Active home-care package")
	patient := map[string]any{"resourceType": "Patient", "id": "r1",
		"identifier": []any{map[string]any{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": p.NHSNumber}},
		"name":       []any{map[string]any{"family": p.Family, "given": strings.Fields(p.Given)}},
		"birthDate":  p.BirthDate, "gender": p.Gender}
	allergy := map[string]any{"resourceType": "AllergyIntolerance", "id": "a1",
		"clinicalStatus": map[string]any{"coding": []any{map[string]any{"system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "code": "active"}}},
		"code":           map[string]any{"coding": []any{map[string]any{"system": "http://snomed.info/sct", "code": "372687004", "display": "Amoxicillin"}}},
		"patient":        map[string]any{"reference": "Patient/r1"}}
	bundle := func(total int, rs ...map[string]any) []byte {
		var entries []any
		for _, r := range rs {
			entries = append(entries, map[string]any{"resource": r, "search": map[string]any{"mode": "match"}})
		}
		b, _ := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "searchset", "total": total, "entry": entries})
		return b
	}
	write := func(w http.ResponseWriter, status int, body []byte) {
		w.Header().Set("Content-Type", "application/fhir+json")
		w.WriteHeader(status)
		w.Write(body)
	}
	for _, tc := range []struct {
		name      string
		allergies func(w http.ResponseWriter, r *http.Request)
		code      int
		state     string
		stderr    string
	}{
		{"truncated", func(w http.ResponseWriter, r *http.Request) { write(w, 200, bundle(5, allergy)) }, 4, "truncated",
			"regional: allergies truncated: showing 1 of 5"},
		// The server holds the request until the client gives up: a short timeout on loopback.
		{"timed out", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }, 4, "timed-out",
			"back end regional did not answer within 300ms"},
		{"not supported", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404) }, 0, "not-supported", ""},
		{"returned", func(w http.ResponseWriter, r *http.Request) { write(w, 200, bundle(1, allergy)) }, 0, "returned", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			regional := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				path := strings.TrimPrefix(r.URL.Path, "/fhir/")
				switch path {
				case "metadata":
					w.WriteHeader(404) // no CapabilityStatement: everything is asked
				case "Patient":
					write(w, 200, bundle(1, patient))
				case "Patient/r1":
					b, _ := json.Marshal(patient)
					write(w, 200, b)
				case "AllergyIntolerance":
					tc.allergies(w, r)
				default:
					write(w, 200, bundle(0))
				}
			}))
			defer regional.Close()
			timeout := "1s"
			if tc.state == "timed-out" {
				timeout = "300ms"
			}
			nhs := servers.Config()[0]
			cfg := fmt.Sprintf("backends:\n  - name: %q\n    kind: %s\n    url: %s\n    domain: %s\n  - name: regional\n    kind: fhir-r4\n    url: %s/fhir\n    domain: health\n    timeout: %s\n",
				nhs.Name, nhs.Kind, nhs.URL, nhs.Domain, regional.URL, timeout)
			file := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(file, []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			r := shcr(t, testEnv(t), "get", "--config", file, "--purpose", "direct-care", p.NHSNumber, "--section", "allergies", "--output", "json")
			if r.code != tc.code {
				t.Fatalf("want exit %d\n%s", tc.code, r)
			}
			if tc.stderr != "" && !strings.Contains(r.stderr, tc.stderr) {
				t.Errorf("stderr should say %q\n%s", tc.stderr, r)
			}
			doc := parseJSON(t, r)
			var state any
			for _, st := range doc.SectionStatus {
				if st["backend"] == "regional" && st["section"] == "allergies" {
					state = st["state"]
				}
			}
			if state != tc.state {
				t.Errorf("section_status for regional allergies = %v, want %q\n%s", state, tc.state, r)
			}
		})
	}
}
