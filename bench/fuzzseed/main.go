// Command fuzzseed writes the seed corpora of shcr's fuzz targets in Go's corpus file format
// (testdata/fuzz/<FuzzName>/<file>, "go test fuzz v1"). It turns the published FHIR
// examples in client/fhir/testdata/examples/ into seeds (as they are, wrapped in a searchset
// Bundle where a target wants one) and adds broken variants of each: truncated, wrong JSON
// types, dates that are not FHIR dates, no resourceType. Hand-made seeds cover error bodies
// and config files. Run it from the repository root:
//
//	go run ./bench/fuzzseed
//
// It only adds or overwrites its own seed files; crashers found by fuzzing (named by hash)
// are left alone.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

const (
	fhirDir   = "client/fhir/testdata/fuzz"
	configDir = "config/testdata/fuzz"
)

func main() {
	log.SetFlags(0)
	examples := readExamples("client/fhir/testdata/examples")
	cases := readDir("client/fhir/testdata/cases")

	// FuzzMapSections: single resources (a read), each wrapped in a searchset, the whole
	// UK Core set as one bundle with includes, the PDS/Interweave bundles and own cases.
	var ukcore []json.RawMessage
	var ukNames []string
	for _, name := range sortedKeys(examples) {
		data := examples[name]
		if strings.HasPrefix(name, "gpconnect/") {
			continue
		}
		base := slug(name)
		seed("FuzzMapSections", "example-"+base, data)
		if isBundle(data) {
			variants("FuzzMapSections", base, data)
			continue
		}
		wrapped := searchset(name, data)
		seed("FuzzMapSections", "searchset-"+base, wrapped)
		variants("FuzzMapSections", base, wrapped)
		if strings.HasPrefix(name, "ukcore/") || strings.HasPrefix(name, "interweave/") {
			ukcore = append(ukcore, data)
			ukNames = append(ukNames, name)
		}
	}
	all := searchsetMany(ukNames, ukcore)
	seed("FuzzMapSections", "searchset-all-examples", all)
	variants("FuzzMapSections", "all-examples", all)
	for _, name := range sortedKeys(cases) {
		seed("FuzzMapSections", "case-"+slug(name), cases[name])
		variants("FuzzMapSections", "case-"+slug(name), cases[name])
	}
	seed("FuzzMapSections", "broken-null-entries", []byte(`{"resourceType":"Bundle","type":"searchset","entry":[null,{"resource":null},{"resource":[]},{"resource":"x"},{"resource":{"id":"no-type"}}]}`))
	seed("FuzzMapSections", "broken-entry-not-list", []byte(`{"resourceType":"Bundle","type":"searchset","entry":{"resource":{"resourceType":"Patient","id":"p"}}}`))
	seed("FuzzMapSections", "broken-outcome", []byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"unknown parameter"}]}`))
	seed("FuzzMapSections", "broken-html", []byte("<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>"))
	seed("FuzzMapSections", "broken-empty", []byte(""))
	seed("FuzzMapSections", "broken-deep", []byte(strings.Repeat(`{"resourceType":"Bundle","entry":[{"resource":`, 40)))
	seed("FuzzMapSections", "restricted-patient-contacts", []byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"p1","meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]},"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"contact":[{"relationship":[{"text":"Next of kin"}],"name":{"family":"Smith","given":["Ann"]},"telecom":[{"system":"phone","value":"07700 900000","use":"mobile"}]}],"deceasedBoolean":true,"communication":[{"language":{"text":"Polish"},"extension":[{"url":"https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NeedInterpreter","valueBoolean":true}]}]}},{"resource":{"resourceType":"Flag","id":"f1","status":"active","code":{"text":"Dog at property"},"meta":{"security":[{"code":"V"}]}}}]}`))

	// FuzzMapGPConnect: the published structured record responses and broken variants.
	for _, name := range sortedKeys(examples) {
		if !strings.HasPrefix(name, "gpconnect/") {
			continue
		}
		base := slug(name)
		seed("FuzzMapGPConnect", "example-"+base, examples[name])
		variants("FuzzMapGPConnect", base, examples[name])
		noPatient := regexp.MustCompile(`"resourceType"\s*:\s*"Patient"`).ReplaceAll(examples[name], []byte(`"resourceType":"Person"`))
		seed("FuzzMapGPConnect", "broken-no-patient-"+base, noPatient)
		warn := bytes.Replace(examples[name], []byte(`"code": "886921000000105"`), []byte(`"code": "886921000000105", "x": 1`), 1)
		seed("FuzzMapGPConnect", "odd-list-"+base, warn)
	}
	seed("FuzzMapGPConnect", "broken-outcome", []byte(`{"resourceType":"OperationOutcome","meta":{"profile":["https://fhir.nhs.uk/STU3/StructureDefinition/GPConnect-OperationOutcome-1"]},"issue":[{"severity":"error","code":"not-found","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"PATIENT_NOT_FOUND","display":"Patient record not found"}]},"diagnostics":"No patient details found for patient ID: 9999999999"}]}`))
	seed("FuzzMapGPConnect", "list-warnings", []byte(`{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient","id":"p","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}],"contact":[{"relationship":[{"text":"Next of kin"}],"name":{"text":"Ann Smith"}}]}},{"resource":{"resourceType":"List","id":"l1","status":"current","mode":"snapshot","code":{"coding":[{"system":"http://snomed.info/sct","code":"886921000000105"}]},"extension":[{"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1","valueCode":"confidential-items"},{"url":"https://fhir.nhs.uk/STU3/StructureDefinition/Extension-CareConnect-GPC-ListWarningCode-1","valueCode":"data-in-transit"}],"note":[{"text":"Items excluded due to confidentiality and/or patient preferences."}],"entry":[{"item":{"reference":"AllergyIntolerance/missing"}}]}}]}`))

	// FuzzReadError: error bodies as back ends send them.
	outcomes := map[string]struct{ ct, body string }{
		"outcome-not-found":      {"application/fhir+json; charset=utf-8", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"not-found","diagnostics":"Resource Patient/123 is not known"}]}`},
		"outcome-spine":          {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"value","details":{"coding":[{"system":"https://fhir.nhs.uk/STU3/CodeSystem/Spine-ErrorOrWarningCode-1","code":"INVALID_NHS_NUMBER","display":"Invalid NHS number"}]},"diagnostics":"NHS number 1234567890 failed the check digit"}]}`},
		"outcome-many-issues":    {"application/json", `{"resourceType":"OperationOutcome","issue":[{"severity":"fatal","code":"exception"},{"severity":"warning","code":"informational","details":{"text":"second"}},{"severity":"information"}]}`},
		"outcome-no-issues":      {"application/fhir+json", `{"resourceType":"OperationOutcome"}`},
		"outcome-multiline":      {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"processing","diagnostics":"line one\nline two\r\n\tline three"}]}`},
		"html-502":               {"text/html; charset=utf-8", "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"},
		"html-no-content-type":   {"", "<html><body>Service Unavailable</body></html>"},
		"xml-outcome":            {"application/fhir+xml", `<OperationOutcome xmlns="http://hl7.org/fhir"><issue><severity value="error"/><code value="not-found"/></issue></OperationOutcome>`},
		"empty":                  {"application/fhir+json", ""},
		"whitespace":             {"text/plain", " \n\t "},
		"plain-text":             {"text/plain", "upstream connect error or disconnect/reset before headers"},
		"binary":                 {"", "\x00\x01\xff\xfe\x89PNG\r\n"},
		"json-not-fhir":          {"application/json", `{"error":"invalid_token","error_description":"The access token expired"}`},
		"json-bundle":            {"application/fhir+json", `{"resourceType":"Bundle","type":"searchset","total":0}`},
		"json-malformed":         {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":`},
		"json-array":             {"application/json", `[1,2,3]`},
		"bad-content-type":       {"text/html; charset", `{"resourceType":"OperationOutcome","issue":[]}`},
		"long-diagnostics":       {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"exception","diagnostics":"` + strings.Repeat("stack frame at com.example.Server.handle(Server.java:42) ", 60) + `"}]}`},
		"long-html":              {"text/html", "<html><body>" + strings.Repeat("<p>Maintenance tonight 22:00 to 02:00.</p>", 200) + "</body></html>"},
		"outcome-long-code":      {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"` + strings.Repeat("e", 700) + `","code":"` + strings.Repeat("c", 700) + `"}]}`},
		"outcome-newline-code":   {"application/fhir+json", `{"resourceType":"OperationOutcome","issue":[{"severity":"error\nwarning","code":"not\nfound"}]}`},
		"resource-type-newlines": {"application/fhir+json", `{"resourceType":"Patient\nPatient","id":"x"}`},
	}
	for _, name := range sortedKeys(outcomes) {
		o := outcomes[name]
		write(filepath.Join(fhirDir, "FuzzReadError", name), fmt.Sprintf("string(%q)", o.ct), fmt.Sprintf("[]byte(%q)", o.body))
	}

	// FuzzLoad (config): the golden good and bad configs, plus hostile YAML.
	for _, dir := range []string{"config/testdata/good", "config/testdata/bad"} {
		for name, data := range readDir(dir) {
			seed2(configDir, "FuzzLoad", filepath.Base(dir)+"-"+slug(name), data)
		}
	}
	hostile := map[string]string{
		"anchors":          "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nbackends: [*c]\n",
		"tabs":             "backends:\n\t- name: x\n",
		"nul":              "vocabulary: \"health\x00\"\n",
		"multiline-key":    "? |\n  two\n  lines\n: 1\n",
		"multiline-value":  "vocabulary: |\n  health\n  social-care\n",
		"backend-scalar":   "backends:\n  - just a string\n",
		"backend-list-int": "backends: [1, 2]\n",
		"name-newline":     "backends:\n  - name: \"a\\nb\"\n    kind: fhir-r4\n    url: https://x.example/fhir\n    domain: health\n",
		"url-newline":      "backends:\n  - name: a\n    kind: fhir-r4\n    url: \"https://x.example/\\nfhir\"\n    domain: health\n",
		"timeout-huge":     "backends:\n  - name: a\n    kind: fhir-r4\n    url: https://x.example/fhir\n    domain: health\n    timeout: 99999999999999999999\n",
		"idle-lock-words":  "idle_lock: five minutes\n",
		"user-map":         "user: [a, b]\n",
		"document-stream":  "vocabulary: health\n---\nvocabulary: social-care\n",
		"bom":              "\ufeffvocabulary: health\n",
		"unknown-nested":   "backends:\n  - name: a\n    kind: fhir-r4\n    url: https://x.example/fhir\n    domain: health\n    auth:\n      type: bearer\n      token_env: T\n      tokne: x\n",
	}
	for _, name := range sortedKeys(hostile) {
		seed2(configDir, "FuzzLoad", "hostile-"+name, []byte(hostile[name]))
	}
}

func seed(target, name string, data []byte) { seed2(fhirDir, target, name, data) }

func seed2(dir, target, name string, data []byte) {
	write(filepath.Join(dir, target, name), fmt.Sprintf("[]byte(%q)", data))
}

func write(path string, values ...string) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		log.Fatal(err)
	}
	body := "go test fuzz v1\n" + strings.Join(values, "\n") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		log.Fatal(err)
	}
}

// variants writes broken forms of data: cut in half, dates that are numbers, dates that
// are not FHIR dates, and the first resourceType removed.
func variants(target, base string, data []byte) {
	seed(target, "broken-truncated-"+base, data[:len(data)/2])
	dates := regexp.MustCompile(`"(start|end|date|recorded|birthDate|effectiveDateTime|authoredOn|assertedDate|onsetDateTime|lastUpdated|issued)"(\s*):(\s*)"[^"]*"`)
	if dates.Match(data) {
		seed(target, "broken-date-number-"+base, dates.ReplaceAll(data, []byte(`"$1":20240312`)))
		seed(target, "broken-date-uk-"+base, dates.ReplaceAll(data, []byte(`"$1":"12-Mar-2024"`)))
	}
	arrays := regexp.MustCompile(`"(coding|given|line|telecom|identifier|participant)"(\s*):(\s*)\[`)
	if arrays.Match(data) {
		// An array that is an object: the element is of the wrong type.
		seed(target, "broken-wrong-type-"+base, arrays.ReplaceAll(data, []byte(`"$1":{"was":[`)))
	}
	rt := regexp.MustCompile(`"resourceType"(\s*):(\s*)"(\w+)"`)
	if loc := rt.FindAllIndex(data, 2); len(loc) == 2 {
		// Remove the resourceType of the first entry (the second occurrence).
		out := append(append([]byte{}, data[:loc[1][0]]...), []byte(`"resourceTypo":"X"`)...)
		seed(target, "broken-no-resourcetype-"+base, append(out, data[loc[1][1]:]...))
	}
}

func searchset(name string, res []byte) []byte {
	return searchsetMany([]string{name}, []json.RawMessage{res})
}

func searchsetMany(names []string, res []json.RawMessage) []byte {
	type entry struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   map[string]any  `json:"search"`
	}
	b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(res)}
	var entries []entry
	for i, r := range res {
		var h struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		_ = json.Unmarshal(r, &h)
		mode := "match"
		switch h.ResourceType {
		case "Practitioner", "PractitionerRole", "Organization", "Medication", "Location", "Provenance":
			mode = "include"
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, r); err != nil {
			log.Fatalf("%s: %v", names[i], err)
		}
		entries = append(entries, entry{FullURL: "https://example.org/fhir/R4/" + h.ResourceType + "/" + h.ID, Resource: compact.Bytes(), Search: map[string]any{"mode": mode}})
	}
	b["entry"] = entries
	out, err := json.Marshal(b)
	if err != nil {
		log.Fatal(err)
	}
	return out
}

func isBundle(data []byte) bool {
	var h struct {
		ResourceType string `json:"resourceType"`
	}
	return json.Unmarshal(data, &h) == nil && h.ResourceType == "Bundle"
}

func readExamples(root string) map[string][]byte {
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	if len(out) == 0 {
		log.Fatalf("no examples under %s: run from the repository root", root)
	}
	return out
}

func readDir(dir string) map[string][]byte {
	ents, err := os.ReadDir(dir)
	if err != nil {
		log.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			log.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func slug(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".json"), ".yaml")
	name = strings.TrimPrefix(name, "UKCore-")
	return strings.NewReplacer("/", "-", " ", "-").Replace(name)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
